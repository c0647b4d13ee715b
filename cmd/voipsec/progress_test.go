package main

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// terminalRun runs voipsec with stderr as a fake terminal (stdout is not
// one) and the environment vars.
func terminalRun(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runVoipsecTTY(t, tty{stderr: true}, vars, "", args...)
}

// screen is what a terminal shows after s: '\r' moves to the start of the
// line, where the next characters overwrite what is there.
func screen(s string) []string {
	var lines []string
	var cur []rune
	col := 0
	for _, r := range s {
		switch r {
		case '\n':
			lines = append(lines, strings.TrimRight(string(cur), " "))
			cur, col = cur[:0], 0
		case '\r':
			col = 0
		default:
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col++
		}
	}
	return append(lines, strings.TrimRight(string(cur), " "))
}

// With one target on a terminal, each step is a line as it ends, saying
// what came of it, the way testssl.sh prints as it goes; the status line
// shows the step under way and is gone when the report comes. Nothing goes
// to stdout but the report.
func TestProgressOneTarget(t *testing.T) {
	t.Parallel()
	pki, _ := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Encryption = matrix.Optional })
	target := "udp://" + s.Addr("udp")
	out, errOut, code := terminalRun(t, nil, "probe", "--offer", "sdes-80,plain-rtp", "--media-seconds", "0.3", "--step-timeout", "3s", target)
	// (SDES over UDP fails.)
	if code != exitFindings || !strings.HasPrefix(out, "voipsec probe: FAIL: ") || strings.Contains(out, "probing") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(errOut, "\r") {
		t.Errorf("no status line drawn: %q", errOut)
	}
	shown := screen(errOut)
	want := []string{
		`probing ` + regexp.QuoteMeta(target),
		`  OPTIONS udp: 200 OK in [0-9.]+ ms`,
		`  offer 1 of 2 sdes-80: 200 OK \(RTP/SAVP port [0-9]+, AES_CM_128_HMAC_SHA1_80\)`,
		`      media \(300ms\): sent [0-9]+, received [0-9]+, authenticated [0-9]+, failed 0`,
		`  offer 2 of 2 plain-rtp: 200 OK \(RTP/AVP port [0-9]+\)`,
		``, // the report is set apart
		``, // the status line, cleared
	}
	if len(shown) != len(want) {
		t.Fatalf("the terminal shows\n%s\nwant\n%s", strings.Join(shown, "\n"), strings.Join(want, "\n"))
	}
	for i, w := range want {
		if !regexp.MustCompile("^" + w + "$").MatchString(shown[i]) {
			t.Errorf("line %d: %q, want %s", i, shown[i], w)
		}
	}
}

// With several targets the status line counts them and says what each is
// doing, step first; no step lines. It is cleared before the errors are
// printed, and the exit status is the run's.
func TestProgressSeveralTargets(t *testing.T) {
	t.Parallel()
	out, errOut, code := terminalRun(t, nil, "probe", "--step-timeout", "300ms", "sip:127.0.0.1:1;transport=tcp", "sip:127.0.0.1:2;transport=tcp")
	if code != exitError || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"\rprobing: 0 of 2 targets done · ", "\rprobing: 2 of 2 targets done"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q: %q", want, errOut)
		}
	}
	shown := screen(errOut)
	if !strings.HasPrefix(shown[0], "voipsec probe: error: tcp://127.0.0.1:1: ") || strings.Contains(strings.Join(shown, "\n"), "targets done") {
		t.Errorf("the terminal shows\n%s", strings.Join(shown, "\n"))
	}
}

