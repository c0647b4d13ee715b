package sipcheck

import (
	"crypto/tls"
	"crypto/x509"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sim"
	"github.com/voipsec/voipsec/srtpcheck"
)

func quick() Config {
	return Config{Timeout: 2 * time.Second, MediaDuration: -1, OfferConcurrency: 8}
}

func ptr[T any](v T) *T { return &v }

func TestProbeOptionsUDPAndTCP(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, e.udp), Config{Timeout: 2 * time.Second, MediaDuration: -1, Offers: []Offer{}})
	// host:port without a transport: UDP, and TCP as well (refused here).
	if len(r.Options) != 2 || r.Options[1].Transport != TCP || r.Options[1].Status != StatusConnectionRefused {
		t.Fatalf("options %+v", r.Options)
	}
	o := r.Options[0]
	if o.Code != 200 || o.Server != "FakeEdge/1.0" || len(o.Allow) != 5 || o.Supported[0] != "timer" || o.RTTMillis <= 0 {
		t.Fatalf("OPTIONS result %+v", o)
	}
	// TCP to the TCP listener.
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), Config{Timeout: 2 * time.Second, MediaDuration: -1, Offers: []Offer{}})
	if r.Options[0].Code != 200 || r.Options[0].Transport != TCP {
		t.Fatalf("TCP OPTIONS %+v", r.Options[0])
	}
}

func TestProbeEffectiveLevel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		policy string
		want   matrix.EncryptionLevel
	}{
		{"required", matrix.Required},
		{"optional", matrix.Optional},
		{"rejected", matrix.Rejected},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			t.Parallel()
			e := startEdge(t, c.policy, nil)
			r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
			if r.Effective == nil || *r.Effective != c.want {
				t.Fatalf("effective %v, want %v\n%s\n%s", r.Effective, c.want, r.Evidence, dump(r))
			}
			if got, want := int(e.byes.Load()), countAccepted(r); got != want {
				t.Errorf("BYEs %d, accepted dialogs %d: every answered dialog must be hung up", got, want)
			}
			// ACK is fire-and-forget: the edge may handle it after the BYE.
			for deadline := time.Now().Add(2 * time.Second); e.acks.Load() < int32(countAccepted(r)) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if e.acks.Load() < int32(countAccepted(r)) {
				t.Errorf("ACKs %d < accepted %d", e.acks.Load(), countAccepted(r))
			}
			f := findings(r)
			if c.policy != "rejected" && f["SDES-OVER-CLEARTEXT"] != "fail" {
				t.Errorf("SDES over UDP not reported:\n%s", dump(r))
			}
		})
	}
}

func countAccepted(r *Result) int {
	n := 0
	for _, o := range r.Offers {
		if o.Code/100 == 2 {
			n++
		}
	}
	return n
}

func TestProbePolicyFindings(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	pol := testPolicy{declared: matrix.Declared{VoipSecurity: ptr(matrix.Secured)}}
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
	f := worst(judged(r, pol))
	for id, sev := range map[string]string{
		"SIP-CLEARTEXT-ACCEPTED": "fail",
		"SRTP-NOT-REQUIRED":      "fail",
		"UM-SRTP-MISMATCH":       "fail",
		"UM-MTLS-NOT-ENFORCED":   "fail",
		"SDES-OVER-CLEARTEXT":    "fail",
		"SRTP-NOT-SUPPORTED":     "pass",
		"SIP-OPTIONS-STATUS":     "pass",
	} {
		if f[id] != sev {
			t.Errorf("%s = %q, want %q\n%s", id, f[id], sev, dump(r))
		}
	}
}

