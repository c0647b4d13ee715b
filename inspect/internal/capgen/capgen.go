// Package capgen writes deterministic VoIP captures of any size for
// benchmarks and tests, in two shapes ([Config].Profile):
//
//   - [ProfileMedia] ("media-heavy", the default): a fixed number of long
//     G.711 calls signalled with SIP and SDP over UDP, most with SRTP (SDES
//     a=crypto, random-looking payload plus a 10-byte tag), some in clear
//     RTP, with RTCP/SRTCP, STUN binding requests, a DTLS ClientHello with
//     use_srtp, a TLS handshake on 5061 now and then, 802.1Q tagged frames
//     and IPv6 calls. Almost every packet is media of a flow seen before:
//     the shape the inspection core was first tuned on.
//   - [ProfileTrunk] ("trunk"): what a capture on a Mediation Server NIC or
//     a SIP trunk looks like over time (trunk.go): many concurrent calls
//     with exponentially distributed durations and Poisson arrivals, SIP
//     over UDP, TCP and TLS with real X.509 chains, short-lived TLS
//     connections for OPTIONS and REGISTER, RTP, SDES SRTP, Microsoft-style
//     SDES and DTLS-SRTP with ICE, and a background of keep-alives that
//     makes signalling about a tenth of the packets.
//
// The same Config always gives the same bytes. SRTP payload is pseudo-random
// bytes except, in the trunk profile, the first packets of each SDES
// stream, which are encrypted with the key its SDP announces (pion/srtp), so
// that a reader can verify an exposed key.
package capgen

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// Profiles.
const (
	ProfileMedia = "media-heavy"
	ProfileTrunk = "trunk"
)

// Config describes the capture to write.
type Config struct {
	Profile    string  // ProfileMedia ("" too) or ProfileTrunk
	Size       int64   // stop after at least this many bytes (0: see Seconds)
	Seconds    float64 // trunk: stop after this much capture time (0 with Size 0: 10 s)
	Seed       uint64  // PRNG seed
	PCAPNG     bool    // pcapng with two interfaces instead of pcap
	BigEndian  bool    // pcap: big-endian headers
	Nanosecond bool    // pcap: nanosecond timestamps
	Calls      int     // concurrent calls (default 64; trunk 600)
	// media-heavy only
	CallLen    int // RTP packets per direction per call (default 1500 = 30 s)
	ClearEvery int // one call in ClearEvery is clear RTP (default 8)
	// trunk only
	MeanCallSeconds float64 // mean call duration (default 90)
	SignallingShare float64 // target share of signalling packets (default 0.10)
}

// Stats counts what a generated capture holds.
type Stats struct {
	Bytes, Packets  int64
	MediaPackets    int64 // RTP, RTCP, STUN and DTLS on media ports
	Calls           int   // calls that appear in the capture (set up in it or in progress at its start)
	CallsSetUp      int   // calls whose INVITE is in the capture
	TLSConnections  int
	TransactionsBg  int     // OPTIONS and REGISTER transactions
	CaptureSeconds  float64 // capture time covered
	MaxLiveCalls    int     // most calls in progress at once
	ProfileSelected string
}

// Generate writes a capture per cfg to w and returns its size in bytes.
func Generate(w io.Writer, cfg Config) (int64, error) {
	st, err := GenerateStats(w, cfg)
	return st.Bytes, err
}

// GenerateStats is [Generate], returning what the capture holds.
func GenerateStats(w io.Writer, cfg Config) (Stats, error) {
	g := &gen{cfg: cfg, w: bufio.NewWriterSize(w, 1<<20), r: rng{s: cfg.Seed*2654435761 + 88172645463325252},
		clock: 1_700_000_000 * 1e9, pkt: make([]byte, 0, 2048), pay: make([]byte, 2048)}
	g.header()
	switch cfg.Profile {
	case ProfileTrunk:
		g.st.ProfileSelected = ProfileTrunk
		newTrunk(g).run()
	default:
		g.st.ProfileSelected = ProfileMedia
		g.mediaHeavy()
	}
	g.st.Bytes = g.n
	return g.st, g.w.Flush()
}

type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s ^= r.s << 13
	r.s ^= r.s >> 7
	r.s ^= r.s << 17
	return r.s
}

func (r *rng) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.next()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a uniform value in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// exp returns an exponentially distributed value with the given mean.
func (r *rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float()) }

// gen is the writer state shared by the profiles.
type gen struct {
	cfg   Config
	w     *bufio.Writer
	n     int64
	r     rng
	clock int64 // ns
	pkt   []byte
	pay   []byte
	st    Stats
	// media-heavy
	ids     int
	calls   []*call
	tlsMark int
}

// link is how a packet is framed below IP.
type link struct {
	v6   bool
	vlan uint16 // 802.1Q VLAN ID; 0: untagged
	sll  bool   // pcapng: on the Linux cooked (SLL2) interface
}

func (g *gen) udp(l link, src, dst [16]byte, sp, dp uint16, payload []byte) {
	l4 := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(l4, sp)
	binary.BigEndian.PutUint16(l4[2:], dp)
	binary.BigEndian.PutUint16(l4[4:], uint16(8+len(payload)))
	g.ip(l, src, dst, 17, append(l4, payload...))
}

