package matrix

import (
	"fmt"

	"github.com/voipsec/voipsec/report"
)

// Declared is what a deployment says about an endpoint.
type Declared struct {
	VoipSecurity *VoipSecurity    // the dial plan level the endpoint serves, if any
	Encryption   *EncryptionLevel // the client / media encryption level, if declared
}

// Observation is what a live probe saw at one endpoint. Nil pointers mean
// "not observed" and produce no finding.
type Observation struct {
	Target string

	// Signalling.
	TLS               bool  // a TLS handshake completed
	ClientCertAsked   *bool // the server sent a CertificateRequest
	MTLSRequired      *bool // a handshake without a client certificate was refused
	CleartextAccepted *bool // SIP over UDP or TCP was answered

	// Media: the effective encryption level derived from which offers the
	// endpoint accepted (plain RTP, optional AVP+crypto, SAVP).
	Effective *EncryptionLevel
	Evidence  string // offers and answers behind Effective
}

// Compare evaluates declared against observed facts and returns the
// UM-* findings, passing ones included, so reports list every check.
func Compare(d Declared, o Observation) []report.Finding {
	var out []report.Finding
	t := o.Target
	if d.VoipSecurity != nil {
		v := *d.VoipSecurity
		if v == Unsecured {
			out = append(out, report.New("UM-VOIPSEC-UNSECURED", t, "declared VoIPSecurity is Unsecured; OCS requires mutual TLS to Exchange UM"))
		}
		if v.Transport().MutualTLS {
			switch {
			case o.CleartextAccepted != nil && *o.CleartextAccepted:
				out = append(out, report.Newf("UM-MTLS-NOT-ENFORCED", t, "declared %s, but the endpoint answers SIP in cleartext", v))
			case o.MTLSRequired != nil && !*o.MTLSRequired:
				f := report.Newf("UM-MTLS-NOT-ENFORCED", t, "declared %s, but the endpoint completes TLS without a client certificate", v)
				if o.ClientCertAsked != nil && !*o.ClientCertAsked {
					f.Detail = "no CertificateRequest was sent"
				} else {
					f.Detail = "a CertificateRequest was sent, but an empty Certificate was accepted"
				}
				out = append(out, f)
			case o.MTLSRequired != nil && *o.MTLSRequired:
				out = append(out, report.Passed("UM-MTLS-NOT-ENFORCED", t, fmt.Sprintf("declared %s and the endpoint requires a client certificate", v)))
			}
		}
		if o.Effective != nil {
			want := v.Media()
			got := *o.Effective
			if mediaMismatch(want, got) {
				f := report.Newf("UM-SRTP-MISMATCH", t, "declared %s implies %s media encryption, the endpoint's effective level is %s", v, want, got)
				f.Detail = o.Evidence
				out = append(out, f)
			} else {
				out = append(out, report.Passed("UM-SRTP-MISMATCH", t, fmt.Sprintf("declared %s and the endpoint's media encryption (%s) agree", v, got)))
			}
		}
		if d.Encryption != nil && v != Unsecured { // Unsecured is reported once, above
			out = append(out, Evaluate(v, *d.Encryption).Finding(t))
		}
	}
	if d.VoipSecurity == nil && d.Encryption != nil && o.Effective != nil {
		want, got := *d.Encryption, *o.Effective
		if want != got {
			f := report.Newf("UM-SRTP-MISMATCH", t, "declared encryption level %s, the endpoint's effective level is %s", want, got)
			f.Detail = o.Evidence
			if want == Required && got != Required {
				f.Summary += " (it accepts plain RTP)"
			}
			out = append(out, f)
		} else {
			out = append(out, report.Passed("UM-SRTP-MISMATCH", t, fmt.Sprintf("declared and effective encryption level are both %s", got)))
		}
	}
	return out
}

// mediaMismatch reports whether an endpoint at level got breaks a dial plan
// whose media level is want. Secured (required) tolerates only required:
// an endpoint that also takes plain RTP does not enforce SRTP. SIPSecured
// (rejected) tolerates rejected and optional: an optional endpoint answers
// plain offers with RTP, which is what SIPSecured carries.
func mediaMismatch(want, got EncryptionLevel) bool {
	if want == Required {
		return got != Required
	}
	return got == Required
}
