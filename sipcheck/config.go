package sipcheck

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Defaults for [Config].
const (
	DefaultTimeout       = 5 * time.Second // per network step
	DefaultMediaDuration = 2 * time.Second
	maxRedirects         = 2
)

// DefaultUser is the user part probe calls go to when neither [Config.To]
// nor the target URI names one. It is deliberately not a number and not a
// user any edge routes: it can only be answered with 404 and the like,
// which [Judge] turns into an inconclusive result with the hint to name the
// number to call. voipsec never calls a number the user did not give.
const DefaultUser = "voipsec-unroutable"

// Config is what one probe does. The zero value probes with defaults. It
// holds no expectations: what the endpoint should do is [Expect], given to
// [Judge] with the facts.
type Config struct {
	// From is the From URI of probe requests, a sip: or sips: URI
	// ([ParseFrom]); "" means sip:voipsec@LOCAL-IP.
	From string
	// To is whom probe calls go to: a user part ("+14255550100", "uas") or
	// a SIP URI whose user part is taken ("sip:+14255550100@contoso.com";
	// [ParseTo]). It becomes the user of the Request-URI and To header,
	// whose host stays the target's. "" means the target URI's user, else
	// [DefaultUser].
	To string

	// Timeout bounds each network step (TLS handshake, one SIP transaction,
	// one DTLS handshake). The whole probe is bounded by the ctx given to
	// ProbeEndpoint. Zero means DefaultTimeout.
	Timeout time.Duration

	// MediaDuration is how long media is exchanged per accepted SRTP answer.
	// Zero means DefaultMediaDuration; negative disables media.
	MediaDuration time.Duration

	// Offers to send; nil means all of Offers, empty none.
	Offers []Offer

	// OfferConcurrency is how many offer dialogs run at once; 0 means 1.
	// Endpoints that serve many calls (Exchange UM, Mediation Servers) can
	// take all at once, so the media windows overlap.
	OfferConcurrency int

	// TLSOnly runs the TLS checks only (handshake, certificates, mutual
	// TLS, and with Enumerate versions and suites) and places no call: for
	// change windows in which calls are not allowed. tlsprobe's OPTIONS
	// inside TLS, which tells a TLS 1.3 client-certificate refusal apart,
	// still runs. A target given without a transport is probed over TLS;
	// one given as udp:// or tcp:// is a configuration error.
	TLSOnly bool

	// NoRedirect disables following a 3xx (Exchange UM call router).
	NoRedirect bool
	// RedirectHosts are the hosts, besides the target's own, that a 3xx
	// may be followed to: the other servers the user named (the plan's
	// endpoints, or a flag). A redirect elsewhere is not followed and is
	// reported (SIP-REDIRECT-NOT-FOLLOWED) with its Contact. Names and IP
	// literals; a name matches by name or by the addresses it resolves to.
	RedirectHosts []string

	// TLS settings for TLS targets. ServerName (SNI and name checks;
	// default the target host) and ClientCert are given to the target only
	// (and, for ServerName, to a redirect target of the same host name):
	// a redirect to another host is probed with its own identity.
	ServerName string
	ClientCert *tls.Certificate
	RootCAs    *x509.CertPool // nil means the system roots
	Enumerate  bool           // enumerate TLS versions and cipher suites

	// Resolver for A/AAAA lookups; nil means net.DefaultResolver.
	Resolver Resolver

	// Progress, when set, is called as each step starts and, with
	// [Step.Done] set and its outcome, as it ends (redirects end with the
	// probe of their target, which reports its own steps). Calls for one
	// probe are serialized; probes running at once call it concurrently.
	// It must return quickly: the probe waits for it.
	Progress func(Step)

	redirects int      // depth of this probe in a redirect chain
	visited   []string // targets of the chain so far, to tell a loop
}

func (c *Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Config) media() time.Duration {
	switch {
	case c.MediaDuration < 0:
		return 0
	case c.MediaDuration == 0:
		return DefaultMediaDuration
	}
	return c.MediaDuration
}

func (c *Config) offerConcurrency() int {
	if c.OfferConcurrency < 1 {
		return 1
	}
	return c.OfferConcurrency
}

func (c *Config) offers() []Offer {
	if c.Offers == nil {
		return Offers
	}
	return c.Offers
}

// Validate checks the parts of c a user types: From, To and the offers. A
// bad value is an error naming it, never silently replaced.
func (c *Config) Validate() error {
	if c.From != "" {
		if _, err := ParseFrom(c.From); err != nil {
			return err
		}
	}
	if c.To != "" {
		if _, err := ParseTo(c.To); err != nil {
			return err
		}
	}
	for _, o := range c.Offers {
		if _, ok := offerDescriptions[o]; !ok {
			return fmt.Errorf("sipcheck: unknown offer %v", o)
		}
	}
	return nil
}

// URIError is a From or To value that cannot be used. Commands map it to a
// usage error.
type URIError struct {
	Field  string // "From" or "To"
	Value  string // as given
	Reason string
}

func (e *URIError) Error() string {
	return "sipcheck: bad " + e.Field + " " + quote(e.Value) + ": " + e.Reason
}

// maxUserLen bounds a user part.
const maxUserLen = 128

