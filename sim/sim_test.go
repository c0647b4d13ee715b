package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// caller is a sipgo UAC with pion/srtp media, the way a probe calls.
type caller struct {
	ua     *sipgo.UserAgent
	cl     *sipgo.Client
	dua    *sipgo.DialogUA
	mutate func(testing.TB, *srtpcheck.Offer) // edits each offer before it is sent
}

func newCaller(t testing.TB, tlsConf *tls.Config) *caller {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	opts := []sipgo.UserAgentOption{sipgo.WithUserAgent("voipsec-test"),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet))}
	if tlsConf != nil {
		opts = append(opts, sipgo.WithUserAgenTLSConfig(tlsConf))
	}
	ua, err := sipgo.NewUA(opts...)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "probe", Host: "127.0.0.1"}}
	return &caller{ua: ua, cl: cl, dua: &sipgo.DialogUA{Client: cl, ContactHDR: contact}}
}

func uri(t testing.TB, addr, transport string) sip.Uri {
	t.Helper()
	var u sip.Uri
	if err := sip.ParseUri("sip:um@"+addr+";transport="+transport, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (c *caller) options(ctx context.Context, t testing.TB, addr, transport string) (*sip.Response, error) {
	u := uri(t, addr, transport)
	req := sip.NewRequest(sip.OPTIONS, u)
	req.SetTransport(strings.ToUpper(transport))
	return c.cl.Do(ctx, req)
}

type result struct {
	Status   int
	Contact  string
	Analysis *srtpcheck.Analysis
	Media    srtpcheck.Counters
	CallID   string
	Err      error
}

// call makes one call with an offer of kind, exchanges media for at least
// d when answered, and hangs up.
func (c *caller) call(ctx context.Context, t testing.TB, addr, transport string, kind srtpcheck.OfferKind, d time.Duration) result {
	t.Helper()
	return c.callFrom(ctx, t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, addr, transport, kind, d)
}

// call6 is an SDES call with IPv6 media.
func (c *caller) call6(ctx context.Context, t testing.TB, addr, transport string) result {
	t.Helper()
	return c.callFrom(ctx, t, &net.UDPAddr{IP: net.IPv6loopback}, addr, transport, srtpcheck.OfferSDES80, 300*time.Millisecond)
}

func (c *caller) callFrom(ctx context.Context, t testing.TB, local *net.UDPAddr, addr, transport string, kind srtpcheck.OfferKind, d time.Duration) result {
	t.Helper()
	conn, err := net.ListenUDP("udp", local)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	off, err := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: kind, Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()})
	if err != nil {
		t.Fatal(err)
	}
	if c.mutate != nil {
		c.mutate(t, off)
	}
	// A Contact per call: sipgo fills its port in place, so a shared one races.
	contact := c.dua.ContactHDR
	sess, err := c.dua.Invite(ctx, uri(t, addr, transport), off.SDP, sip.NewHeader("Content-Type", "application/sdp"), &contact)
	if err != nil {
		return result{Err: err}
	}
	defer sess.Close()
	r := result{CallID: sess.InviteRequest.CallID().Value()}
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{})
	if sess.InviteResponse != nil {
		r.Status = sess.InviteResponse.StatusCode
		if h := sess.InviteResponse.Contact(); h != nil {
			r.Contact = h.Address.String()
		}
	}
	if err != nil {
		var de *sipgo.ErrDialogResponse
		if !errors.As(err, &de) {
			r.Err = err
		}
		return r
	}
	if err := sess.Ack(ctx); err != nil {
		r.Err = err
		return r
	}
	defer func() {
		bctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = sess.Bye(bctx)
	}()
	an, err := srtpcheck.AnalyzeAnswer(off, sess.InviteResponse.Body())
	if err != nil {
		r.Err = err
		return r
	}
	r.Analysis = an
	var media net.PacketConn = conn
	var keys *srtpcheck.Keys
	if an.Secure {
		keys = &an.Keys
	}
	if an.DTLS {
		ds, err := srtpcheck.DTLSHandshake(ctx, conn, net.UDPAddrFromAddrPort(an.Remote), srtpcheck.DTLSConfig{
			Certificate: *off.Certificate, Client: an.DTLSClient, RemoteFingerprints: an.Fingerprints})
		if err != nil {
			r.Err = err
			return r
		}
		defer ds.Close()
		media, keys = ds.MediaConn(), &ds.Keys
	}
	// Media runs for d and then on (at most 2 s more) until 5 packets are
	// sent and 3 received or echoed: on a loaded machine a short fixed
	// window can pass with fewer ticks of the 20 ms sender than the counts
	// the tests assert. A peer that sends nothing (fault no-media) ends at
	// the 2 s bound.
	var meter srtpcheck.Meter
	bye := make(chan struct{})
	go func() {
		defer close(bye)
		minimum := time.NewTimer(d)
		defer minimum.Stop()
		select {
		case <-minimum.C:
		case <-ctx.Done():
			return
		}
		for limit := time.Now().Add(2 * time.Second); time.Now().Before(limit) && ctx.Err() == nil; {
			if m := meter.Counters(); m.Sent >= 5 && m.Received+m.Echoed >= 3 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	r.Media, r.Err = srtpcheck.RunMedia(ctx, srtpcheck.MediaConfig{Conn: media, Remote: net.UDPAddrFromAddrPort(an.Remote),
		Keys: keys, PayloadType: an.PayloadType, Duration: d + 3*time.Second, Linger: 100 * time.Millisecond,
		UntilBye: bye, Meter: &meter})
	<-bye
	return r
}

func startSim(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.AckTimeout == 0 {
		cfg.AckTimeout = 3 * time.Second
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitEnded waits until the simulator has ended the call.
func waitEnded(t testing.TB, s *Server, callID string) CallStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, ok := s.Call(callID)
		if ok && st.Ended {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("call %s not ended: %+v", callID, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestInviteMatrix: every offer against every encryption level over UDP,
// with real media on accepted calls, checked on both sides.
func TestInviteMatrix(t *testing.T) {
	R, O, X := matrix.Required, matrix.Optional, matrix.Rejected
	type want struct {
		status int
		secure bool
	}
	ok, sec, no := want{200, false}, want{200, true}, want{488, false}
	cases := map[srtpcheck.OfferKind]map[matrix.EncryptionLevel]want{
		srtpcheck.OfferSDES80:               {R: sec, O: sec, X: no},
		srtpcheck.OfferSDES32:               {R: sec, O: sec, X: no},
		srtpcheck.OfferMSOptional:           {R: sec, O: sec, X: ok},
		srtpcheck.OfferMSEncryptionRequired: {R: sec, O: sec, X: no},
		srtpcheck.OfferMSEncryptionOptional: {R: sec, O: sec, X: ok},
		srtpcheck.OfferPlain:                {R: no, O: ok, X: ok},
		srtpcheck.OfferDTLS:                 {R: sec, O: sec, X: no},
	}
	for _, level := range matrix.EncryptionLevels {
		s := startSim(t, Config{Encryption: level, Transports: []string{UDP}})
		c := newCaller(t, nil)
		for _, kind := range srtpcheck.OfferKinds {
			w := cases[kind][level]
			t.Run(level.String()+"/"+kind.String(), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				r := c.call(ctx, t, s.UDPAddr, UDP, kind, 500*time.Millisecond)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if r.Status != w.status {
					t.Fatalf("status %d, want %d", r.Status, w.status)
				}
				st := waitEnded(t, s, r.CallID)
				if st.Offered != kind.Level() {
					t.Errorf("sim read offer as %v, want %v", st.Offered, kind.Level())
				}
				wantProto := map[srtpcheck.OfferKind]string{srtpcheck.OfferSDES80: "RTP/SAVP", srtpcheck.OfferSDES32: "RTP/SAVP",
					srtpcheck.OfferDTLS: "UDP/TLS/RTP/SAVP"}[kind]
				if wantProto == "" {
					wantProto = "RTP/AVP"
				}
				if st.OfferProto != wantProto {
					t.Errorf("sim read offer proto %q, want %q", st.OfferProto, wantProto)
				}
				if w.status != 200 {
					if st.Acked || st.Status != 488 {
						t.Errorf("sim stats %+v", st)
					}
					return
				}
				if r.Analysis.Secure != w.secure || st.Secure != w.secure || len(r.Analysis.Problems) != 0 {
					t.Fatalf("secure caller=%v sim=%v problems %v", r.Analysis.Secure, st.Secure, r.Analysis.Problems)
				}
				if st.EndReason != "bye" || !st.Acked {
					t.Errorf("end %q acked %v", st.EndReason, st.Acked)
				}
				if r.Media.Received < 3 || r.Media.Failed != 0 || st.Media.Received < 3 || st.Media.Failed != 0 {
					t.Fatalf("media caller %+v sim %+v", r.Media, st.Media)
				}
				if w.secure && (r.Media.Authenticated != r.Media.Received || st.Media.Authenticated != st.Media.Received) {
					t.Fatalf("authentication caller %+v sim %+v", r.Media, st.Media)
				}
				if !w.secure && (r.Media.Authenticated != 0 || st.Media.Authenticated != 0) {
					t.Fatal("plain media counted authenticated")
				}
				isMS := kind == srtpcheck.OfferMSOptional || kind == srtpcheck.OfferMSEncryptionOptional || kind == srtpcheck.OfferMSEncryptionRequired
				if w.secure && st.MKI != isMS {
					t.Errorf("MKI mirrored %v, want %v", st.MKI, isMS)
				}
			})
		}
	}
}

// TestTransportsAndMTLS drives OPTIONS and an SDES call over TCP and TLS
// with each MTLS mode, with and without a client certificate.
func TestTransportsAndMTLS(t *testing.T) {
	pki := testpki.NewT(t)
	for _, mode := range []MTLS{MTLSNone, MTLSRequest, MTLSRequire} {
		s := startSim(t, Config{Encryption: matrix.Required, MTLS: mode, PKI: pki})
		for _, withCert := range []bool{false, true} {
			name := mode.String() + "/nocert"
			conf := &tls.Config{RootCAs: pki.CAPool, ServerName: "127.0.0.1"}
			if withCert {
				name = mode.String() + "/cert"
				conf.Certificates = []tls.Certificate{pki.Client}
			}
			t.Run(name, func(t *testing.T) {
				c := newCaller(t, conf)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				for _, tr := range []string{UDP, TCP, TLS} {
					res, err := c.options(ctx, t, s.Addr(tr), tr)
					refused := tr == TLS && mode == MTLSRequire && !withCert
					if refused {
						if err == nil {
							t.Fatalf("%s: MTLS require answered without client certificate: %v", tr, res.StatusCode)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s OPTIONS: %v", tr, err)
					}
					if res.StatusCode != 200 || res.GetHeader("Server") == nil || res.GetHeader("Allow") == nil ||
						res.GetHeader("Supported") == nil || res.GetHeader("Accept") == nil {
						t.Fatalf("%s OPTIONS: %s", tr, res.String())
					}
				}
				if mode == MTLSRequire && !withCert {
					return
				}
				r := c.call(ctx, t, s.TLSAddr, TLS, srtpcheck.OfferSDES80, 300*time.Millisecond)
				if r.Err != nil || r.Status != 200 || r.Media.Authenticated < 3 {
					t.Fatalf("TLS call: %+v", r)
				}
				st := waitEnded(t, s, r.CallID)
				if st.Transport != TLS || st.Media.Authenticated < 3 {
					t.Fatalf("sim stats %+v", st)
				}
			})
		}
	}
}

// TestCallRouter: Exchange UM answers INVITE with 302 to a worker, which
// answers the call.
func TestCallRouter(t *testing.T) {
	s := startSim(t, Config{Encryption: matrix.Required, CallRouter: true, Transports: []string{TCP, TLS}})
	c := newCaller(t, &tls.Config{RootCAs: s.PKI.CAPool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{s.PKI.Client}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tr := range []string{TCP, TLS} {
		r := c.call(ctx, t, s.Addr(tr), tr, srtpcheck.OfferSDES80, 0)
		if r.Status != 302 {
			t.Fatalf("%s: status %d err %v", tr, r.Status, r.Err)
		}
		worker := s.WorkerTCPAddr
		if tr == TLS {
			worker = s.WorkerTLSAddr
		}
		if !strings.Contains(r.Contact, worker) || !strings.Contains(r.Contact, "transport="+tr) {
			t.Fatalf("%s: Contact %q, want worker %s", tr, r.Contact, worker)
		}
		r = c.call(ctx, t, worker, tr, srtpcheck.OfferSDES80, 300*time.Millisecond)
		if r.Status != 200 || r.Media.Authenticated < 3 {
			t.Fatalf("%s worker: %+v", tr, r)
		}
		if st := waitEnded(t, s, r.CallID); !st.Worker {
			t.Fatalf("call not on worker: %+v", st)
		}
	}
}

func TestFaults(t *testing.T) {
	pki := testpki.NewT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Run("wrong-srtp-key", func(t *testing.T) {
		s := startSim(t, Config{Encryption: matrix.Required, Faults: []Fault{FaultWrongKey}, Transports: []string{UDP}})
		r := newCaller(t, nil).call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferMSOptional, 300*time.Millisecond)
		if r.Status != 200 || r.Media.Received < 3 || r.Media.Authenticated != 0 || r.Media.Failed != r.Media.Received {
			t.Fatalf("%+v", r)
		}
		// The simulator still authenticates what we send.
		if st := waitEnded(t, s, r.CallID); st.Media.Authenticated < 1 || st.Media.Failed != 0 {
			t.Fatalf("sim %+v", st.Media)
		}
	})
	t.Run("no-media", func(t *testing.T) {
		s := startSim(t, Config{Encryption: matrix.Required, Faults: []Fault{FaultNoMedia}, Transports: []string{UDP}})
		r := newCaller(t, nil).call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferSDES80, 300*time.Millisecond)
		if r.Status != 200 || r.Media.Received != 0 || r.Media.Sent < 3 {
			t.Fatalf("%+v", r)
		}
		if st := waitEnded(t, s, r.CallID); st.Media.Sent != 0 || st.Media.Authenticated < 3 {
			t.Fatalf("sim %+v", st.Media)
		}
	})
	for _, f := range []struct {
		fault  Fault
		status int
	}{{FaultInvite5xx, 503}, {FaultReject488, 488}} {
		t.Run(string(f.fault), func(t *testing.T) {
			s := startSim(t, Config{Encryption: matrix.Optional, Faults: []Fault{f.fault}, Transports: []string{UDP}})
			r := newCaller(t, nil).call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferPlain, 0)
			if r.Status != f.status {
				t.Fatalf("status %d err %v", r.Status, r.Err)
			}
		})
	}
	t.Run("slow-answer", func(t *testing.T) {
		s := startSim(t, Config{Faults: []Fault{FaultSlowAnswer}, SlowAnswer: 700 * time.Millisecond, Transports: []string{TCP}})
		c := newCaller(t, nil)
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if _, err := c.options(short, t, s.TCPAddr, TCP); err == nil {
			t.Fatal("slow OPTIONS answered within 300ms")
		}
		if res, err := c.options(ctx, t, s.TCPAddr, TCP); err != nil || res.StatusCode != 200 {
			t.Fatalf("slow OPTIONS: %v", err)
		}
	})
	t.Run("no-options", func(t *testing.T) {
		s := startSim(t, Config{Faults: []Fault{FaultNoOptions}, Transports: []string{TCP}})
		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		if res, err := newCaller(t, nil).options(short, t, s.TCPAddr, TCP); err == nil {
			t.Fatalf("OPTIONS answered: %d", res.StatusCode)
		}
	})
	t.Run("tls-any-client-cert", func(t *testing.T) {
		s := startSim(t, Config{MTLS: MTLSRequire, Faults: []Fault{FaultAnyClientCert}, PKI: pki, Transports: []string{TLS}})
		stranger := testpki.NewT(t) // a client certificate from an unknown CA
		c := newCaller(t, &tls.Config{RootCAs: pki.CAPool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{stranger.Client}})
		if res, err := c.options(ctx, t, s.TLSAddr, TLS); err != nil || res.StatusCode != 200 {
			t.Fatalf("untrusted client cert refused: %v", err)
		}
		// Without the fault, the same certificate is refused.
		s2 := startSim(t, Config{MTLS: MTLSRequire, PKI: pki, Transports: []string{TLS}})
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, err := c.options(short, t, s2.TLSAddr, TLS); err == nil {
			t.Fatal("untrusted client certificate accepted without the fault")
		}
	})
	for _, f := range []Fault{FaultExpiredCert, FaultWrongNameCert, FaultNoClientAuthEKU} {
		t.Run(string(f), func(t *testing.T) {
			s := startSim(t, Config{Faults: []Fault{f}, PKI: pki, Transports: []string{TLS}})
			var leaf = s.Certificate.Leaf
			conn, err := tls.Dial("tcp", s.TLSAddr, &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			got := conn.ConnectionState().PeerCertificates[0]
			conn.Close()
			if !got.Equal(leaf) {
				t.Fatal("served certificate differs")
			}
			_, verr := got.Verify(verifyOpts(pki))
			switch f {
			case FaultExpiredCert:
				if verr == nil || !strings.Contains(verr.Error(), "expired") {
					t.Fatalf("verify: %v", verr)
				}
			case FaultWrongNameCert:
				if verr == nil || !strings.Contains(verr.Error(), "127.0.0.1") {
					t.Fatalf("verify: %v", verr)
				}
			case FaultNoClientAuthEKU:
				if verr != nil {
					t.Fatal(verr)
				}
				for _, e := range got.ExtKeyUsage {
					if e == 2 { // x509.ExtKeyUsageClientAuth
						t.Fatal("clientAuth present")
					}
				}
			}
		})
	}
}

// TestNoAckTornDown: a 200 never acknowledged ends the call after AckTimeout.
func TestNoAckTornDown(t *testing.T) {
	s := startSim(t, Config{Encryption: matrix.Optional, Transports: []string{TCP}, AckTimeout: 300 * time.Millisecond})
	c := newCaller(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer conn.Close()
	off, _ := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: srtpcheck.OfferPlain, Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()})
	sess, err := c.dua.Invite(ctx, uri(t, s.TCPAddr, TCP), off.SDP, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	st := waitEnded(t, s, sess.InviteRequest.CallID().Value())
	if st.EndReason != "no-ack" || st.Acked {
		t.Fatalf("%+v", st)
	}
	if s.Active() != 0 {
		t.Fatal("call slot not released")
	}
}

// TestBoundsAndGoroutines opens many concurrent calls, checks the
// concurrency limit answers 486, and that goroutines return to baseline
// after Close.
func TestBoundsAndGoroutines(t *testing.T) {
	base := runtimeGoroutines()
	s, err := Start(context.Background(), Config{Encryption: matrix.Required, Transports: []string{UDP, TCP}, MaxCalls: 8,
		MaxCallDuration: 2 * time.Second, AckTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := newCaller(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const n = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tr := UDP
			if i%2 == 1 {
				tr = TCP
			}
			r := c.call(ctx, t, s.Addr(tr), tr, srtpcheck.OfferSDES80, 400*time.Millisecond)
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[200] < 8 || codes[200]+codes[486] != n {
		for _, st := range s.Calls() {
			t.Logf("sim call %s: %d %s %s", st.CallID, st.Status, st.EndReason, st.Err)
		}
		t.Fatalf("status codes %v", codes)
	}
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	c.ua.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := runtimeGoroutines()
		if g <= base+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines %d, baseline %d\n%s", g, base, goroutineDump())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("calls %v, goroutines back to %d (baseline %d)", codes, runtimeGoroutines(), base)
}
