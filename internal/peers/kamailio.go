package peers

import (
	"bytes"
	"context"
	"crypto/x509"
	_ "embed"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"text/template"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
)

//go:embed kamailio.cfg.tmpl
var kamailioCfg string

//go:embed kamailio-tls.cfg.tmpl
var kamailioTLSCfg string

// KamailioTLS is Kamailio's TLS listener.
type KamailioTLS struct {
	// Files are the certificate files: the server certificate and key
	// Kamailio presents and the CA it verifies client certificates with.
	Files testpki.Files
	// Method is the tls module's method: "TLSv1.2+" (default), "TLSv1"
	// (TLS 1.0 only), "TLSv1+", "TLSv1.2", ...
	Method string
	// Ciphers is an OpenSSL cipher list; "" leaves OpenSSL's default. For
	// TLS 1.0 with OpenSSL 3 it must lower the security level, e.g.
	// "AES128-SHA:AES256-SHA:@SECLEVEL=0".
	Ciphers string
	// MutualTLS makes Kamailio request, verify and require a client
	// certificate from Files.CA.
	MutualTLS bool
}

// KamailioConfig is a Kamailio proxy on loopback.
type KamailioConfig struct {
	// TLS adds a TLS listener on the same port as UDP; nil: UDP only.
	TLS *KamailioTLS
	// RelayTo is the host:port every new INVITE is relayed to over UDP,
	// its user part kept (sip:USER@RelayTo). A destination where nothing
	// listens makes Kamailio answer 408 after RelayTimeout.
	RelayTo string
	// RelayTimeout is tm's fr_timer and fr_inv_timer; default 1.5 s.
	RelayTimeout time.Duration
	// Reply, when RelayTo is empty, answers every INVITE with this status
	// and reason ("403 Forbidden" when both are empty).
	ReplyCode   int
	ReplyReason string
}

// Kamailio is a running Kamailio. OPTIONS outside a dialog get 200 OK from
// Kamailio itself; in-dialog requests follow the Record-Route.
type Kamailio struct {
	UDPAddr string // host:port
	TLSAddr string // host:port; "" without TLS
	proc    *process
}

// Log returns what Kamailio printed so far.
func (k *Kamailio) Log() string { return k.proc.log.String() }

// StartKamailio renders the embedded configuration for c into a temporary
// directory, runs Kamailio in the foreground on a free loopback port and
// waits until its listeners answer.
func StartKamailio(t TB, c KamailioConfig) *Kamailio {
	t.Helper()
	bin := peerBinary(t, "kamailio", "/usr/sbin/kamailio")
	dir := t.TempDir()
	port := FreePort(t)
	if c.RelayTimeout <= 0 {
		c.RelayTimeout = 1500 * time.Millisecond
	}
	if c.RelayTo == "" && c.ReplyCode == 0 {
		c.ReplyCode, c.ReplyReason = 403, "Forbidden"
	}
	data := map[string]any{
		"Host": "127.0.0.1", "Port": port, "ModulePath": kamailioModules(bin),
		"Relay": c.RelayTo, "ReplyCode": c.ReplyCode, "ReplyReason": quoteCfg(c.ReplyReason),
		"TimerMS": strconv.Itoa(int(c.RelayTimeout.Milliseconds())), "TLSConfig": "",
	}
	k := &Kamailio{UDPAddr: hostPort(port)}
	if tc := c.TLS; tc != nil {
		method := tc.Method
		if method == "" {
			method = "TLSv1.2+"
		}
		tlsData := map[string]string{
			"Method": method, "Ciphers": tc.Ciphers, "Verify": yesNo(tc.MutualTLS), "Require": yesNo(tc.MutualTLS),
			"Cert": tc.Files.ServerCert, "Key": tc.Files.ServerKey, "CA": tc.Files.CA,
		}
		data["TLSConfig"] = writeFile(t, dir, "tls.cfg", render(t, kamailioTLSCfg, tlsData))
		k.TLSAddr = hostPort(port)
	}
	cfg := writeFile(t, dir, "kamailio.cfg", render(t, kamailioCfg, data))
	p := start(t, "kamailio", bin, "-f", cfg, "-DD", "-E", "-m", "32", "-M", "8", "-Y", dir, "-w", dir)
	k.proc = p
	if k.TLSAddr != "" {
		if err := awaitTCP(p, k.TLSAddr); err != nil {
			t.Fatalf("%v\n%s", err, p.log.String())
		}
	}
	if err := awaitSIP(p, k.UDPAddr); err != nil {
		t.Fatalf("%v\n%s", err, p.log.String())
	}
	return k
}

func render(t TB, text string, data any) []byte {
	t.Helper()
	tmpl, err := template.New("cfg").Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("peers template: %v", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("peers template: %v", err)
	}
	return b.Bytes()
}

// helpTimeout bounds `kamailio -h`.
var helpTimeout = 10 * time.Second

// debianKamailioModules is where Debian's kamailio package puts its modules.
const debianKamailioModules = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

// kamailioModules is Kamailio's module directory, as its -h output names
// it, else the Debian path. A binary that does not answer within
// helpTimeout is killed, with whatever it started.
func kamailioModules(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), helpTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-h")
	ownGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err == nil {
		if m := regexp.MustCompile(`default: (\S+/modules)\)`).FindSubmatch(out); m != nil {
			return string(m[1]) + "/"
		}
	}
	return debianKamailioModules
}

// MediationInternal is Kamailio requiring mutual TLS, as the Mediation
// Server internal edge, in front of baresip answering with RTP/SAVP only.
type MediationInternal struct {
	Kamailio *Kamailio
	Baresip  *Baresip
	// Files are the PKI's files Kamailio was configured with.
	Files testpki.Files
}

// StartMediationInternal starts baresip (srtp-mand, user "uas") and, in
// front of it, Kamailio with a TLS listener that requires a client
// certificate issued by pki's CA and presents pki's server certificate
// (names localhost, 127.0.0.1). Call Baresip.User at Kamailio.TLSAddr with
// pki.Client: the call reaches baresip and carries authenticated SRTP.
func StartMediationInternal(t TB, pki *testpki.PKI) *MediationInternal {
	t.Helper()
	files, err := pki.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatalf("write PKI files: %v", err)
	}
	ua := StartBaresip(t, BaresipConfig{MediaEnc: "srtp-mand"})
	kam := StartKamailio(t, KamailioConfig{RelayTo: ua.Addr, TLS: &KamailioTLS{Files: files, MutualTLS: true}})
	return &MediationInternal{Kamailio: kam, Baresip: ua, Files: files}
}

// RSAServerFiles writes pki's files into a temporary directory with the
// server certificate replaced by an RSA 2048 one for the same names and
// EKUs: static-RSA key exchange (TLS_RSA_WITH_*), what an OCS 2007 R2-era
// server offers, needs an RSA key.
func RSAServerFiles(t TB, pki *testpki.PKI) testpki.Files {
	t.Helper()
	dir := t.TempDir()
	files, err := pki.WriteFiles(dir)
	if err != nil {
		t.Fatalf("write PKI files: %v", err)
	}
	cert, err := pki.Issue(testpki.IssueOptions{Hosts: pki.Hosts(), RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatalf("issue RSA server certificate: %v", err)
	}
	files.ServerCert, files.ServerKey = filepath.Join(dir, "server-rsa.pem"), filepath.Join(dir, "server-rsa-key.pem")
	if err := testpki.WritePair(files.ServerCert, files.ServerKey, cert); err != nil {
		t.Fatalf("write RSA server certificate: %v", err)
	}
	return files
}
