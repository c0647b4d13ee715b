package sipcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// OfferClass is what an offer's outcome says, by its final status
// (domain.md §6.1). Only [ClassAccepted] and [ClassMediaRefused] are
// evidence about media security ([OfferClass.Evaluated]); every other class
// means the edge never decided on the SDP.
type OfferClass uint8

const (
	ClassNotSent        OfferClass = iota // never sent (NotSent says why)
	ClassInterrupted                      // the caller's context ended it first
	ClassNoAnswer                         // no final answer within the step timeout
	ClassTransportError                   // the request could not be carried (refused, reset, TLS)
	ClassAccepted                         // 2xx with a usable SDP answer: evaluated
	ClassMalformed                        // 2xx whose SDP answer cannot be used
	ClassMediaRefused                     // 488 Not Acceptable Here, 606 Not Acceptable: evaluated
	ClassRedirected                       // 3xx
	ClassAuth                             // 401, 407: authentication asked
	ClassForbidden                        // 403: the probing host is not allowed
	ClassNotRoutable                      // 404, 484, 604: the number or user does not route
	ClassRequestTimeout                   // 408: the edge could not reach the callee
	ClassBusy                             // 480, 486, 600, 603: busy, unavailable or declined
	ClassServerError                      // 5xx
	ClassFailure                          // any other final status
	ClassInternal                         // stopped on an internal error (a bug in voipsec), before any final answer
)

var classNames = [...]string{
	ClassNotSent: "not sent", ClassInterrupted: "interrupted", ClassNoAnswer: "no answer",
	ClassTransportError: "transport error", ClassAccepted: "accepted", ClassMalformed: "unusable answer",
	ClassMediaRefused: "media refused", ClassRedirected: "redirected", ClassAuth: "authentication asked",
	ClassForbidden: "forbidden", ClassNotRoutable: "not routable", ClassRequestTimeout: "request timeout",
	ClassBusy: "busy or declined", ClassServerError: "server error", ClassFailure: "failed",
	ClassInternal: "internal error",
}

func (c OfferClass) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("OfferClass(%d)", uint8(c))
}

// Evaluated reports whether the edge decided on the offer's SDP: a 2xx with
// a usable answer, or a media refusal.
func (c OfferClass) Evaluated() bool { return c == ClassAccepted || c == ClassMediaRefused }

// Class classifies the offer's outcome.
func (o OfferResult) Class() OfferClass {
	c := o.Code
	switch {
	case c == 0 && o.Interrupted:
		return ClassInterrupted
	case c == 0 && o.Status == StatusUnknownError:
		return ClassInternal
	case c == 0 && !o.Sent:
		return ClassNotSent
	case c == 0 && o.Status == StatusTimeout:
		return ClassNoAnswer
	case c == 0:
		return ClassTransportError
	case c/100 == 2:
		// An answer that negotiates SRTP with a key the probe cannot use
		// (a tag that was not offered) is broken, not a refusal.
		if a := o.Answer; a == nil || a.Unreadable || (a.Negotiated && !o.Secure) {
			return ClassMalformed
		}
		return ClassAccepted
	case c == 488 || c == 606:
		return ClassMediaRefused
	case c/100 == 3:
		return ClassRedirected
	case c == 401 || c == 407:
		return ClassAuth
	case c == 403:
		return ClassForbidden
	case c == 404 || c == 484 || c == 604:
		return ClassNotRoutable
	case c == 408:
		return ClassRequestTimeout
	case c == 480 || c == 486 || c == 600 || c == 603:
		return ClassBusy
	case c/100 == 5:
		return ClassServerError
	}
	return ClassFailure
}

