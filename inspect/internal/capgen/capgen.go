// Package capgen writes deterministic, realistic VoIP captures of any size
// for benchmarks and tests: many concurrent G.711 calls signalled with SIP
// and SDP over UDP, most with SRTP (SDES a=crypto, random-looking payload
// plus a 10-byte tag), some in clear RTP, with RTCP/SRTCP, STUN binding
// requests, a DTLS ClientHello with use_srtp, SIP over TLS on 5061, 802.1Q
// tagged frames and IPv6 calls.
//
// The same Config always gives the same bytes. The SRTP here is not real
// encryption (the payload is pseudo-random bytes): it exercises the
// classifier and the reader, not the cipher.
package capgen

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
)

// Config describes the capture to write.
type Config struct {
	Size       int64  // stop after at least this many bytes (0: one round of calls)
	Seed       uint64 // PRNG seed
	PCAPNG     bool   // pcapng with two interfaces instead of pcap
	BigEndian  bool   // pcap: big-endian headers
	Nanosecond bool   // pcap: nanosecond timestamps
	Calls      int    // concurrent calls (default 64)
	CallLen    int    // RTP packets per direction per call (default 1500 = 30 s)
	ClearEvery int    // one call in ClearEvery is clear RTP (default 8)
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

type call struct {
	id       int
	v6       bool
	vlan     bool
	sll      bool // pcapng: captured on the Linux cooked interface
	srtp     bool
	a, b     [16]byte
	pa, pb   uint16
	ssrcA    uint32
	ssrcB    uint32
	seq      uint16
	ts       uint32
	sent     int
	rtcpIdx  uint32
	setupOut int // signalling steps done
}

// Writer state.
type gen struct {
	cfg     Config
	w       *bufio.Writer
	n       int64
	r       rng
	clock   int64 // ns
	pkt     []byte
	pay     []byte
	ids     int
	calls   []*call
	tlsMark int
}

// Generate writes a capture per cfg to w.
func Generate(w io.Writer, cfg Config) (int64, error) {
	if cfg.Calls <= 0 {
		cfg.Calls = 64
	}
	if cfg.CallLen <= 0 {
		cfg.CallLen = 1500
	}
	if cfg.ClearEvery <= 0 {
		cfg.ClearEvery = 8
	}
	g := &gen{cfg: cfg, w: bufio.NewWriterSize(w, 1<<20), r: rng{s: cfg.Seed*2654435761 + 88172645463325252},
		clock: 1_700_000_000 * 1e9, pkt: make([]byte, 0, 2048), pay: make([]byte, 2048)}
	g.header()
	for i := 0; i < cfg.Calls; i++ {
		g.calls = append(g.calls, g.newCall())
	}
	g.tlsSession()
	round := 0
	for {
		for i, c := range g.calls {
			if c.setupOut < 3 {
				g.signal(c)
				continue
			}
			g.media(c)
			if c.sent >= cfg.CallLen {
				g.bye(c)
				g.calls[i] = g.newCall()
				if cfg.Size == 0 && i == len(g.calls)-1 {
					round++
				}
			}
		}
		g.clock += 20e6 / int64(len(g.calls)+1)
		if cfg.Size > 0 && g.n >= cfg.Size || cfg.Size == 0 && round > 0 {
			break
		}
		if g.ids/97 != g.tlsMark {
			g.tlsMark = g.ids / 97
			g.tlsSession()
		}
	}
	return g.n, g.w.Flush()
}

func (g *gen) newCall() *call {
	g.ids++
	id := g.ids
	c := &call{id: id, v6: id%5 == 0, vlan: id%4 == 1, sll: g.cfg.PCAPNG && id%6 == 3, srtp: id%g.cfg.ClearEvery != 0,
		pa: uint16(60000 + (id*2)%4000), pb: uint16(40000 + (id*2)%8000),
		ssrcA: uint32(g.r.next()), ssrcB: uint32(g.r.next()), seq: uint16(g.r.next())}
	if c.v6 {
		c.a = [16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(id >> 8), 15: byte(id)}
		c.b = [16]byte{0x20, 0x01, 0x0d, 0xb8, 5: 1, 14: byte(id >> 8), 15: byte(id)}
	} else {
		c.a = [16]byte{10: 0xff, 11: 0xff, 12: 10, 13: 1, 14: byte(id >> 8), 15: byte(id)}
		c.b = [16]byte{10: 0xff, 11: 0xff, 12: 10, 13: 2, 14: byte(id >> 8), 15: byte(id)}
	}
	return c
}

func (g *gen) sdp(c *call, addr [16]byte, port uint16) string {
	ip, fam := fmt.Sprintf("%d.%d.%d.%d", addr[12], addr[13], addr[14], addr[15]), "IP4"
	if c.v6 {
		ip, fam = fmt.Sprintf("2001:db8:%x::%x", addr[5], uint16(addr[14])<<8|uint16(addr[15])), "IP6"
	}
	prof := "RTP/AVP"
	crypto := ""
	if c.srtp {
		prof = "RTP/SAVP"
		key := make([]byte, 30)
		g.r.fill(key)
		crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + base64.StdEncoding.EncodeToString(key) + "|2^31\r\n"
	}
	return fmt.Sprintf("v=0\r\no=- %d 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %d %s 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n%sa=rtcp-mux\r\na=sendrecv\r\n",
		c.id, fam, ip, fam, ip, port, prof, crypto)
}

func (g *gen) sip(c *call, fromA bool, first, cseq, body string) {
	src, dst := c.a, c.b
	if !fromA {
		src, dst = dst, src
	}
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
	}
	msg := fmt.Sprintf("%s\r\nVia: SIP/2.0/UDP gw%d.example.net:5060;branch=z9hG4bK%x\r\nFrom: <sip:%d@gw.example.net>;tag=a%d\r\nTo: <sip:um@um.example.net>;tag=b%d\r\nCall-ID: call-%d@gw.example.net\r\nCSeq: %s\r\nMax-Forwards: 70\r\n%sContent-Length: %d\r\n\r\n%s",
		first, c.id, g.r.next(), c.id, c.id, c.id, c.id, cseq, ct, len(body), body)
	g.udp(c, src, dst, 5060, 5060, []byte(msg))
}

