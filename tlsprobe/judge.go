package tlsprobe

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// Expect is what a probed endpoint is expected to do, the measure [Judge]
// holds a [Result] against. It is plain data: callers build it from the role
// table (matrix.Role.Expect), a plan's expectations and the flags.
type Expect struct {
	// MutualTLS: the endpoint must request and require a client
	// certificate; MTLS-NOT-REQUESTED and MTLS-NOT-REQUIRED fail when it
	// does not, and MTLS-CLIENT-CERT-REJECTED is inconclusive when no
	// client certificate was offered. When false, what the endpoint does
	// is information. It comes from the role (matrix.Expectations.MutualTLS),
	// never from the port.
	MutualTLS bool
	// ClientAuthEKU: the server certificate must carry Client
	// Authentication as well as Server Authentication (TLS-CERT-EKU),
	// because the server is also the TLS client of its peers.
	ClientAuthEKU bool
	// MinVersion (tls.VersionTLS12, ...) is a plan's min_tls: accepted
	// versions below it fail TLS-VERSION-WEAK. 0 means the default rule:
	// deprecated versions (SSL 3.0, TLS 1.0, TLS 1.1) warn.
	MinVersion uint16
	// WarnDays is the TLS-CERT-EXPIRING horizon in days; 0 (or negative)
	// means no expiring check at all. Callers pass [DefaultWarnDays] unless
	// the user chose another horizon.
	WarnDays int
	// Now is the moment certificate validity is judged at. The zero time
	// leaves TLS-CERT-EXPIRED inconclusive: Judge reads no clock.
	Now time.Time
	// Why is the reason behind MutualTLS and ClientAuthEKU (the role and
	// why it expects them), quoted in the evidence of the findings they
	// decide. Optional.
	Why string
}

// Judge turns the facts of r into findings against e: one finding per
// check per target, passing ones included, each targeted at r.Target
// (callers retarget). Where the facts do not decide a check (the run was
// interrupted, the handshake never got that far, the step was not asked
// for) the finding is inconclusive ([report.CouldNotTell]) with the reason
// and a hint. A check that does not apply (the expiring horizon is 0, the
// server never asked for the client certificate) is left out. Judge does
// no I/O and reads no clock.
func Judge(r *Result, e Expect) []report.Finding {
	if r == nil {
		return nil
	}
	j := &judge{r: r, e: e}
	j.handshake()
	j.certificates()
	j.mtls()
	j.versions()
	j.suites()
	j.forwardSecrecy()
	return j.out
}

type judge struct {
	r   *Result
	e   Expect
	out []report.Finding
}

func (j *judge) add(f report.Finding) { j.out = append(j.out, f) }

const (
	hintInterrupted = "the run was interrupted (--timeout reached, or a signal) before this was observed; run it again with more time"
	hintInternal    = "the probe stopped on an internal error; this is a voipsec bug, please report it with the command line"
	hintHandshake   = "no TLS handshake got that far; fix what TLS-HANDSHAKE-FAILED reports first"
	hintClientCert  = "give a client certificate the edge trusts with --cert and --key (plan: trust.client_certificate and client_key)"
	hintTrustedCert = "offer a certificate from a CA the edge trusts (MTLS-CLIENT-CERT-REJECTED lists the CAs it accepts)"
	hintVerdict     = "raise --step-timeout so that the server's TLS 1.3 verdict (an alert, a close or a SIP answer) arrives; an edge that gives none leaves this undetermined"
	hintUnparsed    = "the server must send a chain whose every certificate parses; TLS-CERT-UNTRUSTED has the parse error"
)

// unobserved is the inconclusive finding for a check whose facts are
// missing because the probe did not get that far: step is the step that
// would have observed them (nil: the first handshake).
func (j *judge) unobserved(id, what string, step *Step) report.Finding {
	if step == nil {
		step = &j.r.Steps.Handshake
	}
	switch {
	case step.Status == StatusInterrupted:
		return report.CouldNotTell(id, j.r.Target, "interrupted before "+what+" was observed", hintInterrupted).WithDetail("%s", step.Error)
	case step.Status == "" || j.r.InternalError != "" && !step.Ran():
		return report.CouldNotTell(id, j.r.Target, what+" was not observed: the probe stopped on an internal error", hintInternal).WithDetail("%s", j.r.InternalError)
	case step.Status == StatusNotRun:
		return report.CouldNotTell(id, j.r.Target, what+" was not observed: "+strings.TrimPrefix(step.Error, "not run: "), hintHandshake)
	}
	return report.CouldNotTell(id, j.r.Target, what+" was not observed: no TLS handshake got that far", hintHandshake).WithDetail("%s", step.Error)
}

// through reports whether the handshake of step completed and the server
// did not reject the client after it (TLS 1.3); accepted is the server's
// verdict on that client, nil when undetermined.
func through(step *Step, accepted *bool) bool {
	return step != nil && step.Status == StatusOK && (accepted == nil || *accepted)
}

