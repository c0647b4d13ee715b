package interop

import (
	"fmt"
	"testing"
)

type recorder struct {
	fatal, skip string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.skip = fmt.Sprintf(format, args...) }

func TestBinary(t *testing.T) {
	t.Setenv("VOIPSEC_INTEROP", "")
	r := &recorder{}
	if p := Binary(r, "go"); p == "" || r.skip != "" || r.fatal != "" {
		t.Errorf("go not found on PATH: %q %+v", p, r)
	}
	r = &recorder{}
	Binary(r, "voipsec-no-such-peer")
	if r.skip == "" || r.fatal != "" {
		t.Errorf("missing peer without VOIPSEC_INTEROP: %+v, want a skip", r)
	}
	t.Setenv("VOIPSEC_INTEROP", "1")
	r = &recorder{}
	Binary(r, "voipsec-no-such-peer")
	if r.fatal == "" || r.skip != "" {
		t.Errorf("missing peer with VOIPSEC_INTEROP=1: %+v, want a failure", r)
	}
	r = &recorder{}
	if p := Binary(r, "voipsec-no-such-peer", "/no/such/file", "interop.go"); p != "interop.go" || r.fatal != "" {
		t.Errorf("explicit path not used: %q %+v", p, r)
	}
}
