package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/printable"
)

// Param is one of the run's parameters as the HTML report lists them
// ("targets", "plan file", "role", ...). Commands fill [Report.Params].
type Param struct {
	Name  string
	Value string
}

// MatrixCell is a cell of the UM dial plan VoIPSecurity × client
// encryption level matrix that applies to the run, as plain data (package
// matrix builds on report, not the other way round).
type MatrixCell struct {
	For          string // what the cell applies to, e.g. "dial plan Contoso-Secured"; may be empty
	VoipSecurity string // e.g. "Secured"
	Encryption   string // e.g. "required"
	Works        bool
	Reason       string // why, in one sentence
	Check        string // the catalog ID that decides the cell
}

// htmlView is what the template renders: everything already chosen and
// ordered, every string untrusted (html/template escapes it).
type htmlView struct {
	Command, Verdict, Version, Generated string
	VerdictText                          string
	Counts                               []htmlCount
	Interrupted                          string
	Params                               []Param
	Matrix                               []MatrixCell
	Targets                              []htmlTarget
	Attention                            []htmlRow
	Inconclusive                         bool
	Next                                 []Step
	Sections                             []string
	Checks                               []Check
}

type htmlCount struct {
	Label string
	N     int
}

type htmlTarget struct {
	Anchor        string
	Name          string
	Notes         []string
	Worst         string
	Passed, Total int
	Rows          []htmlRow
}

type htmlRow struct {
	Status, Check, Property, Target, Summary, Location, Evidence, Hint string
	rank                                                               int
}

// WriteHTML writes the report as one self-contained HTML page for a person
// or a change board: the verdict, the run's parameters, a line per target,
// the matrix cells that apply, what to do next, what needs attention (every
// finding that is not a pass, worst first, inconclusive ones with their
// hints), a table per target of every check (status, the property tested
// and the check ID, summary, evidence), the command's own text sections,
// and why and how to fix each check that appears, from the catalog. Styles are inline; the page loads
// nothing (no script, font, image or link to another origin, and a
// Content-Security-Policy that forbids them) and prints on paper as shown.
// Every string from the run is escaped by html/template.
func WriteHTML(w io.Writer, r *Report, o TextOptions) error {
	c := Counts(r.Findings)
	v := htmlView{Command: r.Command, Verdict: r.Verdict(), Version: r.Version, Interrupted: printable.String(r.Interrupted),
		Params: r.Params, Matrix: r.Matrix, Next: NextSteps(r), Inconclusive: c[Inconclusive] > 0}
	if !r.Generated.IsZero() {
		v.Generated = r.Generated.UTC().Format(time.RFC3339)
	}
	switch v.Verdict {
	case "fail":
		n := 0
		for _, f := range r.Findings {
			if f.Severity.AtLeast(r.failOn()) {
				n++
			}
		}
		v.VerdictText = fmt.Sprintf("%s at or above --fail-on %s.", plural(n, "finding"), r.failOn())
	case "inconclusive":
		v.VerdictText = fmt.Sprintf("Nothing at or above --fail-on %s, but %s could not be decided: this is not a pass.", r.failOn(), plural(c[Inconclusive], "check"))
		if r.Interrupted != "" && c[Inconclusive] == 0 {
			v.VerdictText = "The run was interrupted: this is not a pass."
		}
	default:
		v.VerdictText = fmt.Sprintf("Every check was decided and nothing is at or above --fail-on %s.", r.failOn())
	}
	for _, s := range []Severity{Fail, Inconclusive, Warn, Info, Pass} {
		if c[s] > 0 || s != Inconclusive {
			v.Counts = append(v.Counts, htmlCount{s.String(), c[s]})
		}
	}
	seen := map[string]bool{}
	targets, by := GroupByTarget(r.Findings)
	for i, t := range targets {
		fs := by[t]
		sortByRank(fs)
		ht := htmlTarget{Anchor: fmt.Sprintf("target-%d", i+1), Name: printable.String(t),
			Worst: Max(fs).String(), Passed: Counts(fs)[Pass], Total: len(fs)}
		if r.Notes != nil {
			for _, n := range r.Notes(t) {
				ht.Notes = append(ht.Notes, printable.String(n))
			}
		}
		for _, f := range fs {
			row := htmlRowOf(f)
			ht.Rows = append(ht.Rows, row)
			if f.Severity != Pass {
				v.Attention = append(v.Attention, row)
			}
			seen[f.Check] = true
		}
		v.Targets = append(v.Targets, ht)
	}
	slices.SortStableFunc(v.Attention, func(a, b htmlRow) int { return b.rank - a.rank })
	for _, c := range Checks() {
		if seen[c.ID] {
			v.Checks = append(v.Checks, c)
		}
	}
	sections := []func(io.Writer){r.Text}
	if o.Verbose {
		sections = append(sections, r.VerboseText)
	}
	for _, section := range sections {
		if section == nil {
			continue
		}
		var b bytes.Buffer
		writeSection(&b, section)
		if s := strings.Trim(b.String(), "\n"); s != "" {
			v.Sections = append(v.Sections, s)
		}
	}
	return htmlPage.Execute(w, v)
}