func TestProbeRejectedEdge(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "rejected", nil)
	pol := testPolicy{declared: matrix.Declared{Encryption: ptr(matrix.Required)}}
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
	f := worst(judged(r, pol))
	if f["SRTP-NOT-SUPPORTED"] != "fail" || f["SRTP-NOT-REQUIRED"] != "fail" || f["UM-SRTP-MISMATCH"] != "fail" {
		t.Fatalf("findings %v\n%s", f, dump(r))
	}
	if _, ok := f["SDES-OVER-CLEARTEXT"]; ok {
		t.Errorf("plain answers carry no keys, SDES-OVER-CLEARTEXT must be absent\n%s", dump(r))
	}
}

func TestProbeWeakSuite(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	e.set(func(f *fakeEdge) {
		f.suites = []srtpcheck.Suite{srtpcheck.AES128CMHMACSHA1_32, srtpcheck.AES128CMHMACSHA1_80}
	}) // prefers _32
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
	if findings(r)["SRTP-WEAK-SUITE"] != "warn" {
		t.Fatalf("weak suite not reported\n%s", dump(r))
	}
	strict := startEdge(t, "optional", nil) // default preference: _80 first
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+strict.udp+";transport=udp"), quick())
	if findings(r)["SRTP-WEAK-SUITE"] != "pass" {
		t.Fatalf("_80-preferring edge: %v\n%s", findings(r)["SRTP-WEAK-SUITE"], dump(r))
	}
}

func TestProbeNoResponse(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "silent", nil)
	cfg := quick()
	cfg.Timeout = 700 * time.Millisecond
	start := time.Now()
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), cfg)
	// Silence is a finding: the edge was probed and answered nothing.
	if findings(r)["SIP-NO-RESPONSE"] != "fail" || r.NotProbed() || r.Err() != nil {
		t.Fatalf("status %s\n%s", r.Status, dump(r))
	}
	if c := Observe(r).CleartextAccepted; c != nil {
		t.Errorf("silence read as cleartext accepted=%v: silence is not refusal", *c)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("silent edge took %v: every step must be bounded by the timeout", el)
	}
	// Nothing listening: the target could not be probed, an operational
	// error with words, and no security finding at all.
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:127.0.0.1:1;transport=tcp"), cfg)
	if !r.NotProbed() || r.Status != StatusConnectionRefused || len(Judge(r, Expect{})) != 0 {
		t.Fatalf("closed port: status %s\n%s", r.Status, dump(r))
	}
	if got, want := r.Err().Error(), "tcp://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: TCP connection refused"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	// The same port with no transport named: UDP is tried too, and the
	// host answers it with ICMP port unreachable, which sipgo does not
	// report. Nothing listens on either transport: not probed, not a
	// silent edge.
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "127.0.0.1:1"), cfg)
	if !r.NotProbed() || r.Status != StatusConnectionRefused || len(Judge(r, Expect{})) != 0 {
		t.Fatalf("closed UDP and TCP port: status %s options %+v\n%s", r.Status, r.Options, dump(r))
	}
	if got, want := r.Err().Error(), "udp://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: UDP port unreachable, TCP connection refused"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
}

func TestProbeCancelsRingingInvite(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "ringing", nil)
	cfg := quick()
	cfg.Timeout = 800 * time.Millisecond
	cfg.Offers = []Offer{srtpcheck.OfferPlain}
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
	if e.cancels.Load() != 1 || r.Offers[0].Cleanup != "cancel" {
		t.Fatalf("cancels %d cleanup %q\n%s", e.cancels.Load(), r.Offers[0].Cleanup, dump(r))
	}
}

// TestProbe488Everything: 488 to every offer, the plain one included, is a
// codec or profile mismatch: no effective level and no SRTP verdict.
func TestProbe488Everything(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "488", nil)
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
	if r.Effective != nil || !strings.Contains(r.EffectiveReason, "codec or profile mismatch") {
		t.Errorf("effective %v (%s) from 488 to everything", r.Effective, r.EffectiveReason)
	}
	if findings(r)["SRTP-NOT-SUPPORTED"] != "inconclusive" {
		t.Fatalf("%s", dump(r))
	}
}