// rejected reports whether the server refused a client for its certificate
// (or the lack of one).
func rejected(accepted *bool) bool { return accepted != nil && !*accepted }

func (j *judge) noCertAccepted() *bool {
	if j.r.MTLS == nil {
		return nil
	}
	return j.r.MTLS.AcceptedWithoutClientCert
}

func (j *judge) certAccepted() *bool {
	if j.r.MTLS == nil {
		return nil
	}
	return j.r.MTLS.ClientCertAccepted
}

// TLS-HANDSHAKE-FAILED: a handshake completed, or why none did.
func (j *judge) handshake() {
	const id = "TLS-HANDSHAKE-FAILED"
	r, hs, cc := j.r, &j.r.Steps.Handshake, j.r.Steps.ClientCert
	switch {
	case through(hs, j.noCertAccepted()) || through(cc, j.certAccepted()):
		summary := "TLS handshake completed"
		if h := r.Handshake; h != nil {
			summary += fmt.Sprintf(" (%s, %s)", h.Version, h.CipherSuite)
		}
		j.add(report.Passed(id, r.Target, summary))
	case rejected(j.noCertAccepted()):
		// The server speaks TLS and stops at client authentication: its
		// verdict is the MTLS checks'; whether a handshake completes with
		// a certificate it trusts is what this check cannot tell.
		switch {
		case cc == nil:
			j.add(report.CouldNotTell(id, r.Target, "the handshake stops at client authentication: the server requires a client certificate and none was offered", hintClientCert))
		case rejected(j.certAccepted()):
			j.add(report.CouldNotTell(id, r.Target, "the handshake stops at client authentication: the server rejected the client certificate offered", hintTrustedCert))
		case !cc.Ran():
			j.add(j.unobserved(id, "the handshake with the client certificate", cc))
		case cc.Status == StatusOK:
			j.add(report.CouldNotTell(id, r.Target, "the handshake with the client certificate completed, but whether the server kept it is undetermined",
				hintVerdict).WithDetail("%s", strings.Join(r.MTLS.Evidence, "; ")))
		case !serversAnswer(cc):
			reason, hint := noAnswer(cc, "the handshake with the client certificate")
			j.add(report.CouldNotTell(id, r.Target, reason, hint).WithDetail("%s", cc.Error))
		default:
			j.add(report.New(id, r.Target, "TLS handshake with the client certificate failed").WithDetail("%s", cc.Error))
		}
	case !hs.Ran():
		j.add(j.unobserved(id, "a TLS handshake", hs))
	case hs.Phase == PhaseConnect || !serversAnswer(hs) && hs.Status != StatusError:
		// StatusError in the handshake is crypto/tls refusing what the
		// server sent (an SSL 3.0 ServerHello): the server's answer.
		reason, hint := noAnswer(hs, "the TLS handshake")
		j.add(report.CouldNotTell(id, r.Target, reason, hint).WithDetail("%s", hs.Error))
	default:
		if reason, ok := j.clientLimited(); ok {
			j.add(report.CouldNotTell(id, r.Target, "no handshake completed, but only because the server accepts nothing this probe's TLS client implements",
				"check with the peer itself or openssl s_client; TLS-VERSION-WEAK and TLS-CIPHER-WEAK list what the server accepts").WithDetail("%s; %s", hs.Error, reason))
			return
		}
		f := report.New(id, r.Target, "TLS handshake failed").WithDetail("%s", hs.Error)
		if acc := acceptedVersions(r.Versions); len(acc) > 0 {
			f.Detail += "; enumeration: the server accepts only " + strings.Join(acc, ", ")
		}
		j.add(f)
	}
}

// serversAnswer reports whether a failed handshake step ended on the
// server's answer: an alert, a close, bytes that are not TLS. A timeout, a
// name that does not resolve, a connection that was refused or could not be
// opened, and a failure on this side (StatusError: crypto/tls refused to go
// on) are not; but crypto/tls refusing what the server sent is also
// StatusError, so the caller decides about that for the first handshake.
func serversAnswer(s *Step) bool {
	if s.Phase == PhaseConnect {
		return false
	}
	switch s.Status {
	case StatusAlert, StatusClosed, StatusNotTLS:
		return true
	}
	return false
}

