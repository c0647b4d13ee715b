package sipcheck

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sim"
	"github.com/voipsec/voipsec/srtpcheck"
)

func TestParseTo(t *testing.T) {
	for _, c := range []struct {
		in, user, err string
	}{
		{"+14255550100", "+14255550100", ""},
		{"uas", "uas", ""},
		{"5000", "5000", ""},
		{"sip:+14255550100@contoso.com", "+14255550100", ""},
		{"<sip:um-pilot@um01.contoso.com:5061;transport=tls>", "um-pilot", ""},
		{"sips:alice@[2001:db8::1]:5061", "alice", ""},
		{" %61lice ", "%61lice", ""},
		{"", "", "empty"},
		{"sip:contoso.com", "", "no user part"},
		{"tel:+14255550100", "", "tel: URIs are not accepted"},
		{"alice@contoso.com", "", "neither a user part nor a sip: URI"},
		{"sip:alice@", "", "not a valid SIP URI"},
		{"sip:alice@bad host", "", "invalid host"},
		{"two words", "", "not allowed in a user part"},
		{"semi;colon", "", "not allowed"},
		{"http://evil.example/", "", "neither a user part"},
		{strings.Repeat("9", 200), "", "longer than 128"},
	} {
		t.Run(c.in, func(t *testing.T) {
			u, err := ParseTo(c.in)
			switch {
			case c.err == "" && (err != nil || u != c.user):
				t.Fatalf("ParseTo(%q) = %q, %v; want %q", c.in, u, err, c.user)
			case c.err != "":
				var ue *URIError
				if !errors.As(err, &ue) || ue.Field != "To" || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseTo(%q) = %q, %v; want a To error saying %q", c.in, u, err, c.err)
				}
			}
		})
	}
}

func TestParseFrom(t *testing.T) {
	for _, c := range []struct {
		in  string
		ok  bool
		out string
	}{
		{"sip:probe@contoso.com", true, "sip:probe@contoso.com"},
		{"<sip:probe@10.0.0.1:5060>", true, "sip:probe@10.0.0.1:5060"},
		{"sips:gw@contoso.com", true, "sips:gw@contoso.com"},
		{"probe@contoso.com", false, ""},
		{"sip:", false, ""},
		{"sip:pro be@contoso.com", false, ""},
	} {
		out, err := ParseFrom(c.in)
		if (err == nil) != c.ok || out != c.out {
			t.Errorf("ParseFrom(%q) = %q, %v; want %q ok=%v", c.in, out, err, c.out, c.ok)
		}
	}
}

