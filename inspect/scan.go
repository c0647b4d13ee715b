package inspect

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/voipsec/voipsec/tlswire"
)

// flowRole is what a flow was found to carry.
type flowRole uint8

const (
	roleUnknown flowRole = iota
	roleSIP
	roleTLS
	roleMedia
	roleOther
)

// mediaStats is the evidence gathered for one directional UDP media flow.
// The verdict is reached when the flow ends (finish.go).
type mediaStats struct {
	// What every RTP packet updates comes first, in one cache line (the
	// struct is 256 bytes, so the allocator aligns it).
	rtp         int64
	fixedFrames int64 // fixed-rate codec payloads of exact frame length
	tagFrames   int64 // ... of frame length plus a 4/10-byte tag (+1-byte MKI)
	sameTrailer int64
	sampled     int64 // payloads tested for entropy
	randomish   int64 // of which looked random
	ssrc        uint32
	pt          uint8
	lastTrailer byte  // byte 11 from the end (1-byte MKI position)
	nsamples    uint8 // len(samples) during the scan

	rtcp, stun, dtls, turn, zrtp, other int64

	ssrcs     int // SSRC changes seen (1 = one SSRC)
	ptChanges int

	rtcpPlain int64 // RTCP whose length fields add up
	rtcpE     int64 // SRTCP candidates with E bit set and a sane index
	lastIndex uint32
	indexStep int64 // SRTCP index incremented by one

	dtlsHello    bool
	srtpProfiles []uint16 // use_srtp in a DTLS ClientHello

	// first RTP packets, kept to verify an exposed SDES key against
	samples    [][]byte
	sampleBuf  []byte
	sampleNums []int64
}

const flowCacheBits = 14

// DefaultMaxFlows bounds the flows held at once when Options.MaxFlows is 0.
// Packets of new flows beyond it are counted (Stats.FlowsDropped), not
// followed.
const DefaultMaxFlows = 1 << 20

const (
	maxSamples   = 4
	maxSampleLen = 512
)

// DefaultIdleTimeout ends a flow, and a call whose flows have all ended,
// after this long without a packet, in capture time (Options.IdleTimeout).
const DefaultIdleTimeout = 60 * time.Second

// endLinger is how long, in capture time, the flows of a call that ended
// (BYE and its answer, or a final failure response) may stay quiet before
// they end, and how long the call waits for stragglers after its end.
const endLinger = 4 * time.Second

// sweepEvery is how often, in capture time, ended flows and calls are
// finished and released.
const sweepEvery = int64(time.Second)

// flow is one direction of a UDP or TCP conversation, from its first packet
// until it ends (idle, FIN/RST, its call ended, or the end of the capture).
type flow struct {
	// What every packet reads or updates comes first, in one cache line
	// (the struct is padded to 128 bytes, so the allocator aligns it).
	key     FlowKey // 38 bytes
	role    flowRole
	flags   uint8  // flowDead, flowLinger, ...
	lastMS  uint32 // capture time of the last packet, ms after the scan's first
	packets uint32
	media   *mediaStats
	bytes   int64 // transport payload bytes

	first int64 // first packet number
	tcp   *tcpDir
	tls   *tlsState
	call  *call   // the call whose SDP negotiated it (media)
	ref   *sdpRef // that SDP body
	idx   int16   // and its m= line
	_     [22]byte
}

// flow flags.
const (
	flowDead    = 1 << iota // ended: no longer in the table
	flowLinger              // its call ended: the short timeout applies
	flowRecv                // bound to the SDP that announced its destination
	flowWaiting             // in the index of flows waiting for an SDP
	flowRevDTLS             // the reverse flow carried DTLS
)

// Stats counts what the scan saw and did not follow.
type Stats struct {
	Packets      int64 `json:"packets"`
	Bytes        int64 `json:"bytes"`   // captured bytes
	Snapped      int64 `json:"snapped"` // captured shorter than on the wire
	NotIP        int64 `json:"not_ip"`
	Fragments    int64 `json:"ip_fragments"`
	IPOptions    int64 `json:"ipv4_with_options"`
	OtherIP      int64 `json:"other_ip"`
	Malformed    int64 `json:"malformed"`
	UnknownLink  int64 `json:"unknown_link"`
	VLAN         int64 `json:"vlan_tagged"`
	IPv6         int64 `json:"ipv6"`
	FlowsDropped int64 `json:"flows_over_limit"`
	// TCPDeferOverflow is kept for the voipsec/v1 schema: the range-split
	// parallel scan that set it is gone, and it is never set.
	TCPDeferOverflow int64 `json:"tcp_segments_not_followed,omitempty"`
}

