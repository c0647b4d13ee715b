package tlsprobe

import (
	"bytes"
	"crypto/dsa" //nolint:staticcheck // classifying legacy keys, not using them
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

var ekuNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny: "any", x509.ExtKeyUsageServerAuth: "serverAuth", x509.ExtKeyUsageClientAuth: "clientAuth",
	x509.ExtKeyUsageCodeSigning: "codeSigning", x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem: "ipsecEndSystem", x509.ExtKeyUsageIPSECTunnel: "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser: "ipsecUser", x509.ExtKeyUsageTimeStamping: "timeStamping",
	x509.ExtKeyUsageOCSPSigning: "OCSPSigning",
}

func describeCert(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	out := Certificate{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: c.SerialNumber.Text(16),
		DNSNames: c.DNSNames, NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SelfSigned:         isSelfSigned(c),
		SHA256:             strings.ToUpper(hex.EncodeToString(sum[:])),
	}
	for _, ip := range c.IPAddresses {
		out.IPAddresses = append(out.IPAddresses, ip.String())
	}
	for _, u := range c.URIs {
		out.URIs = append(out.URIs, u.String())
	}
	for _, e := range c.ExtKeyUsage {
		n, ok := ekuNames[e]
		if !ok {
			n = fmt.Sprintf("eku(%d)", e)
		}
		out.EKUs = append(out.EKUs, n)
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out.EKUs = append(out.EKUs, oid.String())
	}
	out.KeyType, out.KeyBits = keyInfo(c)
	return out
}

func keyInfo(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen()
	}
	return c.PublicKeyAlgorithm.String(), 0
}

// isSelfSigned reports whether c is signed by its own key. CheckSignature,
// unlike CheckSignatureFrom, accepts SHA-1: a root that signs itself with
// SHA-1 is still a root (nobody verifies a root's own signature).
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// dnString renders a DER distinguished name from a CertificateRequest.
func dnString(der []byte) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdn); err != nil || len(rest) > 0 {
		return "DER:" + hex.EncodeToString(der)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

// systemRoots loads the system's trusted roots (a variable for tests).
var systemRoots = x509.SystemCertPool

// observeChain records the chain the server sent and the verification
// facts: whether it parses, builds to roots (nil: the system roots), is in
// order, and names serverName. It reads no clock: trust is tried at moments
// inside the chain's validity, so that dates stay a fact of their own.
func observeChain(raw [][]byte, serverName string, roots *x509.CertPool, res *Result) {
	v := &Verification{InOrder: true}
	res.Verify = v
	res.Chain = res.Chain[:0]
	var chain []*x509.Certificate
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			v.ParseError = fmt.Sprintf("certificate #%d of the chain the server sent does not parse as X.509 (%s)", i, wordsOf(err.Error()))
			v.TrustError = v.ParseError
			if len(chain) == 0 {
				res.Chain = nil
				return
			}
			// The leaf parsed: the name it carries is a fact whatever
			// follows it (RFC 5922 §7.1-7.2 looks at the leaf only).
			v.NameMatches, v.NameError = matchName(chain[0], serverName)
			return
		}
		chain = append(chain, c)
		res.Chain = append(res.Chain, describeCert(c))
	}
	leaf := chain[0]

	// Order: each certificate should be issued by the next (RFC 8446 §4.4.2,
	// RFC 5246 §7.4.2).
	for i := 0; i+1 < len(chain); i++ {
		if chain[i].CheckSignatureFrom(chain[i+1]) != nil {
			v.InOrder = false
		}
	}

	// Trust, judged at moments inside every certificate's validity so that
	// expiry is reported by its own check, not as distrust.
	if roots == nil {
		var err error
		if roots, err = systemRoots(); err != nil {
			// A failure of this machine, not of the server: trust is not
			// known (the other facts are).
			v.RootsError = "the system's trusted roots could not be loaded: " + wordsOf(err.Error())
			v.TrustError = v.RootsError
		}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	lo, hi := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	times := []time.Time{leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)}
	if lo.Before(hi) {
		times = []time.Time{lo.Add(hi.Sub(lo) / 2), lo.Add(time.Second), hi.Add(-time.Second)}
	}
	var verr error
	if v.RootsError == "" {
		// Only date errors at every moment: the chain builds, and the
		// dates are TLS-CERT-EXPIRED's.
		for _, at := range times {
			_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err == nil {
				verr = nil
				break
			}
			var ci x509.CertificateInvalidError
			if !(errors.As(err, &ci) && ci.Reason == x509.Expired) && verr == nil {
				verr = err
			}
		}
	}
	v.Trusted = verr == nil && v.RootsError == ""
	if verr != nil {
		v.TrustError = trustReason(verr, chain)
	}
	// Name: RFC 5922 §7.1-7.2.
	v.NameMatches, v.NameError = matchName(leaf, serverName)
}

