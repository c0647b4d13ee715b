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
