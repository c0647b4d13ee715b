package plan

import (
	"strings"
	"testing"

	"github.com/voipsec/voipsec/report"
)

// The plan's declaration and the probe's observation of one check of one
// component end as one result: the worse stands, the other joins its
// evidence; checks seen once are untouched.
func TestCombine(t *testing.T) {
	gw := "gateway tcp://10.0.30.1:5060"
	loc := &report.Location{File: "plan.yaml", Line: 16, Column: 18}
	static := []report.Finding{
		{Check: "GW-NO-TLS", Severity: report.Fail, Target: gw, Summary: "the gateway uses TCP, not TLS", Location: loc},
		{Check: "TLS-CERT-EXPIRED", Severity: report.Pass, Target: "um", Summary: "plan certificate valid"},
		{Check: "UM-VOIPSEC-UNSECURED", Severity: report.Pass, Target: "dial plan", Summary: "ok"},
	}
	live := []report.Finding{
		{Check: "GW-NO-TLS", Severity: report.Fail, Target: gw, Summary: "the gateway leg answers SIP in cleartext over TCP", Detail: "observed", Location: loc},
		{Check: "TLS-CERT-EXPIRED", Severity: report.Inconclusive, Target: "um", Summary: "interrupted", Hint: "run again"},
		{Check: "SRTP-NOT-SUPPORTED", Severity: report.Pass, Target: gw, Summary: "negotiates"},
	}
	got := Combine(static, live)
	if len(got) != 4 {
		t.Fatalf("%d findings: %+v", len(got), got)
	}
	if g := got[0]; g.Summary != "the gateway leg answers SIP in cleartext over TCP" || !strings.Contains(g.Detail, "observed\nalso fail: the gateway uses TCP, not TLS") {
		t.Errorf("GW-NO-TLS: the live observation should stand with the declaration in its evidence: %+v", g)
	}
	if g := got[1]; g.Severity != report.Inconclusive || g.Hint != "run again" || !strings.Contains(g.Detail, "also pass: plan certificate valid") {
		t.Errorf("an undecided live check outranks a static pass: %+v", g)
	}
	if got[2].Check != "UM-VOIPSEC-UNSECURED" || got[3].Check != "SRTP-NOT-SUPPORTED" {
		t.Errorf("order: %+v", got)
	}
}

// A decided warning is not hidden by an undecided observation of the same
// check: the static TLS-CERT-EXPIRING warning of the plan's certificate
// file stands over a live check that could not see the served one, so
// --fail-on warn still fails the run (exit 1, not 3). An undecided check
// still outranks a decided info or pass.
func TestCombineDecidedWarnBeatsInconclusive(t *testing.T) {
	um := "UM um01.contoso.com tls://10.0.10.5:5061"
	static := []report.Finding{
		{Check: "TLS-CERT-EXPIRING", Severity: report.Warn, Target: um, Summary: "the certificate expires in 10 days"},
		{Check: "TLS-CERT-EXPIRED", Severity: report.Fail, Target: um, Summary: "expired"},
		{Check: "MTLS-NOT-REQUESTED", Severity: report.Info, Target: um, Summary: "fyi"},
	}
	live := []report.Finding{
		{Check: "TLS-CERT-EXPIRING", Severity: report.Inconclusive, Target: um, Summary: "interrupted", Hint: "run again"},
		{Check: "TLS-CERT-EXPIRED", Severity: report.Inconclusive, Target: um, Summary: "interrupted"},
		{Check: "MTLS-NOT-REQUESTED", Severity: report.Inconclusive, Target: um, Summary: "interrupted"},
	}
	got := Combine(static, live)
	for i, want := range []report.Severity{report.Warn, report.Fail, report.Inconclusive} {
		if got[i].Severity != want {
			t.Errorf("%s: %s, want %s", got[i].Check, got[i].Severity, want)
		}
	}
	if !strings.Contains(got[0].Detail, "also inconclusive: interrupted") {
		t.Errorf("the undecided observation should join the warning's evidence: %+v", got[0])
	}
	if code := report.ExitCode(got[:1], report.Warn); code != report.ExitFindings {
		t.Errorf("--fail-on warn: exit %d, want 1", code)
	}
}

// Live findings of one check and target (a call router and the worker its
// 302 led to, both placed on one plan endpoint) end as one result too.
func TestCombineJoinsLiveDuplicates(t *testing.T) {
	um := "UM um01 tls://10.0.10.5:5061"
	live := []report.Finding{
		{Check: "MTLS-NOT-REQUIRED", Severity: report.Pass, Target: um, Summary: "required"},
		{Check: "SIP-NO-RESPONSE", Severity: report.Pass, Target: um, Summary: "answers"},
		{Check: "MTLS-NOT-REQUIRED", Severity: report.Fail, Target: um, Summary: "not required (tls://10.0.10.5:5066)"},
		{Check: "SIP-NO-RESPONSE", Severity: report.Pass, Target: um, Summary: "answers (tls://10.0.10.5:5066)"},
	}
	got := Combine(nil, live)
	if len(got) != 2 || got[0].Check != "MTLS-NOT-REQUIRED" || got[1].Check != "SIP-NO-RESPONSE" {
		t.Fatalf("%+v", got)
	}
	if g := got[0]; g.Severity != report.Fail || g.Detail != "also pass: required" {
		t.Errorf("the worker's failure should stand, the router's pass in its evidence: %+v", g)
	}
	if g := got[1]; g.Summary != "answers (tls://10.0.10.5:5066)" || g.Detail != "also pass: answers" {
		t.Errorf("on a tie the later observation stands: %+v", g)
	}
}
