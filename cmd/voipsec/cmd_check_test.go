package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/plantest"
)

func init() {
	// Other test files of this package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// testdataDir is absolute: tests that stage a plan change directory.
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkGolden compares got with testdata/NAME, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/voipsec -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/voipsec -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var plansDir = filepath.Join(testdataDir, "..", "..", "..", "testdata", "plans")

// stagePlan copies a testdata plan with its test PKI into a temporary
// folder, makes that the working directory (so the plan is named by a
// relative path, as in a repository), pins the certificate clock, and
// returns the plan's relative name.
func stagePlan(t *testing.T, src string) string {
	t.Helper()
	abs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	path := plantest.Stage(t, abs)
	t.Chdir(filepath.Dir(path))
	old := checkNow
	checkNow = func() time.Time { return plantest.Now }
	t.Cleanup(func() { checkNow = old })
	return filepath.Base(path)
}

var generatedLine = regexp.MustCompile(`"generated": "[^"]*"`)

// The offline check of the complete example, in every output format.
func TestCheckOfflineGolden(t *testing.T) {
	for _, c := range []struct{ format, golden string }{
		{"text", "check/example.txt"},
		{"json", "check/example.json"},
		{"junit", "check/example.junit.xml"},
		{"sarif", "check/example.sarif"},
	} {
		t.Run(c.format, func(t *testing.T) {
			name := stagePlan(t, filepath.Join(plansDir, "example.yaml"))
			out, errOut, code := runVoipsec(t, "check", "--offline", "--format", c.format, name)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			out = generatedLine.ReplaceAllString(out, `"generated": "-"`)
			checkGolden(t, c.golden, []byte(out))
		})
	}
}

// The text layout of check, default and -v, without and with colour, on
// the example plan (everything passes) and on a plan that fails: with
// colour, removing the escape codes gives the plain text, and the verdict
// line's counts are the rows.
func TestCheckTextGolden(t *testing.T) {
	for _, p := range []struct {
		plan, name string
		code       int
	}{
		{filepath.Join(plansDir, "example.yaml"), "example", exitOK},
		{filepath.Join(plansDir, "static", "edge-shared-address-fail.yaml"), "edge-shared-address-fail", exitFindings},
	} {
		t.Run(p.name, func(t *testing.T) {
			name := stagePlan(t, p.plan)
			plain := map[bool]string{}
			for _, color := range []bool{false, true} {
				for _, verbose := range []bool{false, true} {
					golden := "check/" + p.name
					args := []string{"check", "--offline", name}
					if verbose {
						golden += "-verbose"
						args = append(args, "-v")
					}
					if color {
						golden += "-color"
					}
					out, errOut, code := runVoipsecTTY(t, tty{stdout: color}, nil, "", args...)
					if code != p.code || errOut != "" {
						t.Fatalf("%s: exit %d, stderr %q", golden, code, errOut)
					}
					checkGolden(t, golden+".txt", []byte(out))
					if color {
						if ansiCode.ReplaceAllString(out, "") != plain[verbose] {
							t.Errorf("%s: colour moved text", golden)
						}
						continue
					}
					plain[verbose] = out
					checkCountsMatchRows(t, out)
				}
			}
		})
	}
}

// A plan failing several static checks: text names every plan line, the
// exit status is 1, and the verdict is on the first line.
func TestCheckOfflineFailing(t *testing.T) {
	name := stagePlan(t, filepath.Join(plansDir, "static", "gw-no-tls-fail.yaml"))
	out, _, code := runVoipsec(t, "check", "--offline", "--no-color", name)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if !strings.HasPrefix(out, "voipsec check: FAIL: 1 fail") {
		t.Errorf("verdict line: %q", strings.SplitN(out, "\n", 2)[0])
	}
	if !strings.Contains(out, "GW-NO-TLS  gateway leg uses TLS — at gw-no-tls-fail.yaml:16:18") {
		t.Errorf("no plan line for GW-NO-TLS:\n%s", out)
	}
	checkGolden(t, "check/gw-no-tls-fail.txt", []byte(out))
}

// A malformed plan exits 2 and prints every problem as file:line:col with
// the field path.
func TestCheckBadPlan(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	plan := "voipsec_plan: 1\nmediation_servers:\n  - fqdn: med01.contoso.com\n    internal: {address: 10.0.0.1, trasnport: tls}\n    external: {address: 10.0.0.2, transport: tsl}\n"
	if err := os.WriteFile("bad.yaml", []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "check", "--offline", "bad.yaml")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := []string{
		`voipsec check: error: bad.yaml:4:35: mediation_servers[0].internal.trasnport: unknown field "trasnport" (accepted: address, call_to, expect, port, transport); did you mean transport?`,
		`voipsec check: error: bad.yaml:5:46: mediation_servers[0].external.transport: unknown transport "tsl" (accepted: udp, tcp, tls)`,
		`voipsec: hint: the plan format: voipsec help plan`,
	}
	if got := strings.Split(strings.TrimSpace(errOut), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(want, "\n"))
	}
	// --format json: the documented error object on stdout, every problem on stderr.
	out, errOut2, code := runVoipsec(t, "check", "--offline", "--format", "json", "bad.yaml")
	var doc struct{ Command, Verdict, Error, Hint string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 2 {
		t.Fatalf("json: exit %d, stdout %q: %v", code, out, err)
	}
	if doc.Command != "check" || doc.Verdict != "error" || doc.Error != strings.TrimPrefix(want[0], "voipsec check: error: ") || doc.Hint != "the plan format: voipsec help plan" {
		t.Errorf("json error object %+v", doc)
	}
	if errOut2 != errOut {
		t.Errorf("json stderr:\n%s\nwant:\n%s", errOut2, errOut)
	}
	if out, _, _ := runVoipsec(t, "check", "--offline", "--format", "json", "-o", "r.json", "bad.yaml"); out != "" {
		t.Errorf("json to a file: stdout %q", out)
	}
	_, errOut, code = runVoipsec(t, "check", "missing.yaml")
	if code != 2 || !strings.Contains(errOut, "missing.yaml: file not found") {
		t.Errorf("missing plan: exit %d, %q", code, errOut)
	}
	_, errOut, code = runVoipsec(t, "check")
	if code != 2 || !strings.Contains(errOut, "check needs a plan file") {
		t.Errorf("no plan: exit %d, %q", code, errOut)
	}
	_, errOut, code = runVoipsec(t, "check", "--format", "xml", "bad.yaml")
	if code != 2 || !strings.Contains(errOut, "sarif") {
		t.Errorf("bad format: exit %d, %q", code, errOut)
	}
}

// The JUnit output of a check is read by a real consumer (Debian's
// python3-junitparser): one suite per component, one case per check,
// passing checks included.
func TestCheckJUnitReadByJunitparser(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import junitparser").Run(); err != nil {
		if os.Getenv("VOIPSEC_INTEROP") == "1" {
			t.Fatalf("junitparser not importable by %s (install python3-junitparser): %v", py, err)
		}
		t.Skip("python3-junitparser not installed")
	}
	name := stagePlan(t, filepath.Join(plansDir, "static", "edge-shared-address-fail.yaml"))
	out, _, code := runVoipsec(t, "check", "--offline", "--format", "junit", "-o", "out.xml", name)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	script := `
import sys, json
from junitparser import JUnitXml, Failure
out = {}
for suite in JUnitXml.fromfile(sys.argv[1]):
    out[suite.name] = {c.name: any(isinstance(r, Failure) for r in c.result) for c in suite}
print(json.dumps(out, sort_keys=True))
`
	got, err := exec.Command(py, "-c", script, "out.xml").Output()
	if err != nil {
		t.Fatalf("junitparser: %v", err)
	}
	var suites map[string]map[string]bool
	if err := json.Unmarshal(got, &suites); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]bool{
		// Test cases are named by the property they test (the ID is the
		// case's "check" property).
		"mediation/med01.contoso.com":          {"Mediation Server edges listen on different IP addresses": true},
		"mediation/med01.contoso.com/external": {"gateway leg uses TLS": false},
		"mediation/med01.contoso.com/gateway":  {"gateway leg uses TLS": false},
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(suites)
	if string(wantJSON) != string(gotJSON) {
		t.Errorf("junitparser read %s\nwant %s", gotJSON, wantJSON)
	}
}

