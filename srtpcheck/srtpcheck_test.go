package srtpcheck

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/voipsec/voipsec/matrix"
)

func listenUDP(t testing.TB) (*net.UDPConn, netip.AddrPort) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// TestAnswerMatrix runs every offer kind against every answerer policy
// (domain.md §1.6) and, when a call is set up, exchanges real media both
// ways and checks each side authenticates the other.
func TestAnswerMatrix(t *testing.T) {
	type want struct {
		refuse bool
		secure bool
	}
	R, O, X := matrix.Required, matrix.Optional, matrix.Rejected
	cases := map[OfferKind]map[matrix.EncryptionLevel]want{
		OfferSDES80:               {R: {secure: true}, O: {secure: true}, X: {refuse: true}},
		OfferSDES32:               {R: {secure: true}, O: {secure: true}, X: {refuse: true}},
		OfferMSOptional:           {R: {secure: true}, O: {secure: true}, X: {}},
		OfferMSEncryptionRequired: {R: {secure: true}, O: {secure: true}, X: {refuse: true}},
		OfferMSEncryptionOptional: {R: {secure: true}, O: {secure: true}, X: {}},
		OfferPlain:                {R: {refuse: true}, O: {}, X: {}},
		OfferDTLS:                 {R: {secure: true}, O: {secure: true}, X: {refuse: true}},
	}
	for _, kind := range OfferKinds {
		for _, pol := range matrix.EncryptionLevels {
			w := cases[kind][pol]
			t.Run(kind.String()+"/"+pol.String(), func(t *testing.T) {
				t.Parallel()
				callerConn, callerAddr := listenUDP(t)
				calleeConn, calleeAddr := listenUDP(t)
				off, err := NewOffer(OfferConfig{Kind: kind, Addr: callerAddr})
				if err != nil {
					t.Fatal(err)
				}
				acfg := AnswerConfig{Policy: pol, Addr: calleeAddr}
				if kind == OfferSDES32 {
					// The offer carries _32 then _80; an answerer that can only
					// do _32 must pick tag 1, and media then runs on _32.
					acfg.Suites = []Suite{AES128CMHMACSHA1_32}
				}
				neg, err := Answer(off.SDP, acfg)
				if w.refuse {
					if !errors.Is(err, ErrIncompatible) {
						t.Fatalf("want ErrIncompatible, got %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if neg.Offered != kind.Level() {
					t.Errorf("offer level %v, want %v", neg.Offered, kind.Level())
				}
				an, err := AnalyzeAnswer(off, neg.SDP)
				if err != nil {
					t.Fatal(err)
				}
				if !an.Accepted || an.Secure != w.secure || neg.Secure != w.secure || len(an.Problems) > 0 {
					t.Fatalf("accepted=%v secure=%v/%v problems=%v\n%s", an.Accepted, an.Secure, neg.Secure, an.Problems, neg.SDP)
				}
				if an.Remote != calleeAddr || neg.Remote != callerAddr {
					t.Fatalf("addresses %v %v", an.Remote, neg.Remote)
				}
				if w.secure && !an.DTLS {
					if an.Suite != kind.Suite() {
						t.Errorf("suite %v want %v", an.Suite, kind.Suite())
					}
					// Microsoft offers carry a 1-byte MKI, mirrored in the answer.
					wantMKI := 0
					if kind == OfferMSOptional || kind == OfferMSEncryptionOptional || kind == OfferMSEncryptionRequired {
						wantMKI = 1
					}
					if an.Chosen.MKILen != wantMKI || len(an.Keys.SendMKI) != wantMKI || len(an.Keys.RecvMKI) != wantMKI {
						t.Errorf("MKI len %d, want %d", an.Chosen.MKILen, wantMKI)
					}
					if !strings.Contains(string(neg.SDP), "m=audio "+itoa(int(calleeAddr.Port()))+" RTP/SAVP 0") {
						t.Errorf("answer profile:\n%s", neg.SDP)
					}
				}
				if !w.secure && strings.Contains(string(neg.SDP), "a=crypto") {
					t.Errorf("plain answer carries crypto:\n%s", neg.SDP)
				}
				exchange(t, callerConn, calleeConn, off, an, neg, w.secure)
			})
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// exchange runs media between caller and callee and checks the counters.
func exchange(t *testing.T, callerConn, calleeConn net.PacketConn, off *Offer, an *Analysis, neg *Negotiation, secure bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	callerKeys, calleeKeys := &an.Keys, &neg.Keys
	callerMedia, calleeMedia := net.PacketConn(callerConn), net.PacketConn(calleeConn)
	if !secure {
		callerKeys, calleeKeys = nil, nil
	}
	if an.DTLS {
		var wg sync.WaitGroup
		var cs, ss *DTLSSession
		var cerr, serr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			cs, cerr = DTLSHandshake(ctx, callerConn, net.UDPAddrFromAddrPort(an.Remote),
				DTLSConfig{Certificate: *off.Certificate, Client: an.DTLSClient, RemoteFingerprints: an.Fingerprints})
		}()
		go func() {
			defer wg.Done()
			ss, serr = DTLSHandshake(ctx, calleeConn, net.UDPAddrFromAddrPort(neg.Remote),
				DTLSConfig{Certificate: *neg.Certificate, Client: neg.DTLSClient, RemoteFingerprints: neg.RemoteFingerprints})
		}()
		wg.Wait()
		if cerr != nil || serr != nil {
			t.Fatalf("DTLS: caller %v, callee %v", cerr, serr)
		}
		defer cs.Close()
		defer ss.Close()
		callerKeys, calleeKeys = &cs.Keys, &ss.Keys
		callerMedia, calleeMedia = cs.MediaConn(), ss.MediaConn()
	}
	// Media runs until each side has received minPackets from the other
	// (or the 5 s bound), not for a fixed window: on a loaded machine a
	// 300 ms window can pass with fewer ticks of the 20 ms sender than the
	// counts asserted below.
	const minPackets = 5
	var callerMeter, calleeMeter Meter
	bye := make(chan struct{})
	go func() {
		defer close(bye)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for callerMeter.Counters().Received < minPackets || calleeMeter.Counters().Received < minPackets {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var wg sync.WaitGroup
	var cc, sc Counters
	var cerr, serr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		cc, cerr = RunMedia(ctx, MediaConfig{Conn: callerMedia, Remote: net.UDPAddrFromAddrPort(an.Remote),
			Keys: callerKeys, PayloadType: an.PayloadType, Duration: 5 * time.Second, Linger: 150 * time.Millisecond,
			UntilBye: bye, Meter: &callerMeter})
	}()
	go func() {
		defer wg.Done()
		sc, serr = RunMedia(ctx, MediaConfig{Conn: calleeMedia, Remote: net.UDPAddrFromAddrPort(neg.Remote),
			Keys: calleeKeys, PayloadType: neg.PayloadType, Duration: 5 * time.Second, Linger: 150 * time.Millisecond,
			UntilBye: bye, Meter: &calleeMeter})
	}()
	wg.Wait()
	<-bye
	if cerr != nil || serr != nil {
		t.Fatalf("media: %v %v", cerr, serr)
	}
	for name, c := range map[string]Counters{"caller": cc, "callee": sc} {
		if c.Sent < minPackets || c.Received < minPackets || c.Failed != 0 || c.Echoed != 0 {
			t.Errorf("%s counters %+v", name, c)
		}
		if secure && c.Authenticated != c.Received {
			t.Errorf("%s: %d of %d authenticated", name, c.Authenticated, c.Received)
		}
		if !secure && c.Authenticated != 0 {
			t.Errorf("%s: plain media counted as authenticated", name)
		}
	}
}

// TestWrongKeyFails: media sent with a key other than the answered one
// must count as failed, never authenticated.
func TestWrongKeyFails(t *testing.T) {
	callerConn, callerAddr := listenUDP(t)
	calleeConn, calleeAddr := listenUDP(t)
	off, err := NewOffer(OfferConfig{Kind: OfferMSOptional, Addr: callerAddr})
	if err != nil {
		t.Fatal(err)
	}
	neg, err := Answer(off.SDP, AnswerConfig{Policy: matrix.Required, Addr: calleeAddr})
	if err != nil {
		t.Fatal(err)
	}
	an, err := AnalyzeAnswer(off, neg.SDP)
	if err != nil {
		t.Fatal(err)
	}
	bad := neg.Keys
	wrong, _ := NewCrypto(1, AES128CMHMACSHA1_80, 1)
	bad.SendKey = wrong.Key
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Both sides run until the receiver has seen five packets (bounded by
	// 3 s), not for fixed windows that a loaded machine can let pass
	// before the first send.
	var meter Meter
	bye := make(chan struct{})
	go func() {
		defer close(bye)
		for meter.Counters().Received < 5 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	var cc Counters
	wg.Add(1)
	go func() {
		defer wg.Done()
		cc, _ = RunMedia(ctx, MediaConfig{Conn: callerConn, Remote: net.UDPAddrFromAddrPort(an.Remote), Keys: &an.Keys,
			Duration: 3 * time.Second, NoSend: true, UntilBye: bye, Meter: &meter})
	}()
	_, err = RunMedia(ctx, MediaConfig{Conn: calleeConn, Remote: net.UDPAddrFromAddrPort(neg.Remote), Keys: &bad,
		Duration: 3 * time.Second, Linger: 10 * time.Millisecond, UntilBye: bye})
	wg.Wait()
	<-bye
	if err != nil {
		t.Fatal(err)
	}
	if cc.Received == 0 || cc.Failed != cc.Received || cc.Authenticated != 0 {
		t.Fatalf("counters %+v", cc)
	}
}

// TestEchoDetected: a peer that reflects our own packets is counted as
// echo, not as authenticated media.
func TestEchoDetected(t *testing.T) {
	conn, _ := listenUDP(t)
	refl, reflAddr := listenUDP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		buf := make([]byte, 1500)
		for ctx.Err() == nil {
			_ = refl.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			n, from, err := refl.ReadFrom(buf)
			if err == nil {
				_, _ = refl.WriteTo(buf[:n], from)
			}
		}
	}()
	c, _ := NewCrypto(1, AES128CMHMACSHA1_80, 1)
	keys := &Keys{Suite: c.Suite, SendKey: c.Key, SendSalt: c.Salt, SendMKI: c.MKIBytes(), RecvKey: c.Key, RecvSalt: c.Salt, RecvMKI: c.MKIBytes()}
	// Send until three echoes are back (bounded by 3 s), not for a fixed
	// window that a loaded machine may fill with fewer sends.
	var meter Meter
	bye := make(chan struct{})
	go func() {
		defer close(bye)
		for meter.Counters().Echoed < 3 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	got, err := RunMedia(ctx, MediaConfig{Conn: conn, Remote: net.UDPAddrFromAddrPort(reflAddr), Keys: keys,
		Duration: 3 * time.Second, UntilBye: bye, Meter: &meter})
	<-bye
	if err != nil {
		t.Fatal(err)
	}
	if got.Echoed < 3 || got.Received != 0 || !got.OnlyEchoed() {
		t.Fatalf("counters %+v", got)
	}
}

// TestDTLSFingerprintMismatch: a peer whose certificate is not the one in
// its SDP fails the handshake with *FingerprintMismatchError.
func TestDTLSFingerprintMismatch(t *testing.T) {
	aConn, aAddr := listenUDP(t)
	bConn, bAddr := listenUDP(t)
	aCert, _ := selfsign.GenerateSelfSigned()
	bCert, _ := selfsign.GenerateSelfSigned()
	other, _ := selfsign.GenerateSelfSigned()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var bErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		s, err := DTLSHandshake(ctx, bConn, net.UDPAddrFromAddrPort(aAddr), DTLSConfig{Certificate: bCert,
			RemoteFingerprints: []Fingerprint{CertificateFingerprint(aCert.Certificate[0])}})
		if s != nil {
			s.Close()
		}
		bErr = err
	}()
	s, err := DTLSHandshake(ctx, aConn, net.UDPAddrFromAddrPort(bAddr), DTLSConfig{Certificate: aCert, Client: true,
		RemoteFingerprints: []Fingerprint{CertificateFingerprint(other.Certificate[0])}})
	if s != nil {
		s.Close()
	}
	cancel()
	wg.Wait()
	var fm *FingerprintMismatchError
	if !errors.As(err, &fm) || !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("client: want fingerprint mismatch, got %v (server %v)", err, bErr)
	}
	if bErr == nil {
		t.Fatal("server completed a handshake the client aborted")
	}
}

func mustAP(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestSDES32OfferTeamsOrder: the sdes-32 offer carries _32 (tag 1) then _80
// (tag 2), so a default answerer picks _80 and only a weak or _32-only one
// picks _32 (what SRTP-WEAK-SUITE reports).
func TestSDES32OfferTeamsOrder(t *testing.T) {
	off, err := NewOffer(OfferConfig{Kind: OfferSDES32, Addr: mustAP("127.0.0.1:4000")})
	if err != nil {
		t.Fatal(err)
	}
	if len(off.Crypto) != 2 || off.Crypto[0].Tag != 1 || off.Crypto[0].Suite != AES128CMHMACSHA1_32 ||
		off.Crypto[1].Tag != 2 || off.Crypto[1].Suite != AES128CMHMACSHA1_80 {
		t.Fatalf("crypto lines %+v", off.Crypto)
	}
	sess, err := Parse(off.SDP)
	if err != nil || len(sess.Audio().Crypto) != 2 {
		t.Fatalf("offer SDP does not carry both lines: %v\n%s", err, off.SDP)
	}
	neg, err := Answer(off.SDP, AnswerConfig{Policy: matrix.Required, Addr: mustAP("127.0.0.1:5000")})
	if err != nil {
		t.Fatal(err)
	}
	an, err := AnalyzeAnswer(off, neg.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if an.Suite != AES128CMHMACSHA1_80 || an.Chosen.Tag != 2 {
		t.Errorf("default answerer chose %v tag %d, want AES_CM_128_HMAC_SHA1_80 tag 2", an.Suite, an.Chosen.Tag)
	}
}

// TestRunMediaLocalError: keys this host cannot use are its own failure,
// a *LocalError naming the step, never something the peer did.
func TestRunMediaLocalError(t *testing.T) {
	conn, peer := listenUDP(t)
	_, err := RunMedia(context.Background(), MediaConfig{Conn: conn, Remote: net.UDPAddrFromAddrPort(peer), Keys: &Keys{Suite: SuiteUnknown}})
	var local *LocalError
	if !errors.As(err, &local) || local.Step != "set up the SRTP send context" {
		t.Fatalf("RunMedia with unusable keys: %v, want a *LocalError for the send context", err)
	}
}
