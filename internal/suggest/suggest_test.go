package suggest

import (
	"sort"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"matrix", "matrx", 1}, {"probe", "probe", 0},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	long := string(make([]byte, 100))
	if Distance(long, "x") < 100 {
		t.Error("long input compared instead of being far")
	}
}

func TestClosest(t *testing.T) {
	cmds := []string{"probe", "matrix", "inspect", "check", "simulate", "demo", "version"}
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"matrx", "matrix", true}, {"PROBE", "probe", true}, {"simulator", "simulate", true},
		{"insp", "inspect", true}, {"zzzzzz", "", false},
	} {
		got, ok := Closest(tt.in, cmds, 2)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Closest(%q) = %q %v, want %q %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{
		"Standard Edition / Deploy and activate Standard Edition server and applications",
		"Standard Edition / Configure Standard Edition server",
		"Standard Edition / Start the services",
		"Dial-in Conferencing / Deploy a Mediation Server",
		"Group Chat / Install Group Chat",
	}
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Standard Edition / Deploy and actvate Standard Edition server", names[:1]},
		{"standard edition / configure server", names[1:2]},
		{"Group Chat / Instal", names[4:5]},
		{"zzz qqq", nil},
	} {
		got := Nearest(tt.in, names, 1)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Equally near candidates all come, up to n; much farther ones not.
	got := Nearest("Standard Edition", names, 3)
	sort.Strings(got)
	want := []string{names[0], names[1], names[2]}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Nearest top 3 = %q", got)
	}
	if got := Nearest("Standard Edition / Deploy", names, 3); len(got) != 1 || got[0] != names[0] {
		t.Errorf("Nearest with one clear match = %q", got)
	}
}
