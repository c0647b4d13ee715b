//go:build unix

package tlsprobe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/report"
)

// interopBinary returns the path of an interop peer: a skip without it, a
// failure under VOIPSEC_INTEROP=1 (CI).
func interopBinary(t *testing.T, name string, paths ...string) string {
	t.Helper()
	return interop.Binary(t, name, paths...)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a poller.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startKamailio writes the config from testdata/kamailio, with tlsTemplate
// (tls.cfg, tls10.cfg) as its TLS domains, and runs Kamailio in the
// foreground on addr; Cleanup stops it by PID.
func startKamailio(t *testing.T, bin, dir, addr, tlsTemplate string, repl map[string]string) {
	t.Helper()
	render := func(src, dst string, r map[string]string) {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "kamailio", src))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for k, v := range r {
			s = strings.ReplaceAll(s, k, v)
		}
		if err := os.WriteFile(dst, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tlsCfg, cfg := filepath.Join(dir, "tls.cfg"), filepath.Join(dir, "kamailio.cfg")
	render(tlsTemplate, tlsCfg, repl)
	mpath := "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	if out, err := exec.Command(bin, "-h").CombinedOutput(); err == nil {
		if m := regexp.MustCompile(`default: (\S+/modules)\)`).FindSubmatch(out); m != nil {
			mpath = string(m[1]) + "/"
		}
	}
	render("kamailio.cfg", cfg, map[string]string{"@LISTEN@": addr, "@TLSCFG@": tlsCfg, "@MPATH@": mpath})
	var log syncBuffer
	cmd := exec.Command(bin, "-f", cfg, "-DD", "-E", "-m", "32", "-M", "8", "-Y", dir, "-w", dir)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its own process group
			<-done
		}
		if t.Failed() {
			t.Logf("kamailio log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("kamailio exited:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("kamailio not listening on %s after 10s:\n%s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// opensslVerdict is what `openssl s_client` saw.
type opensslVerdict struct {
	requested bool   // "Acceptable client certificate CA names" printed
	accepted  bool   // a SIP response came back over the connection
	alert     string // alert text, if any
	verify    int    // Verify return code
	out       string
}

// sClient runs openssl s_client, sends an OPTIONS and waits for a SIP
// response or an alert (bounded to 8 s).
func sClient(t *testing.T, bin, addr, ca, cert, key string) opensslVerdict {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	defer cancel()
	args := []string{"s_client", "-connect", addr, "-servername", "localhost", "-CAfile", ca, "-ign_eof"}
	if cert != "" {
		args = append(args, "-cert", cert, "-key", key)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	fmt.Fprintf(stdin, "OPTIONS sip:localhost:%s;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKossl%d\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:openssl@127.0.0.1>;tag=ossl\r\nTo: <sip:localhost:%s>\r\nCall-ID: ossl%d@voipsec\r\n"+
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", port, time.Now().UnixNano(), port, time.Now().UnixNano())
	end := time.Now().Add(5 * time.Second)
	for time.Now().Before(end) {
		s := out.String()
		if strings.Contains(s, "SIP/2.0 ") || strings.Contains(s, "alert") || strings.Contains(s, "errno") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	_ = stdin.Close()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	s := out.String()
	v := opensslVerdict{out: s, verify: -1,
		requested: strings.Contains(s, "Acceptable client certificate CA names"),
		accepted:  regexp.MustCompile(`SIP/2\.0 [1-6]\d\d `).MatchString(s)}
	if m := regexp.MustCompile(`alert ([a-z ]+)`).FindStringSubmatch(s); m != nil {
		v.alert = strings.TrimSpace(m[1])
	}
	if m := regexp.MustCompile(`Verify return code: (\d+)`).FindStringSubmatch(s); m != nil {
		fmt.Sscan(m[1], &v.verify)
	}
	return v
}

// sClientVersion reports whether openssl s_client completes a handshake
// with only the version flag enabled (security level 0 so that the client
// itself does not refuse TLS 1.0/1.1).
func sClientVersion(t *testing.T, bin, addr, flag string, files testpki.Files) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	args := []string{"s_client", "-connect", addr, "-servername", "localhost", "-CAfile", files.CA,
		"-cert", files.ClientCert, "-key", files.ClientKey, flag}
	if flag != "-tls1_3" {
		args = append(args, "-cipher", "DEFAULT@SECLEVEL=0")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	return regexp.MustCompile(`(?m)^New, TLSv1\.[0-3], Cipher is [A-Z]`).Match(out)
}

func status(fs []report.Finding, id string) (report.Severity, bool) {
	for _, f := range fs {
		if f.Check == id {
			return f.Severity, true
		}
	}
	return 0, false
}

// peerPKI is a PKI valid for 400 days with its files written for a peer.
func peerPKI(t *testing.T) (*testpki.PKI, testpki.Files) {
	t.Helper()
	p := longPKI(t)
	files, err := p.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p, files
}

// TestKamailioInterop runs a real Kamailio with TLS (1) requiring and
// verifying client certificates, (2) without client certificates, (3) with an
// expired server certificate, and checks that voipsec's verdicts agree with
// openssl s_client's on each.
func TestKamailioInterop(t *testing.T) {
	kam := interopBinary(t, "kamailio", "/usr/sbin/kamailio")
	ossl := interopBinary(t, "openssl", "/usr/bin/openssl")
	p, files := peerPKI(t)
	dir := files.Dir
	expired, err := p.Expired()
	if err != nil {
		t.Fatal(err)
	}
	expCert, expKey := filepath.Join(dir, "expired.pem"), filepath.Join(dir, "expired-key.pem")
	if err := testpki.WritePair(expCert, expKey, expired); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []struct {
		name            string
		method          string
		verify, require string
		cert, key       string
		requested       bool // server sends CertificateRequest
		noCertAccepted  bool
		expired         bool
	}{
		{"mtls", "TLSv1.2+", "yes", "yes", files.ServerCert, files.ServerKey, true, false, false},
		// TLS 1.2 only: the rejection comes during the handshake, not after.
		{"mtls tls1.2", "TLSv1.2", "yes", "yes", files.ServerCert, files.ServerKey, true, false, false},
		{"no client certs", "TLSv1.2+", "no", "no", files.ServerCert, files.ServerKey, false, true, false},
		{"expired server cert", "TLSv1.2+", "yes", "yes", expCert, expKey, true, false, true},
	} {
		t.Run(strings.ReplaceAll(sc.name, " ", "-"), func(t *testing.T) {
			sdir := t.TempDir()
			addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
			startKamailio(t, kam, sdir, addr, "tls.cfg", map[string]string{
				"@METHOD@": sc.method, "@VERIFY@": sc.verify, "@REQUIRE@": sc.require,
				"@CERT@": sc.cert, "@KEY@": sc.key, "@CA@": files.CA,
			})
			res := Probe(t.Context(), addr, Config{ServerName: "localhost", ClientCert: &p.Client, RootCAs: p.CAPool,
				Enumerate: strings.HasPrefix(sc.name, "mtls"), Timeout: 5 * time.Second})
			fs := Judge(res, mtlsEdge())
			withCert := sClient(t, ossl, addr, files.CA, files.ClientCert, files.ClientKey)
			noCert := sClient(t, ossl, addr, files.CA, "", "")
			t.Logf("openssl with cert: requested=%v accepted=%v alert=%q verify=%d", withCert.requested, withCert.accepted, withCert.alert, withCert.verify)
			t.Logf("openssl without cert: requested=%v accepted=%v alert=%q", noCert.requested, noCert.accepted, noCert.alert)
			defer func() {
				if t.Failed() {
					dump(t, fs)
					t.Logf("openssl (no cert) output:\n%s", noCert.out)
				}
			}()

			// openssl agrees with the scenario ...
			if withCert.requested != sc.requested || noCert.accepted != sc.noCertAccepted || !withCert.accepted {
				t.Fatalf("openssl: requested=%v noCertAccepted=%v withCertAccepted=%v; scenario wants %v %v true",
					withCert.requested, noCert.accepted, withCert.accepted, sc.requested, sc.noCertAccepted)
			}
			if (withCert.verify == 10) != sc.expired {
				t.Fatalf("openssl verify code %d, expired=%v", withCert.verify, sc.expired)
			}
			// ... and voipsec agrees with openssl.
			m := res.MTLS
			if m == nil || m.CertificateRequested != withCert.requested {
				t.Errorf("voipsec certificate_requested %+v, openssl %v", m, withCert.requested)
			} else {
				if m.AcceptedWithoutClientCert == nil || *m.AcceptedWithoutClientCert != noCert.accepted {
					t.Errorf("voipsec accepted_without_client_cert %v, openssl %v", m.AcceptedWithoutClientCert, noCert.accepted)
				}
				switch {
				case !withCert.requested && m.ClientCertAccepted != nil:
					t.Errorf("voipsec client_cert_accepted %v, but the server never asked for one", *m.ClientCertAccepted)
				case withCert.requested && (m.ClientCertAccepted == nil || *m.ClientCertAccepted != withCert.accepted):
					t.Errorf("voipsec client_cert_accepted %v, openssl %v", m.ClientCertAccepted, withCert.accepted)
				}
				if !noCert.accepted && noCert.alert != "" && !strings.Contains(strings.ReplaceAll(noCert.alert, "_", " "), m.WithoutClientCertAlert) {
					t.Errorf("voipsec alert %q, openssl alert %q", m.WithoutClientCertAlert, noCert.alert)
				}
			}
			wantSev := map[string]report.Severity{"TLS-CERT-EXPIRED": report.Pass, "MTLS-NOT-REQUIRED": report.Pass,
				"MTLS-NOT-REQUESTED": report.Pass, "MTLS-CLIENT-CERT-REJECTED": report.Pass, "TLS-CERT-UNTRUSTED": report.Pass}
			if sc.expired {
				wantSev["TLS-CERT-EXPIRED"] = report.Fail
			}
			if !sc.requested {
				wantSev["MTLS-NOT-REQUESTED"], wantSev["MTLS-NOT-REQUIRED"] = report.Fail, report.Fail
				delete(wantSev, "MTLS-CLIENT-CERT-REJECTED") // never asked for, never sent
				if _, ok := status(fs, "MTLS-CLIENT-CERT-REJECTED"); ok {
					t.Error("MTLS-CLIENT-CERT-REJECTED reported although no certificate was requested")
				}
			}
			for id, want := range wantSev {
				if got, ok := status(fs, id); !ok || got != want {
					t.Errorf("%s: %v (present %v), want %v", id, got, ok, want)
				}
			}
			// Under TLS 1.3 the verdict on the certificate comes from the
			// OPTIONS sent after the handshake: Kamailio's answer.
			if sc.method == "TLSv1.2+" && sc.requested && (m == nil || !slices.Contains(m.Evidence, "with client certificate: SIP response received")) {
				t.Errorf("mtls evidence %+v, want Kamailio's SIP answer", m)
			}
			if sc.name == "mtls" || sc.name == "mtls tls1.2" {
				var acc []string
				for _, v := range res.Versions {
					if v.Accepted {
						acc = append(acc, v.Version)
					}
				}
				want := map[string]string{"TLSv1.2+": "TLS 1.2,TLS 1.3", "TLSv1.2": "TLS 1.2"}[sc.method]
				if strings.Join(acc, ",") != want {
					t.Errorf("versions accepted %v, want %s (method %s)", acc, want, sc.method)
				}
				// openssl's verdict per version agrees.
				for _, v := range res.Versions {
					flag := map[string]string{"TLS 1.0": "-tls1", "TLS 1.1": "-tls1_1", "TLS 1.2": "-tls1_2", "TLS 1.3": "-tls1_3"}[v.Version]
					if flag == "" {
						continue
					}
					if ok := sClientVersion(t, ossl, addr, flag, files); ok != v.Accepted {
						t.Errorf("%s: voipsec accepted=%v, openssl s_client %s accepted=%v", v.Version, v.Accepted, flag, ok)
					}
				}
			}
		})
	}
}

// TestKamailioTLS10 runs Kamailio as an OCS 2007 R2-era peer would speak
// (testdata/kamailio/tls10.cfg: TLS 1.0 only, static-RSA CBC suites, mutual
// TLS): the probe completes the handshake and reports the weakness; a SIP
// leg with ClientConfig gets the OPTIONS answer over TLS 1.0, and Go's
// default client configuration cannot talk to it.
func TestKamailioTLS10(t *testing.T) {
	kam := interopBinary(t, "kamailio", "/usr/sbin/kamailio")
	p, files := peerPKI(t)
	dir := files.Dir
	// Static RSA key exchange needs an RSA server key.
	rsaCert, err := p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "rsa-key.pem")
	if err := testpki.WritePair(certFile, keyFile, rsaCert); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	startKamailio(t, kam, t.TempDir(), addr, "tls10.cfg", map[string]string{
		"@VERIFY@": "yes", "@REQUIRE@": "yes", "@CERT@": certFile, "@KEY@": keyFile, "@CA@": files.CA,
	})

	// Probe + Judge, counting the connections the probe opens.
	var dials atomic.Int32
	d := &net.Dialer{}
	start := time.Now()
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", ClientCert: &p.Client, RootCAs: p.CAPool,
		Enumerate: true, Timeout: 5 * time.Second,
		Dial: func(ctx context.Context, network, a string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, a)
		}})
	elapsed := time.Since(start)
	fs := Judge(res, mtlsEdge())
	t.Logf("probe with enumeration: %d connections in %v (enumeration %.1f ms)", dials.Load(), elapsed.Round(time.Millisecond), res.EnumerationMS)
	conns := int32(2) // the handshakes without and with the client certificate
	for _, v := range res.Versions {
		t.Logf("  %s: accepted=%v suites=%d %s", v.Version, v.Accepted, len(v.Suites), v.Error)
		conns += int32(len(v.Suites)) + 1 // one hello per accepted suite, one refused
	}
	if dials.Load() != conns {
		t.Errorf("%d connections, want %d: every version refused at once, each accepted suite found with one hello", dials.Load(), conns)
	}
	defer func() {
		if t.Failed() {
			dump(t, fs)
		}
	}()
	if h := res.Handshake; h == nil || h.VersionID != tls.VersionTLS10 || !strings.HasPrefix(h.CipherSuite, "TLS_RSA_WITH_") {
		t.Errorf("handshake %+v, want TLS 1.0 with static RSA", res.Handshake)
	}
	var accepted []string
	got := map[string]bool{}
	for _, v := range res.Versions {
		if v.Accepted {
			accepted = append(accepted, v.Version)
			for _, s := range v.Suites {
				got[s.Name] = true
			}
		}
	}
	if strings.Join(accepted, ",") != "TLS 1.0" {
		t.Errorf("versions accepted %v, want TLS 1.0 only", accepted)
	}
	if !got["TLS_RSA_WITH_AES_128_CBC_SHA"] || !got["TLS_RSA_WITH_AES_256_CBC_SHA"] || len(got) != 2 {
		t.Errorf("suites %v, want exactly the two of tls10.cfg", got)
	}
	for id, want := range map[string]report.Severity{
		"TLS-HANDSHAKE-FAILED": report.Pass, "TLS-VERSION-WEAK": report.Warn, "TLS-NO-FORWARD-SECRECY": report.Warn,
		"TLS-CIPHER-WEAK": report.Pass, "MTLS-NOT-REQUESTED": report.Pass, "MTLS-NOT-REQUIRED": report.Pass,
		"MTLS-CLIENT-CERT-REJECTED": report.Pass, "TLS-CERT-UNTRUSTED": report.Pass,
	} {
		if sev, ok := status(fs, id); !ok || sev != want {
			t.Errorf("%s: %v (present %v), want %v", id, sev, ok, want)
		}
	}

	// A SIP leg: crypto/tls with ClientConfig, OPTIONS over TLS 1.0.
	dial := func(conf *tls.Config) (*tls.Conn, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		c, err := (&tls.Dialer{Config: conf}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return c.(*tls.Conn), nil
	}
	conn, err := dial(ClientConfig("localhost", &p.Client))
	if err != nil {
		t.Fatalf("SIP leg with ClientConfig: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	pr := newProber(addr, Config{ServerName: "localhost"})
	s, err := exchangeOptions(conn, pr.optionsRequest(conn.LocalAddr()))
	if err != nil || s.Status != 200 || conn.ConnectionState().Version != tls.VersionTLS10 {
		t.Errorf("OPTIONS over the SIP leg: %+v, %v, version %x", s, err, conn.ConnectionState().Version)
	}
	// Go's default client configuration offers neither TLS 1.0 nor RSA
	// key exchange: what issue 10 saw as SIP-NO-RESPONSE.
	if c, err := dial(&tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{p.Client}}); err == nil {
		c.Close()
		t.Error("Go's default client configuration completed a TLS 1.0 static-RSA handshake; ClientConfig's reason is gone")
	}
}