func TestProbeFollowsRedirect(t *testing.T) {
	t.Parallel()
	worker := startEdge(t, "required", nil)
	router := startEdge(t, "redirect", nil)
	router.set(func(f *fakeEdge) { f.redirect = "sip:" + worker.udp + ";transport=udp" })
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+router.udp+";transport=udp"), quick())
	if r.Redirect == nil || r.Redirection == nil || r.Redirection.Outcome != RedirectFollowed {
		t.Fatalf("302 to the same host not followed: %+v\n%s", r.Redirection, dump(r))
	}
	if r.Redirect.Effective == nil || *r.Redirect.Effective != matrix.Required {
		t.Fatalf("worker effective %v\n%s", r.Redirect.Effective, dump(r))
	}
	if worker.invites.Load() == 0 {
		t.Fatal("worker saw no INVITE")
	}
	// The router's media checks are the worker's, judged under its name.
	fs := Judge(r, liveDeclared(nil, ptr(matrix.Required)))
	for _, f := range fs {
		if f.Target == r.Name && (strings.HasPrefix(f.Check, "SRTP-") || f.Check == "UM-SRTP-MISMATCH") {
			t.Errorf("router judged on media it never carried: %s %s %s", f.Severity, f.Check, f.Summary)
		}
	}
	if got := worstFor(fs, r.Redirect.Name); got["SRTP-NOT-REQUIRED"] != "pass" || got["UM-SRTP-MISMATCH"] != "pass" {
		t.Errorf("worker findings %v", got)
	}
}

// TestProbeRedirectOffHost: a 3xx to another host that was not named is not
// followed (no probe, no client certificate, no call goes there); it is
// reported with its Contact, and the media checks are inconclusive.
func TestProbeRedirectOffHost(t *testing.T) {
	t.Parallel()
	other := startSim(t, sim.Config{PKI: simPKI, Listen: "127.0.0.2", Encryption: matrix.Required, Transports: []string{sim.UDP}})
	router := startEdge(t, "redirect", nil)
	contact := "sip:" + other.UDPAddr + ";transport=udp"
	router.set(func(f *fakeEdge) { f.redirect = contact })
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+router.udp+";transport=udp"), quick())
	if r.Redirect != nil || r.Redirection == nil || r.Redirection.Outcome != RedirectOffHost {
		t.Fatalf("redirection %+v, followed %v", r.Redirection, r.Redirect != nil)
	}
	if n := len(other.Calls()); n != 0 {
		t.Fatalf("%d calls reached a host nobody named", n)
	}
	got := worst(Judge(r, liveDeclared(nil, ptr(matrix.Required))))
	if got["SIP-REDIRECT-NOT-FOLLOWED"] != "warn" || got["SRTP-NOT-SUPPORTED"] != "inconclusive" || got["UM-SRTP-MISMATCH"] != "inconclusive" {
		t.Fatalf("%v", got)
	}
	// Named, it is followed and judged.
	cfg := quick()
	cfg.RedirectHosts = []string{"127.0.0.2"}
	r = ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+router.udp+";transport=udp"), cfg)
	if r.Redirect == nil || r.Redirect.Effective == nil || *r.Redirect.Effective != matrix.Required {
		t.Fatalf("named host: redirection %+v\n%s", r.Redirection, dump(r))
	}
}

