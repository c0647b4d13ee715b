package tlsprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/report"
)

// longPKI is a PKI valid for 400 days, so the clean case is not "expiring".
func longPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	p, err := testpki.NewWithOptions(testpki.Options{Validity: 400 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// mtlsEdge is what the tests expect of a mutual-TLS edge (the Mediation
// Server internal edge's row of the role table), judged now.
func mtlsEdge() Expect {
	return Expect{MutualTLS: true, ClientAuthEKU: true, WarnDays: DefaultWarnDays, Now: time.Now()}
}

// problems returns the sorted IDs of the findings that are not passing:
// "ID" for fail and warn, "ID(info)" and "ID?" (inconclusive) otherwise.
func problems(fs []report.Finding) []string {
	var ids []string
	for _, f := range fs {
		id := f.Check
		switch f.Severity {
		case report.Pass:
			continue
		case report.Info:
			id += "(info)"
		case report.Inconclusive:
			id += "?"
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// notEnumerated drops the inconclusive TLS-VERSION-WEAK and
// TLS-CIPHER-WEAK of a probe without --enumerate, after checking that they
// say so (or, without a handshake, that they point at it).
func notEnumerated(t testing.TB, fs []report.Finding) []report.Finding {
	t.Helper()
	var out []report.Finding
	for _, f := range fs {
		if (f.Check == "TLS-VERSION-WEAK" || f.Check == "TLS-CIPHER-WEAK") && f.Severity == report.Inconclusive {
			if !strings.Contains(f.Hint, "--enumerate") && !strings.Contains(f.Hint, "TLS-HANDSHAKE-FAILED") {
				t.Errorf("%s inconclusive without the --enumerate hint: %+v", f.Check, f)
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// finding returns the finding of check id, or nil.
func finding(fs []report.Finding, id string) *report.Finding {
	for i := range fs {
		if fs[i].Check == id {
			return &fs[i]
		}
	}
	return nil
}

func dump(t testing.TB, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		t.Logf("  %-5s %-26s %s | %s | hint: %s", f.Severity, f.Check, f.Summary, f.Detail, f.Hint)
	}
}

// sha1Cert issues a server certificate signed ECDSA-with-SHA1 by the CA.
func sha1Cert(t testing.TB, p *testpki.PKI) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"voipsec test"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(400 * 24 * time.Hour),
		DNSNames:           []string{"localhost"},
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SignatureAlgorithm: x509.ECDSAWithSHA1,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, p.CAKey)
	if err != nil {
		t.Fatalf("create SHA-1 certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serverAuthOnly is mtlsEdge for servers whose test certificate carries
// Server Authentication only.
func serverAuthOnly() Expect {
	e := mtlsEdge()
	e.ClientAuthEKU = false
	return e
}

// TestFindings drives every certificate and MTLS finding from an
// in-process server, for TLS 1.2 and TLS 1.3: each case must produce exactly
// the listed non-passing checks, and the clean case none.
func TestFindings(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	other := longPKI(t)                                                                      // a CA the server does not trust
	short := must(testpki.NewWithOptions(testpki.Options{Validity: 10 * 24 * time.Hour}))(t) // inside the 30-day warning horizon
	type tc struct {
		name   string
		server func(t testing.TB, c *tls.Config) // adjusts the strict server
		probe  func(c *Config)                   // adjusts the probe
		expect func(e *Expect)                   // adjusts the expectations
		mode   sipMode
		want   []string
		want12 []string // in addition, for TLS 1.2
	}
	cases := []tc{
		{name: "clean", want: nil},
		{name: "no client auth", server: func(_ testing.TB, c *tls.Config) { c.ClientAuth = tls.NoClientCert },
			want: []string{"MTLS-NOT-REQUESTED", "MTLS-NOT-REQUIRED"}},
		{name: "client cert optional", server: func(_ testing.TB, c *tls.Config) { c.ClientAuth = tls.VerifyClientCertIfGiven },
			want: []string{"MTLS-NOT-REQUIRED"}},
		// No handshake goes through: whether one would with a trusted
		// certificate is not known.
		{name: "client cert from untrusted CA", server: func(_ testing.TB, c *tls.Config) { c.ClientCAs = other.CAPool },
			// Under TLS 1.2 the rejection ends the handshake, before the
			// session (and its key exchange) is known.
			want: []string{"MTLS-CLIENT-CERT-REJECTED", "TLS-HANDSHAKE-FAILED?"}, want12: []string{"TLS-NO-FORWARD-SECRECY?"}},
		{name: "self-signed", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.SelfSigned())(t)}
		}, want: []string{"TLS-CERT-UNTRUSTED"}},
		{name: "expired", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.Expired())(t)}
		}, want: []string{"TLS-CERT-EXPIRED"}},
		{name: "not yet valid", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts,
				NotBefore: time.Now().Add(48 * time.Hour), NotAfter: time.Now().Add(300 * 24 * time.Hour),
				EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}))(t)}
		}, want: []string{"TLS-CERT-EXPIRED"}},
		{name: "expiring", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{short.Server}
		}, probe: func(c *Config) { c.RootCAs = short.CAPool }, want: []string{"TLS-CERT-EXPIRING"}},
		{name: "wrong name", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.WrongName())(t)}
		}, want: []string{"TLS-CERT-NAME-MISMATCH"}},
		{name: "name only in CN", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: []string{"other.invalid"},
				EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}))(t)}
		}, want: []string{"TLS-CERT-NAME-MISMATCH"}},
		{name: "no clientAuth EKU", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.NoClientAuth())(t)}
		}, want: []string{"TLS-CERT-EKU"}},
		{name: "no serverAuth EKU", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts,
				EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}))(t)}
		}, expect: func(e *Expect) { e.ClientAuthEKU = false }, want: []string{"TLS-CERT-EKU"}},
		{name: "RSA 1024", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 1024,
				EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}))(t)}
		}, want: []string{"TLS-CERT-WEAK-KEY"}},
		// Go refuses SHA-1 signatures when verifying, so the chain is also
		// untrusted for Go peers; both are reported.
		{name: "SHA-1 signature", server: func(t testing.TB, c *tls.Config) {
			c.Certificates = []tls.Certificate{sha1Cert(t, p)}
		}, want: []string{"TLS-CERT-UNTRUSTED", "TLS-CERT-WEAK-SIGNATURE"}},
		// SIP is sipcheck's: an OPTIONS answered 403 still tells that the
		// server kept the connection.
		{name: "OPTIONS 403", mode: sip403, want: nil},
	}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, c := range cases {
			t.Run(strings.ReplaceAll(tls.VersionName(version), " ", "")+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				sc := &tls.Config{
					Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequireAndVerifyClientCert,
					ClientCAs: p.CAPool, MinVersion: tls.VersionTLS12, MaxVersion: version,
				}
				if c.server != nil {
					c.server(t, sc)
				}
				addr := newTLSServer(t, sc, c.mode)
				cfg := Config{ServerName: "localhost", ClientCert: &p.Client, RootCAs: p.CAPool, Timeout: 2 * time.Second}
				if c.probe != nil {
					c.probe(&cfg)
				}
				e := mtlsEdge()
				if c.expect != nil {
					c.expect(&e)
				}
				res := Probe(t.Context(), addr, cfg)
				fs := Judge(res, e)
				want := slices.Clone(c.want)
				if version == tls.VersionTLS12 {
					want = append(want, c.want12...)
					sort.Strings(want)
				}
				if got := problems(notEnumerated(t, fs)); !slices.Equal(got, want) {
					t.Errorf("non-passing checks %v, want %v", got, want)
					dump(t, fs)
				}
				rejected := c.name == "client cert from untrusted CA" && version == tls.VersionTLS12
				if !rejected && (res.Handshake == nil || res.Handshake.VersionID != version) {
					t.Errorf("handshake %+v, want %s", res.Handshake, tls.VersionName(version))
				}
			})
		}
	}
}