// The SARIF output of a failing check validates with Microsoft's SARIF
// multitool and points at the plan lines.
func TestCheckSARIFValidates(t *testing.T) {
	tool := os.Getenv("VOIPSEC_SARIF_MULTITOOL")
	if tool == "" {
		tool, _ = exec.LookPath("sarif-multitool")
	}
	if tool == "" {
		if os.Getenv("VOIPSEC_INTEROP") == "1" {
			t.Fatal("SARIF multitool not found: set VOIPSEC_SARIF_MULTITOOL (npm @microsoft/sarif-multitool)")
		}
		t.Skip("SARIF multitool not installed")
	}
	name := stagePlan(t, filepath.Join(plansDir, "static", "ipsec-no-media-exception-fail.yaml"))
	if _, errOut, code := runVoipsec(t, "check", "--offline", "--format", "sarif", "-o", "out.sarif", name); code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile("out.sarif")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"uri": "ipsec-no-media-exception-fail.yaml"`)) || !bytes.Contains(data, []byte(`"startLine": 10`)) {
		t.Errorf("SARIF does not point at the plan line:\n%s", data)
	}
	cmd := exec.Command(tool, "validate", "--output", "validation.sarif", "out.sarif")
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	console, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("multitool: %v\n%s", err, console)
	}
	vlog, err := os.ReadFile("validation.sarif")
	if err != nil {
		t.Fatalf("no validation log: %v\n%s", err, console)
	}
	if bytes.Contains(vlog, []byte(`"level": "error"`)) {
		t.Errorf("multitool reports errors:\n%s", vlog)
	}
}
