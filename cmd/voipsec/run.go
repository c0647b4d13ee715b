package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/suggest"
	"github.com/voipsec/voipsec/report"
)

// Exit statuses. Every command's help repeats this table.
const (
	exitOK           = report.ExitPass         // ran; everything decided, nothing at or above --fail-on
	exitFindings     = report.ExitFindings     // findings at or above --fail-on
	exitError        = 2                       // usage or operational error
	exitInconclusive = report.ExitInconclusive // nothing at or above --fail-on, but some checks could not be decided
)

const exitTable = `Exit status:
  0  ran; every check decided, no finding at or above --fail-on
  1  findings at or above --fail-on (default: fail)
  2  usage or operational error (bad flag, unreadable file, bad plan; no
     target or plan endpoint could be probed at all)
  3  nothing at or above --fail-on, but some checks were inconclusive
     (could not be decided, or the run was interrupted)
`

// env is the process environment a command sees; tests build their own.
type env struct {
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	Getenv     func(string) string
	IsTerminal func(w io.Writer) bool
	// TermWidth is the width in columns of the terminal w writes to, 0 when
	// unknown; nil means unknown for every writer.
	TermWidth func(w io.Writer) int
}

func newEnv() *env {
	return &env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: isTerminal, TermWidth: terminalWidth}
}

func isTerminal(w io.Writer) bool {
	if cw, ok := w.(*countingWriter); ok {
		w = cw.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// command is one subcommand. Each lives in its own cmd_NAME.go and registers
// itself in init.
type command struct {
	Name     string
	Short    string // one line for the command table
	Usage    string // "voipsec NAME [flags] ARGS"
	Long     string // description and examples, printed by help
	NoExit   bool   // help omits the findings exit table (simulate, version)
	Flags    func(f *pflag.FlagSet) any
	Run      func(ctx context.Context, e *env, opts any, args []string) (int, error)
	Validate func(opts any, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// usageError is a bad flag, argument or input named by the user: exit 2.
type usageError struct {
	err  error
	hint string
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

func withHint(err error, hint string) error {
	return &usageError{err: err, hint: hint}
}

// run is the whole program: it returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		writeTopUsage(e.Stderr)
		return exitError
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if name == "help" && len(args) > 1 {
			return runHelp(e, args[1])
		}
		writeTopUsage(e.Stdout)
		return exitOK
	case "-v", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		return fail(e, "", usagef("unknown command %q", name), commandHint(name))
	}
	fs := pflag.NewFlagSet("voipsec "+c.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var opts any
	if c.Flags != nil {
		opts = c.Flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			writeCommandHelp(e.Stdout, c)
			return exitOK
		}
		return fail(e, c.Name, err, flagHint(fs, c.Name, err))
	}
	// With --format json an error is also a JSON object on stdout, so a
	// consumer parsing stdout gets one even when the run failed.
	// Not when the command already wrote a report there (inspect reports
	// what it read before a corrupt record), nor when the report goes to a
	// file: stdout must stay one JSON document or none.
	jsonOut := false
	if f := fs.Lookup("format"); f != nil && strings.EqualFold(f.Value.String(), "json") {
		jsonOut = true
		if o := fs.Lookup("output"); o != nil && o.Value.String() != "" && o.Value.String() != "-" {
			jsonOut = false
		}
	}
	out := &countingWriter{w: e.Stdout}
	e2 := *e
	e2.Stdout = out
	e = &e2
	if c.Validate != nil {
		if err := c.Validate(opts, fs.Args()); err != nil {
			return failJSON(e, c.Name, err, jsonOut)
		}
	}
	code, err := c.Run(ctx, e, opts, fs.Args())
	if err != nil {
		return failJSON(e, c.Name, err, jsonOut)
	}
	return code
}

// countingWriter counts what a command wrote to stdout.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// failJSON is fail, plus the error as a voipsec/v1 JSON object on stdout
// when the command was asked for JSON.
func failJSON(e *env, cmd string, err error, jsonOut bool) int {
	code := fail(e, cmd, err, "")
	if cw, ok := e.Stdout.(*countingWriter); ok && cw.n > 0 {
		jsonOut = false
	}
	if jsonOut {
		doc := struct {
			Schema  string `json:"schema"`
			Command string `json:"command"`
			Verdict string `json:"verdict"`
			Error   string `json:"error"`
			Hint    string `json:"hint,omitempty"`
		}{Schema: report.SchemaVersion, Command: cmd, Verdict: "error", Error: firstLine(err.Error())}
		var ue *usageError
		if errors.As(err, &ue) {
			doc.Hint = ue.hint
		}
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(doc)
	}
	return code
}

// fail prints one error line (and a hint) and returns exit status 2.
func fail(e *env, cmd string, err error, hint string) int {
	prefix := "voipsec: error: "
	if cmd != "" {
		prefix = "voipsec " + cmd + ": error: "
	}
	fmt.Fprintf(e.Stderr, "%s%s\n", prefix, firstLine(err.Error()))
	var ue *usageError
	if hint == "" && errors.As(err, &ue) {
		hint = ue.hint
	}
	if hint != "" {
		fmt.Fprintf(e.Stderr, "voipsec: hint: %s\n", hint)
	}
	return exitError
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func commandHint(name string) string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if best, ok := suggest.Closest(name, names, 2); ok {
		return "did you mean 'voipsec " + best + "'?"
	}
	return "run 'voipsec help' for the commands"
}

// flagHint is the hint for a flag that did not parse: the accepted flag
// closest to a mistyped one, else where the flags are listed.
func flagHint(fs *pflag.FlagSet, cmd string, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && f.Deprecated == "" {
				names = append(names, f.Name)
			}
		})
		name, _, _ = strings.Cut(name, "=")
		if best, ok := suggest.Closest(name, names, 2); ok {
			return "did you mean --" + best + "?"
		}
	}
	return "run 'voipsec help " + cmd + "' for the flags"
}

var commandOrder = []string{"probe", "matrix", "inspect", "check", "simulate", "demo", "version"}

func writeTopUsage(w io.Writer) {
	fmt.Fprint(w, `voipsec validates the media security of OCS 2007 R2 / Lync / Exchange UM voice
deployments: mutual TLS on the SIP edges, SRTP on the media, and the UM dial
plan's VoIPSecurity against the clients' encryption level.

Usage:
  voipsec COMMAND [flags] [args]

Commands:
`)
	seen := map[string]bool{}
	var names []string
	for _, n := range commandOrder {
		if _, ok := commands[n]; ok {
			names = append(names, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range commands {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Short)
	}
	fmt.Fprint(w, `
Run 'voipsec help COMMAND' or 'voipsec COMMAND --help' for a command's flags
and examples. The first run: 'voipsec demo'.

Documentation:
  voipsec help plan       the plan file format for 'voipsec check'
  voipsec help access     the plan's access section and the AD / RBAC exports
  voipsec help checks     every check: what it tests, its ID and severity
  voipsec help CHECK-ID   one check: why it matters, how to fix it, the rule

`+exitTable)
}

func writeCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", c.Short, c.Usage)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Long, "\n"))
	}
	if c.Flags != nil {
		fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
		fs.SortFlags = false
		c.Flags(fs)
		if fs.HasFlags() {
			fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	if !c.NoExit {
		fmt.Fprintf(w, "\n%s", exitTable)
	}
}