// StateStats says how much the scan held at once and how entries ended:
// memory follows these numbers, not the size of the capture.
type StateStats struct {
	IdleTimeout   string `json:"idle_timeout"`     // as set (Options.IdleTimeout)
	MaxFlows      int    `json:"max_live_flows"`   // most flows held at once
	MaxCalls      int    `json:"max_live_calls"`   // most calls (Call-IDs) held at once
	MaxTLS        int    `json:"max_live_tls"`     // most TLS connections held at once
	FlowsIdle     int64  `json:"flows_ended_idle"` // flows that ended by the idle timeout
	FlowsClosed   int64  `json:"flows_ended_fin_rst"`
	FlowsWithCall int64  `json:"flows_ended_with_call"` // flows of a call that ended
	CallsIdle     int64  `json:"calls_ended_idle"`
}

// Progress is updated during a scan; read it from another goroutine.
type Progress struct {
	Bytes   atomic.Int64 // input bytes read
	Packets atomic.Int64
}

// scanner is the state of one scan. It is not safe for concurrent use.
type scanner struct {
	opts *Options
	idle int64 // ns

	flows     map[FlowKey]*flow
	flowOrder []*flow // live flows in creation order (the sweep's order)
	cache     [1 << flowCacheBits]*flow
	frame     Frame
	stats     Stats
	state     StateStats
	pktNum    int64
	base      int64 // timestamp of the first packet, ns
	now       int64 // capture clock: the latest timestamp seen, ns after base
	nextSweep int64
	tsMS      uint32 // capture time of the packet being handled, ms after base
	idleMS    int64
	lingerMS  int64

	calls     map[string]*call
	callOrder []*call
	callSeq   int64
	endpoints map[Endpoint][]mediaRef // media endpoints announced by live calls
	waiting   map[Endpoint][]*flow    // media flows not bound to their receiver's SDP
	liveTLS   int
	tlsSeq    int64

	certs map[string]*CertInfo // parsed once per distinct DER

	out    *collector // finished flows, calls and sessions go here
	endWhy string     // "capture ended" or "interrupted", once the scan ends

	freeFlows []*flow
	freeMedia []*mediaStats
	freeTCP   []*tcpDir
	freeTLS   []*tlsState
}

func newScanner(o *Options, name string) *scanner {
	idle := int64(o.IdleTimeout)
	if idle <= 0 {
		idle = int64(DefaultIdleTimeout)
	}
	s := &scanner{opts: o, idle: idle, flows: make(map[FlowKey]*flow, 1024), calls: map[string]*call{},
		endpoints: map[Endpoint][]mediaRef{}, waiting: map[Endpoint][]*flow{}, certs: map[string]*CertInfo{},
		idleMS: idle / 1e6, lingerMS: int64(endLinger) / 1e6, base: -1}
	s.lingerMS = min(s.lingerMS, s.idleMS)
	s.state.IdleTimeout = time.Duration(idle).String()
	s.out = newCollector(o)
	if o.Records != nil {
		s.out.records = newRecordWriter(o.Records, name)
	}
	return s
}

