package plan

import (
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
)

// SmallMediaRange is the largest media port range the IPsec check accepts
// as "small": the size of the OCS 2007 R2 default range 60000-64000, about
// 1,000 simultaneous calls. A larger range excepted from IPsec is a warning.
const SmallMediaRange = 4001

// ExpiringWithin is how close to its expiry a certificate earns a
// TLS-CERT-EXPIRING warning.
const ExpiringWithin = 30 * 24 * time.Hour

// Component names, used as finding targets for the parts of the plan that
// are not endpoints.
const (
	TargetMedia = "media ports and IPsec"
	TargetTrust = "probe trust material"
)

// DialPlanTarget is the finding target of a dial plan.
func DialPlanTarget(name string) string { return "dial plan " + name }

// Target is the finding target of the endpoint: its role, server and URL,
// e.g. "Mediation med01.contoso.com internal edge tls://10.0.20.5:5061".
func (e Endpoint) Target() string {
	switch e.Role {
	case RoleUM:
		return fmt.Sprintf("UM %s %s", e.Server, e.URL())
	case RoleInternal:
		return fmt.Sprintf("Mediation %s internal edge %s", e.Server, e.URL())
	case RoleExternal:
		return fmt.Sprintf("Mediation %s external edge %s", e.Server, e.URL())
	case RoleGateway:
		if e.Server != "" {
			return fmt.Sprintf("gateway %s %s", e.Server, e.URL())
		}
		return "gateway " + e.URL()
	}
	return e.URL()
}

// Target is the finding target of the Mediation Server as a whole (its
// certificate, its two edges together).
func (m MediationServer) Target() string { return "Mediation " + m.FQDN }

// Suite maps a finding target to its component name for JUnit test suites:
// "dial-plan/NAME", "um/FQDN", "mediation/FQDN", "mediation/FQDN/internal",
// "mediation/FQDN/external", "mediation/FQDN/gateway", "media", "trust".
// Unknown targets are returned unchanged. Each call walks the plan; a
// renderer that looks up every target takes [Plan.SuiteFunc].
func (p *Plan) Suite(target string) string { return p.SuiteFunc()(target) }

// SuiteFunc returns [Plan.Suite] with the plan walked once, for a report's
// Suite: a plan with thousands of components otherwise costs a walk of all
// of them per target.
func (p *Plan) SuiteFunc() func(target string) string {
	names := map[string]string{TargetMedia: "media", TargetTrust: "trust"}
	add := func(target, suite string) {
		if _, ok := names[target]; !ok { // the first component with the target names it
			names[target] = suite
		}
	}
	for _, d := range p.DialPlans {
		add(DialPlanTarget(d.Name), "dial-plan/"+d.Name)
	}
	for _, u := range p.UMServers {
		add(u.Endpoint.Target(), "um/"+u.FQDN)
	}
	for _, m := range p.MediationServers {
		add(m.Target(), "mediation/"+m.FQDN)
		add(m.Internal.Target(), "mediation/"+m.FQDN+"/internal")
		add(m.External.Target(), "mediation/"+m.FQDN+"/external")
		if m.Gateway != nil {
			add(m.Gateway.Target(), "mediation/"+m.FQDN+"/gateway")
		}
	}
	p.accessSuites(add) // plan/access.go
	return func(target string) string {
		if s, ok := names[target]; ok {
			return s
		}
		return target
	}
}

// at returns f located at the plan field path.
func (p *Plan) at(f report.Finding, path string) report.Finding {
	f.Location = p.Location(path)
	return f
}

// Static runs every check that needs no network and returns its findings,
// passing ones included, each located at the plan line it comes from. now
// is the time certificates are judged at.
func Static(p *Plan, now time.Time) []report.Finding {
	var out []report.Finding
	out = append(out, p.dialPlanChecks()...)
	out = append(out, p.trustChecks(now)...)
	for _, u := range p.UMServers {
		if u.Certificate != nil {
			out = append(out, p.certChecks(u.Endpoint.Target(), u.path+".certificate", u.Certificate, u.FQDN, now)...)
		}
	}
	for _, m := range p.MediationServers {
		out = append(out, p.mediationChecks(m, now)...)
	}
	// Only what the plan declares about IPsec is judged: without an ipsec
	// section, "IPsec is not used" would be a pass nobody declared.
	if p.declares("ipsec") {
		out = append(out, p.ipsecCheck())
	}
	out = append(out, AccessChecks(p)...) // plan/access.go
	return out
}

