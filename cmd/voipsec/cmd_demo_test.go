package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/plan"
)

// spaces are the runs between table columns.
var spaces = regexp.MustCompile(` {2,}`)

// `voipsec demo` with no flags: simulators start, the plan is written and
// checked live, and the report shows the deliberate failures of the plain
// gateway leg and the passes of the secured endpoints, followed by the two
// explanatory lines.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	demoTempDir = t.TempDir()
	t.Cleanup(func() { demoTempDir = "" })
	out, errOut, code := runVoipsec(t, "demo")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "voipsec check: FAIL: ") {
		t.Errorf("verdict line %q", lines[0])
	}
	n := len(lines)
	if !strings.HasPrefix(lines[n-2], "What you see: 'voipsec check' run against simulators") ||
		!strings.HasPrefix(lines[n-1], "Your servers: copy ") {
		t.Errorf("explanation lines:\n%s\n%s", lines[n-2], lines[n-1])
	}
	// Each component's section and the checks that decide the demo.
	sections := sectionsOf(out)
	expect := []struct{ section, line string }{
		{"UM um01.demo.voipsec.test tls://", "PASS  UM-SRTP-MISMATCH"},
		{"UM um01.demo.voipsec.test tls://", "PASS  UM-MTLS-NOT-ENFORCED"},
		{"Mediation med01.demo.voipsec.test internal edge tls://", "PASS  MTLS-NOT-REQUIRED"},
		{"Mediation med01.demo.voipsec.test internal edge tls://", "PASS  UM-SRTP-MISMATCH"},
		{"Mediation med01.demo.voipsec.test external edge tls://", "PASS  GW-NO-TLS"},
		{"gateway gw01.demo.voipsec.test tcp://", "FAIL  GW-NO-TLS"},
		{"gateway gw01.demo.voipsec.test tcp://", "FAIL  SIP-CLEARTEXT-ACCEPTED"},
		{"dial plan Demo-Secured", "PASS  UM-ENCRYPTION-INCOMPATIBLE"},
		// Media was exchanged and authenticated, not just negotiated.
		{"UM um01.demo.voipsec.test tls://", "PASS  SRTP-MEDIA-AUTH-FAILED"},
		{"Mediation med01.demo.voipsec.test internal edge tls://", "PASS  SRTP-MEDIA-AUTH-FAILED"},
	}
	for _, e := range expect {
		body, ok := sections[e.section]
		if !ok {
			t.Errorf("no section %q in\n%s", e.section, out)
			continue
		}
		// The severity column is as wide as its widest marker
		// (INCONCLUSIVE when a check is undecided): compare single-spaced.
		if !strings.Contains(spaces.ReplaceAllString(body, " "), spaces.ReplaceAllString(e.line, " ")) {
			t.Errorf("section %q lacks %q:\n%s", e.section, e.line, body)
		}
	}
	// Only the gateway leg fails.
	for name, body := range sections {
		if regexp.MustCompile(`(?m)^\s+FAIL\s`).MatchString(body) && !strings.HasPrefix(name, "gateway ") {
			t.Errorf("unexpected failure in %q:\n%s", name, body)
		}
	}
	// The plan it names is there and loads.
	m := regexp.MustCompile(`Your servers: copy (\S+plan\.yaml),`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no plan path in %q", lines[n-1])
	}
	if _, err := plan.Load(m[1]); err != nil {
		t.Errorf("demo plan does not load: %v", err)
	}
	if !strings.HasPrefix(m[1], demoTempDir) {
		t.Errorf("plan %s outside the temporary folder %s", m[1], demoTempDir)
	}
}

// With a machine format the report alone is on stdout and the explanation
// on stderr.
func TestDemoJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	demoTempDir, demoMediaSeconds = t.TempDir(), 0
	t.Cleanup(func() { demoTempDir, demoMediaSeconds = "", 0.4 })
	out, errOut, code := runVoipsec(t, "demo", "--keep=false", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Command  string `json:"command"`
		Verdict  string `json:"verdict"`
		Findings []struct {
			Check    string `json:"check"`
			Severity string `json:"severity"`
			Location *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if doc.Command != "check" || doc.Verdict != "fail" || len(doc.Findings) < 20 {
		t.Errorf("command %q verdict %q, %d findings", doc.Command, doc.Verdict, len(doc.Findings))
	}
	for _, f := range doc.Findings {
		if f.Location == nil || f.Location.Line == 0 || filepath.Base(f.Location.File) != "plan.yaml" {
			t.Errorf("%s has no plan line: %+v", f.Check, f.Location)
		}
	}
	if !strings.Contains(errOut, "What you see:") || !strings.Contains(errOut, "the plan in docs/plan.md") {
		t.Errorf("stderr: %q", errOut)
	}
	entries, _ := os.ReadDir(demoTempDir)
	if len(entries) != 0 {
		t.Errorf("--keep=false left %v", entries)
	}
}

// sectionsOf splits a text report into its component sections.
func sectionsOf(out string) map[string]string {
	sections := map[string]string{}
	var cur string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case l == "":
			cur = ""
		case cur == "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "voipsec "):
			cur = l
			for _, pre := range []string{"UM ", "Mediation ", "gateway "} {
				if strings.HasPrefix(l, pre) {
					if i := strings.Index(l, "://"); i > 0 {
						cur = l[:i+3]
					}
				}
			}
			sections[cur] = ""
		case cur != "":
			sections[cur] += l + "\n"
		}
	}
	return sections
}
