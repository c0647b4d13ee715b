package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/sipcheck"
)

// TestSimulateGenCerts runs the simulator briefly on ephemeral ports and
// checks what it prints and the certificates it writes.
func TestSimulateGenCerts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	out, errOut, code := runVoipsec(t, "simulate", "--sip-port", "0", "--tls-port", "0", "--gen-certs", dir,
		"--encryption", "required", "--mtls", "require", "--duration", "300ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"encryption required, MTLS require", "listening  udp://", "listening  tcp://", "listening  tls://",
		"server certificate sha-256", "CA certificate", "certificates written to " + dir, "stopped: 0 calls;",
		"--ca " + filepath.Join(dir, "ca.pem") + " --cert " + filepath.Join(dir, "probe.pem") + " --key " + filepath.Join(dir, "probe-key.pem")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`listening  udp://127\.0\.0\.1:[1-9][0-9]*\n`).MatchString(out) {
		t.Errorf("no ephemeral UDP port printed:\n%s", out)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.pem")
	}
	for _, p := range [][2]string{{"server.pem", "server-key.pem"}, {"probe.pem", "probe-key.pem"}} {
		c, err := tls.LoadX509KeyPair(filepath.Join(dir, p[0]), filepath.Join(dir, p[1]))
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(c.Certificate[0])
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Fatalf("%s: %v", p[0], err)
		}
	}
}

