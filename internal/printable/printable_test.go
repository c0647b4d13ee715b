package printable

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"Kamailio 5.6":       "Kamailio 5.6",
		"evil\x1b[31mred":    "evil?[31mred",
		"tab\tnew\nline\x7f": "tab?new?line?",
		"c1\u0085next":       "c1?next",
		"Zürich ☎":           "Zürich ☎",
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
	w := Writer{W: &b}
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
