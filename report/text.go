package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/voipsec/voipsec/internal/printable"
)

// TextOptions control the text renderer.
type TextOptions struct {
	// Color turns on ANSI colour. The caller decides: a terminal, and
	// neither NO_COLOR, --no-color nor TERM=dumb.
	Color bool
	// Verbose lists the passing checks too, with their evidence, every
	// line of long evidence, and the report's VerboseText.
	Verbose bool
}

// maxEvidenceLines is how many lines of one finding's evidence the default
// text shows; longer evidence is cut with a note (Verbose shows it all).
const maxEvidenceLines = 4

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31;1m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
)

func paint(on bool, code, s string) string {
	if !on || s == "" {
		return s
	}
	return code + s + ansiReset
}

func sevColor(s Severity) string {
	switch s {
	case Fail:
		return ansiRed
	case Warn, Inconclusive:
		return ansiYellow
	case Pass:
		return ansiGreen
	}
	return ansiDim
}

func verdictColor(v string) string {
	switch v {
	case "fail":
		return ansiRed
	case "inconclusive":
		return ansiYellow
	}
	return ansiGreen
}

// VerdictLine is the report's first line: the command, the verdict and how
// many findings there are of each severity, without a newline. Commands
// that write the report to a file print it on the terminal as well.
func VerdictLine(r *Report, color bool) string {
	c := Counts(r.Findings)
	var b strings.Builder
	fmt.Fprintf(&b, "voipsec %s: %s: %d fail, %d warn, %d info, %d pass", r.Command,
		paint(color, verdictColor(r.Verdict()), strings.ToUpper(r.Verdict())), c[Fail], c[Warn], c[Info], c[Pass])
	if c[Inconclusive] > 0 {
		fmt.Fprintf(&b, ", %d inconclusive", c[Inconclusive])
	}
	fmt.Fprintf(&b, " (fail-on %s)", r.failOn())
	return b.String()
}

// sortByRank orders findings worst first ([Severity.Rank]), keeping the
// order of equals.
func sortByRank(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return b.Severity.Rank() - a.Severity.Rank() })
}

// pad returns s followed by spaces up to width columns. Padding is added
// outside any colour, so escape codes never shift a column.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// errWriter keeps the first write error, so a renderer can write freely
// and report once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// WriteText writes the report for a person, leading with what needs
// attention:
//
//   - the verdict line ([VerdictLine]), and where an interrupted run stopped;
//   - per target, its notes (r.Notes), then every finding that is not a
//     pass (fail, inconclusive, warn, info, worst first), each as STATUS,
//     ID, the property the check tests and the plan location, then the
//     summary, the evidence and the hint;
//   - the report's own text section (r.Text, and r.VerboseText when verbose);
//   - one line per target saying how many of its checks passed;
//   - what to do next: the distinct hints of the inconclusive findings and
//     the catalog's fix (or the finding's own hint) for each failure.
//
// With o.Verbose the passing checks are listed under their target as well.
// Without it, inconclusive findings of a target that could not be decided
// for one reason (the same hint, evidence and location; at least
// [minFold] of them, say every certificate check behind a refused
// handshake) share a row that names them all and counts them.
// Every finding of the report is either a row (or counted in a shared row)
// or counted in the passed lines, so the verdict line's counts always add
// up to what is shown.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, VerdictLine(r, o.Color))
	if r.Interrupted != "" {
		fmt.Fprintf(ew, "interrupted: %s\n", printable.String(r.Interrupted))
	}
	targets, by := GroupByTarget(r.Findings)
	for _, t := range targets {
		sortByRank(by[t])
	}
	shown := func(f Finding) bool { return o.Verbose || f.Severity != Pass }
	rowsOf := map[string][]textRow{}
	sevW, idW := 0, 0
	for _, t := range targets {
		rows := textRows(slices.DeleteFunc(slices.Clone(by[t]), func(f Finding) bool { return !shown(f) }), !o.Verbose)
		for _, row := range rows {
			sevW = max(sevW, len(row.Severity.String()))
			idW = max(idW, utf8.RuneCountInString(row.label()))
		}
		rowsOf[t] = rows
	}
	indent := strings.Repeat(" ", 2+sevW+2)
	for _, t := range targets {
		rows := rowsOf[t]
		var notes []string
		if r.Notes != nil {
			notes = r.Notes(t)
		}
		if len(rows) == 0 && len(notes) == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n%s\n", paint(o.Color, ansiBold, printable.String(t)))
		for _, n := range notes {
			fmt.Fprintf(ew, "  %s\n", printable.String(n))
		}
		for _, row := range rows {
			writeTextRow(ew, row, o, sevW, idW, indent)
		}
	}
	if r.Text != nil {
		fmt.Fprintln(ew)
		writeSection(ew, r.Text)
	}
	if o.Verbose && r.VerboseText != nil {
		fmt.Fprintln(ew)
		writeSection(ew, r.VerboseText)
	}
	writePassed(ew, targets, by)
	writeNext(ew, r, o)
	return ew.err
}

