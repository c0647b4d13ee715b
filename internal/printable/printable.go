// Package printable makes text that came off the network (a Server header,
// a reason phrase, a certificate subject) safe to put in a report or on a
// terminal: control characters, which could be escape sequences or break a
// table's columns, and bidirectional-text controls, which could make a
// line read differently from what it holds, become '?'; bytes that are not
// UTF-8 become U+FFFD; long text is clipped on a rune boundary.
package printable

import (
	"io"
	"strings"
	"unicode/utf8"
)

// replaced reports whether String and Writer replace r: C0 and C1
// controls, DEL, and the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) that reorder text on screen.
func replaced(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// String replaces C0 and C1 control characters, DEL and bidirectional
// controls with '?', and bytes that are not UTF-8 with U+FFFD.
func String(s string) string {
	return strings.Map(func(r rune) rune {
		if replaced(r) {
			return '?'
		}
		return r
	}, s)
}

// Clip is String of s cut to at most n bytes (plus "..." when cut), never in
// the middle of a UTF-8 sequence.
func Clip(s string, n int) string {
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "..."
	}
	return String(s)
}

// Writer passes text to W with what String replaces replaced, except
// newline and tab, which keep a table's lines and columns: for tables of
// network text written a piece at a time. A Write that ends inside a
// UTF-8 sequence holds its start until the next Write completes it; Flush
// writes what is still held. Not safe for concurrent use.
type Writer struct {
	W    io.Writer
	held []byte // the start of a UTF-8 sequence the last Write cut off
}

// Write writes p, cleaned, and reports len(p): every byte is taken, some
// perhaps held for the next Write. The caller's buffer is not modified.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.held) > 0 {
		data = append(w.held, p...)
		w.held = nil
	}
	end := len(data)
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				end = i
			}
			break
		}
	}
	if end < len(data) {
		w.held = append([]byte(nil), data[end:]...)
	}
	if err := w.write(data[:end]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the start of a UTF-8 sequence a Write cut off and no Write
// completed, as U+FFFD.
func (w *Writer) Flush() error {
	if len(w.held) == 0 {
		return nil
	}
	w.held = nil
	return w.write([]byte(string(utf8.RuneError)))
}

func (w *Writer) write(p []byte) error {
	clean := true
	for _, b := range p {
		if b >= 0x80 || b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
			clean = false
			break
		}
	}
	if !clean {
		out := make([]byte, 0, len(p))
		for i := 0; i < len(p); {
			r, n := utf8.DecodeRune(p[i:])
			switch {
			case r == '\n' || r == '\t':
				out = append(out, p[i])
			case replaced(r):
				out = append(out, '?')
			case r == utf8.RuneError && n == 1:
				out = utf8.AppendRune(out, utf8.RuneError)
			default:
				out = append(out, p[i:i+n]...)
			}
			i += n
		}
		p = out
	}
	if len(p) == 0 {
		return nil
	}
	_, err := w.W.Write(p)
	return err
}
