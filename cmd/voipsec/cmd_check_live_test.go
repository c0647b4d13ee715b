package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// umPlan writes, into a fresh folder that becomes the working directory, a
// plan naming the simulator s as an Exchange UM server of a dial plan at
// level, with the probe's trust material from files, and returns the
// plan's name. extra is appended to the UM server's mapping.
func umPlan(t *testing.T, files testpki.Files, s *sim.Server, level, extra string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(s.Addr("tls"))
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf(`voipsec_plan: 1
trust:
  ca: %s
  client_certificate: %s
  client_key: %s
exchange_um:
  dial_plans:
    - {name: DP, voip_security: %s}
  servers:
    - fqdn: localhost
      address: %s
      port: %s
      transport: tls
      dial_plans: [DP]
%s`, files.CA, files.ClientCert, files.ClientKey, level, host, port, extra)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return "plan.yaml"
}

// junitCounts reads the totals of a JUnit file.
func junitCounts(t *testing.T, path string) (tests, failures, skipped int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no JUnit file: %v", err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit: %v\n%s", err, data)
	}
	return doc.Tests, doc.Failures, doc.Skipped
}

// secured is a simulator at VoIPSecurity Secured. With --media-seconds 30
// the first accepted offer holds a call for 30 s: the live checks are
// still running when the run is cut.
func secured(c *sim.Config) { c.Preset(matrix.Secured) }

// `check --timeout` against an edge that fails two TLS checks and is in
// the middle of a call when the time is up: the failures stand (exit 1), the verdict says the run was cut
// and where, the checks that did not run are inconclusive, and the JUnit
// file says so (it said failures="0" and the run exited 0 before).
func TestCheckTimeoutKeepsFailures(t *testing.T) {
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) {
		secured(c)
		c.MTLS = sim.MTLSRequest                              // MTLS-NOT-REQUIRED fails
		c.Faults = append(c.Faults, sim.FaultNoClientAuthEKU) // TLS-CERT-EKU fails
	})
	name := umPlan(t, files, s, "Secured", "")
	args := []string{"check", "--timeout", "3s", "--media-seconds", "30", name}
	out, errOut, code := runVoipsec(t, append(args, "--no-color")...)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	lines := strings.SplitN(out, "\n", 3)
	if !strings.HasPrefix(lines[0], "voipsec check: FAIL:") || !strings.Contains(lines[0], "inconclusive") ||
		!strings.HasPrefix(lines[1], "interrupted: --timeout 3s reached while probing UM localhost tls://"+s.Addr("tls")) {
		t.Fatalf("verdict:\n%s", out)
	}
	for _, want := range []string{`FAIL +MTLS-NOT-REQUIRED`, `FAIL +TLS-CERT-EKU`, `INCONCLUSIVE +SRTP-`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	_, _, code = runVoipsec(t, append(args, "--format", "junit", "-o", "out.xml")...)
	if _, failures, skipped := junitCounts(t, "out.xml"); code != exitFindings || failures < 2 || skipped == 0 {
		t.Fatalf("JUnit: exit %d, %d failures, %d skipped; want 1, at least 2 and some", code, failures, skipped)
	}
}

// SIGTERM to a running `voipsec check` (the built command, as a process):
// the dialogs in flight are torn down, the report is still written, it says
// the run was interrupted by SIGTERM and where, nothing decided is a
// failure, and the exit status is 3, not 0.
func TestCheckSIGTERM(t *testing.T) {
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", secured)
	name := umPlan(t, files, s, "Secured", "")
	for _, format := range []string{"text", "junit", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			cmd := helperCommand(t, "check", "--media-seconds", "30", "--format", format, "-o", "out."+format, name)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Mid-run: a call is up, its media running.
			deadline := time.Now().Add(time.Minute)
			for s.Active() == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != exitInconclusive {
				t.Fatalf("exit %d (%v), want 3\n%s", code, err, stderr.String())
			}
			data, rerr := os.ReadFile("out." + format)
			if rerr != nil {
				t.Fatalf("no report: %v", rerr)
			}
			switch format {
			case "text":
				lines := strings.SplitN(string(data), "\n", 3)
				if !strings.HasPrefix(lines[0], "voipsec check: INCONCLUSIVE:") ||
					!strings.HasPrefix(lines[1], "interrupted: SIGTERM received while probing UM localhost tls://"+s.Addr("tls")) {
					t.Fatalf("report:\n%s", data)
				}
			case "junit":
				if _, failures, skipped := junitCounts(t, "out.junit"); failures != 0 || skipped == 0 {
					t.Fatalf("JUnit: %d failures, %d skipped\n%s", failures, skipped, data)
				}
			case "json":
				var doc struct {
					Verdict, Interrupted string
					Counts               struct{ Fail, Inconclusive int }
				}
				if err := json.Unmarshal(data, &doc); err != nil || doc.Verdict != "inconclusive" || doc.Counts.Fail != 0 ||
					doc.Counts.Inconclusive == 0 || !strings.HasPrefix(doc.Interrupted, "SIGTERM received while probing UM localhost") {
					t.Fatalf("JSON (%v): %+v", err, doc)
				}
			case "sarif":
				// Undecided checks are results of kind "open" (SARIF 2.1.0
				// §3.27.9), none of them a failure.
				if !bytes.Contains(data, []byte(`"kind": "open"`)) || bytes.Contains(data, []byte(`"kind": "fail"`)) {
					t.Fatalf("SARIF:\n%s", data)
				}
			}
			// The call in flight was torn down (BYE), not left to the
			// simulator's own limits.
			deadline = time.Now().Add(30 * time.Second)
			for s.Active() != 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := s.Active(); n != 0 {
				t.Errorf("%d calls still up after the run ended", n)
			}
		})
	}
}

// A plan that declares nothing to check is a plan error at its first line,
// exit 2 (it passed every run before).
func TestCheckNothingToCheck(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("empty.yaml", []byte("voipsec_plan: 1\nname: nothing yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "check", "empty.yaml")
	if code != exitError || out != "" || !strings.HasPrefix(errOut, "voipsec check: error: empty.yaml:1:1: the plan declares nothing to check") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// SIGINT during a probe, through run's context as main wires it: the call
// in flight is torn down, the report says the run was interrupted by
// SIGINT and where, and nothing decided makes it exit 3, not 0.
func TestProbeSIGINT(t *testing.T) {
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", secured)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		deadline := time.Now().Add(time.Minute)
		for s.Active() == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel(&signalCause{os.Interrupt})
	}()
	var out, errb bytes.Buffer
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false }}
	target := "tls://" + s.Addr("tls")
	code := run(ctx, []string{"probe", "--cert", files.ClientCert, "--key", files.ClientKey, "--ca", files.CA, "--enumerate",
		"--role", "um", "--media-seconds", "30", "--no-color", target}, e)
	if code != exitInconclusive {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out.String(), errb.String())
	}
	// The step is the offer or its media window, by when the signal came.
	want := "interrupted: SIGINT (Ctrl-C) received while probing " + target + " ("
	if !strings.HasPrefix(out.String(), "voipsec probe: INCONCLUSIVE: ") || !strings.Contains(out.String(), want) {
		t.Fatalf("want the verdict and %q in\n%s", want, out.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.Active() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := s.Active(); n != 0 {
		t.Errorf("%d calls still up after the run ended", n)
	}
}
