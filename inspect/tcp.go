package inspect

import (
	"bytes"

	"github.com/voipsec/voipsec/tlswire"
)

// Bounds on TCP reassembly, per direction.
const (
	// MaxTCPBuffer bounds the in-order bytes held while waiting for the end
	// of a SIP message or a TLS record whose content is read.
	MaxTCPBuffer = 256 << 10
	// maxOutOfOrder bounds the segments held ahead of a gap.
	maxOutOfOrder = 16
	// maxOutOfOrderBytes bounds their total size.
	maxOutOfOrderBytes = 64 << 10
)

type tcpSegment struct {
	seq  uint32
	data []byte
}

// tcpDir is the reassembly state of one direction of a TCP connection that
// carries SIP or TLS. It holds only what a parser still needs: a SIP
// message or a TLS record whose content is read, not yet complete. Whole
// messages and records are parsed in place in the segment; the bytes of a
// record that is not read (application data, anything encrypted) are
// counted down in skip, never held.
type tcpDir struct {
	synced bool
	done   bool // nothing more to parse: bytes are only counted
	fin    bool // FIN seen
	next   uint32
	buf    []byte // in-order bytes not yet consumed
	skip   int    // bytes of a record being passed over
	ooo    []tcpSegment
	oooLen int

	gaps       int64 // holes skipped (missing segments)
	gapBytes   int64
	outOfOrder int64 // segments that arrived ahead of a hole
	retrans    int64 // segments entirely before the next expected byte
	overflow   int64 // buffer limit hit
	firstGap   int64 // packet number of the first gap
}

// maxPooledBuffer is the largest reassembly buffer kept for reuse.
const maxPooledBuffer = 16 << 10

// newTCP returns an empty reassembly state, reusing one a finished flow
// left, with its buffers.
func (s *scanner) newTCP() *tcpDir {
	n := len(s.freeTCP)
	if n == 0 {
		return &tcpDir{}
	}
	d := s.freeTCP[n-1]
	s.freeTCP = s.freeTCP[:n-1]
	buf, ooo := d.buf[:0], d.ooo[:0]
	if cap(buf) > maxPooledBuffer {
		buf = nil
	}
	clear(ooo[:cap(ooo)])
	*d = tcpDir{buf: buf, ooo: ooo}
	return d
}

// seqLess compares TCP sequence numbers modulo 2^32 (RFC 793 §3.3).
func seqLess(a, b uint32) bool { return int32(a-b) < 0 }

func (s *scanner) tcp(fl *flow, f *Frame) {
	if f.Flags&tcpRST != 0 {
		s.tcpReset(fl)
		return
	}
	if fl.role != roleOther {
		s.tcpData(fl, f)
	}
	if f.Flags&tcpFIN != 0 && fl.flags&flowDead == 0 {
		s.tcpFin(fl)
	}
}

// tcpReset ends both directions of the connection.
func (s *scanner) tcpReset(fl *flow) {
	if st := fl.tls; st != nil && st.resetBy == "" {
		st.resetBy = "server"
		if st.dir(fl.key) == 0 {
			st.resetBy = "client"
		}
		st.resetPacket = s.pktNum
	}
	if rev := s.flows[fl.key.reverse()]; rev != nil {
		s.finishFlow(rev, endClosed)
	}
	s.finishFlow(fl, endClosed)
}

// tcpFin ends the connection once both directions have sent FIN.
func (s *scanner) tcpFin(fl *flow) {
	if fl.tcp == nil {
		fl.tcp = s.newTCP()
	}
	fl.tcp.fin = true
	if st := fl.tls; st != nil && st.finPacket == 0 {
		st.finPacket = s.pktNum
	}
	rev := s.flows[fl.key.reverse()]
	if rev == nil || rev.tcp != nil && rev.tcp.fin {
		if rev != nil {
			s.finishFlow(rev, endClosed)
		}
		s.finishFlow(fl, endClosed)
	}
}

func (s *scanner) tcpData(fl *flow, f *Frame) {
	p := f.Payload
	if fl.tcp == nil {
		if len(p) == 0 && f.Flags&tcpSYN == 0 {
			return
		}
		fl.tcp = s.newTCP()
	}
	d := fl.tcp
	if f.Flags&tcpSYN != 0 {
		d.synced, d.next = true, f.Seq+1
		d.buf, d.ooo, d.oooLen, d.skip = d.buf[:0], d.ooo[:0], 0, 0
		return
	}
	if len(p) == 0 {
		return
	}
	if fl.role == roleUnknown {
		switch {
		case tlswire.LooksLikeRecord(p):
			fl.role = roleTLS
			fl.tls = s.tlsFor(fl)
		case sipPrefix(p) || s.opts.isSIPPort(fl.key.Src.Port) || s.opts.isSIPPort(fl.key.Dst.Port):
			// On a SIP port, bytes before the first start line (a capture
			// begun mid-stream) are skipped by the SIP resynchronisation.
			fl.role = roleSIP
		default:
			fl.role = roleOther
			if len(s.freeTCP) < maxFreeHeavy {
				s.freeTCP = append(s.freeTCP, fl.tcp)
			}
			fl.tcp = nil
			return
		}
	}
	if d.done {
		return
	}
	if !d.synced {
		d.synced, d.next = true, f.Seq
	}
	seq := f.Seq
	switch {
	case seq == d.next:
		s.tcpAppend(fl, d, p)
		s.tcpDrain(fl, d)
	case seqLess(seq, d.next):
		// Retransmission or overlap: keep only the new tail.
		end := seq + uint32(len(p))
		if !seqLess(d.next, end) {
			d.retrans++
			return
		}
		s.tcpAppend(fl, d, p[d.next-seq:])
		s.tcpDrain(fl, d)
	default:
		d.outOfOrder++
		if len(d.ooo) >= maxOutOfOrder || d.oooLen+len(p) > maxOutOfOrderBytes {
			s.tcpSkipGap(fl, d)
			if seq == d.next {
				s.tcpAppend(fl, d, p)
				s.tcpDrain(fl, d)
				return
			}
		}
		d.ooo = append(d.ooo, tcpSegment{seq: seq, data: bytes.Clone(p)})
		d.oooLen += len(p)
	}
}

