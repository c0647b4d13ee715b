package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// libraryText is what a message a person reads must not carry: a Go
// package's prefix, a dependency's own wording, a nil address.
var libraryText = regexp.MustCompile(`\b(sipcheck|tlsprobe|tlswire|srtpcheck|matrix|sim|testpki|sipgo|x509|tls|net|bind|dial (tcp|udp)|read (tcp|udp)|write (tcp|udp)): |\b(open|mkdir|stat|write) /\S*: |\blisten (tcp|udp) \S+: |<nil>|transcation|lookup \S+ on \S+|no suitable address|unexpected error`)

// closingTLS is a TCP listener that closes every connection at once: a
// port where a TLS handshake is refused. It stops with the test.
func closingTLS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// Every error a person can get from probe, check, simulate, demo and
// roles, in words: what
// voipsec tried, on what, and what to do. Each case runs like a user
// would, and the message on stderr (and the JSON error object with
// --format json) names the input, says something useful and carries no
// library text.
func TestUserVisibleErrors(t *testing.T) {
	dir := t.TempDir()
	_, files := probePKI(t)
	_, other := probePKI(t)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refusedTLS := closingTLS(t)
	// Ports a simulator cannot listen on: something else holds them.
	heldUDP, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer heldUDP.Close()
	heldTCP, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer heldTCP.Close()
	udpPort := fmt.Sprint(heldUDP.LocalAddr().(*net.UDPAddr).Port)
	tcpPort := fmt.Sprint(heldTCP.Addr().(*net.TCPAddr).Port)
	cases := []struct {
		name string
		args []string
		code int
		want []string // on stderr, in order of appearance
	}{
		{"unresolvable name", []string{"probe", "--step-timeout", "2s", "med01.onion"}, exitError,
			[]string{"voipsec probe: error: udp://med01.onion:5060: DNS lookup of med01.onion: the name does not resolve\n", "hint: check the name"}},
		{"refused TCP port", []string{"probe", "--step-timeout", "2s", "sip:127.0.0.1:1;transport=tcp"}, exitError,
			[]string{"voipsec probe: error: tcp://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: TCP connection refused\n", "hint: check the address, port and transport"}},
		{"refused TLS port", []string{"probe", "--step-timeout", "2s", "tls://127.0.0.1:1"}, exitError,
			[]string{"voipsec probe: error: tls://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: TLS connection refused\n", "hint: check the address"}},
		{"bad port", []string{"probe", "host:99999"}, exitError,
			[]string{`voipsec probe: error: bad target "host:99999": invalid port "99999" (1-65535)` + "\n", "hint: targets are host:port"}},
		{"bad transport", []string{"probe", "sip:host;transport=sctp"}, exitError,
			[]string{`voipsec probe: error: bad target "sip:host;transport=sctp": unknown transport "sctp" (accepted: udp, tcp, tls)` + "\n"}},
		{"bad URI", []string{"probe", "sip:"}, exitError, []string{`voipsec probe: error: bad target "sip:": no host` + "\n"}},
		{"bad --internal", []string{"probe", "--internal", "med01:0", "--external", "med01:5060"}, exitError,
			[]string{`voipsec probe: error: --internal: bad target "med01:0": invalid port "0" (1-65535)` + "\n"}},
		{"bad number to call", []string{"probe", "--to", "sip:@contoso.com", "host"}, exitError, []string{`voipsec probe: error: --to: bad number to call "sip:@contoso.com": `}},
		{"unwritable -o", []string{"probe", "-o", "/nonexistent/dir/x.json", "127.0.0.1:5060"}, exitError,
			[]string{"voipsec probe: error: --output /nonexistent/dir/x.json: folder /nonexistent/dir does not exist\n", "hint: name a file in a folder that exists"}},
		{"missing --cert", []string{"probe", "--cert", filepath.Join(dir, "probe.pem"), "--key", files.ClientKey, "tls://host:5061"}, exitError,
			[]string{"voipsec probe: error: --cert " + filepath.Join(dir, "probe.pem") + ": file not found\n"}},
		{"--cert not PEM", []string{"probe", "--cert", junk, "--key", files.ClientKey, "tls://host:5061"}, exitError,
			[]string{"voipsec probe: error: --cert " + junk + ": no PEM certificate in it\n", "hint: give PEM files"}},
		{"--key of another certificate", []string{"probe", "--cert", files.ClientCert, "--key", other.ClientKey, "tls://host:5061"}, exitError,
			[]string{"voipsec probe: error: --cert " + files.ClientCert + " and --key " + other.ClientKey + " do not make a pair: ", "hint: give the certificate and the private key issued with it"}},
		{"missing --ca", []string{"probe", "--ca", filepath.Join(dir, "ca.pem"), "tls://host:5061"}, exitError,
			[]string{"voipsec probe: error: --ca " + filepath.Join(dir, "ca.pem") + ": file not found\n"}},
		{"--ca not PEM", []string{"probe", "--ca", junk, "tls://host:5061"}, exitError,
			[]string{"voipsec probe: error: --ca " + junk + ": no PEM certificate in it\n"}},
		// A port that refuses the TLS handshake is a finding about the edge,
		// in words, not an error.
		{"TLS handshake refused", []string{"probe", "--tls-only", "--role", "gateway", "--step-timeout", "2s", "--no-color", "tls://" + refusedTLS}, exitFindings, nil},
		{"missing plan", []string{"check", filepath.Join(dir, "plan.yaml")}, exitError,
			[]string{"voipsec check: error: " + filepath.Join(dir, "plan.yaml") + ": file not found\n"}},
		{"check unwritable -o", []string{"check", "-o", "/nonexistent/dir/r.xml", "plan.yaml"}, exitError,
			[]string{"voipsec check: error: --output /nonexistent/dir/r.xml: folder /nonexistent/dir does not exist\n"}},
		{"simulate UDP port in use", []string{"simulate", "--transports", "udp", "--sip-port", udpPort, "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --sip-port " + udpPort + ": cannot listen on UDP 127.0.0.1:" + udpPort + ": the port is in use\n",
				"hint: stop what holds the port, or give another --sip-port (0: any free port)"}},
		{"simulate TLS port in use", []string{"simulate", "--transports", "tls", "--tls-port", tcpPort, "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --tls-port " + tcpPort + ": cannot listen on TLS 127.0.0.1:" + tcpPort + ": the port is in use\n"}},
		{"simulate --cert not PEM", []string{"simulate", "--cert", junk, "--key", files.ClientKey, "--sip-port", "0", "--tls-port", "0", "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --cert " + junk + ": no PEM certificate in it\n", "hint: give PEM files"}},
		{"simulate --key of another certificate", []string{"simulate", "--cert", files.ClientCert, "--key", other.ClientKey, "--sip-port", "0", "--tls-port", "0", "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --cert " + files.ClientCert + " and --key " + other.ClientKey + " do not make a pair: "}},
		{"simulate missing --client-ca", []string{"simulate", "--mtls", "require", "--client-ca", filepath.Join(dir, "ca.pem"), "--sip-port", "0", "--tls-port", "0", "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --client-ca " + filepath.Join(dir, "ca.pem") + ": file not found\n"}},
		{"simulate unwritable --gen-certs", []string{"simulate", "--gen-certs", "/proc/nope", "--sip-port", "0", "--tls-port", "0", "--duration", "100ms"}, exitError,
			[]string{"voipsec simulate: error: --gen-certs /proc/nope: cannot create files in /proc: "}},
		{"demo unwritable --write-plan", []string{"demo", "--write-plan", "/proc/x"}, exitError,
			[]string{"voipsec demo: error: --write-plan /proc/x: cannot create files in /proc: "}},
		{"roles missing plan", []string{"roles", filepath.Join(dir, "plan.yaml")}, exitError,
			[]string{"voipsec roles: error: " + filepath.Join(dir, "plan.yaml") + ": file not found\n"}},
		{"roles unwritable -o", []string{"roles", "--tasks", "-o", "/nonexistent/dir/tasks.txt"}, exitError,
			[]string{"voipsec roles: error: --output /nonexistent/dir/tasks.txt: folder /nonexistent/dir does not exist\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			out, errOut, code := runVoipsec(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			if libraryText.MatchString(errOut + out) {
				t.Errorf("library text %q in\n%s%s", libraryText.FindString(errOut+out), errOut, out)
			}
			rest := errOut
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr lacks %q:\n%s", w, errOut)
				}
				rest = rest[i+len(w):]
			}
			if c.code == exitError && strings.Contains(c.name, "unwritable") && time.Since(start) > 5*time.Second {
				t.Errorf("-o refused only after %v: it is checked before any work", time.Since(start))
			}
			if c.code != exitError || slices.Contains(c.args, "-o") {
				return // with -o, stdout carries no JSON: the report was to go to the file
			}
			if c.args[0] == "simulate" || slices.Contains(c.args, "--write-plan") {
				return // no report, so no --format
			}
			// The same error as the documented JSON object on stdout.
			out, _, code = runVoipsec(t, append(c.args, "--format", "json")...)
			var doc struct{ Schema, Command, Verdict, Error, Hint string }
			if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitError {
				t.Fatalf("--format json: exit %d, stdout %q: %v", code, out, err)
			}
			if doc.Verdict != "error" || !strings.Contains(errOut, "error: "+doc.Error+"\n") || libraryText.MatchString(doc.Error+doc.Hint) {
				t.Errorf("JSON error object %+v for stderr\n%s", doc, errOut)
			}
		})
	}
}

