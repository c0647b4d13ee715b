package inspect

import (
	"errors"
	"fmt"
)

// Sentinels a caller may branch on with errors.Is. Both come wrapped in a
// [*FormatError] that names the file and the byte offset.
var (
	// ErrTruncated means the input ended inside a header or a record.
	ErrTruncated = errors.New("inspect: truncated capture")
	// ErrCorrupt means a header or record is not valid pcap or pcapng.
	ErrCorrupt = errors.New("inspect: corrupt capture")
)

// FormatError is a truncated or corrupt capture: where it broke and why.
// Findings gathered before Offset are still valid.
type FormatError struct {
	File   string // the input's name ("-" for standard input); may be empty
	Offset int64  // byte offset of the header or record that failed
	Reason string // what was wrong, e.g. "record length 9000000 exceeds limit 262144"
	Err    error  // ErrTruncated, ErrCorrupt, or the input's read error
}

func (e *FormatError) Error() string {
	name := e.File
	if name == "" {
		name = "capture"
	}
	what := "" // a read error says so in Reason
	switch {
	case errors.Is(e.Err, ErrTruncated):
		what = "truncated: "
	case errors.Is(e.Err, ErrCorrupt):
		what = "corrupt: "
	}
	return fmt.Sprintf("inspect: %s: byte offset %d: %s%s", name, e.Offset, what, e.Reason)
}

func (e *FormatError) Unwrap() error { return e.Err }

func truncatedAt(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrTruncated}
}

func corruptAt(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrCorrupt}
}
