package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/checks.md")

// designCatalog is the initial catalog of design.md; every ID must exist.
var designCatalog = []string{
	"UM-VOIPSEC-UNSECURED", "UM-ENCRYPTION-INCOMPATIBLE", "UM-MTLS-NOT-ENFORCED", "UM-SRTP-MISMATCH",
	"TLS-HANDSHAKE-FAILED", "TLS-VERSION-WEAK", "TLS-CIPHER-WEAK", "TLS-CERT-UNTRUSTED", "TLS-CERT-EXPIRED",
	"TLS-CERT-EXPIRING", "TLS-CERT-NAME-MISMATCH", "TLS-CERT-EKU", "TLS-CERT-WEAK-KEY", "TLS-CERT-WEAK-SIGNATURE",
	"MTLS-NOT-REQUESTED", "MTLS-NOT-REQUIRED", "MTLS-CLIENT-CERT-REJECTED",
	"SIP-NO-RESPONSE", "SIP-OPTIONS-STATUS", "SIP-CLEARTEXT-ACCEPTED", "EDGE-SHARED-ADDRESS",
	"SRTP-NOT-SUPPORTED", "SRTP-NOT-REQUIRED", "SRTP-WEAK-SUITE", "SRTP-MEDIA-AUTH-FAILED", "SRTP-NO-MEDIA",
	"SDES-OVER-CLEARTEXT", "SDP-ANSWER-MALFORMED", "DTLS-FINGERPRINT-MISMATCH",
	"GW-NO-TLS", "MEDIA-PORT-OUT-OF-RANGE", "IPSEC-NO-MEDIA-EXCEPTION",
	"CAP-SDES-KEY-EXPOSED", "CAP-RTP-UNENCRYPTED", "CAP-TLS-NO-MTLS", "CAP-TLS-VERSION-WEAK", "CAP-SIP-CLEARTEXT",
}

func TestCatalogHasDesignIDs(t *testing.T) {
	for _, id := range designCatalog {
		c, ok := Lookup(id)
		if !ok {
			t.Errorf("catalog lacks %s", id)
			continue
		}
		if c.Ref == "" {
			t.Errorf("%s has no rule reference", id)
		}
		if c.Severity == Pass {
			t.Errorf("%s has default severity pass", id)
		}
	}
	areas := map[string]bool{}
	for _, a := range Areas {
		areas[a] = true
	}
	for _, c := range Checks() {
		if !areas[c.Area] {
			t.Errorf("%s is in unknown area %q", c.ID, c.Area)
		}
	}
}

func TestCatalogDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCatalogMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "checks.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go generate ./report)", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("docs/checks.md is stale: run `go generate ./report`")
	}
}

func TestSeverityParseAndOrder(t *testing.T) {
	for _, s := range []Severity{Pass, Info, Warn, Fail, Inconclusive} {
		for _, form := range []string{s.String(), strings.ToUpper(s.String())} {
			got, err := ParseSeverity(form)
			if err != nil || got != s {
				t.Errorf("ParseSeverity(%q) = %v, %v", form, got, err)
			}
		}
	}
	if _, err := ParseSeverity("error"); err == nil {
		t.Error("ParseSeverity accepted \"error\"")
	}
	if !(Pass < Info && Info < Warn && Warn < Fail) {
		t.Error("severities out of order")
	}
}

