package plan

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

const livePlan = `voipsec_plan: 1
exchange_um:
  dial_plans:
    - {name: DP, voip_security: Secured}
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
      expect: {mtls_required: true, min_tls: "1.2"}
    external: {address: 127.0.0.2, port: 15063, transport: tls}
    gateway: {address: 127.0.0.3, port: 15064, transport: tcp}
`

// Unit test of the post-processing of probe results, with a stand-in for
// sipcheck.ProbeEndpoint: the config each endpoint is probed with, and how
// findings are retargeted, located and judged against the plan.
func TestLivePlacesFindings(t *testing.T) {
	p, err := Parse("live.yaml", []byte(livePlan))
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	var calls atomic.Int32
	probe := func(ctx context.Context, tg sipcheck.Target, cfg sipcheck.Config) *sipcheck.Result {
		calls.Add(1)
		res := &sipcheck.Result{Target: tg, Name: tg.String()}
		switch tg.Port {
		case 15061: // UM: Secured declared, passed down to sipcheck
			if cfg.Declared.VoipSecurity == nil || cfg.Declared.VoipSecurity.String() != "Secured" || cfg.ServerName != "um01.contoso.com" {
				t.Errorf("UM probed with %+v", cfg)
			}
			res.Findings = []report.Finding{report.New("UM-SRTP-MISMATCH", res.Name, "declared Secured, plain RTP accepted")}
		case 15062: // internal edge: takes a handshake without a client certificate, accepts TLS 1.0
			if !cfg.Enumerate {
				t.Error("min_tls did not turn on enumeration")
			}
			res.TLS = &tlsprobe.Result{
				MTLS:     &tlsprobe.MTLS{CertificateRequested: true, AcceptedWithoutClientCert: &yes},
				Versions: []tlsprobe.Version{{Version: "TLS 1.0", ID: 0x0301, Accepted: true}, {Version: "TLS 1.2", ID: 0x0303, Accepted: true}},
			}
			res.Observation.MTLSRequired = &no // what sipcheck derives from AcceptedWithoutClientCert
		case 15063: // external edge: MTLS not requested, which the plan does not require here
			res.Findings = []report.Finding{report.New("MTLS-NOT-REQUESTED", res.Name, "no CertificateRequest")}
			res.Observation.TLS = true
			res.Observation.CleartextAccepted = &no
		case 15064: // gateway over TCP answers in cleartext
			if !cfg.ExpectTLS {
				t.Error("gateway probed without ExpectTLS")
			}
			res.Observation.CleartextAccepted = &yes
		}
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
	wants := []want{
		{"UM-SRTP-MISMATCH", "UM um01.contoso.com tls://127.0.0.1:15061", report.Fail, "live.yaml:4:33"},
		{"MTLS-NOT-REQUIRED", "Mediation med01.contoso.com internal edge tls://127.0.0.1:15062", report.Fail, "live.yaml:16:31"},
		{"TLS-VERSION-WEAK", "Mediation med01.contoso.com internal edge tls://127.0.0.1:15062", report.Fail, "live.yaml:16:46"},
		{"MTLS-NOT-REQUESTED", "Mediation med01.contoso.com external edge tls://127.0.0.2:15063", report.Info, "live.yaml:17:60"},
		{"GW-NO-TLS", "Mediation med01.contoso.com external edge tls://127.0.0.2:15063", report.Pass, "live.yaml:17:60"},
		{"GW-NO-TLS", "gateway tcp://127.0.0.3:15064", report.Fail, "live.yaml:18:59"},
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
			t.Errorf("no %s on %s in\n%v", w.check, w.target, fs)
		}
	}
	for _, f := range fs {
		if p.Suite(f.Target) == f.Target {
			t.Errorf("finding target %q is not a plan component", f.Target)
		}
		if f.Check == "TLS-VERSION-WEAK" && !strings.Contains(f.Summary, "TLS 1.0") {
			t.Errorf("TLS-VERSION-WEAK summary %q", f.Summary)
		}
	}
}
