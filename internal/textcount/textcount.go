// Package textcount reads a plain text report back, for the tests that
// check that its verdict line's counts are what it shows.
package textcount

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	verdictCounts = regexp.MustCompile(`: (\d+) fail, (\d+) warn, (\d+) info, (\d+) pass(?:, (\d+) inconclusive)?`)
	rowMarker     = regexp.MustCompile(`^  (FAIL|WARN|INFO|PASS|INCONCLUSIVE) +(?:(\d+) (?:checks|findings) +)?\S`)
	passedLine    = regexp.MustCompile(`^ +(\d+) of +(\d+)  \S`)
)

// Counts is what a text report says and shows, by severity name (FAIL,
// WARN, INFO, PASS, INCONCLUSIVE).
type Counts struct {
	Header map[string]int // the verdict line's counts
	Rows   map[string]int // the rows; a row shared by n findings ("n checks", "n findings") counts n
	Passed int            // the passed lines' sum of passed checks
	Total  int            // the passed lines' sum of checks
}

// Read reads a plain (uncoloured) text report.
func Read(text string) (Counts, error) {
	lines := strings.Split(text, "\n")
	m := verdictCounts.FindStringSubmatch(lines[0])
	if m == nil {
		return Counts{}, fmt.Errorf("verdict line %q", lines[0])
	}
	c := Counts{Header: map[string]int{}, Rows: map[string]int{}}
	for i, name := range []string{"FAIL", "WARN", "INFO", "PASS", "INCONCLUSIVE"} {
		c.Header[name], _ = strconv.Atoi(m[i+1])
	}
	inPassed := false
	for _, l := range lines[1:] {
		switch {
		case l == "Checks passed:":
			inPassed = true
		case l == "":
			inPassed = false
		case inPassed:
			p := passedLine.FindStringSubmatch(l)
			if p == nil {
				return c, fmt.Errorf("passed line %q", l)
			}
			n, _ := strconv.Atoi(p[1])
			t, _ := strconv.Atoi(p[2])
			c.Passed += n
			c.Total += t
		default:
			if r := rowMarker.FindStringSubmatch(l); r != nil {
				n := 1
				if r[2] != "" {
					n, _ = strconv.Atoi(r[2])
				}
				c.Rows[r[1]] += n
			}
		}
	}
	return c, nil
}

// Mismatch says how the verdict line's counts differ from what the report
// shows, or "" when they agree: a row for every finding that is not a
// pass, every pass counted in a passed line (and, with -v, a row).
func (c Counts) Mismatch() string {
	var diffs []string
	for _, s := range []string{"FAIL", "WARN", "INFO", "INCONCLUSIVE"} {
		if c.Rows[s] != c.Header[s] {
			diffs = append(diffs, fmt.Sprintf("the verdict line says %d %s, the report shows %d rows", c.Header[s], s, c.Rows[s]))
		}
	}
	if c.Passed != c.Header["PASS"] || c.Rows["PASS"] != 0 && c.Rows["PASS"] != c.Header["PASS"] {
		diffs = append(diffs, fmt.Sprintf("the verdict line says %d pass, the passed lines %d, the rows %d", c.Header["PASS"], c.Passed, c.Rows["PASS"]))
	}
	return strings.Join(diffs, "; ")
}
