package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// CallStats is what the simulator saw and did in one INVITE dialog.
type CallStats struct {
	CallID    string
	Transport string // udp, tcp, tls
	From      string // signalling source address
	Worker    bool   // answered by the call-router worker
	Status    int    // final response code sent
	// Offer and answer.
	Offered    matrix.EncryptionLevel
	OfferProto string
	Secure     bool // SRTP agreed
	DTLS       bool
	Suite      srtpcheck.Suite
	MKI        bool   // our answer key carries an MKI
	MediaAddr  string // where we send media
	LocalMedia string // our media socket
	// Lifecycle.
	Acked     bool
	Ended     bool
	EndReason string // bye, no-ack, max-duration, shutdown, dtls-failed
	Err       string
	Media     srtpcheck.Counters
	Echoed    uint64 // packets reflected under FaultEchoMedia
}

type call struct {
	s       *Server
	id      string
	mu      sync.Mutex
	st      CallStats
	ack     chan struct{}
	bye     chan struct{}
	ackOnce sync.Once
	endOnce sync.Once
	meter   srtpcheck.Meter
	counted bool         // holds a slot in s.active
	invite  *sip.Request // for the UAS BYE
	echo    atomic.Uint64
}

// echo reflects every RTP/SRTP packet back to its sender until ctx ends
// (fault echo-media: a peer that never sends media of its own).
func echo(ctx context.Context, pc net.PacketConn, n *atomic.Uint64) {
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		_ = pc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		k, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if k > 0 && buf[0] >= 128 && buf[0] <= 191 {
			if _, err := pc.WriteTo(buf[:k], from); err == nil {
				n.Add(1)
			}
		}
	}
}

func (c *call) stats() CallStats {
	c.mu.Lock()
	st := c.st
	c.mu.Unlock()
	if st.Acked {
		st.Media = c.meter.Counters()
	}
	st.Echoed = c.echo.Load()
	return st
}

func (c *call) update(f func(st *CallStats)) {
	c.mu.Lock()
	f(&c.st)
	c.mu.Unlock()
}

// end finishes the call once: media stops, the slot is released.
func (c *call) end(reason string) {
	c.endOnce.Do(func() {
		c.update(func(st *CallStats) {
			st.Ended = true
			if st.EndReason == "" {
				st.EndReason = reason
			}
		})
		close(c.bye)
		c.s.mu.Lock()
		if c.counted && c.s.active[c.id] == c {
			delete(c.s.active, c.id)
		}
		c.s.mu.Unlock()
	})
}

func transportOf(req *sip.Request) string { return strings.ToLower(req.Transport()) }

func (ep *endpoint) header(res *sip.Response) {
	res.AppendHeader(sip.NewHeader("Server", ep.s.cfg.ServerName))
}

// respond sends a bodiless response with our Server header and hdrs.
func (ep *endpoint) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	ep.header(res)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// onOptions answers OPTIONS with the capabilities a Lync/UM server lists.
func (ep *endpoint) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	s := ep.s
	if s.cfg.has(FaultNoOptions) {
		return
	}
	if s.cfg.has(FaultSlowAnswer) && !s.sleep(s.cfg.SlowAnswer) {
		return
	}
	ep.respond(tx, req, sip.StatusOK, "OK",
		sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"),
		sip.NewHeader("Supported", "replaces, timer, ms-early-media, ms-sender"),
		sip.NewHeader("Accept", "application/sdp"))
}

func (ep *endpoint) contact(transport string) string {
	addr := ep.udp
	switch transport {
	case TCP:
		addr = ep.tcp
	case TLS:
		addr = ep.tls
	}
	if addr == "" {
		addr = ep.udp + ep.tcp + ep.tls
	}
	return "<sip:sim@" + addr + ";transport=" + transport + ">"
}