// TestProbeRedirectIdentity: a followed redirect to another (named) host is
// probed with that host's identity: --server-name, given for the router,
// is not reused, so the worker's own certificate is checked against its
// own name and no false name mismatch comes out.
func TestProbeRedirectIdentity(t *testing.T) {
	t.Parallel()
	routerCert, err := simPKI.Issue(testpki.IssueOptions{Hosts: []string{"router.test"}})
	if err != nil {
		t.Fatal(err)
	}
	workerCert, err := simPKI.Issue(testpki.IssueOptions{Hosts: []string{"127.0.0.2"},
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	w := startSim(t, sim.Config{PKI: simPKI, Certificate: &workerCert, Listen: "127.0.0.2", Encryption: matrix.Required, Transports: []string{sim.TLS}})
	router := startEdge(t, "redirect", &tls.Config{Certificates: []tls.Certificate{routerCert}})
	router.set(func(f *fakeEdge) { f.redirect = "sip:" + w.TLSAddr + ";transport=tls" })
	cfg := simProbeConfig()
	cfg.ServerName = "router.test"
	cfg.RedirectHosts = []string{"127.0.0.2"}
	cfg.Offers = []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferPlain}
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+router.tls+";transport=tls"), cfg)
	if r.Redirect == nil || r.Redirect.TLS == nil {
		t.Fatalf("redirect not followed over TLS: %+v", r.Redirection)
	}
	if sn := r.Redirect.TLS.ServerName; sn == "router.test" {
		t.Fatalf("the router's --server-name was reused for %s", r.Redirect.Name)
	}
	fs := Judge(r, liveExpect(matrix.RoleUM))
	if got := worstFor(fs, r.Name); got["TLS-CERT-NAME-MISMATCH"] != "pass" {
		t.Errorf("router name check: %v", got["TLS-CERT-NAME-MISMATCH"])
	}
	if got := worstFor(fs, r.Redirect.Name); got["TLS-CERT-NAME-MISMATCH"] != "pass" || got["SRTP-NOT-SUPPORTED"] != "pass" {
		t.Errorf("worker: %v", got)
	}
}

// TestProbeRedirectLoop: a 3xx back to the target itself is a loop: not
// followed, reported, and nothing is decided from it.
func TestProbeRedirectLoop(t *testing.T) {
	t.Parallel()
	router := startEdge(t, "redirect", nil)
	router.set(func(f *fakeEdge) { f.redirect = "sip:" + router.udp + ";transport=udp" })
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+router.udp+";transport=udp"), quick())
	if r.Redirection == nil || r.Redirection.Outcome != RedirectLoop || r.Redirect != nil {
		t.Fatalf("redirection %+v", r.Redirection)
	}
	got := worst(Judge(r, liveDeclared(nil, ptr(matrix.Required))))
	if got["SIP-REDIRECT-NOT-FOLLOWED"] != "warn" || got["SRTP-NOT-SUPPORTED"] != "inconclusive" {
		t.Fatalf("a redirect loop: %v", got)
	}
	for id, sev := range got {
		if sev == "pass" && (strings.HasPrefix(id, "SRTP-") || strings.HasPrefix(id, "UM-")) {
			t.Errorf("%s passed on a redirect loop", id)
		}
	}
}

// worstFor is worst() of the findings for one target.
func worstFor(fs []report.Finding, target string) map[string]string {
	var mine []report.Finding
	for _, f := range fs {
		if f.Target == target {
			mine = append(mine, f)
		}
	}
	return worst(mine)
}

func TestProbeHostileAnswer(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "hostile", nil)
	// TCP: sipgo will not send a UDP datagram this large.
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), quick())
	if findings(r)["SDP-ANSWER-MALFORMED"] != "warn" {
		t.Fatalf("malformed SDP not reported\n%s", dump(r))
	}
}

func TestSharedAddress(t *testing.T) {
	t.Parallel()
	a, b := mustTarget(t, "127.0.0.1:5061"), mustTarget(t, "127.0.0.1:5060")
	a.Addrs, _ = resolveLiteral(a)
	b.Addrs, _ = resolveLiteral(b)
	if f := SharedAddress(a, b); f.Severity.String() != "fail" {
		t.Fatalf("%+v", f)
	}
	c := mustTarget(t, "[::1]:5060")
	c.Addrs, _ = resolveLiteral(c)
	if f := SharedAddress(a, c); f.Severity.String() != "pass" {
		t.Fatalf("%+v", f)
	}
}

