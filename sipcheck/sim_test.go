package sipcheck

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sim"
	"github.com/voipsec/voipsec/srtpcheck"
)

// startSim runs the project's simulator in-process on loopback.
func startSim(t *testing.T, cfg sim.Config) *sim.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := sim.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		s.Close()
	})
	return s
}

var simPKI = func() *testpki.PKI {
	p, err := testpki.NewWithOptions(testpki.Options{Validity: 365 * 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	return p
}()

func simProbeConfig() Config {
	return Config{Timeout: 2 * time.Second, MediaDuration: 600 * time.Millisecond, OfferConcurrency: 8,
		ClientCert: &simPKI.Client, RootCAs: simPKI.CAPool}
}

// TestSimulator drives the probe against the simulator's modes and faults:
// each case names the findings it must produce; the clean case none at all.
func TestSimulator(t *testing.T) {
	secured, sipSecured := matrix.Secured, matrix.SIPSecured
	required := matrix.Required
	cases := []struct {
		name      string
		sim       func(*sim.Config)
		transport string
		declare   matrix.Declared
		expectTLS bool
		effective *matrix.EncryptionLevel
		want      map[string]report.Severity // check → worst severity, or absent
		clean     bool                       // nothing at warn or above
		reason    string                     // said by every inconclusive finding
	}{
		{name: "clean-secured-mtls", transport: TLS,
			sim:       func(c *sim.Config) { c.Preset(matrix.Secured) },
			declare:   matrix.Declared{VoipSecurity: &secured, Encryption: &required},
			effective: ptr(matrix.Required), clean: true,
			want: map[string]report.Severity{"SIP-CLEARTEXT-ACCEPTED": absent, "SDES-OVER-CLEARTEXT": report.Pass,
				"SRTP-NOT-REQUIRED": report.Pass, "SRTP-NOT-SUPPORTED": report.Pass, "SRTP-WEAK-SUITE": report.Pass,
				"SRTP-MEDIA-AUTH-FAILED": report.Pass, "DTLS-FINGERPRINT-MISMATCH": report.Pass, "SIP-OPTIONS-STATUS": report.Pass,
				"SIP-NO-RESPONSE": report.Pass, "UM-SRTP-MISMATCH": report.Pass, "UM-MTLS-NOT-ENFORCED": report.Pass,
				"UM-ENCRYPTION-INCOMPATIBLE": report.Pass, "MTLS-NOT-REQUIRED": report.Pass}},
		{name: "optional-over-udp-declared-secured", transport: UDP,
			sim:       func(c *sim.Config) { c.Encryption = matrix.Optional },
			declare:   matrix.Declared{VoipSecurity: &secured},
			effective: ptr(matrix.Optional),
			want: map[string]report.Severity{"SIP-CLEARTEXT-ACCEPTED": report.Fail, "SDES-OVER-CLEARTEXT": report.Fail,
				"SRTP-NOT-REQUIRED": report.Fail, "UM-SRTP-MISMATCH": report.Fail, "UM-MTLS-NOT-ENFORCED": report.Fail}},
		{name: "gateway-tcp-expect-tls", transport: TCP, expectTLS: true,
			sim:       func(c *sim.Config) { c.Encryption = matrix.Required },
			effective: ptr(matrix.Required),
			want:      map[string]report.Severity{"SIP-CLEARTEXT-ACCEPTED": report.Fail, "SDES-OVER-CLEARTEXT": report.Fail}},
		{name: "rejected-declared-required", transport: UDP,
			sim:       func(c *sim.Config) { c.Encryption = matrix.Rejected },
			declare:   matrix.Declared{Encryption: &required},
			effective: ptr(matrix.Rejected),
			want:      map[string]report.Severity{"SRTP-NOT-SUPPORTED": report.Fail, "SRTP-NOT-REQUIRED": report.Fail, "UM-SRTP-MISMATCH": report.Fail}},
		{name: "sipsecured-with-required-clients", transport: TLS,
			sim:       func(c *sim.Config) { c.Preset(matrix.SIPSecured) },
			declare:   matrix.Declared{VoipSecurity: &sipSecured, Encryption: &required},
			effective: ptr(matrix.Rejected),
			want:      map[string]report.Severity{"UM-ENCRYPTION-INCOMPATIBLE": report.Fail, "SRTP-NOT-SUPPORTED": report.Fail, "UM-SRTP-MISMATCH": report.Pass}},
		{name: "clean-sipsecured", transport: TLS,
			sim:       func(c *sim.Config) { c.Preset(matrix.SIPSecured) },
			declare:   matrix.Declared{VoipSecurity: &sipSecured},
			effective: ptr(matrix.Rejected), clean: true,
			want: map[string]report.Severity{"SRTP-NOT-SUPPORTED": report.Info, "UM-SRTP-MISMATCH": report.Pass,
				"UM-MTLS-NOT-ENFORCED": report.Pass, "SIP-CLEARTEXT-ACCEPTED": absent}},
		{name: "fault-wrong-srtp-key", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultWrongKey} },
			want: map[string]report.Severity{"SRTP-MEDIA-AUTH-FAILED": report.Fail}},
		{name: "fault-no-media", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultNoMedia} },
			want: map[string]report.Severity{"SRTP-NO-MEDIA": report.Warn}},
		{name: "fault-weak-suite", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultWeakSuite} },
			want: map[string]report.Severity{"SRTP-WEAK-SUITE": report.Warn}},
		{name: "fault-dtls-wrong-fingerprint", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultDTLSFingerprint} },
			want: map[string]report.Severity{"DTLS-FINGERPRINT-MISMATCH": report.Fail}},
		{name: "fault-echo-media", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultEchoMedia} },
			want: map[string]report.Severity{"SRTP-NO-MEDIA": report.Warn}},
		// A 503 to every INVITE says nothing about SRTP: inconclusive, and
		// the declared policy's check too.
		{name: "fault-invite-5xx", transport: UDP,
			sim:     func(c *sim.Config) { c.Faults = []sim.Fault{sim.FaultInvite5xx} },
			declare: matrix.Declared{Encryption: &required},
			want: map[string]report.Severity{"SRTP-NOT-SUPPORTED": report.Inconclusive, "SRTP-NOT-REQUIRED": report.Inconclusive,
				"UM-SRTP-MISMATCH": report.Inconclusive, "SIP-NO-RESPONSE": report.Pass},
			reason: `every INVITE got 503 Service Unavailable (ms-diagnostics: 1000;reason="Simulated service failure (fault invite-5xx)"`},
		// 488 to every offer, the plain one included: a codec or profile
		// mismatch, not an SRTP verdict.
		{name: "fault-reject-all", transport: TCP,
			sim:    func(c *sim.Config) { c.Faults = []sim.Fault{sim.FaultReject488} },
			want:   map[string]report.Severity{"SRTP-NOT-SUPPORTED": report.Inconclusive},
			reason: "codec or profile mismatch"},
		// INVITE answered, OPTIONS not: the edge answers SIP; the
		// unanswered keep-alive is a warning of its own.
		{name: "fault-no-options", transport: UDP,
			sim:       func(c *sim.Config) { c.Encryption = matrix.Optional; c.Faults = []sim.Fault{sim.FaultNoOptions} },
			effective: ptr(matrix.Optional),
			want:      map[string]report.Severity{"SIP-NO-RESPONSE": report.Pass, "SIP-OPTIONS-STATUS": report.Warn, "SRTP-NOT-SUPPORTED": report.Pass}},
		{name: "fault-slow-answer", transport: TCP,
			sim: func(c *sim.Config) {
				c.Faults = []sim.Fault{sim.FaultSlowAnswer}
				c.SlowAnswer = 4 * time.Second
			},
			want:   map[string]report.Severity{"SIP-NO-RESPONSE": report.Fail, "SRTP-NOT-SUPPORTED": report.Inconclusive},
			reason: "the sdes-80 offer got no answer"},
		{name: "fault-expired-cert", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultExpiredCert} },
			want: map[string]report.Severity{"TLS-CERT-EXPIRED": report.Fail}},
		{name: "fault-wrong-name-cert", transport: TLS,
			sim:  func(c *sim.Config) { c.Encryption = matrix.Required; c.Faults = []sim.Fault{sim.FaultWrongNameCert} },
			want: map[string]report.Severity{"TLS-CERT-NAME-MISMATCH": report.Fail}},
		{name: "fault-no-clientauth-eku", transport: TLS,
			sim: func(c *sim.Config) {
				c.Preset(matrix.Secured)
				c.Faults = []sim.Fault{sim.FaultNoClientAuthEKU}
			},
			declare: matrix.Declared{VoipSecurity: &secured},
			want:    map[string]report.Severity{"TLS-CERT-EKU": report.Fail}},
		{name: "tls-without-mtls-declared-secured", transport: TLS,
			sim:     func(c *sim.Config) { c.Encryption = matrix.Required; c.MTLS = sim.MTLSNone },
			declare: matrix.Declared{VoipSecurity: &secured},
			want:    map[string]report.Severity{"UM-MTLS-NOT-ENFORCED": report.Fail}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc := sim.Config{PKI: simPKI, MaxCallDuration: 5 * time.Second, AckTimeout: 3 * time.Second}
			c.sim(&sc)
			s := startSim(t, sc)
			addr := s.Addr(c.transport)
			if addr == "" {
				t.Fatalf("simulator has no %s listener", c.transport)
			}
			cfg := simProbeConfig()
			pol := testPolicy{declared: c.declare, expectTLS: c.expectTLS}
			// A clean TLS edge is clean only when its versions and suites
			// were tried: without enumeration they are inconclusive.
			cfg.Enumerate = c.clean && c.transport == TLS
			if c.name == "fault-slow-answer" {
				cfg.Timeout = time.Second
				cfg.Offers = []Offer{Offers[0]}
			}
			r := ProbeEndpoint(testCtx(t, 40*time.Second), mustTarget(t, "sip:"+addr+";transport="+c.transport), cfg)
			if c.effective != nil && (r.Effective == nil || *r.Effective != *c.effective) {
				t.Errorf("effective %v, want %v\n%s", r.Effective, *c.effective, r.Evidence)
			}
			worst := map[string]report.Severity{}
			seen := map[string]bool{}
			fs := judged(r, pol)
			for _, f := range fs {
				if !seen[f.Check] || f.Severity.Rank() > worst[f.Check].Rank() {
					worst[f.Check] = f.Severity
				}
				seen[f.Check] = true
				if c.clean && (f.Severity.AtLeast(report.Warn) || f.Severity == report.Inconclusive) {
					t.Errorf("clean case: %s %s: %s (%s)", f.Severity, f.Check, f.Summary, f.Detail)
				}
				if _, listed := c.want[f.Check]; listed && f.Severity == report.Inconclusive && (c.reason == "" || !strings.Contains(f.Summary, c.reason) || f.Hint == "") {
					t.Errorf("%s inconclusive: %q (hint %q), want the reason %q and a hint", f.Check, f.Summary, f.Hint, c.reason)
				}
			}
			for id, sev := range c.want {
				if sev == absent {
					if seen[id] {
						t.Errorf("%s = %v, want no finding (the check does not apply)", id, worst[id])
					}
					continue
				}
				if !seen[id] || worst[id] != sev {
					t.Errorf("%s = %v (seen %v), want %v", id, worst[id], seen[id], sev)
				}
			}
			if c.name == "fault-echo-media" {
				echo := false
				for _, f := range fs {
					echo = echo || (f.Check == "SRTP-NO-MEDIA" && strings.Contains(f.Summary, "echoed"))
				}
				if !echo {
					t.Error("echoed media not told apart from no media")
				}
			}
			// Every answered dialog was hung up: the simulator ends up idle.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.WaitIdle(ctx); err != nil {
				t.Errorf("simulator still has %d active calls: dialogs not cleaned up", s.Active())
			}
			for _, cs := range s.Calls() {
				// A failed DTLS handshake may make the simulator end the call first.
				if cs.Status/100 == 2 && cs.EndReason != "bye" && !(cs.DTLS && cs.EndReason == "dtls-failed") {
					t.Errorf("call %s ended by %q, want bye", cs.CallID, cs.EndReason)
				}
			}
			if t.Failed() {
				t.Log(r.Evidence + "\n" + dump(r))
			}
		})
	}
}