func (ep *endpoint) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	s := ep.s
	tr := transportOf(req)
	c := &call{s: s, ack: make(chan struct{}), bye: make(chan struct{}), invite: req}
	if h := req.CallID(); h != nil {
		c.id = h.Value()
	}
	c.st = CallStats{CallID: c.id, Transport: tr, From: req.Source(), Worker: ep != s.eps[0]}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.record(c)
	s.mu.Unlock()
	final := func(code int, reason string, hdrs ...sip.Header) {
		c.update(func(st *CallStats) { st.Status = code })
		ep.respond(tx, req, code, reason, hdrs...)
		c.end("rejected")
	}
	ep.respond(tx, req, sip.StatusTrying, "Trying")
	if s.cfg.has(FaultSlowAnswer) && !s.sleep(s.cfg.SlowAnswer) {
		c.end("shutdown")
		return
	}
	if ep.redirect {
		// Exchange UM call router: 302 to the worker (domain.md §3.3).
		c.update(func(st *CallStats) { st.Status = sip.StatusMovedTemporarily })
		ep.respond(tx, req, sip.StatusMovedTemporarily, "Moved Temporarily", sip.NewHeader("Contact", s.eps[1].contact(tr)))
		c.end("redirected")
		return
	}
	switch {
	case s.cfg.has(FaultReject488):
		final(sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	case s.cfg.has(FaultInvite5xx):
		// OCS/Lync put the reason of a failure in ms-diagnostics
		// (domain.md §6.1); the simulator says what it simulates.
		final(sip.StatusServiceUnavailable, "Service Unavailable",
			sip.NewHeader("ms-diagnostics", `1000;reason="Simulated service failure (fault invite-5xx)";source="`+s.cfg.ServerName+`"`))
		return
	}
	if c.id == "" || len(req.Body()) == 0 {
		final(sip.StatusBadRequest, "Bad Request (SDP offer required)")
		return
	}
	s.mu.Lock()
	if s.closed { // shut down during the slow answer or the checks above
		s.mu.Unlock()
		c.end("shutdown")
		return
	}
	if len(s.active) >= s.cfg.MaxCalls {
		s.mu.Unlock()
		final(sip.StatusBusyHere, "Busy Here (call limit)")
		return
	}
	if _, dup := s.active[c.id]; dup {
		s.mu.Unlock()
		final(sip.StatusLoopDetected, "Call-ID in use")
		return
	}
	s.active[c.id] = c
	c.counted = true
	s.mu.Unlock()

	ip, _ := netip.ParseAddr(s.cfg.Listen)
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		c.update(func(st *CallStats) { st.Err = "media socket: " + err.Error() })
		final(sip.StatusServiceUnavailable, "Service Unavailable (media)")
		return
	}
	local := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	acfg := srtpcheck.AnswerConfig{Policy: s.cfg.Encryption, Addr: local, NoDTLS: s.cfg.NoDTLS, Suites: s.cfg.Suites}
	if s.cfg.has(FaultWeakSuite) {
		acfg.Suites = []srtpcheck.Suite{srtpcheck.AES128CMHMACSHA1_32, srtpcheck.AES128CMHMACSHA1_80}
	}
	// What was offered is recorded whether or not the call is answered.
	if sp, perr := srtpcheck.Parse(req.Body()); perr == nil {
		if m := sp.Audio(); m != nil {
			c.update(func(st *CallStats) { st.Offered = srtpcheck.OfferLevel(m); st.OfferProto = m.Proto })
		}
	}
	neg, err := srtpcheck.Answer(req.Body(), acfg)
	if err != nil {
		conn.Close()
		c.update(func(st *CallStats) { st.Err = err.Error() })
		if errors.Is(err, srtpcheck.ErrIncompatible) {
			// MS-SDP §4: "488 Encryption Levels not compatible".
			final(sip.StatusNotAcceptableHere, "Encryption Levels not compatible")
		} else {
			final(sip.StatusNotAcceptableHere, "Not Acceptable Here (bad SDP)")
		}
		return
	}
	c.update(func(st *CallStats) {
		st.Status = sip.StatusOK
		st.Offered = neg.Offered
		st.Secure, st.DTLS = neg.Secure, neg.DTLS
		st.Suite = neg.Keys.Suite
		st.MKI = len(neg.Keys.SendMKI) > 0
		st.MediaAddr = neg.Remote.String()
		st.LocalMedia = local.String()
	})
	res := sip.NewSDPResponseFromRequest(req, neg.SDP)
	ep.header(res)
	res.AppendHeader(sip.NewHeader("Contact", ep.contact(tr)))
	if err := tx.Respond(res); err != nil {
		conn.Close()
		c.update(func(st *CallStats) { st.Err = "send 200: " + err.Error() })
		c.end("send-failed")
		return
	}
	// Add to s.wg under s.mu and only while open: shutdown sets closed
	// under s.mu before Close waits, so Close cannot return with this
	// call's goroutine (and its socket) still to start.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		c.end("shutdown")
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer conn.Close()
		c.run(ep, res, tr, conn, neg)
	}()
}