// property is what the catalogued check id tests, or "" for a check the
// catalog does not hold.
func property(id string) string {
	if c, ok := Lookup(id); ok {
		return c.Property
	}
	return ""
}

// evidenceLines is a finding's evidence (its Detail) as printable lines,
// without the trailing empty ones; none when there is no evidence.
func evidenceLines(detail string) []string {
	if detail = strings.TrimRight(detail, "\n"); detail == "" {
		return nil
	}
	lines := strings.Split(detail, "\n")
	for i, l := range lines {
		lines[i] = printable.String(l)
	}
	return lines
}

// writeSection writes a command's own text section to w. Command tables
// carry network text too (certificate subjects, Server headers): it is
// made printable on the way.
func writeSection(w io.Writer, section func(io.Writer)) {
	pw := &printable.Writer{W: w}
	section(pw)
	_ = pw.Flush() // an error stays in w (errWriter, bytes.Buffer)
}

// minFold is how many inconclusive findings of a target, undecided for one
// reason, share a row in the default text.
const minFold = 3

// textRow is one row of the text report: a finding, or (Also not empty)
// inconclusive findings that share its hint, evidence and location (the
// same check may be among them more than once).
type textRow struct {
	Finding
	Also []string // the other checks of a shared row
}

// label is the row's second column: the check ID; for a shared row, "N
// checks", or "N findings" when a check is among them more than once.
func (r textRow) label() string {
	if len(r.Also) == 0 {
		return printable.String(r.Check)
	}
	n := 1 + len(r.Also)
	if len(r.checks()) < n {
		return fmt.Sprintf("%d findings", n)
	}
	return fmt.Sprintf("%d checks", n)
}

// checks names a shared row's checks, each once, in first-seen order,
// with "×N" after one found N times.
func (r textRow) checks() []string {
	var ids []string
	times := map[string]int{}
	for _, id := range append([]string{r.Check}, r.Also...) {
		if times[id] == 0 {
			ids = append(ids, id)
		}
		times[id]++
	}
	for i, id := range ids {
		if times[id] > 1 {
			ids[i] = fmt.Sprintf("%s ×%d", id, times[id])
		}
	}
	return ids
}

// textRows turns a target's findings (worst first) into rows; with fold,
// inconclusive findings undecided for one reason share a row, where the
// first of them stood.
func textRows(fs []Finding, fold bool) []textRow {
	key := func(f Finding) string {
		loc := ""
		if f.Location != nil {
			loc = f.Location.String()
		}
		return f.Hint + "\x00" + f.Detail + "\x00" + loc
	}
	n := map[string]int{}
	for _, f := range fs {
		if f.Severity == Inconclusive && f.Hint != "" {
			n[key(f)]++
		}
	}
	var rows []textRow
	at := map[string]int{}
	for _, f := range fs {
		k := key(f)
		if !fold || f.Severity != Inconclusive || f.Hint == "" || n[k] < minFold {
			rows = append(rows, textRow{Finding: f})
			continue
		}
		if i, ok := at[k]; ok {
			rows[i].Also = append(rows[i].Also, f.Check)
			continue
		}
		at[k] = len(rows)
		rows = append(rows, textRow{Finding: f})
	}
	return rows
}

// maxLine is the width a shared row's list of checks is wrapped to.
const maxLine = 100

