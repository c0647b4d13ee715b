package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

func TestProbeUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"probe"}, "at least one target"},
		{[]string{"probe", "sip:host;transport=sctp"}, `"sip:host;transport=sctp"`},
		{[]string{"probe", "host:99999"}, `"host:99999"`},
		{[]string{"probe", "--voip-security", "Semi", "host"}, "--voip-security"},
		{[]string{"probe", "--encryption", "maybe", "host"}, "--encryption"},
		{[]string{"probe", "--offer", "nope", "host"}, "--offer"},
		{[]string{"probe", "--internal", "a:5061", "host"}, "--external"},
		{[]string{"probe", "--cert", "x.pem", "host"}, "--key"},
		{[]string{"probe", "-j", "0", "host"}, "--jobs"},
		{[]string{"probe", "--format", "yaml", "host"}, "--format"},
		{[]string{"probe", "--from", "alice@contoso.com", "host"}, "--from"},
		{[]string{"probe", "--to", "sip:", "host"}, "--to"},
		// The number to call and the caller name the flag and the value,
		// rather than being replaced by a default behind the user's back.
		{[]string{"probe", "--to", "+1 425 555 0100", "host"}, `--to: bad number to call "+1 425 555 0100": character ' ' not allowed in a user part`},
		{[]string{"probe", "--to", "uas@contoso.com", "host"}, `--to: bad number to call "uas@contoso.com": neither a user part nor a sip: URI`},
		{[]string{"probe", "--to", "", "host"}, `--to: bad number to call "": empty`},
		{[]string{"probe", "--from", "sip:a b@contoso.com", "host"}, `--from: bad SIP URI "sip:a b@contoso.com": character ' ' not allowed in a user part`},
		{[]string{"probe", "--from", "sip:voip sec@contoso.com", "host"}, `--from: bad SIP URI "sip:voip sec@contoso.com"`},
		{[]string{"probe", "--role", "pbx", "host"}, `--role: unknown role "pbx" (accepted: sip-edge, um, mediation-internal, mediation-external, gateway)`},
		{[]string{"probe", "--tls-only", "sip:host:5060;transport=tcp"}, `--tls-only: sip:host:5060;transport=tcp names TCP, not TLS`},
		{[]string{"probe", "--tls-only", "--offer", "plain-rtp", "tls://host:5061"}, "--offer has no effect with --tls-only"},
		{[]string{"probe", "--tls-only", "--to", "uas", "tls://host:5061"}, "--to has no effect with --tls-only"},
		{[]string{"probe", "--media-seconds", "-1", "host"}, "--media-seconds"},
		{[]string{"probe", "--offer-concurrency", "99", "host"}, "--offer-concurrency"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runVoipsec(t, c.args...)
			if code != exitError || out != "" || !strings.Contains(errOut, c.want) {
				t.Fatalf("code %d stdout %q stderr %q, want exit 2 naming %s", code, out, errOut, c.want)
			}
		})
	}
}

