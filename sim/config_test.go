package sim

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
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
	if r.Err != nil || r.Status != 200 || r.Media.Authenticated < 5 {
		t.Fatalf("IPv6 call %+v", r)
	}
	if st := waitEnded(t, s, r.CallID); st.Media.Authenticated < 5 || !net.ParseIP(hostOf(st.MediaAddr)).Equal(net.IPv6loopback) {
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
