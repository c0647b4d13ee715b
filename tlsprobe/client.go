package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"strings"
)

// clientSuites is what the crypto/tls connections offer: every suite Go
// implements, including RSA key exchange, CBC and 3DES (gone from Go's
// defaults, still what OCS 2007 R2 and Exchange 2007 on Windows Server 2003
// and 2008 negotiate), secure first. An explicit list needs no GODEBUG:
// tlsrsakex and tls3des only govern the default list (crypto/tls
// defaults.go, Go 1.26). RC4 stays out: RFC 7465 §2 forbids offering it;
// the raw enumeration still detects it, and a server that speaks only RC4
// is read by [prober.rawChain].
var clientSuites = func() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		if !strings.Contains(s.Name, "RC4") {
			ids = append(ids, s.ID)
		}
	}
	return ids
}()

// ClientConfig returns the TLS client configuration of a SIP leg to an OCS
// 2007 R2 / Lync / Exchange UM edge, the one tlsprobe's own handshakes use:
// it talks to what those servers talk, and leaves judging to [Judge].
//
//   - TLS 1.0 to TLS 1.3 and every cipher suite Go implements except RC4:
//     static-RSA key exchange and CBC included, which Go's defaults dropped
//     and Windows Server 2003/2008 still negotiate. No GODEBUG is needed for
//     them: the explicit MinVersion and CipherSuites enable them per config.
//   - No certificate verification: tlsprobe verifies the chain and reports
//     every reason; a SIP leg that stopped at an untrusted certificate would
//     hide everything behind it.
//   - ServerName (SNI) only for a DNS name, never an IP literal
//     (RFC 6066 §3); serverName may carry a trailing dot or brackets.
//   - cert, when not nil, is offered whenever the server asks, whatever CA
//     names its CertificateRequest lists, so that the server's verdict on it
//     is observed (crypto/tls would otherwise send no certificate when the
//     issuer is not listed). A nil cert answers a request with none.
//
// What it cannot enable per config: SHA-1 signatures in TLS 1.2 handshakes
// (ServerKeyExchange, CertificateVerify), off since Go 1.25 and governed
// process-wide by GODEBUG tlssha1=1 (a //go:debug line in a main package).
// TLS 1.0 and 1.1 sign with MD5+SHA-1 and are not affected.
//
// Each call returns a new config; the caller may modify it.
func ClientConfig(serverName string, cert *tls.Certificate) *tls.Config {
	return &tls.Config{
		ServerName:         sniFor(serverName),
		InsecureSkipVerify: true, // tlsprobe verifies the chain; see above
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       slices.Clone(clientSuites),
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert != nil {
				return cert, nil
			}
			return &tls.Certificate{}, nil
		},
	}
}

// sniFor is the server_name a ClientHello carries for name: the DNS name
// without a trailing dot, or nothing for an IP literal (RFC 6066 §3).
func sniFor(name string) string {
	host := strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if i := strings.LastIndexByte(host, '%'); i > 0 {
		if net.ParseIP(host[:i]) != nil {
			return "" // scoped IPv6 literal
		}
	}
	if net.ParseIP(host) != nil {
		return ""
	}
	return host
}

// certSubject names a client certificate for evidence.
func certSubject(c *tls.Certificate) string {
	switch {
	case c == nil:
		return ""
	case c.Leaf != nil:
		return c.Leaf.Subject.String()
	case len(c.Certificate) > 0:
		if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
			return leaf.Subject.String()
		}
	}
	return ""
}
