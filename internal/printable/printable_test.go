package printable

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"Kamailio 5.6":          "Kamailio 5.6",
		"evil\x1b[31mred":       "evil?[31mred",
		"tab\tnew\nline\x7f":    "tab?new?line?",
		"c1\u0085next":          "c1?next",
		"csi\u009b31m":          "csi?31m",
		"bidi \u202eevil":       "bidi ?evil",
		"isolate \u2066x\u2069": "isolate ?x?",
		"lone \x9b byte":        "lone \ufffd byte",
		"Zürich ☎":              "Zürich ☎",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip short = %q", got)
	}
	if got := Clip(strings.Repeat("a", 20), 5); got != "aaaaa..." {
		t.Errorf("Clip long = %q", got)
	}
	// "é" is two bytes: a cut after its first byte must not leave half of it.
	got := Clip("aé\x1bz", 2)
	if !utf8.ValidString(got) || got != "a..." {
		t.Errorf("Clip mid-rune = %q", got)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := &Writer{W: &b}
	in := "STREAM\tSSRC\nCN=evil\x1b[2J\rx\x7f Zürich\n"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := "STREAM\tSSRC\nCN=evil?[2J?x? Zürich\n"; b.String() != want {
		t.Errorf("Writer wrote %q, want %q", b.String(), want)
	}
	// The caller's buffer is not modified.
	p := []byte("a\x1bb")
	w.Write(p)
	if string(p) != "a\x1bb" {
		t.Errorf("Writer changed the caller's buffer: %q", p)
	}
}

// The Writer replaces what String replaces, C1 controls and bidi controls
// included, even when a Write cuts a UTF-8 sequence in two; newline and
// tab pass.
func TestWriterC1AndBidi(t *testing.T) {
	for _, tt := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"C1 CSI", []string{"CN=\xc2\x9b31mred\n"}, "CN=?31mred\n"},
		{"C1 cut in two", []string{"a\xc2", "\x9b31m"}, "a?31m"},
		{"three-byte rune cut twice", []string{"x\xe2", "\x80", "\xaey"}, "x?y"},
		{"bidi isolate", []string{"\u2067abc\u2069\tz"}, "?abc?\tz"},
		{"lone C1 byte", []string{"a\x9bb"}, "a\ufffdb"},
		{"cut at the end", []string{"a\xe2\x80"}, "a\ufffd"},
		{"kept", []string{"Zürich ☎", " ok\n"}, "Zürich ☎ ok\n"},
	} {
		var b strings.Builder
		w := &Writer{W: &b}
		for _, s := range tt.writes {
			if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
				t.Fatalf("%s: Write = %d, %v", tt.name, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, b.String(), tt.want)
		}
	}
}