func mediaCfg() Config {
	return Config{Timeout: 2 * time.Second, MediaDuration: time.Second, OfferConcurrency: 8}
}

func TestProbeMediaAuthenticated(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	e.set(func(f *fakeEdge) { f.suites = []srtpcheck.Suite{srtpcheck.AES128CMHMACSHA1_80} })
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), mediaCfg())
	seen := map[Offer]bool{}
	for _, o := range r.Offers {
		if o.Media == nil {
			continue
		}
		m := o.Media
		if m.Sent == 0 || m.Received == 0 || m.Authenticated == 0 || m.Failed != 0 {
			t.Errorf("%s: media %+v", o.Offer, *m)
		}
		seen[o.Offer] = true
		if o.Offer == srtpcheck.OfferMSOptional && !m.MKI {
			t.Errorf("MS offer answered without MKI: %+v", o.Answer)
		}
	}
	for _, k := range []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferMSOptional, srtpcheck.OfferMSEncryptionRequired, srtpcheck.OfferDTLS} {
		if !seen[k] {
			t.Errorf("no media for %s\n%s", k, dump(r))
		}
	}
	f := findings(r)
	if f["SRTP-MEDIA-AUTH-FAILED"] != "pass" || f["DTLS-FINGERPRINT-MISMATCH"] != "pass" {
		t.Fatalf("%v\n%s", f, dump(r))
	}
	if _, bad := f["SRTP-NO-MEDIA"]; bad {
		t.Fatalf("SRTP-NO-MEDIA in the clean case\n%s", dump(r))
	}
}

func TestProbeMediaFaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		set  func(*fakeEdge)
		want string
	}{
		{"wrong-key", func(e *fakeEdge) { e.wrongKey = true }, "SRTP-MEDIA-AUTH-FAILED"},
		{"no-media", func(e *fakeEdge) { e.noMedia = true }, "SRTP-NO-MEDIA"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startEdge(t, "required", nil)
			e.set(c.set)
			cfg := mediaCfg()
			cfg.Offers = []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferMSOptional}
			r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), cfg)
			if findings(r)[c.want] == "" || findings(r)[c.want] == "pass" {
				t.Fatalf("%s not reported\n%s", c.want, dump(r))
			}
		})
	}
}

