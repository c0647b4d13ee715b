package inspect

import (
	"context"
	"sort"
	"sync"

	"github.com/voipsec/voipsec/tlswire"
)

// A parallel scan splits a mapped capture into byte ranges that start on
// record boundaries and gives each range to one worker. Per-flow evidence
// is made of counters, so the workers' flow tables merge by adding them;
// packet numbers are renumbered once every worker knows its count. TCP
// segments that may carry SIP or TLS are copied aside by the workers and
// replayed in capture order through one reassembler after the scan, so a
// TCP stream split across ranges is reassembled as if read sequentially.

// boundaryChain is how many consecutive valid records prove a boundary.
const boundaryChain = 8

// maxDeferredTCP bounds the TCP bytes one worker copies aside for replay.
const maxDeferredTCP = 256 << 20

type deferredSeg struct {
	pkt     int64 // packet number within the worker's range
	key     FlowKey
	seq     uint32
	flags   uint8
	payload []byte
}

// pcapRecordOK checks the pcap record header at off and returns the offset
// of the next record.
func (r *Reader) pcapRecordOK(data []byte, off int, firstSec uint32) (int, bool) {
	if off+16 > len(data) {
		return 0, false
	}
	h := data[off:]
	sec, frac := r.u32(h), r.u32(h[4:])
	capLen, origLen := r.u32(h[8:]), r.u32(h[12:])
	limit := min(max(MaxRecordLen, r.pcapIface.snapLen), MaxBlockLen)
	maxFrac := uint32(1e6)
	if r.pcapIface.mul == 1 {
		maxFrac = 1e9
	}
	const year = 366 * 86400
	if capLen == 0 || capLen > limit || origLen < capLen || origLen > max(limit, 1<<18) || frac >= maxFrac ||
		sec+year < firstSec || sec > firstSec+year {
		return 0, false
	}
	return off + 16 + int(capLen), true
}

// ngBlockOK checks the pcapng block at off and returns the next offset.
func (r *Reader) ngBlockOK(data []byte, off int) (int, bool) {
	if off+12 > len(data) || off%4 != 0 {
		return 0, false
	}
	typ, blen := r.u32(data[off:]), int(r.u32(data[off+4:]))
	if blen < 12 || blen%4 != 0 || blen > MaxBlockLen || off+blen > len(data) || int(r.u32(data[off+blen-4:])) != blen {
		return 0, false
	}
	switch typ {
	case blockEPB:
		if blen < 32 || int(r.u32(data[off+8:])) >= len(r.ifaces) || int(r.u32(data[off+20:])) > blen-32 {
			return 0, false
		}
	case blockSPB, blockPB, 4, 5: // simple packet, packet, name resolution, statistics
	default:
		return 0, false
	}
	return off + blen, true
}

// findBoundary returns the first offset at or after from where a chain of
// valid records starts, or -1.
func (r *Reader) findBoundary(data []byte, from int, firstSec uint32) int {
	step := 1
	if r.ng {
		from = (from + 3) &^ 3
		step = 4
	}
	for off := from; off < len(data) && off < from+(8<<20); off += step {
		next, ok := off, true
		for k := 0; k < boundaryChain && ok && next < len(data); k++ {
			if r.ng {
				next, ok = r.ngBlockOK(data, next)
			} else {
				next, ok = r.pcapRecordOK(data, next, firstSec)
			}
		}
		if ok {
			return off
		}
	}
	return -1
}

// firstPacket returns the offset of the first packet record of the capture
// head was opened on. For pcapng it reads the section and interface blocks
// before it, so that every range starts with head's interface table and none
// of them reads those blocks again (a range that does is scanned twice).
func (r *Reader) firstPacket() (int, bool) {
	if !r.ng {
		return int(r.Offset()), true
	}
	p, err := r.Next()
	if err != nil {
		return 0, false
	}
	r.ifaces = r.ifaces[:len(r.ifaces):len(r.ifaces)]
	return int(p.Offset), true
}

// rangeReader returns a reader over data[from:to] that continues the
// header state of r.
func (r *Reader) rangeReader(data []byte, from, to int) *Reader {
	c := &Reader{buf: data[from:to:to], end: to - from, base: int64(from), eof: true, fixed: true,
		ng: r.ng, be: r.be, pcapIface: r.pcapIface, ifaces: append([]iface(nil), r.ifaces...)}
	return c
}