// wrapList joins items with ", " into lines of at most width runes (an
// item longer than that has a line of its own), made printable.
func wrapList(items []string, width int) []string {
	var lines []string
	cur := ""
	for i, it := range items {
		it = printable.String(it)
		if i < len(items)-1 {
			it += ","
		}
		switch {
		case cur == "":
			cur = it
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(it) <= width:
			cur += " " + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	return append(lines, cur)
}

// writeTextRow writes one row: the status, the check and the property it
// tests (a shared row: how many checks and which), the summary with its
// location, the evidence (cut in the default view) and the hint.
func writeTextRow(w io.Writer, f textRow, o TextOptions, sevW, idW int, indent string) {
	prop := property(f.Check)
	var more []string // a shared row's checks that do not fit its first line
	if len(f.Also) > 0 {
		lines := wrapList(f.checks(), maxLine-(2+sevW+2+idW+2))
		prop, more = lines[0], lines[1:]
	}
	if f.Location != nil {
		prop += paint(o.Color, ansiDim, " — at "+printable.String(f.Location.String()))
	}
	sev := strings.ToUpper(f.Severity.String())
	fmt.Fprintf(w, "  %s%s  %s  %s\n", paint(o.Color, sevColor(f.Severity), sev), strings.Repeat(" ", sevW-len(sev)),
		pad(f.label(), idW), prop)
	for _, l := range more {
		fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", 2+sevW+2+idW+2), l)
	}
	summary := printable.String(f.Summary)
	if len(f.Also) > 0 {
		summary += paint(o.Color, ansiDim, " (and the like; -v shows each)")
	}
	fmt.Fprintf(w, "%s%s\n", indent, summary)
	if lines := evidenceLines(f.Detail); len(lines) > 0 {
		more := 0
		if !o.Verbose && len(lines) > maxEvidenceLines {
			more = len(lines) - (maxEvidenceLines - 1)
			lines = lines[:maxEvidenceLines-1]
		}
		for _, l := range lines {
			fmt.Fprintf(w, "%s  %s\n", indent, l)
		}
		if more > 0 {
			fmt.Fprintf(w, "%s  %s\n", indent, paint(o.Color, ansiDim, fmt.Sprintf("… %d more lines (-v shows them)", more)))
		}
	}
	if f.Hint != "" {
		fmt.Fprintf(w, "%shint: %s\n", indent, printable.String(f.Hint))
	}
}

// writePassed writes one line per target: how many of its findings
// passed. Numbers come first, so the columns do not depend on the length
// of target names.
func writePassed(w io.Writer, targets []string, by map[string][]Finding) {
	if len(targets) == 0 {
		fmt.Fprint(w, "\nNo checks ran.\n")
		return
	}
	nw := 0
	for _, t := range targets {
		nw = max(nw, len(fmt.Sprint(len(by[t]))))
	}
	fmt.Fprint(w, "\nChecks passed:\n")
	for _, t := range targets {
		fmt.Fprintf(w, "  %*d of %*d  %s\n", nw, Counts(by[t])[Pass], nw, len(by[t]), printable.String(t))
	}
}

// NextSteps returns what to do next, in the order the findings come: the
// distinct hints of the inconclusive findings, and for each finding at or
// above the report's fail-on threshold its own hint or else the catalog's
// fix. Each step names the checks it is for.
func NextSteps(r *Report) []Step {
	var steps []Step
	index := map[string]int{}
	failOn := r.failOn()
	targets, by := GroupByTarget(r.Findings)
	for _, t := range targets {
		sortByRank(by[t])
		for _, f := range by[t] {
			text := ""
			switch {
			case f.Severity == Inconclusive:
				text = f.Hint
			case f.Severity.AtLeast(failOn):
				text = f.Hint
				if c, ok := Lookup(f.Check); ok && text == "" {
					text = c.Fix
				}
			}
			if text == "" {
				continue
			}
			i, ok := index[text]
			if !ok {
				i = len(steps)
				index[text] = i
				steps = append(steps, Step{Text: text})
			}
			if !slices.Contains(steps[i].Checks, f.Check) {
				steps[i].Checks = append(steps[i].Checks, f.Check)
			}
		}
	}
	return steps
}

// Step is one thing to do next: a hint or a fix, and the checks it is for.
type Step struct {
	Checks []string
	Text   string
}

// writeNext writes the next steps, and where to read more.
func writeNext(w io.Writer, r *Report, o TextOptions) {
	steps := NextSteps(r)
	var more []string
	if len(steps) > 0 {
		fmt.Fprint(w, "\nNext:\n")
		for _, s := range steps {
			fmt.Fprintf(w, "  %s: %s\n", printable.String(strings.Join(s.Checks, ", ")), printable.String(s.Text))
		}
		more = append(more, "'voipsec help CHECK-ID' says why a check matters and how to fix it")
	}
	if !o.Verbose && Counts(r.Findings)[Pass] > 0 {
		more = append(more, "-v lists the passing checks")
	}
	if len(more) > 0 {
		if len(steps) == 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", paint(o.Color, ansiDim, strings.Join(more, "; ")))
	}
}
