package plan

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/internal/plantest"
	"github.com/voipsec/voipsec/report"
)

// staticChecks are the catalog checks [Static] runs.
var staticChecks = []string{
	"UM-VOIPSEC-UNSECURED", "UM-ENCRYPTION-INCOMPATIBLE", "GW-NO-TLS", "EDGE-SHARED-ADDRESS",
	"IPSEC-NO-MEDIA-EXCEPTION", "TLS-CERT-EXPIRED", "TLS-CERT-EXPIRING", "TLS-CERT-NAME-MISMATCH",
	"TLS-CERT-UNTRUSTED", "TLS-CERT-EKU",
}

// Each plan in testdata/plans/static names one check and the worst
// severity it must produce; every static check has a failing (or warning)
// plan and a passing one, and every finding points at a line of the plan.
func TestStaticPlans(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(plansDir, "static", "*.yaml"))
	covered := map[string]map[string]bool{}
	for _, src := range files {
		check := headerValue(t, src, "check")
		want := headerValue(t, src, "want")
		if covered[check] == nil {
			covered[check] = map[string]bool{}
		}
		if want == "warn" {
			covered[check]["fail"] = true
		} else {
			covered[check][want] = true
		}
		t.Run(filepath.Base(src), func(t *testing.T) {
			path := plantest.Stage(t, src)
			p, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			fs := Static(p, plantest.Now)
			var got []report.Finding
			for _, f := range fs {
				if f.Location == nil || f.Location.File != path || f.Location.Line == 0 {
					t.Errorf("%s %s has no plan line: %+v", f.Check, f.Target, f.Location)
				}
				if f.Check == check {
					got = append(got, f)
				}
			}
			if len(got) == 0 {
				t.Fatalf("no %s finding in %v", check, fs)
			}
			if worst := report.Max(got).String(); worst != want {
				t.Fatalf("%s worst severity %s, want %s: %+v", check, worst, want, got)
			}
			if want == "pass" {
				return
			}
			// Only the check under test fails: the plans differ from a
			// passing plan in one place.
			for _, f := range fs {
				if f.Severity > report.Info && f.Check != check {
					t.Errorf("unexpected %s %s: %s", f.Severity, f.Check, f.Summary)
				}
			}
		})
	}
	for _, id := range staticChecks {
		if !covered[id]["fail"] || !covered[id]["pass"] {
			t.Errorf("%s lacks a failing or a passing plan in testdata/plans/static (%v)", id, covered[id])
		}
	}
}

// The complete example passes every static check.
func TestStaticExample(t *testing.T) {
	p, err := Load(plantest.Stage(t, filepath.Join(plansDir, "example.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	fs := Static(p, plantest.Now)
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.Check] = true
		if f.Severity != report.Pass {
			t.Errorf("%s %s: %s (%s)", f.Severity, f.Check, f.Summary, f.Location)
		}
		if p.Suite(f.Target) == f.Target {
			t.Errorf("target %q has no component", f.Target)
		}
	}
	for _, id := range staticChecks {
		if !seen[id] {
			t.Errorf("example plan never runs %s", id)
		}
	}
}

func TestStaticLocations(t *testing.T) {
	p, err := Load(plantest.Stage(t, filepath.Join(plansDir, "static", "gw-no-tls-fail.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Static(p, plantest.Now) {
		if f.Check == "GW-NO-TLS" && f.Severity == report.Fail {
			// transport: tcp of the gateway is line 16, column 18.
			if !strings.HasSuffix(f.Location.String(), "gw-no-tls-fail.yaml:16:18") || f.Target != "gateway tcp://10.0.30.1:5060" {
				t.Errorf("GW-NO-TLS at %s on %q", f.Location, f.Target)
			}
			if p.Suite(f.Target) != "mediation/med01.contoso.com/gateway" {
				t.Errorf("suite %q", p.Suite(f.Target))
			}
			return
		}
	}
	t.Fatal("no failing GW-NO-TLS")
}

var fixedNow = plantest.Now

// IPSEC-NO-MEDIA-EXCEPTION judges what the ipsec section declares: a plan
// without one says nothing about IPsec, so the check is left out rather
// than passed ("IPsec is not used" was never declared).
func TestIPsecCheckNeedsIPsecSection(t *testing.T) {
	p, err := Parse("m.yaml", []byte("voipsec_plan: 1\nmedia: {ports: 60000-64000}\nexchange_um:\n  dial_plans: [{name: DP, voip_security: Secured}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Static(p, plantest.Now) {
		if f.Check == "IPSEC-NO-MEDIA-EXCEPTION" {
			t.Errorf("no ipsec section, yet %s %s: %s", f.Severity, f.Check, f.Summary)
		}
	}
	p, err = Parse("m.yaml", []byte("voipsec_plan: 1\nipsec: {enabled: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if fs := Static(p, plantest.Now); len(fs) != 1 || fs[0].Severity != report.Pass || fs[0].Location.Line != 2 {
		t.Errorf("ipsec.enabled: false: %+v", fs)
	}
}
