package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/report"
)

// outputOptions are the flags every reporting command shares.
type outputOptions struct {
	Format  string
	FailOn  string
	NoColor bool
	Output  string

	format report.Format
	failOn report.Severity
	sarif  bool // the command accepts --format sarif
}

func (o *outputOptions) AddFlags(f *pflag.FlagSet) {
	formats := "text, json, junit"
	if o.sarif {
		formats += ", sarif"
	}
	f.StringVar(&o.Format, "format", "text", "output `format`: "+formats)
	f.StringVar(&o.FailOn, "fail-on", "fail", "exit 1 when a finding is at or above this `severity`: fail, warn, info")
	f.BoolVar(&o.NoColor, "no-color", false, "no colour in text output (also when NO_COLOR is set)")
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `file` instead of standard output")
}

// Validate checks the flag values before any work starts.
func (o *outputOptions) Validate() error {
	accepted := report.Formats
	if o.sarif {
		accepted = append(append([]report.Format{}, accepted...), report.FormatSARIF)
	}
	f, err := report.ParseFormat(o.Format, accepted...)
	if err != nil {
		return usagef("--format: %v", err)
	}
	o.format = f
	s, err := report.ParseSeverity(o.FailOn)
	if err != nil || s == report.Pass || s == report.Inconclusive {
		return usagef("--fail-on: unknown severity %q (accepted: fail, warn, info)", o.FailOn)
	}
	o.failOn = s
	return nil
}

// emit renders r and returns the findings exit status. A command whose text
// view is not a findings table passes its own text writer.
func (o *outputOptions) emit(e *env, r *report.Report, text ...func(io.Writer)) (int, error) {
	var tw func(io.Writer, report.TextOptions) error
	if len(text) > 0 {
		tw = func(w io.Writer, _ report.TextOptions) error { text[0](w); return nil }
	}
	return o.emitText(e, r, tw)
}

// emitText is emit for a command whose text view wraps the findings table
// (probe: a verdict per target ahead of it): text, when not nil, writes the
// text format with the shared colour decision.
func (o *outputOptions) emitText(e *env, r *report.Report, text func(io.Writer, report.TextOptions) error) (int, error) {
	r.FailOn = o.failOn
	r.Version = version()
	if r.Generated.IsZero() && o.format == report.FormatJSON {
		r.Generated = time.Now()
	}
	w := e.Stdout
	var file *os.File
	if o.Output != "" && o.Output != "-" {
		f, err := os.Create(o.Output)
		if err != nil {
			return exitError, fmt.Errorf("--output: %w", err)
		}
		file = f
		w = f
	}
	color := o.format == report.FormatText && !o.NoColor && e.Getenv("NO_COLOR") == "" && file == nil && e.IsTerminal(e.Stdout)
	var err error
	if text != nil && o.format == report.FormatText {
		err = text(w, report.TextOptions{Color: color})
	} else {
		err = report.Write(w, o.format, r, report.TextOptions{Color: color})
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return exitError, fmt.Errorf("write report: %w", err)
	}
	return r.ExitCode(), nil
}
