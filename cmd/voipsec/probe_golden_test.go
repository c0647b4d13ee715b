package main

import (
	"context"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/internal/browser"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// goldenProbe is the probe the text goldens and the HTML test run: a TLS
// edge that accepts plain RTP and asks for no client certificate, judged as
// a Mediation Server internal edge of a Secured deployment whose clients
// require encryption, with its versions and suites enumerated; and a port
// where nothing listens. It returns the arguments after "probe".
func goldenProbe(t *testing.T) []string {
	t.Helper()
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Transports = []string{sim.TLS}; c.Encryption = matrix.Optional })
	return []string{"--role", "mediation-internal", "--voip-security", "Secured", "--encryption", "required", "--enumerate",
		"--ca", files.CA, "--media-seconds", "0.2", "--offer-concurrency", "8", "--step-timeout", "3s",
		"tls://" + s.Addr("tls"), "sip:127.0.0.1:1;transport=tcp"}
}

// probeVariable are the parts of a probe report that change from run to
// run: the simulator's port, answer ports, round-trip times, durations,
// media counters, the probe's own temporary files.
var probeVariable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:[0-9]{2,}`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`port [0-9]{2,}([,)])`), "port PORT$1"},
	{regexp.MustCompile(`in [0-9]+(\.[0-9]+)? ms`), "in N ms"},
	{regexp.MustCompile(`[0-9]+\.[0-9] ms`), "N ms"},
	{regexp.MustCompile(`\([0-9]+\.[0-9]s\)`), "(Ns)"},
	{regexp.MustCompile(`for [0-9]+\.[0-9]s:`), "for Ns:"},
	{regexp.MustCompile(`valid for [0-9]+ more days`), "valid for N more days"},
	{regexp.MustCompile(`sent [0-9]+, received [0-9]+, authenticated [0-9]+`), "sent N, received N, authenticated N"},
	{regexp.MustCompile(`authenticated in [0-9]+ of [0-9]+ packets`), "authenticated in N of N packets"},
}

func normalizeProbe(s string) string {
	for _, v := range probeVariable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// The text layout of probe, default and -v, without and with colour: the
// verdict first; under each target the role it was judged as and its
// effective encryption; what needs attention with its evidence; the
// enumerated versions and suites; a passed line per target; what to do
// next. With colour, removing the escape codes gives the plain text.
func TestProbeTextGolden(t *testing.T) {
	t.Parallel()
	args := goldenProbe(t)
	plain := map[bool]string{}
	for _, c := range []struct {
		golden         string
		verbose, color bool
	}{
		{"probe/probe.txt", false, false},
		{"probe/probe-verbose.txt", true, false},
		{"probe/probe-color.txt", false, true},
		{"probe/probe-verbose-color.txt", true, true},
	} {
		a := append([]string{"probe"}, args...)
		if c.verbose {
			a = append(a, "-v")
		}
		out, errOut, code := runVoipsecTTY(t, tty{stdout: c.color}, nil, "", a...)
		if code != exitFindings || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q\n%s", c.golden, code, errOut, out)
		}
		got := normalizeProbe(out)
		checkGolden(t, c.golden, []byte(got))
		if c.color {
			if stripped := ansiCode.ReplaceAllString(got, ""); stripped != plain[c.verbose] {
				t.Errorf("%s: colour moved text:\n%s", c.golden, stripped)
			}
			continue
		}
		plain[c.verbose] = got
		checkCountsMatchRows(t, got)
		lines := strings.Count(got, "\n")
		if !c.verbose && lines > 60 {
			t.Errorf("%d lines by default", lines)
		}
	}
}

var ansiCode = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// --internal and --external: the verdict line counts every failure, and
// every one is a row, EDGE-SHARED-ADDRESS included (it had none: the
// header said 5 failures and the table showed 4).
func TestProbeEdgesCountsEqualRows(t *testing.T) {
	t.Parallel()
	pki, _ := probePKI(t)
	in := probeSim(t, pki, "", func(c *sim.Config) { c.ApplyRole(sim.RoleMediationInternal, false) })
	ex := probeSim(t, pki, "", func(c *sim.Config) { c.ApplyRole(sim.RoleMediationGateway, false) })
	out, errOut, code := runVoipsec(t, "probe", "--media-seconds", "0", "--step-timeout", "3s", "--no-color",
		"--internal", "tls://"+in.Addr("tls"), "--external", "tcp://"+ex.Addr("tcp"))
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	checkCountsMatchRows(t, out)
	edges := "edges " + in.Addr("tls") + " / " + ex.Addr("tcp")
	if !regexp.MustCompile(`^  FAIL +EDGE-SHARED-ADDRESS +Mediation Server edges listen on different IP addresses\n`).MatchString(sectionsOf(out)[edges]) {
		t.Errorf("no EDGE-SHARED-ADDRESS row under %q:\n%s", edges, out)
	}
	for target, role := range map[string]string{"tls://" + in.Addr("tls"): "mediation-internal (--internal)", "tcp://" + ex.Addr("tcp"): "mediation-external (--external)"} {
		if !strings.HasPrefix(sectionsOf(out)[target], "  role "+role+"\n") {
			t.Errorf("%s: no role note:\n%s", target, sectionsOf(out)[target])
		}
	}
}

// probe's HTML report, rendered by headless Chromium (offline): every
// finding that is not a pass with its summary, the run's parameters, the
// declared matrix cell, the notes under each target and the enumerated
// suites; the verdict line goes to stderr.
func TestProbeHTML(t *testing.T) {
	chromium := browser.Chromium(t)
	args := goldenProbe(t)
	path := filepath.Join(t.TempDir(), "probe.html")
	out, errOut, code := runVoipsec(t, append(append([]string{"probe"}, args...), "--format", "html", "-o", path)...)
	if code != exitFindings || out != "" || !strings.HasPrefix(errOut, "voipsec probe: FAIL: ") || !strings.HasSuffix(errOut, "; report written to "+path+"\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	doc, _, _ := runVoipsec(t, append(append([]string{"probe"}, args...), "--format", "json")...)
	dom, err := browser.DumpDOM(context.Background(), chromium, path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(dom, " "))), " ")
	want := []string{
		"voipsec probe report", "FAIL",
		"targets", "role mediation-internal (--role)", "declared UM dial plan VoIPSecurity Secured", "declared client encryption level required",
		"number called none given: voipsec-unroutable", "TLS versions and cipher suites enumerated (--enumerate)",
		"declared Secured required WORKS",
		"effective encryption: optional (SRTP and plain RTP both accepted)",
		"TLS_AES_128_GCM_SHA256", "not probed: nothing accepts SIP at 127.0.0.1:1: TCP connection refused",
	}
	for _, m := range regexp.MustCompile(`"check": "([A-Z0-9-]+)",\s*"severity": "(fail|warn|inconclusive|info)",\s*"target": "[^"]*",\s*"summary": "([^"]*)"`).FindAllStringSubmatch(doc, -1) {
		want = append(want, m[1], strings.ReplaceAll(m[3], `\"`, `"`))
	}
	if len(want) < 20 {
		t.Fatalf("too few findings read from the JSON:\n%s", doc)
	}
	for _, w := range want {
		if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("rendered page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page text: %s", text)
	}
}