// noAnswer words why a failed step tells nothing about the server's TLS,
// and what to change; what is the step ("the TLS handshake").
func noAnswer(s *Step, what string) (reason, hint string) {
	const address = "check the address and port, and that the port is reachable from here (DNS, firewall)"
	switch {
	case s.Status == StatusDNS:
		return what + " was not tried: the name does not resolve", address
	case s.Status == StatusRefused:
		return what + " was not tried: the TCP connection was refused (nothing listens on the port, or a firewall refuses it)", address
	case s.Status == StatusTimeout && s.Phase == PhaseConnect:
		return what + " was not tried: the TCP connection did not open within the step timeout", address + "; or raise --step-timeout"
	case s.Phase == PhaseConnect:
		return what + " was not tried: the TCP connection could not be opened", address
	case s.Status == StatusTimeout:
		return "the server did not answer " + what + " within the step timeout", "raise --step-timeout: a slow or busy server may answer later"
	}
	return what + " stopped in this TLS client, without an alert or a close from the server",
		"check that --cert and --key are a pair this TLS client can sign with (the detail says what failed)"
}

// clientLimited reports whether the enumeration shows that the handshake
// failed for want of something crypto/tls implements: the server accepts a
// version and suite that are not weak, and none that ClientConfig offers.
func (j *judge) clientLimited() (string, bool) {
	var sound []string
	for _, v := range j.r.Versions {
		if !v.Accepted {
			continue
		}
		for _, s := range v.Suites {
			if v.ID >= tlswire.VersionTLS10 && (v.ID >= tlswire.VersionTLS13 || slices.Contains(clientSuites, s.ID)) {
				return "", false // crypto/tls could have negotiated this one
			}
			if !s.Insecure && v.ID >= tlswire.VersionTLS10 {
				sound = append(sound, v.Version+" "+s.Name)
			}
		}
	}
	if len(sound) == 0 {
		return "", false
	}
	return "accepted, not implemented by Go's crypto/tls: " + strings.Join(sound, ", "), true
}

func acceptedVersions(vs []Version) []string {
	var out []string
	for _, v := range vs {
		if v.Accepted {
			out = append(out, v.Version)
		}
	}
	return out
}

