package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
)

// TestClientConfigOldServer: a server that speaks only TLS 1.0 with
// static-RSA CBC suites (Windows Server 2008's SChannel defaults, OCS 2007
// R2 and Exchange 2007) completes a handshake with ClientConfig, and not
// with Go's defaults, which dropped TLS 1.0 and RSA key exchange. No
// GODEBUG is set in this test binary.
func TestClientConfigOldServer(t *testing.T) {
	p := longPKI(t)
	rsaCert := must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))(t)
	for _, suite := range []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA} {
		t.Run(tls.CipherSuiteName(suite), func(t *testing.T) {
			addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{rsaCert},
				MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, CipherSuites: []uint16{suite}}, sip200)
			dial := func(conf *tls.Config) (tls.ConnectionState, error) {
				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, conf)
				if err != nil {
					return tls.ConnectionState{}, err
				}
				defer c.Close()
				return c.ConnectionState(), nil
			}
			st, err := dial(ClientConfig("localhost", nil))
			if err != nil || st.Version != tls.VersionTLS10 || st.CipherSuite != suite {
				t.Errorf("ClientConfig: %v, version %x suite %x", err, st.Version, st.CipherSuite)
			}
			if _, err := dial(&tls.Config{InsecureSkipVerify: true}); err == nil {
				t.Error("Go's default client configuration completed the handshake: ClientConfig's reason is gone")
			}
		})
	}
}

// TestClientConfigCertificate: the client certificate is offered when the
// server asks, even if its CertificateRequest names other CAs (crypto/tls
// would send none from Config.Certificates), so the server's own verdict is
// what the probe sees.
func TestClientConfigCertificate(t *testing.T) {
	p, other := longPKI(t), longPKI(t)
	got := make(chan int, 1)
	addr := newRawServer(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequestClientCert,
			ClientCAs: other.CAPool, MaxVersion: tls.VersionTLS12})
		if tc.Handshake() == nil {
			got <- len(tc.ConnectionState().PeerCertificates)
		}
	})
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, ClientConfig("localhost", &p.Client))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case n := <-got:
		if n != 1 {
			t.Errorf("server received %d client certificates, want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server handshake did not complete")
	}
}

func TestClientConfigServerName(t *testing.T) {
	for in, want := range map[string]string{
		"med01.contoso.com": "med01.contoso.com", "med01.contoso.com.": "med01.contoso.com",
		"192.0.2.7": "", "::1": "", "[::1]": "", "fe80::1%eth0": "", "": "",
	} {
		c := ClientConfig(in, nil)
		if c.ServerName != want {
			t.Errorf("ClientConfig(%q).ServerName = %q, want %q", in, c.ServerName, want)
		}
		if !c.InsecureSkipVerify || c.MinVersion != tls.VersionTLS10 || c.MaxVersion != tls.VersionTLS13 {
			t.Errorf("ClientConfig(%q): verify %v, versions %x-%x", in, !c.InsecureSkipVerify, c.MinVersion, c.MaxVersion)
		}
	}
	// Each call returns its own suite list: a caller's edit stays its own.
	a, b := ClientConfig("x", nil), ClientConfig("x", nil)
	a.CipherSuites[0] = 0
	if b.CipherSuites[0] == 0 {
		t.Error("ClientConfig shares its CipherSuites slice")
	}
}
