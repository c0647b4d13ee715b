package report

import (
	"strings"
	"testing"
)

// Every catalog entry's property is phrased as what holds when it passes.
// (That each has one, and no two the same, Register enforces:
// TestRegisterRejectsIncompleteEntries.) The list is printed with -v, for
// review.
func TestCatalogProperties(t *testing.T) {
	for _, c := range Checks() {
		t.Logf("%-28s %s", c.ID, c.Property)
		p := strings.TrimSpace(c.Property)
		switch {
		case strings.EqualFold(p, c.Title):
			t.Errorf("%s: Property repeats the Title %q; name what holds when the check passes", c.ID, c.Title)
		case strings.HasSuffix(p, "."):
			t.Errorf("%s: Property %q is a name, not a sentence: no full stop", c.ID, p)
		}
		for _, neg := range []string{"failed", "fails", "does not", "mismatch"} {
			if strings.Contains(strings.ToLower(p), neg) {
				t.Errorf("%s: Property %q reads like a problem (%q); phrase what holds when it passes", c.ID, p, neg)
			}
		}
	}
}

// Register refuses an entry without a property and names, in one panic,
// every entry of the call that lacks a field, so whoever adds checks sees
// the whole list at once.
func TestRegisterRejectsIncompleteEntries(t *testing.T) {
	full := Check{ID: "TEST-FULL", Area: "TLS", Property: "test property holds", Title: "test problem", Severity: Fail, Why: "w", Fix: "f"}
	noProp := full
	noProp.ID, noProp.Property = "TEST-NO-PROPERTY", ""
	noFix := full
	noFix.ID, noFix.Property, noFix.Fix = "TEST-NO-FIX", "another property", ""
	msg := func() (msg string) {
		defer func() { msg, _ = recover().(string) }()
		Register(full, noProp, noFix)
		return ""
	}()
	for _, want := range []string{"TEST-NO-PROPERTY has no Property", "TEST-NO-FIX has no Fix", `Title "TLS handshake failed" has Property "TLS handshake completes"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("panic message lacks %q:\n%s", want, msg)
		}
	}
	if _, ok := Lookup("TEST-FULL"); ok {
		t.Error("a call with an incomplete entry registered its complete ones")
	}
	register := func(c Check) (msg string) {
		defer func() { msg, _ = recover().(string) }()
		Register(c)
		return ""
	}
	for _, tt := range []struct {
		id, property, want string
	}{
		{"TEST-SAME-PROPERTY", "TLS Handshake completes", "TLS-HANDSHAKE-FAILED and TEST-SAME-PROPERTY both test"},
		{"TEST-SAME-PROPERTY", "  TLS handshake completes ", "TLS-HANDSHAKE-FAILED and TEST-SAME-PROPERTY both test"},
		{"TLS-HANDSHAKE-FAILED", "a property no other check tests", "duplicate check ID TLS-HANDSHAKE-FAILED"},
		{"TEST-BLANK-PROPERTY", " ", "TEST-BLANK-PROPERTY has no Property"},
	} {
		c := full
		c.ID, c.Property = tt.id, tt.property
		if msg := register(c); !strings.Contains(msg, tt.want) {
			t.Errorf("Register(%s, %q) panicked with %q, want %q", tt.id, tt.property, msg, tt.want)
		}
	}
	if c, _ := Lookup("TLS-HANDSHAKE-FAILED"); c.Property != "TLS handshake completes" {
		t.Errorf("a refused entry replaced TLS-HANDSHAKE-FAILED: %+v", c)
	}
}