// The certificate checks: TLS-CERT-UNTRUSTED, -EXPIRED, -EXPIRING,
// -NAME-MISMATCH, -EKU, -WEAK-KEY, -WEAK-SIGNATURE.
func (j *judge) certificates() {
	r := j.r
	ids := []string{"TLS-CERT-UNTRUSTED", "TLS-CERT-EXPIRED", "TLS-CERT-EXPIRING", "TLS-CERT-NAME-MISMATCH",
		"TLS-CERT-EKU", "TLS-CERT-WEAK-KEY", "TLS-CERT-WEAK-SIGNATURE"}
	if len(r.Chain) == 0 || r.Verify == nil {
		for _, id := range ids {
			if r.Verify != nil && r.Verify.ParseError != "" {
				if id == "TLS-CERT-UNTRUSTED" {
					j.add(report.New(id, r.Target, "server sent a certificate that does not parse").WithDetail("%s", r.Verify.ParseError))
				} else {
					j.add(report.CouldNotTell(id, r.Target, "the server's certificate does not parse",
						"reissue the certificate; TLS-CERT-UNTRUSTED has the parse error").WithDetail("%s", r.Verify.ParseError))
				}
				continue
			}
			if id == "TLS-CERT-EXPIRING" && j.e.WarnDays <= 0 {
				continue
			}
			j.add(j.unobserved(id, "the server's certificate", nil))
		}
		return
	}
	v := r.Verify
	chain := r.Chain
	leaf := chain[0]
	from := ""
	if r.ChainFrom != "" && r.ChainFrom != "handshake" {
		from = " (read from a " + r.ChainFrom + ")"
	}
	// passed is the passing finding of a check over the whole chain. When a
	// certificate after the leaf did not parse, the chain holds only the
	// ones before it, and what the rest would show is unknown: the check
	// is inconclusive (a failure found in the parsed part stands).
	passed := func(id, summary, partial string) report.Finding {
		if v.ParseError != "" {
			return report.CouldNotTell(id, r.Target, partial+"; what that certificate and any after it hold is unknown", hintUnparsed).WithDetail("%s", v.ParseError)
		}
		return report.Passed(id, r.Target, summary)
	}

	switch {
	case v.ParseError != "":
		j.add(report.New("TLS-CERT-UNTRUSTED", r.Target, "server sent a certificate that does not parse").WithDetail("%s", v.ParseError))
	case v.RootsError != "":
		j.add(report.CouldNotTell("TLS-CERT-UNTRUSTED", r.Target, "whether the chain is trusted was not checked: this machine's trusted roots could not be loaded",
			"give the CA that should anchor the chain with --ca (plan: trust.ca), or fix the system's CA bundle").WithDetail("%s%s", v.RootsError, from))
	case !v.Trusted:
		j.add(report.New("TLS-CERT-UNTRUSTED", r.Target, "certificate chain does not verify").WithDetail("%s%s", v.TrustError, from))
	case !v.InOrder:
		j.add(report.New("TLS-CERT-UNTRUSTED", r.Target, "certificate chain is sent out of order").WithSeverity(report.Warn).
			WithDetail("the chain verifies only after reordering; strict peers reject it (RFC 5246 §7.4.2)"))
	default:
		j.add(report.Passed("TLS-CERT-UNTRUSTED", r.Target, "certificate chain verifies to a trusted root"))
	}

	// Validity of every certificate sent, at e.Now.
	now := j.e.Now
	if now.IsZero() {
		j.add(report.CouldNotTell("TLS-CERT-EXPIRED", r.Target, "no time was given to judge the certificate dates at",
			"this is a voipsec bug (Expect.Now unset), please report it"))
	} else {
		var bad []string
		soonest := leaf
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
			j.add(report.New("TLS-CERT-EXPIRED", r.Target, "certificate expired or not yet valid").WithDetail("%s", strings.Join(bad, "; ")))
		} else {
			j.add(passed("TLS-CERT-EXPIRED", "every certificate is within its validity period",
				"no expired or not yet valid certificate before the one that does not parse"))
			// Expiring applies to valid certificates, with a horizon.
			if j.e.WarnDays > 0 {
				left := soonest.NotAfter.Sub(now)
				days := int(left.Hours() / 24)
				if left < time.Duration(j.e.WarnDays)*24*time.Hour {
					j.add(report.Newf("TLS-CERT-EXPIRING", r.Target, "certificate expires in %d days", days).
						WithDetail("%s expires %s (warning horizon %d days)", soonest.Subject, soonest.NotAfter.UTC().Format(time.RFC3339), j.e.WarnDays))
				} else {
					f := passed("TLS-CERT-EXPIRING", fmt.Sprintf("certificate valid for %d more days", days),
						fmt.Sprintf("the certificates before the one that does not parse are valid for %d more days", days))
					if f.Severity == report.Pass {
						f = f.WithDetail("warning horizon %d days", j.e.WarnDays)
					}
					j.add(f)
				}
			}
		}
	}

	// Name: RFC 5922 §7.1-7.2.
	if v.NameMatches {
		j.add(report.Passed("TLS-CERT-NAME-MISMATCH", r.Target, fmt.Sprintf("certificate names %s", r.ServerName)))
	} else {
		j.add(report.Newf("TLS-CERT-NAME-MISMATCH", r.Target, "certificate does not name %s", r.ServerName).WithDetail("%s", v.NameError))
	}

	// EKU (RFC 5280 §4.2.1.12: no extension means any usage).
	has := func(name string) bool {
		return len(leaf.EKUs) == 0 || slices.Contains(leaf.EKUs, name) || slices.Contains(leaf.EKUs, "any")
	}
	ekus := strings.Join(leaf.EKUs, ", ")
	if ekus == "" {
		ekus = "none (no EKU extension: any usage)"
	}
	var missing []string
	if !has("serverAuth") {
		missing = append(missing, "serverAuth (1.3.6.1.5.5.7.3.1)")
	}
	if j.e.ClientAuthEKU && !has("clientAuth") {
		missing = append(missing, "clientAuth (1.3.6.1.5.5.7.3.2)")
	}
	switch {
	case len(missing) > 0:
		f := report.Newf("TLS-CERT-EKU", r.Target, "certificate lacks %s", strings.Join(missing, " and ")).WithDetail("EKUs present: %s", ekus)
		if j.e.ClientAuthEKU && j.e.Why != "" {
			f.Detail += "; Client Authentication is needed: " + j.e.Why
		}
		j.add(f)
	case !j.e.ClientAuthEKU && !has("clientAuth"):
		j.add(report.Passed("TLS-CERT-EKU", r.Target, "certificate has Server Authentication (Client Authentication is not expected here)").
			WithDetail("EKUs: %s", ekus))
	default:
		j.add(report.Passed("TLS-CERT-EKU", r.Target, "certificate has the needed extended key usages").WithDetail("EKUs: %s", ekus))
	}

	// Weak keys and signatures anywhere in the chain. A self-signed root's
	// own signature is not checked by anyone and is ignored.
	var weakKeys, weakSigs []string
	for i, c := range chain {
		if (c.KeyType == "RSA" || c.KeyType == "DSA") && c.KeyBits < 2048 || c.KeyType == "ECDSA" && c.KeyBits < 256 {
			weakKeys = append(weakKeys, fmt.Sprintf("#%d %s: %s %d bits", i, c.Subject, c.KeyType, c.KeyBits))
		}
		switch c.SignatureAlgorithm {
		case "MD2-RSA", "MD5-RSA", "SHA1-RSA", "DSA-SHA1", "ECDSA-SHA1":
			if !c.SelfSigned {
				weakSigs = append(weakSigs, fmt.Sprintf("#%d %s: %s", i, c.Subject, c.SignatureAlgorithm))
			}
		}
	}
	if len(weakKeys) > 0 {
		j.add(report.New("TLS-CERT-WEAK-KEY", r.Target, "weak key in the certificate chain").WithDetail("%s", strings.Join(weakKeys, "; ")))
	} else {
		j.add(passed("TLS-CERT-WEAK-KEY", "every key in the chain is strong enough",
			"no weak key before the certificate that does not parse"))
	}
	if len(weakSigs) > 0 {
		j.add(report.New("TLS-CERT-WEAK-SIGNATURE", r.Target, "weak signature in the certificate chain").WithDetail("%s", strings.Join(weakSigs, "; ")))
	} else {
		j.add(passed("TLS-CERT-WEAK-SIGNATURE", "no MD5 or SHA-1 signature in the chain",
			"no MD5 or SHA-1 signature before the certificate that does not parse"))
	}
}