func (g *gen) signal(c *call) {
	switch c.setupOut {
	case 0:
		g.sip(c, true, fmt.Sprintf("INVITE sip:um@um.example.net SIP/2.0"), "1 INVITE", g.sdp(c, c.a, c.pa))
		// ICE-style STUN binding request and, for one call in 16, a DTLS hello.
		stun := make([]byte, 20)
		binary.BigEndian.PutUint16(stun, 0x0001)
		binary.BigEndian.PutUint32(stun[4:], 0x2112A442)
		g.r.fill(stun[8:20])
		g.udp(c, c.a, c.b, c.pa, c.pb, stun)
		if c.id%16 == 0 {
			g.udp(c, c.a, c.b, c.pa, c.pb, dtlsClientHello())
		}
	case 1:
		g.sip(c, false, "SIP/2.0 200 OK", "1 INVITE", g.sdp(c, c.b, c.pb))
	case 2:
		g.sip(c, true, "ACK sip:um@um.example.net SIP/2.0", "1 ACK", "")
	}
	c.setupOut++
}

func (g *gen) bye(c *call) {
	g.sip(c, true, "BYE sip:um@um.example.net SIP/2.0", "2 BYE", "")
	g.sip(c, false, "SIP/2.0 200 OK", "2 BYE", "")
}

func (g *gen) media(c *call) {
	for dir := 0; dir < 2; dir++ {
		p := g.pay[:0]
		ssrc, src, dst, sp, dp := c.ssrcA, c.a, c.b, c.pa, c.pb
		if dir == 1 {
			ssrc, src, dst, sp, dp = c.ssrcB, c.b, c.a, c.pb, c.pa
		}
		if c.sent%250 == 249 {
			// RTCP receiver report + SDES, or SRTCP with E|index and tag.
			p = append(p, 0x81, 201, 0, 7)
			p = binary.BigEndian.AppendUint32(p, ssrc)
			p = append(p, make([]byte, 24)...)
			p = append(p, 0x81, 202, 0, 3)
			p = binary.BigEndian.AppendUint32(p, ssrc)
			p = append(p, 1, 4, 'u', 'm', '0', '1', 0, 0)
			if c.srtp {
				g.r.fill(p[8:])
				c.rtcpIdx++
				p = binary.BigEndian.AppendUint32(p, 0x80000000|c.rtcpIdx)
				p = append(p, make([]byte, 10)...)
				g.r.fill(p[len(p)-10:])
			}
			g.udp(c, src, dst, sp, dp, p)
			p = g.pay[:0]
		}
		p = append(p, 0x80, 0)
		p = binary.BigEndian.AppendUint16(p, c.seq)
		p = binary.BigEndian.AppendUint32(p, c.ts)
		p = binary.BigEndian.AppendUint32(p, ssrc)
		payload := p[len(p) : len(p)+160]
		if c.srtp {
			g.r.fill(payload)
			p = p[:len(p)+170] // payload + 10-byte tag
			g.r.fill(p[len(p)-10:])
		} else {
			// µ-law speech-like samples: a few values around silence.
			v := g.r.next()
			for i := range payload {
				if i%8 == 0 {
					v = g.r.next()
				}
				payload[i] = 0xf0 | byte(v>>(i%8*4))&0x0f
			}
			p = p[:len(p)+160]
		}
		g.udp(c, src, dst, sp, dp, p)
	}
	c.seq++
	c.ts += 160
	c.sent++
}