// TestExitCode covers every severity mix against every threshold: 1 when a
// decided finding is at or above --fail-on, else 3 when a check is
// inconclusive, else 0. An inconclusive finding is never a failure and
// never a pass.
func TestExitCode(t *testing.T) {
	sev := func(ss ...Severity) []Finding {
		var fs []Finding
		for _, s := range ss {
			fs = append(fs, Finding{Severity: s})
		}
		return fs
	}
	tests := []struct {
		name     string
		findings []Finding
		failOn   Severity
		want     int
	}{
		{"none", nil, Info, 0},
		{"pass info warn at fail", sev(Pass, Info, Warn), Fail, 0},
		{"pass info warn at warn", sev(Pass, Info, Warn), Warn, 1},
		{"pass info warn at info", sev(Pass, Info, Warn), Info, 1},
		{"fail at fail", sev(Pass, Fail), Fail, 1},
		{"inconclusive only", sev(Inconclusive), Fail, 3},
		{"inconclusive at info", sev(Inconclusive), Info, 3},
		{"inconclusive and pass", sev(Pass, Inconclusive, Pass), Fail, 3},
		{"inconclusive and warn below fail-on", sev(Warn, Inconclusive), Fail, 3},
		{"inconclusive and warn at fail-on warn", sev(Inconclusive, Warn), Warn, 1},
		{"inconclusive and fail", sev(Inconclusive, Fail), Fail, 1},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.findings, tt.failOn); got != tt.want {
			t.Errorf("%s: ExitCode(fail-on %s) = %d, want %d", tt.name, tt.failOn, got, tt.want)
		}
	}
	for _, s := range []Severity{Pass, Info, Warn, Fail, Inconclusive} {
		if Inconclusive.AtLeast(s) {
			t.Errorf("inconclusive is at least %s", s)
		}
	}
}

// An interrupted run is never a pass, even with no findings at all.
func TestInterruptedReportIsInconclusive(t *testing.T) {
	r := &Report{Command: "check", Interrupted: "SIGINT while probing tls://med01:5061", Findings: []Finding{Passed("TLS-CERT-EKU", "x", "ok")}}
	if r.ExitCode() != ExitInconclusive || r.Verdict() != "inconclusive" {
		t.Errorf("interrupted report: exit %d verdict %s", r.ExitCode(), r.Verdict())
	}
	r.Findings = append(r.Findings, New("MTLS-NOT-REQUIRED", "x", "y"))
	if r.ExitCode() != ExitFindings || r.Verdict() != "fail" {
		t.Errorf("interrupted report with a failure: exit %d verdict %s", r.ExitCode(), r.Verdict())
	}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "interrupted: SIGINT while probing tls://med01:5061") {
		t.Errorf("text does not say the run was interrupted:\n%s", b.String())
	}
}

func TestNewPanicsOnUnknownID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an unknown check ID")
		}
	}()
	New("NO-SUCH-CHECK", "x", "y")
}

