package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// probe and check take --media-seconds the same way: one limit, and 0 (or
// a value too small to be a window) for no media, never sipcheck's
// default.
func TestMediaSeconds(t *testing.T) {
	for _, c := range []struct {
		seconds float64
		d       time.Duration
		param   string
	}{
		{0, -1, "none"},
		{1e-12, -1, "none"},
		{0.4, 400 * time.Millisecond, "0.4s per accepted SRTP answer"},
		{600, 10 * time.Minute, "600s per accepted SRTP answer"},
	} {
		m := mediaOptions{Seconds: c.seconds}
		if err := m.Validate(); err != nil || m.Duration() != c.d || m.Param() != c.param {
			t.Errorf("%g: %v, %v, %q", c.seconds, err, m.Duration(), m.Param())
		}
	}
	for _, bad := range []float64{-1, 600.5, math.NaN(), math.Inf(1)} {
		if err := (mediaOptions{Seconds: bad}).Validate(); err == nil {
			t.Errorf("%g accepted", bad)
		}
	}
	t.Chdir(t.TempDir())
	for _, cmd := range [][]string{{"probe", "host:5061"}, {"check", "plan.yaml"}} {
		for _, v := range []string{"NaN", "601"} {
			_, errOut, code := runVoipsec(t, cmd[0], "--media-seconds", v, cmd[1])
			if want := "--media-seconds must be between 0 and 600, got " + v; code != exitError || !strings.Contains(errOut, want) {
				t.Errorf("%s --media-seconds %s: exit %d %q, want %q", cmd[0], v, code, errOut, want)
			}
		}
	}
}
