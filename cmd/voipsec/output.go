package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/printable"
	"github.com/voipsec/voipsec/report"
)

// outputOptions are the flags every reporting command shares.
type outputOptions struct {
	Format  string
	FailOn  string
	NoColor bool
	Output  string
	Verbose bool

	format report.Format
	failOn report.Severity
	sarif  bool // the command accepts --format sarif
}

func (o *outputOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Format, "format", "text", "output `format`: "+strings.Join(formatNames(o.formats()), ", "))
	f.StringVar(&o.FailOn, "fail-on", "fail", "exit 1 when a finding is at or above this `severity`: fail, warn, info")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "list the passing checks too, with all the evidence")
	f.BoolVar(&o.NoColor, "no-color", false, "no colour in text output (also when NO_COLOR is set or TERM=dumb)")
	f.StringVarP(&o.Output, "output", "o", "", "write the report to `file` instead of standard output (the verdict line still goes to the terminal)")
}

// formats are the formats the command accepts.
func (o *outputOptions) formats() []report.Format {
	accepted := append([]report.Format{}, report.Formats...)
	if o.sarif {
		accepted = append(accepted, report.FormatSARIF)
	}
	return accepted
}

func formatNames(fs []report.Format) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	return names
}

// Validate checks the flag values, and that the report can be written
// where --output says, before any work starts.
func (o *outputOptions) Validate() error {
	f, err := report.ParseFormat(o.Format, o.formats()...)
	if err != nil {
		return usagef("--format: %v", err)
	}
	o.format = f
	s, err := report.ParseSeverity(o.FailOn)
	if err != nil || s == report.Pass || s == report.Inconclusive {
		return usagef("--fail-on: unknown severity %q (accepted: fail, warn, info)", o.FailOn)
	}
	o.failOn = s
	return checkOutputPath("--output", o.Output)
}

// toFile reports whether the report goes to a file rather than stdout.
func (o *outputOptions) toFile() bool { return o.Output != "" && o.Output != "-" }

// checkOutputPath makes sure a file can be written at path before any
// work starts, so a long run never ends in "cannot write" and loses its
// results. It creates nothing that stays: an existing file is opened for
// writing without truncating it; a new one is proved possible with a
// temporary file in its folder, removed at once.
func checkOutputPath(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	hint := "name a file in a folder that exists and you can write to"
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return withHint(fmt.Errorf("%s %s: is a folder", flag, path), "name a file, for example "+filepath.Join(path, "voipsec-report"))
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return withHint(fmt.Errorf("%s %s: cannot write it: %s", flag, path, why(err)), hint)
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		return withHint(fmt.Errorf("%s %s: folder %s does not exist", flag, path, dir), hint)
	case err != nil:
		return withHint(fmt.Errorf("%s %s: cannot use folder %s: %s", flag, path, dir, why(err)), hint)
	case !fi.IsDir():
		return withHint(fmt.Errorf("%s %s: %s is not a folder", flag, path, dir), hint)
	}
	f, err := os.CreateTemp(dir, ".voipsec-write-test-*")
	if err != nil {
		return withHint(fmt.Errorf("%s %s: cannot create files in %s: %s", flag, path, dir, why(err)), hint)
	}
	f.Close()
	return os.Remove(f.Name())
}

// checkOutputDir makes sure files (slash-separated names) can be written
// into dir before any work starts, and that none of them exists: nothing is
// overwritten. dir may not exist yet (it is created with its parents);
// then its nearest existing ancestor must be a folder voipsec can create
// files in, proved as checkOutputPath does, with a temporary file removed
// at once.
func checkOutputDir(flag, dir string, files []string) error {
	for _, name := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Lstat(path); err == nil {
			return withHint(fmt.Errorf("%s %s: %s exists", flag, dir, path), "name a new or empty folder: nothing is overwritten")
		}
	}
	hint := "name a folder that exists, or can be created, where you can write"
	// The nearest ancestor that exists (a path under a file does not).
	at := dir
	for {
		fi, err := os.Stat(at)
		if err == nil {
			if !fi.IsDir() {
				return withHint(fmt.Errorf("%s %s: %s is not a folder", flag, dir, at), hint)
			}
			break
		}
		up := filepath.Dir(at)
		if up == at {
			break
		}
		at = up
	}
	f, err := os.CreateTemp(at, ".voipsec-write-test-*")
	if err != nil {
		return withHint(fmt.Errorf("%s %s: cannot create files in %s: %s", flag, dir, at, why(err)), hint)
	}
	f.Close()
	return os.Remove(f.Name())
}

