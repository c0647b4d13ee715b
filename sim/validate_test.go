package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/matrix"
)

// Validate rejects every configuration the simulator would serve
// differently from what it says, and Start refuses it before listening.
func TestConfigValidate(t *testing.T) {
	cert := tls.Certificate{}
	for _, tc := range []struct {
		name string
		c    Config
		want string // "" = valid
	}{
		{"zero value", Config{}, ""},
		{"secured preset", func() Config { var c Config; c.ApplyRole(RoleUM, false); c.Preset(matrix.Secured); return c }(), ""},
		{"unknown transport", Config{Transports: []string{"sctp"}}, `unknown transport "sctp"`},
		{"listen not an IP", Config{Listen: "med01"}, `listen address "med01" is not an IP address`},
		{"MTLS without TLS", Config{Transports: []string{UDP}, MTLS: MTLSRequire}, "MTLS require needs the tls transport"},
		{"versions without TLS", Config{Transports: []string{TCP}, MinTLS: tls.VersionTLS12}, "TLS versions or cipher suites set without the tls transport"},
		{"suites without TLS", Config{Transports: []string{TCP}, Ciphers: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, "without the tls transport"},
		{"certificate without TLS", Config{Transports: []string{UDP}, Certificate: &cert}, "certificate or client CAs set without the tls transport"},
		{"client CAs without TLS", Config{Transports: []string{UDP}, ClientCAs: x509.NewCertPool()}, "without the tls transport"},
		{"TLS fault without TLS", Config{Transports: []string{UDP, TCP}, Faults: []Fault{FaultExpiredCert}}, "fault expired-cert needs the tls transport"},
		{"min above max", Config{MinTLS: tls.VersionTLS13, MaxTLS: tls.VersionTLS12}, "minimum TLS version 1.3 is above the maximum 1.2"},
		{"suites with TLS 1.3 only", Config{MinTLS: tls.VersionTLS13, Ciphers: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, "TLS 1.3 (whose suites are fixed) is the only version"},
		{"TCP and TLS on one port", Config{SIPPort: 5070, TLSPort: 5070}, "TCP and TLS cannot both listen on port 5070"},
		{"UDP and TLS on one port", Config{Transports: []string{UDP, TLS}, SIPPort: 5070, TLSPort: 5070}, ""},
		{"worker TCP and TLS on one port", Config{CallRouter: true, WorkerPort: 5065, WorkerTLSPort: 5065}, "worker's TCP and TLS cannot both listen on port 5065"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid configuration rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			if s, err := Start(context.Background(), tc.c); err == nil {
				s.Close()
				t.Fatal("Start served a configuration Validate rejects")
			}
		})
	}
}
