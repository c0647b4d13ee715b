package report

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// SchemaVersion names the JSON schema written by [WriteJSON]. It changes only
// when a field is removed or changes meaning; fields may be added within it.
const SchemaVersion = "voipsec/v1"

// Report is what a command hands to a renderer.
type Report struct {
	Command   string         // the subcommand that produced it: "matrix", "probe", "inspect", "check"
	Version   string         // the tool version, for the JSON header
	Generated time.Time      // when the run finished; zero omits it (golden tests)
	Findings  []Finding      //
	Data      map[string]any // structured results for JSON only (TLS facts, stream tables, ...)
	// Text, when set, writes the command's own text section (a table)
	// after the findings; VerboseText one written only with
	// [TextOptions.Verbose] (long evidence such as every SIP dialog).
	Text        func(w io.Writer)
	VerboseText func(w io.Writer)
	// Notes, when set, returns what the report states about a target
	// under its heading, ahead of its findings: facts that are not
	// findings (probe: the role the target was judged as and why, its
	// effective encryption level). A target with notes has a heading in
	// the text report even when every check passed.
	Notes  func(target string) []string
	FailOn Severity // the --fail-on threshold, for the verdict and JUnit failures; unset (Pass), Inconclusive or out of range means Fail
	Suite  func(target string) string
	// Params are the run's parameters (targets, role, plan file, ...) and
	// Matrix the cells of the VoIPSecurity × client encryption matrix
	// that apply; the HTML report shows them.
	Params []Param
	Matrix []MatrixCell
	// Interrupted, when not empty, says the run was cut short and where
	// ("--timeout 2s reached while probing tls://med01:5061"). The checks
	// that did not run are inconclusive findings; an interrupted run is
	// never a pass.
	Interrupted string
}

// Verdict is the one-word result: "fail" when something is at or above
// FailOn, else "inconclusive" when a check could not be decided or the run
// was interrupted, else "pass".
func (r *Report) Verdict() string {
	switch r.ExitCode() {
	case ExitFindings:
		return "fail"
	case ExitInconclusive:
		return "inconclusive"
	}
	return "pass"
}

// ExitCode is the exit status the report's findings give ([ExitCode]), and
// at least [ExitInconclusive] when the run was interrupted.
func (r *Report) ExitCode() int {
	code := ExitCode(r.Findings, r.failOn())
	if code == ExitPass && r.Interrupted != "" {
		code = ExitInconclusive
	}
	return code
}

// failOn is the threshold in force: FailOn, or [Fail] when FailOn is the
// zero value (unset) or not a decided severity.
func (r *Report) failOn() Severity {
	if r.FailOn == Pass {
		return Fail
	}
	return threshold(r.FailOn)
}

// Format is an output format.
type Format string

const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
	FormatSARIF Format = "sarif"
	FormatHTML  Format = "html"
)

// Formats lists the formats every command accepts. Some commands add SARIF.
var Formats = []Format{FormatText, FormatJSON, FormatJUnit, FormatHTML}

