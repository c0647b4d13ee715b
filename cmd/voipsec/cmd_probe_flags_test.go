package main

import (
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// probeJSON is the part of probe's JSON these tests read.
type probeJSON struct {
	Verdict  string `json:"verdict"`
	Findings []struct {
		Check    string `json:"check"`
		Severity string `json:"severity"`
		Target   string `json:"target"`
		Hint     string `json:"hint"`
	} `json:"findings"`
	Data struct {
		Probe struct {
			Targets []struct {
				Name    string `json:"name"`
				To      string `json:"to"`
				ToGiven bool   `json:"to_given"`
				TLSOnly bool   `json:"tls_only"`
				Offers  []struct {
					Sent bool `json:"sent"`
				} `json:"offers"`
			} `json:"targets"`
			Roles []struct {
				Target  string `json:"target"`
				Role    string `json:"role"`
				Assumed bool   `json:"assumed"`
				Why     string `json:"why"`
			} `json:"roles"`
		} `json:"probe"`
	} `json:"data"`
}

func runProbeJSON(t *testing.T, args ...string) (probeJSON, int) {
	t.Helper()
	out, errOut, code := runVoipsec(t, append(append([]string{"probe"}, args...), "--format", "json")...)
	var doc probeJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, errOut)
	}
	return doc, code
}

// severity is the severity of check in doc ("" when absent).
func (doc probeJSON) severity(check string) string {
	for _, f := range doc.Findings {
		if f.Check == check {
			return f.Severity
		}
	}
	return ""
}

// --role decides what a target must enforce, from the one table; without
// it the role is assumed from the port and the report says so.
func TestProbeRole(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	// A TLS edge with no mutual TLS and a certificate without Client
	// Authentication: fine for a gateway, wrong for a Mediation Server
	// internal edge or Exchange UM.
	s := probeSim(t, pki, "", func(c *sim.Config) {
		c.Transports = []string{sim.TLS}
		c.Faults = []sim.Fault{sim.FaultNoClientAuthEKU}
	})
	target := "tls://" + s.Addr("tls")
	common := []string{"--tls-only", "--enumerate", "--ca", files.CA, "--cert", files.ClientCert, "--key", files.ClientKey, "--step-timeout", "3s"}

	doc, code := runProbeJSON(t, append(common, target)...)
	port := target[strings.LastIndexByte(target, ':')+1:]
	if r := doc.Data.Probe.Roles; len(r) != 1 || r[0].Role != "sip-edge" || !r[0].Assumed || r[0].Why != "port "+port {
		t.Fatalf("assumed role: %+v", r)
	}
	if code != exitOK || doc.severity("MTLS-NOT-REQUIRED") != "info" || doc.severity("TLS-CERT-EKU") == "fail" {
		t.Fatalf("sip-edge: exit %d, %+v", code, doc.Findings)
	}
	out, _, _ := runVoipsec(t, append(append([]string{"probe"}, common...), "--no-color", target)...)
	if !strings.Contains(out, "\n"+target+"\n  assumed role sip-edge: port "+port+"; --role to change\n") {
		t.Errorf("text does not state the assumed role:\n%s", out)
	}

	for _, c := range []struct {
		role       string
		code       int
		mtls, ekus string
	}{
		{"mediation-internal", exitFindings, "fail", "fail"},
		{"um", exitFindings, "fail", "fail"},
		{"gateway", exitOK, "info", "pass"},
		{"mediation-external", exitOK, "info", "pass"},
	} {
		doc, code := runProbeJSON(t, append(common, "--role", c.role, target)...)
		r := doc.Data.Probe.Roles
		if code != c.code || len(r) != 1 || r[0].Role != c.role || r[0].Assumed || r[0].Why != "--role" ||
			doc.severity("MTLS-NOT-REQUIRED") != c.mtls || doc.severity("TLS-CERT-EKU") != c.ekus {
			t.Errorf("--role %s: exit %d (want %d), roles %+v, MTLS-NOT-REQUIRED %s (want %s), TLS-CERT-EKU %s (want %s)",
				c.role, code, c.code, r, doc.severity("MTLS-NOT-REQUIRED"), c.mtls, doc.severity("TLS-CERT-EKU"), c.ekus)
		}
		out, _, _ := runVoipsec(t, append(append([]string{"probe"}, common...), "--role", c.role, "--no-color", target)...)
		if strings.Contains(out, "assumed role") || !strings.Contains(out, "\n"+target+"\n  role "+c.role+" (--role)\n") {
			t.Errorf("--role %s: text does not state the role given:\n%s", c.role, out)
		}
	}
}