func TestProbeTLSEdge(t *testing.T) {
	t.Parallel()
	pki, err := testpki.NewWithOptions(testpki.Options{Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(pki.CA)
	e := startEdge(t, "required", &tls.Config{
		Certificates: []tls.Certificate{pki.Server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	})
	e.set(func(f *fakeEdge) { f.suites = []srtpcheck.Suite{srtpcheck.AES128CMHMACSHA1_80} })
	cfg := mediaCfg()
	cfg.ClientCert, cfg.RootCAs = &pki.Client, pool
	pol := testPolicy{declared: matrix.Declared{VoipSecurity: ptr(matrix.Secured), Encryption: ptr(matrix.Required)}}
	cfg.Enumerate = true // clean only when versions and suites were tried
	tg := mustTarget(t, "sip:"+e.tls+";transport=tls")
	r := ProbeEndpoint(testCtx(t, 30*time.Second), tg, cfg)
	if r.TLS == nil || r.TLS.Handshake == nil {
		t.Fatalf("no TLS result\n%s", dump(r))
	}
	if r.Options[0].Code != 200 || r.Options[0].Transport != TLS {
		t.Fatalf("OPTIONS over TLS: %+v", r.Options[0])
	}
	if r.Effective == nil || *r.Effective != matrix.Required {
		t.Fatalf("effective %v\n%s", r.Effective, dump(r))
	}
	// The clean case: mutual TLS, SRTP required, keys over TLS, media
	// authenticated. Nothing at warn or above.
	for _, f := range judged(r, pol) {
		if f.Severity.AtLeast(report.Warn) || f.Severity == report.Inconclusive {
			t.Errorf("clean TLS edge: %s %s: %s (%s)", f.Severity, f.Check, f.Summary, f.Detail)
		}
	}
	got := worst(judged(r, pol))
	if _, ok := got["SIP-CLEARTEXT-ACCEPTED"]; ok {
		t.Errorf("SIP-CLEARTEXT-ACCEPTED = %q for a TLS target: no cleartext was tried, so it does not apply", got["SIP-CLEARTEXT-ACCEPTED"])
	}
	for _, id := range []string{"SDES-OVER-CLEARTEXT", "SRTP-NOT-REQUIRED", "UM-MTLS-NOT-ENFORCED", "UM-SRTP-MISMATCH", "SRTP-MEDIA-AUTH-FAILED", "DTLS-FINGERPRINT-MISMATCH"} {
		if got[id] != "pass" {
			t.Errorf("%s = %q, want pass", id, got[id])
		}
	}
	if t.Failed() {
		t.Log(dump(r))
	}
}

func TestProbeDTLSFingerprintMismatch(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "required", nil)
	e.set(func(f *fakeEdge) { f.badFP = true })
	cfg := mediaCfg()
	cfg.Offers = []Offer{srtpcheck.OfferDTLS}
	r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), cfg)
	if findings(r)["DTLS-FINGERPRINT-MISMATCH"] != "fail" {
		t.Fatalf("mismatch not reported\n%s\n%s", r.Evidence, dump(r))
	}
	if m := r.Offers[0].Media; m == nil || !strings.Contains(m.Error, "matches no a=fingerprint") || strings.Contains(m.Error, "srtpcheck") {
		t.Errorf("media error %q, want the mismatch in words", m.Error)
	}
}

func TestProbeFromTo(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	cfg := quick()
	cfg.Offers = []Offer{srtpcheck.OfferPlain}
	cfg.From, cfg.To = "sip:probe@contoso.com", "<sip:um-pilot@contoso.com>"
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
	if r.Offers[0].Code != 200 {
		t.Fatalf("%s", r.Evidence)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lastFrom != "sip:probe@contoso.com" || !strings.HasPrefix(e.lastRURI, "sip:um-pilot@127.0.0.1:") {
		t.Fatalf("From %q Request-URI %q", e.lastFrom, e.lastRURI)
	}
}

// TestProbeReleasesGoroutines: a probe leaves nothing running behind it
// (sipgo transports, media, DTLS), so a scan of many targets stays bounded.
func TestProbeReleasesGoroutines(t *testing.T) {
	e := startEdge(t, "optional", nil)
	time.Sleep(100 * time.Millisecond)
	base := runtime.NumGoroutine()
	cfg := mediaCfg()
	cfg.MediaDuration = 300 * time.Millisecond
	for _, tp := range []string{UDP, TCP} {
		addr := e.udp
		if tp == TCP {
			addr = e.tcp
		}
		r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+addr+";transport="+tp), cfg)
		if r.Effective == nil {
			t.Fatalf("%s", r.Evidence)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after the probes, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

func TestProbeOptionsErrorStatus(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "forbidden", nil)
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), quick())
	f := findings(r)
	if f["SIP-OPTIONS-STATUS"] != "warn" || f["SIP-NO-RESPONSE"] != "pass" {
		t.Fatalf("%v\n%s", f, dump(r))
	}
}