func TestProbeHelp(t *testing.T) {
	out, _, code := runVoipsec(t, "probe", "--help")
	for _, want := range []string{"Examples:", "--media-seconds", "--voip-security", "--internal", "Exit status:"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code != 0 {
		t.Fatal(code)
	}
}

// A target nothing listens on is an operational error, not a security
// finding: exit 2 with what was tried and what to do (it was FAIL
// SIP-NO-RESPONSE, exit 1). With --format json the error object says so.
func TestProbeClosedPort(t *testing.T) {
	out, errOut, code := runVoipsec(t, "probe", "--step-timeout", "1s", "sip:127.0.0.1:1;transport=tcp", "--format", "json")
	var doc struct{ Command, Verdict, Error, Hint string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitError {
		t.Fatalf("exit %d, stdout %q: %v", code, out, err)
	}
	if doc.Verdict != "error" || !strings.HasPrefix(doc.Error, "tcp://127.0.0.1:1: ") || !strings.Contains(doc.Error, "refused") ||
		!strings.Contains(doc.Hint, "firewall") {
		t.Fatalf("%+v", doc)
	}
	if !strings.HasPrefix(errOut, "voipsec probe: error: tcp://127.0.0.1:1: ") {
		t.Errorf("stderr %q", errOut)
	}
}

// A name that does not resolve is an operational error naming it (it was
// FAIL SIP-NO-RESPONSE, exit 1). Go's resolver answers .onion names
// itself (RFC 7686), so the test sends no DNS query.
func TestProbeUnresolvable(t *testing.T) {
	out, errOut, code := runVoipsec(t, "probe", "--step-timeout", "2s", "med01.onion")
	if code != exitError || out != "" || !strings.Contains(errOut, "voipsec probe: error: udp://med01.onion:5060: DNS lookup of med01.onion") ||
		!strings.Contains(errOut, "hint: check the name") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// When some targets can be probed, their verdicts stand and the ones that
// cannot are listed as errors; nothing decided about them makes the run
// inconclusive (3) unless a finding fails it (1).
func TestProbeSomeUnreachable(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	good := probeSim(t, pki, "", func(c *sim.Config) { c.Preset(matrix.Secured) })
	args := []string{"probe", "--cert", files.ClientCert, "--key", files.ClientKey, "--ca", files.CA, "--enumerate", "--role", "um",
		"--media-seconds", "0.2", "--offer-concurrency", "8", "--step-timeout", "2s", "--no-color", "tls://" + good.Addr("tls"), "sip:127.0.0.1:1;transport=tcp"}
	out, errOut, code := runVoipsec(t, args...)
	if code != exitInconclusive {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	// The verdict first; the target that could be probed passes every
	// check; the one that could not has a row of its own saying so, and
	// what to do.
	sections := sectionsOf(out)
	name := "tls://" + good.Addr("tls")
	if !strings.HasPrefix(out, "voipsec probe: INCONCLUSIVE: 0 fail, ") || sections[name] != "  role um (--role)\n  effective encryption: required (SRTP accepted, plain RTP refused)\n" ||
		!regexp.MustCompile(`\n +(\d+) of +(\d+)  `+regexp.QuoteMeta(name)+`\n`).MatchString(out) {
		t.Fatalf("report:\n%s", out)
	}
	bad := sections["tcp://127.0.0.1:1"]
	if !strings.Contains(bad, "  INCONCLUSIVE  SIP-NO-RESPONSE ") || !strings.Contains(bad, "not probed: nothing accepts SIP at 127.0.0.1:1: TCP connection refused") ||
		!strings.Contains(bad, "hint: check the address") {
		t.Fatalf("unreachable target:\n%s", bad)
	}
	checkCountsMatchRows(t, out)
	out, _, _ = runVoipsec(t, append(args, "--format", "json")...)
	var doc struct {
		Verdict string
		Data    struct {
			Probe struct {
				Errors []struct{ Target, Status, Error, Hint string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if e := doc.Data.Probe.Errors; doc.Verdict != "inconclusive" || len(e) != 1 || e[0].Target != "tcp://127.0.0.1:1" ||
		e[0].Status != "connection-refused" || e[0].Hint == "" {
		t.Fatalf("%+v\n%s", doc, out)
	}
}

// probeSim starts a simulator for the probe command's tests.
func probeSim(t *testing.T, pki *testpki.PKI, listen string, set func(*sim.Config)) *sim.Server {
	t.Helper()
	cfg := sim.Config{PKI: pki, Listen: listen, MaxCallDuration: 5 * time.Second, AckTimeout: 3 * time.Second}
	if set != nil {
		set(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := sim.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	return s
}

func probePKI(t *testing.T) (*testpki.PKI, testpki.Files) {
	t.Helper()
	pki, err := testpki.NewWithOptions(testpki.Options{Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	files, err := pki.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return pki, files
}

func TestProbeAgainstSimulators(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	secured := probeSim(t, pki, "", func(c *sim.Config) { c.Preset(matrix.Secured) })
	open := probeSim(t, pki, "", func(c *sim.Config) { c.Encryption = matrix.Optional })
	good := "sip:" + secured.Addr("tls") + ";transport=tls"
	bad := "sip:" + open.Addr("udp") + ";transport=udp"
	common := []string{"probe", "--cert", files.ClientCert, "--key", files.ClientKey, "--ca", files.CA,
		"--voip-security", "Secured", "--media-seconds", "0.5", "--offer-concurrency", "8", "--step-timeout", "3s"}

	// Text, with -v: the verdict first; under each target the role it was
	// judged as (assumed from its port, as no --role was given) and its
	// effective encryption; the findings; the passing checks; and the
	// evidence behind them.
	out, errOut, code := runVoipsec(t, append(common, "-v", good, bad)...)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	sections := sectionsOf(out)
	port := secured.Addr("tls")[strings.LastIndexByte(secured.Addr("tls"), ':')+1:]
	if !strings.HasPrefix(out, "voipsec probe: FAIL: ") ||
		!strings.HasPrefix(sections["tls://"+secured.Addr("tls")], "  assumed role sip-edge: port "+port+"; --role to change\n  effective encryption: required (SRTP accepted, plain RTP refused)\n  PASS ") ||
		!strings.Contains(sections["udp://"+open.Addr("udp")], "\n  effective encryption: optional (SRTP and plain RTP both accepted)\n  FAIL ") {
		t.Fatalf("report:\n%s", out)
	}
	for _, want := range []string{"SIP-CLEARTEXT-ACCEPTED", "SRTP-NOT-REQUIRED", "UM-SRTP-MISMATCH", "\nEvidence\n", "authenticated"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	checkCountsMatchRows(t, out)
	if strings.Contains(errOut, "probing") {
		t.Errorf("progress written to a non-terminal: %q", errOut)
	}

	// JSON: structured TLS, SIP and SRTP sections per target.
	out, _, code = runVoipsec(t, append(common, "--format", "json", "--enumerate", "--server-name", "127.0.0.1", "--warn-days", "10", good)...)
	if code != exitOK {
		t.Fatalf("clean simulator: exit %d\n%s", code, out)
	}
	var doc struct {
		Verdict string `json:"verdict"`
		Data    struct {
			Probe struct {
				Targets []struct {
					Name string `json:"name"`
					TLS  struct {
						Handshake struct {
							Version string `json:"version"`
						} `json:"handshake"`
						MTLS struct {
							CertificateRequested bool `json:"certificate_requested"`
						} `json:"mtls"`
						Versions []struct {
							Accepted bool `json:"accepted"`
						} `json:"versions"`
					} `json:"tls"`
					Options []struct {
						Code   int    `json:"code"`
						Server string `json:"server"`
					} `json:"options"`
					Offers []struct {
						Offer  string `json:"offer"`
						Code   int    `json:"code"`
						Secure bool   `json:"secure"`
						Answer struct {
							Crypto []string `json:"crypto"`
						} `json:"answer"`
						Media *struct {
							Authenticated int `json:"authenticated"`
						} `json:"media"`
					} `json:"offers"`
					Effective string `json:"effective"`
				} `json:"targets"`
			} `json:"probe"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	tg := doc.Data.Probe.Targets[0]
	if doc.Verdict != "pass" || tg.TLS.Handshake.Version == "" || !tg.TLS.MTLS.CertificateRequested ||
		tg.Options[0].Code != 200 || tg.Effective != "required" || len(tg.Offers) != 7 || len(tg.TLS.Versions) == 0 {
		t.Fatalf("JSON: %+v", doc)
	}
	authenticated := 0
	for _, o := range tg.Offers {
		if o.Media != nil {
			authenticated += o.Media.Authenticated
		}
		for _, c := range o.Answer.Crypto {
			if strings.Contains(c, "inline:") && !strings.Contains(c, "redacted") {
				t.Errorf("JSON leaks an SRTP key: %s", c)
			}
		}
	}
	if authenticated == 0 {
		t.Error("no authenticated media in JSON")
	}

	// JUnit: one suite per target. (The TLS flags are for TLS targets.)
	out, _, code = runVoipsec(t, "probe", "--voip-security", "Secured", "--media-seconds", "0", "--step-timeout", "3s", "--format", "junit", bad)
	var suites struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || code != exitFindings || len(suites.Suites) == 0 || suites.Suites[0].Failures == 0 {
		t.Fatalf("junit (exit %d, %v): %s", code, err, out)
	}
}

func TestProbeEdges(t *testing.T) {
	t.Parallel()
	pki, _ := probePKI(t)
	in := probeSim(t, pki, "", func(c *sim.Config) { c.ApplyRole(sim.RoleMediationInternal, false) })
	ex := probeSim(t, pki, "", func(c *sim.Config) { c.ApplyRole(sim.RoleMediationGateway, false) })
	args := []string{"probe", "--media-seconds", "0", "--offer", "plain-rtp", "--step-timeout", "2s", "--format", "json",
		"--internal", "sip:" + in.Addr("tls") + ";transport=tls", "--external", "sip:" + ex.Addr("tcp") + ";transport=tcp"}
	out, _, _ := runVoipsec(t, args...)
	if !strings.Contains(out, `"check": "EDGE-SHARED-ADDRESS"`) || !strings.Contains(out, `"shared": true`) {
		t.Fatalf("both edges on 127.0.0.1 must share an address:\n%s", out)
	}
	var doc struct {
		Findings []struct {
			Check    string `json:"check"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.Check == "EDGE-SHARED-ADDRESS" && f.Severity != "fail" {
			t.Fatalf("EDGE-SHARED-ADDRESS %s", f.Severity)
		}
	}
	// IPv6 loopback for the external edge: different addresses.
	if c, err := net.ListenPacket("udp", "[::1]:0"); err == nil {
		c.Close()
		ex6 := probeSim(t, pki, "::1", nil)
		args[len(args)-1] = "sip:" + ex6.Addr("tcp") + ";transport=tcp"
		out, _, _ = runVoipsec(t, args...)
		if !strings.Contains(out, `"shared": false`) {
			t.Fatalf("127.0.0.1 and ::1 are different addresses:\n%s", out)
		}
	}
}

func TestProbeOverallTimeout(t *testing.T) {
	t.Parallel()
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	start := time.Now()
	out, errOut, code := runVoipsec(t, "probe", "--step-timeout", "10s", "--timeout", "1s", "sip:"+silent.LocalAddr().String()+";transport=udp")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("--timeout 1s run took %v", el)
	}
	// The report says the run was cut, why and where. Cut short during
	// OPTIONS, nothing was decided: inconclusive (3), not a failure.
	want := "interrupted: --timeout 1s reached while probing udp://" + silent.LocalAddr().String()
	if code != exitInconclusive || !strings.Contains(out, want) {
		t.Fatalf("exit %d, want 3 and %q in\n%s\n%s", code, want, out, errOut)
	}
}

// TestProbeTextColour: on a terminal the text report is painted; NO_COLOR,
// --no-color and -o leave it plain.
func TestProbeTextColour(t *testing.T) {
	t.Parallel()
	// A plain-RTP simulator probed as a Secured UM fails (a closed port did,
	// until an unreachable target became an operational error).
	pki, _ := probePKI(t)
	plain := probeSim(t, pki, "", nil)
	target := "sip:" + plain.Addr("udp") + ";transport=udp"
	probe := func(vars map[string]string, args ...string) string {
		args = append([]string{"probe", "--step-timeout", "2s", "--media-seconds", "0", "--offer", "plain-rtp", "--voip-security", "Secured", target}, args...)
		out, errOut, code := runVoipsecTTY(t, tty{stdout: true}, vars, "", args...)
		if code != exitFindings {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	out := probe(nil)
	if !strings.HasPrefix(out, "voipsec probe: \x1b[31;1mFAIL\x1b[0m: ") || !strings.Contains(out, "\x1b[31;1mFAIL") {
		t.Fatalf("no colour on a terminal:\n%q", out)
	}
	file := t.TempDir() + "/probe.txt"
	for name, got := range map[string]string{"NO_COLOR": probe(map[string]string{"NO_COLOR": "1"}), "--no-color": probe(nil, "--no-color")} {
		if strings.Contains(got, "\x1b[") || !strings.HasPrefix(got, "voipsec probe: FAIL: ") {
			t.Errorf("%s: want plain text, the verdict first:\n%q", name, got)
		}
	}
	if out := probe(nil, "-o", file); out != "" {
		t.Errorf("-o: stdout %q", out)
	}
	b, err := os.ReadFile(file)
	if err != nil || strings.Contains(string(b), "\x1b[") || !strings.HasPrefix(string(b), "voipsec probe: FAIL: ") {
		t.Fatalf("-o: want a plain report, the verdict first (%v):\n%q", err, b)
	}
}
