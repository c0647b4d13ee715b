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
	for _, want := range []string{"encryption required, MTLS require", "listening udp", "listening tcp", "listening tls",
		"server certificate sha-256", "CA certificate", "certificates written to " + dir, "stopped: 0 calls"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`listening udp\s+127\.0\.0\.1:[1-9][0-9]*`).MatchString(out) {
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
	for _, p := range [][2]string{{"server.pem", "server-key.pem"}, {"client.pem", "client-key.pem"}} {
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
// MTLS and encryption; explicit flags override them.
func TestSimulatePresetsAndRoles(t *testing.T) {
	cases := []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"--voip-security", "Secured"}, []string{"encryption required, MTLS require", "listening tls"}, []string{"listening udp", "listening tcp"}},
		{[]string{"--voip-security", "SIPSecured"}, []string{"encryption rejected, MTLS require", "listening tls"}, []string{"listening udp"}},
		{[]string{"--voip-security", "Unsecured"}, []string{"encryption rejected, MTLS none", "listening udp", "listening tcp"}, []string{"listening tls"}},
		{[]string{"--voip-security", "Secured", "--mtls", "request"}, []string{"MTLS request"}, nil},
		{[]string{"--role", "mediation-internal"}, []string{"role mediation-internal", "MTLS require", "listening tls"}, []string{"listening udp"}},
		{[]string{"--call-router", "--transports", "tcp"}, []string{"listening tcp", "listening worker tcp"}, []string{"listening tls"}},
		{[]string{"--fault", "no-media", "--fault", "wrong-srtp-key"}, []string{"faults: no-media, wrong-srtp-key"}, nil},
	}
	for _, c := range cases {
		args := append([]string{"simulate", "--sip-port", "0", "--tls-port", "0", "--duration", "100ms"}, c.args...)
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
	if code != 2 || !strings.Contains(errOut, "--cert/--key") {
		t.Fatalf("missing key: exit %d %q", code, errOut)
	}
	// A key file that holds no key: crypto/tls's message names no file, ours must.
	_, errOut, code = runVoipsec(t, "simulate", "--transports", "tls", "--tls-port", "0", "--cert", files.ServerCert,
		"--key", files.CA, "--duration", "100ms")
	if code != 2 || !strings.Contains(errOut, "--cert/--key") || !strings.Contains(errOut, files.CA) {
		t.Fatalf("key file without a key: exit %d %q", code, errOut)
	}
}