// tcpDrain moves held segments that are now in order into the stream.
func (s *scanner) tcpDrain(fl *flow, d *tcpDir) {
	for moved := true; moved && len(d.ooo) > 0; {
		moved = false
		for i := 0; i < len(d.ooo); i++ {
			sg := d.ooo[i]
			end := sg.seq + uint32(len(sg.data))
			if seqLess(d.next, sg.seq) {
				continue
			}
			d.ooo = append(d.ooo[:i], d.ooo[i+1:]...)
			d.oooLen -= len(sg.data)
			i--
			if seqLess(d.next, end) {
				s.tcpAppend(fl, d, sg.data[d.next-sg.seq:])
				moved = true
			}
		}
	}
}

// tcpSkipGap gives up on the missing bytes before the earliest held
// segment: the gap is counted and parsing resynchronises after it.
func (s *scanner) tcpSkipGap(fl *flow, d *tcpDir) {
	if len(d.ooo) == 0 {
		return
	}
	lo := d.ooo[0].seq
	for _, sg := range d.ooo[1:] {
		if seqLess(sg.seq, lo) {
			lo = sg.seq
		}
	}
	d.gaps++
	d.gapBytes += int64(lo - d.next)
	if d.firstGap == 0 {
		d.firstGap = s.pktNum
	}
	d.buf = d.buf[:0]
	d.skip = 0
	d.next = lo
	if fl.tls != nil {
		fl.tls.LostSync = true
	}
	s.tcpDrain(fl, d)
}

// finishTCP reports the holes left when a connection ends and adds the
// direction's counters to the scan's totals.
func (s *scanner) finishTCP(fl *flow) {
	d := fl.tcp
	for len(d.ooo) > 0 {
		s.tcpSkipGap(fl, d)
	}
	s.out.tcpGaps += d.gaps
	s.out.tcpOutOfOrder += d.outOfOrder
	s.out.tcpRetransmitted += d.retrans
}

// tcpAppend hands in-order bytes to the parser of the flow's role. Whole
// messages are parsed where they lie; only an incomplete one is held.
func (s *scanner) tcpAppend(fl *flow, d *tcpDir, p []byte) {
	d.next += uint32(len(p))
	if d.done {
		return
	}
	if d.skip > 0 {
		n := min(d.skip, len(p))
		d.skip -= n
		if p = p[n:]; len(p) == 0 {
			return
		}
	}
	in := p
	if len(d.buf) > 0 {
		if len(d.buf)+len(p) > MaxTCPBuffer {
			d.overflow++
			d.buf = d.buf[:0]
			if fl.tls != nil {
				fl.tls.LostSync = true
			}
			return
		}
		d.buf = append(d.buf, p...)
		in = d.buf
	}
	var rest []byte
	switch fl.role {
	case roleSIP:
		rest = s.sipStream(fl, in)
	case roleTLS:
		rest = s.tlsStream(fl, d, in)
	}
	switch {
	case d.done || len(rest) == 0:
		d.buf = d.buf[:0]
	case len(rest) > MaxTCPBuffer:
		d.overflow++
		d.buf = d.buf[:0]
	case len(d.buf) == 0:
		d.buf = append(d.buf, rest...)
	case len(rest) < len(d.buf):
		// Something was consumed: move the rest to the front once.
		d.buf = d.buf[:copy(d.buf, rest)]
	}
}

// sipStream takes whole SIP messages out of b and returns what is left
// (the start of a message still incomplete). After a gap it skips to the
// next SIP start line.
func (s *scanner) sipStream(fl *flow, b []byte) []byte {
	for len(b) > 0 {
		for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
			b = b[1:]
		}
		if len(b) == 0 {
			break
		}
		if !looksSIP(b) {
			if len(b) < 512 && bytes.IndexByte(b, '\n') < 0 {
				break // wait for the whole start line
			}
			// Resynchronise: find the next line that is a start line.
			rest := b[1:]
			i := bytes.Index(rest, []byte("SIP/2.0"))
			if i < 0 {
				// Keep the last partial line: it may be a start line
				// whose SIP/2.0 has not arrived yet.
				if j := bytes.LastIndexByte(b, '\n'); j >= 0 && len(b)-j <= 512 {
					b = b[j+1:]
				} else {
					b = b[len(b)-min(len(b), 64):]
				}
				break
			}
			cand := rest[bytes.LastIndexByte(rest[:i], '\n')+1:]
			if bytes.IndexByte(cand, '\n') < 0 {
				b = cand // wait for the rest of the line
				break
			}
			if looksSIP(cand) {
				b = cand
			} else {
				b = rest[i+1:]
			}
			continue
		}
		n, complete := s.sipNext(fl, b, false)
		if !complete {
			if len(b) > MaxSIPMessage {
				b = b[1:] // hostile or broken: resynchronise
				continue
			}
			break
		}
		b = b[n:]
	}
	return b
}