// inspectChunks scans a mapped capture with workers goroutines.
func inspectChunks(ctx context.Context, path string, data []byte, opts Options, workers int) (*Result, error) {
	head, err := NewReaderBytes(data)
	if err != nil {
		return nil, err
	}
	start, ok := head.firstPacket()
	if !ok {
		// Too short or broken before any packet: scan sequentially.
		return inspectSequential(ctx, path, data, opts)
	}
	var firstSec uint32
	if !head.ng && len(data) >= start+16 {
		firstSec = head.u32(data[start:])
	}
	bounds := []int{start}
	for i := 1; i < workers; i++ {
		b := head.findBoundary(data, start+(len(data)-start)*i/workers, firstSec)
		if b > bounds[len(bounds)-1] {
			bounds = append(bounds, b)
		}
	}
	bounds = append(bounds, len(data))
	n := len(bounds) - 1
	scanners := make([]*scanner, n)
	errs := make([]error, n)
	readers := make([]*Reader, n)
	var wg sync.WaitGroup
	for i := range n {
		s := newScanner(&opts)
		s.deferTCP = n > 1
		s.release = releaseFunc(data)
		scanners[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := head.rangeReader(data, bounds[i], bounds[i+1])
			readers[i] = r
			errs[i] = s.run(ctx, r, opts.Progress)
		}()
	}
	wg.Wait()
	// A pcapng section or interface block inside a range changes the
	// interface table the following ranges started with: scan again in one
	// pass (rare: captures merged from several files).
	for i := 0; i < n-1; i++ {
		if readers[i].headerBlocks > 0 && errs[i] == nil {
			if opts.Progress != nil {
				opts.Progress.Bytes.Store(0)
				opts.Progress.Packets.Store(0)
			}
			return inspectSequential(ctx, path, data, opts)
		}
	}
	var readErr error
	for _, e := range errs {
		if e != nil {
			readErr = e
			break
		}
	}
	res := mergeScanners(&opts, path, formatName(head), scanners)
	return res, res.setErr(readErr, path)
}

func inspectSequential(ctx context.Context, path string, data []byte, opts Options) (*Result, error) {
	r, err := NewReaderBytes(data)
	if err != nil {
		return nil, err
	}
	s := newScanner(&opts)
	err = s.run(ctx, r, opts.Progress)
	res := mergeScanners(&opts, path, formatName(r), []*scanner{s})
	return res, res.setErr(err, path)
}

// mergeScanners renumbers the workers' packets, merges their flow tables,
// replays the deferred TCP segments in order and resolves the verdicts.
func mergeScanners(o *Options, name, format string, ss []*scanner) *Result {
	if len(ss) == 1 && !ss[0].deferTCP {
		s := ss[0]
		var flows []*flow
		for _, fl := range s.flows {
			s.finishTCP(fl)
			flows = append(flows, fl)
		}
		return resolve(o, name, format, s.stats, flows, s.sip, s.tlsSess)
	}
	var stats Stats
	var base int64
	merged := map[FlowKey]*flow{}
	var msgs []SIPMessage
	tcp := newScanner(o) // replays the deferred TCP segments
	for _, s := range ss {
		stats.add(&s.stats)
		for _, fl := range s.flows {
			fl.id += base
			fl.first += base
			if fl.media != nil {
				for i := range fl.media.sampleNums {
					fl.media.sampleNums[i] += base
				}
			}
			if m := merged[fl.key]; m != nil {
				m.merge(fl)
			} else {
				merged[fl.key] = fl
			}
		}
		for _, m := range s.sip {
			m.Packet += base
			msgs = append(msgs, m)
		}
		for i := range s.deferred {
			d := &s.deferred[i]
			tcp.pktNum = d.pkt + base
			fl := tcp.flows[d.key]
			if fl == nil {
				fl = &flow{key: d.key, id: tcp.pktNum, first: tcp.pktNum}
				tcp.flows[d.key] = fl
			}
			f := Frame{Seq: d.seq, Flags: d.flags, Payload: d.payload}
			tcp.tcp(fl, &f)
		}
		base += s.pktNum
	}
	for k, fl := range tcp.flows {
		tcp.finishTCP(fl)
		if m := merged[k]; m != nil {
			m.role, m.tcp, m.tls, m.sipMsgs = fl.role, fl.tcp, fl.tls, fl.sipMsgs
		}
	}
	msgs = append(msgs, tcp.sip...)
	flows := make([]*flow, 0, len(merged))
	for _, fl := range merged {
		flows = append(flows, fl)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Packet < msgs[j].Packet })
	return resolve(o, name, format, stats, flows, msgs, tcp.tlsSess)
}