// TestCleanFacts checks the structured facts and that every check that ran
// is listed as passing (JUnit lists them).
func TestCleanFacts(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs: p.CAPool, MinVersion: tls.VersionTLS12}, sip200)
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", ClientCert: &p.Client, RootCAs: p.CAPool,
		Enumerate: true, Timeout: 2 * time.Second})
	fs := Judge(res, mtlsEdge())
	var passed []string
	for _, f := range fs {
		passed = append(passed, f.Check)
	}
	sort.Strings(passed)
	want := []string{"MTLS-CLIENT-CERT-REJECTED", "MTLS-NOT-REQUESTED", "MTLS-NOT-REQUIRED",
		"TLS-CERT-EKU", "TLS-CERT-EXPIRED", "TLS-CERT-EXPIRING", "TLS-CERT-NAME-MISMATCH", "TLS-CERT-UNTRUSTED",
		"TLS-CERT-WEAK-KEY", "TLS-CERT-WEAK-SIGNATURE", "TLS-CIPHER-WEAK", "TLS-HANDSHAKE-FAILED", "TLS-NO-FORWARD-SECRECY", "TLS-VERSION-WEAK"}
	if !slices.Equal(passed, want) || len(problems(fs)) != 0 {
		t.Errorf("findings %v, want every check passing: %v", passed, want)
		dump(t, fs)
	}
	if res.Interrupted || res.Steps.Handshake.Status != StatusOK || res.Steps.ClientCert == nil || res.Steps.ClientCert.Status != StatusOK ||
		res.Steps.Enumeration == nil || res.Steps.Enumeration.Status != StatusOK {
		t.Errorf("steps %+v", res.Steps)
	}
	m := res.MTLS
	if !m.CertificateRequested || len(m.CANames) != 1 || !strings.Contains(m.CANames[0], "voipsec test") ||
		m.AcceptedWithoutClientCert == nil || *m.AcceptedWithoutClientCert || m.ClientCertAccepted == nil || !*m.ClientCertAccepted {
		t.Errorf("mtls %+v", m)
	}
	if m.WithoutClientCertAlert != "certificate required" {
		t.Errorf("TLS 1.3 rejection alert %q, want certificate required", m.WithoutClientCertAlert)
	}
	// The TLS 1.3 verdict on the certificate: the server's SIP answer.
	if !slices.Contains(m.Evidence, "with client certificate: SIP response received") {
		t.Errorf("mtls evidence %q", m.Evidence)
	}
	if len(res.Chain) != 1 || res.Chain[0].KeyType != "ECDSA" || res.Chain[0].KeyBits != 256 ||
		!slices.Contains(res.Chain[0].EKUs, "clientAuth") || !slices.Contains(res.Chain[0].DNSNames, "localhost") {
		t.Errorf("chain %+v", res.Chain)
	}
	accepted := map[string]int{}
	for _, v := range res.Versions {
		if v.Accepted {
			accepted[v.Version] = len(v.Suites)
		}
	}
	if len(accepted) != 2 || accepted["TLS 1.3"] != 3 || accepted["TLS 1.2"] == 0 {
		t.Errorf("versions %+v", res.Versions)
	}
	b, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(b), `"certificate_requested":true`) {
		t.Errorf("json: %v %s", err, b)
	}
}

