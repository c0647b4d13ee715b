package report

import (
	"bytes"
	"context"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/browser"
)

// htmlSample is the sample report with what commands add for HTML: the
// run's parameters, the matrix cell that applies and a text section.
func htmlSample() *Report {
	r := sample()
	r.Command = "check"
	r.Generated = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	r.Params = []Param{{"plan file", "plans/prod.yaml"}, {"targets", "tls://med01.contoso.com:5061, udp://gw01.contoso.com:5060"}, {"role", "mediation-internal"}}
	r.Matrix = []MatrixCell{{For: "dial plan Contoso-Secured", VoipSecurity: "Secured", Encryption: "required", Works: true,
		Reason: "Secured requires SRTP and the clients require it", Check: "UM-ENCRYPTION-INCOMPATIBLE"}}
	r.Text = func(w io.Writer) { io.WriteString(w, "OPTIONS/TLS: 200 OK, 3.1 ms, Server: RTCC/3.5.0.0\n") }
	return r
}

func writeHTMLFile(t *testing.T, r *Report, o TextOptions) (path string, page string) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r, o); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b.String()
}

func TestHTMLGolden(t *testing.T) {
	_, page := writeHTMLFile(t, htmlSample(), TextOptions{})
	golden(t, "report.html.golden", []byte(page))
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
	attrRE  = regexp.MustCompile(`(?i)\s(src|href|srcset|action|formaction|poster|data|background|xlink:href|ping)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
)

// pageText is the text a person reads in a DOM or page: tags dropped,
// entities decoded, white space collapsed.
func pageText(dom string) string {
	return spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(dom, " ")), " ")
}

func collapse(s string) string { return spaceRE.ReplaceAllString(s, " ") }

// The page is self-contained: nothing in it can make a browser fetch
// anything: no script, no attribute pointing outside the page (only
// #fragments), no url() or @import in the styles, and a
// Content-Security-Policy that forbids every fetch but inline styles.
func TestHTMLLoadsNothing(t *testing.T) {
	_, page := writeHTMLFile(t, htmlSample(), TextOptions{Verbose: true})
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "<img", "<link", "<iframe", "<object", "<embed", "<base", "url(", "@import", "@font-face"} {
		if strings.Contains(low, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range attrRE.FindAllStringSubmatch(page, -1) {
		if v := strings.Trim(m[2], `"'`); !strings.HasPrefix(v, "#") {
			t.Errorf("%s=%q points outside the page", m[1], v)
		}
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';`) {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
}