// --gen-certs overwrites nothing, and a folder it cannot write is refused
// before any listener starts (stdout, which lists the listeners, stays
// empty), like demo --write-plan.
func TestSimulateGenCertsRefusedFirst(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"simulate", "--sip-port", "0", "--tls-port", "0", "--duration", "100ms", "--gen-certs"}
	out, errOut, code := runVoipsec(t, append(args, dir)...)
	if code != exitError || out != "" || !strings.Contains(errOut, "voipsec simulate: error: --gen-certs "+dir+": "+ca+" exists\n") ||
		!strings.Contains(errOut, "hint: name a new or empty folder: nothing is overwritten") {
		t.Errorf("existing ca.pem: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(ca); string(b) != "keep" {
		t.Errorf("ca.pem was overwritten: %q", b)
	}
	notDir := filepath.Join(ca, "pki")
	out, errOut, code = runVoipsec(t, append(args, notDir)...)
	if code != exitError || out != "" || !strings.Contains(errOut, "--gen-certs "+notDir+": "+ca+" is not a folder") {
		t.Errorf("under a file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		out, errOut, code = runVoipsec(t, append(args, filepath.Join(ro, "pki"))...)
		if code != exitError || out != "" || !strings.Contains(errOut, "cannot create files in "+ro+": permission denied") {
			t.Errorf("read-only folder: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	}
}

// TestSimulateAnswersOptions starts the command and sends it a real SIP
// OPTIONS over UDP while it runs.
func TestSimulateAnswersOptions(t *testing.T) {
	port := freeUDPPort(t)
	done := make(chan string, 1)
	go func() {
		out, errOut, code := runVoipsec(t, "simulate", "--sip-port", fmt.Sprint(port), "--transports", "udp",
			"--role", "mediation-gateway", "--duration", "2s")
		done <- fmt.Sprintf("%d %s %s", code, out, errOut)
	}()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	var got string
	buf := make([]byte, 4096)
	for i := 0; i < 15 && got == ""; i++ {
		msg := "OPTIONS sip:med@127.0.0.1:" + fmt.Sprint(port) + " SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-sim-" + fmt.Sprint(i) + "\r\n" +
			"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:med@127.0.0.1>\r\n" +
			"Call-ID: simtest-" + fmt.Sprint(i) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		_, _ = conn.WriteTo([]byte(msg), dst)
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, _, err := conn.ReadFrom(buf); err == nil {
			got = string(buf[:n])
		}
	}
	if !strings.HasPrefix(got, "SIP/2.0 200") || !strings.Contains(got, "Server: voipsec-sim (mediation-gateway)") {
		t.Fatalf("response %q", got)
	}
	select {
	case r := <-done:
		if !strings.HasPrefix(r, "0 ") {
			t.Fatal(r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("simulate did not stop after --duration")
	}
}

// TestSimulatePresetsAndRoles: --voip-security and --role set transports,
// MTLS and encryption; explicit flags override a role's defaults (a preset
// refuses flags that contradict it: TestSimulateConflictingFlags).
func TestSimulatePresetsAndRoles(t *testing.T) {
	cases := []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"--voip-security", "Secured", "--tls-port", "0"}, []string{"encryption required, MTLS require", "listening  tls://"}, []string{"udp://", "tcp://"}},
		{[]string{"--voip-security", "SIPSecured", "--tls-port", "0"}, []string{"encryption rejected, MTLS require", "listening  tls://"}, []string{"udp://"}},
		{[]string{"--voip-security", "Unsecured", "--sip-port", "0"}, []string{"encryption rejected, MTLS none", "listening  udp://", "listening  tcp://"}, []string{"tls://"}},
		{[]string{"--voip-security", "Secured", "--tls-port", "0", "--mtls", "require", "--encryption", "RequireEncryption"}, []string{"encryption required, MTLS require"}, nil},
		{[]string{"--role", "mediation-internal", "--tls-port", "0"}, []string{"role mediation-internal", "MTLS require", "listening  tls://"}, []string{"udp://"}},
		{[]string{"--role", "mediation-gateway", "--sip-port", "0", "--tls-port", "0", "--mtls", "request", "--encryption", "required"}, []string{"encryption required, MTLS request"}, nil},
		{[]string{"--sip-port", "0", "--tls-port", "0", "--fault", "tls-any-client-cert"}, []string{"MTLS require, faults: tls-any-client-cert"}, nil},
		{[]string{"--call-router", "--transports", "tcp", "--sip-port", "0"}, []string{"listening  tcp://", "worker     tcp://"}, []string{"tls://"}},
		{[]string{"--sip-port", "0", "--tls-port", "0", "--fault", "no-media", "--fault", "wrong-srtp-key"}, []string{"faults: no-media, wrong-srtp-key"}, nil},
	}
	for _, c := range cases {
		args := append([]string{"simulate", "--duration", "100ms"}, c.args...)
		out, errOut, code := runVoipsec(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%v: output has %q:\n%s", c.args, w, out)
			}
		}
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 10; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		p := u.LocalAddr().(*net.UDPAddr).Port
		u.Close()
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}

func TestSimulateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--role", "pbx"},
		{"--encryption", "maybe"},
		{"--mtls", "sometimes"},
		{"--fault", "explode"},
		{"--sip-port", "70000"},
		{"--tls-min", "2.0"},
		{"--ciphers", "TLS_FOO"},
		{"--cert", "x.pem"},
		{"--transports", "sctp"},
		{"--voip-security", "Insecure"},
		{"extra"},
	} {
		_, errOut, code := runVoipsec(t, append([]string{"simulate"}, args...)...)
		if code != 2 || !strings.HasPrefix(errOut, "voipsec simulate: error: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	out, _, code := runVoipsec(t, "help", "simulate")
	if code != 0 || !strings.Contains(out, "--fault") || !strings.Contains(out, "wrong-srtp-key") {
		t.Fatalf("help: %d %s", code, out)
	}
}

// TestSimulateCertFromFiles serves a certificate and key given as files
// and prints its fingerprint.
func TestSimulateCertFromFiles(t *testing.T) {
	p := testpki.NewT(t)
	dir := t.TempDir()
	files, err := p.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "simulate", "--transports", "tls", "--tls-port", "0", "--cert", files.ServerCert,
		"--key", files.ServerKey, "--client-ca", files.CA, "--mtls", "require", "--duration", "100ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "server certificate sha-256 " + testpki.Fingerprint(p.Server.Certificate[0]); !strings.Contains(out, want) {
		t.Fatalf("output lacks %q:\n%s", want, out)
	}
	_, errOut, code = runVoipsec(t, "simulate", "--transports", "tls", "--tls-port", "0", "--cert", files.ServerCert,
		"--key", filepath.Join(dir, "missing.pem"), "--duration", "100ms")
	if code != 2 || !strings.Contains(errOut, "--key "+filepath.Join(dir, "missing.pem")+": file not found") {
		t.Fatalf("missing key: exit %d %q", code, errOut)
	}
	// A key file that holds no key: crypto/tls's message names no file, ours must.
	_, errOut, code = runVoipsec(t, "simulate", "--transports", "tls", "--tls-port", "0", "--cert", files.ServerCert,
		"--key", files.CA, "--duration", "100ms")
	if code != 2 || !strings.Contains(errOut, "--key "+files.CA+": no PEM private key in it") || libraryText.MatchString(errOut) {
		t.Fatalf("key file without a key: exit %d %q", code, errOut)
	}
}

// Flags that contradict each other or the preset, or that would change
// nothing on the server asked for, are refused before anything listens:
// exit 2, and the message names both inputs.
func TestSimulateConflictingFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // each must be in the error line
	}{
		{[]string{"--voip-security", "Secured", "--sip-port", "5070"}, []string{"--voip-security Secured", "--sip-port 5070", "TLS only"}},
		{[]string{"--voip-security", "Secured", "--encryption", "rejected"}, []string{"--voip-security Secured", "--encryption rejected"}},
		{[]string{"--voip-security", "SIPSecured", "--mtls", "none"}, []string{"--voip-security SIPSecured", "--mtls none"}},
		{[]string{"--voip-security", "Secured", "--transports", "udp,tls"}, []string{"--voip-security Secured", "--transports udp,tls"}},
		{[]string{"--voip-security", "Unsecured", "--tls-port", "5061"}, []string{"--voip-security Unsecured", "--tls-port 5061", "serves no TLS"}},
		{[]string{"--voip-security", "Unsecured", "--role", "mediation-internal"}, []string{"--voip-security Unsecured", "--role mediation-internal"}},
		{[]string{"--tls-min", "1.3", "--tls-max", "1.2"}, []string{"--tls-min 1.3", "--tls-max 1.2"}},
		{[]string{"--mtls", "require", "--transports", "udp"}, []string{"--transports udp", "--mtls require"}},
		{[]string{"--transports", "udp,tcp", "--cert", "a.pem", "--key", "b.pem"}, []string{"--transports udp,tcp", "--cert a.pem"}},
		{[]string{"--transports", "tcp", "--fault", "expired-cert"}, []string{"--transports tcp", "--fault expired-cert"}},
		{[]string{"--transports", "tls", "--sip-port", "5060"}, []string{"--transports tls", "--sip-port 5060"}},
		{[]string{"--sip-port", "5070", "--tls-port", "5070"}, []string{"--sip-port 5070", "--tls-port 5070"}},
		{[]string{"--ciphers", "TLS_RSA_WITH_AES_128_CBC_SHA", "--tls-min", "1.3"}, []string{"--ciphers TLS_RSA_WITH_AES_128_CBC_SHA", "--tls-min 1.3"}},
		{[]string{"--role", "mediation-internal", "--transports", "tcp"}, []string{"--role mediation-internal", "--transports tcp"}},
		{[]string{"--role", "mediation-internal", "--mtls", "request"}, []string{"--role mediation-internal", "--mtls request"}},
		{[]string{"--worker-port", "5065"}, []string{"--worker-port", "--call-router"}},
		{[]string{"--slow-answer", "5s"}, []string{"--slow-answer", "--fault slow-answer"}},
		{[]string{"--client-ca", "ca.pem", "--mtls", "none"}, []string{"--client-ca ca.pem", "--mtls none"}},
		{[]string{"--gen-certs", "pki", "--cert", "a.pem", "--key", "b.pem"}, []string{"--gen-certs pki", "--cert a.pem"}},
		{[]string{"--mtls", "none", "--fault", "tls-any-client-cert"}, []string{"--mtls none", "--fault tls-any-client-cert"}},
		{[]string{"--listen", "localhost"}, []string{`--listen: "localhost" is not an IP address`}},
		{[]string{"--max-calls", "0"}, []string{"--max-calls: 0"}},
		{[]string{"--ack-timeout", "0s"}, []string{"--ack-timeout: 0s"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"simulate", "--duration", "1ms"}, tc.args...)
			out, errOut, code := runVoipsec(t, args...)
			if code != exitError || out != "" {
				t.Fatalf("exit %d, stdout %q (a server started?)", code, out)
			}
			line := strings.SplitN(errOut, "\n", 2)[0]
			if !strings.HasPrefix(line, "voipsec simulate: error: ") {
				t.Fatalf("stderr %q", errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("error line %q does not name %q", line, w)
				}
			}
		})
	}
}

