package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

func TestPresetAndRole(t *testing.T) {
	cases := []struct {
		v          matrix.VoipSecurity
		transports []string
		mtls       MTLS
		enc        matrix.EncryptionLevel
	}{
		{matrix.Unsecured, []string{UDP, TCP}, MTLSNone, matrix.Rejected},
		{matrix.SIPSecured, []string{TLS}, MTLSRequire, matrix.Rejected},
		{matrix.Secured, []string{TLS}, MTLSRequire, matrix.Required},
	}
	for _, c := range cases {
		var cfg Config
		cfg.Preset(c.v)
		if !slices.Equal(cfg.Transports, c.transports) || cfg.MTLS != c.mtls || cfg.Encryption != c.enc {
			t.Errorf("%v: %+v", c.v, cfg)
		}
	}
	var cfg Config
	cfg.ApplyRole(RoleMediationInternal, true)
	if cfg.TLSPort != 5061 || cfg.MTLS != MTLSRequire || !slices.Equal(cfg.Transports, []string{TLS}) {
		t.Errorf("internal edge %+v", cfg)
	}
	cfg = Config{Transports: []string{TCP}}
	cfg.ApplyRole(RoleMediationGateway, true)
	if cfg.SIPPort != 5060 {
		t.Errorf("gateway %+v", cfg)
	}
	cfg = Config{}
	cfg.ApplyRole(RoleMediationGateway, true)
	if cfg.SIPPort != 5060 || cfg.TLSPort != 5061 {
		t.Errorf("gateway with TCP and TLS %+v", cfg)
	}
	for _, s := range []string{"um", "mediation-internal", "mediation-gateway"} {
		if r, err := ParseRole(s); err != nil || r.String() != s {
			t.Errorf("role %q: %v %v", s, r, err)
		}
	}
	for _, f := range Faults {
		if g, err := ParseFault(string(f)); err != nil || g != f {
			t.Errorf("fault %q", f)
		}
	}
	if _, err := ParseFault("nope"); err == nil {
		t.Error("unknown fault parsed")
	}
	if _, err := ParseMTLS("sometimes"); err == nil {
		t.Error("unknown MTLS parsed")
	}
}

// TestIPv6 runs the simulator on ::1 and calls it with IPv6 media.
func TestIPv6(t *testing.T) {
	ln, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	s := startSim(t, Config{Listen: "::1", Encryption: matrix.Required, Transports: []string{UDP, TCP}})
	c := newCaller(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res, err := c.options(ctx, t, s.TCPAddr, TCP); err != nil || res.StatusCode != 200 {
		t.Fatalf("OPTIONS over TCP/IPv6: %v", err)
	}
	conn, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	off, _ := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: srtpcheck.OfferSDES80, Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()})
	neg, err := srtpcheck.Answer(off.SDP, srtpcheck.AnswerConfig{Policy: matrix.Required, Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()})
	if err != nil || !neg.Remote.Addr().Is6() {
		t.Fatalf("IPv6 SDP: %v %v", err, neg)
	}
	r := c.call6(ctx, t, s.UDPAddr, UDP)
	if r.Err != nil || r.Status != 200 || r.Media.Authenticated < 3 {
		t.Fatalf("IPv6 call %+v", r)
	}
	if st := waitEnded(t, s, r.CallID); st.Media.Authenticated < 3 || !net.ParseIP(hostOf(st.MediaAddr)).Equal(net.IPv6loopback) {
		t.Fatalf("sim %+v", st)
	}
}

func hostOf(hp string) string {
	h, _, _ := net.SplitHostPort(hp)
	return h
}