// TestBadFromIsAnError: a From that cannot be used makes the probe a
// configuration error, never a probe sent with the default From instead.
func TestBadFromIsAnError(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	for _, cfg := range []Config{{From: "not a uri"}, {To: "alice@contoso.com"}, {Offers: []Offer{Offer(99)}}} {
		cfg.Timeout = time.Second
		r := ProbeEndpoint(testCtx(t, 10*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
		if r.Status != StatusConfigError || !r.NotProbed() || r.Err() == nil || len(r.Options) != 0 {
			t.Errorf("%+v: status %s error %q options %d", cfg, r.Status, r.Error, len(r.Options))
		}
	}
	if n := e.invites.Load(); n != 0 {
		t.Fatalf("%d INVITEs sent with a bad configuration", n)
	}
}

// TestDefaultUser: without --to or a user in the target, calls go to the
// unroutable default user, never to a number nobody gave; with --to, to it.
func TestDefaultUser(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	cfg := quick()
	cfg.Offers = []Offer{srtpcheck.OfferPlain}
	r := ProbeEndpoint(testCtx(t, 10*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
	e.mu.Lock()
	ruri := e.lastRURI
	e.mu.Unlock()
	if r.To != DefaultUser || r.ToGiven || !strings.HasPrefix(ruri, "sip:"+DefaultUser+"@") {
		t.Fatalf("To %q given %v, Request-URI %q", r.To, r.ToGiven, ruri)
	}
	cfg.To = "+14255550100"
	r = ProbeEndpoint(testCtx(t, 10*time.Second), mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
	e.mu.Lock()
	ruri = e.lastRURI
	e.mu.Unlock()
	if r.To != "+14255550100" || !r.ToGiven || !strings.HasPrefix(ruri, "sip:+14255550100@") {
		t.Fatalf("To %q given %v, Request-URI %q", r.To, r.ToGiven, ruri)
	}
}

// TestOptionsPanicRecovered: a panic in an OPTIONS goroutine (a sipgo bug)
// is recorded as that attempt's internal error; the probe goes on.
func TestOptionsPanicRecovered(t *testing.T) {
	e := startEdge(t, "optional", nil)
	orig := sendOptions
	sendOptions = func(a *agent, ctx context.Context, t Target) OptionsResult {
		if t.Transport == TCP {
			panic("sipgo bug")
		}
		return orig(a, ctx, t)
	}
	defer func() { sendOptions = orig }()
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, e.udp), quick()) // UDP, and TCP too
	if len(r.Options) != 2 || r.Options[1].Status != StatusUnknownError || !strings.Contains(r.Options[1].Error, "internal error") {
		t.Fatalf("options %+v", r.Options)
	}
	if r.Options[0].Code != 200 || r.Effective == nil || *r.Effective != matrix.Optional {
		t.Fatalf("the probe did not go on over UDP: %+v, effective %v", r.Options[0], r.Effective)
	}
}

// TestInternalErrorsInconclusive: an OPTIONS or an offer that stopped on
// an internal error (a panic, recovered) observed nothing about the edge:
// the checks it would have decided are inconclusive with the bug hint,
// never a failure nor a hint about the edge.
func TestInternalErrorsInconclusive(t *testing.T) {
	e := startEdge(t, "optional", nil)
	origOptions, origInvite := sendOptions, sendInvite
	defer func() { sendOptions, sendInvite = origOptions, origInvite }()
	sendOptions = func(*agent, context.Context, Target) OptionsResult { panic("sipgo bug") }
	sendInvite = func(*agent, context.Context, Target, []byte) inviteOutcome { panic("offer bug") }
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+e.udp+";transport=udp"), quick())
	for _, o := range r.Offers {
		if o.Class() != ClassInternal {
			t.Errorf("%s: class %s (%s), want internal error", o.Name, o.Class(), o.Evidence())
		}
	}
	fs := Judge(r, declared(ptr(matrix.Secured), nil))
	got := worst(fs)
	for _, id := range []string{"SIP-NO-RESPONSE", "SRTP-NOT-SUPPORTED", "SRTP-NOT-REQUIRED", "UM-SRTP-MISMATCH"} {
		if got[id] != "inconclusive" {
			t.Errorf("%s = %q, want inconclusive", id, got[id])
		}
	}
	for _, f := range fs {
		if f.Severity == report.Inconclusive && f.Check != "SIP-CLEARTEXT-ACCEPTED" && !strings.Contains(f.Hint, "bug in voipsec") {
			t.Errorf("%s: hint %q, want the internal-error hint", f.Check, f.Hint)
		}
	}
	if t.Failed() {
		t.Log(dumpFindings(fs))
	}
}

// TestProgress: every step is reported, in order for one offer at a time,
// with the target's name.
func TestProgress(t *testing.T) {
	t.Parallel()
	s := startSim(t, sim.Config{PKI: simPKI, Encryption: matrix.Required, Transports: []string{sim.TLS}})
	var mu sync.Mutex
	var steps []string
	cfg := simProbeConfig()
	cfg.OfferConcurrency = 1
	cfg.MediaDuration = 200 * time.Millisecond
	cfg.Offers = []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferPlain}
	cfg.Progress = func(s Step) {
		mu.Lock()
		defer mu.Unlock()
		line := s.Target + " " + s.String()
		if s.Done {
			line += " → " + s.Outcome
		}
		steps = append(steps, line)
	}
	target := "tls://" + s.TLSAddr
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, target), cfg)
	// Each step as it starts, then as it ends with what came of it.
	want := []string{
		`TLS handshake$`,
		`TLS handshake → TLS 1\.3, TLS_[A-Z0-9_]+; no client certificate requested$`,
		`OPTIONS tls$`,
		`OPTIONS tls → 200 OK in [0-9.]+ ms$`,
		`offer 1 of 2 sdes-80$`,
		`offer 1 of 2 sdes-80 → 200 OK \(RTP/SAVP port [0-9]+, AES_CM_128_HMAC_SHA1_80\)$`,
		`media window sdes-80 \(200ms\)$`,
		`media window sdes-80 \(200ms\) → sent [0-9]+, received [1-9][0-9]*, authenticated [1-9][0-9]*, failed 0$`,
		`offer 2 of 2 plain-rtp$`,
		`offer 2 of 2 plain-rtp → 488 `,
	}
	if len(steps) != len(want) {
		t.Fatalf("steps %q, want %q\n%s", steps, want, r.Evidence)
	}
	for i, w := range want {
		if !regexp.MustCompile("^" + regexp.QuoteMeta(target+" ") + w).MatchString(steps[i]) {
			t.Errorf("step %d = %q, want %s", i, steps[i], w)
		}
	}
}