// TestProbeMTLSWithoutClientCert: an edge that requires mutual TLS,
// probed without a client certificate: TLS and MTLS are judged, SIP and
// media are not probed, and their checks are inconclusive with the hint to
// give one.
func TestProbeMTLSWithoutClientCert(t *testing.T) {
	t.Parallel()
	s := startSim(t, func() sim.Config { c := sim.Config{PKI: simPKI}; c.Preset(matrix.Secured); return c }())
	cfg := simProbeConfig()
	cfg.ClientCert = nil
	pol := testPolicy{declared: matrix.Declared{VoipSecurity: ptr(matrix.Secured)}}
	start := time.Now()
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+s.Addr(TLS)+";transport=tls"), cfg)
	if r.Status != StatusSuccess || !r.NeedsClientCert || len(r.Options) != 0 || len(r.Offers) != len(Offers) {
		t.Fatalf("status %s needs cert %v options %d offers %d", r.Status, r.NeedsClientCert, len(r.Options), len(r.Offers))
	}
	for _, o := range r.Offers {
		if o.Sent || o.NotSent == "" {
			t.Errorf("%s: sent %v not sent %q", o.Name, o.Sent, o.NotSent)
		}
	}
	f := worst(judged(r, pol))
	for id, want := range map[string]string{"SIP-NO-RESPONSE": "inconclusive", "SRTP-NOT-SUPPORTED": "inconclusive",
		"SRTP-NOT-REQUIRED": "inconclusive", "UM-SRTP-MISMATCH": "inconclusive", "MTLS-NOT-REQUIRED": "pass", "UM-MTLS-NOT-ENFORCED": "pass"} {
		if f[id] != want {
			t.Errorf("%s = %q, want %q\n%s", id, f[id], want, dumpFindings(judged(r, pol)))
		}
	}
	for _, x := range judged(r, pol) {
		if strings.HasPrefix(x.Check, "TLS-") {
			continue // tlsprobe's: versions and suites were not enumerated
		}
		if x.Severity == report.Inconclusive && !strings.Contains(x.Hint, "--cert") {
			t.Errorf("%s: hint %q does not name --cert", x.Check, x.Hint)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v: no SIP timeouts should be spent on an edge that refuses us", time.Since(start))
	}
}

func TestProbeResolvesNames(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	_, port, _ := strings.Cut(e.tcp, ":")
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:localhost:"+port+";transport=tcp"), quick())
	if len(r.Target.Addrs) == 0 || !r.Target.Addrs[0].Is4() || r.Options[0].Code != 200 {
		t.Fatalf("addrs %v options %+v", r.Target.Addrs, r.Options)
	}
	if r.Name != "tcp://localhost:"+port {
		t.Errorf("findings name the target %q, want the name the user gave", r.Name)
	}
	// A name that does not resolve: not probed, an operational error that
	// says so in words, and no security finding.
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "no-such-host.invalid:5060"), quick())
	if r.Status != StatusDNSError || !r.NotProbed() || len(Judge(r, Expect{})) != 0 {
		t.Fatalf("unresolvable: status %s\n%s", r.Status, dump(r))
	}
	if got, want := r.Err().Error(), "udp://no-such-host.invalid:5060: DNS lookup of no-such-host.invalid: the name does not resolve"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
}

// TestProbeSIPLegTLSAlert: an edge that ends the SIP leg's TLS handshake
// with an alert (here unknown_ca: it does not trust our client
// certificate) was never reached over SIP, so SIP-NO-RESPONSE cannot fail:
// it is inconclusive and points at the TLS findings.
func TestProbeSIPLegTLSAlert(t *testing.T) {
	t.Parallel()
	pki := testpki.NewT(t)
	other := testpki.NewT(t) // the CA the edge trusts, which did not sign our certificate
	e := startEdge(t, "required", &tls.Config{
		Certificates: []tls.Certificate{pki.Server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    other.CAPool,
		MaxVersion:   tls.VersionTLS12, // the alert comes in the handshake
	})
	cfg := quick()
	cfg.ClientCert = &pki.Client
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.tls+";transport=tls"), cfg)
	if len(r.Options) != 1 || r.Options[0].Status != StatusTLSError {
		t.Fatalf("OPTIONS over TLS: %+v\n%s", r.Options, dump(r))
	}
	if !strings.Contains(r.Options[0].Error, "TLS alert from the peer: unknown certificate authority") {
		t.Errorf("OPTIONS error %q does not name the alert", r.Options[0].Error)
	}
	f := judged(r, testPolicy{})
	if w := worst(f); w["SIP-NO-RESPONSE"] != "inconclusive" {
		t.Fatalf("SIP-NO-RESPONSE = %q, want inconclusive: SIP was never reached\n%s", w["SIP-NO-RESPONSE"], dumpFindings(f))
	}
}

