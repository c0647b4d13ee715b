package sipcheck

import (
	"fmt"
	"strings"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/tlsprobe"
)

// Result is what one probe of one endpoint observed: typed facts, no
// verdict. [Judge] turns it and an [Expect] into findings.
type Result struct {
	Target Target `json:"target"`
	Name   string `json:"name"` // Target.String(), the findings' target
	// Status is StatusSuccess when the target was probed. Otherwise it says
	// why it could not be (see [Result.NotProbed]), or that the run was
	// interrupted (StatusCanceled, with Interrupted) or stopped on an
	// internal error (StatusUnknownError).
	Status Status `json:"status"`
	// Error says, in words and without library text, what voipsec tried on
	// what and what happened, when Status is not StatusSuccess.
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"-"`
	Duration float64   `json:"duration_s"`

	// What the probe did.
	TLSOnly    bool   `json:"tls_only,omitempty"` // Config.TLSOnly: no SIP, no calls
	ClientCert bool   `json:"client_cert"`        // a client certificate was configured for this target
	To         string `json:"to,omitempty"`       // the user part calls went to
	ToGiven    bool   `json:"to_given"`           // To came from Config.To or the target URI, not DefaultUser
	// TLSDetected: a port given without a transport answered nothing over
	// UDP or TCP but speaks TLS, and was probed over TLS; the UDP and TCP
	// attempts stay in Options.
	TLSDetected bool `json:"tls_detected,omitempty"`
	// NeedsClientCert: the edge refused a TLS handshake without a client
	// certificate and none was configured, so SIP and media were not
	// probed; every offer is in Offers as not sent.
	NeedsClientCert bool `json:"needs_client_cert,omitempty"`
	// Interrupted says where the caller's context ended the probe ("during
	// offers: 2 of 7 done"); "" when it ran to the end.
	Interrupted string `json:"interrupted,omitempty"`
	// MediaDisabled: Config.MediaDuration was negative, so no accepted
	// SRTP answer got a media exchange (its OfferResult.Media is nil).
	MediaDisabled bool `json:"media_disabled,omitempty"`

	TLS     *tlsprobe.Result `json:"tls,omitempty"` // TLS targets only
	Options []OptionsResult  `json:"options,omitempty"`
	// Offers has one entry per configured offer, sent or not.
	Offers []OfferResult `json:"offers,omitempty"`
	// Redirection is the first 3xx the edge answered and what the probe
	// did with it; Redirect the probe of its target when followed.
	Redirection *Redirection `json:"redirection,omitempty"`
	Redirect    *Result      `json:"redirect,omitempty"`

	// Derived from the facts above when the probe ends, for displays and
	// JSON: the effective encryption level ([Effective]) or why it is
	// unknown, and the offers as evidence lines. Judge does not read them:
	// it derives what it needs from Offers with the same pure functions,
	// so a Result built or edited by hand is judged by its facts.
	Effective       *matrix.EncryptionLevel `json:"effective,omitempty"`
	EffectiveReason string                  `json:"effective_reason,omitempty"`
	Evidence        string                  `json:"evidence,omitempty"`
}

// NotProbed reports whether the target could not be probed at all: the
// configuration was bad, the name does not resolve, there is no route, or
// nothing accepted a connection on any transport tried. [Result.Err] says
// why; [Judge] gives no finding for such a target, since nothing about its
// security was seen: callers show it as an operational error.
func (r *Result) NotProbed() bool {
	switch r.Status {
	case StatusConfigError, StatusDNSError, StatusConnectionRefused, StatusNoRoute:
		return true
	}
	return false
}

// Err returns a [*ProbeError] when the target could not be probed
// ([Result.NotProbed]), nil otherwise.
func (r *Result) Err() error {
	if !r.NotProbed() {
		return nil
	}
	return &ProbeError{Target: r.Name, Status: r.Status, Message: r.Error}
}

// ProbeError is a target that could not be probed, with the message a
// person reads: what was tried on what, and what happened.
type ProbeError struct {
	Target  string // transport://host:port
	Status  Status
	Message string
}

func (e *ProbeError) Error() string { return e.Target + ": " + e.Message }

// OptionsResult is the answer to one OPTIONS request.
type OptionsResult struct {
	Transport string   `json:"transport"`
	Status    Status   `json:"status"`
	Code      int      `json:"code,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Server    string   `json:"server,omitempty"`
	UserAgent string   `json:"user_agent,omitempty"`
	Allow     []string `json:"allow,omitempty"`
	Supported []string `json:"supported,omitempty"`
	RTTMillis float64  `json:"rtt_ms,omitempty"`
	Error     string   `json:"error,omitempty"` // what went wrong, in words
}

