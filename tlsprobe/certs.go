package tlsprobe

import (
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
	"strings"
	"time"

	"github.com/voipsec/voipsec/report"
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

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) && c.CheckSignatureFrom(c) == nil
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

// analyzeChain records the chain and emits the certificate findings.
func (p *prober) analyzeChain(raw [][]byte, res *Result) {
	var chain []*x509.Certificate
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			res.Findings = append(res.Findings, report.New("TLS-CERT-UNTRUSTED", p.target,
				"server sent a certificate that does not parse").WithDetail("certificate #%d: %v", i, err))
			return
		}
		chain = append(chain, c)
		res.Chain = append(res.Chain, describeCert(c))
	}
	leaf := chain[0]
	now := p.cfg.Now()
	v := &Verification{InOrder: true}
	res.Verify = v

	// Order: each certificate should be issued by the next (RFC 8446 §4.4.2,
	// RFC 5246 §7.4.2).
	for i := 0; i+1 < len(chain); i++ {
		if chain[i].CheckSignatureFrom(chain[i+1]) != nil {
			v.InOrder = false
		}
	}

	// Trust, judged at a moment inside every certificate's validity so that
	// expiry is reported by its own check, not as distrust.
	roots := p.cfg.RootCAs
	var rootsErr error
	if roots == nil {
		roots, rootsErr = x509.SystemCertPool()
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	// Try now, then moments inside the chain's validity: a chain that builds
	// at some moment is trusted, and its dates are TLS-CERT-EXPIRED's job.
	times := []time.Time{now}
	lo, hi := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	if lo.Before(hi) {
		times = append(times, lo.Add(hi.Sub(lo)/2), lo.Add(time.Second), hi.Add(-time.Second))
	}
	var verr error
	if rootsErr != nil {
		verr = fmt.Errorf("load system roots: %w", rootsErr)
	} else {
		// Only date errors at every moment: the chain builds, and the
		// dates are reported by TLS-CERT-EXPIRED.
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
	v.Trusted = verr == nil
	switch {
	case verr != nil:
		v.TrustError = trustReason(verr, chain)
		res.Findings = append(res.Findings, report.New("TLS-CERT-UNTRUSTED", p.target,
			"certificate chain does not verify").WithDetail("%s", v.TrustError))
	case !v.InOrder:
		res.Findings = append(res.Findings, report.New("TLS-CERT-UNTRUSTED", p.target,
			"certificate chain is sent out of order").WithSeverity(report.Warn).
			WithDetail("the chain verifies only after reordering; strict peers reject it (RFC 5246 §7.4.2)"))
	default:
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-UNTRUSTED", p.target,
			"certificate chain verifies to a trusted root"))
	}

	// Validity of every certificate sent.
	var bad []string
	soonest := chain[0]
	for i, c := range chain {
		if now.After(c.NotAfter) {
			bad = append(bad, fmt.Sprintf("#%d %s expired %s", i, c.Subject, c.NotAfter.UTC().Format(time.RFC3339)))
		} else if now.Before(c.NotBefore) {
			bad = append(bad, fmt.Sprintf("#%d %s not valid before %s", i, c.Subject, c.NotBefore.UTC().Format(time.RFC3339)))
		}
		if c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	if len(bad) > 0 {
		res.Findings = append(res.Findings, report.New("TLS-CERT-EXPIRED", p.target,
			"certificate expired or not yet valid").WithDetail("%s", strings.Join(bad, "; ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-EXPIRED", p.target,
			"every certificate is within its validity period"))
		if p.cfg.WarnDays > 0 {
			left := soonest.NotAfter.Sub(now)
			days := int(left.Hours() / 24)
			if left < time.Duration(p.cfg.WarnDays)*24*time.Hour {
				res.Findings = append(res.Findings, report.Newf("TLS-CERT-EXPIRING", p.target,
					"certificate expires in %d days", days).WithDetail("%s expires %s (warning horizon %d days)",
					soonest.Subject, soonest.NotAfter.UTC().Format(time.RFC3339), p.cfg.WarnDays))
			} else {
				res.Findings = append(res.Findings, report.Passed("TLS-CERT-EXPIRING", p.target,
					fmt.Sprintf("certificate valid for %d more days", days)))
			}
		}
	}

	// Name: RFC 5922 §7.1-7.2.
	v.NameMatches, v.NameError = matchName(leaf, p.serverName)
	if v.NameMatches {
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-NAME-MISMATCH", p.target,
			fmt.Sprintf("certificate subjectAltName contains %s", p.serverName)))
	} else {
		res.Findings = append(res.Findings, report.Newf("TLS-CERT-NAME-MISMATCH", p.target,
			"certificate does not name %s", p.serverName).WithDetail("%s", v.NameError))
	}

	// EKU.
	has := func(want x509.ExtKeyUsage) bool {
		if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
			return true // no EKU extension: any usage (RFC 5280 §4.2.1.12)
		}
		for _, e := range leaf.ExtKeyUsage {
			if e == want || e == x509.ExtKeyUsageAny {
				return true
			}
		}
		return false
	}
	var missing []string
	if !has(x509.ExtKeyUsageServerAuth) {
		missing = append(missing, "serverAuth (1.3.6.1.5.5.7.3.1)")
	}
	if p.cfg.RequireClientAuthEKU && !has(x509.ExtKeyUsageClientAuth) {
		missing = append(missing, "clientAuth (1.3.6.1.5.5.7.3.2)")
	}
	if len(missing) > 0 {
		res.Findings = append(res.Findings, report.Newf("TLS-CERT-EKU", p.target,
			"certificate lacks %s", strings.Join(missing, " and ")).WithDetail("EKUs present: %s",
			strings.Join(res.Chain[0].EKUs, ", ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-EKU", p.target,
			"certificate has the needed extended key usages").WithDetail("EKUs: %s", strings.Join(res.Chain[0].EKUs, ", ")))
	}

	// Weak keys and signatures anywhere in the chain. A self-signed root's
	// own signature is not checked by anyone and is ignored.
	var weakKeys, weakSigs []string
	for i, c := range chain {
		kt, bits := res.Chain[i].KeyType, res.Chain[i].KeyBits
		if (kt == "RSA" || kt == "DSA") && bits < 2048 || kt == "ECDSA" && bits < 256 {
			weakKeys = append(weakKeys, fmt.Sprintf("#%d %s: %s %d bits", i, c.Subject, kt, bits))
		}
		switch c.SignatureAlgorithm {
		case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
			if !res.Chain[i].SelfSigned {
				weakSigs = append(weakSigs, fmt.Sprintf("#%d %s: %s", i, c.Subject, c.SignatureAlgorithm))
			}
		}
	}
	if len(weakKeys) > 0 {
		res.Findings = append(res.Findings, report.New("TLS-CERT-WEAK-KEY", p.target,
			"weak key in the certificate chain").WithDetail("%s", strings.Join(weakKeys, "; ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-WEAK-KEY", p.target, "every key in the chain is strong enough"))
	}
	if len(weakSigs) > 0 {
		res.Findings = append(res.Findings, report.New("TLS-CERT-WEAK-SIGNATURE", p.target,
			"weak signature in the certificate chain").WithDetail("%s", strings.Join(weakSigs, "; ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-CERT-WEAK-SIGNATURE", p.target, "no MD5 or SHA-1 signature in the chain"))
	}
}

// trustReason turns an x509 verification error into the administrator's
// words: unknown authority, missing intermediate, self-signed.
func trustReason(err error, chain []*x509.Certificate) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		last := chain[len(chain)-1]
		switch {
		case len(chain) == 1 && isSelfSigned(chain[0]):
			return "self-signed certificate not in the trusted roots: " + chain[0].Subject.String()
		case isSelfSigned(last):
			return "chain ends at a root that is not trusted: " + last.Subject.String()
		default:
			return fmt.Sprintf("unknown authority: issuer %q of %q was not sent and is not a trusted root (missing intermediate or untrusted CA)",
				last.Issuer.String(), last.Subject.String())
		}
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) {
		return "invalid certificate: " + ci.Error()
	}
	return err.Error()
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
