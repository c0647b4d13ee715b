package capgen

import (
	_ "embed"
	"encoding/pem"
)

// certs.pem holds the public certificates of a small X.509 hierarchy made
// once with crypto/x509 (RSA 2048; `go test ./inspect/internal/capgen
// -run TestCertsParse -gencerts` makes a new one; the keys are not kept):
// Contoso Root CA > Contoso Issuing CA 01 > med01, fe01, um01, gw01 and
// sbc01.contoso.com (serverAuth and clientAuth), and a foreign Fabrikam
// Root CA > gw.fabrikam.com. The trunk profile puts these chains in its TLS
// handshakes, so the capture reader parses real certificates.
//
//go:embed certs.pem
var certsPEM []byte

type certSet struct {
	byName map[string][]byte // DER by common name
	issuer map[string]string // common name of the issuer, for leaves
}

func loadCerts() *certSet {
	cs := &certSet{byName: map[string][]byte{}, issuer: map[string]string{}}
	rest := certsPEM
	var lastCA string
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		name := b.Headers["Name"]
		cs.byName[name] = b.Bytes
		switch name {
		case "Contoso Root CA", "Fabrikam Root CA", "Contoso Issuing CA 01":
			lastCA = name
		default:
			cs.issuer[name] = lastCA
		}
	}
	return cs
}

// chain returns the certificate list a server or client with this name
// sends: the leaf, then its issuer unless that is a root.
func (cs *certSet) chain(name string) [][]byte {
	out := [][]byte{cs.byName[name]}
	if iss := cs.issuer[name]; iss == "Contoso Issuing CA 01" {
		out = append(out, cs.byName[iss])
	}
	return out
}