// TestEnumeration checks versions and suites against a server whose
// configuration is known, including weak suites crypto/tls clients cannot
// offer by default.
func TestEnumeration(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	rsaCert := must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))(t)
	suites := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA}
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{rsaCert}, MinVersion: tls.VersionTLS10,
		MaxVersion: tls.VersionTLS12, CipherSuites: suites}, sip200)
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: 2 * time.Second})
	got := map[uint16][]uint16{}
	for _, v := range res.Versions {
		if v.Accepted {
			for _, s := range v.Suites {
				got[v.ID] = append(got[v.ID], s.ID)
			}
		} else if v.Error == "" {
			t.Errorf("%s refused without a reason", v.Version)
		}
	}
	// TLS 1.0/1.1 cannot use GCM.
	old := []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA}
	for v, want := range map[uint16][]uint16{tls.VersionTLS10: old, tls.VersionTLS11: old, tls.VersionTLS12: suites} {
		g := slices.Clone(got[v])
		slices.Sort(g)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s suites %x, want %x", tls.VersionName(v), got[v], want)
		}
	}
	if _, ok := got[0x0300]; ok {
		t.Error("SSL 3.0 reported accepted")
	}
	if _, ok := got[tls.VersionTLS13]; ok {
		t.Error("TLS 1.3 reported accepted")
	}
	// Server preference: crypto/tls prefers ECDHE AEAD over RSA kex and
	// puts RC4 and 3DES last.
	if g := got[tls.VersionTLS12]; len(g) == 5 && (g[0] != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 || !slices.Contains(g[3:], tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)) {
		t.Errorf("TLS 1.2 preference order %x", g)
	}
	fs := Judge(res, serverAuthOnly())
	if got := problems(fs); !slices.Equal(got, []string{"MTLS-NOT-REQUESTED", "MTLS-NOT-REQUIRED", "TLS-CIPHER-WEAK", "TLS-VERSION-WEAK"}) {
		t.Errorf("problems %v", got)
		dump(t, fs)
	}
}