// Headless Chromium, with the network cut off, renders the page: the DOM it
// builds holds the verdict, every non-passing finding's check ID, property
// and summary, the inconclusive hint, the parameters, the matrix cell and
// the catalog's why and fix of each check shown. It also prints to PDF.
func TestHTMLRendersInChromium(t *testing.T) {
	chromium := browser.Chromium(t)
	r := htmlSample()
	path, _ := writeHTMLFile(t, r, TextOptions{})
	dom, err := browser.DumpDOM(context.Background(), chromium, path)
	if err != nil {
		t.Fatal(err)
	}
	text := pageText(dom)
	want := []string{"voipsec check report", "FAIL", "plans/prod.yaml", "mediation-internal", "dial plan Contoso-Secured",
		"Secured requires SRTP and the clients require it", "give the number to call with --to", "Server: RTCC/3.5.0.0"}
	for _, f := range r.Findings {
		c, _ := Lookup(f.Check)
		want = append(want, f.Check, c.Property)
		if f.Severity != Pass {
			want = append(want, f.Summary, c.Why, c.Fix)
		}
		for _, l := range strings.Split(f.Detail, "\n") {
			want = append(want, l)
		}
	}
	for _, w := range want {
		if !strings.Contains(text, collapse(w)) {
			t.Errorf("rendered page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page text: %s", text)
	}
	if err := browser.PrintToPDF(context.Background(), chromium, path, filepath.Join(t.TempDir(), "report.pdf")); err != nil {
		t.Error(err)
	}
}

// cspMeta is the page's Content-Security-Policy, which forbids scripts.
const cspMeta = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">` + "\n"

// withoutCSP writes page to a file with its Content-Security-Policy taken
// out, so that a script that escaped html/template would run in Chromium:
// the escaping is tested on its own, not behind the policy.
func withoutCSP(t *testing.T, page string) string {
	t.Helper()
	open := strings.Replace(page, cspMeta, "", 1)
	if open == page {
		t.Fatal("page has no Content-Security-Policy meta element to take out")
	}
	path := filepath.Join(t.TempDir(), "report-no-csp.html")
	if err := os.WriteFile(path, []byte(open), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Text from the network and from plan files is shown as text, never run or
// parsed as markup: a <script> in a certificate subject, in a Server
// header, in a target, a parameter and a matrix reason leaves no script or
// image element in the DOM Chromium builds, no script runs even with the
// page's Content-Security-Policy taken out (the title stays), and the
// strings appear literally.
func TestHTMLEscapesHostileStrings(t *testing.T) {
	chromium := browser.Chromium(t)
	subject := `CN=<script>document.title='pwned-subject'</script>`
	server := `Server: <script>document.title='pwned-server'</script><img src=x onerror="document.title='pwned-img'">`
	target := `tls://"><script>document.title='pwned-target'</script>:5061`
	r := &Report{Command: "probe", Findings: []Finding{
		New("TLS-CERT-UNTRUSTED", target, "chain does not verify for "+subject).WithDetail("subject %s\n%s", subject, server),
		New("SIP-OPTIONS-STATUS", target, "OPTIONS answered 403; "+server),
		CouldNotTell("SRTP-NOT-SUPPORTED", target, "every INVITE got 404", "call <script>x</script> instead"),
	}}
	r.Params = []Param{{"plan file", `</td></tr></table><script>document.title='pwned-param'</script>`}}
	r.Matrix = []MatrixCell{{For: `<b onmouseover=alert(1)>dial plan</b>`, VoipSecurity: "Secured", Encryption: "required", Reason: "<script>x</script>"}}
	r.Text = func(w io.Writer) { io.WriteString(w, "Server: <script>document.title='pwned-text'</script>\n") }
	_, page := writeHTMLFile(t, r, TextOptions{})
	if n := strings.Count(strings.ToLower(page), "<script"); n != 0 {
		t.Errorf("written page has %d <script", n)
	}
	dom, err := browser.DumpDOM(context.Background(), chromium, withoutCSP(t, page))
	if err != nil {
		t.Fatal(err)
	}
	low := strings.ToLower(dom)
	for _, el := range []string{"<script", "<img", "<b "} {
		if strings.Contains(low, el) {
			t.Errorf("DOM has a %s…> element", el)
		}
	}
	if !strings.Contains(dom, "<title>voipsec probe: FAIL</title>") {
		t.Errorf("a script ran or the title changed: %s", regexp.MustCompile(`<title>.*?</title>`).FindString(dom))
	}
	text := pageText(dom)
	for _, lit := range []string{subject, server, target, "call <script>x</script> instead", `</td></tr></table><script>document.title='pwned-param'</script>`,
		`<b onmouseover=alert(1)>dial plan</b>`, "Server: <script>document.title='pwned-text'</script>"} {
		if !strings.Contains(text, collapse(lit)) {
			t.Errorf("page does not show %q literally", lit)
		}
	}
}

// Positive control for TestHTMLEscapesHostileStrings: in the page without
// its Content-Security-Policy, a script that is markup does run in this
// Chromium and changes the title, so a script that escaped would be seen.
// With the policy, the same script does not run: the second line of
// defence holds on its own.
func TestHTMLScriptRunsOnlyWithoutCSP(t *testing.T) {
	chromium := browser.Chromium(t)
	path, page := writeHTMLFile(t, htmlSample(), TextOptions{})
	page = strings.Replace(page, "</body>", "<script>document.title='script ran'</script></body>", 1)
	if err := os.WriteFile(path, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	title := regexp.MustCompile(`<title>.*?</title>`)
	for _, tt := range []struct {
		path, want string
	}{{withoutCSP(t, page), "<title>script ran</title>"}, {path, "<title>voipsec check: FAIL</title>"}} {
		dom, err := browser.DumpDOM(context.Background(), chromium, tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := title.FindString(dom); got != tt.want {
			t.Errorf("%s: title %s, want %s", filepath.Base(tt.path), got, tt.want)
		}
	}
}