// trustReason words a verification error for the administrator: what
// failed, on which certificate of the chain (#0 is the leaf), with the
// library's cause after it only where it adds something, without its
// package prefix.
func trustReason(err error, chain []*x509.Certificate) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		// x509 reports a link it could not verify (a SHA-1 signature, an
		// issuer that is no CA) as an unknown authority too: look at the
		// links of the chain sent first.
		if why := brokenLink(chain); why != "" {
			return why
		}
		last := chain[len(chain)-1]
		switch {
		case len(chain) == 1 && isSelfSigned(chain[0]):
			return "certificate #0 is self-signed and not among the trusted roots: " + chain[0].Subject.String()
		case isSelfSigned(last):
			return fmt.Sprintf("the chain ends at certificate #%d, a root that is not trusted: %s", len(chain)-1, last.Subject.String())
		default:
			return fmt.Sprintf("unknown authority: issuer %q of certificate #%d %q was not sent and is not a trusted root (missing intermediate or untrusted CA)",
				last.Issuer.String(), len(chain)-1, last.Subject.String())
		}
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) {
		why := invalidReason(ci)
		if ci.Detail != "" {
			why += " (" + wordsOf(ci.Detail) + ")"
		}
		return certLabel(ci.Cert, chain) + " " + why
	}
	return "the chain does not verify: " + wordsOf(err.Error())
}

// insecureSignatures are the signature algorithms x509 refuses to verify in
// a chain (MD2, MD5, SHA-1).
var insecureSignatures = []x509.SignatureAlgorithm{x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1}

// brokenLink finds why a certificate of chain cannot be verified by the
// issuer it names: the issuer (sent in the chain) is no CA or may not sign
// certificates, its signature does not verify, or the signature algorithm
// is one verification refuses. Empty when every link it can see holds.
func brokenLink(chain []*x509.Certificate) string {
	for i, c := range chain {
		if isSelfSigned(c) {
			continue
		}
		for j, parent := range chain {
			if j == i || !bytes.Equal(parent.RawSubject, c.RawIssuer) {
				continue
			}
			err := c.CheckSignatureFrom(parent)
			var ia x509.InsecureAlgorithmError
			switch {
			case err == nil:
			case errors.As(err, &ia):
				return fmt.Sprintf("certificate #%d (%s) is signed with %s, which chain verification refuses", i, c.Subject, c.SignatureAlgorithm)
			case errors.As(err, new(x509.ConstraintViolationError)):
				return fmt.Sprintf("certificate #%d (%s) issued certificate #%d, but is not a CA certificate allowed to sign certificates (basic constraints, key usage)",
					j, parent.Subject, i)
			default:
				return fmt.Sprintf("the signature of certificate #%d (%s) does not verify with the key of its issuer, certificate #%d (%s): %s",
					i, c.Subject, j, parent.Subject, wordsOf(err.Error()))
			}
		}
		// Its issuer was not sent: a refused algorithm fails with any root.
		if slices.Contains(insecureSignatures, c.SignatureAlgorithm) {
			return fmt.Sprintf("certificate #%d (%s) is signed with %s, which chain verification refuses", i, c.Subject, c.SignatureAlgorithm)
		}
	}
	return ""
}

