package testpki

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"slices"
	"testing"
	"time"
)

// handshake runs a TLS handshake over loopback TCP and returns both sides' errors.
func handshake(t *testing.T, srv, cli *tls.Config) (serverErr, clientErr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		tc := tls.Server(c, srv)
		err = tc.HandshakeContext(ctx)
		if err == nil {
			// Read so that a client-side rejection of the server in TLS 1.3 surfaces.
			_ = tc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			var b [1]byte
			_, _ = tc.Read(b[:])
		}
		done <- err
	}()
	d := tls.Dialer{Config: cli}
	c, clientErr := d.DialContext(ctx, "tcp", ln.Addr().String())
	if clientErr == nil {
		c.Close()
	}
	return <-done, clientErr
}

func TestMutualTLS(t *testing.T) {
	p := NewT(t)
	srv := &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientCAs: p.CAPool, ClientAuth: tls.RequireAndVerifyClientCert}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		cli := &tls.Config{RootCAs: p.CAPool, ServerName: name, Certificates: []tls.Certificate{p.Client}}
		if se, ce := handshake(t, srv, cli); se != nil || ce != nil {
			t.Fatalf("%s: server %v, client %v", name, se, ce)
		}
	}
	// Without a client certificate the server must refuse.
	cli := &tls.Config{RootCAs: p.CAPool, ServerName: "localhost"}
	if se, _ := handshake(t, srv, cli); se == nil {
		t.Fatal("server accepted a client without certificate")
	}
}

func TestEKUs(t *testing.T) {
	p := NewT(t)
	if !slices.Contains(p.Server.Leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) ||
		!slices.Contains(p.Server.Leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		t.Fatalf("server EKUs %v", p.Server.Leaf.ExtKeyUsage)
	}
	nca, err := p.NoClientAuth()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(nca.Leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		t.Fatal("NoClientAuth carries clientAuth")
	}
	// The server certificate works as a client certificate; NoClientAuth does not.
	opts := x509.VerifyOptions{Roots: p.CAPool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := p.Server.Leaf.Verify(opts); err != nil {
		t.Fatalf("server cert as client: %v", err)
	}
	if _, err := nca.Leaf.Verify(opts); err == nil {
		t.Fatal("NoClientAuth verified for clientAuth")
	}
}

func TestBrokenVariants(t *testing.T) {
	p := NewT(t)
	exp, err := p.Expired()
	if err != nil {
		t.Fatal(err)
	}
	_, err = exp.Leaf.Verify(x509.VerifyOptions{Roots: p.CAPool, DNSName: "localhost"})
	var inv x509.CertificateInvalidError
	if !errors.As(err, &inv) || inv.Reason != x509.Expired {
		t.Fatalf("expired: got %v", err)
	}
	wn, err := p.WrongName()
	if err != nil {
		t.Fatal(err)
	}
	_, err = wn.Leaf.Verify(x509.VerifyOptions{Roots: p.CAPool, DNSName: "localhost"})
	var hn x509.HostnameError
	if !errors.As(err, &hn) {
		t.Fatalf("wrong name: got %v", err)
	}
	ss, err := p.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	_, err = ss.Leaf.Verify(x509.VerifyOptions{Roots: p.CAPool, DNSName: "localhost"})
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("self-signed: got %v", err)
	}
	other := NewT(t)
	if _, err := other.Server.Leaf.Verify(x509.VerifyOptions{Roots: p.CAPool}); err == nil {
		t.Fatal("a second PKI's server verified against the first CA")
	}
}

func TestWriteFiles(t *testing.T) {
	p := NewT(t)
	f, err := p.WriteFiles(t.TempDir() + "/pki")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{f.ServerCert, f.ServerKey}, {f.ClientCert, f.ClientKey}} {
		if _, err := tls.LoadX509KeyPair(pair[0], pair[1]); err != nil {
			t.Fatalf("load %s: %v", pair[0], err)
		}
		fi, err := os.Stat(pair[1])
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key %s mode %v err %v", pair[1], fi.Mode(), err)
		}
	}
	caPEM, err := os.ReadFile(f.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM did not parse")
	}
	if _, err := p.Server.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
}

func TestIssueRSAAndFingerprint(t *testing.T) {
	p := NewT(t)
	c, err := p.Issue(IssueOptions{Hosts: []string{"med01.contoso.test"}, RSABits: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if c.Leaf.PublicKeyAlgorithm != x509.RSA || c.Leaf.DNSNames[0] != "med01.contoso.test" {
		t.Fatalf("got %v %v", c.Leaf.PublicKeyAlgorithm, c.Leaf.DNSNames)
	}
	fp := Fingerprint(p.CA.Raw)
	if len(fp) != 32*3-1 || fp[2] != ':' {
		t.Fatalf("fingerprint %q", fp)
	}
	var nilPKI *PKI
	if _, err := nilPKI.Issue(IssueOptions{}); err == nil {
		t.Fatal("nil PKI issued")
	}
}
