package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
)

// loadPlan loads the plan file a command names. When it does not load,
// every problem goes to stderr as "voipsec CMD: error: FILE:LINE:COL: ...",
// then hint; with --format json to stdout, the first problem is also the
// documented JSON error object there. The plan is nil then, and the
// command returns the status and error loadPlan gives. A plan that loads
// but names the file -o would write (its CA, a certificate, a key, an
// export) is refused the same way, before any work: the report would
// overwrite it.
func loadPlan(e *env, cmd, path, hint string, out *outputOptions) (*plan.Plan, int, error) {
	p, err := plan.Load(path)
	if err == nil {
		if err := outputOverPlanFile(p, out); err != nil {
			return nil, exitError, err
		}
		return p, exitOK, nil
	}
	var list plan.ErrorList
	if !errors.As(err, &list) {
		return nil, exitError, fmt.Errorf("load plan: %w", err)
	}
	for _, pe := range list {
		fmt.Fprintf(e.Stderr, "voipsec %s: error: %s\n", cmd, pe)
	}
	fmt.Fprintf(e.Stderr, "voipsec: hint: %s\n", hint)
	// stderr already has every problem: the JSON object is for stdout only.
	quiet := *e
	quiet.Stderr = io.Discard
	toStdout := out.Output == "" || out.Output == "-"
	return nil, failJSON(&quiet, cmd, withHint(list[0], hint), out.format == report.FormatJSON && toStdout), nil
}

// outputOverPlanFile refuses an --output that names a file the plan
// names: the report would replace the CA, a certificate, a key or an
// export the next run needs.
func outputOverPlanFile(p *plan.Plan, out *outputOptions) error {
	if !out.toFile() {
		return nil
	}
	for _, f := range p.Files() {
		if samePath(f.Path, out.Output) {
			return withHint(fmt.Errorf("--output %s is the plan's %s file (%s): the report would overwrite it", out.Output, f.Field, f.Path),
				"write the report to another file")
		}
	}
	return nil
}