// dtlsClientHello is a DTLS 1.2 ClientHello offering use_srtp.
func dtlsClientHello() []byte {
	body := []byte{0xfe, 0xfd}
	body = append(body, make([]byte, 32)...)  // random
	body = append(body, 0)                    // session id
	body = append(body, 0)                    // cookie
	body = append(body, 0, 2, 0xc0, 0x2b)     // one suite
	body = append(body, 1, 0)                 // compression
	ext := []byte{0, 14, 0, 5, 0, 2, 0, 1, 0} // use_srtp: SRTP_AES128_CM_HMAC_SHA1_80, no MKI
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{1, 0, byte(len(body) >> 8), byte(len(body)), 0, 0, 0, 0, 0, 0, byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, byte(len(hs) >> 8), byte(len(hs))}
	return append(rec, hs...)
}

// tlsSession writes a TLS 1.2 handshake on 5061 without a client
// certificate request: ClientHello, ServerHello + ServerHelloDone, then
// application data.
func (g *gen) tlsSession() {
	c := g.newCall()
	c.pa, c.pb = uint16(50000+g.ids%10000), 5061
	g.ids--
	ch := []byte{1, 0, 0, 0, 3, 3}
	ch = append(ch, make([]byte, 32)...)
	ch = append(ch, 0, 0, 4, 0xc0, 0x2f, 0xc0, 0x30, 1, 0)
	ch = append(ch, 0, 0)
	ch[3] = byte(len(ch) - 4)
	sh := []byte{2, 0, 0, 0, 3, 3}
	sh = append(sh, make([]byte, 32)...)
	sh = append(sh, 0, 0xc0, 0x2f, 0, 0, 0)
	sh[3] = byte(len(sh) - 4)
	sh = append(sh, 14, 0, 0, 0) // ServerHelloDone
	rec := func(typ byte, b []byte) []byte {
		return append([]byte{typ, 3, 3, byte(len(b) >> 8), byte(len(b))}, b...)
	}
	var seqA, seqB uint32 = 1000, 9000
	g.tcp(c, true, seqA, 0x02, nil)
	g.tcp(c, false, seqB, 0x12, nil)
	seqA++
	seqB++
	r := rec(22, ch)
	g.tcp(c, true, seqA, 0x18, r)
	seqA += uint32(len(r))
	r = rec(22, sh)
	g.tcp(c, false, seqB, 0x18, r)
	seqB += uint32(len(r))
	app := make([]byte, 300)
	g.r.fill(app)
	for i := 0; i < 4; i++ {
		r = rec(23, app)
		g.tcp(c, i%2 == 0, map[bool]uint32{true: seqA, false: seqB}[i%2 == 0], 0x18, r)
		if i%2 == 0 {
			seqA += uint32(len(r))
		} else {
			seqB += uint32(len(r))
		}
	}
}

func (g *gen) udp(c *call, src, dst [16]byte, sp, dp uint16, payload []byte) {
	l4 := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(l4, sp)
	binary.BigEndian.PutUint16(l4[2:], dp)
	binary.BigEndian.PutUint16(l4[4:], uint16(8+len(payload)))
	g.ip(c, src, dst, 17, append(l4, payload...))
}

func (g *gen) tcp(c *call, fromA bool, seq uint32, flags byte, payload []byte) {
	src, dst, sp, dp := c.a, c.b, c.pa, c.pb
	if !fromA {
		src, dst, sp, dp = c.b, c.a, c.pb, c.pa
	}
	l4 := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(l4, sp)
	binary.BigEndian.PutUint16(l4[2:], dp)
	binary.BigEndian.PutUint32(l4[4:], seq)
	l4[12] = 5 << 4
	l4[13] = flags
	binary.BigEndian.PutUint16(l4[14:], 65535)
	g.ip(c, src, dst, 6, append(l4, payload...))
}

func (g *gen) ip(c *call, src, dst [16]byte, proto byte, l4 []byte) {
	p := g.pkt[:0]
	ethType := uint16(0x0800)
	if c.v6 {
		ethType = 0x86dd
	}
	iface := 0
	if c.sll {
		iface = 1
		// Linux cooked v2: protocol, reserved, ifindex, hatype, pkttype, halen, addr[8]
		p = binary.BigEndian.AppendUint16(p, ethType)
		p = append(p, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0, 1, 0, 0)
	} else {
		p = append(p, 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1)
		if c.vlan {
			p = append(p, 0x81, 0x00, 0, byte(100+c.id%50))
		}
		p = binary.BigEndian.AppendUint16(p, ethType)
	}
	if c.v6 {
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