// --tls-only runs the TLS checks and places no call.
func TestProbeTLSOnly(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Preset(matrix.Secured) })
	doc, code := runProbeJSON(t, "--tls-only", "--enumerate", "--role", "um", "--ca", files.CA, "--cert", files.ClientCert, "--key", files.ClientKey,
		"--step-timeout", "3s", s.Addr("tls")) // host:port without a transport: probed over TLS
	if code != exitOK || doc.Verdict != "pass" {
		t.Fatalf("exit %d: %+v", code, doc)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("--tls-only placed %d calls", n)
	}
	tg := doc.Data.Probe.Targets
	if len(tg) != 1 || !tg[0].TLSOnly || len(tg[0].Offers) != 0 || tg[0].Name != "tls://"+s.Addr("tls") {
		t.Errorf("targets: %+v", tg)
	}
	for _, f := range doc.Findings {
		if strings.HasPrefix(f.Check, "SRTP-") || strings.HasPrefix(f.Check, "SIP-") {
			t.Errorf("--tls-only judged %s", f.Check)
		}
	}
	for _, id := range []string{"TLS-VERSION-WEAK", "TLS-CIPHER-WEAK", "MTLS-NOT-REQUIRED", "TLS-CERT-EKU"} {
		if doc.severity(id) != "pass" {
			t.Errorf("%s: %q, want pass", id, doc.severity(id))
		}
	}
}

// --warn-days is the expiry horizon: 30 by default, 0 for no expiring
// warning at all (0 silently meant 30).
func TestProbeWarnDays(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	soon, err := pki.Issue(testpki.IssueOptions{Hosts: []string{"localhost", "127.0.0.1"}, NotAfter: time.Now().Add(20 * 24 * time.Hour),
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Transports = []string{sim.TLS}; c.Certificate = &soon })
	target := "tls://" + s.Addr("tls")
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{nil, "warn"},                           // the default horizon, 30 days
		{[]string{"--warn-days", "10"}, "pass"}, // 20 days left is more than 10
		{[]string{"--warn-days", "0"}, ""},      // not checked at all
	} {
		args := append([]string{"--tls-only", "--enumerate", "--ca", files.CA, "--step-timeout", "3s"}, c.flags...)
		doc, _ := runProbeJSON(t, append(args, target)...)
		if got := doc.severity("TLS-CERT-EXPIRING"); got != c.want {
			t.Errorf("%v: TLS-CERT-EXPIRING %q, want %q", c.flags, got, c.want)
		}
		if got := doc.severity("TLS-CERT-EXPIRED"); got != "pass" {
			t.Errorf("%v: TLS-CERT-EXPIRED %q, want pass", c.flags, got)
		}
	}
}

// --to is whom the calls go to; without it, an unroutable user that can
// only give an inconclusive verdict.
func TestProbeTo(t *testing.T) {
	t.Parallel()
	pki, _ := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Encryption = matrix.Optional })
	target := "sip:" + s.Addr("udp") + ";transport=udp"
	common := []string{"--media-seconds", "0", "--offer", "plain-rtp", "--step-timeout", "3s"}
	for _, c := range []struct {
		to, user string
		given    bool
	}{
		{"", "voipsec-unroutable", false},
		{"+14255550100", "+14255550100", true},
		{"sip:uas@contoso.com", "uas", true},
	} {
		args := common
		if c.to != "" {
			args = append(args, "--to", c.to)
		}
		doc, _ := runProbeJSON(t, append(args, target)...)
		tg := doc.Data.Probe.Targets
		if len(tg) != 1 || tg[0].To != c.user || tg[0].ToGiven != c.given {
			t.Errorf("--to %q: %+v", c.to, tg)
		}
	}
}

// An edge that requires mutual TLS, probed without --cert: SIP and media
// were not probed, so those checks are inconclusive with the hint to give
// a certificate, and the run exits 3 (it exited 0 with PASS).
func TestProbeMTLSWithoutCert(t *testing.T) {
	t.Parallel()
	pki, files := probePKI(t)
	s := probeSim(t, pki, "", func(c *sim.Config) { c.Encryption = matrix.Required; c.ApplyRole(sim.RoleMediationInternal, false) })
	out, errOut, code := runVoipsec(t, "probe", "--ca", files.CA, "--enumerate", "--role", "mediation-internal", "--step-timeout", "3s",
		"--no-color", "tls://"+s.Addr("tls"))
	if code != exitInconclusive {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	if !strings.HasPrefix(out, "voipsec probe: INCONCLUSIVE: ") || !strings.Contains(out, "\n  role mediation-internal (--role)\n") ||
		!strings.Contains(out, "--cert and --key") {
		t.Fatalf("report:\n%s", out)
	}
	doc, _ := runProbeJSON(t, "--ca", files.CA, "--enumerate", "--role", "mediation-internal", "--step-timeout", "3s", "tls://"+s.Addr("tls"))
	if doc.severity("SIP-NO-RESPONSE") != "inconclusive" || doc.severity("MTLS-NOT-REQUIRED") != "pass" {
		t.Errorf("findings: %+v", doc.Findings)
	}
	for _, f := range doc.Findings {
		if f.Severity == "inconclusive" && !strings.Contains(f.Hint, "--cert") {
			t.Errorf("%s inconclusive with hint %q", f.Check, f.Hint)
		}
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls placed without a certificate", n)
	}
}
