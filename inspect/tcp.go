package inspect

import (
	"bytes"

	"github.com/voipsec/voipsec/tlswire"
)

// Bounds on TCP reassembly, per direction.
const (
	// MaxTCPBuffer bounds the in-order bytes held while waiting for the end
	// of a SIP message or TLS record.
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
// carries SIP or TLS.
type tcpDir struct {
	synced bool
	next   uint32 // next expected sequence number
	buf    []byte // in-order bytes not yet consumed
	ooo    []tcpSegment
	oooLen int
	done   bool // nothing more to parse: bytes are only counted

	gaps       int64 // holes skipped (missing segments)
	gapBytes   int64
	outOfOrder int64 // segments that arrived ahead of a hole
	retrans    int64 // segments entirely before the next expected byte
	overflow   int64 // buffer limit hit
	firstGap   int64 // packet number of the first gap
}

// seqLess compares TCP sequence numbers modulo 2^32 (RFC 793 §3.3).
func seqLess(a, b uint32) bool { return int32(a-b) < 0 }

func (s *scanner) tcp(fl *flow, f *Frame) {
	if fl.role == roleOther {
		return
	}
	p := f.Payload
	if fl.tcp == nil {
		if len(p) == 0 && f.Flags&tcpSYN == 0 {
			return
		}
		fl.tcp = &tcpDir{}
	}
	d := fl.tcp
	if f.Flags&tcpSYN != 0 {
		d.synced, d.next = true, f.Seq+1
		d.buf, d.ooo, d.oooLen = d.buf[:0], d.ooo[:0], 0
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

// tcpDrain moves held segments that are now in order into the buffer.
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
	d.next = lo
	if fl.tls != nil {
		fl.tls.LostSync = true
	}
	s.tcpDrain(fl, d)
}

// finishTCP reports holes left at the end of the capture.
func (s *scanner) finishTCP(fl *flow) {
	d := fl.tcp
	if d == nil {
		return
	}
	for len(d.ooo) > 0 {
		s.tcpSkipGap(fl, d)
	}
}

func (s *scanner) tcpAppend(fl *flow, d *tcpDir, p []byte) {
	d.next += uint32(len(p))
	if len(d.buf)+len(p) > MaxTCPBuffer {
		d.overflow++
		d.buf = d.buf[:0]
		if fl.tls != nil {
			fl.tls.LostSync = true
		}
		return
	}
	d.buf = append(d.buf, p...)
	switch fl.role {
	case roleSIP:
		s.sipStream(fl, d)
	case roleTLS:
		s.tlsStream(fl, d)
	}
}

// sipStream takes whole SIP messages out of the buffer. After a gap it
// skips to the next SIP start line.
func (s *scanner) sipStream(fl *flow, d *tcpDir) {
	b := d.buf
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
		n, complete := sipFrame(b, false)
		if !complete {
			if len(b) > MaxSIPMessage {
				b = b[1:] // hostile or broken: resynchronise
				continue
			}
			break
		}
		if m, ok := parseSIP(b[:n]); ok {
			m.Packet, m.Flow = s.pktNum, fl.key
			s.sip = append(s.sip, m)
			fl.sipMsgs++
		}
		b = b[n:]
	}
	d.buf = append(d.buf[:0], b...)
}