// TestRawChainFallback: a server whose only suite the crypto/tls connections
// do not offer (RC4) fails the crypto/tls handshake, yet enumeration finds the suite
// and the raw parser still reads its certificate and CertificateRequest.
func TestRawChainFallback(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	rsaCert := must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{rsaCert}, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.CAPool}, sip200)
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: 2 * time.Second})
	// RC4 is all it speaks: the handshake fails for every client that
	// refuses RC4, and RSA key exchange gives no forward secrecy. Whether
	// it requires the certificate it requests, and what it makes of one,
	// no handshake got far enough to show.
	fs := Judge(res, serverAuthOnly())
	if got := problems(fs); !slices.Equal(got, []string{"MTLS-CLIENT-CERT-REJECTED?", "MTLS-NOT-REQUIRED?",
		"TLS-CIPHER-WEAK", "TLS-HANDSHAKE-FAILED", "TLS-NO-FORWARD-SECRECY"}) {
		t.Errorf("problems %v", got)
		dump(t, fs)
	}
	if !strings.HasPrefix(res.ChainFrom, "raw TLS 1.2") {
		t.Errorf("chain from %q", res.ChainFrom)
	}
	if len(res.Chain) != 1 || res.Chain[0].KeyType != "RSA" || res.Verify == nil || !res.Verify.Trusted {
		t.Errorf("chain %+v verify %+v", res.Chain, res.Verify)
	}
	if res.MTLS == nil || !res.MTLS.CertificateRequested || len(res.MTLS.CANames) != 1 || res.MTLS.AcceptedWithoutClientCert != nil {
		t.Errorf("mtls %+v", res.MTLS)
	}
}