func (st *Stats) add(o *Stats) {
	st.Packets += o.Packets
	st.Bytes += o.Bytes
	st.Snapped += o.Snapped
	st.NotIP += o.NotIP
	st.Fragments += o.Fragments
	st.IPOptions += o.IPOptions
	st.OtherIP += o.OtherIP
	st.Malformed += o.Malformed
	st.UnknownLink += o.UnknownLink
	st.VLAN += o.VLAN
	st.IPv6 += o.IPv6
	st.FlowsDropped += o.FlowsDropped
	st.TCPDeferOverflow += o.TCPDeferOverflow
}

// merge adds a later range's view of the same flow.
func (fl *flow) merge(o *flow) {
	fl.packets += o.packets
	fl.bytes += o.bytes
	if fl.role == roleUnknown {
		fl.role = o.role
	}
	if o.media == nil {
		return
	}
	if fl.media == nil {
		fl.media = o.media
		return
	}
	a, b := fl.media, o.media
	if a.rtp == 0 && b.rtp > 0 {
		a.ssrc, a.pt = b.ssrc, b.pt
		a.ssrcs = b.ssrcs
	} else if b.rtp > 0 {
		if b.ssrc != a.ssrc {
			a.ssrcs++
		}
		a.ssrcs += max(b.ssrcs-1, 0)
		a.ptChanges += b.ptChanges
	}
	a.rtp += b.rtp
	a.rtcp += b.rtcp
	a.stun += b.stun
	a.dtls += b.dtls
	a.turn += b.turn
	a.zrtp += b.zrtp
	a.other += b.other
	a.sampled += b.sampled
	a.randomish += b.randomish
	a.fixedFrames += b.fixedFrames
	a.tagFrames += b.tagFrames
	a.sameTrailer += b.sameTrailer
	a.rtcpPlain += b.rtcpPlain
	a.rtcpE += b.rtcpE
	a.indexStep += b.indexStep
	if !a.dtlsHello && b.dtlsHello {
		a.dtlsHello, a.srtpProfiles = true, b.srtpProfiles
	}
	for i := 0; i < len(b.samples) && len(a.samples) < maxSamples; i++ {
		a.samples = append(a.samples, b.samples[i])
		a.sampleNums = append(a.sampleNums, b.sampleNums[i])
	}
}

// deferSegment copies a TCP segment aside for the ordered replay.
func (s *scanner) deferSegment(fl *flow, f *Frame) {
	if fl.role == roleOther {
		return
	}
	if fl.role == roleUnknown && len(f.Payload) > 0 {
		p := f.Payload
		if tlswire.LooksLikeRecord(p) || sipPrefix(p) || s.opts.isSIPPort(fl.key.Src.Port) || s.opts.isSIPPort(fl.key.Dst.Port) {
			fl.role = roleTLS // provisional: "follow"; the replay decides
		} else {
			fl.role = roleOther
			return
		}
	}
	if len(f.Payload) == 0 && f.Flags&tcpSYN == 0 {
		return
	}
	if s.deferredBytes+len(f.Payload) > maxDeferredTCP {
		s.stats.TCPDeferOverflow++
		return
	}
	s.deferredBytes += len(f.Payload)
	s.deferred = append(s.deferred, deferredSeg{pkt: s.pktNum, key: fl.key, seq: f.Seq, flags: f.Flags,
		payload: append([]byte(nil), f.Payload...)})
}

// releaseFunc returns a function that drops the pages of data below an
// offset from the process (they stay in the page cache), so a scan's
// resident memory does not grow with the file. Pages ahead are left to the
// kernel's fault-around, which maps 16 at a time: populating the window
// ahead with MADV_POPULATE_READ walked every page once more and cost more
// system time than it saved (measured on a 1 GiB capture, Linux 6.18).
func releaseFunc(data []byte) func(from, to int64) {
	return func(from, to int64) {
		const page = 4096
		lo := (from + page - 1) &^ (page - 1)
		hi := to &^ (page - 1)
		if hi > lo && hi <= int64(len(data)) {
			dropPages(data[lo:hi])
		}
	}
}