// A name that does not resolve ends its resolve step with the reason.
func TestProgressResolveFails(t *testing.T) {
	t.Parallel()
	var steps []Step
	cfg := Config{Progress: func(s Step) { steps = append(steps, s) }}
	r := ProbeEndpoint(testCtx(t, 10*time.Second), mustTarget(t, "med01.onion"), cfg)
	if !r.NotProbed() || len(steps) != 2 || steps[0].Done || !steps[1].Done || steps[1].Kind != StepResolve ||
		steps[1].Outcome != "the name does not resolve" {
		t.Fatalf("status %s, steps %+v", r.Status, steps)
	}
}

// TestTLSOnly: TLS, certificate and mutual-TLS facts, no SIP and no call;
// a target given without a transport is probed over TLS, an explicit
// cleartext one is refused.
func TestTLSOnly(t *testing.T) {
	t.Parallel()
	s := startSim(t, func() sim.Config { c := sim.Config{PKI: simPKI}; c.Preset(matrix.Secured); return c }())
	cfg := simProbeConfig()
	cfg.TLSOnly = true
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, s.TLSAddr), cfg) // host:port, no transport
	if r.Name != "tls://"+s.TLSAddr || r.TLS == nil || len(r.Options) != 0 || len(r.Offers) != 0 {
		t.Fatalf("name %s tls %v options %d offers %d", r.Name, r.TLS != nil, len(r.Options), len(r.Offers))
	}
	if len(s.Calls()) != 0 {
		t.Fatalf("TLS only placed %d calls", len(s.Calls()))
	}
	e := liveExpect(matrix.RoleUM)
	e.Declared.VoipSecurity = ptr(matrix.Secured)
	got := worst(Judge(r, e))
	for id, want := range map[string]string{"MTLS-NOT-REQUIRED": "pass", "UM-MTLS-NOT-ENFORCED": "pass", "TLS-HANDSHAKE-FAILED": "pass"} {
		if got[id] != want {
			t.Errorf("%s = %q, want %q", id, got[id], want)
		}
	}
	for _, id := range []string{"SIP-NO-RESPONSE", "SRTP-NOT-SUPPORTED", "UM-SRTP-MISMATCH", "SRTP-NOT-REQUIRED"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s judged though no call was placed", id)
		}
	}
	r = ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "tcp://"+s.TLSAddr), cfg)
	if r.Status != StatusConfigError || !strings.Contains(r.Error, "TLS only") {
		t.Fatalf("explicit TCP target with TLS only: %s %q", r.Status, r.Error)
	}
}

