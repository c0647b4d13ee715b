package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/internal/textcount"
)

var ansiCode = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Colour changes nothing but the escape codes: with them removed, the
// coloured text is the plain text byte for byte, so columns line up the
// same on a terminal as in a file.
func TestTextColorKeepsColumns(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var plain, color bytes.Buffer
		if err := WriteText(&plain, sample(), TextOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		if err := WriteText(&color, sample(), TextOptions{Color: true, Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(color.Bytes(), []byte("\x1b[")) {
			t.Fatalf("verbose=%v: no colour", verbose)
		}
		if got := ansiCode.ReplaceAllString(color.String(), ""); got != plain.String() {
			t.Errorf("verbose=%v: colour moved text:\n%s\n--- plain\n%s", verbose, got, plain.String())
		}
	}
}

// shownCounts reads a text report back: the verdict line's counts, the
// rows of each severity, and the passed lines' totals.
func shownCounts(t *testing.T, text string) textcount.Counts {
	t.Helper()
	c, err := textcount.Read(text)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The verdict line's counts are what the report shows: every non-passing
// finding is a row, every passing one is counted in its target's passed
// line (and a row too with --verbose), whatever the mix of targets,
// severities and repeated check IDs.
func TestTextCountsEqualRows(t *testing.T) {
	many := &Report{Command: "check"}
	ids := []string{"GW-NO-TLS", "TLS-CERT-EKU", "SIP-NO-RESPONSE", "EDGE-SHARED-ADDRESS"}
	for i := 0; i < 40; i++ {
		f := New(ids[i%len(ids)], fmt.Sprintf("target-%d", i%7), "summary")
		f.Severity = []Severity{Pass, Fail, Pass, Warn, Info, Pass, Inconclusive}[i%7*(i%3+1)%7]
		many.Findings = append(many.Findings, f)
	}
	for name, r := range map[string]*Report{"sample": sample(), "many": many, "empty": {Command: "inspect"}} {
		for _, verbose := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteText(&b, r, TextOptions{Verbose: verbose}); err != nil {
				t.Fatal(err)
			}
			c := shownCounts(t, b.String())
			if m := c.Mismatch(); m != "" {
				t.Errorf("%s verbose=%v: %s", name, verbose, m)
			}
			if c.Total != len(r.Findings) {
				t.Errorf("%s verbose=%v: the passed lines count %d checks of %d", name, verbose, c.Total, len(r.Findings))
			}
			if want := map[bool]int{false: 0, true: c.Header["PASS"]}[verbose]; c.Rows["PASS"] != want {
				t.Errorf("%s verbose=%v: %d PASS rows, want %d", name, verbose, c.Rows["PASS"], want)
			}
		}
	}
}

// Long evidence is cut in the default view, with a note saying how much
// and how to see it; --verbose shows every line.
func TestTextCutsLongEvidence(t *testing.T) {
	var lines []string
	for i := 1; i <= 9; i++ {
		lines = append(lines, fmt.Sprintf("offer %d → 488", i))
	}
	r := &Report{Command: "probe", Findings: []Finding{New("SRTP-NOT-SUPPORTED", "tls://x:5061", "no SRTP offer was accepted").WithDetail("%s", strings.Join(lines, "\n"))}}
	var short, long bytes.Buffer
	WriteText(&short, r, TextOptions{})
	WriteText(&long, r, TextOptions{Verbose: true})
	if !strings.Contains(short.String(), "offer 3 → 488\n") || strings.Contains(short.String(), "offer 4 ") ||
		!strings.Contains(short.String(), "… 6 more lines (-v shows them)") {
		t.Errorf("default view:\n%s", short.String())
	}
	if !strings.Contains(long.String(), "offer 9 → 488\n") || strings.Contains(long.String(), "more lines") {
		t.Errorf("verbose view:\n%s", long.String())
	}
}

// What to do next: inconclusive hints and the fixes of failures, each
// once, naming the checks it is for; warnings only when --fail-on warn.
func TestNextSteps(t *testing.T) {
	r := sample()
	r.Findings = append(r.Findings,
		CouldNotTell("SRTP-NO-MEDIA", "udp://gw01.contoso.com:5060", "no answer", "give the number to call with --to"),
		New("MTLS-NOT-REQUIRED", "tls://med02.contoso.com:5061", "again"))
	var got []string
	for _, s := range NextSteps(r) {
		got = append(got, strings.Join(s.Checks, ",")+": "+s.Text)
	}
	want := []string{
		"MTLS-NOT-REQUIRED: Make the client certificate mandatory on the listener, not merely requested.",
		"SRTP-NOT-REQUIRED: Set the endpoint to require encryption (Secured dial plan, RequireEncryption) so plain offers get 488.",
		"SRTP-NOT-SUPPORTED,SRTP-NO-MEDIA: give the number to call with --to",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("next steps:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r.FailOn = Warn
	if steps := NextSteps(r); len(steps) != 4 || steps[1].Checks[0] != "TLS-CERT-EXPIRING" {
		t.Errorf("fail-on warn: %+v", steps)
	}
}

// A target's notes are stated under its heading, ahead of its findings,
// and give a target whose checks all passed a heading of its own; network
// text in them is made printable, and the HTML page shows them escaped.
func TestTextNotes(t *testing.T) {
	r := sample()
	r.Findings = append(r.Findings, Passed("TLS-CERT-EKU", "tls://um01.contoso.com:5061", "fine"))
	r.Notes = func(target string) []string {
		switch target {
		case "tls://um01.contoso.com:5061":
			return []string{"role um (--role)", "effective encryption: required"}
		case "udp://gw01.contoso.com:5060":
			return []string{"assumed role sip-edge: port 5060; --role to change", "Server: <b>\x1b[2J"}
		}
		return nil
	}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"\ntls://um01.contoso.com:5061\n  role um (--role)\n  effective encryption: required\n\n",
		"\nudp://gw01.contoso.com:5060\n  assumed role sip-edge: port 5060; --role to change\n  Server: <b>?[2J\n  FAIL ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := WriteHTML(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<p class="note">Server: &lt;b&gt;?[2J</p>`) || !strings.Contains(b.String(), `<p class="note">role um (--role)</p>`) {
		t.Errorf("HTML notes:\n%s", b.String())
	}
}

// Inconclusive findings of a target undecided for one reason share a row
// in the default text: the checks named and counted, the summary of the
// first, the evidence and the hint once. Two alike, or different hints,
// keep their rows; -v shows each; the counts still add up.
func TestTextSharedInconclusiveRow(t *testing.T) {
	r := &Report{Command: "probe"}
	target := "tls://med01.contoso.com:5061"
	r.Findings = append(r.Findings, New("TLS-HANDSHAKE-FAILED", target, "TLS handshake failed").WithDetail("handshake: server closed the connection"))
	ids := []string{"TLS-CERT-UNTRUSTED", "TLS-CERT-EXPIRED", "TLS-CERT-EXPIRING", "TLS-CERT-NAME-MISMATCH", "TLS-CERT-EKU", "TLS-CERT-WEAK-KEY",
		"TLS-CERT-WEAK-SIGNATURE", "MTLS-NOT-REQUESTED", "MTLS-NOT-REQUIRED", "TLS-VERSION-WEAK"}
	for _, id := range ids {
		r.Findings = append(r.Findings, CouldNotTell(id, target, id+" was not observed", "fix the handshake first").WithDetail("handshake: server closed the connection"))
	}
	r.Findings = append(r.Findings,
		CouldNotTell("SIP-NO-RESPONSE", target, "not probed", "give --to"),
		CouldNotTell("SRTP-NOT-SUPPORTED", target, "not probed", "give --to"))
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := `  INCONCLUSIVE  10 checks             TLS-CERT-UNTRUSTED, TLS-CERT-EXPIRED, TLS-CERT-EXPIRING,
                                      TLS-CERT-NAME-MISMATCH, TLS-CERT-EKU, TLS-CERT-WEAK-KEY,
                                      TLS-CERT-WEAK-SIGNATURE, MTLS-NOT-REQUESTED,
                                      MTLS-NOT-REQUIRED, TLS-VERSION-WEAK
                TLS-CERT-UNTRUSTED was not observed (and the like; -v shows each)
                  handshake: server closed the connection
                hint: fix the handshake first
  INCONCLUSIVE  SIP-NO-RESPONSE       edge answers SIP
`
	if !strings.Contains(out, want) || strings.Count(out, "hint: give --to") != 2 {
		t.Errorf("shared row:\n%s\nwant\n%s", out, want)
	}
	for _, verbose := range []bool{false, true} {
		b.Reset()
		WriteText(&b, r, TextOptions{Verbose: verbose})
		c := shownCounts(t, b.String())
		if m := c.Mismatch(); m != "" || c.Rows["FAIL"] != 1 {
			t.Errorf("verbose=%v: %s; header %v, rows %v", verbose, m, c.Header, c.Rows)
		}
		if verbose && strings.Contains(b.String(), " checks  ") {
			t.Errorf("-v shares a row:\n%s", b.String())
		}
	}
}

// A shared row of one check found three times names it once, with how
// many times, and does not call three findings of one check three checks;
// the counts still add up.
func TestTextSharedRowOfOneCheck(t *testing.T) {
	r := &Report{Command: "probe"}
	target := "tls://med01.contoso.com:5061"
	for _, port := range []string{"5061", "5062", "5063"} {
		r.Findings = append(r.Findings, CouldNotTell("TLS-CERT-EKU", target, "listener "+port+" was not observed", "fix the handshake first"))
	}
	r.Findings = append(r.Findings,
		CouldNotTell("TLS-CERT-EXPIRED", target, "not observed", "give --sni"),
		CouldNotTell("TLS-CERT-EXPIRED", target, "not observed", "give --sni"),
		CouldNotTell("TLS-CERT-WEAK-KEY", target, "not observed", "give --sni"))
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  INCONCLUSIVE  3 findings  TLS-CERT-EKU ×3\n",
		"  INCONCLUSIVE  3 findings  TLS-CERT-EXPIRED ×2, TLS-CERT-WEAK-KEY\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if m := shownCounts(t, out).Mismatch(); m != "" {
		t.Errorf("%s:\n%s", m, out)
	}
}
