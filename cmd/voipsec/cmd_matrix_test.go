package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"
)

func TestMatrixReferenceView(t *testing.T) {
	out, errOut, code := runVoipsec(t, "matrix")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Unsecured [TCP 5060, RTP]", "SIPSecured [MTLS 5061, RTP]", "Secured [MTLS 5061, SRTP]",
		"RequireEncryption", "Why:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// One reason line per cell, five failing and four working.
	if n := strings.Count(out, " FAILS: "); n != 5 {
		t.Errorf("%d failing cells explained, want 5", n)
	}
	if n := strings.Count(out, " works: "); n != 4 {
		t.Errorf("%d working cells explained, want 4", n)
	}
}

func TestMatrixPair(t *testing.T) {
	tests := []struct {
		voip, enc string
		code      int
		check     string
	}{
		{"Secured", "RequireEncryption", 0, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"secured", "optional", 0, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"Secured", "DoNotSupportEncryption", 1, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"sip-secured", "required", 1, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"SIPSecured", "SupportEncryption", 0, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"sipsecured", "rejected", 0, "UM-ENCRYPTION-INCOMPATIBLE"},
		{"Unsecured", "rejected", 1, "UM-VOIPSEC-UNSECURED"},
		{"unsecured", "optional", 1, "UM-VOIPSEC-UNSECURED"},
		{"UNSECURED", "required", 1, "UM-VOIPSEC-UNSECURED"},
	}
	for _, tt := range tests {
		t.Run(tt.voip+"/"+tt.enc, func(t *testing.T) {
			out, _, code := runVoipsec(t, "matrix", "--voip-security", tt.voip, "--encryption", tt.enc, "--format", "json")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, out)
			}
			var doc struct {
				Verdict  string `json:"verdict"`
				Findings []struct {
					Check    string `json:"check"`
					Severity string `json:"severity"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("bad JSON: %v\n%s", err, out)
			}
			if len(doc.Findings) != 1 || doc.Findings[0].Check != tt.check {
				t.Fatalf("findings %+v, want one %s", doc.Findings, tt.check)
			}
			wantSev, wantVerdict := "pass", "pass"
			if tt.code == 1 {
				wantSev, wantVerdict = "fail", "fail"
			}
			if doc.Findings[0].Severity != wantSev || doc.Verdict != wantVerdict {
				t.Errorf("severity %s verdict %s, want %s %s", doc.Findings[0].Severity, doc.Verdict, wantSev, wantVerdict)
			}
		})
	}
}

func TestMatrixRowAndJUnit(t *testing.T) {
	out, _, code := runVoipsec(t, "matrix", "--voip-security", "Secured", "--format", "junit")
	if code != 0 {
		t.Fatalf("row view exit %d", code)
	}
	var doc struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("bad XML: %v", err)
	}
	if doc.Tests != 3 || len(doc.Suites) != 3 || !strings.Contains(doc.Suites[0].Name, "Secured") {
		t.Errorf("row view: %+v", doc)
	}
}

func TestMatrixUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // must appear in the one error line
	}{
		{[]string{"matrix", "--voip-security", "secure"}, `--voip-security: unknown VoIPSecurity "secure" (accepted: Unsecured, SIPSecured, Secured)`},
		{[]string{"matrix", "--encryption", "maybe"}, `--encryption: unknown encryption level "maybe"`},
		{[]string{"matrix", "--format", "yaml"}, `--format: unknown format "yaml" (accepted: text, json, junit, html)`},
		{[]string{"matrix", "--fail-on", "error"}, `--fail-on: unknown severity "error"`},
		{[]string{"matrix", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"matrix", "extra"}, `matrix takes no arguments, got "extra"`},
		{[]string{"matrx"}, `unknown command "matrx"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runVoipsec(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("usage error wrote to stdout: %q", out)
			}
			lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "voipsec") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("first stderr line %q does not contain %q", lines[0], tt.want)
			}
			for _, l := range lines[1:] {
				if !strings.HasPrefix(l, "voipsec: hint: ") {
					t.Errorf("extra stderr line %q", l)
				}
			}
		})
	}
	_, errOut, _ := runVoipsec(t, "matrx")
	if !strings.Contains(errOut, "did you mean 'voipsec matrix'?") {
		t.Errorf("no suggestion for a typo: %q", errOut)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help", "matrix"}, {"matrix", "--help"}, {"matrix", "-h"}} {
		out, _, code := runVoipsec(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--voip-security") || !strings.Contains(out, "Exit status:") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	out, _, code := runVoipsec(t, "help")
	if code != 0 || !strings.Contains(out, "matrix") || !strings.Contains(out, "voipsec demo") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	_, errOut, code := runVoipsec(t)
	if code != 2 || !strings.Contains(errOut, "Usage:") {
		t.Errorf("no args: exit %d\n%s", code, errOut)
	}
	out, _, code = runVoipsec(t, "version")
	if code != 0 || !strings.HasPrefix(out, "voipsec ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

func TestNoColorWhenNotTerminal(t *testing.T) {
	out, _, _ := runVoipsec(t, "matrix", "--voip-security", "Secured", "--encryption", "rejected")
	if strings.Contains(out, "\x1b[") {
		t.Error("colour written to a non-terminal")
	}
}

func TestColorRules(t *testing.T) {
	tests := []struct {
		name    string
		noColor string
		flag    bool
		want    bool
	}{
		{"terminal", "", false, true},
		{"NO_COLOR set", "1", false, false},
		{"--no-color", "", true, false},
		{"TERM=dumb", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			vars := map[string]string{"NO_COLOR": tt.noColor, "TERM": "xterm-256color"}
			if tt.name == "TERM=dumb" {
				vars["TERM"] = "dumb"
			}
			e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &strings.Builder{},
				Getenv:     func(k string) string { return vars[k] },
				IsTerminal: func(io.Writer) bool { return true }}
			args := []string{"matrix", "--voip-security", "Secured", "--encryption", "rejected"}
			if tt.flag {
				args = append(args, "--no-color")
			}
			run(context.Background(), args, e)
			if got := strings.Contains(out.String(), "\x1b["); got != tt.want {
				t.Errorf("colour = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	// A usage or operational error with --format json is also one JSON
	// object on stdout.
	out, errOut, code := runVoipsec(t, "matrix", "--format", "json", "--voip-security", "secure")
	if code != 2 || !strings.Contains(errOut, "unknown VoIPSecurity") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	var doc struct {
		Schema, Command, Verdict, Error string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if doc.Schema != "voipsec/v1" || doc.Command != "matrix" || doc.Verdict != "error" || !strings.Contains(doc.Error, `"secure"`) {
		t.Errorf("error object %+v", doc)
	}
	// Text format: nothing on stdout.
	if out, _, _ := runVoipsec(t, "matrix", "--voip-security", "secure"); out != "" {
		t.Errorf("text-format error wrote to stdout: %q", out)
	}
	// A report going to a file: nothing on stdout either.
	if out, _, _ := runVoipsec(t, "matrix", "--format", "json", "-o", t.TempDir()+"/r.json", "--voip-security", "secure"); out != "" {
		t.Errorf("error with -o wrote to stdout: %q", out)
	}
}

func TestIsTerminalSeesThroughCountingWriter(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// /dev/null is a character device: what a terminal check sees for a tty.
	if isTerminal(f) != isTerminal(&countingWriter{w: f}) {
		t.Error("wrapping stdout changed the terminal check")
	}
}

func TestMatrixColumnView(t *testing.T) {
	out, _, code := runVoipsec(t, "matrix", "--encryption", "RequireEncryption")
	if code != 0 {
		t.Fatalf("column view exit %d", code)
	}
	if strings.Contains(out, "rejected (") || strings.Contains(out, "optional (") || !strings.Contains(out, "required (RequireEncryption)") {
		t.Errorf("column view has other columns:\n%s", out)
	}
	for _, row := range []string{"Unsecured [TCP 5060, RTP]     FAILS", "SIPSecured [MTLS 5061, RTP]   FAILS", "Secured [MTLS 5061, SRTP]     works"} {
		if !strings.Contains(out, row) {
			t.Errorf("column view lacks row %q:\n%s", row, out)
		}
	}
	if n := strings.Count(out, " FAILS: ") + strings.Count(out, " works: "); n != 3 {
		t.Errorf("%d cells explained, want 3", n)
	}
}

// The text of the reference view and of a pair, default and verbose.
func TestMatrixGolden(t *testing.T) {
	for _, c := range []struct {
		golden string
		args   []string
		code   int
	}{
		{"matrix/reference.txt", []string{"matrix"}, 0},
		{"matrix/pair-works.txt", []string{"matrix", "--voip-security", "Secured", "--encryption", "required"}, 0},
		{"matrix/pair-works-verbose.txt", []string{"matrix", "--voip-security", "Secured", "--encryption", "required", "-v"}, 0},
		{"matrix/pair-fails.txt", []string{"matrix", "--voip-security", "SIPSecured", "--encryption", "RequireEncryption"}, 1},
		{"matrix/row-verbose.txt", []string{"matrix", "--voip-security", "Unsecured", "-v"}, 0},
	} {
		t.Run(c.golden, func(t *testing.T) {
			out, errOut, code := runVoipsec(t, c.args...)
			if code != c.code || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			checkGolden(t, c.golden, []byte(out))
		})
	}
}
