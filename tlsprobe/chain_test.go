package tlsprobe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/report"
)

// intermediateChain issues CA -> intermediate -> leaf(localhost) and returns
// the leaf's key with the DER leaf, intermediate and root.
func intermediateChain(t *testing.T) (leaf, inter, root []byte, key *ecdsa.PrivateKey, pool *x509.CertPool) {
	t.Helper()
	p := longPKI(t)
	ikey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	itmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "voipsec test intermediate", Organization: []string{"voipsec test"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(300 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	interDER, err := x509.CreateCertificate(rand.Reader, itmpl, p.CA, &ikey.PublicKey, p.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	interCert, _ := x509.ParseCertificate(interDER)
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ltmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(200 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leaf, err = x509.CreateCertificate(rand.Reader, ltmpl, interCert, &key.PublicKey, ikey)
	if err != nil {
		t.Fatal(err)
	}
	return leaf, interDER, p.CA.Raw, key, p.CAPool
}

// TestChainShapes: a complete chain verifies, a missing intermediate is
// untrusted with the reason, a chain out of order is a warning.
func TestChainShapes(t *testing.T) {
	leaf, inter, root, key, pool := intermediateChain(t)
	for _, c := range []struct {
		name   string
		chain  [][]byte
		sev    report.Severity
		detail string
	}{
		{"complete", [][]byte{leaf, inter}, report.Pass, ""},
		{"complete with root", [][]byte{leaf, inter, root}, report.Pass, ""},
		{"missing intermediate", [][]byte{leaf}, report.Fail, "missing intermediate"},
		{"wrong order", [][]byte{leaf, root, inter}, report.Warn, "out of order"},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: c.chain, PrivateKey: key}}}, sip200)
			res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: pool, Timeout: 2 * time.Second})
			fs := Judge(res, mtlsEdge())
			f := finding(fs, "TLS-CERT-UNTRUSTED")
			if f == nil || f.Severity != c.sev || !strings.Contains(f.Summary+" "+f.Detail, c.detail) {
				t.Errorf("TLS-CERT-UNTRUSTED %+v, want %v with %q", f, c.sev, c.detail)
				dump(t, fs)
			}
			if len(res.Chain) != len(c.chain) {
				t.Errorf("chain of %d, want %d", len(res.Chain), len(c.chain))
			}
		})
	}
}

func TestMatchName(t *testing.T) {
	mk := func(cn string, dns []string, uris ...string) *x509.Certificate {
		c := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}
		for _, u := range uris {
			pu, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			c.URIs = append(c.URIs, pu)
		}
		c.IPAddresses = []net.IP{net.ParseIP("192.0.2.7")}
		return c
	}
	for _, c := range []struct {
		name   string
		cert   *x509.Certificate
		target string
		ok     bool
		why    string
	}{
		{"dNSName", mk("x", []string{"med01.contoso.com"}), "MED01.contoso.com.", true, ""},
		{"sip URI SAN", mk("x", nil, "sip:med01.contoso.com"), "med01.contoso.com", true, ""},
		{"sip URI SAN with user and port", mk("x", nil, "sip:um@med01.contoso.com:5061;transport=tls"), "med01.contoso.com", true, ""},
		{"IP SAN", mk("x", nil), "192.0.2.7", true, ""},
		{"IP not in SAN", mk("x", nil), "192.0.2.8", false, "not among the IP SANs"},
		{"wildcard", mk("x", []string{"*.contoso.com"}), "med01.contoso.com", false, "wildcard"},
		{"CN only", mk("med01.contoso.com", []string{"other.contoso.com"}), "med01.contoso.com", false, "only in the subject CN"},
		{"nowhere", mk("x", []string{"other.contoso.com"}), "med01.contoso.com", false, "not among the DNS SANs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ok, why := matchName(c.cert, c.target)
			if ok != c.ok || !strings.Contains(why, c.why) {
				t.Errorf("matchName = %v %q, want %v containing %q", ok, why, c.ok, c.why)
			}
		})
	}
}