// sample is a report with two targets and every severity, a multi-line
// detail, a plan location and characters that need escaping in XML.
func sample() *Report {
	return &Report{
		Command: "probe",
		Version: "v0.0.0-test",
		Findings: []Finding{
			New("MTLS-NOT-REQUIRED", "tls://med01.contoso.com:5061", "server accepted a handshake without a client certificate").
				WithDetail("CertificateRequest sent (CA names: CN=Contoso Root CA); empty Certificate accepted; TLS 1.2"),
			New("TLS-CERT-EXPIRING", "tls://med01.contoso.com:5061", "certificate expires in 12 days").
				WithDetail("subject CN=med01.contoso.com\nnot after 2026-12-05T00:00:00Z"),
			Passed("TLS-CERT-UNTRUSTED", "tls://med01.contoso.com:5061", "chain verifies to CN=Contoso Root CA"),
			New("SRTP-NOT-REQUIRED", "udp://gw01.contoso.com:5060", "plain RTP/AVP offer answered with <RTP/AVP> & no crypto").
				WithSeverity(Fail),
			{Check: "SIP-OPTIONS-STATUS", Severity: Info, Target: "udp://gw01.contoso.com:5060", Summary: "OPTIONS answered 200 OK in 3 ms",
				Location: &Location{File: "plan.yaml", Line: 12, Column: 5}},
			CouldNotTell("SRTP-NOT-SUPPORTED", "udp://gw01.contoso.com:5060", "no offer was evaluated: every INVITE got 404 Not Found",
				"give the number to call with --to").WithDetail("sdes-80 → 404 Not Found\nplain → 404 Not Found"),
		},
		Data: map[string]any{"example": map[string]int{"targets": 2}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (go test ./report -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  Format
		color   bool
		verbose bool
		failOn  Severity
	}{
		{"text.golden", FormatText, false, false, Fail},
		{"text-color.golden", FormatText, true, false, Fail},
		{"text-verbose.golden", FormatText, false, true, Fail},
		{"text-verbose-color.golden", FormatText, true, true, Fail},
		{"text-failon-warn.golden", FormatText, false, false, Warn},
		{"report.json.golden", FormatJSON, false, false, Fail},
		{"junit.xml.golden", FormatJUnit, false, false, Fail},
		{"junit-failon-warn.xml.golden", FormatJUnit, false, false, Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.FailOn = tc.failOn
			var b bytes.Buffer
			if err := Write(&b, tc.format, r, TextOptions{Color: tc.color, Verbose: tc.verbose}); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestTextColorOnlyWhenAsked(t *testing.T) {
	var plain, color bytes.Buffer
	WriteText(&plain, sample(), TextOptions{})
	WriteText(&color, sample(), TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain text output has escape codes")
	}
	if !strings.Contains(color.String(), "\x1b[") {
		t.Error("colour output has no escape codes")
	}
}

// TestTextNeutralisesControlCharacters: text a server chose (a certificate
// subject, a Server header) cannot put escape sequences or tabs into the
// plain-text report, while multi-line evidence keeps its lines.
func TestTextNeutralisesControlCharacters(t *testing.T) {
	f := New("TLS-CERT-UNTRUSTED", "tls://h\x1b[2J:5061", "subject CN=\x1b]0;owned\x07x\tcol\u009b31m").
		WithDetail("line one \x1b[31m\nline\rtwo")
	f.Location = &Location{File: "plan\x1b.yaml", Line: 3}
	var b bytes.Buffer
	if err := WriteText(&b, &Report{Command: "probe", Findings: []Finding{f}}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\r\u009b") {
		t.Errorf("control characters in text output:\n%q", out)
	}
	for _, want := range []string{"tls://h?[2J:5061", "CN=?]0;owned?x?col?31m", "plan?.yaml:3", "\n          line one ?[31m\n          line?two\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONSchemaFields(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema   string         `json:"schema"`
		Verdict  string         `json:"verdict"`
		Counts   map[string]int `json:"counts"`
		Findings []Finding      `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != SchemaVersion || doc.Verdict != "fail" || doc.Counts["fail"] != 2 || doc.Counts["pass"] != 1 {
		t.Errorf("header = %+v", doc)
	}
	if doc.Counts["inconclusive"] != 1 || doc.Verdict != "fail" {
		t.Errorf("counts = %v", doc.Counts)
	}
	if len(doc.Findings) != 6 || doc.Findings[0].Severity != Fail || doc.Findings[4].Location.Line != 12 ||
		doc.Findings[5].Severity != Inconclusive || doc.Findings[5].Hint != "give the number to call with --to" {
		t.Errorf("findings did not round-trip: %+v", doc.Findings)
	}
	// An empty report still has a findings array, never null.
	b.Reset()
	WriteJSON(&b, &Report{Command: "inspect"})
	if !strings.Contains(b.String(), `"findings": []`) {
		t.Errorf("empty report: %s", b.String())
	}
}

func TestJUnitStructure(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("output is not XML: %v", err)
	}
	if len(doc.Suites) != 2 || doc.Tests != 6 || doc.Failures != 2 || doc.Skipped != 1 {
		t.Fatalf("suites=%d tests=%d failures=%d skipped=%d", len(doc.Suites), doc.Tests, doc.Failures, doc.Skipped)
	}
}

// TestJUnitReadByJunitparser feeds the JUnit output to a real consumer,
// Debian's python3-junitparser, and checks that the suites, test counts and
// failures it reads are the ones voipsec meant.
func TestJUnitReadByJunitparser(t *testing.T) {
	r := sample()
	r.FailOn = Warn
	suites := junitparserRead(t, r)
	want := []struct {
		name     string
		tests    int
		failures int
		skipped  int
		failed   map[string]bool
	}{
		{"tls://med01.contoso.com:5061", 3, 2, 0, map[string]bool{"MTLS-NOT-REQUIRED": true, "TLS-CERT-EXPIRING": true, "TLS-CERT-UNTRUSTED": false}},
		{"udp://gw01.contoso.com:5060", 3, 1, 1, map[string]bool{"SRTP-NOT-REQUIRED": true, "SIP-OPTIONS-STATUS": false, "SRTP-NOT-SUPPORTED": false}},
	}
	if len(suites) != len(want) {
		t.Fatalf("junitparser read %d suites, want %d: %+v", len(suites), len(want), suites)
	}
	for i, w := range want {
		s := suites[i]
		if s.Name != w.name || s.Tests != w.tests || s.Failures != w.failures || s.Skipped != w.skipped {
			t.Errorf("suite %d = %s tests=%d failures=%d skipped=%d, want %s %d %d %d", i, s.Name, s.Tests, s.Failures, s.Skipped, w.name, w.tests, w.failures, w.skipped)
		}
		for _, c := range s.Cases {
			// Test cases are named by the property the check tests; the
			// check ID is their "check" property.
			f, ok := w.failed[c.Check]
			if !ok {
				t.Errorf("unexpected case %s (check %q) in %s", c.Name, c.Check, s.Name)
			}
			if chk, _ := Lookup(c.Check); c.Name != chk.Property {
				t.Errorf("case for %s is named %q, want its property %q", c.Check, c.Name, chk.Property)
			}
			if f != c.Failed {
				t.Errorf("case %s failed=%v, want %v", c.Check, c.Failed, f)
			}
			if c.Check == "SRTP-NOT-REQUIRED" && !strings.Contains(c.Message, "<RTP/AVP> & no crypto") {
				t.Errorf("failure message not carried intact: %q", c.Message)
			}
			// The inconclusive check is skipped, neither passed nor failed,
			// and its message carries the reason and the hint.
			if skip := c.Check == "SRTP-NOT-SUPPORTED"; skip != c.Skipped {
				t.Errorf("case %s skipped=%v", c.Name, c.Skipped)
			} else if skip && !strings.Contains(c.Message, "every INVITE got 404") || skip && !strings.Contains(c.Message, "--to") {
				t.Errorf("skipped message lacks reason or hint: %q", c.Message)
			}
		}
	}
}

// junitSuiteRead is a test suite as junitparser reads it.
type junitSuiteRead struct {
	Name     string
	Tests    int
	Failures int
	Skipped  int
	Cases    []struct {
		Name, Classname, Check, Message string
		Failed, Skipped                 bool
	}
}

// junitparserRead writes r as JUnit and reads it back with Debian's
// python3-junitparser, skipping the test without it (failing it under
// VOIPSEC_INTEROP=1).
func junitparserRead(t *testing.T, r *Report) []junitSuiteRead {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = "python3"
	}
	check := exec.Command(py, "-c", "import junitparser")
	if err := check.Run(); err != nil {
		if os.Getenv("VOIPSEC_INTEROP") == "1" {
			t.Fatalf("junitparser not importable by %s (install python3-junitparser): %v", py, err)
		}
		t.Skip("python3-junitparser not installed")
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "out.xml")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, json
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    cases = []
    for case in suite:
        failed = any(isinstance(r, Failure) for r in case.result)
        skipped = any(isinstance(r, Skipped) for r in case.result)
        msg = [r.message for r in case.result if isinstance(r, (Failure, Skipped))]
        # junitparser has no API for a test case's properties; its element is _elem.
        prop = case._elem.find("properties/property[@name='check']")
        check = prop.get("value") if prop is not None else ""
        cases.append({"name": case.name, "classname": case.classname, "check": check, "failed": failed, "skipped": skipped, "message": msg[0] if msg else ""})
    out.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures, "skipped": suite.skipped, "cases": cases})
print(json.dumps(out))
`
	got, err := exec.Command(py, "-c", script, file).Output()
	if err != nil {
		t.Fatalf("junitparser: %v", err)
	}
	var suites []junitSuiteRead
	if err := json.Unmarshal(got, &suites); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	return suites
}

func TestSortTargets(t *testing.T) {
	fs := []Finding{
		{Target: "b", Check: "Y", Severity: Pass},
		{Target: "c", Check: "Z", Severity: Warn},
		{Target: "b", Check: "X", Severity: Fail},
		{Target: "a", Check: "W", Severity: Info},
	}
	SortTargets(fs, []string{"a", "c"})
	var got []string
	for _, f := range fs {
		got = append(got, f.Target+f.Check)
	}
	if strings.Join(got, " ") != "aW cZ bX bY" {
		t.Errorf("SortTargets = %v", got)
	}
}

func TestTextSectionFiltersControlCharacters(t *testing.T) {
	r := sample()
	r.Text = func(w io.Writer) {
		fmt.Fprint(w, "TLS\tCN=evil\x1b[2Jx\n")
		// A C1 CSI, its UTF-8 cut over two writes, and a bidi override.
		fmt.Fprint(w, "Server: a\xc2")
		fmt.Fprint(w, "\x9b2Jb \u202egnp.exe\n")
	}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\u009b\u202e") || !strings.Contains(b.String(), "TLS\tCN=evil?[2Jx\nServer: a?2Jb ?gnp.exe\n") {
		t.Errorf("text section not filtered:\n%q", b.String())
	}
	b.Reset()
	if err := WriteHTML(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\u009b\u202e") || !strings.Contains(b.String(), "Server: a?2Jb ?gnp.exe") {
		t.Errorf("HTML section not filtered:\n%q", b.String())
	}
}

// A threshold of inconclusive means nothing in the decided order: like
// the zero value, it is the default, fail. A failing finding fails the run
// through the library API whatever FailOn says.
func TestFailOnInconclusiveIsFail(t *testing.T) {
	r := &Report{Command: "check", FailOn: Inconclusive, Findings: []Finding{New("MTLS-NOT-REQUIRED", "x", "y")}}
	if r.ExitCode() != ExitFindings || r.Verdict() != "fail" {
		t.Errorf("FailOn inconclusive with a failure: exit %d verdict %s", r.ExitCode(), r.Verdict())
	}
	if got := ExitCode(r.Findings, Inconclusive); got != ExitFindings {
		t.Errorf("ExitCode(fail, fail-on inconclusive) = %d", got)
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<failure") {
		t.Errorf("JUnit at fail-on inconclusive has no failure:\n%s", b.String())
	}
	if line := VerdictLine(r, false); !strings.Contains(line, "(fail-on fail)") {
		t.Errorf("verdict line %q", line)
	}
}

// A check that fails on a target and could not be decided there for
// another reason (say, one of two listeners) is one failing test case; its
// body carries the undecided finding too, with its hint, so no finding is
// dropped from the JUnit report.
func TestJUnitFailureKeepsInconclusive(t *testing.T) {
	target := "tls://med01.contoso.com:5061"
	r := &Report{Command: "probe", Findings: []Finding{
		New("MTLS-NOT-REQUIRED", target, "accepted a handshake without a client certificate"),
		CouldNotTell("MTLS-NOT-REQUIRED", target, "second handshake was reset", "retry with --timeout 10s"),
	}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Suites[0].Cases[0]
	if c.Failure == nil || c.Skipped != nil {
		t.Fatalf("case %+v", c)
	}
	for _, want := range []string{"fail: accepted a handshake without a client certificate", "inconclusive: second handshake was reset", "hint: retry with --timeout 10s"} {
		if !strings.Contains(c.Failure.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, c.Failure.Body)
		}
	}
}

// An interrupted run whose findings all passed is not green in JUnit: a
// skipped test case "run completed" carries where it stopped, in the
// counts and as junitparser reads it.
func TestJUnitInterruptedRun(t *testing.T) {
	r := &Report{Command: "check", Interrupted: "--timeout 2s reached while probing tls://med01:5061",
		Findings: []Finding{Passed("TLS-CERT-EKU", "tls://med01:5061", "ok")}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Skipped != 1 || doc.Tests != 2 {
		t.Errorf("tests=%d skipped=%d, want 2 and 1:\n%s", doc.Tests, doc.Skipped, b.String())
	}
	suites := junitparserRead(t, r)
	found := false
	for _, s := range suites {
		for _, c := range s.Cases {
			if c.Name == "run completed" {
				found = true
				if !c.Skipped || c.Failed || !strings.Contains(c.Message, r.Interrupted) {
					t.Errorf("run case %+v", c)
				}
			}
		}
	}
	if !found {
		t.Errorf("junitparser reads no \"run completed\" case: %+v", suites)
	}
	// A run that completed has no such case.
	r.Interrupted = ""
	b.Reset()
	WriteJUnit(&b, r)
	if strings.Contains(b.String(), "run completed") {
		t.Errorf("completed run:\n%s", b.String())
	}
}
