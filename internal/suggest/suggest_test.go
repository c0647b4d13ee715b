package suggest

import "testing"

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