// expected is the clause quoting why a finding's expectation holds.
func (j *judge) expected() string {
	if j.e.Why == "" {
		return ""
	}
	return "expected: " + j.e.Why
}

// The MTLS checks: MTLS-NOT-REQUESTED, MTLS-NOT-REQUIRED,
// MTLS-CLIENT-CERT-REJECTED.
func (j *judge) mtls() {
	r, m, e := j.r, j.r.MTLS, j.e
	notExpected := "; mutual TLS is not expected here"
	if m == nil {
		j.add(j.unobserved("MTLS-NOT-REQUESTED", "whether the server requests a client certificate", nil))
		j.add(j.unobserved("MTLS-NOT-REQUIRED", "whether the server requires a client certificate", nil))
	} else {
		// MTLS-NOT-REQUESTED
		switch {
		case m.CertificateRequested:
			summary := "server requests a client certificate"
			if len(m.CANames) > 0 {
				summary += fmt.Sprintf(" (%d acceptable CA names)", len(m.CANames))
			}
			j.add(report.Passed("MTLS-NOT-REQUESTED", r.Target, summary).WithDetail("%s", strings.Join(m.CANames, " | ")))
		case e.MutualTLS:
			j.add(report.New("MTLS-NOT-REQUESTED", r.Target, "server did not send a CertificateRequest").WithDetail("%s", j.expected()))
		default:
			j.add(report.New("MTLS-NOT-REQUESTED", r.Target, "server does not request a client certificate"+notExpected).
				WithSeverity(report.Info).WithDetail("%s", j.expected()))
		}
		// MTLS-NOT-REQUIRED
		acc := m.AcceptedWithoutClientCert
		evidence := strings.Join(m.Evidence, "; ")
		switch {
		case !m.CertificateRequested || acc != nil && *acc:
			summary := "server accepts a connection without a client certificate"
			if !m.CertificateRequested {
				summary += " (it never asks for one)"
			}
			f := report.New("MTLS-NOT-REQUIRED", r.Target, summary)
			if h := r.Handshake; h != nil && !h.ClientCert {
				f = f.WithDetail("%s; %s", h.Version, evidence)
			} else {
				f = f.WithDetail("%s", evidence)
			}
			if e.MutualTLS {
				if x := j.expected(); x != "" {
					f.Detail += "; " + x
				}
			} else {
				f = f.WithSeverity(report.Info)
				f.Summary += notExpected
			}
			j.add(f)
		case acc != nil:
			j.add(report.Passed("MTLS-NOT-REQUIRED", r.Target, "server refuses connections without a client certificate").
				WithDetail("alert %q (%s)", m.WithoutClientCertAlert, evidence))
		case r.Steps.Handshake.Status == StatusInterrupted || strings.Contains(evidence, "interrupted"):
			j.add(report.CouldNotTell("MTLS-NOT-REQUIRED", r.Target, "interrupted before the server's verdict on a connection without a client certificate",
				hintInterrupted).WithDetail("%s", evidence))
		case r.Steps.Handshake.Status == StatusOK:
			// Completed, with the TLS 1.3 verdict undetermined.
			j.add(report.CouldNotTell("MTLS-NOT-REQUIRED", r.Target, "whether the server keeps a connection without a client certificate is undetermined",
				hintVerdict).WithDetail("%s", evidence))
		case !r.Steps.Handshake.Ran():
			j.add(j.unobserved("MTLS-NOT-REQUIRED", "whether the server requires a client certificate", nil))
		default:
			// The server asks (seen in a raw handshake), but no crypto/tls
			// handshake got far enough to show whether it insists.
			j.add(report.CouldNotTell("MTLS-NOT-REQUIRED", r.Target, "the server requests a client certificate, but no handshake got far enough to show whether it requires one",
				hintHandshake).WithDetail("%s; %s", r.Steps.Handshake.Error, evidence))
		}
	}
	j.clientCert()
}

