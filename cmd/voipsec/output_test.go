package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output file that cannot be written is a usage error found before any
// work starts, for every command that writes a report: exit 2 and one line
// naming the path and what is wrong with it. (The probe's target would
// take seconds to time out; the check's plan does not exist; neither is
// reached.)
func TestOutputPathCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "existing.json")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := []struct{ path, want string }{
		{"/nonexistent/dir/x.json", "--output /nonexistent/dir/x.json: folder /nonexistent/dir does not exist"},
		{dir, "--output " + dir + ": is a folder"},
		{filepath.Join(file, "x.json"), "--output " + filepath.Join(file, "x.json") + ": " + file + " is not a folder"},
	}
	commands := [][]string{
		{"matrix", "--voip-security", "Secured", "--encryption", "required"},
		{"probe", "192.0.2.1:5061", "--step-timeout", "10s"},
		{"check", "no-such-plan.yaml"},
		{"inspect", "no-such-capture.pcap"},
		{"demo"},
		{"roles", "no-such-plan.yaml"},
	}
	for _, b := range bad {
		for _, args := range commands {
			t.Run(args[0]+" "+b.path, func(t *testing.T) {
				out, errOut, code := runVoipsec(t, append(args, "--format", "json", "-o", b.path)...)
				if code != exitError {
					t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
				}
				first := strings.SplitN(errOut, "\n", 2)[0]
				if first != "voipsec "+args[0]+": error: "+b.want {
					t.Errorf("error line %q, want %q", first, b.want)
				}
				if !strings.Contains(errOut, "voipsec: hint: ") {
					t.Errorf("no hint: %q", errOut)
				}
				if out != "" {
					t.Errorf("stdout %q: the report was going to a file", out)
				}
			})
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep" {
		t.Errorf("checking the path changed the existing file: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("checking the path left files behind: %v", entries)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := runVoipsec(t, "matrix", "-o", filepath.Join(ro, "x.txt"))
		if code != exitError || !strings.Contains(errOut, "cannot create files in "+ro+": permission denied") {
			t.Errorf("read-only folder: exit %d %q", code, errOut)
		}
	}
}

// With -o the report goes to the file, and the verdict line still reaches
// the person at the terminal, on stderr; stdout stays empty.
func TestOutputFileKeepsVerdictOnStderr(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pair.html")
	out, errOut, code := runVoipsec(t, "matrix", "--voip-security", "SIPSecured", "--encryption", "required", "--format", "html", "-o", path)
	if code != exitFindings || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := "voipsec matrix: FAIL: 1 fail, 0 warn, 0 info, 0 pass (fail-on fail); report written to " + path + "\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	page, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "UM-ENCRYPTION-INCOMPATIBLE") {
		t.Errorf("report file: %v\n%.300s", err, page)
	}
}

// An interrupted run's report goes to the file, and the person at the
// terminal learns both its verdict and that it was cut short, and why.
func TestOutputFileKeepsInterruptionOnStderr(t *testing.T) {
	t.Chdir(t.TempDir())
	plan := "voipsec_plan: 1\nexchange_um:\n  dial_plans:\n    - {name: DP, voip_security: SIPSecured}\n  servers:\n" +
		"    - {fqdn: um01, address: 127.0.0.1, port: 1, transport: tcp, dial_plans: [DP]}\n"
	if err := os.WriteFile("plan.yaml", []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&signalCause{os.Interrupt}) // Ctrl-C before the endpoint starts
	var out, errOut strings.Builder
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	code := run(ctx, []string{"check", "--format", "junit", "-o", "r.xml", "plan.yaml"}, e)
	lines := strings.Split(errOut.String(), "\n")
	if code != exitInconclusive || out.Len() != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "voipsec check: INCONCLUSIVE: ") ||
		!strings.HasSuffix(lines[0], "; report written to r.xml") || lines[1] != "interrupted: SIGINT (Ctrl-C) received; 1 endpoint not started" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out.String(), errOut.String())
	}
}

// -v/--verbose is an output flag: every reporting command lists the
// passing checks with it.
func TestVerboseListsPasses(t *testing.T) {
	args := []string{"matrix", "--voip-security", "Secured", "--encryption", "required"}
	out, _, code := runVoipsec(t, args...)
	if code != exitOK || strings.Contains(out, "  PASS  ") || !strings.Contains(out, "1 of 1  dial-plan=Secured client=required") {
		t.Errorf("default: exit %d\n%s", code, out)
	}
	for _, v := range []string{"-v", "--verbose"} {
		out, _, _ = runVoipsec(t, append(args, v)...)
		if !strings.Contains(out, "  PASS  UM-ENCRYPTION-INCOMPATIBLE  dial plan VoIPSecurity works with the client encryption level\n") {
			t.Errorf("%s:\n%s", v, out)
		}
	}
}