// TestMaxDurationBye: a call that outlives MaxCallDuration is hung up by
// the simulator with a BYE the caller receives.
func TestMaxDurationBye(t *testing.T) {
	s := startSim(t, Config{Encryption: matrix.Optional, Transports: []string{UDP}, MaxCallDuration: 500 * time.Millisecond})
	c := newCaller(t, nil)
	srv, err := sipgo.NewServer(c.ua)
	if err != nil {
		t.Fatal(err)
	}
	byes := make(chan string, 1)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		byes <- req.CallID().Value()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := c.call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferPlain, 1500*time.Millisecond)
	if r.Status != 200 {
		t.Fatalf("%+v", r)
	}
	select {
	case id := <-byes:
		if id != r.CallID {
			t.Fatalf("BYE for %s, want %s", id, r.CallID)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no BYE from the simulator")
	}
	st := waitEnded(t, s, r.CallID)
	if st.EndReason != "max-duration" || st.Err != "" {
		t.Fatalf("%+v", st)
	}
}

// TestTLSVersionAndCiphers: the TLS listener honours MinTLS/MaxTLS and the
// cipher-suite list.
func TestTLSVersionAndCiphers(t *testing.T) {
	pki := testpki.NewT(t)
	rsaCert, err := pki.Issue(testpki.IssueOptions{Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	s := startSim(t, Config{PKI: pki, Certificate: &rsaCert, Transports: []string{TLS}, MinTLS: tls.VersionTLS12, MaxTLS: tls.VersionTLS12,
		Ciphers: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	dial := func(c *tls.Config) (*tls.ConnectionState, error) {
		c.RootCAs, c.ServerName = pki.CAPool, "127.0.0.1"
		d := tls.Dialer{Config: c, NetDialer: &net.Dialer{Timeout: 2 * time.Second}}
		conn, err := d.DialContext(context.Background(), "tcp", s.TLSAddr)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		st := conn.(*tls.Conn).ConnectionState()
		return &st, nil
	}
	st, err := dial(&tls.Config{})
	if err != nil || st.Version != tls.VersionTLS12 || st.CipherSuite != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 {
		t.Fatalf("negotiated %+v, %v", st, err)
	}
	if _, err := dial(&tls.Config{MinVersion: tls.VersionTLS13}); err == nil {
		t.Fatal("TLS 1.3 accepted with MaxTLS 1.2")
	}
	if _, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}); err == nil {
		t.Fatal("cipher outside the list accepted")
	}
}

// TestPresetsDriven calls a simulator set up by each VoIPSecurity preset
// the way Exchange UM would behave under that dial plan level.
func TestPresetsDriven(t *testing.T) {
	pki := testpki.NewT(t)
	cases := []struct {
		v        matrix.VoipSecurity
		tr       string
		sdes     int // status for an SDES (RTP/SAVP) offer
		plain    int // status for a plain RTP offer
		noTCPTLS string
	}{
		{matrix.Unsecured, TCP, 488, 200, TLS},
		{matrix.SIPSecured, TLS, 488, 200, TCP},
		{matrix.Secured, TLS, 200, 488, TCP},
	}
	for _, c := range cases {
		t.Run(c.v.String(), func(t *testing.T) {
			cfg := Config{PKI: pki}
			cfg.Preset(c.v)
			s := startSim(t, cfg)
			if s.Addr(c.noTCPTLS) != "" {
				t.Fatalf("%s listening under %v", c.noTCPTLS, c.v)
			}
			cl := newCaller(t, &tls.Config{RootCAs: pki.CAPool, ServerName: "127.0.0.1", Certificates: []tls.Certificate{pki.Client}})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r := cl.call(ctx, t, s.Addr(c.tr), c.tr, srtpcheck.OfferSDES80, 200*time.Millisecond)
			if r.Status != c.sdes {
				t.Fatalf("SDES offer: %d (%v), want %d", r.Status, r.Err, c.sdes)
			}
			r = cl.call(ctx, t, s.Addr(c.tr), c.tr, srtpcheck.OfferPlain, 200*time.Millisecond)
			if r.Status != c.plain {
				t.Fatalf("plain offer: %d (%v), want %d", r.Status, r.Err, c.plain)
			}
			if r.Status == 200 && (r.Media.Received < 3 || r.Media.Authenticated != 0) {
				t.Fatalf("plain media %+v", r.Media)
			}
		})
	}
}

// TestMediaFaults: the faults that produce SRTP-WEAK-SUITE,
// DTLS-FINGERPRINT-MISMATCH and echo-only media in a probe.
func TestMediaFaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t.Run("weak-suite", func(t *testing.T) {
		for _, weak := range []bool{false, true} {
			cfg := Config{Encryption: matrix.Required, Transports: []string{UDP}}
			if weak {
				cfg.Faults = []Fault{FaultWeakSuite}
			}
			s := startSim(t, cfg)
			c := newCaller(t, nil)
			// Offer _80 (tag 1) and _32 (tag 2).
			c.mutate = func(t testing.TB, o *srtpcheck.Offer) {
				c32, err := srtpcheck.NewCrypto(2, srtpcheck.AES128CMHMACSHA1_32, 0)
				if err != nil {
					t.Fatal(err)
				}
				o.Crypto = append(o.Crypto, c32)
				o.SDP = append(o.SDP, []byte("a=crypto:"+c32.Value()+"\r\n")...)
			}
			r := c.call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferSDES80, 200*time.Millisecond)
			want := srtpcheck.AES128CMHMACSHA1_80
			if weak {
				want = srtpcheck.AES128CMHMACSHA1_32
			}
			if r.Status != 200 || r.Analysis.Suite != want || r.Media.Authenticated < 3 {
				t.Fatalf("weak=%v: %+v suite %v", weak, r, r.Analysis.Suite)
			}
		}
	})
	t.Run("dtls-wrong-fingerprint", func(t *testing.T) {
		s := startSim(t, Config{Encryption: matrix.Required, Transports: []string{UDP}, Faults: []Fault{FaultDTLSFingerprint}})
		r := newCaller(t, nil).call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferDTLS, 200*time.Millisecond)
		if r.Status != 200 || !errors.Is(r.Err, srtpcheck.ErrFingerprintMismatch) {
			t.Fatalf("status %d err %v", r.Status, r.Err)
		}
	})
	t.Run("echo-media", func(t *testing.T) {
		s := startSim(t, Config{Encryption: matrix.Required, Transports: []string{UDP}, Faults: []Fault{FaultEchoMedia}})
		r := newCaller(t, nil).call(ctx, t, s.UDPAddr, UDP, srtpcheck.OfferMSOptional, 300*time.Millisecond)
		if r.Status != 200 || !r.Media.OnlyEchoed() || r.Media.Echoed < 3 || r.Media.Authenticated != 0 {
			t.Fatalf("%+v", r.Media)
		}
		if st := waitEnded(t, s, r.CallID); st.Echoed < 3 {
			t.Fatalf("sim %+v", st)
		}
	})
}

