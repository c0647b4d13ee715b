package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/textcount"
)

// runVoipsec runs the CLI in-process the way a user would, with no terminal
// and an empty environment, and returns what it printed and its exit status.
func runVoipsec(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runVoipsecEnv(t, nil, "", args...)
}

// runVoipsecEnv is runVoipsec with environment variables and standard input.
func runVoipsecEnv(t testing.TB, vars map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runVoipsecTTY(t, tty{}, vars, stdin, args...)
}

// tty says which of stdout and stderr are (fake) terminals.
type tty struct{ stdout, stderr bool }

// runVoipsecTTY is runVoipsecEnv with stdout and/or stderr as terminals.
func runVoipsecTTY(t testing.TB, term tty, vars map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	e := &env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return vars[k] },
		IsTerminal: func(w io.Writer) bool {
			if cw, ok := w.(*countingWriter); ok { // run wraps stdout
				w = cw.w
			}
			return term.stdout && w == &out || term.stderr && w == &errb
		},
	}
	code = run(ctx, args, e)
	return out.String(), errb.String(), code
}

// checkCountsMatchRows reads a plain text report back and checks that the
// verdict line's counts are what it shows: a row for every finding that is
// not a pass (a shared row counting its checks), the passes counted in the
// passed lines (and, with -v, rows).
func checkCountsMatchRows(t *testing.T, text string) {
	t.Helper()
	c, err := textcount.Read(text)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Mismatch(); m != "" {
		t.Errorf("%s:\n%s", m, text)
	}
}