// Answered reports whether any SIP response came back.
func (o OptionsResult) Answered() bool { return o.Code != 0 }

// Refused reports an attempt nothing accepted: connection refused (TCP
// RST, ICMP port unreachable) or no route. Silence is not refusal.
func (o OptionsResult) Refused() bool {
	return o.Code == 0 && (o.Status == StatusConnectionRefused || o.Status == StatusNoRoute)
}

// OfferResult is one INVITE dialog: whether it was sent, the final answer
// with the headers that say why, the SDP answer and the media.
type OfferResult struct {
	Offer       Offer  `json:"-"`
	Name        string `json:"offer"` // Offer.String()
	Description string `json:"description"`
	Transport   string `json:"transport"`

	// Sent: the INVITE went out. NotSent says why it did not.
	Sent    bool   `json:"sent"`
	NotSent string `json:"not_sent,omitempty"`
	// Interrupted: the caller's context ended the dialog before a final
	// answer, or the offer was never started because of it.
	Interrupted bool `json:"interrupted,omitempty"`

	Status    Status  `json:"status"`           // the transaction's outcome
	Code      int     `json:"code,omitempty"`   // final status code; 0 when none came
	Reason    string  `json:"reason,omitempty"` // its reason phrase
	RTTMillis float64 `json:"rtt_ms,omitempty"`
	// Warning, ReasonHeader and Diagnostics are the final answer's
	// Warning (RFC 3261 §20.43), Reason (RFC 3326) and Microsoft
	// ms-diagnostics / ms-diagnostics-public headers: printable, at most
	// maxDiagHeaders each, each at most maxDiagLen characters.
	Warning      []string `json:"warning,omitempty"`
	ReasonHeader []string `json:"reason_header,omitempty"`
	Diagnostics  []string `json:"ms_diagnostics,omitempty"`

	Answer   *Answer      `json:"answer,omitempty"`
	Secure   bool         `json:"secure"`             // the answer keys SRTP the probe can use
	Plain    bool         `json:"plain"`              // the answer runs plain RTP
	Contact  string       `json:"contact,omitempty"`  // Contact of a 3xx, as received (bounded)
	Redirect string       `json:"redirect,omitempty"` // the target a 3xx Contact names
	Cleanup  string       `json:"cleanup"`            // ack+bye, cancel, none
	Media    *MediaResult `json:"media,omitempty"`
	Error    string       `json:"error,omitempty"` // what went wrong, in words
}

