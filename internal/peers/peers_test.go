package peers

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
)

// TestKamailioTLS10: the TLS 1.0-only, static-RSA configuration an OCS 2007
// R2-era server has is what Kamailio serves: a TLS 1.0 handshake with
// TLS_RSA_WITH_AES_128_CBC_SHA completes, TLS 1.2 is refused.
func TestKamailioTLS10(t *testing.T) {
	pki := testpki.NewT(t)
	files := RSAServerFiles(t, pki)
	k := StartKamailio(t, KamailioConfig{TLS: &KamailioTLS{Files: files, Method: "TLSv1",
		Ciphers: "AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0"}})
	dial := func(minV, maxV uint16) (*tls.ConnectionState, error) {
		c, err := tls.DialWithDialer(&netDialer, "tcp", k.TLSAddr, &tls.Config{InsecureSkipVerify: true,
			MinVersion: minV, MaxVersion: maxV, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.ConnectionState()
		return &st, nil
	}
	st, err := dial(tls.VersionTLS10, tls.VersionTLS10)
	if err != nil || st.Version != tls.VersionTLS10 || st.CipherSuite != tls.TLS_RSA_WITH_AES_128_CBC_SHA {
		t.Fatalf("TLS 1.0 handshake: %v %+v\n%s", err, st, k.Log())
	}
	if _, err := dial(tls.VersionTLS12, tls.VersionTLS12); err == nil {
		t.Fatal("a TLS 1.0-only Kamailio completed a TLS 1.2 handshake")
	}
}

// TestBaresipAnswers: baresip answers SIP at its address, and its log shows
// the account with the user and mediaenc asked for.
func TestBaresipAnswers(t *testing.T) {
	b := StartBaresip(t, BaresipConfig{User: "alice", MediaEnc: "srtp-mand", Lifetime: 20 * time.Second})
	if !sipPing(b.Addr, time.Second) {
		t.Fatalf("baresip at %s does not answer OPTIONS\n%s", b.Addr, b.Log())
	}
	if b.URI != "sip:alice@127.0.0.1" || !strings.Contains(b.Log(), "alice") {
		t.Fatalf("URI %q\n%s", b.URI, b.Log())
	}
}

var netDialer = net.Dialer{Timeout: 3 * time.Second}

// TestMediationInternal: the Kamailio in front of baresip completes a
// handshake with the PKI's client certificate and refuses one without.
func TestMediationInternal(t *testing.T) {
	pki := testpki.NewT(t)
	m := StartMediationInternal(t, pki)
	hs := func(certs []tls.Certificate) error {
		c, err := tls.DialWithDialer(&netDialer, "tcp", m.Kamailio.TLSAddr, &tls.Config{RootCAs: pki.CAPool,
			ServerName: "localhost", Certificates: certs, MaxVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		return c.Close()
	}
	if err := hs([]tls.Certificate{pki.Client}); err != nil {
		t.Fatalf("with the client certificate: %v\n%s", err, m.Kamailio.Log())
	}
	if err := hs(nil); err == nil {
		t.Fatal("Kamailio accepted a TLS 1.2 handshake without a client certificate")
	}
	if !sipPing(m.Baresip.Addr, time.Second) {
		t.Fatal("baresip behind Kamailio does not answer")
	}
}
