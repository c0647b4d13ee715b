package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultHosts are the names every server certificate carries unless
// [Options.Hosts] says otherwise.
var DefaultHosts = []string{"127.0.0.1", "::1", "localhost"}

// Options tune [NewWithOptions]. The zero value is the default PKI.
type Options struct {
	// Hosts are the server certificate's SANs: IP literals become IP SANs,
	// everything else DNS SANs. Empty means [DefaultHosts].
	Hosts []string
	// Organization names the subject organisation (default "voipsec test").
	Organization string
	// Now is the reference time for validity (default time.Now()).
	Now time.Time
	// Validity of the CA, server and client certificates (default 365 days, so a
	// simulator started with --gen-certs does not warn TLS-CERT-EXPIRING).
	Validity time.Duration
}

// PKI is one generated CA with a server and a client certificate.
type PKI struct {
	CA     *x509.Certificate // the self-signed root
	CAKey  crypto.Signer
	CAPool *x509.CertPool // pool holding only CA

	Server tls.Certificate // leaf + key; Leaf is set; EKUs serverAuth+clientAuth
	Client tls.Certificate // leaf + key; Leaf is set; EKU clientAuth

	hosts []string
	org   string
	now   time.Time
	valid time.Duration
}

// IssueOptions describe one leaf certificate for [PKI.Issue].
type IssueOptions struct {
	CommonName string
	Hosts      []string // IP literals become IP SANs, other names DNS SANs
	EKUs       []x509.ExtKeyUsage
	NotBefore  time.Time // zero: PKI reference time minus one hour
	NotAfter   time.Time // zero: NotBefore plus the PKI validity
	RSABits    int       // >0: an RSA key of this size instead of ECDSA P-256
	SelfSigned bool      // sign with its own key instead of the CA
}

// New generates a default PKI.
func New() (*PKI, error) { return NewWithOptions(Options{}) }

// TB is the subset of testing.TB that [NewT] needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// NewT generates a default PKI and stops the test on failure.
func NewT(t TB) *PKI {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatalf("testpki: %v", err)
	}
	return p
}

// NewWithOptions generates a PKI: a CA, a server and a client certificate.
func NewWithOptions(o Options) (*PKI, error) {
	p := &PKI{hosts: o.Hosts, org: o.Organization, now: o.Now, valid: o.Validity}
	if len(p.hosts) == 0 {
		p.hosts = DefaultHosts
	}
	if p.org == "" {
		p.org = "voipsec test"
	}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	if p.valid <= 0 {
		p.valid = 365 * 24 * time.Hour
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testpki: generate CA key: %w", err)
	}
	serial, err := randSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: p.org + " CA", Organization: []string{p.org}},
		NotBefore:             p.now.Add(-time.Hour),
		NotAfter:              p.now.Add(p.valid),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("testpki: create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: parse CA certificate: %w", err)
	}
	p.CA, p.CAKey = ca, key
	p.CAPool = x509.NewCertPool()
	p.CAPool.AddCert(ca)

	p.Server, err = p.Issue(IssueOptions{
		CommonName: p.hosts[0],
		Hosts:      p.hosts,
		EKUs:       []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, fmt.Errorf("testpki: server certificate: %w", err)
	}
	p.Client, err = p.Issue(IssueOptions{
		CommonName: "voipsec-probe",
		Hosts:      []string{"localhost"},
		EKUs:       []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, fmt.Errorf("testpki: client certificate: %w", err)
	}
	return p, nil
}

// Hosts returns the server certificate's names.
func (p *PKI) Hosts() []string { return append([]string(nil), p.hosts...) }

// Issue signs a new leaf certificate with the CA (or itself, if SelfSigned).
func (p *PKI) Issue(o IssueOptions) (tls.Certificate, error) {
	if p == nil || p.CA == nil || p.CAKey == nil {
		return tls.Certificate{}, errors.New("testpki: issue: PKI has no CA")
	}
	var (
		key crypto.Signer
		err error
	)
	if o.RSABits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, o.RSABits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testpki: generate key: %w", err)
	}
	serial, err := randSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = p.now.Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.Add(p.valid + time.Hour)
	}
	cn := o.CommonName
	if cn == "" && len(o.Hosts) > 0 {
		cn = o.Hosts[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{p.org}},
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  o.EKUs,
	}
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, signer := p.CA, p.CAKey
	if o.SelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testpki: create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testpki: parse certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Expired is a server certificate (same names and EKUs as Server) that