// The simulator prints its listeners as targets that probe and check take
// as they are, transport included (no UDP-then-TCP fallback to wait for),
// on IPv4 and IPv6.
func TestSimulatePrintsTargets(t *testing.T) {
	for _, listen := range []string{"127.0.0.1", "::1"} {
		out, errOut, code := runVoipsec(t, "simulate", "--listen", listen, "--sip-port", "0", "--tls-port", "0", "--call-router", "--duration", "100ms")
		if code != 0 {
			if listen == "::1" && strings.Contains(errOut, "cannot assign") {
				t.Skip("no IPv6 loopback")
			}
			t.Fatalf("exit %d: %s", code, errOut)
		}
		lines := regexp.MustCompile(`(?m)^  (?:listening|worker) +(\S+)$`).FindAllStringSubmatch(out, -1)
		if len(lines) != 6 {
			t.Fatalf("%d listener lines, want 6:\n%s", len(lines), out)
		}
		for _, l := range lines {
			tg, err := sipcheck.ParseTarget(l[1])
			if err != nil || !tg.Explicit || !strings.HasPrefix(l[1], tg.Transport+"://") || tg.Host != listen || tg.Port == 0 {
				t.Errorf("%q does not paste back as a target: %+v %v", l[1], tg, err)
			}
		}
	}
}