// Progress is on stderr only on a terminal, unless --progress always asks
// for it in a log (lines, no status line); --progress never and TERM=dumb
// turn the status line off.
func TestProgressModes(t *testing.T) {
	t.Parallel()
	pki, _ := probePKI(t)
	s := probeSim(t, pki, "", nil)
	target := "udp://" + s.Addr("udp")
	args := []string{"probe", "--offer", "plain-rtp", "--media-seconds", "0", "--step-timeout", "3s", target}
	if _, errOut, _ := runVoipsec(t, args...); errOut != "" {
		t.Errorf("not a terminal: stderr %q", errOut)
	}
	if _, errOut, _ := terminalRun(t, nil, append(args, "--progress", "never")...); errOut != "" {
		t.Errorf("--progress never: stderr %q", errOut)
	}
	_, errOut, _ := runVoipsec(t, append(args, "--progress", "always")...)
	if strings.Contains(errOut, "\r") || !strings.HasPrefix(errOut, "probing "+target+"\n  OPTIONS ") || !strings.Contains(errOut, "\n  offer 1 of 1 plain-rtp: 200 OK") {
		t.Errorf("--progress always, not a terminal: %q", errOut)
	}
	_, dumb, _ := terminalRun(t, map[string]string{"TERM": "dumb"}, args...)
	if strings.Contains(dumb, "\r") || !strings.Contains(dumb, "\n  offer 1 of 1 plain-rtp: 200 OK") {
		t.Errorf("TERM=dumb: %q", dumb)
	}
	// Several targets in a log: a line per target done.
	_, errOut, _ = runVoipsec(t, "probe", "--progress", "always", "--step-timeout", "300ms", "sip:127.0.0.1:1;transport=tcp", "sip:127.0.0.1:2;transport=tcp")
	if strings.Contains(errOut, "\r") || !strings.Contains(errOut, "probing: 1 of 2 targets done: tcp://127.0.0.1:") || !strings.Contains(errOut, "probing: 2 of 2 targets done: tcp://127.0.0.1:") {
		t.Errorf("--progress always, several targets: %q", errOut)
	}
	if _, errOut, code := runVoipsec(t, append(args, "--progress", "sometimes")...); code != exitError || !strings.Contains(errOut, `--progress: unknown value "sometimes"`) {
		t.Errorf("bad --progress: exit %d %q", code, errOut)
	}
}

// check shows its endpoints' steps the same way: one endpoint, its steps as
// lines.
func TestProgressCheck(t *testing.T) {
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", secured)
	name := umPlan(t, files, s, "Secured", "")
	out, errOut, code := terminalRun(t, nil, "check", "--media-seconds", "0.2", name)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	shown := strings.Join(screen(errOut), "\n")
	for _, want := range []string{"checking tls://" + s.Addr("tls") + "\n  TLS handshake, versions and suites: TLS 1.", "\n  offer 7 of 7 dtls-srtp: 200 OK"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the terminal lacks %q:\n%s", want, shown)
		}
	}
	if _, errOut, code := terminalRun(t, nil, "check", "--offline", name); code != exitOK || errOut != "" {
		t.Errorf("--offline probes nothing and shows nothing: exit %d %q", code, errOut)
	}
}

func TestElapsedAndCut(t *testing.T) {
	for d, want := range map[time.Duration]string{400 * time.Millisecond: "0.4s", 12 * time.Second: "12s", 125 * time.Second: "2m05s"} {
		if got := elapsed(d); got != want {
			t.Errorf("elapsed(%v) = %q, want %q", d, got, want)
		}
	}
	if got := cut("probing: 1 of 2", 10); got != "probing: …" {
		t.Errorf("cut: %q", got)
	}
}

// The status line is as wide as the terminal stderr writes to says, which
// shells rarely export as COLUMNS; COLUMNS, when set, overrides it.
func TestTermWidth(t *testing.T) {
	for _, c := range []struct {
		columns string
		term    int
		want    int
	}{
		{"", 52, 52},
		{"120", 52, 120},
		{"", 0, 80},   // not a terminal, or it does not say
		{"", 8, 80},   // too narrow to be true
		{"x", 52, 52}, // COLUMNS that is not a number
	} {
		e := &env{Stderr: io.Discard, Getenv: func(k string) string {
			if k == "COLUMNS" {
				return c.columns
			}
			return ""
		}, TermWidth: func(w io.Writer) int {
			if w != io.Discard {
				t.Errorf("asked the width of %T, not stderr", w)
			}
			return c.term
		}}
		if got := termWidth(e); got != c.want {
			t.Errorf("COLUMNS %q, terminal %d: width %d, want %d", c.columns, c.term, got, c.want)
		}
	}
	if got := terminalWidth(io.Discard); got != 0 {
		t.Errorf("a writer that is not a terminal: width %d", got)
	}
	f, err := os.CreateTemp(t.TempDir(), "not-a-tty")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := terminalWidth(f); got != 0 {
		t.Errorf("a regular file: width %d", got)
	}
}