func htmlRowOf(f Finding) htmlRow {
	row := htmlRow{Status: f.Severity.String(), Check: f.Check, Target: printable.String(f.Target),
		Summary: printable.String(f.Summary), Hint: printable.String(f.Hint), Property: cmp.Or(property(f.Check), f.Check),
		Evidence: strings.Join(evidenceLines(f.Detail), "\n"), rank: f.Severity.Rank()}
	if f.Location != nil {
		row.Location = printable.String(f.Location.String())
	}
	return row
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"join":  strings.Join,
}).Parse(htmlTemplate))

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="voipsec {{.Version}}">
<title>voipsec {{.Command}}: {{upper .Verdict}}</title>
<style>
:root { color-scheme: light; --fail: #b3261e; --warn: #8a5a00; --inconclusive: #6b3fa0; --info: #4a5563; --pass: #1e6b34; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; background: #fff; margin: 0 auto; padding: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d4da; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
table.findings { table-layout: fixed; }
th, td { border: 1px solid #d0d4da; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; }
tr { break-inside: avoid; page-break-inside: avoid; }
code, pre, .id { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 0; }
.evidence { background: #f6f7f9; padding: 4px 6px; border-radius: 3px; }
.status { display: inline-block; min-width: 7.5em; text-align: center; font-weight: 700; font-size: 12px; letter-spacing: .03em; color: #fff; border-radius: 3px; padding: 1px 6px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.status.fail { background: var(--fail); } .status.warn { background: var(--warn); } .status.inconclusive { background: var(--inconclusive); }
.status.info { background: var(--info); } .status.pass { background: var(--pass); }
.verdict { font-size: 20px; padding: 4px 14px; min-width: 0; }
.counts span { margin-right: 14px; }
.property { font-weight: 600; }
.id { color: #4a5563; }
.loc, .hint { color: #4a5563; }
.hint::before { content: "hint: "; font-weight: 600; }
tr.pass td { color: #3a3f45; }
.interrupted { border-left: 4px solid var(--inconclusive); padding: 4px 10px; background: #f4effa; }
.meta td:first-child { width: 14em; font-weight: 600; }
.note { margin: 2px 0; color: #3a3f45; }
a { color: inherit; }
@page { margin: 14mm; }
@media print { body { padding: 0; max-width: none; font-size: 11.5px; } h2 { break-after: avoid; } h3 { break-after: avoid; } a { text-decoration: none; } }
</style>
</head>
<body>
<header>
<h1>voipsec {{.Command}} report</h1>
<p><span class="status verdict {{.Verdict}}">{{upper .Verdict}}</span> {{.VerdictText}}</p>
<p class="counts">{{range .Counts}}<span><strong>{{.N}}</strong> {{.Label}}</span>{{end}}</p>
{{if .Interrupted}}<p class="interrupted"><strong>Interrupted:</strong> {{.Interrupted}}. The checks that did not run are inconclusive; an interrupted run is never a pass.</p>{{end}}
</header>

<section id="run">
<h2>Run</h2>
<table class="meta">
<tr><td>command</td><td><code>voipsec {{.Command}}</code></td></tr>
{{if .Version}}<tr><td>voipsec version</td><td>{{.Version}}</td></tr>{{end}}
{{if .Generated}}<tr><td>finished</td><td>{{.Generated}}</td></tr>{{end}}
{{range .Params}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
</section>

{{if .Targets}}<section id="summary">
<h2>Targets</h2>
<table>
<tr><th>target</th><th>worst result</th><th>checks passed</th></tr>
{{range .Targets}}<tr><td><a href="#{{.Anchor}}">{{.Name}}</a></td><td><span class="status {{.Worst}}">{{upper .Worst}}</span></td><td>{{.Passed}} of {{.Total}}</td></tr>
{{end}}</table>
</section>{{else}}<p>No checks ran.</p>{{end}}

{{if .Matrix}}<section id="matrix">
<h2>Dial plan VoIPSecurity × client encryption level</h2>
<table>
<tr><th>applies to</th><th>dial plan VoIPSecurity</th><th>client encryption</th><th>result</th><th>why</th></tr>
{{range .Matrix}}<tr><td>{{.For}}</td><td>{{.VoipSecurity}}</td><td>{{.Encryption}}</td><td>{{if .Works}}<span class="status pass">WORKS</span>{{else}}<span class="status fail">FAILS</span>{{end}}</td><td>{{.Reason}}{{if .Check}} <span class="id">{{.Check}}</span>{{end}}</td></tr>
{{end}}</table>
</section>{{end}}

{{if .Next}}<section id="next">
<h2>What to do next</h2>
<ul>
{{range .Next}}<li>{{.Text}} <span class="id">({{join .Checks ", "}})</span></li>
{{end}}</ul>
</section>{{end}}

{{if .Attention}}<section id="attention">
<h2>Needs attention</h2>
{{if .Inconclusive}}<p>An <strong>inconclusive</strong> check ran but could not be decided; it is neither a pass nor a failure, and its hint says what to change so that it can be.</p>{{end}}
<table class="findings">
<colgroup><col style="width:9em"><col style="width:22%"><col style="width:24%"><col></colgroup>
<tr><th>status</th><th>target</th><th>check</th><th>summary and evidence</th></tr>
{{range .Attention}}<tr class="{{.Status}}"><td><span class="status {{.Status}}">{{upper .Status}}</span></td><td>{{.Target}}</td>{{template "finding" .}}</tr>
{{end}}</table>
</section>{{end}}

<section id="findings">
<h2>All checks, by target</h2>
{{range .Targets}}<h3 id="{{.Anchor}}">{{.Name}}</h3>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}<table class="findings">
<colgroup><col style="width:9em"><col style="width:28%"><col></colgroup>
<tr><th>status</th><th>check</th><th>summary and evidence</th></tr>
{{range .Rows}}<tr class="{{.Status}}"><td><span class="status {{.Status}}">{{upper .Status}}</span></td>{{template "finding" .}}</tr>
{{end}}</table>
{{end}}</section>

{{if .Sections}}<section id="details">
<h2>Details</h2>
{{range .Sections}}<pre>{{.}}</pre>
{{end}}</section>{{end}}

{{if .Checks}}<section id="checks">
<h2>The checks</h2>
<table class="findings">
<colgroup><col style="width:28%"><col><col style="width:34%"></colgroup>
<tr><th>check</th><th>why it matters</th><th>how to fix a failure</th></tr>
{{range .Checks}}<tr id="check-{{.ID}}"><td><span class="property">{{.Property}}</span><br><span class="id">{{.ID}}</span><br>problem: {{.Title}}</td><td>{{.Why}}<br><span class="loc">rule: {{.Ref}}</span></td><td>{{.Fix}}</td></tr>
{{end}}</table>
</section>{{end}}
</body>
</html>
{{define "finding"}}<td><span class="property">{{.Property}}</span><br><a class="id" href="#check-{{.Check}}">{{.Check}}</a></td><td>{{.Summary}}{{if .Location}} <span class="loc">at {{.Location}}</span>{{end}}{{if .Evidence}}<pre class="evidence">{{.Evidence}}</pre>{{end}}{{if .Hint}}<div class="hint">{{.Hint}}</div>{{end}}</td>{{end}}`

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