// run reads every packet of r. It returns nil at the clean end of the
// input, a *FormatError on damage, or an *InterruptedError when ctx ends.
func (s *scanner) run(ctx context.Context, r *Reader, prog *Progress) error {
	lastOff, lastPkts := r.Offset(), int64(0)
	for {
		if !r.ng && !r.be {
			// Little-endian pcap: records are walked in place.
			if err := s.runFixed(ctx, r, prog, &lastOff, &lastPkts); err != nil {
				return err
			}
		}
		p, err := r.Next()
		if err != nil {
			if prog != nil {
				prog.Bytes.Add(r.Offset() - lastOff)
				prog.Packets.Add(s.pktNum - lastPkts)
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			if ctx.Err() != nil {
				return &InterruptedError{Offset: r.Offset(), Packets: s.pktNum, Cause: context.Cause(ctx)}
			}
			return err
		}
		s.packetData(p.LinkType, p.Timestamp, p.Data, p.OrigLen)
		if s.pktNum&0x3fff == 0 {
			if err := s.checkpoint(ctx, r, prog, &lastOff, &lastPkts); err != nil {
				return err
			}
		}
	}
}

// checkpoint reports progress and checks for cancellation; run calls it
// every 16384 packets.
func (s *scanner) checkpoint(ctx context.Context, r *Reader, prog *Progress, lastOff, lastPkts *int64) error {
	off := r.Offset()
	if prog != nil {
		prog.Bytes.Add(off - *lastOff)
		prog.Packets.Add(s.pktNum - *lastPkts)
		*lastOff, *lastPkts = off, s.pktNum
	}
	if r.release != nil && off-r.released >= 8<<20 {
		r.release(r.released, off)
		r.released = off
	}
	if err := ctx.Err(); err != nil {
		return &InterruptedError{Offset: off, Packets: s.pktNum, Cause: context.Cause(ctx)}
	}
	return nil
}

// prefetchAhead is how far ahead of the record being read runFixed asks
// for the next lines: a few records, so they arrive in time.
const prefetchAhead = 2048

// runFixed is run's loop for little-endian pcap: it walks the whole records
// in the reader's buffer in place, without building a Packet, and returns
// (with r positioned at it) on the first record that is not whole or not
// plainly well-formed, which r.Next then reads (refilling the buffer) or
// reports.
func (s *scanner) runFixed(ctx context.Context, r *Reader, prog *Progress, lastOff, lastPkts *int64) error {
	buf := r.buf[:r.end]
	pos := r.start
	link := r.pcapIface.linkType
	mul := int64(r.pcapIface.mul)
	n0 := s.pktNum
	for len(buf)-pos >= 16 {
		h := buf[pos : pos+16]
		capLen := binary.LittleEndian.Uint32(h[8:])
		end := pos + 16 + int(capLen)
		if capLen > MaxRecordLen || end > len(buf) {
			break
		}
		if a := pos + prefetchAhead; a < len(buf) {
			prefetch(&buf[a])
		}
		ts := int64(binary.LittleEndian.Uint32(h))*1e9 + int64(binary.LittleEndian.Uint32(h[4:]))*mul
		s.packetData(link, ts, buf[pos+16:end:end], int(binary.LittleEndian.Uint32(h[12:])))
		pos = end
		if s.pktNum&0x3fff == 0 {
			r.packets += s.pktNum - n0
			n0 = s.pktNum
			r.start = pos
			if err := s.checkpoint(ctx, r, prog, lastOff, lastPkts); err != nil {
				return err
			}
		}
	}
	r.packets += s.pktNum - n0
	r.start = pos
	return nil
}

// packet handles one captured packet (tests).
func (s *scanner) packet(p *Packet) { s.packetData(p.LinkType, p.Timestamp, p.Data, p.OrigLen) }

// packetData handles one packet: its link type, capture time, captured
// bytes and length on the wire. It is the hot path: no allocation once the
// packet's flow exists.
func (s *scanner) packetData(link uint16, ts int64, data []byte, origLen int) {
	s.pktNum++
	if s.base < 0 {
		s.base = ts
	}
	if t := ts - s.base; t > s.now {
		s.now = t
		if t >= s.nextSweep {
			s.sweep()
		}
		s.tsMS = uint32(t / 1e6)
	} else if t >= 0 {
		s.tsMS = uint32(t / 1e6)
	} else {
		s.tsMS = 0
	}
	f := &s.frame
	st := decode(f, link, data)
	s.stats.Packets++
	s.stats.Bytes += int64(len(data))
	if len(data) < origLen {
		s.stats.Snapped++
	}
	if f.VLANs > 0 {
		s.stats.VLAN++
	}
	if f.IPOptions {
		s.stats.IPOptions++
	}
	switch st {
	case decodedNotIP:
		s.stats.NotIP++
	case decodedFragment:
		s.stats.Fragments++
	case decodedOtherIP:
		s.stats.OtherIP++
	case decodedTruncated:
		s.stats.Malformed++
	case decodedUnknownLink:
		s.stats.UnknownLink++
	}
	if st == decodedTransport && f.IPv6 {
		s.stats.IPv6++
	}
	if st != decodedTransport {
		return
	}
	key := &f.Key
	// A direct-mapped cache in front of the flow map: most packets hit it.
	slot := &s.cache[key.slot()]
	fl := *slot
	if fl == nil || !fl.key.same(key) {
		if fl = s.flows[*key]; fl == nil {
			if key.Proto == protoTCP && len(f.Payload) == 0 && f.Flags&(tcpSYN|tcpFIN|tcpRST) == 0 {
				return // a bare ACK of no connection followed: no flow for it
			}
			if fl = s.newFlow(*key); fl == nil {
				return
			}
		}
		*slot = fl
	}
	if d := int64(s.tsMS) - int64(fl.lastMS); d > s.idleMS || d > s.lingerMS && fl.flags&flowLinger != 0 {
		// Quiet for longer than its timeout: that flow ended; this packet
		// starts the next one on the same 5-tuple.
		s.finishFlow(fl, endIdle)
		if fl = s.newFlow(*key); fl == nil {
			return
		}
		*slot = fl
	}
	if s.tsMS > fl.lastMS { // timestamps of merged interfaces may step back
		fl.lastMS = s.tsMS
	}
	fl.packets++
	fl.bytes += int64(len(f.Payload))
	switch key.Proto {
	case protoUDP:
		if p := f.Payload; fl.role == roleMedia && fl.media != nil && plainRTPKind(p) {
			// What udp, mediaPacket and Demux decide for RTP on an
			// established media flow, without the two calls.
			s.rtpPacket(fl, fl.media, p)
		} else {
			s.udp(fl, p)
		}
	case protoTCP:
		s.tcp(fl, f)
	}
}

// plainRTPKind reports, for the common case and inlined, that Demux(p)
// is MediaRTP: version 2 and a second byte outside RTCP's 192-223.
func plainRTPKind(p []byte) bool {
	return len(p) >= 12 && p[0]&0xc0 == 0x80 && (p[1] < 192 || p[1] > 223)
}

func (s *scanner) newFlow(key FlowKey) *flow {
	limit := s.opts.MaxFlows
	if limit <= 0 {
		limit = DefaultMaxFlows
	}
	if len(s.flows) >= limit {
		s.stats.FlowsDropped++
		return nil
	}
	var fl *flow
	if n := len(s.freeFlows); n > 0 {
		fl = s.freeFlows[n-1]
		s.freeFlows = s.freeFlows[:n-1]
	} else {
		fl = &flow{}
	}
	*fl = flow{key: key, first: s.pktNum, lastMS: s.tsMS}
	if rev := s.flows[key.reverse()]; rev != nil && rev.media != nil && rev.media.dtls > 0 {
		fl.flags |= flowRevDTLS
	}
	s.flows[key] = fl
	s.flowOrder = append(s.flowOrder, fl)
	s.state.MaxFlows = max(s.state.MaxFlows, len(s.flows))
	return fl
}

// nowMS is the capture clock in ms after the first packet.
func (s *scanner) nowMS() int64 { return s.now / 1e6 }

func (s *scanner) newMedia() *mediaStats {
	if n := len(s.freeMedia); n > 0 {
		m := s.freeMedia[n-1]
		s.freeMedia = s.freeMedia[:n-1]
		buf, samples, nums := m.sampleBuf[:0], m.samples[:0], m.sampleNums[:0]
		*m = mediaStats{sampleBuf: buf, samples: samples, sampleNums: nums}
		return m
	}
	return &mediaStats{}
}

func (s *scanner) udp(fl *flow, p []byte) {
	if len(p) == 0 {
		return
	}
	if fl.role == roleMedia && fl.media != nil {
		// An established media flow stays one (and has its mediaStats).
		s.mediaPacket(fl, p)
		return
	}
	if fl.role == roleSIP || (fl.role != roleMedia && p[0] >= 'A' && p[0] <= 'Z' && looksSIP(p)) {
		// A SIP flow over UDP holds nothing but its role: it ends after the
		// short linger, and the next message starts another.
		fl.role = roleSIP
		fl.flags |= flowLinger
		s.sipDatagram(fl, p)
		return
	}
	if fl.role == roleUnknown {
		fl.role = roleMedia
		fl.media = s.newMedia()
		s.bindFlow(fl)
	}
	if fl.media != nil {
		s.mediaPacket(fl, p)
	}
}

func (s *scanner) sipDatagram(fl *flow, p []byte) {
	for len(p) > 0 {
		n, _ := s.sipNext(fl, p, true)
		if n <= 0 {
			return
		}
		p = p[n:]
		for len(p) > 0 && (p[0] == '\r' || p[0] == '\n') {
			p = p[1:]
		}
	}
}

// mediaPacket classifies one UDP datagram of a media flow and updates the
// flow's evidence. It does not allocate after the flow's first RTP packet.
func (s *scanner) mediaPacket(fl *flow, p []byte) {
	m := fl.media
	switch Demux(p) {
	case MediaSTUN:
		m.stun++
	case MediaZRTP:
		m.zrtp++
	case MediaTURN:
		m.turn++
	case MediaDTLS:
		m.dtls++
		if m.dtls == 1 {
			if rev := s.flows[fl.key.reverse()]; rev != nil {
				rev.flags |= flowRevDTLS
			}
		}
		if !m.dtlsHello && p[0] == 22 && len(p) > 25 && p[13] == 1 {
			m.dtlsHello = true
			m.srtpProfiles = dtlsUseSRTP(p)
		}
	case MediaRTCP:
		m.rtcp++
		if rtcpPlainLength(p) {
			m.rtcpPlain++
			return
		}
		for _, mki := range [...]int{0, 1, 4} {
			if e, idx, ok := srtcpIndex(p, mki); ok && e && idx < 1<<24 {
				m.rtcpE++
				if idx == m.lastIndex+1 {
					m.indexStep++
				}
				m.lastIndex = idx
				break
			}
		}
	case MediaRTP:
		s.rtpPacket(fl, m, p)
	default:
		m.other++
	}
}

func (s *scanner) rtpPacket(fl *flow, m *mediaStats, p []byte) {
	// The fields used here are kept in locals: building an RTPHeader
	// field by field and copying it whole made the CPU wait for the
	// stores to drain before the copy could load them.
	var pt uint8
	var seq uint16
	var ssrc uint32
	var hdrLen int
	if p[0] == 0x80 && len(p) >= 12 {
		// No padding, extension or CSRCs: the 12-byte fixed header.
		pt, seq, ssrc, hdrLen = p[1]&0x7f, binary.BigEndian.Uint16(p[2:]), binary.BigEndian.Uint32(p[8:]), 12
	} else {
		var h RTPHeader
		if !ParseRTPHeader(&h, p) {
			m.other++
			return
		}
		pt, seq, ssrc, hdrLen = h.PayloadType, h.Seq, h.SSRC, h.HeaderLen
	}
	m.rtp++
	if m.rtp == 1 {
		m.ssrc, m.ssrcs, m.pt = ssrc, 1, pt
	} else {
		if ssrc != m.ssrc {
			m.ssrc = ssrc
			m.ssrcs++
		}
		if pt != m.pt {
			m.pt = pt
			m.ptChanges++
		}
	}
	payload := p[hdrLen:]
	if fixedFrame(pt) > 0 && len(payload) > 0 {
		// 80 bytes per 10 ms; one division, by a constant.
		switch len(payload) % 80 {
		case 0:
			m.fixedFrames++
		case 10, 4, 11, 5: // 80- or 32-bit tag, with or without a 1-byte MKI
			m.tagFrames++
		}
	}
	if len(p) >= 24 {
		t := p[len(p)-11]
		if m.rtp > 1 && t == m.lastTrailer {
			m.sameTrailer++
		}
		m.lastTrailer = t
	}
	// Entropy on one packet in 16, chosen by sequence number.
	if seq&15 == 0 {
		if len(payload) >= 32 {
			m.sampled++
			if randomLooking(payload[:min(len(payload), 256)]) {
				m.randomish++
			}
		}
	}
	if m.nsamples < maxSamples && len(p) <= maxSampleLen {
		m.nsamples++
		if cap(m.sampleBuf) == 0 {
			// Sized for packets like the first; a larger one later grows
			// it, and the samples already kept stay where they are.
			m.sampleBuf = make([]byte, 0, maxSamples*len(p))
			m.samples = make([][]byte, 0, maxSamples)
			m.sampleNums = make([]int64, 0, maxSamples)
		}
		st := len(m.sampleBuf)
		m.sampleBuf = append(m.sampleBuf, p...)
		m.samples = append(m.samples, m.sampleBuf[st:len(m.sampleBuf):len(m.sampleBuf)])
		m.sampleNums = append(m.sampleNums, s.pktNum)
	}
}

// dtlsUseSRTP returns the use_srtp profiles of a DTLS ClientHello record
// that holds the whole message (RFC 6347 §4.2.2, RFC 5764 §4.1.1).
func dtlsUseSRTP(p []byte) []uint16 {
	if len(p) < 13+12 {
		return nil
	}
	rl := int(p[11])<<8 | int(p[12])
	rec := p[13:]
	if rl < len(rec) {
		rec = rec[:rl]
	}
	if len(rec) < 12 || rec[0] != tlswire.ClientHelloType {
		return nil
	}
	hl := int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
	fragOff := int(rec[6])<<16 | int(rec[7])<<8 | int(rec[8])
	fragLen := int(rec[9])<<16 | int(rec[10])<<8 | int(rec[11])
	body := rec[12:]
	if fragOff != 0 || fragLen != hl || len(body) < hl {
		return nil
	}
	var ch tlswire.ClientHello
	if _, err := ch.DecodeDTLSFromBytes(body[:hl]); err != nil || ch.SRTPProfiles == nil {
		return nil
	}
	out := make([]uint16, 0, ch.SRTPProfiles.Len())
	for i := range ch.SRTPProfiles.Len() {
		out = append(out, ch.SRTPProfiles.At(i))
	}
	if len(out) == 0 {
		out = []uint16{}
	}
	return out
}
