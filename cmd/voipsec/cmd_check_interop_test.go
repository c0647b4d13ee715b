package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/internal/peers"
	"github.com/voipsec/voipsec/internal/testpki"
)

// checkJSON is the part of check's JSON these tests read.
type checkJSON struct {
	Verdict  string `json:"verdict"`
	Findings []struct {
		Check    string `json:"check"`
		Severity string `json:"severity"`
		Target   string `json:"target"`
		Summary  string `json:"summary"`
		Hint     string `json:"hint"`
		Location struct {
			Line int `json:"line"`
		} `json:"location"`
	} `json:"findings"`
	Data struct {
		Probes []struct {
			Component string `json:"component"`
			Probe     struct {
				To      string `json:"to"`
				ToGiven bool   `json:"to_given"`
				Offers  []struct {
					Offer string `json:"offer"`
					Code  int    `json:"code"`
					Media *struct {
						Authenticated int `json:"authenticated"`
					} `json:"media"`
				} `json:"offers"`
			} `json:"probe"`
		} `json:"probes"`
		Errors []struct {
			Target, Status, Error, Hint string
		} `json:"errors"`
	} `json:"data"`
}

// The check issue 10 asks for, against real peers on loopback: a plan
// whose Mediation Server internal edge is Kamailio requiring mutual TLS,
// in front of baresip answering with SRTP only (srtp-mand), and whose
// call_to names baresip's user. The calls reach baresip through the edge,
// carry authenticated SRTP, and every check of the edge is decided; the
// external edge, where nothing listens, is an operational error that makes
// the run inconclusive (3), not a failure. Calling a user baresip does not
// know instead leaves the media checks inconclusive, pointing at call_to.
func TestCheckInteropMediationInternal(t *testing.T) {
	pki := testpki.NewT(t)
	m := peers.StartMediationInternal(t, pki)
	host, port, err := net.SplitHostPort(m.Kamailio.TLSAddr)
	if err != nil {
		t.Fatal(err)
	}
	closed, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	write := func(callTo string) string {
		t.Helper()
		text := fmt.Sprintf(`voipsec_plan: 1
trust: {ca: %s, client_certificate: %s, client_key: %s}
mediation_servers:
  - fqdn: localhost
    internal:
      address: %s
      port: %s
      call_to: %s
      expect: {mtls_required: true, encryption: required}
    external: {address: 127.0.0.2, port: %d, transport: tls}
`, m.Files.CA, m.Files.ClientCert, m.Files.ClientKey, host, port, callTo, closedPort)
		dir := t.TempDir()
		t.Chdir(dir)
		if err := os.WriteFile("plan.yaml", []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return "plan.yaml"
	}
	internal := "Mediation localhost internal edge tls://" + m.Kamailio.TLSAddr
	check := func(name string) (checkJSON, int, string) {
		t.Helper()
		out, errOut, code := runVoipsec(t, "check", "--media-seconds", "0.5", "--step-timeout", "5s", "--format", "json", name)
		var doc checkJSON
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, errOut)
		}
		return doc, code, out
	}

	doc, code, out := check(write(m.Baresip.User))
	if code != exitInconclusive {
		t.Fatalf("exit %d, want 3 (only the external edge undecided)\n%s\nbaresip:\n%s", code, out, m.Baresip.Log())
	}
	decided := map[string]string{}
	for _, f := range doc.Findings {
		if f.Target != internal {
			continue
		}
		decided[f.Check] = f.Severity
		if f.Severity == "fail" || f.Severity == "inconclusive" {
			t.Errorf("internal edge: %s %s: %s (hint %q)", f.Severity, f.Check, f.Summary, f.Hint)
		}
	}
	for _, id := range []string{"MTLS-NOT-REQUIRED", "TLS-CERT-EKU", "SIP-NO-RESPONSE", "SRTP-NOT-SUPPORTED", "SRTP-NOT-REQUIRED",
		"SRTP-MEDIA-AUTH-FAILED", "UM-SRTP-MISMATCH"} {
		if decided[id] != "pass" {
			t.Errorf("internal edge %s: %q, want pass", id, decided[id])
		}
	}
	authenticated := 0
	for _, p := range doc.Data.Probes {
		if p.Component != "mediation/localhost/internal" {
			continue
		}
		if p.Probe.To != m.Baresip.User || !p.Probe.ToGiven {
			t.Errorf("called %q (given %v), want %q", p.Probe.To, p.Probe.ToGiven, m.Baresip.User)
		}
		for _, o := range p.Probe.Offers {
			if o.Media != nil {
				authenticated += o.Media.Authenticated
			}
		}
	}
	if authenticated == 0 {
		t.Errorf("no authenticated SRTP from baresip through the edge\n%s", out)
	}
	if e := doc.Data.Errors; len(e) != 1 || e[0].Status != "connection-refused" || !strings.Contains(e[0].Target, "external edge") {
		t.Errorf("errors: %+v", e)
	}

	// A user baresip does not know: 404 to every offer through the edge.
	doc, code, out = check(write("nobody"))
	if code != exitInconclusive {
		t.Fatalf("unknown user: exit %d, want 3\n%s", code, out)
	}
	undecided := 0
	for _, f := range doc.Findings {
		if f.Target != internal || !strings.HasPrefix(f.Check, "SRTP-NOT-") {
			continue
		}
		undecided++
		if f.Severity != "inconclusive" || !strings.Contains(f.Hint, `"nobody"`) || f.Location.Line != 8 {
			t.Errorf("unknown user: %s %s at line %d: %s (hint %q)", f.Severity, f.Check, f.Location.Line, f.Summary, f.Hint)
		}
	}
	if undecided == 0 {
		t.Errorf("unknown user: no SRTP-NOT-* finding on the internal edge\n%s", out)
	}
}