// tcpSeg writes one TCP segment; ack 0 leaves the ACK field empty.
func (g *gen) tcpSeg(l link, src, dst [16]byte, sp, dp uint16, seq, ack uint32, flags byte, payload []byte) {
	l4 := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(l4, sp)
	binary.BigEndian.PutUint16(l4[2:], dp)
	binary.BigEndian.PutUint32(l4[4:], seq)
	binary.BigEndian.PutUint32(l4[8:], ack)
	l4[12] = 5 << 4
	l4[13] = flags
	binary.BigEndian.PutUint16(l4[14:], 65535)
	g.ip(l, src, dst, 6, append(l4, payload...))
}

func (g *gen) ip(l link, src, dst [16]byte, proto byte, l4 []byte) {
	p := g.pkt[:0]
	ethType := uint16(0x0800)
	if l.v6 {
		ethType = 0x86dd
	}
	iface := 0
	if l.sll && g.cfg.PCAPNG {
		iface = 1
		// Linux cooked v2: protocol, reserved, ifindex, hatype, pkttype, halen, addr[8]
		p = binary.BigEndian.AppendUint16(p, ethType)
		p = append(p, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0, 1, 0, 0)
	} else {
		p = append(p, 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1)
		if l.vlan != 0 {
			p = append(p, 0x81, 0x00, byte(l.vlan>>8), byte(l.vlan))
		}
		p = binary.BigEndian.AppendUint16(p, ethType)
	}
	if l.v6 {
		p = append(p, 0x60, 0, 0, 0)
		p = binary.BigEndian.AppendUint16(p, uint16(len(l4)))
		p = append(p, proto, 64)
		p = append(p, src[:]...)
		p = append(p, dst[:]...)
	} else {
		h := len(p)
		p = append(p, 0x45, 0xb8)
		p = binary.BigEndian.AppendUint16(p, uint16(20+len(l4)))
		p = append(p, 0, 0, 0x40, 0, 64, proto, 0, 0)
		p = append(p, src[12:16]...)
		p = append(p, dst[12:16]...)
		var sum uint32
		for i := h; i < h+20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(p[i:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(p[h+10:], ^uint16(sum))
	}
	p = append(p, l4...)
	g.record(iface, p)
	g.pkt = p
}

func (g *gen) u32(b []byte, v uint32) []byte {
	if g.cfg.BigEndian && !g.cfg.PCAPNG {
		return binary.BigEndian.AppendUint32(b, v)
	}
	return binary.LittleEndian.AppendUint32(b, v)
}

func (g *gen) u16(b []byte, v uint16) []byte {
	if g.cfg.BigEndian && !g.cfg.PCAPNG {
		return binary.BigEndian.AppendUint16(b, v)
	}
	return binary.LittleEndian.AppendUint16(b, v)
}

func (g *gen) write(b []byte) {
	m, _ := g.w.Write(b)
	g.n += int64(m)
}

func (g *gen) header() {
	var h []byte
	if g.cfg.PCAPNG {
		// SHB
		h = g.u32(h, 0x0a0d0d0a)
		h = g.u32(h, 28)
		h = g.u32(h, 0x1a2b3c4d)
		h = g.u16(h, 1)
		h = g.u16(h, 0)
		h = append(h, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		h = g.u32(h, 28)
		// IDB 0: Ethernet, microseconds (default); IDB 1: Linux SLL2, ns.
		h = g.u32(h, 1)
		h = g.u32(h, 20)
		h = g.u16(h, 1)
		h = g.u16(h, 0)
		h = g.u32(h, 65535)
		h = g.u32(h, 20)
		h = g.u32(h, 1)
		h = g.u32(h, 28)
		h = g.u16(h, 276)
		h = g.u16(h, 0)
		h = g.u32(h, 65535)
		h = g.u16(h, 9) // if_tsresol
		h = g.u16(h, 1)
		h = append(h, 9, 0, 0, 0)
		h = g.u32(h, 28)
	} else {
		magic := uint32(0xa1b2c3d4)
		if g.cfg.Nanosecond {
			magic = 0xa1b23c4d
		}
		h = g.u32(h, magic)
		h = g.u16(h, 2)
		h = g.u16(h, 4)
		h = g.u32(h, 0)
		h = g.u32(h, 0)
		h = g.u32(h, 65535)
		h = g.u32(h, 1)
	}
	g.write(h)
}

func (g *gen) record(iface int, p []byte) {
	g.st.Packets++
	var h [28]byte
	if g.cfg.PCAPNG {
		units := uint64(g.clock / 1000)
		if iface == 1 {
			units = uint64(g.clock)
		}
		pad := (4 - len(p)%4) % 4
		total := uint32(32 + len(p) + pad)
		b := h[:0]
		b = g.u32(b, 6)
		b = g.u32(b, total)
		b = g.u32(b, uint32(iface))
		b = g.u32(b, uint32(units>>32))
		b = g.u32(b, uint32(units))
		b = g.u32(b, uint32(len(p)))
		b = g.u32(b, uint32(len(p)))
		g.write(b)
		g.write(p)
		g.write([]byte{0, 0, 0, 0}[:pad])
		g.write(g.u32(h[:0], total))
		return
	}
	frac := uint32(g.clock % 1e9 / 1e3)
	if g.cfg.Nanosecond {
		frac = uint32(g.clock % 1e9)
	}
	b := h[:0]
	b = g.u32(b, uint32(g.clock/1e9))
	b = g.u32(b, frac)
	b = g.u32(b, uint32(len(p)))
	b = g.u32(b, uint32(len(p)))
	g.write(b)
	g.write(p)
}
