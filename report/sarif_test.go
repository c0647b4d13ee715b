package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sarifSample() *Report {
	r := sample()
	r.Command = "check"
	r.Findings = append(r.Findings,
		New("GW-NO-TLS", "gateway tcp://10.0.30.1:5060", "the gateway uses TCP, not TLS").
			located(&Location{File: "plans/prod.yaml", Line: 63, Column: 18}),
		Passed("EDGE-SHARED-ADDRESS", "Mediation med01.contoso.com", "internal and external edges are on different addresses").
			located(&Location{File: "/srv/plans/prod plan.yaml", Line: 57, Column: 16}),
	)
	return r
}

func (f Finding) located(l *Location) Finding {
	f.Location = l
	return f
}

func TestSARIFGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, FormatSARIF, sarifSample(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.sarif.golden", b.Bytes())
}

// The SARIF log has what code-scanning consumers read: version, one run,
// a rule per check with its catalog text, results pointing at plan lines.
func TestSARIFStructure(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSARIF(&b, sarifSample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID   string                `json:"id"`
						Help struct{ Text string } `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Kind      string `json:"kind"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct{ StartLine, StartColumn int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "voipsec" {
		t.Fatalf("header: %+v", doc)
	}
	run := doc.Runs[0]
	kinds := map[string]bool{"pass": true, "fail": true, "informational": true, "open": true}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	for _, res := range run.Results {
		if !kinds[res.Kind] || !levels[res.Level] {
			t.Errorf("result %s: kind %q level %q not in SARIF 2.1.0 §3.27.9-10", res.RuleID, res.Kind, res.Level)
		}
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; rule.ID != res.RuleID || rule.Help.Text == "" {
			t.Errorf("result %s points at rule %s", res.RuleID, rule.ID)
		}
	}
	byRule := map[string]int{}
	for i, res := range run.Results {
		byRule[res.RuleID] = i
	}
	gw := run.Results[byRule["GW-NO-TLS"]]
	pl := gw.Locations[0].PhysicalLocation
	if gw.Kind != "fail" || gw.Level != "error" || pl == nil || pl.ArtifactLocation.URI != "plans/prod.yaml" ||
		pl.ArtifactLocation.URIBaseID != SARIFBaseID || pl.Region.StartLine != 63 || pl.Region.StartColumn != 18 {
		t.Errorf("GW-NO-TLS result: %+v %+v", gw, pl)
	}
	edge := run.Results[byRule["EDGE-SHARED-ADDRESS"]]
	if edge.Kind != "pass" || edge.Level != "none" || edge.Locations[0].PhysicalLocation.ArtifactLocation.URI != "file:///srv/plans/prod%20plan.yaml" {
		t.Errorf("passing result: %+v", edge)
	}
	if w := run.Results[byRule["TLS-CERT-EXPIRING"]]; w.Level != "warning" {
		t.Errorf("warning level %q", w.Level)
	}
	// SARIF 2.1.0 §3.27.9: "open" — the tool could not determine whether
	// the rule was satisfied.
	if o := run.Results[byRule["SRTP-NOT-SUPPORTED"]]; o.Kind != "open" || o.Level != "none" {
		t.Errorf("inconclusive result: kind %q level %q", o.Kind, o.Level)
	}
}

// sarifMultitool finds Microsoft's SARIF multitool (npm
// @microsoft/sarif-multitool): $VOIPSEC_SARIF_MULTITOOL, or
// sarif-multitool on PATH.
func sarifMultitool(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VOIPSEC_SARIF_MULTITOOL"); p != "" {
		return p
	}
	for _, name := range []string{"sarif-multitool", "Sarif.Multitool"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("VOIPSEC_INTEROP") == "1" {
		t.Fatal("SARIF multitool not found: npm install @microsoft/sarif-multitool and set VOIPSEC_SARIF_MULTITOOL or put sarif-multitool on PATH")
	}
	t.Skip("SARIF multitool not installed (npm @microsoft/sarif-multitool); VOIPSEC_INTEROP=1 makes this a failure")
	return ""
}

// SARIFValidate runs Microsoft's SARIF multitool `validate` on file and
// fails the test on any error-level diagnostic (schema or SARIF rule).
func sarifValidate(t *testing.T, tool, file string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "validation.sarif")
	cmd := exec.Command(tool, "validate", "--output", out, file)
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	console, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sarif-multitool validate: %v\n%s", err, console)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("sarif-multitool wrote no validation log: %v\n%s", err, console)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("validation log: %v", err)
	}
	if len(log.Runs) == 0 {
		t.Fatalf("validation log has no run:\n%s", console)
	}
	for _, res := range log.Runs[0].Results {
		// The multitool defaults results to "warning" when level is absent.
		if res.Level == "error" {
			t.Errorf("%s: %s %v", res.RuleID, res.Message.Text, res.Message.Arguments)
		} else {
			t.Logf("advisory %s %s: %v", res.Level, res.RuleID, res.Message.Arguments)
		}
	}
	for _, inv := range log.Runs[0].Invocations {
		if !inv.ExecutionSuccessful {
			t.Errorf("multitool run not successful:\n%s", console)
		}
	}
	if t.Failed() {
		t.Logf("multitool output:\n%s", console)
	}
}