func TestSimulatorCallRouter(t *testing.T) {
	t.Parallel()
	for _, tp := range []string{TCP, TLS} {
		t.Run(tp, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, sim.Config{PKI: simPKI, Encryption: matrix.Required, CallRouter: true, MaxCallDuration: 5 * time.Second})
			r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+s.Addr(tp)+";transport="+tp), simProbeConfig())
			if r.Redirect == nil {
				t.Fatalf("302 not followed\n%s", r.Evidence)
			}
			if r.Redirect.Effective == nil || *r.Redirect.Effective != matrix.Required {
				t.Fatalf("worker effective %v\n%s", r.Redirect.Effective, r.Redirect.Evidence)
			}
			if tp == TLS && r.Redirect.TLS == nil {
				t.Error("the worker's TLS was not probed")
			}
			if r.Redirect.Target.Transport != tp {
				t.Errorf("worker probed over %s, want %s", r.Redirect.Target.Transport, tp)
			}
			worker := 0
			for _, cs := range s.Calls() {
				if cs.Worker && cs.Secure && cs.Media.Authenticated > 0 {
					worker++
				}
			}
			if worker == 0 {
				t.Fatal("no authenticated SRTP call at the worker")
			}
		})
	}
}

func TestSimulatorIPv6(t *testing.T) {
	t.Parallel()
	if c, err := net.ListenPacket("udp", "[::1]:0"); err != nil {
		t.Skip("no IPv6 loopback")
	} else {
		c.Close()
	}
	s := startSim(t, sim.Config{PKI: simPKI, Listen: "::1", Encryption: matrix.Optional, MaxCallDuration: 5 * time.Second})
	for _, tp := range []string{UDP, TLS} {
		r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+s.Addr(tp)+";transport="+tp), simProbeConfig())
		if r.Effective == nil || *r.Effective != matrix.Optional {
			t.Fatalf("%s over IPv6: effective %v\n%s", tp, r.Effective, r.Evidence)
		}
		if findings(r)["SRTP-MEDIA-AUTH-FAILED"] != "pass" {
			t.Fatalf("%s over IPv6: media\n%s", tp, dump(r))
		}
	}
}

