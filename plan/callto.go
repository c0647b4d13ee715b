package plan

import (
	"fmt"
	"net"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// maxCallToLen bounds a number to call; real ones are a few dozen bytes.
const maxCallToLen = 256

// CallToError says why a number to call (call_to, pilot_number, or
// `voipsec probe --to`) or a caller's SIP URI (--from) is not one.
type CallToError struct {
	What   string // "number to call" or "SIP URI"
	Value  string // as given
	Reason string
}

func (e *CallToError) Error() string {
	return fmt.Sprintf("bad %s %q: %s", e.What, clip(e.Value), e.Reason)
}

// ParseCallTo validates the number a live probe calls at an endpoint and
// returns it trimmed: either a SIP user part (a number such as
// +14255550100, or a name such as uas), which goes into the Request-URI of
// the probe's INVITEs, or a full SIP URI (sip:+14255550100@contoso.com),
// whose user part does. The plan's call_to and pilot_number and the probe's
// --to accept the same forms.
func ParseCallTo(s string) (string, error) {
	v := strings.TrimSpace(s)
	bad := func(format string, args ...any) (string, error) {
		return "", &CallToError{What: "number to call", Value: s, Reason: fmt.Sprintf(format, args...)}
	}
	if v == "" {
		return bad("empty: give a number (+14255550100), a user (uas) or a SIP URI (sip:+14255550100@contoso.com)")
	}
	if len(v) > maxCallToLen {
		return bad("longer than %d characters", maxCallToLen)
	}
	if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "tel:"):
		return bad("tel: URIs are not accepted: give the number alone (%s) or a sip: URI", v[4:])
	case strings.HasPrefix(lower, "sip:"), strings.HasPrefix(lower, "sips:"):
		return parseCallToURI("number to call", s, v)
	case strings.Contains(v, "@"):
		return bad("user@host is a SIP URI: write sip:%s", v)
	}
	if reason := badUserPart(v); reason != "" {
		return bad("%s", reason)
	}
	return v, nil
}

// ParseSIPURI validates a full SIP URI with a user part (the probe's
// --from): the form ParseCallTo accepts with a sip: or sips: scheme.
func ParseSIPURI(s string) (string, error) {
	v := strings.TrimSpace(s)
	if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	lower := strings.ToLower(v)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") {
		return "", &CallToError{What: "SIP URI", Value: s, Reason: "not a sip: or sips: URI (for example sip:voipsec@probe.contoso.com)"}
	}
	return parseCallToURI("SIP URI", s, v)
}

func parseCallToURI(what, raw, v string) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", &CallToError{What: what, Value: raw, Reason: fmt.Sprintf(format, args...)}
	}
	rest := v[strings.IndexByte(v, ':')+1:]
	if i := strings.IndexAny(rest, ";?"); i >= 0 && !strings.Contains(rest[:i], "@") {
		rest = rest[:i] // parameters before any '@' belong to the host part
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return bad("the URI names no user: give the number to call, as in sip:+14255550100@%s", rest)
	}
	user := rest[:at]
	if j := strings.IndexByte(user, ':'); j >= 0 {
		return bad("the URI carries a password; give the user alone")
	}
	if reason := badUserPart(user); reason != "" {
		return bad("%s", reason)
	}
	var u sip.Uri
	if err := sip.ParseUri(v, &u); err != nil || u.Host == "" {
		return bad("not a valid SIP URI")
	}
	if reason := badHost(u.Host); reason != "" {
		return bad("%s", reason)
	}
	return v, nil
}

// badUserPart says what is wrong with a SIP user part, or "" when nothing
// is: RFC 3261 §25.1, user = 1*( unreserved / escaped / user-unreserved ).
func badUserPart(s string) string {
	if s == "" {
		return "empty user part"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "'%' must start an escape such as %40"
			}
			i += 2
		case c == ' ' || c == '\t':
			return fmt.Sprintf("spaces are not allowed in a SIP user part (write %s)", strings.Join(strings.Fields(s), ""))
		case c < 0x20 || c >= 0x7f:
			return fmt.Sprintf("byte 0x%02x is not allowed in a SIP user part", c)
		default:
			return fmt.Sprintf("%q is not allowed in a SIP user part", string(c))
		}
	}
	return ""
}

// badHost says what is wrong with a SIP URI's host, or "" when nothing is.
func badHost(h string) string {
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if validHostname(h) || net.ParseIP(h) != nil {
		return ""
	}
	return fmt.Sprintf("bad host %q: not an IP address or a DNS host name", clip(h))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
