package tlsprobe

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

var errNoCertificates = errors.New("tlsprobe: no PEM certificates in file")

// RootPool returns the system roots plus the PEM CA certificates in each of
// caFiles (the --ca flag). With no system pool available it starts empty.
func RootPool(caFiles ...string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, f := range caFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("tlsprobe: read CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("%w: %s", errNoCertificates, f)
		}
	}
	return pool, nil
}