// TestHostileOffers: malformed, hostile and huge SDP offers end in 488,
// never a panic or a hung call.
func TestHostileOffers(t *testing.T) {
	s := startSim(t, Config{Encryption: matrix.Required, Transports: []string{TCP}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bodies := map[string]string{
		"garbage":        "hello world",
		"bad port":       "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 99999999 RTP/SAVP 0\r\n",
		"bad crypto":     "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!|2^31|999:9\r\n",
		"no address":     "v=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n",
		"dtls no fp":     "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 UDP/TLS/RTP/SAVP 0\r\na=setup:actpass\r\n",
		"too many lines": "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\n" + strings.Repeat("a=x\r\n", 3000),
		"no G.711":       "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 96\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n",
	}
	c := newCaller(t, nil)
	for name, body := range bodies {
		c.mutate = func(_ testing.TB, o *srtpcheck.Offer) { o.SDP = []byte(body) }
		r := c.call(ctx, t, s.TCPAddr, TCP, srtpcheck.OfferSDES80, 100*time.Millisecond)
		t.Logf("%s: %d", name, r.Status)
		if r.Status != 488 && r.Status != 400 {
			t.Errorf("%s: status %d err %v", name, r.Status, r.Err)
		}
	}
	// A 488 ends its transaction once the ACK arrives; wait for that
	// instead of sampling Active() in the same instant.
	idle, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	if err := s.WaitIdle(idle); err != nil {
		t.Fatalf("hostile offers left %d calls active: %v", s.Active(), err)
	}
}