// run waits for ACK (retransmitting the 2xx over UDP, RFC 3261 §13.3.1.4),
// then exchanges media until BYE, the duration bound or shutdown.
func (c *call) run(ep *endpoint, res *sip.Response, tr string, conn *net.UDPConn, neg *srtpcheck.Negotiation) {
	s := c.s
	ackTimer := time.NewTimer(s.cfg.AckTimeout)
	defer ackTimer.Stop()
	// Only UDP retransmits the 2xx; on TCP/TLS retrans stays nil and the
	// loop just waits.
	var (
		retrans  *time.Timer
		retransC <-chan time.Time
		interval = sip.T1
	)
	if tr == UDP {
		retrans = time.NewTimer(interval)
		defer retrans.Stop()
		retransC = retrans.C
	}
	for waiting := true; waiting; {
		select {
		case <-c.ack:
			waiting = false
		case <-c.bye:
			return
		case <-ackTimer.C:
			c.end("no-ack")
			return
		case <-retransC:
			_ = ep.srv.WriteResponse(res)
			interval = min(2*interval, sip.T2)
			retrans.Reset(interval)
		}
	}
	c.update(func(st *CallStats) { st.Acked = true })

	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.MaxCallDuration)
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
		case <-c.bye:
			cancel()
		}
	}()
	keys := neg.Keys
	var media net.PacketConn = conn
	remote := net.UDPAddrFromAddrPort(neg.Remote)
	if neg.DTLS {
		cert := *neg.Certificate
		if s.cfg.has(FaultDTLSFingerprint) {
			// Handshake with a certificate other than the one in the answer.
			other, err := selfsign.GenerateSelfSigned()
			if err == nil {
				cert = other
			}
		}
		hctx, hcancel := context.WithTimeout(ctx, 10*time.Second)
		ds, err := srtpcheck.DTLSHandshake(hctx, conn, remote, srtpcheck.DTLSConfig{
			Certificate: cert, Client: neg.DTLSClient, RemoteFingerprints: neg.RemoteFingerprints})
		hcancel()
		if err != nil {
			c.update(func(st *CallStats) { st.Err = err.Error() })
			c.end("dtls-failed")
			return
		}
		defer ds.Close()
		keys, media = ds.Keys, ds.MediaConn()
		c.update(func(st *CallStats) { st.Suite = keys.Suite })
	}
	var kp *srtpcheck.Keys
	if neg.Secure {
		kp = &keys
		if s.cfg.has(FaultWrongKey) {
			wrong := make([]byte, len(keys.SendKey))
			_, _ = rand.Read(wrong)
			kp.SendKey = wrong
		}
	}
	if s.cfg.has(FaultEchoMedia) {
		echo(ctx, media, &c.echo)
		c.finish(ctx, ep, res)
		return
	}
	_, err := srtpcheck.RunMedia(ctx, srtpcheck.MediaConfig{
		Conn: media, Remote: remote, Keys: kp, PayloadType: neg.PayloadType,
		Duration: s.cfg.MaxCallDuration, Linger: 100 * time.Millisecond,
		NoSend: s.cfg.has(FaultNoMedia), UntilBye: c.bye, Meter: &c.meter,
	})
	if err != nil {
		c.update(func(st *CallStats) { st.Err = fmt.Sprintf("media: %v", err) })
	}
	c.finish(ctx, ep, res)
}

// finish ends the call after media and hangs up when it hit its bound.
func (c *call) finish(ctx context.Context, ep *endpoint, res *sip.Response) {
	s := c.s
	reason := "max-duration"
	select {
	case <-c.bye:
		reason = "bye"
	default:
		if s.ctx.Err() != nil {
			reason = "shutdown"
		}
	}
	c.end(reason)
	if reason == "max-duration" {
		// The call outlived its bound: hang up (RFC 3261 §15).
		bctx, bcancel := context.WithTimeout(s.ctx, 2*time.Second)
		if err := ep.sendBye(bctx, c.invite, res); err != nil {
			c.update(func(st *CallStats) { st.Err = "send BYE: " + err.Error() })
		}
		bcancel()
	}
}

// sendBye sends a UAS BYE in the dialog of invite and its 2xx: From is our
// To (with tag), To is their From, to the address the INVITE came from.
func (ep *endpoint) sendBye(ctx context.Context, invite *sip.Request, ok *sip.Response) error {
	if invite == nil || ok == nil {
		return errors.New("no dialog")
	}
	recipient := invite.Recipient
	if cont := invite.Contact(); cont != nil {
		recipient = cont.Address
	}
	bye := sip.NewRequest(sip.BYE, *recipient.Clone())
	mf := sip.MaxForwardsHeader(70)
	bye.AppendHeader(&mf)
	if to, from := ok.To(), invite.From(); to != nil && from != nil {
		bye.AppendHeader(&sip.FromHeader{DisplayName: to.DisplayName, Address: to.Address, Params: to.Params})
		bye.AppendHeader(&sip.ToHeader{DisplayName: from.DisplayName, Address: from.Address, Params: from.Params})
	}
	if h := invite.CallID(); h != nil {
		bye.AppendHeader(sip.HeaderClone(h))
	}
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.BYE})
	bye.SetTransport(invite.Transport())
	bye.SetDestination(invite.Source())
	res, err := ep.client.Do(ctx, bye)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("BYE answered %d", res.StatusCode)
	}
	return nil
}

func (ep *endpoint) lookup(req *sip.Request) *call {
	h := req.CallID()
	if h == nil {
		return nil
	}
	ep.s.mu.Lock()
	defer ep.s.mu.Unlock()
	return ep.s.active[h.Value()]
}

func (ep *endpoint) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if c := ep.lookup(req); c != nil {
		c.ackOnce.Do(func() { close(c.ack) })
	}
}

func (ep *endpoint) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := ep.lookup(req)
	if c == nil {
		ep.respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	c.update(func(st *CallStats) { st.EndReason = "bye" })
	ep.respond(tx, req, sip.StatusOK, "OK")
	c.end("bye")
}