// ParseFormat parses a format name; accepted lists the ones the command takes.
func ParseFormat(s string, accepted ...Format) (Format, error) {
	if len(accepted) == 0 {
		accepted = Formats
	}
	names := make([]string, len(accepted))
	for i, f := range accepted {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (accepted: %s)", s, strings.Join(names, ", "))
}

// jsonReport is the voipsec/v1 document. See docs/json-schema.md.
type jsonReport struct {
	Schema    string   `json:"schema"`
	Tool      jsonTool `json:"tool"`
	Command   string   `json:"command"`
	Generated string   `json:"generated,omitempty"`
	Verdict   string   `json:"verdict"`
	FailOn    string   `json:"fail_on"`
	// Interrupted says where a run was cut short (timeout, SIGINT, SIGTERM).
	Interrupted string         `json:"interrupted,omitempty"`
	Counts      jsonCounts     `json:"counts"`
	Findings    []Finding      `json:"findings"`
	Data        map[string]any `json:"data,omitempty"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type jsonCounts struct {
	Fail         int `json:"fail"`
	Warn         int `json:"warn"`
	Info         int `json:"info"`
	Pass         int `json:"pass"`
	Inconclusive int `json:"inconclusive"`
}

// WriteJSON writes the report as one indented voipsec/v1 JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	c := Counts(r.Findings)
	doc := jsonReport{
		Schema:   SchemaVersion,
		Tool:     jsonTool{Name: "voipsec", Version: r.Version},
		Command:  r.Command,
		Verdict:  r.Verdict(),
		FailOn:   r.failOn().String(),
		Counts:   jsonCounts{Fail: c[Fail], Warn: c[Warn], Info: c[Info], Pass: c[Pass], Inconclusive: c[Inconclusive]},
		Findings: r.Findings,
		Data:     r.Data,

		Interrupted: r.Interrupted,
	}
	if doc.Findings == nil {
		doc.Findings = []Finding{}
	}
	if !r.Generated.IsZero() {
		doc.Generated = r.Generated.UTC().Format(time.RFC3339)
	}
	// The bytes of json.Encoder with SetIndent("", "  "), indented in one
	// pass (jsonindent.go).
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = w.Write(appendIndentCompact(make([]byte, 0, len(b)+len(b)/2), append(b, '\n'), "", "  "))
	return err
}

// JUnit XML, in the shape Jenkins, GitLab and junitparser read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

// junitCase is one check on one target. Its name is the property the
// check tests ("server requires a client certificate"), which reads right
// whether it passed or failed; the stable check ID is its "check" property
// (the ID is the name when a check is not in the catalog).
type junitCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Failure    *junitFailure    `xml:"failure,omitempty"`
	Skipped    *junitSkipped    `xml:"skipped,omitempty"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitSkipped marks an inconclusive check: it ran but could not be
// decided, which CI tools show as neither passed nor failed.
type junitSkipped struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes one testsuite per target and one testcase per check,
// named by the property it tests, with the check ID as its "check" property.
// Findings at or above the report's FailOn are failures carrying the
// evidence, and the check's inconclusive findings on that target with
// them; a check with inconclusive findings and none failing is a skipped
// test case whose message is the reason and the hint; the others are
// passing test cases with their summary in system-out. The suite name
// is the target, or r.Suite(target) when set. An interrupted run adds a
// first suite, named after the command, whose one test case "run
// completed" is skipped with where the run stopped.
func WriteJUnit(w io.Writer, r *Report) error {
	doc := junitSuites{Name: "voipsec " + r.Command}
	targets, by := GroupByTarget(r.Findings)
	failOn := r.failOn()
	for _, t := range targets {
		name := t
		if r.Suite != nil {
			name = r.Suite(t)
		}
		s := junitSuite{Name: name}
		fs := by[t]
		// Keep one test case per check and target: merge repeated IDs so CI
		// tools that key on (classname, name) see each check once.
		order := []string{}
		merged := map[string][]Finding{}
		for _, f := range fs {
			if _, ok := merged[f.Check]; !ok {
				order = append(order, f.Check)
			}
			merged[f.Check] = append(merged[f.Check], f)
		}
		sort.Strings(order)
		for _, id := range order {
			group := merged[id]
			tc := junitCase{Name: cmp.Or(property(id), id), Classname: name, Properties: &junitProperties{Property: []junitProperty{{Name: "check", Value: id}}}}
			var failing, undecided, other []Finding
			for _, f := range group {
				switch {
				case f.Severity.AtLeast(failOn):
					failing = append(failing, f)
				case f.Severity == Inconclusive:
					undecided = append(undecided, f)
				default:
					other = append(other, f)
				}
			}
			if len(failing) > 0 {
				// The undecided findings of a failing check go in its body:
				// a test case has one result, and none may be dropped.
				tc.Failure = &junitFailure{Message: failing[0].Summary, Type: failing[0].Severity.String(), Body: junitLines(append(failing, undecided...))}
				s.Failures++
			} else if len(undecided) > 0 {
				msg := undecided[0].Summary
				if h := undecided[0].Hint; h != "" {
					msg += " (" + h + ")"
				}
				tc.Skipped = &junitSkipped{Message: msg, Body: junitLines(undecided)}
				s.Skipped++
			}
			tc.SystemOut = junitLines(other)
			s.Cases = append(s.Cases, tc)
			s.Tests++
		}
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	if r.Interrupted != "" {
		// Every check above may have passed; the run did not complete,
		// which is neither a pass nor a failure.
		name := "voipsec " + r.Command
		run := junitSuite{Name: name, Tests: 1, Skipped: 1, Cases: []junitCase{{
			Name: "run completed", Classname: name,
			Skipped: &junitSkipped{Message: "interrupted: " + r.Interrupted, Body: interruptedText(r)},
		}}}
		doc.Suites = append([]junitSuite{run}, doc.Suites...)
		doc.Tests++
		doc.Skipped++
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// interruptedText says that and where the run was interrupted, and what
// that means for its findings.
func interruptedText(r *Report) string {
	return "The run was interrupted: " + sentence(r.Interrupted) + " The checks that did not run are inconclusive; an interrupted run is never a pass."
}

// junitLines is the findings as JUnit text: each one's severity, summary,
// location, evidence, hint and rule.
func junitLines(fs []Finding) string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.Severity.String() + ": " + f.Summary + detailSuffix(f)
	}
	return strings.Join(lines, "\n")
}

func detailSuffix(f Finding) string {
	var b strings.Builder
	if f.Location != nil {
		b.WriteString("\nat " + f.Location.String())
	}
	if f.Detail != "" {
		b.WriteString("\nevidence: " + f.Detail)
	}
	if f.Hint != "" {
		b.WriteString("\nhint: " + f.Hint)
	}
	if f.Ref != "" {
		b.WriteString("\nrule: " + f.Ref)
	}
	return b.String()
}

// Write renders r in format f. SARIF is handled by [WriteSARIF] when the
// command supports it.
func Write(w io.Writer, f Format, r *Report, o TextOptions) error {
	switch f {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatJUnit:
		return WriteJUnit(w, r)
	case FormatSARIF:
		return WriteSARIF(w, r)
	case FormatHTML:
		return WriteHTML(w, r, o)
	case FormatText, "":
		return WriteText(w, r, o)
	}
	return fmt.Errorf("report: format %q not supported here", f)
}