// TestProbeTLSUsesResolvedAddress: the TLS facts come from the address the
// SIP leg dials, resolved with Config.Resolver, with the target's name as
// SNI: a name only the configured resolver knows is not looked up again
// (and failed) by the system resolver.
func TestProbeTLSUsesResolvedAddress(t *testing.T) {
	t.Parallel()
	pki := testpki.NewT(t)
	e := startEdge(t, "required", &tls.Config{Certificates: []tls.Certificate{pki.Server}})
	_, port, _ := strings.Cut(e.tls, ":")
	cfg := quick()
	cfg.RootCAs = pki.CAPool
	cfg.Resolver = fakeResolver{"edge.voipsec.invalid": {netip.MustParseAddr("127.0.0.1")}}
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:edge.voipsec.invalid:"+port+";transport=tls"), cfg)
	if r.TLS == nil || r.TLS.Handshake == nil {
		t.Fatalf("no TLS handshake: %+v\n%s", r.TLS, dump(r))
	}
	if r.TLS.Addr != "127.0.0.1:"+port || r.TLS.ServerName != "edge.voipsec.invalid" {
		t.Errorf("TLS probed %s with SNI %q, want 127.0.0.1:%s with the target's name", r.TLS.Addr, r.TLS.ServerName, port)
	}
	if r.Options[0].Code != 200 {
		t.Errorf("OPTIONS over TLS: %+v", r.Options[0])
	}
}

// TestProbeMediaNotRun: accepted SRTP whose media did not run — disabled,
// or an answer with nowhere to send it (c=0.0.0.0) — decides neither
// SRTP-NO-MEDIA nor the key and fingerprint checks: those are
// inconclusive, saying why.
func TestProbeMediaNotRun(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		hold   bool
		media  time.Duration
		reason string
		hint   string
	}{
		{"disabled", false, -1, "disabled", "--media-seconds"},
		{"hold", true, time.Second, "on hold", "address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startEdge(t, "required", nil)
			e.set(func(f *fakeEdge) { f.hold = c.hold })
			cfg := mediaCfg()
			cfg.MediaDuration = c.media
			cfg.Offers = []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferDTLS}
			r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), cfg)
			fs := judged(r, testPolicy{})
			got := worst(fs)
			if got["SRTP-NOT-SUPPORTED"] != "pass" {
				t.Fatalf("SRTP not accepted\n%s", dumpFindings(fs))
			}
			if _, ok := got["SRTP-NO-MEDIA"]; ok {
				t.Errorf("SRTP-NO-MEDIA = %s from media that did not run", got["SRTP-NO-MEDIA"])
			}
			seen := 0
			for _, f := range fs {
				if f.Check != "SRTP-MEDIA-AUTH-FAILED" && f.Check != "DTLS-FINGERPRINT-MISMATCH" {
					continue
				}
				seen++
				if f.Severity != report.Inconclusive || !strings.Contains(f.Summary, c.reason) || !strings.Contains(f.Hint, c.hint) {
					t.Errorf("%s = %s %q (hint %q), want inconclusive saying %q", f.Check, f.Severity, f.Summary, f.Hint, c.reason)
				}
			}
			if seen != 2 {
				t.Errorf("%d of SRTP-MEDIA-AUTH-FAILED and DTLS-FINGERPRINT-MISMATCH, want both", seen)
			}
			if t.Failed() {
				t.Log(dumpFindings(fs))
			}
		})
	}
}