// writeError is a failed write of a file a flag asked for, in words: the
// flag, the file and the reason, without a library's prefix.
func writeError(flag, dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: cannot write %s: %s", flag, dir, pe.Path, pe.Err)
	}
	return fmt.Errorf("%s %s: cannot write the files: %s", flag, dir, why(err))
}

// why is a file system error's reason without the path the message
// already names ("permission denied", "read-only file system").
func why(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// useColor is the colour decision for text written to w: a terminal, and
// neither --no-color, NO_COLOR (https://no-color.org) nor TERM=dumb.
func useColor(e *env, noColor bool, w io.Writer) bool {
	return !noColor && e.Getenv("NO_COLOR") == "" && e.Getenv("TERM") != "dumb" && e.IsTerminal(w)
}

// textOptions are the text renderer's options for stdout.
func (o *outputOptions) textOptions(e *env) report.TextOptions {
	return report.TextOptions{Color: o.format == report.FormatText && !o.toFile() && useColor(e, o.NoColor, e.Stdout), Verbose: o.Verbose}
}

// emit renders r and returns the findings exit status. A command whose text
// view is not a findings table (matrix's grid) passes its own text writer.
// With --output the report goes to the file and the verdict line to
// stderr, with the line saying why and where an interrupted run stopped.
func (o *outputOptions) emit(e *env, r *report.Report, text ...func(io.Writer)) (int, error) {
	r.FailOn = o.failOn
	r.Version = version()
	if r.Generated.IsZero() && (o.format == report.FormatJSON || o.format == report.FormatHTML) {
		r.Generated = time.Now()
	}
	to := o.textOptions(e)
	err := o.write(e, func(w io.Writer) error {
		if len(text) > 0 && o.format == report.FormatText {
			text[0](w)
			return nil
		}
		return report.Write(w, o.format, r, to)
	})
	if err != nil {
		return exitError, err
	}
	if o.toFile() {
		fmt.Fprintf(e.Stderr, "%s; report written to %s\n", report.VerdictLine(r, useColor(e, o.NoColor, e.Stderr)), o.Output)
		if r.Interrupted != "" {
			fmt.Fprintf(e.Stderr, "interrupted: %s\n", printable.String(r.Interrupted))
		}
	}
	return r.ExitCode(), nil
}

// write renders to stdout, or to the --output file, closed before it
// returns; a failure says where it could not write, and why, in words.
// It is the one writer of what a command's output flags send somewhere:
// reports (emit) and roles' listings.
func (o *outputOptions) write(e *env, render func(w io.Writer) error) error {
	w := e.Stdout
	var file *os.File
	if o.toFile() {
		f, err := os.Create(o.Output)
		if err != nil {
			return fmt.Errorf("--output %s: %s", o.Output, why(err))
		}
		file, w = f, f
	}
	err := render(w)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	switch {
	case err == nil:
		return nil
	case file != nil:
		return fmt.Errorf("--output %s: cannot write it: %s", o.Output, why(err))
	}
	return fmt.Errorf("cannot write to standard output: %s", why(err))
}

// emitUnprobed is emit for a check whose live part could probe none of
// its endpoints (unprobed lists them all): the report is still written,
// since the static checks' evidence stands, and the run exits 1 when a
// finding is at or above --fail-on, else 2 with each endpoint's error on
// stderr, as probe does when no target could be probed. cmd is the
// command the errors are prefixed with (check, or demo, whose report is
// check's).
func (o *outputOptions) emitUnprobed(e *env, cmd string, r *report.Report, unprobed []targetError) (int, error) {
	code, err := o.emit(e, r)
	if err != nil || len(unprobed) == 0 || code == exitFindings {
		return code, err
	}
	return exitError, notProbedError(e, cmd, "endpoint", unprobed)
}

// readWhy says why a file could not be read, without the path the
// message already names.
func readWhy(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "file not found"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return "cannot read it: " + why(err)
}

// samePath reports whether two file names name the same file.
func samePath(a, b string) bool {
	if a == "" || b == "" || b == "-" {
		return false
	}
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
