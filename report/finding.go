package report

import (
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings. The zero value is [Pass].
//
// [Inconclusive] is not a degree of badness: it says the check ran but the
// evidence could not decide it (the edge never evaluated the offer, the run
// was interrupted, a step was skipped). It is never at or above any
// threshold ([Severity.AtLeast]), it is never shown as pass or fail, and it
// makes the exit status 3 when nothing failed ([ExitCode]).
type Severity uint8

const (
	Pass         Severity = iota // the check ran and the rule holds
	Info                         // a fact worth knowing; never a problem
	Warn                         // a weakness or a risk; not a rule violation
	Fail                         // the rule is broken
	Inconclusive                 // the check ran but could not be decided; Summary says why, Hint what to change
)

var severityNames = [...]string{Pass: "pass", Info: "info", Warn: "warn", Fail: "fail", Inconclusive: "inconclusive"}

// AtLeast reports whether s is a decided severity at or above threshold t
// (and above [Pass]): the findings that fail a run at --fail-on t.
// Inconclusive is never at least anything.
func (s Severity) AtLeast(t Severity) bool {
	return s != Inconclusive && s > Pass && s >= t
}

// Rank orders severities for display, worst first: fail, inconclusive,
// warn, info, pass. Unlike the numeric order it places an undecided check
// above a warning, since a person must act on it.
func (s Severity) Rank() int {
	switch s {
	case Fail:
		return 4
	case Inconclusive:
		return 3
	}
	return int(s)
}

// String returns the lower-case name: "pass", "info", "warn", "fail" or
// "inconclusive".
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// ParseSeverity parses a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("report: unknown severity %q (accepted: pass, info, warn, fail, inconclusive)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Location points at a place in an input file, such as a plan line.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (l *Location) String() string {
	if l == nil {
		return ""
	}
	switch {
	case l.Line > 0 && l.Column > 0:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// Finding is the result of one check against one target.
type Finding struct {
	Check    string    `json:"check"`              // stable ID from the catalog, e.g. MTLS-NOT-REQUIRED
	Severity Severity  `json:"severity"`           // fail, warn, info, pass or inconclusive
	Target   string    `json:"target"`             // what was looked at: tls://host:5061, a 5-tuple, a plan path
	Summary  string    `json:"summary"`            // one line a person reads
	Detail   string    `json:"detail,omitempty"`   // what was seen, as evidence
	Ref      string    `json:"ref,omitempty"`      // the rule it enforces; defaults to the catalog's
	Location *Location `json:"location,omitempty"` // where in an input file the finding comes from
	Hint     string    `json:"hint,omitempty"`     // what to change so the check can be decided (inconclusive findings)
}

// New returns a finding for a catalogued check with the check's default
// severity and reference. It panics if id is not in the catalog: check IDs are
// compile-time constants, and an unknown one is a programming error.
func New(id, target, summary string) Finding {
	c, ok := Lookup(id)
	if !ok {
		panic("report: unknown check ID " + id)
	}
	return Finding{Check: id, Severity: c.Severity, Target: target, Summary: summary, Ref: c.Ref}
}

// Newf is [New] with a formatted summary.
func Newf(id, target, format string, args ...any) Finding {
	return New(id, target, fmt.Sprintf(format, args...))
}

// Passed returns a passing finding for a catalogued check: the check ran and
// the rule holds. Renderers that list every check (JUnit) need these.
func Passed(id, target, summary string) Finding {
	f := New(id, target, summary)
	f.Severity = Pass
	return f
}

// CouldNotTell returns an inconclusive finding for a catalogued check: it
// ran, but the evidence does not decide it. reason says why (it becomes the
// summary), hint what the user can change so that it can be decided. It
// panics on an unknown ID, like [New].
func CouldNotTell(id, target, reason, hint string) Finding {
	f := New(id, target, reason)
	f.Severity = Inconclusive
	f.Hint = hint
	return f
}

// WithDetail returns f with its evidence set.
func (f Finding) WithDetail(format string, args ...any) Finding {
	f.Detail = fmt.Sprintf(format, args...)
	return f
}

// WithSeverity returns f with its severity changed.
func (f Finding) WithSeverity(s Severity) Finding {
	f.Severity = s
	return f
}

// Max returns the worst severity among findings by [Severity.Rank], or Pass
// when there are none.
func Max(findings []Finding) Severity {
	var m Severity
	for _, f := range findings {
		if f.Severity.Rank() > m.Rank() {
			m = f.Severity
		}
	}
	return m
}

// Counts returns how many findings there are of each severity.
func Counts(findings []Finding) map[Severity]int {
	c := make(map[Severity]int, 5)
	for _, f := range findings {
		c[f.Severity]++
	}
	return c
}

// threshold is s as a --fail-on threshold: [Inconclusive] is not a
// degree of badness, so nothing would be at or above it and a failing run
// would pass; it, and any value past it, means [Fail].
func threshold(s Severity) Severity {
	if s >= Inconclusive {
		return Fail
	}
	return s
}

// Exit statuses of a run that produced findings (2, a usage or operational
// error, is the command's).
const (
	ExitPass         = 0 // everything decided, nothing at or above --fail-on
	ExitFindings     = 1 // a finding at or above --fail-on
	ExitInconclusive = 3 // nothing at or above --fail-on, but some check could not be decided
)

// ExitCode is the process exit status for findings: [ExitFindings] when any
// finding is at or above failOn (failOn inconclusive means fail), else
// [ExitInconclusive] when any is inconclusive, else [ExitPass].
func ExitCode(findings []Finding, failOn Severity) int {
	failOn = threshold(failOn)
	code := ExitPass
	for _, f := range findings {
		if f.Severity.AtLeast(failOn) {
			return ExitFindings
		}
		if f.Severity == Inconclusive {
			code = ExitInconclusive
		}
	}
	return code
}

// Sort orders findings stably by target (in first-seen order), then by
// severity (worst first), then by check ID.
func Sort(findings []Finding) { SortTargets(findings, nil) }

// SortTargets is [Sort] with the targets in targets coming first, in that
// order, and the others after them in first-seen order.
func SortTargets(findings []Finding, targets []string) {
	order := make(map[string]int, len(targets))
	for _, t := range targets {
		if _, ok := order[t]; !ok {
			order[t] = len(order)
		}
	}
	for _, f := range findings {
		if _, ok := order[f.Target]; !ok {
			order[f.Target] = len(order)
		}
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if order[a.Target] != order[b.Target] {
			return order[a.Target] < order[b.Target]
		}
		if a.Severity != b.Severity {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		return a.Check < b.Check
	})
}

// GroupByTarget returns the targets in first-seen order and their findings.
func GroupByTarget(findings []Finding) ([]string, map[string][]Finding) {
	var targets []string
	by := map[string][]Finding{}
	for _, f := range findings {
		if _, ok := by[f.Target]; !ok {
			targets = append(targets, f.Target)
		}
		by[f.Target] = append(by[f.Target], f)
	}
	return targets, by
}