// TestTLSPortWithoutTransport: a TLS listener on a port that does not mean
// TLS by default (here an ephemeral one), given as plain host:port, is found
// to speak TLS after UDP and TCP go unanswered, and is probed over TLS with
// the reason in SIP-NO-RESPONSE.
func TestTLSPortWithoutTransport(t *testing.T) {
	s := startSim(t, sim.Config{PKI: simPKI, Encryption: matrix.Required, MTLS: sim.MTLSRequire, Transports: []string{sim.TLS}})
	target, err := ParseTarget(s.TLSAddr)
	if err != nil {
		t.Fatal(err)
	}
	if target.Transport != UDP || target.Explicit {
		t.Fatalf("precondition: %s parsed as %s explicit=%v", s.TLSAddr, target.Transport, target.Explicit)
	}
	cfg := simProbeConfig()
	cfg.Timeout = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := ProbeEndpoint(ctx, target, cfg)
	if res.Name != "tls://"+s.TLSAddr {
		t.Fatalf("probed as %s", res.Name)
	}
	if res.Effective == nil || *res.Effective != matrix.Required {
		t.Errorf("effective level %v, want required", res.Effective)
	}
	var note *report.Finding
	fs := judged(res, testPolicy{})
	for i, f := range fs {
		if f.Check == "SIP-NO-RESPONSE" {
			if note != nil {
				t.Errorf("SIP-NO-RESPONSE reported twice")
			}
			note = &fs[i]
		}
	}
	if note == nil || note.Severity != report.Info || !strings.Contains(note.Summary, "speaks TLS") ||
		!strings.Contains(note.Detail, "udp: connection-refused") || !strings.Contains(note.Detail, "tls://"+s.TLSAddr) {
		t.Fatalf("SIP-NO-RESPONSE = %+v", note)
	}
	// Cleartext was tried and found shut (UDP port unreachable, the TCP
	// port speaks TLS): where TLS is required, that passes.
	if got := worst(judged(res, testPolicy{expectTLS: true}))["SIP-CLEARTEXT-ACCEPTED"]; got != "pass" {
		t.Errorf("SIP-CLEARTEXT-ACCEPTED = %q, want pass\n%s", got, dumpFindings(judged(res, testPolicy{expectTLS: true})))
	}
	var transports []string
	for _, o := range res.Options {
		transports = append(transports, o.Transport)
	}
	if strings.Join(transports, ",") != "udp,tcp,tls" {
		t.Errorf("OPTIONS evidence over %v, want udp,tcp,tls", transports)
	}

	// A port that speaks neither SIP nor TLS is not retried.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { time.Sleep(2 * time.Second); c.Close() }()
		}
	}()
	silent, _ := ParseTarget(ln.Addr().String())
	cfg.MediaDuration = -1
	cfg.Offers = []Offer{srtpcheck.OfferPlain}
	res = ProbeEndpoint(ctx, silent, cfg)
	if strings.HasPrefix(res.Name, "tls://") {
		t.Errorf("a silent port was retried as TLS")
	}
}