// MTLS-CLIENT-CERT-REJECTED: the server's verdict on the configured client
// certificate.
func (j *judge) clientCert() {
	const id = "MTLS-CLIENT-CERT-REJECTED"
	r, m, cc := j.r, j.r.MTLS, j.r.Steps.ClientCert
	if cc == nil {
		// No certificate offered: a gap only where mutual TLS is expected
		// and the server asks (or might ask) for one.
		switch {
		case !j.e.MutualTLS:
		case m == nil:
			j.add(j.unobserved(id, "whether the server asks for a client certificate", nil))
		case m.CertificateRequested:
			j.add(report.CouldNotTell(id, r.Target, "no client certificate was offered, so the server's verdict on one is unknown", hintClientCert))
		}
		return
	}
	if m != nil && !m.CertificateRequested && cc.Status == StatusOK {
		return // the server never asked for it: not applicable
	}
	var subject, evidence string
	if m != nil {
		subject, evidence = m.ClientCertSubject, strings.Join(m.Evidence, "; ")
	}
	acc := j.certAccepted()
	switch {
	case acc != nil && *acc:
		j.add(report.Passed(id, r.Target, "server accepts the client certificate").WithDetail("%s; %s", subject, evidence))
	case acc != nil:
		summary := fmt.Sprintf("server rejected the client certificate with alert %q", m.ClientCertAlert)
		if m.ClientCertAlert == "" {
			summary = "server rejected the client certificate (it closed the connection)"
		}
		f := report.New(id, r.Target, summary).WithDetail("client certificate %s; %s", subject, evidence)
		if len(m.CANames) > 0 {
			f.Detail += "; server accepts certificates from: " + strings.Join(m.CANames, " | ")
		}
		j.add(f)
	case !cc.Ran():
		j.add(j.unobserved(id, "the server's verdict on the client certificate", cc))
	case cc.Status == StatusOK:
		j.add(report.CouldNotTell(id, r.Target, "the handshake with the client certificate completed, but the server's verdict on it is undetermined",
			hintVerdict).WithDetail("%s", evidence))
	case !serversAnswer(cc):
		// Timed out, or failed on this side: no verdict of the server's.
		reason, hint := noAnswer(cc, "the handshake with the client certificate")
		j.add(report.CouldNotTell(id, r.Target, reason, hint).WithDetail("client certificate %s; %s", subject, cc.Error))
	case m != nil && m.CertificateRequested:
		j.add(report.New(id, r.Target, "handshake with the client certificate failed").WithDetail("client certificate %s; %s", subject, cc.Error))
	default:
		j.add(report.CouldNotTell(id, r.Target, "the handshake with the client certificate failed before the server asked for one", hintHandshake).
			WithDetail("%s", cc.Error))
	}
}

// enumerated reports whether the enumeration ran and saw an accepted
// version; undecided lists the versions it did not finish. For the version
// check (suites false) a version seen accepted is decided even when its
// suites were cut short; for the suite checks it is not.
func (j *judge) enumerated(suites bool) (ok bool, undecided []string) {
	if j.r.Steps.Enumeration == nil {
		return false, nil
	}
	for _, v := range j.r.Versions {
		ok = ok || v.Accepted
		if v.Incomplete && (suites || !v.Accepted) {
			undecided = append(undecided, v.Version)
		}
	}
	return ok, undecided
}

// unfinished is the inconclusive finding for a check the finished part of
// the enumeration does not decide: seen says what it found so far. The
// detail says what became of each unfinished version.
func (j *judge) unfinished(id, seen string, undecided []string) report.Finding {
	reason := fmt.Sprintf("%s; %s not enumerated to the end", seen, strings.Join(undecided, ", "))
	var why []string
	for _, v := range j.r.Versions {
		if v.Incomplete && slices.Contains(undecided, v.Version) && v.Error != "" {
			why = append(why, v.Version+": "+v.Error)
		}
	}
	en := j.r.Steps.Enumeration
	switch {
	case j.r.InternalError != "":
		return report.CouldNotTell(id, j.r.Target, reason+": the probe stopped on an internal error", hintInternal).WithDetail("%s", j.r.InternalError)
	case j.r.Interrupted || en != nil && en.Status == StatusInterrupted:
		return report.CouldNotTell(id, j.r.Target, reason+": interrupted", hintInterrupted).WithDetail("%s", strings.Join(why, "; "))
	}
	return report.CouldNotTell(id, j.r.Target, reason+": a ClientHello got no answer (or its connection failed) before the step timeout",
		"raise --step-timeout; a server or firewall that limits connection rates may also leave hellos unanswered (the detail says what each version got)").
		WithDetail("%s", strings.Join(why, "; "))
}

// notEnumerated adds the finding for a check the negotiated session does
// not decide. When no enumeration was asked for, the check did not run and
// nothing is added: a probe without --enumerate is not undecided about
// versions and suites, it did not look (the negotiated session still
// decides when it is itself weak). When one was asked for, the finding is
// inconclusive and says why the enumeration does not decide it.
func (j *judge) notEnumerated(id, summary string) {
	if f, ok := j.undecided(id, summary); ok {
		j.add(f)
	}
}