// Evidence is one line: offer → status and answer security.
func (o OfferResult) Evidence() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → ", o.Name)
	switch {
	case !o.Sent && o.NotSent != "":
		fmt.Fprintf(&b, "not sent (%s)", o.NotSent)
	case o.Code != 0:
		fmt.Fprintf(&b, "%d %s", o.Code, o.Reason)
	case o.Interrupted:
		b.WriteString("interrupted")
	case o.Status == StatusUnknownError && o.Error != "":
		b.WriteString(o.Error)
	default:
		fmt.Fprintf(&b, "%s", o.Status)
	}
	if a := o.Answer; a != nil && o.Code/100 == 2 && a.Unreadable {
		b.WriteString(" (unusable SDP answer)")
	} else if a != nil && o.Code/100 == 2 {
		fmt.Fprintf(&b, " (%s port %d", a.Profile, a.Port)
		if a.Suite != "" {
			fmt.Fprintf(&b, ", %s", a.Suite)
		}
		if a.MKI {
			b.WriteString(", MKI")
		}
		if a.Encryption != "" {
			fmt.Fprintf(&b, ", a=encryption:%s", a.Encryption)
		}
		if a.Fingerprint != "" {
			b.WriteString(", fingerprint")
		}
		b.WriteString(")")
	}
	if o.Redirect != "" {
		fmt.Fprintf(&b, " → %s", o.Redirect)
	}
	for _, d := range o.Diagnostics {
		fmt.Fprintf(&b, " [ms-diagnostics: %s]", d)
	}
	for _, w := range o.Warning {
		fmt.Fprintf(&b, " [Warning: %s]", w)
	}
	for _, r := range o.ReasonHeader {
		fmt.Fprintf(&b, " [Reason: %s]", r)
	}
	if o.Error != "" && o.Code != 0 {
		fmt.Fprintf(&b, " [%s]", clip(o.Error, 160))
	}
	return b.String()
}

// MediaResult is one media exchange for an accepted SRTP answer: whether
// it ran, and what it counted.
type MediaResult struct {
	Remote        string  `json:"remote,omitempty"`
	Seconds       float64 `json:"seconds"`
	Sent          int     `json:"sent"`
	Received      int     `json:"received"`
	Authenticated int     `json:"authenticated"`
	Failed        int     `json:"failed"`
	Echoed        int     `json:"echoed"` // received packets that were our own, reflected

	// Ran: the media window ran, sending to the answered address and
	// listening. False when it never started: the answer gave no address
	// to send to, the DTLS handshake did not complete, or this host failed
	// first (Error says which).
	Ran bool `json:"ran"`
	// DTLSHandshake: a DTLS-SRTP handshake completed, the peer's
	// certificate matching the answer's a=fingerprint.
	DTLSHandshake       bool `json:"dtls_handshake,omitempty"`
	FingerprintMismatch bool `json:"fingerprint_mismatch,omitempty"` // DTLS peer certificate ≠ a=fingerprint
	// HandshakeFailed: the DTLS handshake failed with the peer (no answer,
	// an alert, no SRTP profile), not through this host.
	HandshakeFailed bool `json:"handshake_failed,omitempty"`
	Interrupted     bool `json:"interrupted,omitempty"` // the caller's context cut the exchange short
	// Local: Error is a failure of this host (keys it could not set up, a
	// packet it could not build), which says nothing about the peer.
	Local bool   `json:"local_error,omitempty"`
	MKI   bool   `json:"mki"`
	Suite string `json:"suite,omitempty"`
	Error string `json:"error,omitempty"` // what went wrong, in words
}

// RedirectOutcome is what the probe did with a 3xx.
type RedirectOutcome string

// Redirect outcomes.
const (
	RedirectFollowed    RedirectOutcome = "followed"    // its target was probed: Result.Redirect
	RedirectOffHost     RedirectOutcome = "off-host"    // another host, not among Config.RedirectHosts
	RedirectLoop        RedirectOutcome = "loop"        // back to a target already probed in the chain
	RedirectTooMany     RedirectOutcome = "too-many"    // the chain reached its bound
	RedirectDisabled    RedirectOutcome = "disabled"    // Config.NoRedirect
	RedirectBadContact  RedirectOutcome = "bad-contact" // no usable SIP Contact
	RedirectInterrupted RedirectOutcome = "interrupted" // the caller's context ended first
)

// Redirection is a 3xx answer to an offer and what the probe did with it.
type Redirection struct {
	Offer   string          `json:"offer"`            // the offer it answered
	Code    int             `json:"code"`             // 301, 302, ...
	Contact string          `json:"contact"`          // as received, printable and bounded
	Target  string          `json:"target,omitempty"` // what the Contact names: transport://host:port
	Outcome RedirectOutcome `json:"outcome"`
	Reason  string          `json:"reason,omitempty"` // why it was not followed, in words
	Chain   []string        `json:"chain,omitempty"`  // the targets probed before, for a loop or a long chain
}
