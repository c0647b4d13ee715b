// Package printable makes text that came off the network (a Server header,
// a reason phrase, a certificate subject) safe to put in a report or on a
// terminal: control characters, which could be escape sequences or break a
// table's columns, become '?', and long text is clipped on a rune boundary.
package printable

import (
	"io"
	"strings"
)

// String replaces C0 and C1 control characters and DEL with '?'.
func String(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
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

// Writer passes text to W with C0 control bytes other than newline and tab,
// and DEL, replaced by '?': for tables of network text written a piece at a
// time. (C0 bytes never occur inside a multi-byte UTF-8 sequence, so a
// byte-wise filter is safe.)
type Writer struct{ W io.Writer }

func (w Writer) Write(p []byte) (int, error) {
	clean := p
	for i, b := range p {
		if (b < 0x20 && b != '\n' && b != '\t') || b == 0x7f {
			if &clean[0] == &p[0] {
				clean = append([]byte(nil), p...)
			}
			clean[i] = '?'
		}
	}
	if _, err := w.W.Write(clean); err != nil {
		return 0, err
	}
	return len(p), nil
}
