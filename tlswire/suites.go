package tlswire

import "fmt"

// CipherSuite describes one TLS cipher suite from the IANA "TLS Cipher
// Suites" registry (https://www.iana.org/assignments/tls-parameters), with the
// key exchange, authentication, encryption and MAC columns of testssl.sh's
// cipher-mapping table, and voipsec's weakness classification.
//
// Insecure follows RFC 7525 / RFC 9325 §4.1: NULL encryption, EXPORT key
// exchange, anonymous authentication, RC4 (RFC 7465), single DES, 3DES and
// other 64-bit block ciphers (Sweet32), RC2. Weakness names the reasons.
type CipherSuite struct {
	ID          uint16 `json:"id"`
	Name        string `json:"name"`         // IANA name, e.g. TLS_RSA_WITH_3DES_EDE_CBC_SHA
	OpenSSLName string `json:"openssl_name"` // e.g. DES-CBC3-SHA
	MinVersion  uint16 `json:"min_version"`  // oldest version that defines it
	MaxVersion  uint16 `json:"max_version"`  // newest version that can negotiate it
	Kx          string `json:"kx"`
	Au          string `json:"au"`
	Enc         string `json:"enc"`
	MAC         string `json:"mac"`
	Insecure    bool   `json:"insecure"`
	Weakness    string `json:"weakness,omitempty"`
}

// CipherSuites returns every suite voipsec knows (and offers when
// enumerating), in registry-file order. The slice is shared: do not modify.
func CipherSuites() []*CipherSuite { return cipherSuites }

var suiteByID = func() map[uint16]*CipherSuite {
	m := make(map[uint16]*CipherSuite, len(cipherSuites))
	for _, s := range cipherSuites {
		m[s.ID] = s
	}
	return m
}()

// LookupCipherSuite returns the suite with id, or nil.
func LookupCipherSuite(id uint16) *CipherSuite { return suiteByID[id] }

// CipherSuiteName returns the IANA name of id, or "0x%04X" when unknown
// (like crypto/tls.CipherSuiteName).
func CipherSuiteName(id uint16) string {
	if s := suiteByID[id]; s != nil {
		return s.Name
	}
	return fmt.Sprintf("0x%04X", id)
}