// The SARIF log validates with Microsoft's SARIF multitool: the SARIF 2.1.0
// JSON schema and the multitool's SARIF rules.
func TestSARIFValidatesWithMultitool(t *testing.T) {
	tool := sarifMultitool(t)
	var b bytes.Buffer
	if err := WriteSARIF(&b, sarifSample()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "voipsec.sarif")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sarifValidate(t, tool, file)
	// Positive control: the validator flags the same log with a broken
	// region, so this test can fail. (The multitool silently skips a log
	// whose enum values it cannot deserialize, so TestSARIFStructure checks
	// kind and level itself.)
	broken := strings.Replace(b.String(), `"startLine": 63`, `"startLine": 0`, 1)
	if broken == b.String() {
		t.Fatal("sample has no startLine 63")
	}
	bad := filepath.Join(t.TempDir(), "broken.sarif")
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "broken-validation.sarif")
	if console, err := exec.Command(tool, "validate", "--output", out, bad).CombinedOutput(); err != nil {
		t.Fatalf("multitool on broken log: %v\n%s", err, console)
	}
	data, _ := os.ReadFile(out)
	if !bytes.Contains(data, []byte("JSON1008")) {
		t.Errorf("multitool did not flag startLine 0:\n%s", data)
	}
}

// interruptedSARIF is the SARIF log of an interrupted run whose findings
// all passed.
func interruptedSARIF(t *testing.T) []byte {
	t.Helper()
	r := &Report{Command: "check", Version: "v0.0.0-test", Interrupted: "--timeout 2s reached while probing tls://med01:5061",
		Findings: []Finding{Passed("TLS-CERT-EKU", "tls://med01:5061", "ok")}}
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An interrupted run is not green in SARIF: its invocation did not
// execute successfully, and a tool execution notification says where it
// stopped (SARIF 2.1.0 §3.20.14, §3.20.21). A completed run states no
// invocation.
func TestSARIFInterruptedRun(t *testing.T) {
	var doc struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        *bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string    `json:"level"`
					Message sarifText `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(interruptedSARIF(t), &doc); err != nil {
		t.Fatal(err)
	}
	inv := doc.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful == nil || *inv[0].ExecutionSuccessful ||
		len(inv[0].ToolExecutionNotifications) != 1 || !strings.Contains(inv[0].ToolExecutionNotifications[0].Message.Text, "--timeout 2s reached while probing tls://med01:5061") {
		t.Errorf("invocations %+v", inv)
	}
	var b bytes.Buffer
	if err := WriteSARIF(&b, sarifSample()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "invocations") {
		t.Error("a completed run has invocations")
	}
}

func TestSARIFInterruptedValidatesWithMultitool(t *testing.T) {
	tool := sarifMultitool(t)
	file := filepath.Join(t.TempDir(), "interrupted.sarif")
	if err := os.WriteFile(file, interruptedSARIF(t), 0o644); err != nil {
		t.Fatal(err)
	}
	sarifValidate(t, tool, file)
}
