package capgen

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"net"
	"os"
	"testing"
	"time"
)

var genCerts = flag.Bool("gencerts", false, "rewrite certs.pem with a new X.509 hierarchy")

// TestCertsParse checks the embedded chains: every certificate parses, every
// leaf chains to its CA, and the names are the ones the trunk profile uses.
// With -gencerts it first writes a new hierarchy (public certificates only;
// the keys are thrown away).
func TestCertsParse(t *testing.T) {
	if *genCerts {
		writeCerts(t)
	}
	cs := loadCerts()
	if len(cs.byName) < 8 {
		t.Fatalf("%d certificates, want the whole hierarchy", len(cs.byName))
	}
	roots := x509.NewCertPool()
	inter := x509.NewCertPool()
	for name, der := range cs.byName {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch {
		case c.IsCA && c.Subject.String() == c.Issuer.String():
			roots.AddCert(c)
		case c.IsCA:
			inter.AddCert(c)
		}
	}
	for _, name := range []string{"med01.contoso.com", "fe01.contoso.com", "um01.contoso.com", "gw01.contoso.com", "sbc01.contoso.com"} {
		chain := cs.chain(name)
		leaf, err := x509.ParseCertificate(chain[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter,
			CurrentTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func writeCerts(t *testing.T) {
	t.Helper()
	nb := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
	serial := int64(1000)
	var out []byte
	issue := func(cn string, ca bool, parent *x509.Certificate, parentKey *rsa.PrivateKey, org string) (*x509.Certificate, *rsa.PrivateKey) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		serial++
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{org}},
			NotBefore: nb, NotAfter: na, BasicConstraintsValid: true, IsCA: ca}
		if ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
			tmpl.DNSNames = []string{cn}
			tmpl.IPAddresses = []net.IP{}
		}
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Name": cn}, Bytes: der})...)
		c, _ := x509.ParseCertificate(der)
		return c, key
	}
	root, rootKey := issue("Contoso Root CA", true, nil, nil, "Contoso")
	ica, icaKey := issue("Contoso Issuing CA 01", true, root, rootKey, "Contoso")
	for _, h := range []string{"med01.contoso.com", "fe01.contoso.com", "um01.contoso.com", "gw01.contoso.com", "sbc01.contoso.com"} {
		issue(h, false, ica, icaKey, "Contoso")
	}
	froot, frootKey := issue("Fabrikam Root CA", true, nil, nil, "Fabrikam")
	issue("gw.fabrikam.com", false, froot, frootKey, "Fabrikam")
	if err := os.WriteFile("certs.pem", out, 0o644); err != nil {
		t.Fatal(err)
	}
}
