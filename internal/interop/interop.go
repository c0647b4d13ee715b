// Package interop is the one place tests decide what a missing interop peer
// (baresip, Kamailio, SIPp, openssl, tshark, junitparser, the SARIF
// multitool) means: a skip on a developer's machine, a failure in CI, where
// VOIPSEC_INTEROP=1 says every peer must be there.
package interop

import (
	"os"
	"os/exec"
)

// TB is the part of testing.TB this package uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Required reports whether VOIPSEC_INTEROP=1: missing peers fail tests.
func Required() bool { return os.Getenv("VOIPSEC_INTEROP") == "1" }

// Missing ends the test for a peer that is not available: Fatalf when
// Required, Skipf otherwise. what names the peer and how to get it.
func Missing(t TB, what string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("VOIPSEC_INTEROP=1 but %s is not available %v", what, args)
		return
	}
	t.Skipf("%s not available (set VOIPSEC_INTEROP=1 to make this a failure) %v", what, args)
}

// Binary returns the path of an interop peer: the first of paths that
// exists, else name looked up on PATH. Without it the test skips, or fails
// when Required.
func Binary(t TB, name string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, err)
		return ""
	}
	return p
}
