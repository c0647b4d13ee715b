package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/docs"
	"github.com/voipsec/voipsec/internal/browser"
	"github.com/voipsec/voipsec/plan"
)

// `voipsec demo` with no flags: simulators start, the plan is written and
// checked live, and the report fits one screen: the verdict, the
// deliberate failures of the plain gateway leg (every one of them named),
// one passed line per component, what to do next, and the two explanatory
// lines.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	demoTempDir = t.TempDir()
	t.Cleanup(func() { demoTempDir = "" })
	out, errOut, code := runVoipsec(t, "demo")
	// demo exits as the check it runs does: the plain gateway leg fails.
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "voipsec check: FAIL: 3 fail, ") {
		t.Errorf("verdict line %q", lines[0])
	}
	if len(lines) > 45 {
		t.Errorf("%d lines: the demo no longer fits one screen", len(lines))
	}
	n := len(lines)
	if !strings.HasPrefix(lines[n-2], "This was 'voipsec check' against simulators on loopback") ||
		!strings.HasPrefix(lines[n-1], "Your servers: edit a copy of ") {
		t.Errorf("explanation lines:\n%s\n%s", lines[n-2], lines[n-1])
	}
	// Every failure is a row of the gateway's section, and only there.
	sections := sectionsOf(out)
	gw := sections["gateway gw01.demo.voipsec.test tcp://"]
	for _, row := range []string{"  FAIL  GW-NO-TLS ", "  FAIL  SIP-CLEARTEXT-ACCEPTED ", "  FAIL  SRTP-NOT-SUPPORTED "} {
		if !strings.Contains(gw, row) {
			t.Errorf("gateway section lacks %q:\n%s", row, gw)
		}
	}
	if got := strings.Count(out, "\n  FAIL  "); got != 3 {
		t.Errorf("%d FAIL rows, the verdict says 3", got)
	}
	for name, body := range sections {
		if strings.Contains(body, "  FAIL  ") && !strings.HasPrefix(name, "gateway ") {
			t.Errorf("unexpected failure in %q:\n%s", name, body)
		}
	}
	// The secured components pass every check; the gateway does not.
	for _, re := range []string{
		`(?m)^ +(\d+) of +(\d+)  UM um01\.demo\.voipsec\.test tls://`,
		`(?m)^ +(\d+) of +(\d+)  Mediation med01\.demo\.voipsec\.test internal edge tls://`,
		`(?m)^ +(\d+) of +(\d+)  dial plan Demo-Secured$`,
		`(?m)^ +(\d+) of +(\d+)  gateway gw01\.demo\.voipsec\.test tcp://`,
	} {
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no passed line %s in\n%s", re, out)
			continue
		}
		if all := m[1] == m[2]; all == strings.Contains(re, "gateway") {
			t.Errorf("passed line %q", m[0])
		}
	}
	checkGolden(t, "demo/demo.txt", []byte(normalizeDemo(out)))
	// The plan it names is there and loads.
	m := regexp.MustCompile(`edit a copy of (\S+plan\.yaml) `).FindStringSubmatch(out)
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