// TestBrokenServers: servers that are not TLS end in TLS-HANDSHAKE-FAILED
// with a precise reason, within the timeout.
// TestLegacyServer: an OCS 2007 R2-like server (TLS 1.0 only, RSA key
// exchange with AES-CBC or 3DES, which Go no longer offers by default) still
// completes the crypto/tls handshake, so every certificate fact is there.
func TestLegacyServer(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	rsaCert := must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}))(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{rsaCert}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA},
		ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: p.CAPool}, sip200)
	var dials atomic.Int32
	d := &net.Dialer{}
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, ClientCert: &p.Client,
		Enumerate: true, Timeout: 2 * time.Second,
		Dial: func(ctx context.Context, network, a string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, a)
		}})
	// A server that answers a newer hello with a TLS 1.0 ServerHello has
	// refused that version: one hello tells, no chunked retries.
	conns := int32(2)
	for _, v := range res.Versions {
		conns += int32(len(v.Suites)) + 1
	}
	if dials.Load() != conns {
		t.Errorf("%d connections, want %d", dials.Load(), conns)
	}
	if res.Handshake == nil || res.Handshake.VersionID != tls.VersionTLS10 || res.Handshake.CipherSuiteID != tls.TLS_RSA_WITH_AES_128_CBC_SHA {
		t.Errorf("handshake %+v", res.Handshake)
	}
	fs := Judge(res, mtlsEdge())
	if got := problems(fs); !slices.Equal(got, []string{"TLS-CIPHER-WEAK", "TLS-NO-FORWARD-SECRECY", "TLS-VERSION-WEAK"}) {
		t.Errorf("problems %v", got)
		dump(t, fs)
	}
}

func TestBrokenServers(t *testing.T) {
	checkGoroutines(t)
	silent := newRawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }) // reads, never answers
	garbage := newRawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 1<<16))
		_, _ = c.Write([]byte("SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
	})
	closer := newRawServer(t, func(c net.Conn) { _, _ = c.Read(make([]byte, 1<<16)) })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := ln.Addr().String()
	_ = ln.Close()
	const timeout = 500 * time.Millisecond
	for _, c := range []struct {
		name, addr string
		status     Status
		detail     string
		sev        report.Severity // TLS-HANDSHAKE-FAILED's
	}{
		// Silence and a refused connection say nothing about the server's
		// TLS: inconclusive. Non-TLS bytes and a close are its answer.
		{"silent", silent, StatusTimeout, "no answer before the timeout", report.Inconclusive},
		{"garbage", garbage, StatusNotTLS, `did not answer with TLS, first bytes "SIP/2`, report.Fail},
		{"closes", closer, StatusClosed, "closed the connection without an alert", report.Fail},
		{"refused", refused, StatusRefused, "connection refused", report.Inconclusive},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			res := Probe(t.Context(), c.addr, Config{ServerName: "localhost", Timeout: timeout, Enumerate: true})
			if el := time.Since(start); el > 4*timeout {
				t.Errorf("took %v with a %v timeout", el, timeout)
			}
			if res.Status != c.status {
				t.Errorf("status %q, want %q (%s)", res.Status, c.status, res.Error)
			}
			if !strings.Contains(res.Error, c.addr) {
				t.Errorf("error %q does not name the target %s", res.Error, c.addr)
			}
			// The handshake failure is the one verdict, if any; every other
			// check could not be observed and says so.
			fs := Judge(res, mtlsEdge())
			var decided []string
			for _, f := range fs {
				if f.Severity != report.Inconclusive {
					decided = append(decided, f.Check+":"+f.Severity.String())
				} else if f.Hint == "" || f.Summary == "" {
					t.Errorf("inconclusive %s without reason or hint: %+v", f.Check, f)
				}
			}
			var want []string
			if c.sev != report.Inconclusive {
				want = []string{"TLS-HANDSHAKE-FAILED:" + c.sev.String()}
			}
			hs := finding(fs, "TLS-HANDSHAKE-FAILED")
			if !slices.Equal(decided, want) || hs == nil || hs.Severity != c.sev || !strings.Contains(hs.Detail, c.detail) {
				t.Errorf("decided findings %v, want %v; TLS-HANDSHAKE-FAILED %v with %q", decided, want, c.sev, c.detail)
				dump(t, fs)
			}
		})
	}
}