// outcome is the offer's outcome in a few words: "404 Not Found", "no
// answer", "not sent (why)", "interrupted".
func (o OfferResult) outcome() string {
	switch o.Class() {
	case ClassNotSent:
		if o.NotSent != "" {
			return "not sent (" + o.NotSent + ")"
		}
		return "not sent"
	case ClassInterrupted:
		return "interrupted"
	case ClassNoAnswer:
		return "no answer"
	case ClassTransportError, ClassInternal:
		if o.Error != "" {
			return o.Error
		}
		return string(o.Status)
	case ClassMalformed:
		return strings.TrimSpace(fmt.Sprintf("%d %s", o.Code, o.Reason)) + " with an unusable SDP answer"
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", o.Code, o.Reason))
}

// diagnostic is the first ms-diagnostics, Warning or Reason header of the
// offer's answer, for a summary line.
func (o OfferResult) diagnostic() string {
	switch {
	case len(o.Diagnostics) > 0:
		return "ms-diagnostics: " + o.Diagnostics[0]
	case len(o.Warning) > 0:
		return "Warning: " + o.Warning[0]
	case len(o.ReasonHeader) > 0:
		return "Reason: " + o.ReasonHeader[0]
	}
	return ""
}

// evaluation sorts the offers by what they prove. The rule (domain.md §6.1):
// a 2xx with a usable answer and a 488/606 media refusal are evidence;
// nothing else is. One exception: when the plain offer is refused with
// 488/606 too and nothing was accepted, the refusals may say the edge takes
// none of the offered codecs or profiles, not that it refuses (or
// requires) SRTP, so none of them is evidence. That is a codec mismatch
// when every SRTP offer was refused with 488/606 as well; when one is
// pending (a 404, no answer), its outcome is what to act on first.
type evaluation struct {
	secureAccepted, secureRefused []OfferResult // SRTP offers, evaluated
	plainAccepted, plainRefused   []OfferResult // the plain offer, evaluated
	securePending, plainPending   []OfferResult // sent or configured, but not evidence
	codecMismatch                 bool          // every offer refused with 488/606, the plain one included
	anySecure, anyPlain           bool          // such offers were configured
}

func evaluate(offers []OfferResult) evaluation {
	var ev evaluation
	accepted, plainMediaRefused, secureOpen := false, false, false
	for _, o := range offers {
		cl := o.Class()
		accepted = accepted || cl == ClassAccepted
		switch {
		case o.Offer.Line().KeysSRTP():
			secureOpen = secureOpen || !cl.Evaluated()
		case o.Offer == srtpcheck.OfferPlain && cl == ClassMediaRefused:
			plainMediaRefused = true
		}
	}
	moot := plainMediaRefused && !accepted // the 488/606 refusals prove nothing
	ev.codecMismatch = moot && !secureOpen
	for _, o := range offers {
		secure := o.Offer.Line().KeysSRTP()
		ev.anySecure = ev.anySecure || secure
		ev.anyPlain = ev.anyPlain || !secure
		cl := o.Class()
		evaluated := cl.Evaluated() && !(cl == ClassMediaRefused && moot)
		switch {
		case !evaluated && secure:
			ev.securePending = append(ev.securePending, o)
		case !evaluated:
			ev.plainPending = append(ev.plainPending, o)
		case secure && cl == ClassAccepted && o.Secure:
			ev.secureAccepted = append(ev.secureAccepted, o)
		case secure:
			// 488/606, or a 2xx that keys no SRTP: port 0, or an
			// RTP/AVP answer declining the optional offer.
			ev.secureRefused = append(ev.secureRefused, o)
		case cl == ClassAccepted && o.Plain:
			ev.plainAccepted = append(ev.plainAccepted, o)
		default:
			// 488/606, or a 2xx that carries no plain RTP (port 0, SAVP).
			ev.plainRefused = append(ev.plainRefused, o)
		}
	}
	return ev
}

// Effective derives an edge's effective encryption level from the offers it
// evaluated (domain.md §1.6): SRTP accepted and plain RTP refused →
// required; both accepted → optional; every SRTP offer refused and plain
// accepted → rejected. Anything else leaves the level unknown (nil) and
// says why: a 404, a timeout or a busy callee says nothing about SRTP.
func Effective(offers []OfferResult) (*matrix.EncryptionLevel, string) {
	return evaluate(offers).level()
}

func (ev evaluation) level() (*matrix.EncryptionLevel, string) {
	lvl := func(l matrix.EncryptionLevel) (*matrix.EncryptionLevel, string) { return &l, "" }
	secure := len(ev.secureAccepted) > 0
	plainOK, plainRefused := len(ev.plainAccepted) > 0, len(ev.plainRefused) > 0
	switch {
	case secure && plainRefused:
		return lvl(matrix.Required)
	case secure && plainOK:
		return lvl(matrix.Optional)
	case plainOK && len(ev.secureRefused) > 0 && len(ev.securePending) == 0:
		return lvl(matrix.Rejected)
	case ev.codecMismatch:
		return nil, codecMismatchReason
	case secure && !ev.anyPlain:
		return nil, "SRTP is accepted, but no plain RTP offer was sent to tell required from optional"
	case secure:
		return nil, "SRTP is accepted, but " + summarize(ev.plainPending, "the plain RTP offer")
	case plainOK && !ev.anySecure:
		return nil, "plain RTP is accepted, but no SRTP offer was sent"
	case plainOK:
		return nil, "plain RTP is accepted, but " + summarize(ev.securePending, "SRTP offer")
	case len(ev.secureRefused) > 0 && plainRefused:
		return nil, "the edge refused every SRTP offer and the plain one"
	case len(ev.secureRefused) > 0 && len(ev.securePending) == 0 && !ev.anyPlain:
		return nil, "every SRTP offer was refused, but no plain RTP offer was sent to tell rejected from a codec mismatch"
	case len(ev.secureRefused) > 0 && len(ev.securePending) == 0:
		return nil, "every SRTP offer was refused, but " + summarize(ev.plainPending, "the plain RTP offer")
	}
	pending := append(append([]OfferResult(nil), ev.securePending...), ev.plainPending...)
	if len(pending) == 0 {
		return nil, "no offer was sent"
	}
	return nil, "no offer was evaluated: " + summarize(pending, "INVITE")
}

const codecMismatchReason = "every offer was refused with 488/606, the plain RTP one included: a codec or profile mismatch, not an SRTP verdict"

// summarize says what became of offers that were not evaluated: "the
// plain RTP offer got 404 Not Found", "every SRTP offer got no answer",
// "5 SRTP offers: 3 × 404 Not Found, 2 × no answer". noun names one offer
// of the set ("the plain RTP offer", "SRTP offer", "INVITE"); the first
// ms-diagnostics or Warning is quoted.
func summarize(offers []OfferResult, noun string) string {
	if len(offers) == 0 {
		return "nothing was sent"
	}
	counts := map[string]int{}
	var order []string
	diag := ""
	for _, o := range offers {
		s := o.outcome()
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
		if diag == "" {
			diag = o.diagnostic()
		}
	}
	var s string
	switch {
	case len(offers) == 1 && strings.HasPrefix(noun, "the "):
		s = noun + " got " + order[0]
	case len(offers) == 1:
		s = "the " + offers[0].Name + " offer got " + order[0]
	case len(order) == 1 && strings.HasPrefix(noun, "the "):
		s = "each " + strings.TrimPrefix(noun, "the ") + " got " + order[0]
	case len(order) == 1:
		s = "every " + noun + " got " + order[0]
	default:
		sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
		parts := make([]string, len(order))
		for i, k := range order {
			parts[i] = fmt.Sprintf("%d × %s", counts[k], k)
		}
		s = fmt.Sprintf("%d %ss: %s", len(offers), strings.TrimPrefix(noun, "the "), strings.Join(parts, ", "))
	}
	s = strings.ReplaceAll(s, "got not sent", "was not sent")
	s = strings.ReplaceAll(s, "got interrupted", "was interrupted")
	if diag != "" {
		s += " (" + clip(diag, 120) + ")"
	}
	return s
}
