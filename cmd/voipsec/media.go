package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// maxMediaSeconds bounds --media-seconds: ten minutes of media per
// accepted answer is a soak test, not a check.
const maxMediaSeconds = 600

// mediaOptions is --media-seconds, the SRTP media window per accepted
// answer, for probe and check alike.
type mediaOptions struct {
	Seconds float64
}

func (m *mediaOptions) AddFlags(f *pflag.FlagSet, def float64) {
	f.Float64Var(&m.Seconds, "media-seconds", def, "`seconds` of SRTP media per accepted answer (0: no media)")
}

func (m mediaOptions) Validate() error {
	if !(m.Seconds >= 0 && m.Seconds <= maxMediaSeconds) { // NaN too
		return usagef("--media-seconds must be between 0 and %d, got %g", maxMediaSeconds, m.Seconds)
	}
	return nil
}

// Duration is the media window as sipcheck and plan take it: negative for
// none, since their zero means their default.
func (m mediaOptions) Duration() time.Duration {
	d := time.Duration(m.Seconds * float64(time.Second))
	if d <= 0 {
		return -1
	}
	return d
}

// Param is the media window for a report's parameters.
func (m mediaOptions) Param() string {
	if m.Duration() < 0 {
		return "none"
	}
	return fmt.Sprintf("%gs per accepted SRTP answer", m.Seconds)
}
