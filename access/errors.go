package access

import (
	"fmt"
	"strings"

	"github.com/voipsec/voipsec/report"
)

// ExportError is a problem in an export file (the group membership CSV or
// the RBAC roles JSON), at a line and, when known, a column:
//
//	ad/members.csv:7:12: row has 2 fields, the header 3
//
// Line 0 means the whole file (it cannot be read, or is empty).
type ExportError struct {
	File   string
	Line   int
	Column int
	Msg    string
	Err    error // the cause, when there is one
}

func (e *ExportError) Error() string {
	return (&report.Location{File: e.File, Line: e.Line, Column: e.Column}).String() + ": " + e.Msg
}

func (e *ExportError) Unwrap() error { return e.Err }

// UnknownCredentialError is a credential key that is not in the table.
type UnknownCredentialError struct {
	Key string
}

func (e *UnknownCredentialError) Error() string {
	return fmt.Sprintf("access: unknown credential %q", e.Key)
}

// ScopeError is an RBAC scope that is not Global, site:NAME or OU:DN.
type ScopeError struct {
	Scope  string
	Reason string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("access: bad scope %q: %s", e.Scope, e.Reason)
}

// UnknownTaskError is a task name or ID that is not in Table 1. Closest
// holds the nearest tasks, best first; Ambiguous is set when the name is a
// procedure several sections share and no section was given.
type UnknownTaskError struct {
	Name      string
	Closest   []*Task
	Ambiguous bool
}

func (e *UnknownTaskError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		fmt.Fprintf(&b, "access: task %q is in several sections; name it as \"section / procedure\" or by ID", e.Name)
	} else {
		fmt.Fprintf(&b, "access: unknown task %q", e.Name)
	}
	if len(e.Closest) > 0 {
		if e.Ambiguous {
			b.WriteString(": ")
		} else {
			b.WriteString("; closest: ")
		}
		for i, t := range e.Closest {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, `%s "%s"`, t.ID, t.Name())
		}
	}
	return b.String()
}