func (p *Plan) dialPlanChecks() []report.Finding {
	var out []report.Finding
	type level struct {
		lvl  *matrix.EncryptionLevel
		path string
		what string
	}
	levels := []level{
		{p.Policy.ClientEncryption, "policy.client_encryption", "client encryption level"},
		{p.Policy.ServerMediaEncryption, "policy.server_media_encryption", "server media encryption"},
	}
	for _, d := range p.DialPlans {
		t := DialPlanTarget(d.Name)
		vp := d.path + ".voip_security"
		if d.VoipSecurity == matrix.Unsecured {
			out = append(out, p.at(report.Newf("UM-VOIPSEC-UNSECURED", t,
				"dial plan %s is Unsecured; OCS requires mutual TLS to Exchange UM", d.Name), vp))
		} else {
			out = append(out, p.at(report.Passed("UM-VOIPSEC-UNSECURED", t,
				fmt.Sprintf("dial plan %s is %s: mutual TLS signalling", d.Name, d.VoipSecurity)), vp))
		}
		for _, l := range levels {
			if l.lvl == nil {
				continue
			}
			var f report.Finding
			if d.VoipSecurity == matrix.Unsecured {
				f = report.Newf("UM-ENCRYPTION-INCOMPATIBLE", t, "Unsecured dial plan %s works with no %s (%s)", d.Name, l.what, *l.lvl)
				f.Detail = "Unsecured signals over TCP without mutual TLS; OCS requires MTLS to Exchange UM"
			} else {
				v := matrix.Evaluate(d.VoipSecurity, *l.lvl)
				if v.Compatible {
					f = report.Passed(v.Check, t, fmt.Sprintf("%s dial plan %s works with %s %s", d.VoipSecurity, d.Name, l.what, *l.lvl))
				} else {
					f = report.Newf(v.Check, t, "%s dial plan %s does not work with %s %s", d.VoipSecurity, d.Name, l.what, *l.lvl)
				}
				f.Detail = v.Reason + "; " + l.path + " at " + p.Location(l.path).String()
			}
			out = append(out, p.at(f, vp))
		}
	}
	return out
}

func (p *Plan) mediationChecks(m MediationServer, now time.Time) []report.Finding {
	var out []report.Finding
	if m.Certificate != nil {
		out = append(out, p.certChecks(m.Target(), m.path+".certificate", m.Certificate, m.FQDN, now)...)
	}
	// Internal and external edges on different IP addresses (two NICs).
	if sameHost(m.Internal.Address, m.External.Address) {
		f := report.Newf("EDGE-SHARED-ADDRESS", m.Target(), "internal and external edges both listen on %s", m.Internal.Address)
		f.Detail = fmt.Sprintf("internal edge at %s, external edge at %s",
			p.Location(m.Internal.path+".address"), p.Location(m.External.path+".address"))
		out = append(out, p.at(f, m.External.path+".address"))
	} else {
		out = append(out, p.at(report.Passed("EDGE-SHARED-ADDRESS", m.Target(),
			fmt.Sprintf("internal edge %s and external edge %s are on different addresses", m.Internal.Address, m.External.Address)),
			m.External.path+".address"))
	}
	// The gateway leg: both its ends must speak TLS.
	legs := []Endpoint{m.External}
	if m.Gateway != nil {
		legs = append(legs, *m.Gateway)
	}
	for _, e := range legs {
		side := "the external edge's gateway listener"
		if e.Role == RoleGateway {
			side = "the gateway"
		}
		path := e.path + ".transport"
		if e.Transport != TLS {
			out = append(out, p.at(report.Newf("GW-NO-TLS", e.Target(), "%s uses %s, not TLS", side, strings.ToUpper(string(e.Transport))), path))
		} else {
			out = append(out, p.at(report.Passed("GW-NO-TLS", e.Target(), side+" uses TLS"), path))
		}
	}
	return out
}