// TestPartialChain: a server whose intermediate does not parse (crypto/tls
// refuses the handshake; the raw handshake of the enumeration reads the
// chain). The leaf parsed and names the host: TLS-CERT-NAME-MISMATCH passes
// and TLS-CERT-EKU is decided from it. The dates, keys and signatures of the
// certificate that did not parse are unknown, so TLS-CERT-EXPIRED,
// -EXPIRING, -WEAK-KEY and -WEAK-SIGNATURE cannot pass: they used to, and
// the name check failed with an empty detail.
func TestPartialChain(t *testing.T) {
	checkGoroutines(t)
	leaf, _, _, key, pool := intermediateChain(t)
	broken := []byte{0x30, 0x03, 0x02, 0x01, 0x01} // a SEQUENCE that is no certificate
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf, broken}, PrivateKey: key}},
		MaxVersion: tls.VersionTLS12}, sip200)
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: pool, Enumerate: true, Timeout: 2 * time.Second})
	if len(res.Chain) != 1 || res.Verify == nil || !strings.Contains(res.Verify.ParseError, "#1") {
		t.Fatalf("chain %+v, verification %+v: want the leaf and a parse error on certificate #1", res.Chain, res.Verify)
	}
	fs := Judge(res, serverAuthOnly())
	want := map[string]report.Severity{
		"TLS-CERT-UNTRUSTED": report.Fail, "TLS-CERT-NAME-MISMATCH": report.Pass, "TLS-CERT-EKU": report.Pass,
		"TLS-CERT-EXPIRED": report.Inconclusive, "TLS-CERT-EXPIRING": report.Inconclusive,
		"TLS-CERT-WEAK-KEY": report.Inconclusive, "TLS-CERT-WEAK-SIGNATURE": report.Inconclusive,
	}
	for id, sev := range want {
		f := finding(fs, id)
		switch {
		case f == nil || f.Severity != sev:
			t.Errorf("%s: %+v, want %v", id, f, sev)
		case sev == report.Inconclusive && (!strings.Contains(f.Summary+f.Detail, "#1") || f.Hint == ""):
			t.Errorf("%s: %+v, want the certificate that did not parse named, and a hint", id, f)
		}
	}
	if t.Failed() {
		dump(t, fs)
	}
}

// TestChainEvidenceWords: what the chain checks quote is worded for the
// administrator, naming the certificate, without Go package prefixes
// ("x509: ...") and without blaming an unknown authority when the issuer is
// a trusted root whose SHA-1 signature verification refuses.
func TestChainEvidenceWords(t *testing.T) {
	leaf, inter, _, _, pool := intermediateChain(t)
	p := longPKI(t)
	sha1Leaf := sha1Cert(t, p)
	notCA := must(p.Issue(testpki.IssueOptions{CommonName: "not a CA", Hosts: []string{"ca.invalid"},
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))(t)
	underNotCA := issueUnder(t, notCA)
	broken := []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	for _, c := range []struct {
		name  string
		chain [][]byte
		roots *x509.CertPool
		field func(v *Verification) string
		want  []string
	}{
		{"leaf does not parse", [][]byte{broken}, pool, func(v *Verification) string { return v.ParseError },
			[]string{"certificate #0", "does not parse", "malformed"}},
		{"intermediate does not parse", [][]byte{leaf, broken}, pool, func(v *Verification) string { return v.ParseError },
			[]string{"certificate #1", "does not parse"}},
		{"SHA-1 signature from a trusted CA", sha1Leaf.Certificate, p.CAPool, func(v *Verification) string { return v.TrustError },
			[]string{"certificate #0", "SHA1", "refuse"}},
		{"issued by a certificate that is not a CA", [][]byte{underNotCA, notCA.Certificate[0]}, p.CAPool,
			func(v *Verification) string { return v.TrustError }, []string{"certificate #1", "not a CA"}},
		{"complete", [][]byte{leaf, inter}, pool, func(v *Verification) string { return v.TrustError + v.ParseError }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := &Result{}
			observeChain(c.chain, "localhost", c.roots, res)
			got := c.field(res.Verify)
			if c.want == nil && got != "" {
				t.Errorf("evidence %q, want none", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("evidence %q does not say %q", got, w)
				}
			}
			if strings.Contains(got, "x509:") || strings.Contains(got, "asn1:") {
				t.Errorf("evidence %q carries a Go package prefix", got)
			}
		})
	}
}

