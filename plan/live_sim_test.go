package plan

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sim"
)

// startSim starts a simulator on 127.0.0.1 for the test and returns the
// address of its listener for transport.
func startSim(t *testing.T, pki *testpki.PKI, c sim.Config, transport string) (host string, port int) {
	t.Helper()
	c.PKI = pki
	c.Listen = "127.0.0.1"
	c.MaxCallDuration = 10 * time.Second
	c.AckTimeout = 3 * time.Second
	s, err := sim.Start(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	addr := s.Addr(transport)
	i := strings.LastIndexByte(addr, ':')
	if _, err := fmt.Sscan(addr[i+1:], &port); err != nil {
		t.Fatalf("sim address %q: %v", addr, err)
	}
	return addr[:i], port
}

// simPKI is a test PKI for simulators on loopback, with the probe's trust
// material written to dir as ca.pem, probe.pem and probe-key.pem.
func simPKI(t *testing.T) (*testpki.PKI, string) {
	t.Helper()
	pki, err := testpki.NewWithOptions(testpki.Options{Hosts: []string{"localhost", "127.0.0.1"}, Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := testpki.WriteCertPEM(filepath.Join(dir, "ca.pem"), pki.CA.Raw); err != nil {
		t.Fatal(err)
	}
	if err := testpki.WritePair(filepath.Join(dir, "probe.pem"), filepath.Join(dir, "probe-key.pem"), pki.Client); err != nil {
		t.Fatal(err)
	}
	return pki, dir
}

// A live check against simulators in several modes: what the plan declares
// against what each simulator does. Each case is one endpoint; the plan
// declares what a correct deployment would have, the simulator is set up
// right or wrong, and the named check must come out as expected, located at
// the plan line that declared it.
func TestLiveAgainstSimulators(t *testing.T) {
	if testing.Short() {
		t.Skip("live simulators")
	}
	pki, dir := simPKI(t)
	secured := func() sim.Config { c := sim.Config{}; c.Preset(matrix.Secured); return c }
	sipSecured := func() sim.Config { c := sim.Config{}; c.Preset(matrix.SIPSecured); return c }
	cases := []struct {
		name      string
		sim       sim.Config
		transport string
		// section is the plan section for the endpoint; %s is address/port/transport lines.
		section string
		check   string
		want    report.Severity
		line    string // the plan text the finding must point at
	}{
		{"UM Secured, endpoint Secured", secured(), "tls", umSection("Secured"), "UM-SRTP-MISMATCH", report.Pass, "voip_security: Secured"},
		{"UM Secured, endpoint takes plain RTP", func() sim.Config { c := secured(); c.Encryption = matrix.Optional; return c }(), "tls",
			umSection("Secured"), "UM-SRTP-MISMATCH", report.Fail, "voip_security: Secured"},
		{"UM SIPSecured, endpoint without MTLS", func() sim.Config { c := sipSecured(); c.MTLS = sim.MTLSNone; return c }(), "tls",
			umSection("SIPSecured"), "UM-MTLS-NOT-ENFORCED", report.Fail, "voip_security: SIPSecured"},
		{"UM SIPSecured, endpoint SIPSecured", sipSecured(), "tls", umSection("SIPSecured"), "UM-MTLS-NOT-ENFORCED", report.Pass, "voip_security: SIPSecured"},
		{"internal edge requiring MTLS", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls",
			internalSection, "MTLS-NOT-REQUIRED", report.Pass, "mtls_required: true"},
		{"internal edge that only requests a certificate", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required}
			c.ApplyRole(sim.RoleMediationInternal, false)
			c.MTLS = sim.MTLSRequest
			return c
		}(), "tls", internalSection, "MTLS-NOT-REQUIRED", report.Fail, "mtls_required: true"},
		{"internal edge that takes plain RTP", func() sim.Config {
			c := sim.Config{Encryption: matrix.Optional}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls", internalSection, "UM-SRTP-MISMATCH", report.Fail, "encryption: required"},
		{"media ports outside the declared range", secured(), "tls", "media:\n  ports: 1-1000\n" + umSection("Secured"), "MEDIA-PORT-OUT-OF-RANGE", report.Warn, "ports: 1-1000"},
		{"media ports inside the declared range", secured(), "tls", "media:\n  ports: 1024-65535\n" + umSection("Secured"), "MEDIA-PORT-OUT-OF-RANGE", report.Pass, "ports: 1024-65535"},
		{"internal edge accepting TLS 1.0 where the plan wants 1.2", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required, MinTLS: tls.VersionTLS10}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls", strings.Replace(internalSection, "expect:", "expect:\n        min_tls: \"1.2\"", 1), "TLS-VERSION-WEAK", report.Fail, "min_tls:"},
		{"internal edge with TLS 1.2 and later", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required, MinTLS: tls.VersionTLS12}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls", strings.Replace(internalSection, "expect:", "expect:\n        min_tls: \"1.2\"", 1), "TLS-VERSION-WEAK", report.Pass, "min_tls:"},
		{"internal edge whose certificate lacks Client Authentication", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required, Faults: []sim.Fault{sim.FaultNoClientAuthEKU}}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls", internalSection, "TLS-CERT-EKU", report.Fail, "address:"},
		{"internal edge whose certificate has both EKUs", func() sim.Config {
			c := sim.Config{Encryption: matrix.Required}
			c.ApplyRole(sim.RoleMediationInternal, false)
			return c
		}(), "tls", internalSection, "TLS-CERT-EKU", report.Pass, "address:"},
		{"plain TCP gateway", sim.Config{Encryption: matrix.Rejected, Transports: []string{sim.TCP}}, "tcp", gatewaySection, "GW-NO-TLS", report.Fail, "transport: tcp"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host, port := startSim(t, pki, c.sim, c.transport)
			ep := fmt.Sprintf("address: %s\n      port: %d\n      transport: %s", host, port, c.transport)
			text := "voipsec_plan: 1\ntrust:\n  ca: ca.pem\n  client_certificate: probe.pem\n  client_key: probe-key.pem\n" +
				strings.Replace(c.section, "%s", ep, 1)
			file := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := Load(file)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// No media: the verdicts here come from handshakes and which offers are
			// answered; the demo test exercises media.
			fs, _ := Live(ctx, p, LiveOptions{Timeout: 2 * time.Second, MediaDuration: -1})
			var got []report.Finding
			for _, f := range fs {
				if f.Location == nil || f.Location.Line == 0 {
					t.Errorf("%s has no plan line", f.Check)
				}
				if f.Check == c.check {
					got = append(got, f)
				}
			}
			if len(got) == 0 {
				t.Fatalf("no %s finding; findings:\n%s", c.check, dump(fs))
			}
			if worst := report.Max(got); worst != c.want {
				t.Fatalf("%s is %s, want %s:\n%s", c.check, worst, c.want, dump(got))
			}
			lines := strings.Split(text, "\n")
			for _, f := range got {
				if l := f.Location.Line; l > len(lines) || !strings.Contains(lines[l-1], c.line) {
					t.Errorf("%s points at line %d, want the line with %q:\n%s", c.check, l, c.line, text)
				}
			}
		})
	}
}