// TestInterrupted: a probe its context cuts during the offers says where;
// the offers it never finished are interrupted, and what they would have
// decided is inconclusive, never a verdict.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "ringing", nil) // never answers: every INVITE waits
	cfg := quick()
	cfg.Timeout = 5 * time.Second
	cfg.OfferConcurrency = 1
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := ProbeEndpoint(ctx, mustTarget(t, "sip:"+e.tcp+";transport=tcp"), cfg)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("an interrupted probe took %v", el)
	}
	if r.Status != StatusCanceled || !strings.HasPrefix(r.Interrupted, "during the offers: 0 of 7 done") {
		t.Fatalf("status %s interrupted %q", r.Status, r.Interrupted)
	}
	for _, o := range r.Offers {
		if !o.Interrupted {
			t.Errorf("%s not marked interrupted: %s", o.Name, o.Evidence())
		}
	}
	fs := Judge(r, liveDeclared(nil, ptr(matrix.Required)))
	for id, w := range map[string]string{"SRTP-NOT-SUPPORTED": "inconclusive", "SRTP-NOT-REQUIRED": "inconclusive", "UM-SRTP-MISMATCH": "inconclusive"} {
		if got := worst(fs)[id]; got != w {
			t.Errorf("%s = %q, want %q", id, got, w)
		}
	}
	for _, f := range fs {
		if f.Severity == report.Fail || (f.Severity == report.Inconclusive && !strings.Contains(f.Hint, "--timeout") && !strings.HasPrefix(f.Check, "TLS-")) {
			t.Errorf("%s %s: %s (hint %q)", f.Severity, f.Check, f.Summary, f.Hint)
		}
	}
	// The ringing INVITE was cancelled, not left behind.
	for deadline := time.Now().Add(3 * time.Second); e.cancels.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if e.cancels.Load() == 0 {
		t.Error("the interrupted INVITE was not cancelled")
	}
}

// TestNotStarted: a probe whose context is done before it starts sends
// nothing and says so; Judge makes what it would have decided
// inconclusive.
func TestNotStarted(t *testing.T) {
	t.Parallel()
	e := startEdge(t, "optional", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, target := range []string{"sip:" + e.udp + ";transport=udp", "sip:localhost:" + strings.Split(e.tcp, ":")[1] + ";transport=tcp"} {
		r := ProbeEndpoint(ctx, mustTarget(t, target), quick())
		if r.Status != StatusCanceled || r.Interrupted != "before the probe started" || len(r.Options) != 0 || len(r.Offers) != len(Offers) {
			t.Fatalf("%s: status %s interrupted %q options %d offers %d", target, r.Status, r.Interrupted, len(r.Options), len(r.Offers))
		}
		got := worst(Judge(r, liveDeclared(nil, ptr(matrix.Required))))
		for _, id := range []string{"SIP-NO-RESPONSE", "SRTP-NOT-SUPPORTED", "SRTP-NOT-REQUIRED", "UM-SRTP-MISMATCH"} {
			if got[id] != "inconclusive" {
				t.Errorf("%s: %s = %q, want inconclusive", target, id, got[id])
			}
		}
	}
	if e.invites.Load() != 0 { // ProbeEndpoint returned: anything it sent was sent
		t.Fatal("a probe that never started sent an INVITE")
	}
}

// TestDiagHeaders: the Warning, Reason and ms-diagnostics a peer sends are
// kept bounded in number and length, and printable.
func TestDiagHeaders(t *testing.T) {
	res := sip.NewResponse(404, "Not Found")
	for i := 0; i < 20; i++ {
		res.AppendHeader(sip.NewHeader("ms-diagnostics", "1003;reason=\"User\x1b[31m does not exist\";"+strings.Repeat("x", 500)))
	}
	res.AppendHeader(sip.NewHeader("ms-diagnostics-public", "1003;reason=\"public\""))
	got := diagHeaders(res, "ms-diagnostics", "ms-diagnostics-public")
	if len(got) != maxDiagHeaders {
		t.Fatalf("%d values kept, want %d", len(got), maxDiagHeaders)
	}
	for _, v := range got {
		if len(v) > maxDiagLen+3 || strings.ContainsRune(v, 0x1b) {
			t.Fatalf("value not bounded or not printable: %q", v)
		}
	}
	res = sip.NewResponse(503, "Service Unavailable")
	res.AppendHeader(sip.NewHeader("ms-diagnostics-public", `1008;reason="no route"`))
	if got := diagHeaders(res, "ms-diagnostics", "ms-diagnostics-public"); len(got) != 1 || got[0] != `1008;reason="no route"` {
		t.Fatalf("ms-diagnostics-public: %q", got)
	}
}