// issueUnder issues a localhost certificate signed by parent's key, whether
// or not parent is a CA.
func issueUnder(t *testing.T, parent tls.Certificate) []byte {
	t.Helper()
	pc, err := x509.ParseCertificate(parent.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(200 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pc, &key.PublicKey, parent.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestSHA1SelfSignedRoot: a root that signs itself with SHA-1, sent at the
// end of the chain, is still self-signed (nobody checks a root's own
// signature), so TLS-CERT-WEAK-SIGNATURE passes. isSelfSigned used the
// verification that refuses SHA-1, took such a root for an intermediate and
// warned.
func TestSHA1SelfSignedRoot(t *testing.T) {
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "voipsec SHA-1 root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(400 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, SignatureAlgorithm: x509.ECDSAWithSHA1,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leaf := issueUnder(t, tls.Certificate{Certificate: [][]byte{rootDER}, PrivateKey: rootKey})
	pool := x509.NewCertPool()
	pool.AddCert(root)
	res := &Result{Target: "tls://localhost:5061", ServerName: "localhost", Status: StatusOK, Steps: Steps{Handshake: Step{Status: StatusOK}}}
	observeChain([][]byte{leaf, rootDER}, "localhost", pool, res)
	if len(res.Chain) != 2 || !res.Chain[1].SelfSigned || !res.Verify.Trusted {
		t.Fatalf("chain %+v, verification %+v: want a trusted chain ending at a self-signed root", res.Chain, res.Verify)
	}
	if f := finding(Judge(res, serverAuthOnly()), "TLS-CERT-WEAK-SIGNATURE"); f == nil || f.Severity != report.Pass {
		t.Errorf("TLS-CERT-WEAK-SIGNATURE %+v, want pass", f)
	}
}

// TestSystemRootsUnavailable: when no roots are given and the system's
// cannot be loaded, whether the chain is trusted is this machine's
// unknown, not the server's failure: TLS-CERT-UNTRUSTED is inconclusive
// (it failed), and the other chain facts are still judged.
func TestSystemRootsUnavailable(t *testing.T) {
	leaf, inter, _, _, _ := intermediateChain(t)
	saved := systemRoots
	t.Cleanup(func() { systemRoots = saved })
	systemRoots = func() (*x509.CertPool, error) { return nil, errors.New("x509: open /etc/ssl/certs: permission denied") }
	res := &Result{Target: "tls://localhost:5061", ServerName: "localhost", Status: StatusOK, Steps: Steps{Handshake: Step{Status: StatusOK}}}
	observeChain([][]byte{leaf, inter}, "localhost", nil, res)
	fs := Judge(res, serverAuthOnly())
	f := finding(fs, "TLS-CERT-UNTRUSTED")
	if f == nil || f.Severity != report.Inconclusive || !strings.Contains(f.Detail, "permission denied") || strings.Contains(f.Detail, "x509:") {
		t.Errorf("TLS-CERT-UNTRUSTED %+v, want inconclusive quoting the cause in words", f)
	}
	for _, id := range []string{"TLS-CERT-NAME-MISMATCH", "TLS-CERT-EXPIRED", "TLS-CERT-WEAK-KEY"} {
		if f := finding(fs, id); f == nil || f.Severity != report.Pass {
			t.Errorf("%s %+v, want pass", id, f)
		}
	}
	if t.Failed() {
		dump(t, fs)
	}
}