// expired an hour before the PKI's reference time.
func (p *PKI) Expired() (tls.Certificate, error) {
	return p.Issue(IssueOptions{
		Hosts:     p.hosts,
		EKUs:      []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		NotBefore: p.now.Add(-48 * time.Hour),
		NotAfter:  p.now.Add(-time.Hour),
	})
}

// WrongName is a valid server certificate for wrong.invalid only, so it
// matches none of 127.0.0.1, ::1 or localhost.
func (p *PKI) WrongName() (tls.Certificate, error) {
	return p.Issue(IssueOptions{
		CommonName: "wrong.invalid",
		Hosts:      []string{"wrong.invalid"},
		EKUs:       []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	})
}

// NoClientAuth is a server certificate with the serverAuth EKU only.
func (p *PKI) NoClientAuth() (tls.Certificate, error) {
	return p.Issue(IssueOptions{
		Hosts: p.hosts,
		EKUs:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// SelfSigned is a server certificate for the PKI's hosts signed by its own
// key: no CA trusts it.
func (p *PKI) SelfSigned() (tls.Certificate, error) {
	return p.Issue(IssueOptions{
		Hosts:      p.hosts,
		EKUs:       []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		SelfSigned: true,
	})
}

// Files are the paths [PKI.WriteFiles] wrote.
type Files struct {
	Dir        string
	CA         string // ca.pem
	ServerCert string // server.pem (leaf only)
	ServerKey  string // server-key.pem (PKCS#8)
	ClientCert string // probe.pem: the client certificate a probe presents for mutual TLS
	ClientKey  string // probe-key.pem
}

// File names WriteFiles uses: the same everywhere voipsec writes or names
// certificates (simulate --gen-certs, the demo, the example plan, the docs).
const (
	CAFile         = "ca.pem"
	ServerCertFile = "server.pem"
	ServerKeyFile  = "server-key.pem"
	ProbeCertFile  = "probe.pem"
	ProbeKeyFile   = "probe-key.pem"
)

// WriteFiles writes the CA, server and client certificates and keys as PEM
// files into dir, created 0700 if missing: ca.pem, server.pem and
// server-key.pem, and the client certificate a probe presents, probe.pem
// and probe-key.pem. Keys are written mode 0600. The CA key is never
// written.
func (p *PKI) WriteFiles(dir string) (Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Files{}, fmt.Errorf("testpki: create %s: %w", dir, err)
	}
	f := Files{
		Dir:        dir,
		CA:         filepath.Join(dir, CAFile),
		ServerCert: filepath.Join(dir, ServerCertFile),
		ServerKey:  filepath.Join(dir, ServerKeyFile),
		ClientCert: filepath.Join(dir, ProbeCertFile),
		ClientKey:  filepath.Join(dir, ProbeKeyFile),
	}
	if err := WriteCertPEM(f.CA, p.CA.Raw); err != nil {
		return Files{}, err
	}
	if err := WritePair(f.ServerCert, f.ServerKey, p.Server); err != nil {
		return Files{}, err
	}
	if err := WritePair(f.ClientCert, f.ClientKey, p.Client); err != nil {
		return Files{}, err
	}
	return f, nil
}

// WritePair writes a certificate chain and its private key as PEM files.
func WritePair(certPath, keyPath string, c tls.Certificate) error {
	if len(c.Certificate) == 0 {
		return errors.New("testpki: write pair: empty certificate")
	}
	var certPEM []byte
	for _, der := range c.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return fmt.Errorf("testpki: write %s: %w", certPath, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return fmt.Errorf("testpki: marshal key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return fmt.Errorf("testpki: write %s: %w", keyPath, err)
	}
	return nil
}

// WriteCertPEM writes one DER certificate as a PEM file.
func WriteCertPEM(path string, der []byte) error {
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("testpki: write %s: %w", path, err)
	}
	return nil
}

// Fingerprint is the SHA-256 fingerprint of a DER certificate in the
// colon-separated upper-case hex form of RFC 4572 ("AB:CD:…").
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

func randSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, fmt.Errorf("testpki: serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
