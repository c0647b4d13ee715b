package plan

import (
	"fmt"
	"strings"
)

// Error is one problem in a plan file. Its message starts with
// FILE:LINE:COL (the compiler convention editors and CI annotate from),
// then the field path, then what is wrong:
//
//	plans/prod.yaml:14:18: mediation_servers[0].internal.transport: unknown transport "tsl" (accepted: udp, tcp, tls)
//
// Line and Column are 1-based; 0 means unknown (a file that cannot be read
// at all has neither).
type Error struct {
	File   string
	Line   int
	Column int
	Path   string // field path, e.g. "exchange_um.dial_plans[1].voip_security"; empty for the whole file
	Msg    string
	Err    error // the cause, when there is one
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found in a plan, in file order. Loading goes on
// after the first problem so one run shows them all (up to [MaxErrors]).
type ErrorList []*Error

// MaxErrors bounds how many problems one load reports.
const MaxErrors = 50

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the individual errors for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
