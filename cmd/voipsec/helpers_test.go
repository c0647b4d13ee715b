package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	e := &env{
		Stdin:      strings.NewReader(stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(k string) string { return vars[k] },
		IsTerminal: func(io.Writer) bool { return false },
	}
	code = run(ctx, args, e)
	return out.String(), errb.String(), code
}

var (
	verdictCounts = regexp.MustCompile(`^voipsec \w+: \S+: (\d+) fail, (\d+) warn, (\d+) info, (\d+) pass(?:, (\d+) inconclusive)?`)
	rowMarker     = regexp.MustCompile(`^  (FAIL|WARN|INFO|PASS|INCONCLUSIVE) +(?:(\d+) checks +)?[A-Z0-9-]+`)
	passedLine    = regexp.MustCompile(`^ +(\d+) of +(\d+)  \S`)
)

// checkCountsMatchRows reads a plain text report back and checks that the
// verdict line's counts are what it shows: a row for every finding that is
// not a pass, the passes counted in the passed lines (and, with -v, rows).
func checkCountsMatchRows(t *testing.T, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	m := verdictCounts.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("verdict line %q", lines[0])
	}
	header := map[string]int{}
	for i, name := range []string{"FAIL", "WARN", "INFO", "PASS", "INCONCLUSIVE"} {
		header[name], _ = strconv.Atoi(m[i+1])
	}
	rows := map[string]int{}
	inPassed, passed := false, 0
	for _, l := range lines[1:] {
		switch {
		case l == "Checks passed:":
			inPassed = true
		case l == "":
			inPassed = false
		case inPassed:
			p := passedLine.FindStringSubmatch(l)
			if p == nil {
				t.Fatalf("passed line %q", l)
			}
			n, _ := strconv.Atoi(p[1])
			passed += n
		default:
			if r := rowMarker.FindStringSubmatch(l); r != nil {
				n := 1
				if r[2] != "" { // a row shared by n checks
					n, _ = strconv.Atoi(r[2])
				}
				rows[r[1]] += n
			}
		}
	}
	for _, s := range []string{"FAIL", "WARN", "INFO", "INCONCLUSIVE"} {
		if rows[s] != header[s] {
			t.Errorf("the verdict line says %d %s, the report shows %d rows:\n%s", header[s], s, rows[s], text)
		}
	}
	if passed != header["PASS"] || rows["PASS"] != 0 && rows["PASS"] != header["PASS"] {
		t.Errorf("the verdict line says %d pass, the passed lines %d, the rows %d", header["PASS"], passed, rows["PASS"])
	}
}
