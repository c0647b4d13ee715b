package capgen

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

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

// mediaHeavy writes the media-heavy profile: Calls concurrent calls of
// CallLen packets per direction, replaced as they end, round-robin.
func (g *gen) mediaHeavy() {
	cfg := &g.cfg
	start := g.clock
	defer func() { g.st.CaptureSeconds = float64(g.clock-start) / 1e9 }()
	if cfg.Calls <= 0 {
		cfg.Calls = 64
	}
	if cfg.CallLen <= 0 {
		cfg.CallLen = 1500
	}
	if cfg.ClearEvery <= 0 {
		cfg.ClearEvery = 8
	}
	g.st.MaxLiveCalls = cfg.Calls
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
}

func (g *gen) newCall() *call {
	g.ids++
	g.st.Calls++
	g.st.CallsSetUp++
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
	g.udp(c.link(), src, dst, 5060, 5060, []byte(msg))
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
		g.st.MediaPackets++
		g.udp(c.link(), c.a, c.b, c.pa, c.pb, stun)
		if c.id%16 == 0 {
			g.st.MediaPackets++
			g.udp(c.link(), c.a, c.b, c.pa, c.pb, dtlsClientHello())
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
			g.st.MediaPackets++
			g.udp(c.link(), src, dst, sp, dp, p)
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
		g.st.MediaPackets++
		g.udp(c.link(), src, dst, sp, dp, p)
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
	g.st.TLSConnections++
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
	g.tcpOld(c, true, seqA, 0x02, nil)
	g.tcpOld(c, false, seqB, 0x12, nil)
	seqA++
	seqB++
	r := rec(22, ch)
	g.tcpOld(c, true, seqA, 0x18, r)
	seqA += uint32(len(r))
	r = rec(22, sh)
	g.tcpOld(c, false, seqB, 0x18, r)
	seqB += uint32(len(r))
	app := make([]byte, 300)
	g.r.fill(app)
	for i := 0; i < 4; i++ {
		r = rec(23, app)
		g.tcpOld(c, i%2 == 0, map[bool]uint32{true: seqA, false: seqB}[i%2 == 0], 0x18, r)
		if i%2 == 0 {
			seqA += uint32(len(r))
		} else {
			seqB += uint32(len(r))
		}
	}
}

func (c *call) link() link {
	l := link{v6: c.v6, sll: c.sll}
	if c.vlan {
		l.vlan = uint16(100 + c.id%50)
	}
	return l
}

// tcpOld writes a segment of the media-heavy profile's TLS session, from A
// when fromA.
func (g *gen) tcpOld(c *call, fromA bool, seq uint32, flags byte, payload []byte) {
	src, dst, sp, dp := c.a, c.b, c.pa, c.pb
	if !fromA {
		src, dst, sp, dp = c.b, c.a, c.pb, c.pa
	}
	g.tcpSeg(c.link(), src, dst, sp, dp, seq, 0, flags, payload)
}