// TestWarnDays: the expiring horizon is the caller's, 0 included. A
// certificate with 10 days left warns at 30 and is not judged at 0 (issue
// 10: --warn-days 0 silently meant 30).
func TestWarnDays(t *testing.T) {
	short := must(testpki.NewWithOptions(testpki.Options{Validity: 10 * 24 * time.Hour}))(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{short.Server}}, sip200)
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: short.CAPool, Timeout: 2 * time.Second})
	for _, c := range []struct {
		days int
		want report.Severity
		none bool
	}{{30, report.Warn, false}, {5, report.Pass, false}, {0, 0, true}, {-1, 0, true}} {
		e := mtlsEdge()
		e.WarnDays = c.days
		f := finding(Judge(res, e), "TLS-CERT-EXPIRING")
		switch {
		case c.none && f != nil:
			t.Errorf("WarnDays %d: %+v, want no expiring check", c.days, f)
		case !c.none && (f == nil || f.Severity != c.want):
			t.Errorf("WarnDays %d: %+v, want %v", c.days, f, c.want)
		}
	}
}

// TestIPv6Literal: an IPv6 target is dialled, named by its IP SAN (no SNI)
// and addressed in brackets in the Request-URI of the OPTIONS that asks a
// TLS 1.3 server for its verdict on a client without a certificate.
func TestIPv6Literal(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	p := longPKI(t)
	srv := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS13})
	var uri string
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := srv.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		uri, _, _ = strings.Cut(string(buf[:n]), "\r\n")
		_, _ = c.Write([]byte("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
	}()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	res := Probe(t.Context(), ln.Addr().String(), Config{RootCAs: p.CAPool, Timeout: 2 * time.Second})
	if res.ServerName != "::1" || res.MTLS == nil || !slices.Contains(res.MTLS.Evidence, "without client certificate: SIP response received") {
		t.Errorf("server name %q, mtls %+v", res.ServerName, res.MTLS)
	}
	if !strings.HasPrefix(uri, "OPTIONS sip:[::1]:") {
		t.Errorf("request line %q", uri)
	}
	fs := Judge(res, mtlsEdge())
	if got := problems(notEnumerated(t, fs)); !slices.Equal(got, []string{"MTLS-CLIENT-CERT-REJECTED?", "MTLS-NOT-REQUIRED"}) {
		t.Errorf("problems %v", got)
		dump(t, fs)
	}
}

// TestLocalFailuresAreNoVerdict: failures on this side are no verdict on the
// server. A connection that cannot be opened (here: the network is
// unreachable) leaves TLS-HANDSHAKE-FAILED inconclusive; a client key that
// cannot sign fails the handshake with the certificate before the server
// judged it, which leaves MTLS-CLIENT-CERT-REJECTED inconclusive. Both used
// to fail.
func TestLocalFailuresAreNoVerdict(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	t.Run("unreachable", func(t *testing.T) {
		res := Probe(t.Context(), "192.0.2.1:5061", Config{ServerName: "localhost", Timeout: 2 * time.Second,
			Dial: func(context.Context, string, string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
			}})
		if res.Steps.Handshake.Phase != PhaseConnect {
			t.Errorf("handshake step %+v, want phase connect", res.Steps.Handshake)
		}
		fs := Judge(res, mtlsEdge())
		if f := finding(fs, "TLS-HANDSHAKE-FAILED"); f == nil || f.Severity != report.Inconclusive || !strings.Contains(f.Detail, "unreachable") {
			t.Errorf("TLS-HANDSHAKE-FAILED %+v, want inconclusive", f)
			dump(t, fs)
		}
	})
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run("key cannot sign/"+tls.VersionName(v), func(t *testing.T) {
			addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequireAndVerifyClientCert,
				ClientCAs: p.CAPool, MaxVersion: v}, sip200)
			bad := tls.Certificate{Certificate: p.Client.Certificate, PrivateKey: struct{}{}} // no crypto.Signer
			res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, ClientCert: &bad, Timeout: 2 * time.Second})
			if res.Steps.ClientCert == nil || res.Steps.ClientCert.Status != StatusError {
				t.Fatalf("client certificate step %+v, want a local error", res.Steps.ClientCert)
			}
			fs := Judge(res, mtlsEdge())
			for _, id := range []string{"MTLS-CLIENT-CERT-REJECTED", "TLS-HANDSHAKE-FAILED"} {
				if f := finding(fs, id); f == nil || f.Severity != report.Inconclusive {
					t.Errorf("%s %+v, want inconclusive", id, f)
				}
			}
			if f := finding(fs, "MTLS-NOT-REQUIRED"); f == nil || f.Severity != report.Pass {
				t.Errorf("MTLS-NOT-REQUIRED %+v, want pass", f)
			}
			if t.Failed() {
				dump(t, fs)
			}
		})
	}
}