func (j *judge) undecided(id, summary string) (report.Finding, bool) {
	en := j.r.Steps.Enumeration
	if _, undecided := j.enumerated(id != "TLS-VERSION-WEAK"); len(undecided) > 0 {
		return j.unfinished(id, summary, undecided), true
	}
	switch {
	case en == nil:
		return report.Finding{}, false
	case en.Status == StatusInterrupted:
		return report.CouldNotTell(id, j.r.Target, summary+"; the enumeration was interrupted", hintInterrupted).WithDetail("%s", en.Error), true
	case j.r.InternalError != "":
		return report.CouldNotTell(id, j.r.Target, summary+"; the enumeration stopped on an internal error", hintInternal).WithDetail("%s", j.r.InternalError), true
	case en.Status == StatusNotRun || en.Status == "":
		return j.unobserved(id, "the accepted versions and suites", en), true
	}
	return report.CouldNotTell(id, j.r.Target, summary+"; the enumeration saw no accepted version (its ClientHellos were refused)",
		"compare with openssl s_client or sslyze against the same port"), true
}

// TLS-VERSION-WEAK: accepted versions against e.MinVersion, or the
// deprecated ones.
func (j *judge) versions() {
	const id = "TLS-VERSION-WEAK"
	r, minV := j.r, j.e.MinVersion
	weak := func(v uint16) bool {
		if minV != 0 {
			return v < minV
		}
		return tlswire.VersionDeprecated(v)
	}
	verdict := func(seen []string, how string) report.Finding {
		if minV != 0 {
			return report.Newf(id, r.Target, "the plan requires %s or later, the edge %s %s", tlswire.VersionName(minV), how, strings.Join(seen, ", ")).
				WithSeverity(report.Fail)
		}
		return report.Newf(id, r.Target, "server %s deprecated %s", how, strings.Join(seen, ", "))
	}
	if ok, undecided := j.enumerated(false); ok {
		var accepted, bad []string
		for _, v := range r.Versions {
			if v.Accepted {
				accepted = append(accepted, v.Version)
				if weak(v.ID) {
					bad = append(bad, v.Version)
				}
			}
		}
		switch {
		case len(bad) > 0:
			f := verdict(bad, "accepts").WithDetail("accepted: %s", strings.Join(accepted, ", "))
			if len(undecided) > 0 {
				f.Detail += "; not enumerated to the end: " + strings.Join(undecided, ", ")
			}
			j.add(f)
		case len(undecided) > 0:
			f := j.unfinished(id, "no weak version seen", undecided)
			f.Detail = strings.TrimSuffix("accepted so far: "+strings.Join(accepted, ", ")+"; "+f.Detail, "; ")
			j.add(f)
		case minV != 0:
			j.add(report.Passed(id, r.Target, fmt.Sprintf("the edge accepts nothing older than %s, as the plan requires", tlswire.VersionName(minV))).
				WithDetail("accepted: %s", strings.Join(accepted, ", ")))
		default:
			j.add(report.Passed(id, r.Target, "server accepts no deprecated protocol version").WithDetail("accepted: %s", strings.Join(accepted, ", ")))
		}
		return
	}
	h := r.Handshake
	switch {
	case h == nil:
		j.add(j.unobserved(id, "a protocol version the server accepts", nil))
	case weak(h.VersionID):
		// The probe offered up to TLS 1.3: the server chose an old one.
		j.add(verdict([]string{h.Version}, "negotiated").WithDetail("decided from the negotiated session, the probe offering TLS 1.0 to 1.3; --enumerate lists every accepted version"))
	default:
		j.notEnumerated(id, "only the negotiated "+h.Version+" session was seen; older versions were not tried")
	}
}

// TLS-CIPHER-WEAK: weak suites among the accepted ones.
func (j *judge) suites() {
	const id = "TLS-CIPHER-WEAK"
	r := j.r
	if ok, undecided := j.enumerated(true); ok {
		var bad []string
		for _, v := range r.Versions {
			for _, s := range v.Suites {
				if s.Insecure {
					bad = append(bad, fmt.Sprintf("%s %s (%s)", v.Version, s.Name, s.Weakness))
				}
			}
		}
		switch {
		case len(bad) > 0:
			f := report.Newf(id, r.Target, "server accepts %d weak cipher suites", len(bad)).WithDetail("%s", strings.Join(bad, "; "))
			if len(undecided) > 0 {
				f.Detail += "; not enumerated to the end: " + strings.Join(undecided, ", ")
			}
			j.add(f)
		case len(undecided) > 0:
			j.add(j.unfinished(id, "no weak suite seen", undecided))
		default:
			j.add(report.Passed(id, r.Target, "server accepts no weak cipher suite"))
		}
		return
	}
	h := r.Handshake
	switch {
	case h == nil:
		j.add(j.unobserved(id, "a cipher suite the server accepts", nil))
	default:
		if s := tlswire.LookupCipherSuite(h.CipherSuiteID); s != nil && s.Insecure {
			j.add(report.Newf(id, r.Target, "server negotiated weak suite %s (%s)", s.Name, s.Weakness).
				WithDetail("decided from the negotiated session; --enumerate lists every accepted suite"))
			return
		}
		j.notEnumerated(id, "only the negotiated suite "+h.CipherSuite+" was seen; other suites were not tried")
	}
}