// certLabel names c by its place in the chain sent, or as a root.
func certLabel(c *x509.Certificate, chain []*x509.Certificate) string {
	if c == nil {
		return "the chain"
	}
	for i, s := range chain {
		if s.Equal(c) {
			return fmt.Sprintf("certificate #%d (%s)", i, c.Subject)
		}
	}
	return fmt.Sprintf("the root %s", c.Subject)
}

// invalidReason words x509's reasons for a certificate that does not verify.
func invalidReason(ci x509.CertificateInvalidError) string {
	switch ci.Reason {
	case x509.NotAuthorizedToSign:
		return "issued a certificate of the chain, but is not a CA certificate allowed to sign certificates"
	case x509.Expired:
		return "is outside its validity period"
	case x509.CANotAuthorizedForThisName:
		return "has a name that the name constraints of a CA above it do not permit"
	case x509.CANotAuthorizedForExtKeyUsage:
		return "has an extended key usage that a CA above it is not allowed"
	case x509.TooManyIntermediates:
		return "is below more intermediates than a path length constraint allows"
	case x509.IncompatibleUsage:
		return "has a key usage that does not allow this use"
	case x509.NameMismatch:
		return "names an issuer that is not the subject of the certificate that signed it"
	case x509.UnconstrainedName:
		return "has a name of a type that the name constraints of a CA above it cannot check"
	case x509.NoValidChains:
		return "builds no chain to a trusted root that is valid"
	}
	return "does not verify: " + wordsOf(ci.Error())
}

// matchName applies RFC 5922 §7.1-7.2: the target must be a subjectAltName
// dNSName (exact, case-insensitive) or iPAddress; the CN is not consulted
// when SANs exist and wildcards are not accepted for SIP.
func matchName(leaf *x509.Certificate, name string) (bool, string) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if ip := net.ParseIP(name); ip != nil {
		for _, a := range leaf.IPAddresses {
			if a.Equal(ip) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("IP %s is not among the IP SANs %v", name, leaf.IPAddresses)
	}
	// A subjectAltName URI of the sip scheme naming the host is the first
	// identity RFC 5922 §7.1 looks at.
	for _, u := range leaf.URIs {
		if strings.EqualFold(u.Scheme, "sip") {
			h := u.Opaque
			if h == "" {
				h = u.Host
			}
			if i := strings.LastIndexByte(h, '@'); i >= 0 {
				h = h[i+1:]
			}
			if j := strings.IndexAny(h, ":;"); j >= 0 {
				h = h[:j]
			}
			if strings.EqualFold(strings.TrimSuffix(h, "."), name) {
				return true, ""
			}
		}
	}
	wildcard := false
	for _, d := range leaf.DNSNames {
		d = strings.TrimSuffix(strings.ToLower(d), ".")
		if d == name {
			return true, ""
		}
		if strings.HasPrefix(d, "*.") {
			if i := strings.IndexByte(name, '.'); i > 0 && name[i+1:] == d[2:] {
				wildcard = true
			}
		}
	}
	switch {
	case wildcard:
		return false, fmt.Sprintf("%s matches only a wildcard SAN; RFC 5922 §7.2 does not accept wildcards for SIP (SANs %v)", name, leaf.DNSNames)
	case strings.EqualFold(leaf.Subject.CommonName, name):
		return false, fmt.Sprintf("%s is only in the subject CN, not in the subjectAltName (RFC 5922 rules out CN matching)", name)
	}
	return false, fmt.Sprintf("%s is not among the DNS SANs %v or IP SANs %v (CN %q)", name, leaf.DNSNames, leaf.IPAddresses, leaf.Subject.CommonName)
}
