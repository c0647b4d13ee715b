package report

import (
	"strings"
	"testing"
)

// Every catalog entry names the property it tests, phrased as what holds
// when it passes, and no two entries test the same property. The list is
// printed with -v, for review.
func TestCatalogProperties(t *testing.T) {
	seen := map[string]string{}
	for _, c := range Checks() {
		t.Logf("%-28s %s", c.ID, c.Property)
		p := strings.TrimSpace(c.Property)
		switch {
		case p == "":
			t.Errorf("%s has no Property (what holds when it passes)", c.ID)
			continue
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
		if other, dup := seen[strings.ToLower(p)]; dup {
			t.Errorf("%s and %s both test %q", other, c.ID, p)
		}
		seen[strings.ToLower(p)] = c.ID
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
	dup := func() (msg string) {
		defer func() { msg, _ = recover().(string) }()
		c := full
		c.ID, c.Property = "TEST-SAME-PROPERTY", "TLS Handshake completes"
		Register(c)
		return ""
	}()
	if !strings.Contains(dup, "TLS-HANDSHAKE-FAILED and TEST-SAME-PROPERTY both test") {
		t.Errorf("a second entry for the same property: %q", dup)
	}
}