func umSection(level string) string {
	return `exchange_um:
  dial_plans:
    - name: DP
      voip_security: ` + level + `
  servers:
    - fqdn: localhost
      %s
      dial_plans: [DP]
`
}

const internalSection = `mediation_servers:
  - fqdn: localhost
    internal:
      %s
      expect:
        mtls_required: true
        encryption: required
    external: {address: 127.0.0.2, port: 9, transport: tls}
`

const gatewaySection = `mediation_servers:
  - fqdn: localhost
    internal: {address: 127.0.0.1, port: 9}
    external: {address: 127.0.0.2, port: 9, transport: tls}
    gateway:
      %s
`

func dump(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s: %s (%s)\n", f.Severity, f.Check, f.Target, f.Summary, f.Detail)
	}
	return b.String()
}

// What the live check cannot decide stays undecided, against simulators:
// an edge answering every INVITE with 503 says nothing about SRTP; an
// endpoint where nothing listens is an operational error with one
// inconclusive finding; a run cut before an endpoint started leaves its
// checks inconclusive. None of them is a failure.
func TestLiveUndecided(t *testing.T) {
	if testing.Short() {
		t.Skip("live simulators")
	}
	pki, dir := simPKI(t)
	c := sim.Config{Encryption: matrix.Required, Faults: []sim.Fault{sim.FaultInvite5xx}}
	c.ApplyRole(sim.RoleMediationInternal, false)
	host, port := startSim(t, pki, c, "tls")
	closed, err := net.Listen("tcp", "127.0.0.2:0") // nothing accepts here once closed
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	text := fmt.Sprintf(`voipsec_plan: 1
trust: {ca: ca.pem, client_certificate: probe.pem, client_key: probe-key.pem}
mediation_servers:
  - fqdn: localhost
    internal:
      address: %s
      port: %d
      call_to: "+14255550199"
      expect: {mtls_required: true, encryption: required}
    external: {address: 127.0.0.2, port: %d, transport: tls}
`, host, port, closedPort)
	file := filepath.Join(dir, "undecided.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	lineOf := func(f report.Finding) string { return lines[f.Location.Line-1] }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fs, results := Live(ctx, p, LiveOptions{Timeout: 2 * time.Second, MediaDuration: -1})
	internal, external := p.MediationServers[0].Internal.Target(), p.MediationServers[0].External.Target()
	var srtp, ext []report.Finding
	for _, f := range fs {
		switch {
		case f.Target == internal && (strings.HasPrefix(f.Check, "SRTP-NOT-") || f.Check == "UM-SRTP-MISMATCH"):
			srtp = append(srtp, f)
		case f.Target == external:
			ext = append(ext, f)
		}
	}
	// 503 to every offer: the media checks are undecided (they were
	// SRTP-NOT-SUPPORTED failures), pointing at the expectation they
	// could not judge, with a hint about the server error.
	if len(srtp) == 0 {
		t.Fatalf("no SRTP finding on the internal edge:\n%s", dump(fs))
	}
	for _, f := range srtp {
		if f.Severity != report.Inconclusive || !strings.Contains(lineOf(f), "encryption: required") || !strings.Contains(f.Hint, "server error") {
			t.Errorf("%s %s at %q: %s (hint %q)", f.Severity, f.Check, lineOf(f), f.Summary, f.Hint)
		}
	}
	// Nothing listening: one inconclusive finding at the address line, and
	// the endpoint is an operational error.
	if len(ext) != 1 || ext[0].Severity != report.Inconclusive || ext[0].Check != "SIP-NO-RESPONSE" ||
		!strings.Contains(lineOf(ext[0]), "external:") || !strings.Contains(ext[0].Summary, "not probed") || ext[0].Hint == "" {
		t.Errorf("external edge:\n%s", dump(ext))
	}
	if results[1].Err == nil || !strings.Contains(results[1].Err.Error(), "refused") {
		t.Errorf("external edge error: %v", results[1].Err)
	}
	if results[0].Err != nil {
		t.Errorf("internal edge error: %v", results[0].Err)
	}

	// Cut before anything started: every live check is inconclusive.
	cut, cancelCut := context.WithCancel(context.Background())
	cancelCut()
	fs, results = Live(cut, p, LiveOptions{Timeout: 2 * time.Second, MediaDuration: -1})
	if len(fs) == 0 {
		t.Fatal("an interrupted run left no finding")
	}
	interrupted := 0
	for _, f := range fs {
		if f.Severity != report.Inconclusive {
			t.Errorf("interrupted run: %s %s on %s: %s", f.Severity, f.Check, f.Target, f.Summary)
		}
		if strings.Contains(f.Hint, "interrupted") {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Errorf("no finding of the interrupted run says so:\n%s", dump(fs))
	}
	for _, r := range results {
		if !r.NotStarted || r.Probe == nil || len(r.Probe.Options) != 0 || r.Probe.Interrupted == "" {
			t.Errorf("%s started after the run was cut: %+v", r.Endpoint.Target(), r.Probe)
			continue
		}
		for _, o := range r.Probe.Offers {
			if o.Sent {
				t.Errorf("%s: %s sent after the run was cut", r.Endpoint.Target(), o.Name)
			}
		}
	}
}

// An Exchange UM call router answers INVITE with 302 to a worker, whose
// findings the plan places on the same endpoint: each check still has one
// result there, the worse of the router's and the worker's, with the other
// in its evidence (as Combine joins static and live results).
func TestLiveRedirectOneResultPerCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("live simulators")
	}
	pki, dir := simPKI(t)
	c := sim.Config{CallRouter: true}
	c.Preset(matrix.Secured)
	host, port := startSim(t, pki, c, "tls")
	text := fmt.Sprintf(`voipsec_plan: 1
trust: {ca: ca.pem, client_certificate: probe.pem, client_key: probe-key.pem}
exchange_um:
  dial_plans:
    - {name: DP, voip_security: Secured, pilot_number: "+14255550100"}
  servers:
    - {fqdn: localhost, address: %s, port: %d, transport: tls, dial_plans: [DP]}
`, host, port)
	file := filepath.Join(dir, "router.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fs, results := Live(ctx, p, LiveOptions{Timeout: 2 * time.Second, MediaDuration: -1})
	if len(results) != 1 || results[0].Probe == nil || results[0].Probe.Redirect == nil {
		t.Fatalf("the router's 302 was not followed: %+v", results)
	}
	seen := map[string]int{}
	redirected := false
	for _, f := range fs {
		seen[f.Check+" "+f.Target]++
		if strings.Contains(f.Detail, "also ") {
			redirected = true
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%s: %d results", k, n)
		}
	}
	if !redirected {
		t.Errorf("no finding carries the other probe's result in its evidence:\n%s", dump(fs))
	}
	if n := len(results[0].Findings); n != len(fs) {
		t.Errorf("the endpoint's result has %d findings, the run %d", n, len(fs))
	}
}
