// Package plantest stages voipsec plan files for tests: it copies a plan
// into a temporary folder and writes, beside it in pki/, the certificates
// the testdata plans name, generated at test time with internal/testpki.
package plantest

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
)

// Now is the reference time of staged PKIs; pass it to plan.Static so
// certificate findings are the same on every run.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// Stage copies the plan file src into a fresh temporary folder, writes the
// test PKI into its pki/ folder and returns the copy's path.
func Stage(t testing.TB, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	WritePKI(t, filepath.Join(dir, "pki"))
	return dst
}

// WritePKI writes the test PKI into dir (Stage writes it into DIR/pki):
//
//	ca.pem                 the CA every plan trusts
//	probe.pem, probe-key.pem  the probe's client certificate (clientAuth)
//	um01.pem               um01.contoso.com, serverAuth+clientAuth
//	med01.pem              med01.contoso.com, serverAuth+clientAuth
//	expired.pem            med01.contoso.com, expired a day before Now
//	expiring.pem           med01.contoso.com, expires 10 days after Now
//	selfsigned.pem         med01.contoso.com, signed by itself (untrusted)
//	noclientauth.pem, noclientauth-key.pem  med01.contoso.com, serverAuth only
//	notcert.pem            a PEM file holding no certificate
func WritePKI(t testing.TB, dir string) *testpki.PKI {
	t.Helper()
	p, err := testpki.NewWithOptions(testpki.Options{Now: Now, Validity: 2 * 365 * 24 * time.Hour, Hosts: []string{"med01.contoso.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	issue := func(o testpki.IssueOptions) tls.Certificate {
		c, err := p.Issue(o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	certs := map[string]tls.Certificate{
		"um01.pem":         issue(testpki.IssueOptions{Hosts: []string{"um01.contoso.com"}, EKUs: both}),
		"med01.pem":        issue(testpki.IssueOptions{Hosts: []string{"med01.contoso.com"}, EKUs: both}),
		"expired.pem":      issue(testpki.IssueOptions{Hosts: []string{"med01.contoso.com"}, EKUs: both, NotBefore: Now.Add(-400 * 24 * time.Hour), NotAfter: Now.Add(-24 * time.Hour)}),
		"expiring.pem":     issue(testpki.IssueOptions{Hosts: []string{"med01.contoso.com"}, EKUs: both, NotAfter: Now.Add(10 * 24 * time.Hour)}),
		"selfsigned.pem":   issue(testpki.IssueOptions{Hosts: []string{"med01.contoso.com"}, EKUs: both, SelfSigned: true}),
		"noclientauth.pem": issue(testpki.IssueOptions{Hosts: []string{"med01.contoso.com"}, EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}),
	}
	if err := testpki.WritePair(filepath.Join(dir, "noclientauth.pem"), filepath.Join(dir, "noclientauth-key.pem"), certs["noclientauth.pem"]); err != nil {
		t.Fatal(err)
	}
	delete(certs, "noclientauth.pem")
	for name, c := range certs {
		if err := testpki.WriteCertPEM(filepath.Join(dir, name), c.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := testpki.WriteCertPEM(filepath.Join(dir, "ca.pem"), p.CA.Raw); err != nil {
		t.Fatal(err)
	}
	if err := testpki.WritePair(filepath.Join(dir, "probe.pem"), filepath.Join(dir, "probe-key.pem"), p.Client); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notcert.pem"), []byte("-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