// With -v the passing checks are listed too: the media was exchanged and
// authenticated, not just negotiated.
func TestDemoVerbose(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	demoTempDir = t.TempDir()
	t.Cleanup(func() { demoTempDir = "" })
	out, errOut, code := runVoipsec(t, "demo", "-v", "--keep=false")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	sections := sectionsOf(out)
	for _, e := range []struct{ section, row string }{
		{"UM um01.demo.voipsec.test tls://", `PASS +SRTP-MEDIA-AUTH-FAILED +peer's SRTP media authenticates.*\n +media from the peer authenticated in [1-9]`},
		{"UM um01.demo.voipsec.test tls://", `PASS +UM-MTLS-NOT-ENFORCED +endpoint enforces the mutual TLS its declared level needs`},
		{"Mediation med01.demo.voipsec.test internal edge tls://", `PASS +MTLS-NOT-REQUIRED +server requires a client certificate`},
		{"Mediation med01.demo.voipsec.test internal edge tls://", `PASS +SRTP-MEDIA-AUTH-FAILED +peer's SRTP media authenticates`},
		{"Mediation med01.demo.voipsec.test external edge tls://", `PASS +GW-NO-TLS +gateway leg uses TLS`},
		{"dial plan Demo-Secured", `PASS +UM-ENCRYPTION-INCOMPATIBLE +dial plan VoIPSecurity works with the client encryption level`},
	} {
		if body, ok := sections[e.section]; !ok || !regexp.MustCompile(e.row).MatchString(body) {
			t.Errorf("section %q has no row %s:\n%s", e.section, e.row, body)
		}
	}
	checkGolden(t, "demo/demo-verbose.txt", []byte(normalizeDemo(out)))
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
	if code != exitOK {
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
	if !strings.Contains(errOut, "This was 'voipsec check'") || !strings.Contains(errOut, "'voipsec demo --write-plan DIR' writes a plan to edit ('voipsec help plan')") {
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
		case cur == "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "voipsec ") && !strings.HasSuffix(l, ":"):
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

// The demo's HTML report, rendered by headless Chromium (offline): the
// deliberate failures with their summaries, the run's parameters and the
// matrix cell of the demo's dial plan; the verdict line goes to stderr.
func TestDemoHTML(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	chromium := browser.Chromium(t)
	demoTempDir, demoMediaSeconds = t.TempDir(), 0
	t.Cleanup(func() { demoTempDir, demoMediaSeconds = "", 0.4 })
	path := filepath.Join(t.TempDir(), "demo.html")
	out, errOut, code := runVoipsec(t, "demo", "--keep=false", "--format", "html", "-o", path)
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.HasPrefix(errOut, "voipsec check: FAIL: 3 fail, ") || !strings.Contains(errOut, "; report written to "+path+"\n") {
		t.Errorf("stderr %q", errOut)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo.html: %d bytes", len(page))
	dom, err := browser.DumpDOM(context.Background(), chromium, path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(dom, " "))), " ")
	for _, want := range []string{
		"voipsec check report", "FAIL 3 findings at or above --fail-on fail.",
		"GW-NO-TLS", "gateway leg uses TLS", "the gateway uses TCP, not TLS",
		"SIP-CLEARTEXT-ACCEPTED", "the edge answers SIP in cleartext; the role gateway signals over TLS",
		"SRTP-NOT-SUPPORTED", "no SRTP offer was accepted",
		"plan file", "simulators", "tcp://127.0.0.3:",
		"dial plan Demo-Secured Secured required WORKS",
		"Configure the gateway and the Mediation Server's gateway listener for TLS.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
}

// 'demo --write-plan DIR' writes the example plan and the certificates it
// names; 'check --offline' then passes on it. Nothing is overwritten, and
// report flags, which would have no effect, are refused.
func TestDemoWritePlan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "contoso")
	out, errOut, code := runVoipsec(t, "demo", "--write-plan", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	if !strings.Contains(out, "voipsec check --offline "+planPath+"\n") {
		t.Errorf("output does not say how to check it:\n%s", out)
	}
	if b, err := os.ReadFile(planPath); err != nil || string(b) != docs.ExamplePlan {
		t.Errorf("plan.yaml is not the example: %v", err)
	}
	out, errOut, code = runVoipsec(t, "check", "--offline", planPath)
	if code != 0 {
		t.Errorf("check --offline of the written plan: exit %d %s\n%s", code, errOut, out)
	}
	if _, errOut, code = runVoipsec(t, "demo", "--write-plan", dir); code != exitError || !strings.Contains(errOut, planPath+" exists") {
		t.Errorf("second write: exit %d %q", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "x")
	if _, errOut, code = runVoipsec(t, "demo", "--write-plan", other, "--format", "json"); code != exitError || !strings.Contains(errOut, "--format would have no effect") {
		t.Errorf("--write-plan with --format: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("a refused --write-plan wrote files")
	}
}

// demoVariable are the parts of a demo report that change from run to
// run: the temporary folder, ephemeral ports, round-trip times, media
// packet counts.
var demoVariable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`/\S*voipsec-demo-[0-9]+/`), "DEMO/"},
	{regexp.MustCompile(`(127\.0\.0\.[0-9]):[0-9]+`), "$1:PORT"},
	{regexp.MustCompile(`port [0-9]+([,)])`), "port PORT$1"},
	{regexp.MustCompile(`in [0-9]+(\.[0-9]+)? ms`), "in N ms"},
	// Media counters of -v evidence depend on timing.
	{regexp.MustCompile(`for [0-9.]+s: sent [0-9]+, received [0-9]+, authenticated [0-9]+`), "for Ns: sent N, received N, authenticated N"},
}

func normalizeDemo(s string) string {
	for _, v := range demoVariable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// An interrupted demo says so and exits as an interrupted check does,
// never 0: the gateway leg's static GW-NO-TLS failure stands, so 1.
func TestDemoInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	demoTempDir, demoMediaSeconds = t.TempDir(), 0
	t.Cleanup(func() { demoTempDir, demoMediaSeconds = "", 0.4 })
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&signalCause{os.Interrupt}) // Ctrl-C before the first endpoint starts
	var out, errOut strings.Builder
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	code := run(ctx, []string{"demo", "--keep=false", "--no-color"}, e)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "interrupted: SIGINT (Ctrl-C) received") || !strings.Contains(out.String(), " inconclusive") {
		t.Errorf("the report does not say it was interrupted:\n%s", out.String())
	}
}

// The demo's failures are deliberate: a threshold on them is refused before
// any simulator starts, naming the flag.
func TestDemoRefusesFailOn(t *testing.T) {
	out, errOut, code := runVoipsec(t, "demo", "--fail-on", "warn")
	if code != exitError || out != "" || !strings.Contains(errOut, "--fail-on") || !strings.Contains(errOut, "voipsec check") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
