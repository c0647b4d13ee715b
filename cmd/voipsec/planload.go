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
// command returns the status and error loadPlan gives.
func loadPlan(e *env, cmd, path, hint string, out *outputOptions) (*plan.Plan, int, error) {
	p, err := plan.Load(path)
	if err == nil {
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
