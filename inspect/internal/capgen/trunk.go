package capgen

import (
	"container/heap"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// The trunk profile (ProfileTrunk): a Mediation Server's two edges and the
// peers around them, over time.
//
// Calls: Config.Calls concurrent calls (default 600) with exponentially
// distributed durations (mean Config.MeanCallSeconds, default 90 s) and
// Poisson arrivals at Calls/mean per second, so the number in progress
// stays about Calls. The capture starts in the steady state: the calls in
// progress at its start have no setup in it. Half the calls run between a
// PSTN gateway (gw01, gw02, sbc01) and the Mediation Server's gateway edge,
// 35 % between a front end and its internal edge (media to clients), 15 %
// between a front end and Exchange UM.
//
// Signalling: each call is SIP over UDP (55 %), TCP (15 %) or TLS on 5061
// (30 %, one connection per call). A background of OPTIONS keep-alives
// between the servers and REGISTERs from clients, in the same transport
// mix, each TLS one on a short-lived connection of its own, brings
// signalling to Config.SignallingShare of the packets (default 10 %). TLS
// carries real X.509 chains (certs.go); the Mediation Server requires a
// client certificate (a foreign one gets a fatal unknown_ca, none a fatal
// handshake_failure), Exchange UM requests one and accepts none, the
// others do not ask: about 40 % of TLS connections see a
// CertificateRequest. sbc01 speaks only TLS 1.0; one client REGISTER in
// six uses TLS 1.3; 2 % of connections are reset by the client after the
// server's first flight.
//
// Media: G.711 at 20 ms, RTCP/SRTCP every 5 s. 35 % RTP/AVP, 35 % SDES
// RTP/SAVP, 10 % Microsoft style (RTP/AVP with a=crypto |2^31|1:1 and
// a=encryption:required, answered RTP/SAVP, so every packet carries a
// 1-byte MKI), 20 % DTLS-SRTP (UDP/TLS/RTP/SAVPF with ICE: STUN checks and
// consent refreshes, a DTLS handshake, rtcp-mux). 10 % of calls run over
// IPv6, 20 % are on a VLAN. Media ports come round-robin from each
// endpoint's range, so a 5-tuple is reused only long after its call.

const (
	tick         = 20_000_000 // ns between RTP packets of a stream
	rtcpInterval = 5_000_000_000
	stunInterval = 2_500_000_000
	realPackets  = 8 // SDES packets per stream encrypted for real
	mss          = 1448
)

const (
	trUDP = iota
	trTCP
	trTLS
)

const (
	mediaAVP = iota
	mediaSAVP
	mediaMS
	mediaDTLS
)

type host struct {
	name   string
	v4, v6 [16]byte
	cert   string // common name of its certificate; "" for none
	// as a TLS server
	certReq  int // 0 none, 1 optional, 2 required
	version  int
	suite    int
	nextPort int // media ports, round-robin
	portLo   int
	portN    int
}

func mkHost(name string, b, c, d byte) *host {
	h := &host{name: name, version: tlsV12, suite: 0xc030}
	h.v4 = [16]byte{10: 0xff, 11: 0xff, 12: 10, 13: b, 14: c, 15: d}
	h.v6 = [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, b, 0, c, 15: d}
	return h
}

func (h *host) addr(v6 bool) [16]byte {
	if v6 {
		return h.v6
	}
	return h.v4
}

// mediaPort returns the next RTP port of the host's range (even ports).
func (h *host) mediaPort() uint16 {
	p := h.portLo + 2*(h.nextPort%h.portN)
	h.nextPort++
	return uint16(p)
}

type conn struct {
	l          link
	cli, srv   [16]byte
	cp, sp     uint16
	cseq, sseq uint32
	tls        bool
	version    int
	srvHost    *host
	count      *int64 // packets written, for background transactions
}

type tcall struct {
	id                 int
	callID, tagA, tagB string
	tr, media          int
	l                  link
	a, b               *host // signalling: A calls B
	sigA, sigB         [16]byte
	spA, spB           uint16
	medA, medB         [16]byte
	mpA, mpB           uint16
	pt                 uint8
	ssrc               [2]uint32
	seq                [2]uint16
	ts                 [2]uint32
	sent               [2]int
	rtcpIdx            [2]uint32
	key                [2][]byte
	ctx                [2]*srtp.Context
	phase              int64
	nextRTCP, nextSTUN int64
	mediaOn, ended     bool
	cn                 *conn
	cseq               int
	setUp              bool
	bg                 bool // a background transaction
}

type event struct {
	at  int64
	seq uint64
	fn  func()
}

type events []*event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if e[i].at != e[j].at {
		return e[i].at < e[j].at
	}
	return e[i].seq < e[j].seq
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(*event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

type trunk struct {
	g        *gen
	certs    *certSet
	start    int64
	stop     int64 // capture time to stop at (0: by size)
	ev       events
	evSeq    uint64
	active   []*tcall // media on, sorted by phase
	pending  []*tcall // media starting, merged after the tick
	live     int
	ids      int
	ephem    int
	mean     float64
	share    float64
	bgRate   float64 // background transactions per second
	bgPkts   int64   // packets written by background transactions
	bgCount  int64
	lastMed  int64
	lastPkts int64
	lastBg   int64

	gw01, gw02, sbc01, medExt, medInt, fe01, fe02, um01 *host
	clients                                             *host
	caNames                                             [][]byte
}

func newTrunk(g *gen) *trunk {
	cfg := &g.cfg
	if cfg.Calls <= 0 {
		cfg.Calls = 600
	}
	if cfg.MeanCallSeconds <= 0 {
		cfg.MeanCallSeconds = 90
	}
	if cfg.SignallingShare <= 0 || cfg.SignallingShare >= 1 {
		cfg.SignallingShare = 0.10
	}
	t := &trunk{g: g, certs: loadCerts(), start: g.clock, mean: cfg.MeanCallSeconds, share: cfg.SignallingShare}
	if cfg.Size == 0 && cfg.Seconds == 0 {
		cfg.Seconds = 10
	}
	if cfg.Seconds > 0 {
		t.stop = g.clock + int64(cfg.Seconds*1e9)
	}
	t.gw01 = mkHost("gw01.contoso.com", 20, 0, 1)
	t.gw02 = mkHost("gw02.contoso.com", 20, 0, 2)
	t.sbc01 = mkHost("sbc01.contoso.com", 20, 0, 3)
	t.medExt = mkHost("med01.contoso.com", 10, 1, 10)
	t.medInt = mkHost("med01.contoso.com", 10, 0, 10)
	t.fe01 = mkHost("fe01.contoso.com", 10, 0, 20)
	t.fe02 = mkHost("fe02.contoso.com", 10, 0, 21)
	t.um01 = mkHost("um01.contoso.com", 10, 0, 30)
	t.clients = mkHost("client", 30, 0, 0)
	for _, h := range []*host{t.gw01, t.gw02, t.sbc01} {
		h.cert, h.portLo, h.portN = "gw01.contoso.com", 20000, 5000
	}
	t.sbc01.cert, t.sbc01.version, t.sbc01.suite = "sbc01.contoso.com", tlsV10, 0x002f
	t.medExt.cert, t.medExt.certReq, t.medExt.portLo, t.medExt.portN = "med01.contoso.com", 2, 60000, 2000
	t.medInt.cert, t.medInt.certReq, t.medInt.portLo, t.medInt.portN = "med01.contoso.com", 2, 60000, 2000
	t.fe01.cert, t.fe02.cert = "fe01.contoso.com", "fe01.contoso.com"
	t.um01.cert, t.um01.certReq, t.um01.portLo, t.um01.portN = "um01.contoso.com", 1, 10000, 5000
	t.clients.portLo, t.clients.portN = 50000, 7000
	for _, der := range [][]byte{t.certs.byName["Contoso Root CA"], t.certs.byName["Contoso Issuing CA 01"]} {
		t.caNames = append(t.caNames, subjectOf(der))
	}
	return t
}

// subjectOf returns the DER subject of a certificate (the CertificateRequest
// CA names), found by walking the TBSCertificate.
func subjectOf(der []byte) []byte {
	// Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version, serial, sigalg, issuer, validity, subject ...
	elem := func(b []byte) (whole, content, rest []byte) {
		if len(b) < 2 {
			return nil, nil, nil
		}
		l, h := int(b[1]), 2
		if l&0x80 != 0 {
			n := l & 0x7f
			l = 0
			for i := 0; i < n; i++ {
				l = l<<8 | int(b[2+i])
			}
			h = 2 + n
		}
		return b[:h+l], b[h : h+l], b[h+l:]
	}
	_, cert, _ := elem(der)
	_, tbs, _ := elem(cert)
	rest := tbs
	var w []byte
	for i := 0; i < 6; i++ { // version, serial, signature, issuer, validity, subject
		w, _, rest = elem(rest)
	}
	return w
}

func (t *trunk) at(when int64, fn func()) {
	t.evSeq++
	heap.Push(&t.ev, &event{at: max(when, t.g.clock), seq: t.evSeq, fn: fn})
}

func (t *trunk) runEvents(until int64) {
	for len(t.ev) > 0 && t.ev[0].at <= until {
		e := heap.Pop(&t.ev).(*event)
		t.g.clock = e.at
		e.fn()
	}
}

func (t *trunk) done() bool {
	if t.g.cfg.Size > 0 && t.g.n >= t.g.cfg.Size {
		return true
	}
	return t.stop > 0 && t.g.clock >= t.stop
}

func (t *trunk) run() {
	g := t.g
	for range g.cfg.Calls {
		c := t.newCall()
		c.phase = int64(g.r.intn(tick/1000)) * 1000
		t.establishInProgress(c)
		t.active = append(t.active, c)
		end := g.clock + int64(g.r.exp(t.mean)*1e9)
		t.at(end, func() { t.hangUp(c) })
	}
	sort.Slice(t.active, func(i, j int) bool { return t.active[i].phase < t.active[j].phase })
	t.bgRate = 100 * float64(g.cfg.Calls) * t.share / (1 - t.share) / 8
	t.nextArrival()
	t.nextBackground()
	t.at(g.clock+1e9, t.retune)
	now := g.clock
	for !t.done() {
		for _, c := range t.active {
			at := now + c.phase
			t.runEvents(at)
			if t.done() {
				break
			}
			if c.mediaOn && !c.ended {
				g.clock = at
				t.mediaTick(c)
			}
		}
		if t.done() {
			break
		}
		now += tick
		t.runEvents(now - 1)
		t.mergeActive()
		g.st.MaxLiveCalls = max(g.st.MaxLiveCalls, t.live)
	}
	g.st.CaptureSeconds = float64(g.clock-t.start) / 1e9
}

// mergeActive drops ended calls and adds the ones whose media started.
func (t *trunk) mergeActive() {
	keep := t.active[:0]
	for _, c := range t.active {
		if !c.ended {
			keep = append(keep, c)
		}
	}
	t.active = keep
	if len(t.pending) == 0 {
		return
	}
	for _, c := range t.pending {
		if c.ended {
			continue
		}
		i := sort.Search(len(t.active), func(i int) bool { return t.active[i].phase > c.phase })
		t.active = append(t.active, nil)
		copy(t.active[i+1:], t.active[i:])
		t.active[i] = c
	}
	t.pending = t.pending[:0]
}

// retune sets the background rate each second so that signalling stays
// near its share of the packets.
func (t *trunk) retune() {
	g := t.g
	med := g.st.MediaPackets - t.lastMed
	sig := g.st.Packets - t.lastPkts - med
	bg := t.bgPkts - t.lastBg
	t.lastMed, t.lastPkts, t.lastBg = g.st.MediaPackets, g.st.Packets, t.bgPkts
	per := 8.0
	if t.bgCount > 0 {
		per = float64(t.bgPkts) / float64(t.bgCount)
	}
	want := float64(med)*t.share/(1-t.share) - float64(sig-bg)
	t.bgRate = max(want/per, 1)
	t.at(g.clock+1e9, t.retune)
}

func (t *trunk) nextArrival() {
	rate := float64(t.g.cfg.Calls) / t.mean
	t.at(t.g.clock+int64(t.g.r.exp(1/rate)*1e9), func() {
		t.setUp(t.newCall())
		t.nextArrival()
	})
}

func (t *trunk) nextBackground() {
	t.at(t.g.clock+int64(t.g.r.exp(1/t.bgRate)*1e9), func() {
		t.background()
		t.nextBackground()
	})
}

func (t *trunk) pick(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := t.g.r.intn(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func (t *trunk) hex(n int) string {
	b := t.g.random((n + 1) / 2)
	return fmt.Sprintf("%x", b)[:n]
}

func (t *trunk) newCall() *tcall {
	g := t.g
	t.ids++
	t.live++
	g.st.Calls++
	c := &tcall{id: t.ids, tr: t.pick(55, 15, 30), media: t.pick(35, 35, 10, 20), pt: 0}
	c.callID = t.hex(24) + "@" + "contoso.com"
	c.tagA, c.tagB = t.hex(10), t.hex(10)
	c.l.v6 = g.r.intn(10) == 0
	if g.r.intn(5) == 0 {
		c.l.vlan = uint16(20 + g.r.intn(3))
	}
	switch t.pick(50, 35, 15) {
	case 0:
		c.a = []*host{t.gw01, t.gw02, t.sbc01}[t.pick(60, 30, 10)]
		c.b = t.medExt
		c.medA, c.mpA = c.a.addr(c.l.v6), c.a.mediaPort()
		c.medB, c.mpB = c.b.addr(c.l.v6), c.b.mediaPort()
		if c.a == t.gw02 {
			c.pt = 8
		}
	case 1:
		c.a = []*host{t.fe01, t.fe02}[g.r.intn(2)]
		c.b = t.medInt
		c.medA, c.mpA = t.client(c.id, c.l.v6), t.clients.mediaPort()
		c.medB, c.mpB = c.b.addr(c.l.v6), c.b.mediaPort()
	default:
		c.a, c.b = t.fe01, t.um01
		c.medA, c.mpA = t.client(c.id, c.l.v6), t.clients.mediaPort()
		c.medB, c.mpB = c.b.addr(c.l.v6), c.b.mediaPort()
	}
	if c.tr == trTLS && c.b.version == tlsV10 {
		c.tr = trTCP
	}
	c.sigA, c.sigB = c.a.addr(c.l.v6), c.b.addr(c.l.v6)
	c.spA, c.spB = 5060, 5060
	for i := range 2 {
		c.ssrc[i] = uint32(g.r.next())
		c.seq[i] = uint16(g.r.next())
		c.ts[i] = uint32(g.r.next())
		c.key[i] = g.random(30)
	}
	return c
}

func (t *trunk) client(id int, v6 bool) [16]byte {
	a := t.clients.addr(v6)
	n := id % 50000
	a[14], a[15] = byte(1+n/250), byte(1+n%250)
	if v6 {
		a[13] = byte(n >> 8)
	}
	return a
}

// connect opens the TCP (and TLS) connection a call or transaction uses.
// It returns the time the first SIP byte can be sent.
func (t *trunk) connect(l link, cli, srv *host, cliAddr [16]byte, tlsOn bool, inProgress bool, clientCert int, count *int64) (*conn, int64, bool) {
	g := t.g
	t.ephem++
	cn := &conn{l: l, cli: cliAddr, srv: srv.addr(l.v6), cp: uint16(32768 + t.ephem%28000), sp: 5060, tls: tlsOn,
		version: srv.version, srvHost: srv, cseq: uint32(g.r.next()), sseq: uint32(g.r.next()), count: count}
	if tlsOn {
		cn.sp = 5061
		g.st.TLSConnections++
	}
	if inProgress {
		return cn, g.clock, true
	}
	cn.seg(g, true, 0x02, nil)
	cn.cseq++
	t.at(g.clock+400_000, func() { cn.seg(g, false, 0x12, nil); cn.sseq++ })
	t.at(g.clock+800_000, func() { cn.seg(g, true, 0x10, nil) })
	if !tlsOn {
		return cn, g.clock + 1_000_000, true
	}
	return cn, g.clock + 8_000_000, t.tlsHandshake(cn, cli, clientCert)
}

// tlsHandshake schedules a full handshake on cn starting 1 ms from now
// and reports whether it completes (the caller's SIP can follow).
func (t *trunk) tlsHandshake(cn *conn, cli *host, clientCert int) bool {
	g := t.g
	now := g.clock
	v, srv := cn.version, cn.srvHost
	if cli == t.clients && v == tlsV12 && g.r.intn(6) == 0 {
		v = tlsV13
		cn.version = tlsV13
	}
	recV := min(v, tlsV12)
	ch := t.g.clientHello(v, srv.name)
	t.at(now+1_000_000, func() { cn.send(g, true, tlsRecord(nil, 22, tlsV10, ch)) })
	if v == tlsV13 {
		sh := g.serverHello(v, 0x1302)
		flight := tlsRecord(nil, 22, tlsV12, sh)
		flight = tlsRecord(flight, 20, tlsV12, []byte{1})
		flight = tlsRecord(flight, 23, tlsV12, g.random(2900)) // EE, Certificate, CV, Finished
		t.at(now+3_000_000, func() { cn.send(g, false, flight) })
		cf := tlsRecord(tlsRecord(nil, 20, tlsV12, []byte{1}), 23, tlsV12, g.random(53))
		t.at(now+5_000_000, func() { cn.send(g, true, cf) })
		return true
	}
	suite := srv.suite
	hs := g.serverHello(v, suite)
	hs = append(hs, certificateMsg(t.certs.chain(srv.cert))...)
	if suite != 0x002f {
		hs = append(hs, g.serverKeyExchange(v)...)
	}
	if srv.certReq > 0 {
		hs = append(hs, certificateRequest(v, t.caNames)...)
	}
	hs = append(hs, handshake(nil, 14, nil)...)
	t.at(now+3_000_000, func() { cn.send(g, false, tlsRecord(nil, 22, recV, hs)) })
	if g.r.intn(50) == 0 { // the client gives up: reset
		t.at(now+4_000_000, func() { cn.seg(g, true, 0x14, nil) })
		return false
	}
	var cf []byte
	sentCert := 0
	if srv.certReq > 0 {
		switch {
		case clientCert == 1 && cli.cert != "":
			cf = append(cf, certificateMsg(t.certs.chain(cli.cert))...)
			sentCert = 1
		case clientCert == 2:
			cf = append(cf, certificateMsg(t.certs.chain("gw.fabrikam.com"))...)
			sentCert = 2
		default:
			cf = append(cf, certificateMsg(nil)...)
		}
	}
	cf = append(cf, g.clientKeyExchange(suite)...)
	if sentCert > 0 {
		cf = append(cf, g.certificateVerify(v)...)
	}
	flight := tlsRecord(nil, 22, recV, cf)
	flight = tlsRecord(flight, 20, recV, []byte{1})
	flight = tlsRecord(flight, 22, recV, g.random(40)) // Finished, encrypted
	t.at(now+5_000_000, func() { cn.send(g, true, flight) })
	refuse := byte(0)
	switch {
	case sentCert == 2:
		refuse = 48 // unknown_ca
	case sentCert == 0 && srv.certReq == 2:
		refuse = 40 // handshake_failure
	}
	if refuse != 0 {
		t.at(now+7_000_000, func() {
			cn.send(g, false, tlsRecord(nil, 21, recV, []byte{2, refuse}))
			cn.seg(g, false, 0x11, nil)
			cn.sseq++
		})
		t.at(now+7_400_000, func() { cn.seg(g, true, 0x11, nil); cn.cseq++ })
		return false
	}
	t.at(now+7_000_000, func() {
		cn.send(g, false, tlsRecord(tlsRecord(nil, 20, recV, []byte{1}), 22, recV, g.random(40)))
	})
	return true
}

// seg writes one segment of cn from the client (fromCli) or the server.
func (cn *conn) seg(g *gen, fromCli bool, flags byte, payload []byte) {
	if cn.count != nil {
		*cn.count++
	}
	if fromCli {
		g.tcpSeg(cn.l, cn.cli, cn.srv, cn.cp, cn.sp, cn.cseq, cn.sseq, flags, payload)
		return
	}
	g.tcpSeg(cn.l, cn.srv, cn.cli, cn.sp, cn.cp, cn.sseq, cn.cseq, flags, payload)
}

// send writes data as MSS-sized segments, and the peer's ACK.
func (cn *conn) send(g *gen, fromCli bool, data []byte) {
	for len(data) > 0 {
		n := min(len(data), mss)
		cn.seg(g, fromCli, 0x18, data[:n])
		if fromCli {
			cn.cseq += uint32(n)
		} else {
			cn.sseq += uint32(n)
		}
		data = data[n:]
	}
	cn.seg(g, !fromCli, 0x10, nil)
}

// sip sends a SIP message on the call's transport.
func (t *trunk) sip(c *tcall, fromA bool, msg string) {
	g := t.g
	switch {
	case c.cn == nil:
		if c.bg {
			t.bgPkts++
		}
		src, dst, sp, dp := c.sigA, c.sigB, c.spA, c.spB
		if !fromA {
			src, dst, sp, dp = dst, src, dp, sp
		}
		g.udp(c.l, src, dst, sp, dp, []byte(msg))
	case c.cn.tls:
		c.cn.send(g, fromA, tlsRecord(nil, 23, min(c.cn.version, tlsV12), g.random(len(msg)+24)))
	default:
		c.cn.send(g, fromA, []byte(msg))
	}
}

func (t *trunk) transportName(c *tcall) (string, string) {
	switch c.tr {
	case trTCP:
		return "TCP", "tcp"
	case trTLS:
		return "TLS", "tls"
	}
	return "UDP", "udp"
}

func ipString(a [16]byte, v6 bool) string {
	if v6 {
		var parts []string
		for i := 0; i < 16; i += 2 {
			parts = append(parts, fmt.Sprintf("%x", uint16(a[i])<<8|uint16(a[i+1])))
		}
		return strings.Join(parts, ":")
	}
	return fmt.Sprintf("%d.%d.%d.%d", a[12], a[13], a[14], a[15])
}

func (t *trunk) request(c *tcall, fromA bool, method string, cseq int, body string) string {
	up, low := t.transportName(c)
	from, to := c.a, c.b
	fromTag, toTag := c.tagA, c.tagB
	src := c.sigA
	if !fromA {
		from, to, fromTag, toTag, src = c.b, c.a, c.tagB, c.tagA, c.sigB
	}
	toPart := ""
	if method != "INVITE" || c.setUp {
		toPart = ";tag=" + toTag
	}
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
	}
	return fmt.Sprintf("%s sip:+1425555%04d@%s:5061;transport=%s SIP/2.0\r\n"+
		"Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"+
		"From: <sip:+1206555%04d@%s;user=phone>;tag=%s\r\nTo: <sip:+1425555%04d@%s;user=phone>%s\r\n"+
		"Call-ID: %s\r\nCSeq: %d %s\r\nContact: <sip:%s:5060;transport=%s>\r\n"+
		"User-Agent: RTCC/3.5.0.0 MediationServer\r\nSupported: timer, replaces, ms-safe-transfer\r\n"+
		"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, REFER\r\n%sContent-Length: %d\r\n\r\n%s",
		method, c.id%10000, to.name, low, up, ipString(src, c.l.v6), t.hex(16), c.id%10000, from.name, fromTag,
		c.id%10000, to.name, toPart, c.callID, cseq, method, ipString(src, c.l.v6), low, ct, len(body), body)
}

func (t *trunk) response(c *tcall, fromA bool, status int, reason, method string, cseq int, body string) string {
	up, _ := t.transportName(c)
	caller, callee := c.a, c.b
	src := c.sigB
	if fromA {
		src = c.sigA
	}
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
	}
	return fmt.Sprintf("SIP/2.0 %d %s\r\nVia: SIP/2.0/%s %s:5060;branch=z9hG4bK%s\r\n"+
		"From: <sip:+1206555%04d@%s;user=phone>;tag=%s\r\nTo: <sip:+1425555%04d@%s;user=phone>;tag=%s\r\n"+
		"Call-ID: %s\r\nCSeq: %d %s\r\nServer: RTCC/3.5.0.0\r\n%sContent-Length: %d\r\n\r\n%s",
		status, reason, up, ipString(src, c.l.v6), t.hex(16), c.id%10000, caller.name, c.tagA, c.id%10000,
		callee.name, c.tagB, c.callID, cseq, method, ct, len(body), body)
}

// sdp is side's session description (0 offer from A, 1 answer from B).
func (t *trunk) sdp(c *tcall, side int) string {
	addr, port := c.medA, c.mpA
	if side == 1 {
		addr, port = c.medB, c.mpB
	}
	fam := "IP4"
	if c.l.v6 {
		fam = "IP6"
	}
	ip := ipString(addr, c.l.v6)
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- %d 1 IN %s %s\r\ns=session\r\nc=IN %s %s\r\nb=CT:99980\r\nt=0 0\r\n", c.id*2+side, fam, ip, fam, ip)
	key := base64.StdEncoding.EncodeToString(c.key[side])
	codec := "a=rtpmap:0 PCMU/8000\r\n"
	fmts := "0 101"
	if c.pt == 8 {
		codec, fmts = "a=rtpmap:8 PCMA/8000\r\n", "8 101"
	}
	switch c.media {
	case mediaAVP:
		fmt.Fprintf(&b, "m=audio %d RTP/AVP %s\r\n%s", port, fmts, codec)
	case mediaSAVP:
		fmt.Fprintf(&b, "m=audio %d RTP/SAVP %s\r\n%sa=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31\r\n", port, fmts, codec, key)
	case mediaMS:
		if side == 0 {
			fmt.Fprintf(&b, "m=audio %d RTP/AVP %s\r\n%sa=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31|1:1\r\na=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31\r\na=encryption:required\r\n",
				port, fmts, codec, key, key)
		} else {
			fmt.Fprintf(&b, "m=audio %d RTP/SAVP %s\r\n%sa=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31|1:1\r\n", port, fmts, codec, key)
		}
	case mediaDTLS:
		fp := make([]string, 32)
		for i, x := range c.key[side][:30] {
			fp[i] = fmt.Sprintf("%02X", x)
		}
		fp[30], fp[31] = "0A", "B1"
		setup := "actpass"
		if side == 1 {
			setup = "active"
		}
		fmt.Fprintf(&b, "m=audio %d UDP/TLS/RTP/SAVPF %s\r\n%sa=fingerprint:sha-256 %s\r\na=setup:%s\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=candidate:1 1 UDP 2130706431 %s %d typ host\r\na=rtcp-mux\r\n",
			port, fmts, codec, strings.Join(fp, ":"), setup, t.hex(8), t.hex(24), ip, port)
	}
	b.WriteString("a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n")
	return b.String()
}

// establishInProgress makes c a call already in progress at the start of
// the capture: media flowing, no setup in the capture.
func (t *trunk) establishInProgress(c *tcall) {
	if c.tr != trUDP {
		c.cn, _, _ = t.connect(c.l, c.a, c.b, c.sigA, c.tr == trTLS, true, 1, nil)
	}
	c.setUp = true
	c.mediaOn = true
	g := t.g
	c.nextRTCP = g.clock + int64(g.r.intn(rtcpInterval))
	c.nextSTUN = g.clock + int64(g.r.intn(stunInterval))
}

// setUp runs a call from INVITE to media.
func (t *trunk) setUp(c *tcall) {
	g := t.g
	g.st.CallsSetUp++
	start := g.clock
	if c.tr != trUDP {
		var ok bool
		c.cn, start, ok = t.connect(c.l, c.a, c.b, c.sigA, c.tr == trTLS, false, 1, nil)
		if !ok {
			t.live--
			return // the connection failed; the call never starts
		}
	}
	c.cseq = 1
	t.at(start, func() { t.sip(c, true, t.request(c, true, "INVITE", 1, t.sdp(c, 0))) })
	t.at(start+2_000_000, func() { t.sip(c, false, t.response(c, false, 100, "Trying", "INVITE", 1, "")) })
	t.at(start+150_000_000, func() { t.sip(c, false, t.response(c, false, 180, "Ringing", "INVITE", 1, "")) })
	answer := start + 1_000_000_000 + int64(g.r.intn(3000))*1_000_000
	t.at(answer, func() {
		c.setUp = true
		t.sip(c, false, t.response(c, false, 200, "OK", "INVITE", 1, t.sdp(c, 1)))
	})
	t.at(answer+30_000_000, func() { t.sip(c, true, t.request(c, true, "ACK", 1, "")) })
	media := answer + 40_000_000
	if c.media == mediaDTLS {
		t.at(media, func() { t.dtls(c) })
		media += 60_000_000
	}
	t.at(media, func() {
		c.mediaOn = true
		c.phase = (g.clock - t.start) % tick
		c.nextRTCP = g.clock + rtcpInterval
		c.nextSTUN = g.clock + stunInterval
		if c.media == mediaSAVP || c.media == mediaMS {
			for i := range 2 {
				var opts []srtp.ContextOption
				if c.media == mediaMS {
					opts = append(opts, srtp.MasterKeyIndicator([]byte{1}))
				}
				c.ctx[i], _ = srtp.CreateContext(c.key[i][:16], c.key[i][16:], srtp.ProtectionProfileAes128CmHmacSha1_80, opts...)
			}
		}
		t.pending = append(t.pending, c)
	})
	end := media + int64(g.r.exp(t.mean)*1e9)
	t.at(end, func() { t.hangUp(c) })
}

func (t *trunk) clientCertChoice() int {
	switch n := t.g.r.intn(100); {
	case n < 85:
		return 1
	case n < 92:
		return 2
	}
	return 0
}

func (t *trunk) dtls(c *tcall) {
	g := t.g
	t.mediaUDP(c, 0, g.stun(false))
	t.mediaUDP(c, 1, g.stun(true))
	t.mediaUDP(c, 1, g.stun(false))
	t.mediaUDP(c, 0, g.stun(true))
	at := g.clock
	t.at(at+10_000_000, func() { t.mediaUDP(c, 1, dtlsRecord(nil, 22, 0, 0, g.dtlsClientHello())) })
	t.at(at+25_000_000, func() {
		p := dtlsRecord(nil, 22, 0, 1, dtlsHandshake(2, 1, g.random(70)))
		p = dtlsRecord(p, 22, 0, 2, dtlsHandshake(11, 2, g.random(420)))
		p = dtlsRecord(p, 22, 0, 3, dtlsHandshake(12, 3, g.random(110)))
		p = dtlsRecord(p, 22, 0, 4, dtlsHandshake(13, 4, g.random(10)))
		p = dtlsRecord(p, 22, 0, 5, dtlsHandshake(14, 5, nil))
		t.mediaUDP(c, 0, p)
	})
	t.at(at+40_000_000, func() {
		p := dtlsRecord(nil, 22, 0, 1, dtlsHandshake(11, 1, g.random(420)))
		p = dtlsRecord(p, 22, 0, 2, dtlsHandshake(16, 2, g.random(66)))
		p = dtlsRecord(p, 22, 0, 3, dtlsHandshake(15, 3, g.random(74)))
		p = dtlsRecord(p, 20, 0, 4, []byte{1})
		p = dtlsRecord(p, 22, 1, 0, g.random(64))
		t.mediaUDP(c, 1, p)
	})
	t.at(at+50_000_000, func() {
		t.mediaUDP(c, 0, dtlsRecord(dtlsRecord(nil, 20, 0, 6, []byte{1}), 22, 1, 0, g.random(64)))
	})
}

// mediaUDP sends a datagram on the call's RTP 5-tuple from side dir (0 A).
func (t *trunk) mediaUDP(c *tcall, dir int, p []byte) {
	t.g.st.MediaPackets++
	if dir == 0 {
		t.g.udp(c.l, c.medA, c.medB, c.mpA, c.mpB, p)
	} else {
		t.g.udp(c.l, c.medB, c.medA, c.mpB, c.mpA, p)
	}
}

func (t *trunk) rtcpUDP(c *tcall, dir int, p []byte) {
	if c.media == mediaDTLS {
		t.mediaUDP(c, dir, p)
		return
	}
	t.g.st.MediaPackets++
	if dir == 0 {
		t.g.udp(c.l, c.medA, c.medB, c.mpA+1, c.mpB+1, p)
	} else {
		t.g.udp(c.l, c.medB, c.medA, c.mpB+1, c.mpA+1, p)
	}
}

// mediaTick sends one RTP packet each way, and RTCP and STUN when due.
func (t *trunk) mediaTick(c *tcall) {
	g := t.g
	srtpOn := c.media != mediaAVP
	for dir := range 2 {
		if g.clock >= c.nextRTCP {
			p := g.pay[:0]
			p = append(p, 0x80, 200, 0, 6)
			p = binary.BigEndian.AppendUint32(p, c.ssrc[dir])
			p = append(p, make([]byte, 20)...)
			p = append(p, 0x81, 202, 0, 3)
			p = binary.BigEndian.AppendUint32(p, c.ssrc[dir])
			p = append(p, 1, 4, 'm', 'e', 'd', '1', 0, 0)
			if srtpOn {
				g.r.fill(p[8:])
				c.rtcpIdx[dir]++
				p = binary.BigEndian.AppendUint32(p, 0x80000000|c.rtcpIdx[dir])
				if c.media == mediaMS {
					p = append(p, 1)
				}
				p = append(p, g.random(10)...)
			}
			t.rtcpUDP(c, dir, p)
		}
		p := g.pay[:0]
		p = append(p, 0x80, c.pt)
		p = binary.BigEndian.AppendUint16(p, c.seq[dir])
		p = binary.BigEndian.AppendUint32(p, c.ts[dir])
		p = binary.BigEndian.AppendUint32(p, c.ssrc[dir])
		payload := p[12 : 12+160]
		p = p[:12+160]
		speech := !srtpOn || c.ctx[dir] != nil && c.sent[dir] < realPackets
		if speech {
			v := g.r.next()
			for i := range payload {
				if i%8 == 0 {
					v = g.r.next()
				}
				payload[i] = 0xf0 | byte(v>>(i%8*4))&0x0f
			}
		} else {
			g.r.fill(payload)
		}
		if srtpOn {
			if c.ctx[dir] != nil && c.sent[dir] < realPackets {
				var h rtp.Header
				enc, err := c.ctx[dir].EncryptRTP(nil, p, &h)
				if err == nil {
					p = append(g.pay[:0], enc...)
				}
			} else {
				if c.media == mediaMS {
					p = append(p, 1)
				}
				p = append(p, g.random(10)...)
			}
		}
		t.mediaUDP(c, dir, p)
		c.seq[dir]++
		c.ts[dir] += 160
		c.sent[dir]++
	}
	if g.clock >= c.nextRTCP {
		c.nextRTCP += rtcpInterval + int64(g.r.intn(500))*1_000_000
	}
	if c.media == mediaDTLS && g.clock >= c.nextSTUN {
		t.mediaUDP(c, 0, g.stun(false))
		t.mediaUDP(c, 1, g.stun(true))
		c.nextSTUN += stunInterval
	}
}

// hangUp ends c: BYE from either side, 200, and the connection closed.
func (t *trunk) hangUp(c *tcall) {
	g := t.g
	if c.ended {
		return
	}
	c.ended = true
	t.live--
	fromA := g.r.intn(2) == 0
	cseq := 2
	t.sip(c, fromA, t.request(c, fromA, "BYE", cseq, ""))
	t.at(g.clock+10_000_000, func() {
		t.sip(c, !fromA, t.response(c, !fromA, 200, "OK", "BYE", cseq, ""))
		if c.cn != nil {
			t.close(c.cn, fromA)
		}
	})
}

// close ends a connection: close_notify (TLS) and FIN from the side that
// closes first, then the other.
func (t *trunk) close(cn *conn, fromCli bool) {
	g := t.g
	t.at(g.clock+50_000_000, func() {
		if cn.tls {
			cn.send(g, fromCli, tlsRecord(nil, 21, min(cn.version, tlsV12), g.random(26)))
		}
		cn.seg(g, fromCli, 0x11, nil)
		if fromCli {
			cn.cseq++
		} else {
			cn.sseq++
		}
	})
	t.at(g.clock+50_400_000, func() {
		cn.seg(g, !fromCli, 0x11, nil)
		if fromCli {
			cn.sseq++
		} else {
			cn.cseq++
		}
	})
	t.at(g.clock+50_800_000, func() { cn.seg(g, fromCli, 0x10, nil) })
}

// background runs one OPTIONS or REGISTER transaction.
func (t *trunk) background() {
	g := t.g
	t.bgCount++
	g.st.TransactionsBg++
	c := &tcall{id: 100000 + int(t.bgCount%100000), tr: t.pick(55, 15, 30), bg: true}
	c.callID = t.hex(24) + "@contoso.com"
	c.tagA, c.tagB = t.hex(10), t.hex(10)
	c.l.v6 = g.r.intn(10) == 0
	if g.r.intn(5) == 0 {
		c.l.vlan = 30
	}
	register := false
	if c.tr == trTLS {
		switch t.pick(25, 15, 20, 30, 10) {
		case 0:
			c.a, c.b = []*host{t.gw01, t.gw02}[g.r.intn(2)], t.medExt
		case 1:
			c.a, c.b = t.fe01, t.um01
		case 2:
			c.a, c.b = t.medExt, t.gw01
		case 3:
			c.a, c.b, register = t.clients, t.fe01, true
		default:
			c.a, c.b = t.medExt, t.sbc01
		}
	} else {
		switch t.pick(20, 15, 15, 50) {
		case 0:
			c.a, c.b = []*host{t.gw01, t.gw02, t.sbc01}[g.r.intn(3)], t.medExt
		case 1:
			c.a, c.b = t.medExt, []*host{t.gw01, t.gw02, t.sbc01}[g.r.intn(3)]
		case 2:
			c.a, c.b = t.fe01, []*host{t.medInt, t.um01}[g.r.intn(2)]
		default:
			c.a, c.b, register = t.clients, t.fe01, true
		}
	}
	c.sigA, c.sigB = c.a.addr(c.l.v6), c.b.addr(c.l.v6)
	if c.a == t.clients {
		c.sigA = t.client(int(t.bgCount), c.l.v6)
	}
	c.spA, c.spB = 5060, 5060
	if c.tr == trUDP && c.a == t.clients {
		c.spA = uint16(5060 + g.r.intn(4000))
	}
	start := g.clock
	if c.tr != trUDP {
		var ok bool
		c.cn, start, ok = t.connect(c.l, c.a, c.b, c.sigA, c.tr == trTLS, false, t.clientCertChoice(), &t.bgPkts)
		if !ok {
			return
		}
	}
	c.setUp = true
	last := start + 5_000_000
	if register {
		t.at(start, func() { t.sip(c, true, t.register(c, 1, false)) })
		t.at(start+3_000_000, func() { t.sip(c, false, t.response(c, false, 401, "Unauthorized", "REGISTER", 1, "")) })
		t.at(start+10_000_000, func() { t.sip(c, true, t.register(c, 2, true)) })
		last = start + 15_000_000
		t.at(last, func() { t.sip(c, false, t.response(c, false, 200, "OK", "REGISTER", 2, "")) })
	} else {
		t.at(start, func() { t.sip(c, true, t.request(c, true, "OPTIONS", 1, "")) })
		t.at(last, func() { t.sip(c, false, t.response(c, false, 200, "OK", "OPTIONS", 1, "")) })
	}
	if c.cn != nil {
		cn := c.cn
		t.at(last, func() {
			if g.r.intn(50) == 0 {
				t.at(g.clock+1_000_000, func() { cn.seg(g, true, 0x14, nil) })
				return
			}
			t.close(cn, true)
		})
	}
}

func (t *trunk) register(c *tcall, cseq int, auth bool) string {
	up, low := t.transportName(c)
	a := ""
	if auth {
		a = fmt.Sprintf("Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\", opaque=\"%s\", targetname=\"fe01.contoso.com\", response=\"%s\"\r\n", t.hex(8), t.hex(32))
	}
	ip := ipString(c.sigA, c.l.v6)
	return fmt.Sprintf("REGISTER sip:contoso.com SIP/2.0\r\nVia: SIP/2.0/%s %s:%d;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"+
		"From: <sip:user%d@contoso.com>;tag=%s\r\nTo: <sip:user%d@contoso.com>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n"+
		"Contact: <sip:%s:%d;transport=%s>;methods=\"INVITE, MESSAGE, INFO, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\"\r\n"+
		"User-Agent: UCCAPI/16.0.4849.1000 OC/16.0.4849.1000 (Skype for Business)\r\nSupported: gruu-10, adhoclist, msrtc-event-categories\r\n"+
		"%sContent-Length: 0\r\n\r\n",
		up, ip, c.spA, t.hex(16), c.id, c.tagA, c.id, c.callID, cseq, ip, c.spA, low, a)
}