// TestTLS13Silence: under TLS 1.3 the server's verdict on the client comes
// after the handshake, as an alert, a close, or a SIP answer. A server that
// sends none of them within the step timeout has not said yes: the verdict
// is undetermined, and MTLS-NOT-REQUIRED and MTLS-CLIENT-CERT-REJECTED are
// inconclusive. Silence used to be taken as acceptance, failing
// MTLS-NOT-REQUIRED and passing MTLS-CLIENT-CERT-REJECTED.
func TestTLS13Silence(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	for _, c := range []struct {
		name   string
		auth   tls.ClientAuthType
		check  string
		detail string
	}{
		{"without a client certificate", tls.VerifyClientCertIfGiven, "MTLS-NOT-REQUIRED", "without client certificate"},
		{"with the client certificate", tls.RequireAndVerifyClientCert, "MTLS-CLIENT-CERT-REJECTED", "with client certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: c.auth, ClientCAs: p.CAPool,
				MinVersion: tls.VersionTLS13}, sipSilent)
			res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, ClientCert: &p.Client, Timeout: 500 * time.Millisecond})
			fs := Judge(res, mtlsEdge())
			f := finding(fs, c.check)
			if f == nil || f.Severity != report.Inconclusive || !strings.Contains(f.Hint, "--step-timeout") ||
				!strings.Contains(f.Detail, c.detail+": undetermined: no alert and no SIP answer within the timeout") {
				t.Errorf("%s %+v, want inconclusive: silence is no verdict", c.check, f)
				dump(t, fs)
			}
		})
	}
}

// TestTLS13VerdictWindow: the wait for the server's TLS 1.3 verdict gets a
// step timeout of its own. It used to get what the dial deadline had left
// after a slow handshake, so a server that closed the connection on the
// client after a while (here: a handshake and a verdict that take 60% of the
// timeout each) was taken to have accepted it.
func TestTLS13VerdictWindow(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	const timeout = 2 * time.Second
	conf := &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS13}
	addr := newRawServer(t, func(c net.Conn) {
		time.Sleep(timeout * 6 / 10) // a slow handshake
		tc := tls.Server(c, conf)
		if tc.Handshake() != nil {
			return
		}
		if len(tc.ConnectionState().PeerCertificates) == 0 {
			time.Sleep(timeout * 6 / 10) // a slow verdict: no certificate, no service
			_ = tc.Close()
			return
		}
		_, _ = tc.Read(make([]byte, 4096))
		_, _ = tc.Write([]byte("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
	})
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Timeout: timeout})
	if res.MTLS == nil || res.MTLS.AcceptedWithoutClientCert == nil || *res.MTLS.AcceptedWithoutClientCert {
		t.Fatalf("mtls %+v, want the connection without a certificate rejected", res.MTLS)
	}
	if f := finding(Judge(res, mtlsEdge()), "MTLS-NOT-REQUIRED"); f == nil || f.Severity != report.Pass {
		t.Errorf("MTLS-NOT-REQUIRED %+v, want pass", f)
	}
}