// ParseTo reads whom to call: a user part (+14255550100, uas, 5000) or a
// sip:/sips: URI with a user part, optionally in angle brackets. It returns
// the user part.
func ParseTo(s string) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", &URIError{Field: "To", Value: s, Reason: fmt.Sprintf(format, args...)}
	}
	v := strings.Trim(strings.TrimSpace(s), "<>")
	low := strings.ToLower(v)
	switch {
	case v == "":
		return bad("empty")
	case strings.HasPrefix(low, "sip:"), strings.HasPrefix(low, "sips:"):
		u, err := parseURI(v)
		if err != nil {
			return bad("%v", err)
		}
		if u.User == "" {
			return bad("the URI has no user part: write sip:NUMBER@%s", u.Host)
		}
		if err := checkUser(u.User); err != nil {
			return bad("%v", err)
		}
		return u.User, nil
	case strings.HasPrefix(low, "tel:"):
		return bad("tel: URIs are not accepted: give the number (%s) or a sip: URI", strings.TrimPrefix(v[4:], "//"))
	case strings.Contains(v, "@") || strings.Contains(v, ":"):
		return bad("neither a user part nor a sip: URI (write +14255550100, uas or sip:uas@host)")
	}
	if err := checkUser(v); err != nil {
		return bad("%v", err)
	}
	return v, nil
}

// ParseFrom reads a From URI: sip: or sips:, optionally in angle brackets.
// It returns the URI without brackets.
func ParseFrom(s string) (string, error) {
	v := strings.Trim(strings.TrimSpace(s), "<>")
	low := strings.ToLower(v)
	if !strings.HasPrefix(low, "sip:") && !strings.HasPrefix(low, "sips:") {
		return "", &URIError{Field: "From", Value: s, Reason: "not a sip: or sips: URI"}
	}
	u, err := parseURI(v)
	if err != nil {
		return "", &URIError{Field: "From", Value: s, Reason: err.Error()}
	}
	if u.User != "" {
		if err := checkUser(u.User); err != nil {
			return "", &URIError{Field: "From", Value: s, Reason: err.Error()}
		}
	}
	return v, nil
}

// parseURI parses a sip:/sips: URI and checks its host with [ParseTarget].
func parseURI(v string) (sip.Uri, error) {
	var u sip.Uri
	if len(v) > 1024 {
		return u, fmt.Errorf("longer than 1024 characters")
	}
	if err := sip.ParseUri(v, &u); err != nil || u.Host == "" {
		return u, fmt.Errorf("not a valid SIP URI")
	}
	host := u.Host // sipgo keeps an IPv6 literal's brackets
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	if u.Port > 0 {
		host += ":" + strconv.Itoa(u.Port)
	}
	if _, err := ParseTarget(host); err != nil {
		return u, fmt.Errorf("invalid host %q", clip(u.Host, 64))
	}
	return u, nil
}

// checkUser accepts the characters RFC 3261 §25.1 allows in a user part
// (unreserved, user-unreserved and %HH escapes) minus the ones that would
// change the Request-URI's meaning (';', '?', '/', ',').
func checkUser(u string) error {
	if len(u) > maxUserLen {
		return fmt.Errorf("user part longer than %d characters", maxUserLen)
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.!~*'()&=+$", c) >= 0:
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			i += 2
		default:
			return fmt.Errorf("character %q not allowed in a user part", c)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// StepKind names a step of a probe.
type StepKind string

// The steps a probe reports through [Config.Progress].
const (
	StepResolve  StepKind = "resolve"  // name resolution
	StepTLS      StepKind = "tls"      // TLS handshake and checks (tlsprobe)
	StepOptions  StepKind = "options"  // one OPTIONS, Transport says over what
	StepOffer    StepKind = "offer"    // one INVITE dialog
	StepMedia    StepKind = "media"    // the media window of an accepted offer
	StepRedirect StepKind = "redirect" // following a 3xx to Detail
)

// Step is what a probe is about to do, or has done, for a progress
// display.
type Step struct {
	Target    string        // the probe's Result.Name
	Kind      StepKind      //
	Transport string        // options: udp, tcp or tls
	Offer     string        // offer, media: the offer's name
	Index     int           // offer, media: 1-based position among the offers
	Total     int           // offer, media: how many offers
	Detail    string        // redirect: the target followed; tls: what else it does
	Window    time.Duration // media: how long media is exchanged
	// Done: the step has ended, and Outcome says what came of it in words
	// ("TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; client certificate
	// required", "200 OK in 2.1 ms", "488 Not Acceptable Here", "no answer
	// in time"). Facts only: judging them is [Judge]'s.
	Done    bool
	Outcome string
}

// String is the step as a person reads it: "TLS handshake", "OPTIONS udp",
// "offer 3 of 7 sdes-80", "media window sdes-80 (2s)", "redirect to
// tcp://...". A step that is Done reads the same; its Outcome is apart.
func (s Step) String() string {
	switch s.Kind {
	case StepResolve:
		return "resolve " + s.Target
	case StepTLS:
		if s.Detail != "" {
			return "TLS handshake, " + s.Detail
		}
		return "TLS handshake"
	case StepOptions:
		return "OPTIONS " + s.Transport
	case StepOffer:
		return fmt.Sprintf("offer %d of %d %s", s.Index, s.Total, s.Offer)
	case StepMedia:
		if s.Window > 0 {
			return "media window " + s.Offer + " (" + s.Window.String() + ")"
		}
		return "media window " + s.Offer
	case StepRedirect:
		return "redirect to " + s.Detail
	}
	return string(s.Kind)
}
