package plan

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/srtpcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

const livePlan = `voipsec_plan: 1
media: {ports: 60000-64000}
exchange_um:
  dial_plans:
    - {name: DP, voip_security: Secured, pilot_number: "+14255550100"}
  servers:
    - fqdn: um01.contoso.com
      address: 127.0.0.1
      port: 15061
      transport: tls
      dial_plans: [DP]
mediation_servers:
  - fqdn: med01.contoso.com
    internal:
      address: 127.0.0.1
      port: 15062
      call_to: "+14255550199"
      expect: {mtls_required: true, min_tls: "1.2"}
    external: {address: 127.0.0.2, port: 15063, transport: tls}
    gateway: {address: 127.0.0.3, port: 15064, transport: tcp}
`

// tlsFacts is what tlsprobe observes of a server that completes a
// handshake: TLS 1.2, a certificate request when requested, and the verdict
// on a client without a certificate.
func tlsFacts(requested bool, acceptedWithoutCert bool, versions ...tlsprobe.Version) *tlsprobe.Result {
	ok := tlsprobe.Step{Status: tlsprobe.StatusOK}
	r := &tlsprobe.Result{Status: tlsprobe.StatusOK, Steps: tlsprobe.Steps{Handshake: ok},
		Handshake: &tlsprobe.Handshake{Version: "TLS 1.2", VersionID: 0x0303, CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		MTLS:      &tlsprobe.MTLS{CertificateRequested: requested, AcceptedWithoutClientCert: &acceptedWithoutCert},
		Versions:  versions}
	if len(versions) > 0 {
		r.Steps.Enumeration = &ok
	}
	return r
}

// offer is one answered INVITE dialog.
func offer(k sipcheck.Offer, code int, secure bool, port int) sipcheck.OfferResult {
	o := sipcheck.OfferResult{Offer: k, Name: k.String(), Transport: "tls", Sent: true, Status: sipcheck.StatusSuccess, Code: code}
	if code/100 == 2 {
		o.Secure, o.Plain = secure, !secure
		o.Answer = &sipcheck.Answer{Profile: "RTP/AVP", Port: port, Negotiated: secure}
		if secure {
			o.Answer.Profile = "RTP/SAVP"
		}
	}
	return o
}

// Unit test of the live path with a stand-in for sipcheck.ProbeEndpoint
// that returns facts: the config each endpoint is probed with (the number
// to call included), and that the judges' findings are retargeted to the
// plan's components and located at the plan line that declares what each
// check judges, once per check and target.
func TestLivePlacesFindings(t *testing.T) {
	p, err := Parse("live.yaml", []byte(livePlan))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	probe := func(ctx context.Context, tg sipcheck.Target, cfg sipcheck.Config) *sipcheck.Result {
		calls.Add(1)
		res := &sipcheck.Result{Target: tg, Name: tg.String(), Status: sipcheck.StatusSuccess, ToGiven: cfg.To != "", To: cfg.To}
		switch tg.Port {
		case 15061: // UM of a Secured dial plan that takes plain RTP, on a port outside media.ports
			if cfg.To != "+14255550100" || cfg.ServerName != "um01.contoso.com" || !cfg.Enumerate {
				t.Errorf("UM probed with %+v", cfg)
			}
			res.TLS = tlsFacts(true, false)
			res.Options = []sipcheck.OptionsResult{{Transport: "tls", Status: sipcheck.StatusSuccess, Code: 200, Reason: "OK"}}
			res.Offers = []sipcheck.OfferResult{offer(srtpcheck.OfferSDES80, 200, true, 61000), offer(srtpcheck.OfferPlain, 200, false, 1234)}
		case 15062: // internal edge: takes a handshake without a client certificate, accepts TLS 1.0
			if cfg.To != "+14255550199" {
				t.Errorf("internal edge probed with %+v", cfg)
			}
			res.TLS = tlsFacts(true, true, tlsprobe.Version{Version: "TLS 1.0", ID: 0x0301, Accepted: true},
				tlsprobe.Version{Version: "TLS 1.2", ID: 0x0303, Accepted: true})
			res.TLSOnly = true // no SIP facts needed here
		case 15063: // external edge: no certificate request, which its role does not require
			if cfg.To != "" {
				t.Errorf("external edge called %q, a number the plan does not give", cfg.To)
			}
			res.TLS = tlsFacts(false, true)
			res.TLSOnly = true
		case 15064: // gateway over TCP answers in cleartext
			if cfg.Enumerate {
				t.Error("TLS enumeration of a TCP endpoint")
			}
			res.Options = []sipcheck.OptionsResult{{Transport: "tcp", Status: sipcheck.StatusSuccess, Code: 200, Reason: "OK"}}
			res.Offers = []sipcheck.OfferResult{}
		}
		res.Effective, res.EffectiveReason = sipcheck.Effective(res.Offers)
		return res
	}
	fs, results := Live(context.Background(), p, LiveOptions{Probe: probe, Concurrency: 2})
	if calls.Load() != 4 || len(results) != 4 {
		t.Fatalf("%d probes, %d results", calls.Load(), len(results))
	}
	type want struct {
		check, target string
		sev           report.Severity
		loc           string
	}
	const (
		um       = "UM um01.contoso.com tls://127.0.0.1:15061"
		internal = "Mediation med01.contoso.com internal edge tls://127.0.0.1:15062"
		external = "Mediation med01.contoso.com external edge tls://127.0.0.2:15063"
		gateway  = "gateway tcp://127.0.0.3:15064"
	)
	wants := []want{
		{"UM-SRTP-MISMATCH", um, report.Fail, "live.yaml:5:33"},
		{"MEDIA-PORT-OUT-OF-RANGE", um, report.Warn, "live.yaml:2:16"},
		{"MTLS-NOT-REQUIRED", internal, report.Fail, "live.yaml:18:31"},
		{"TLS-VERSION-WEAK", internal, report.Fail, "live.yaml:18:46"},
		{"MTLS-NOT-REQUESTED", external, report.Info, "live.yaml:19:60"},
		{"GW-NO-TLS", external, report.Pass, "live.yaml:19:60"},
		{"GW-NO-TLS", gateway, report.Fail, "live.yaml:20:59"},
	}
	for _, w := range wants {
		found := false
		for _, f := range fs {
			if f.Check == w.check && f.Target == w.target {
				found = true
				if f.Severity != w.sev || f.Location.String() != w.loc {
					t.Errorf("%s on %s: %s at %s, want %s at %s (%s)", w.check, w.target, f.Severity, f.Location, w.sev, w.loc, f.Summary)
				}
			}
		}
		if !found {
			t.Errorf("no %s on %s in\n%s", w.check, w.target, dump(fs))
		}
	}
	// One check, one place, one result per target: the plan's expectations
	// are inputs to the judges, not a second judgement (a plan line once
	// carried both warn and pass TLS-VERSION-WEAK).
	seen := map[string]report.Finding{}
	for _, f := range fs {
		if p.Suite(f.Target) == f.Target {
			t.Errorf("finding target %q is not a plan component", f.Target)
		}
		key := f.Check + " on " + f.Target
		if prev, dup := seen[key]; dup {
			t.Errorf("%s twice: %s %q and %s %q", key, prev.Severity, prev.Summary, f.Severity, f.Summary)
		}
		seen[key] = f
		if f.Check == "TLS-VERSION-WEAK" && f.Target == internal && !strings.Contains(f.Summary, "TLS 1.0") {
			t.Errorf("TLS-VERSION-WEAK summary %q", f.Summary)
		}
	}
}

// A probe that returns no result (a bug) saw nothing: the endpoint's
// checks are one inconclusive finding at its address, never a silent pass,
// as when the probe panics.
func TestLiveNilProbeResult(t *testing.T) {
	p, err := Parse("p.yaml", []byte(livePlan))
	if err != nil {
		t.Fatal(err)
	}
	for name, probe := range map[string]func(context.Context, sipcheck.Target, sipcheck.Config) *sipcheck.Result{
		"nil":   func(context.Context, sipcheck.Target, sipcheck.Config) *sipcheck.Result { return nil },
		"panic": func(context.Context, sipcheck.Target, sipcheck.Config) *sipcheck.Result { panic("boom") },
	} {
		fs, results := Live(context.Background(), p, LiveOptions{Probe: probe})
		if len(results) != 4 || len(fs) != 4 {
			t.Fatalf("%s: %d results, %d findings:\n%s", name, len(results), len(fs), dump(fs))
		}
		for i, f := range fs {
			ep := p.Endpoints()[i]
			if f.Check != "SIP-NO-RESPONSE" || f.Severity != report.Inconclusive || f.Target != ep.Target() ||
				!strings.Contains(f.Summary, "internal error") || !strings.Contains(f.Hint, "bug in voipsec") ||
				*f.Location != *p.Location(ep.Path() + ".address") {
				t.Errorf("%s: %+v", name, f)
			}
		}
	}
}