// The handshake a port refuses is a finding in words, with the target
// named; the facts in JSON say it in the same words.
func TestTLSHandshakeRefusedInWords(t *testing.T) {
	target := "tls://" + closingTLS(t)
	out, _, code := runVoipsec(t, "probe", "--tls-only", "--role", "gateway", "--step-timeout", "2s", "--no-color", target)
	row := regexp.MustCompile(`\n  FAIL +TLS-HANDSHAKE-FAILED +TLS handshake completes\n +TLS handshake failed\n +handshake without a client certificate: server closed the connection without an alert\n`)
	if code != exitFindings || !row.MatchString(sectionsOf(out)[target]) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	out, _, _ = runVoipsec(t, "probe", "--tls-only", "--role", "gateway", "--step-timeout", "2s", "--format", "json", target)
	var doc probeJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Data struct {
			Probe struct {
				Targets []struct {
					TLS struct{ Error string } `json:"tls"`
				} `json:"targets"`
			} `json:"probe"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if tg := raw.Data.Probe.Targets; len(tg) != 1 || libraryText.MatchString(tg[0].TLS.Error) || !strings.Contains(tg[0].TLS.Error, strings.TrimPrefix(target, "tls://")) {
		t.Errorf("data.probe.targets[].tls.error: %+v", tg)
	}
}

// A plan endpoint that cannot be probed is its own row and its own entry
// in data.errors, in words, at its plan line. When no endpoint could be
// probed at all, the report is still written and the run ends as probe's
// does: an operational error (2), each endpoint's error on stderr; but a
// static check that fails still makes it 1.
func TestCheckUnreachableInWords(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	plan := `voipsec_plan: 1
exchange_um:
  dial_plans:
    - {name: DP, voip_security: SIPSecured}
  servers:
    - {fqdn: um01.onion, address: um01.onion, port: 5061, transport: tls, dial_plans: [DP]}
    - {fqdn: um02, address: 127.0.0.1, port: 1, transport: tcp, dial_plans: [DP]}
`
	if err := os.WriteFile("plan.yaml", []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "check", "--step-timeout", "2s", "--no-color", "plan.yaml")
	if code != exitError || !strings.HasPrefix(out, "voipsec check: INCONCLUSIVE: ") {
		t.Fatalf("exit %d, want 2 after the report, stderr %q\n%s", code, errOut, out)
	}
	wantErr := "voipsec check: error: UM um01.onion tls://um01.onion:5061: DNS lookup of um01.onion: the name does not resolve\n" +
		"voipsec: hint: check the name, or give the IP address; the probing host must resolve it as the servers do\n" +
		"voipsec check: error: UM um02 tcp://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: TCP connection refused\n" +
		"voipsec: hint: check the address, port and transport, and that a firewall lets the probing host connect\n" +
		"voipsec check: error: none of the 2 endpoints could be probed\n"
	if errOut != wantErr {
		t.Errorf("stderr\n%s\nwant\n%s", errOut, wantErr)
	}
	for _, want := range []string{
		"not probed: DNS lookup of um01.onion: the name does not resolve\n",
		"not probed: nothing accepts SIP at 127.0.0.1:1: TCP connection refused\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if libraryText.MatchString(out) {
		t.Errorf("library text %q in\n%s", libraryText.FindString(out), out)
	}
	out, _, _ = runVoipsec(t, "check", "--step-timeout", "2s", "--format", "json", "plan.yaml")
	var doc struct {
		Data struct {
			Errors []struct {
				Target, Status, Error, Hint string
				Location                    *struct{ Line int }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data.Errors) != 2 {
		t.Fatalf("data.errors: %+v", doc.Data.Errors)
	}
	for _, e := range doc.Data.Errors {
		if libraryText.MatchString(e.Error) || e.Hint == "" || e.Location == nil || e.Location.Line == 0 {
			t.Errorf("data.errors entry %+v", e)
		}
	}

	// One endpoint: its error is the line the run ends with, as probe's.
	one := "voipsec_plan: 1\nexchange_um:\n  dial_plans:\n    - {name: DP, voip_security: %s}\n  servers:\n" +
		"    - {fqdn: um02, address: 127.0.0.1, port: 1, transport: tcp, dial_plans: [DP]}\n"
	if err := os.WriteFile("one.yaml", []byte(fmt.Sprintf(one, "SIPSecured")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runVoipsec(t, "check", "--step-timeout", "2s", "--no-color", "one.yaml")
	want := "voipsec check: error: UM um02 tcp://127.0.0.1:1: nothing accepts SIP at 127.0.0.1:1: TCP connection refused\nvoipsec: hint: check the address"
	if code != exitError || !strings.HasPrefix(errOut, want) || !strings.Contains(out, "not probed: ") {
		t.Errorf("one endpoint: exit %d, stderr %q, want 2 and %q\n%s", code, errOut, want, out)
	}
	// A static failure (an Unsecured dial plan) decides the run: 1.
	if err := os.WriteFile("one.yaml", []byte(fmt.Sprintf(one, "Unsecured")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runVoipsec(t, "check", "--step-timeout", "2s", "--no-color", "one.yaml")
	if code != exitFindings || errOut != "" || !strings.Contains(out, "UM-VOIPSEC-UNSECURED") {
		t.Errorf("static failure: exit %d, stderr %q, want 1\n%s", code, errOut, out)
	}
}