// ForwardSecret reports whether suite id at version v gives forward
// secrecy (an ephemeral key exchange), and whether that is known: the
// rule of TLS-NO-FORWARD-SECRECY, for displays of the enumeration. TLS 1.3
// always does; for the rest the Kx column of the suite table decides:
// ephemeral (EC)DH, also with PSK, does; static RSA, static (EC)DH, plain
// PSK, SRP, Kerberos and GOST do not.
func ForwardSecret(v, id uint16) (fs, known bool) {
	if v >= tlswire.VersionTLS13 {
		return true, true
	}
	s := tlswire.LookupCipherSuite(id)
	if s == nil {
		return false, false
	}
	switch s.Kx {
	case "DH", "DH(512)", "DH(1024)", "ECDH", "DHEPSK", "ECDHEPSK", "CECPQ1", "any":
		return true, true
	}
	return false, true
}

// kxName is the key exchange of a suite without forward secrecy, for evidence.
func kxName(id uint16) string {
	if s := tlswire.LookupCipherSuite(id); s != nil {
		switch {
		case strings.HasPrefix(s.Kx, "RSA"):
			return "static RSA key exchange"
		case strings.Contains(s.Kx, "/"):
			return "static " + strings.Split(s.Kx, "/")[0] + " key exchange"
		}
		return s.Kx + " key exchange"
	}
	return "unknown key exchange"
}

// TLS-NO-FORWARD-SECRECY: no accepted suite gives forward secrecy. Without
// the enumeration a forward-secret negotiated suite decides it (one such
// suite is accepted); a static one does not (others may be accepted too).
func (j *judge) forwardSecrecy() {
	const id = "TLS-NO-FORWARD-SECRECY"
	r := j.r
	if ok, undecided := j.enumerated(true); ok {
		var without, unknown []string
		for _, v := range r.Versions {
			for _, s := range v.Suites {
				fs, known := ForwardSecret(v.ID, s.ID)
				switch {
				case fs:
					j.add(report.Passed(id, r.Target, fmt.Sprintf("server accepts forward-secret suites (%s %s)", v.Version, s.Name)).
						WithDetail("decided over every accepted suite"))
					return
				case !known:
					unknown = append(unknown, v.Version+" "+s.Name)
				default:
					without = append(without, fmt.Sprintf("%s %s (%s)", v.Version, s.Name, kxName(s.ID)))
				}
			}
		}
		switch {
		case len(undecided) > 0:
			j.add(j.unfinished(id, "no forward-secret suite seen", undecided))
		case len(unknown) > 0:
			j.add(report.CouldNotTell(id, r.Target, "no forward-secret suite seen, and the key exchange of some accepted suites is unknown",
				"check the listed suites' key exchange by hand").WithDetail("%s", strings.Join(unknown, ", ")))
		default:
			j.add(report.New(id, r.Target, "no accepted cipher suite gives forward secrecy").
				WithDetail("decided over every accepted suite: %s", strings.Join(without, "; ")))
		}
		return
	}
	h := r.Handshake
	if h == nil {
		j.add(j.unobserved(id, "a cipher suite the server accepts", nil))
		return
	}
	switch fs, known := ForwardSecret(h.VersionID, h.CipherSuiteID); {
	case fs:
		// One accepted suite with forward secrecy decides the check.
		j.add(report.Passed(id, r.Target, fmt.Sprintf("the negotiated suite %s gives forward secrecy", h.CipherSuite)).
			WithDetail("decided from the negotiated %s session", h.Version))
	case !known:
		j.notEnumerated(id, "the key exchange of the negotiated suite "+h.CipherSuite+" is unknown")
	default:
		// The check says that no accepted suite gives forward secrecy; one
		// session shows what the server prefers, not all it accepts (it may
		// accept ECDHE and put static RSA first), so it does not decide.
		if f, ok := j.undecided(id, fmt.Sprintf("the server chose %s (%s) although the probe offered ECDHE suites",
			h.CipherSuite, kxName(h.CipherSuiteID))); ok {
			j.add(f)
			return
		}
		j.add(report.CouldNotTell(id, r.Target, fmt.Sprintf("the server chose %s (%s) although the probe offered ECDHE suites; whether it accepts any forward-secret suite was not tried",
			h.CipherSuite, kxName(h.CipherSuiteID)), "run with --enumerate: it decides this over every accepted suite").
			WithDetail("seen in the negotiated %s session", h.Version))
	}
}
