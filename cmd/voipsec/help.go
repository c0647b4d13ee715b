package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/voipsec/voipsec/docs"
	"github.com/voipsec/voipsec/internal/suggest"
	"github.com/voipsec/voipsec/report"
)

// helpTopics are what 'voipsec help TOPIC' prints besides commands and
// check IDs; the documentation travels in the binary.
var helpTopics = map[string]func(w io.Writer){
	"plan":   func(w io.Writer) { io.WriteString(w, docs.Plan) },
	"access": func(w io.Writer) { io.WriteString(w, docs.Access) },
	"checks": writeChecksHelp,
}

// runHelp is 'voipsec help TOPIC': a command's help, the plan format, the
// check catalog or one check.
func runHelp(e *env, topic string) int {
	if c, ok := commands[topic]; ok {
		writeCommandHelp(e.Stdout, c)
		return exitOK
	}
	if f, ok := helpTopics[strings.ToLower(topic)]; ok {
		f(e.Stdout)
		return exitOK
	}
	if c, ok := report.Lookup(strings.ToUpper(topic)); ok {
		writeCheckHelp(e.Stdout, c)
		return exitOK
	}
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	for n := range helpTopics {
		names = append(names, n)
	}
	slices.Sort(names)
	var ids []string
	for _, c := range report.Checks() {
		ids = append(ids, c.ID)
	}
	hint := "run 'voipsec help' for the commands, 'voipsec help checks' for the check IDs"
	if best, ok := suggest.Closest(topic, names, 2); ok {
		hint = "did you mean 'voipsec help " + best + "'?"
	} else if best, ok := suggest.Closest(topic, ids, 3); ok {
		hint = "did you mean 'voipsec help " + best + "'?"
	}
	return fail(e, "help", usagef("no command, topic or check named %q", topic), hint)
}

// writeChecksHelp lists the catalog: per area, each check's ID, default
// severity and the property it tests.
func writeChecksHelp(w io.Writer) {
	fmt.Fprint(w, `The checks voipsec runs: ID, the severity of a failure by default, and the
property the check tests. Every finding carries one of these IDs; reports show
the property beside it. 'voipsec help CHECK-ID' says why a check matters and
how to fix a failure.
`)
	checks := report.Checks()
	idW := 0
	for _, c := range checks {
		idW = max(idW, len(c.ID))
	}
	area := ""
	for _, c := range checks {
		if c.Area != area {
			area = c.Area
			fmt.Fprintf(w, "\n%s\n", area)
		}
		fmt.Fprintf(w, "  %-*s  %-4s  %s\n", idW, c.ID, c.Severity, c.Property)
	}
}

// writeCheckHelp prints one catalog entry.
func writeCheckHelp(w io.Writer, c report.Check) {
	fmt.Fprintf(w, "%s: %s\n\n", c.ID, c.Property)
	field := func(name, text string) {
		fmt.Fprintf(w, "%-9s%s\n", name, wrap(text, 9, 79))
	}
	field("Problem:", fmt.Sprintf("%s (severity %s by default; area %s)", c.Title, c.Severity, c.Area))
	field("Why:", c.Why)
	field("Fix:", c.Fix)
	if c.Ref != "" {
		field("Rule:", c.Ref)
	}
}

// wrap breaks text into lines of at most width columns, every line after
// the first indented by indent spaces.
func wrap(text string, indent, width int) string {
	var b strings.Builder
	col := indent
	for i, word := range strings.Fields(text) {
		if i > 0 {
			if col+1+len(word) > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}
