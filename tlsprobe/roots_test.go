package tlsprobe

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

func x509VerifyOpts(pool *x509.CertPool) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: pool, DNSName: "localhost"}
}

func TestRootPool(t *testing.T) {
	p := longPKI(t)
	dir := t.TempDir()
	files, err := p.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := RootPool(files.CA)
	if err != nil {
		t.Fatal(err)
	}
	leaf := p.Server.Leaf
	if _, err := leaf.Verify(x509VerifyOpts(pool)); err != nil {
		t.Errorf("server certificate does not verify against the pool: %v", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	_ = os.WriteFile(bad, []byte("not pem"), 0o600)
	if _, err := RootPool(bad); err == nil {
		t.Error("a file without certificates was accepted")
	}
	if _, err := RootPool(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("a missing file was accepted")
	}
}