// sameHost reports whether two plan addresses name the same host, without
// resolving names: IP addresses compare as addresses, names case-insensitively.
func sameHost(a, b string) bool {
	ia, ib := net.ParseIP(a), net.ParseIP(b)
	if ia != nil && ib != nil {
		return ia.Equal(ib)
	}
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

func (p *Plan) ipsecCheck() report.Finding {
	ip, media := p.IPsec, p.Media.Ports
	if !ip.Enabled {
		return p.at(report.Passed("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia, "IPsec is not used; no media exception is needed"), "ipsec.enabled")
	}
	switch {
	case media == nil:
		return p.at(report.New("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia,
			"IPsec is used but the plan declares no media port range (media.ports) to except"), "ipsec.enabled")
	case ip.Exception == nil:
		return p.at(report.Newf("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia,
			"IPsec is used with no exception for the media ports %s", media), "ipsec.enabled")
	case !ip.Exception.Covers(*media):
		f := report.Newf("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia,
			"the IPsec exception %s does not cover the media ports %s", ip.Exception, media)
		f.Detail = fmt.Sprintf("media ports declared at %s", p.Location("media.ports"))
		return p.at(f, "ipsec.exception")
	case media.Len() > SmallMediaRange:
		f := report.Newf("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia,
			"the media range %s excepted from IPsec is large (%d ports)", media, media.Len()).WithSeverity(report.Warn)
		f.Detail = fmt.Sprintf("keep the range excepted from IPsec small: at most %d ports (the OCS 2007 R2 default 60000-64000)", SmallMediaRange)
		return p.at(f, "media.ports")
	}
	return p.at(report.Passed("IPSEC-NO-MEDIA-EXCEPTION", TargetMedia,
		fmt.Sprintf("the IPsec exception %s covers the media ports %s (%d ports)", ip.Exception, media, media.Len())), "ipsec.exception")
}

func (p *Plan) trustChecks(now time.Time) []report.Finding {
	var out []report.Finding
	if c := p.Trust.CA; c != nil {
		out = append(out, p.validity(TargetTrust, "trust.ca", "the CA certificate", c.Certs[0], now)...)
	}
	if c := p.Trust.ClientCert; c != nil {
		path := "trust.client_certificate"
		leaf := c.Certs[0]
		out = append(out, p.validity(TargetTrust, path, "the probe's client certificate", leaf, now)...)
		if hasEKU(leaf, x509.ExtKeyUsageClientAuth) {
			out = append(out, p.at(report.Passed("TLS-CERT-EKU", TargetTrust, "the probe's client certificate has Client Authentication"), path))
		} else {
			out = append(out, p.at(report.New("TLS-CERT-EKU", TargetTrust, "the probe's client certificate lacks Client Authentication; servers will reject it"), path))
		}
	}
	return out
}

// certChecks judges a server certificate the plan names: validity, chain to
// the plan's CA, name, EKUs.
func (p *Plan) certChecks(target, path string, cf *CertFile, fqdn string, now time.Time) []report.Finding {
	leaf := cf.Certs[0]
	what := fmt.Sprintf("%s's certificate", fqdn)
	out := p.validity(target, path, what, leaf, now)
	if roots := p.Trust.Roots(); roots != nil {
		inter := x509.NewCertPool()
		for _, c := range cf.Certs[1:] {
			inter.AddCert(c)
		}
		_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil && !isExpiry(err) {
			f := report.Newf("TLS-CERT-UNTRUSTED", target, "%s does not chain to the plan's CA (trust.ca)", what)
			f.Detail = err.Error()
			out = append(out, p.at(f, path))
		} else {
			out = append(out, p.at(report.Passed("TLS-CERT-UNTRUSTED", target, what+" chains to the plan's CA"), path))
		}
	}
	if certNames(leaf, fqdn) {
		out = append(out, p.at(report.Passed("TLS-CERT-NAME-MISMATCH", target, what+" names "+fqdn), path))
	} else {
		f := report.Newf("TLS-CERT-NAME-MISMATCH", target, "%s does not name %s", what, fqdn)
		f.Detail = fmt.Sprintf("subjectAltName DNS names: %s; subject CN: %q", orNone(leaf.DNSNames), leaf.Subject.CommonName)
		out = append(out, p.at(f, path))
	}
	var missing []string
	if !hasEKU(leaf, x509.ExtKeyUsageServerAuth) {
		missing = append(missing, "Server Authentication")
	}
	if !hasEKU(leaf, x509.ExtKeyUsageClientAuth) {
		missing = append(missing, "Client Authentication")
	}
	if len(missing) > 0 {
		out = append(out, p.at(report.Newf("TLS-CERT-EKU", target, "%s lacks %s (mutual TLS servers need both)", what, strings.Join(missing, " and ")), path))
	} else {
		out = append(out, p.at(report.Passed("TLS-CERT-EKU", target, what+" has Server and Client Authentication"), path))
	}
	return out
}

func (p *Plan) validity(target, path, what string, c *x509.Certificate, now time.Time) []report.Finding {
	const day = "2006-01-02 15:04 MST"
	var out []report.Finding
	switch {
	case now.After(c.NotAfter):
		f := report.Newf("TLS-CERT-EXPIRED", target, "%s expired on %s", what, c.NotAfter.UTC().Format(day))
		out = append(out, p.at(f, path))
	case now.Before(c.NotBefore):
		f := report.Newf("TLS-CERT-EXPIRED", target, "%s is not valid before %s", what, c.NotBefore.UTC().Format(day))
		out = append(out, p.at(f, path))
	default:
		out = append(out, p.at(report.Passed("TLS-CERT-EXPIRED", target, what+" is within its validity period"), path))
		if c.NotAfter.Sub(now) < ExpiringWithin {
			out = append(out, p.at(report.Newf("TLS-CERT-EXPIRING", target, "%s expires on %s", what, c.NotAfter.UTC().Format(day)), path))
		} else {
			out = append(out, p.at(report.Passed("TLS-CERT-EXPIRING", target, fmt.Sprintf("%s is valid for more than %d days", what, int(ExpiringWithin.Hours()/24))), path))
		}
	}
	return out
}

func isExpiry(err error) bool {
	ce, ok := err.(x509.CertificateInvalidError)
	return ok && ce.Reason == x509.Expired
}

func hasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true // no EKU extension: any usage (RFC 5280 §4.2.1.12)
	}
	for _, u := range c.ExtKeyUsage {
		if u == want || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// certNames reports whether c names fqdn the way SIP peers check it
// (RFC 5922 §7.1-7.2): an exact subjectAltName DNS match, no wildcards; the
// CN only when the certificate has no DNS SANs.
func certNames(c *x509.Certificate, fqdn string) bool {
	want := strings.TrimSuffix(fqdn, ".")
	if len(c.DNSNames) == 0 {
		return strings.EqualFold(c.Subject.CommonName, want)
	}
	for _, n := range c.DNSNames {
		if strings.EqualFold(strings.TrimSuffix(n, "."), want) {
			return true
		}
	}
	return false
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// Components returns the finding targets of the plan's components in the
// order reports list them: dial plans, the probe's trust material, UM
// servers, each Mediation Server (itself, internal edge, external edge,
// gateway), then the media ports and IPsec.
func (p *Plan) Components() []string {
	var out []string
	for _, d := range p.DialPlans {
		out = append(out, DialPlanTarget(d.Name))
	}
	out = append(out, TargetTrust)
	for _, u := range p.UMServers {
		out = append(out, u.Endpoint.Target())
	}
	for _, m := range p.MediationServers {
		out = append(out, m.Target(), m.Internal.Target(), m.External.Target())
		if m.Gateway != nil {
			out = append(out, m.Gateway.Target())
		}
	}
	out = append(out, TargetMedia)
	return append(out, p.accessComponents()...) // plan/access.go
}

// Sort orders findings by component (as [Plan.Components]), then worst
// severity first, then check ID. Targets the plan does not know go last,
// in first-seen order.
func (p *Plan) Sort(fs []report.Finding) {
	report.SortTargets(fs, p.Components())
}
