package sipcheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/srtpcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

// Expect is what an endpoint is expected to do: plain data, the second
// input of [Judge] beside the facts. The zero value expects nothing beyond
// answering SIP.
type Expect struct {
	// Role is what the endpoint's role requires ([matrix.Role.Expect]):
	// mutual TLS, Client Authentication on its certificate, TLS signalling,
	// SRTP media.
	Role matrix.Expectations
	// Declared is what the deployment declares: the UM dial plan's
	// VoIPSecurity and/or the client encryption level (UM-* findings).
	Declared matrix.Declared
	// MinTLS, WarnDays and Now are the TLS expectations handed to
	// tlsprobe.Judge: the oldest acceptable version (a tls.Version* value;
	// 0: deprecated versions warn), the TLS-CERT-EXPIRING horizon in days
	// (0: no expiring check; callers pass tlsprobe.DefaultWarnDays unless
	// the user chose another), and the time certificates are judged at
	// (zero: when the probe started, Result.Started).
	MinTLS   uint16
	WarnDays int
	Now      time.Time
	// MediaPorts is the declared media port range: a non-zero m= port in
	// an accepted SDP answer outside it is MEDIA-PORT-OUT-OF-RANGE, the
	// meaning `voipsec inspect` gives it offline. Nil: not judged.
	MediaPorts *PortRange
}

// PortRange is an inclusive range of UDP/TCP ports.
type PortRange struct{ From, To int }

// Contains reports whether port lies in the range.
func (p PortRange) Contains(port int) bool { return port >= p.From && port <= p.To }

func (p PortRange) String() string { return strconv.Itoa(p.From) + "-" + strconv.Itoa(p.To) }

// Judge turns the facts of a probe and the expectations into findings: one
// per check per target, passing ones included, for r and each redirect
// target it led to (each under its own name). It does no I/O and reads no
// clock. A check that does not apply is left out; a check that applies but
// that the facts cannot decide is inconclusive, with the reason and a hint.
// A target that could not be probed ([Result.NotProbed]) gets no finding.
func Judge(r *Result, e Expect) []report.Finding {
	var out []report.Finding
	for x := r; x != nil; x = x.Redirect {
		j := &judge{r: x, e: e}
		j.run()
		out = append(out, j.out...)
	}
	return out
}

type judge struct {
	r        *Result
	e        Expect
	ev       evaluation
	evidence string // the offers as evidence lines, from r.Offers
	out      []report.Finding
}

func (j *judge) add(f report.Finding) { j.out = append(j.out, f) }

func (j *judge) pass(id, summary string, detail ...string) {
	f := report.Passed(id, j.r.Name, summary)
	f.Detail = strings.Join(detail, "\n")
	j.add(f)
}

func (j *judge) fail(id, summary string, detail ...string) {
	f := report.New(id, j.r.Name, summary)
	f.Detail = strings.Join(detail, "\n")
	j.add(f)
}

func (j *judge) couldNotTell(id, reason, hint string) {
	f := report.CouldNotTell(id, j.r.Name, reason, hint)
	f.Detail = j.evidence
	j.add(f)
}

func (j *judge) run() {
	r := j.r
	if r.NotProbed() {
		return
	}
	j.ev = evaluate(r.Offers)
	j.evidence = evidence(r.Offers)
	if r.Status == StatusUnknownError {
		reason := "the probe stopped on an internal error (" + r.Error + ")"
		for _, id := range append([]string{"SIP-NO-RESPONSE"}, j.mediaChecks()...) {
			j.couldNotTell(id, reason, internalHint)
		}
		return
	}
	j.tls()
	if !r.TLSOnly {
		j.sip()
		j.offers()
	}
	j.policy()
}

// tls adds the TLS and mutual-TLS findings.
func (j *judge) tls() {
	r := j.r
	if r.TLS == nil {
		if r.Target.IsTLS() && r.Interrupted != "" {
			j.couldNotTell("TLS-HANDSHAKE-FAILED", "interrupted before the TLS handshake", interruptedHint)
		}
		return
	}
	for _, f := range tlsFindings(r, j.e) {
		f.Target = r.Name
		j.add(f)
	}
}

// tlsFindings are tlsprobe's findings for the TLS facts, against what the
// role expects. Now defaults to when the probe started: the judge reads no
// clock.
func tlsFindings(r *Result, e Expect) []report.Finding {
	now := e.Now
	if now.IsZero() {
		now = r.Started
	}
	return tlsprobe.Judge(r.TLS, tlsprobe.Expect{
		MutualTLS:     e.Role.MutualTLS,
		ClientAuthEKU: e.Role.ClientAuthEKU,
		MinVersion:    e.MinTLS,
		WarnDays:      e.WarnDays,
		Now:           now,
		Why:           e.Role.Why,
	})
}

const (
	interruptedHint = "the run was interrupted: run it again to the end, or with a longer --timeout"
	internalHint    = "this is a bug in voipsec: please report it with the command line"
	certHint        = "give a client certificate the edge trusts with --cert and --key (plan: trust.client_certificate and client_key)"
	codecHint       = "voipsec offers G.711 (PCMU, PCMA) on RTP/AVP and RTP/SAVP: check the codecs and media profiles the edge accepts"
)

// sip adds SIP-NO-RESPONSE, SIP-OPTIONS-STATUS and SIP-CLEARTEXT-ACCEPTED.
func (j *judge) sip() {
	r := j.r
	if r.NeedsClientCert {
		reason := "SIP not probed: the edge requires a client certificate and none was given"
		j.couldNotTell("SIP-NO-RESPONSE", reason, certHint)
		j.couldNotTell("SIP-OPTIONS-STATUS", reason, certHint)
		return
	}
	if len(r.Options) == 0 {
		if r.Interrupted != "" {
			reason := "interrupted before any SIP request (" + r.Interrupted + ")"
			j.couldNotTell("SIP-NO-RESPONSE", reason, interruptedHint)
			j.couldNotTell("SIP-OPTIONS-STATUS", reason, interruptedHint)
		}
		return
	}
	var ok, bad, details []string
	optAnswered := false
	for _, o := range r.Options {
		if !o.Answered() {
			continue
		}
		optAnswered = true
		line := fmt.Sprintf("%d %s over %s in %.1f ms", o.Code, o.Reason, strings.ToUpper(o.Transport), o.RTTMillis)
		if o.Code/100 == 2 {
			ok = append(ok, line)
		} else {
			bad = append(bad, line)
		}
		if d := optionsDetail(o); d != "" {
			details = append(details, strings.ToUpper(o.Transport)+": "+d)
		}
	}
	inviteAnswered := false
	for _, o := range r.Offers {
		inviteAnswered = inviteAnswered || o.Code != 0
	}
	statuses := optionsStatuses(r.Options)
	// OPTIONS that stopped on an internal error observed nothing.
	var internal []string
	unanswered := 0 // OPTIONS that went out and got no answer
	for _, o := range r.Options {
		switch {
		case o.Status == StatusUnknownError && !o.Answered():
			internal = append(internal, strings.ToUpper(o.Transport)+": "+o.attempt())
		case !o.Answered():
			unanswered++
		}
	}

	// SIP-NO-RESPONSE: any SIP answer at all.
	switch {
	case (optAnswered || inviteAnswered) && r.TLSDetected:
		j.add(report.New("SIP-NO-RESPONSE", r.Name, "no SIP answer over UDP or TCP; the port speaks TLS and was probed over TLS").
			WithSeverity(report.Info).
			WithDetail("%s; name the transport to skip this step: %s or sip:%s;transport=tls", statuses, r.Name, r.Target.HostPort()))
	case optAnswered || inviteAnswered:
		j.pass("SIP-NO-RESPONSE", "the edge answers SIP")
	case tlsFailedEverywhere(r):
		j.couldNotTell("SIP-NO-RESPONSE", "SIP over TLS could not be set up: "+statuses,
			"fix the TLS handshake first (see the TLS findings)")
	case r.Interrupted != "":
		j.couldNotTell("SIP-NO-RESPONSE", "interrupted before any SIP answer ("+r.Interrupted+")", interruptedHint)
	case len(internal) > 0:
		j.couldNotTell("SIP-NO-RESPONSE", "no SIP answer, but OPTIONS stopped on an internal error ("+strings.Join(internal, "; ")+")", internalHint)
	default:
		j.fail("SIP-NO-RESPONSE", "no SIP response to OPTIONS or INVITE", statuses+"\n"+j.evidence)
	}

	// SIP-OPTIONS-STATUS: one per target, over every transport tried.
	switch {
	case len(bad) > 0:
		j.fail("SIP-OPTIONS-STATUS", "OPTIONS answered "+strings.Join(bad, "; "), details...)
	case len(ok) > 0:
		j.pass("SIP-OPTIONS-STATUS", "OPTIONS answered "+strings.Join(ok, "; "), details...)
	case inviteAnswered && unanswered == 0 && len(internal) > 0:
		j.couldNotTell("SIP-OPTIONS-STATUS", "OPTIONS stopped on an internal error ("+strings.Join(internal, "; ")+")", internalHint)
	case inviteAnswered:
		j.fail("SIP-OPTIONS-STATUS", "OPTIONS unanswered ("+statuses+") though INVITE is answered; OCS sends OPTIONS as the gateway keep-alive")
	case r.Interrupted != "":
		j.couldNotTell("SIP-OPTIONS-STATUS", "interrupted before an answer to OPTIONS ("+r.Interrupted+")", interruptedHint)
	}

	// SIP-CLEARTEXT-ACCEPTED where TLS is required.
	if need, why := tlsRequired(j.e); need {
		var clear []string
		for _, o := range r.Options {
			if o.Answered() && o.Transport != TLS {
				clear = append(clear, fmt.Sprintf("%s answered %d %s", strings.ToUpper(o.Transport), o.Code, o.Reason))
			}
		}
		// INVITEs answered in cleartext, counted per transport and status:
		// "INVITE over TCP answered 3 times 200 OK, 4 times 488 ...".
		type answer struct {
			transport string
			code      int
			reason    string
		}
		var order []answer
		count := map[answer]int{}
		for _, o := range r.Offers {
			if o.Code != 0 && o.Transport != TLS {
				a := answer{strings.ToUpper(o.Transport), o.Code, o.Reason}
				if count[a] == 0 {
					order = append(order, a)
				}
				count[a]++
			}
		}
		for _, a := range order {
			times := ""
			if n := count[a]; n > 1 {
				times = fmt.Sprintf(" (%d INVITEs)", n)
			}
			clear = append(clear, fmt.Sprintf("INVITE over %s answered %d %s%s", a.transport, a.code, a.reason, times))
		}
		shut, silent, broken := cleartextTries(r)
		switch {
		case len(clear) > 0:
			j.fail("SIP-CLEARTEXT-ACCEPTED", "the edge answers SIP in cleartext; "+why, strings.Join(clear, "; "))
		case len(broken) > 0:
			j.couldNotTell("SIP-CLEARTEXT-ACCEPTED", "no SIP answer in cleartext, but OPTIONS stopped on an internal error ("+strings.Join(broken, "; ")+")", internalHint)
		case len(shut) == 0 && len(silent) == 0:
			// Nothing was tried in cleartext (a TLS target as given):
			// the check does not apply, and TLS here says nothing of
			// another port.
		case len(silent) == 0:
			j.pass("SIP-CLEARTEXT-ACCEPTED", "the edge does not take SIP in cleartext", strings.Join(shut, "; "))
		default:
			j.couldNotTell("SIP-CLEARTEXT-ACCEPTED", "no SIP answer in cleartext, but silence is not refusal: "+strings.Join(append(silent, shut...), "; "),
				"an edge that ignores cleartext SIP and a firewall that drops it look alike: check that no UDP or TCP listener is enabled on the edge")
		}
	}
}

// cleartextTries sorts the OPTIONS tried in cleartext (UDP, TCP) that got
// no answer: shut, where nothing takes cleartext SIP (refused, or a TCP
// port found to speak TLS); silent, which proves nothing; broken, stopped
// on an internal error, which observed nothing. All empty: nothing was
// tried in cleartext.
func cleartextTries(r *Result) (shut, silent, broken []string) {
	for _, o := range r.Options {
		if o.Transport == TLS || o.Answered() {
			continue
		}
		tp := strings.ToUpper(o.Transport)
		switch {
		case o.Status == StatusUnknownError:
			broken = append(broken, tp+": "+o.attempt())
		case o.Refused():
			shut = append(shut, tp+": "+o.attempt())
		case o.Transport == TCP && r.TLSDetected:
			shut = append(shut, tp+": the port speaks only TLS")
		default:
			silent = append(silent, tp+": "+o.attempt())
		}
	}
	return shut, silent, broken
}

// tlsFailedEverywhere: every SIP attempt failed in the TLS handshake.
func tlsFailedEverywhere(r *Result) bool {
	n := 0
	for _, o := range r.Options {
		if o.Status != StatusTLSError {
			return false
		}
		n++
	}
	for _, o := range r.Offers {
		if o.Sent && o.Status != StatusTLSError {
			return false
		}
	}
	return n > 0
}

func optionsDetail(o OptionsResult) string {
	var parts []string
	if o.Server != "" {
		parts = append(parts, "Server: "+o.Server)
	}
	if o.UserAgent != "" {
		parts = append(parts, "User-Agent: "+o.UserAgent)
	}
	if len(o.Allow) > 0 {
		parts = append(parts, "Allow: "+strings.Join(o.Allow, ", "))
	}
	if len(o.Supported) > 0 {
		parts = append(parts, "Supported: "+strings.Join(o.Supported, ", "))
	}
	return strings.Join(parts, "; ")
}

// optionsStatuses is "udp: timeout; tcp: connection-refused".
func optionsStatuses(os []OptionsResult) string {
	parts := make([]string, len(os))
	for i, o := range os {
		if o.Answered() {
			parts[i] = fmt.Sprintf("%s: %d %s", o.Transport, o.Code, o.Reason)
		} else {
			parts[i] = fmt.Sprintf("%s: %s", o.Transport, o.Status)
		}
	}
	return strings.Join(parts, "; ")
}

// mediaChecks are the checks the offers decide, as far as they apply.
func (j *judge) mediaChecks() []string {
	var ids []string
	if j.ev.anySecure {
		ids = append(ids, "SRTP-NOT-SUPPORTED")
	}
	if need, _ := srtpRequired(j.e); need && j.ev.anyPlain {
		ids = append(ids, "SRTP-NOT-REQUIRED")
	}
	if j.e.Declared.VoipSecurity != nil || j.e.Declared.Encryption != nil {
		ids = append(ids, "UM-SRTP-MISMATCH")
	}
	return ids
}

// mediaElsewhere reports that the offers were redirected to a target that
// was probed: the media checks belong to it.
func (j *judge) mediaElsewhere() bool {
	r := j.r
	if r.Redirection == nil || r.Redirection.Outcome != RedirectFollowed || r.Redirect == nil || r.Redirect.NotProbed() {
		return false
	}
	for _, o := range r.Offers {
		if o.Class().Evaluated() {
			return false
		}
	}
	return true
}

// offers adds the redirect, SRTP and answer findings.
func (j *judge) offers() {
	r := j.r
	if len(r.Offers) == 0 {
		return // no offer configured: the checks do not apply
	}
	if rd := r.Redirection; rd != nil {
		j.redirect(rd)
	}
	if j.mediaElsewhere() {
		return
	}
	ev := j.ev
	// SRTP-NOT-SUPPORTED
	if ev.anySecure {
		switch {
		case len(ev.secureAccepted) > 0:
			j.pass("SRTP-NOT-SUPPORTED", "the edge negotiates SRTP", evidence(ev.secureAccepted))
		case ev.codecMismatch:
			j.couldNotTell("SRTP-NOT-SUPPORTED", codecMismatchReason, codecHint)
		case len(ev.securePending) == 0 && len(ev.plainAccepted) == 0 && onlyClass(ev.secureRefused, ClassMediaRefused):
			// 488/606 to every SRTP offer, and no plain offer accepted to
			// show that the codecs are not the cause: the level is unknown,
			// as UM-SRTP-MISMATCH says. A 2xx declining SRTP would decide.
			_, why := ev.level()
			j.couldNotTell("SRTP-NOT-SUPPORTED", why, j.levelHint())
		case len(ev.securePending) == 0:
			f := report.New("SRTP-NOT-SUPPORTED", r.Name, "no SRTP offer was accepted").WithDetail("%s", j.evidence)
			if srtpUnwanted(j.e) {
				f = f.WithSeverity(report.Info)
				f.Summary += " (the declared policy carries plain RTP)"
			}
			j.add(f)
		default:
			reason, hint := j.undecided(ev.securePending, "SRTP offer")
			if len(ev.secureRefused) > 0 {
				reason = fmt.Sprintf("no SRTP offer was accepted, %d refused, and %s", len(ev.secureRefused), reason)
			}
			j.couldNotTell("SRTP-NOT-SUPPORTED", reason, hint)
		}
	}
	// SRTP-NOT-REQUIRED
	if need, why := srtpRequired(j.e); need && ev.anyPlain {
		switch {
		case len(ev.plainAccepted) > 0:
			j.fail("SRTP-NOT-REQUIRED", "the edge accepted a plain RTP offer; "+why, evidence(ev.plainAccepted))
		case len(ev.plainRefused) > 0:
			j.pass("SRTP-NOT-REQUIRED", "the edge refuses plain RTP", evidence(ev.plainRefused))
		case ev.codecMismatch:
			j.couldNotTell("SRTP-NOT-REQUIRED", codecMismatchReason, codecHint)
		default:
			reason, hint := j.undecided(ev.plainPending, "the plain RTP offer")
			j.couldNotTell("SRTP-NOT-REQUIRED", reason, hint)
		}
	}
	j.answers()
}

// undecided says why offers were not evaluated and what to change. noun
// names one of them; when no offer was evaluated, it speaks of every
// INVITE, and the hint is for all of them (a 404 to an SRTP offer is what
// to fix first even for the plain offer's check).
func (j *judge) undecided(pending []OfferResult, noun string) (reason, hint string) {
	r := j.r
	all := len(j.ev.securePending)+len(j.ev.plainPending) == len(r.Offers)
	set := pending
	if all {
		set = r.Offers
		noun = "INVITE"
	}
	reason = summarize(set, noun)
	if rd := r.Redirection; rd != nil && onlyClass(pending, ClassRedirected) {
		reason = fmt.Sprintf("%s: redirected to %s, %s", reason, rd.Contact, redirectWords(rd, r))
	}
	return reason, j.hint(set)
}

func onlyClass(os []OfferResult, c OfferClass) bool {
	for _, o := range os {
		if o.Class() != c {
			return false
		}
	}
	return len(os) > 0
}

// hintOrder is which outcome's hint wins when offers failed differently:
// the one the user can act on first.
var hintOrder = []OfferClass{ClassNotRoutable, ClassForbidden, ClassAuth, ClassRedirected, ClassRequestTimeout,
	ClassBusy, ClassServerError, ClassMalformed, ClassNoAnswer, ClassTransportError, ClassMediaRefused,
	ClassFailure, ClassInternal, ClassInterrupted, ClassNotSent}

// hint is what the user can change so that the offers are evaluated.
func (j *judge) hint(pending []OfferResult) string {
	r := j.r
	if r.NeedsClientCert {
		return certHint
	}
	seen := map[OfferClass]bool{}
	for _, o := range pending {
		seen[o.Class()] = true
	}
	for _, c := range hintOrder {
		if !seen[c] {
			continue
		}
		switch c {
		case ClassNotRoutable:
			if !r.ToGiven {
				return "give the number to call with --to (plan: call_to on the endpoint, or pilot_number on its UM dial plan)"
			}
			return fmt.Sprintf("the edge does not route %q: give a number it routes with --to (plan: call_to, or pilot_number on the UM dial plan)", r.To)
		case ClassForbidden:
			return "the edge refuses calls from the probing host: make it a trusted peer (OCS/Lync: a trusted server or PSTN gateway in the topology; Exchange UM: a UM IP gateway with its address or FQDN), or probe from one"
		case ClassAuth:
			return "the edge asks for authentication, which server peers do not use: make the probing host a trusted peer of the edge"
		case ClassRedirected:
			return redirectHint(r)
		case ClassRequestTimeout:
			return "the edge found no answer behind it (408): give a number that reaches a live endpoint with --to (plan: call_to)"
		case ClassBusy:
			return "the callee was busy, unavailable or declined: run again, or give a number that answers with --to"
		case ClassServerError:
			return "the edge failed with a server error: look at its logs and routing (the quoted diagnostics say where), then run again"
		case ClassMalformed:
			return "the edge's SDP answer cannot be used: see SDP-ANSWER-MALFORMED"
		case ClassNoAnswer:
			return "no final answer within the step timeout: raise --step-timeout, or check what the edge does with the call"
		case ClassTransportError:
			return "the INVITE could not be carried: check the transport and TLS settings for this edge"
		case ClassMediaRefused:
			return codecHint
		case ClassFailure:
			return "look up the status code and the quoted diagnostics"
		case ClassInternal:
			return internalHint
		case ClassInterrupted:
			return interruptedHint
		case ClassNotSent:
			return "check that the edge answers SIP on this transport"
		}
	}
	return ""
}

// redirect adds SIP-REDIRECT-NOT-FOLLOWED for a 3xx that could not be
// followed for a reason the user should know.
func (j *judge) redirect(rd *Redirection) {
	switch rd.Outcome {
	case RedirectOffHost, RedirectLoop, RedirectTooMany, RedirectBadContact:
		f := report.New("SIP-REDIRECT-NOT-FOLLOWED", j.r.Name,
			fmt.Sprintf("%d redirect to %s not followed: %s", rd.Code, rd.Contact, rd.Reason))
		f.Detail = "Contact: " + rd.Contact
		if len(rd.Chain) > 0 {
			f.Detail += "\nchain: " + strings.Join(append(append([]string(nil), rd.Chain...), rd.Target), " → ")
		}
		j.add(f)
	}
}

// redirectWords says what became of a redirect, for a reason line.
func redirectWords(rd *Redirection, r *Result) string {
	switch rd.Outcome {
	case RedirectFollowed:
		if r.Redirect != nil && r.Redirect.NotProbed() {
			return "which could not be probed: " + r.Redirect.Error
		}
		return "followed"
	case RedirectDisabled:
		return "not followed (redirects disabled)"
	}
	return "not followed: " + rd.Reason
}

func redirectHint(r *Result) string {
	rd := r.Redirection
	if rd == nil {
		return ""
	}
	switch rd.Outcome {
	case RedirectOffHost:
		return "name " + redirectHost(rd) + " among the hosts voipsec may follow a redirect to (the plan's endpoints, or the probe's redirect hosts) to probe it"
	case RedirectLoop, RedirectTooMany:
		return "fix the edge's redirect: it leads back where it started or never ends"
	case RedirectDisabled:
		return "allow voipsec to follow redirects (drop --no-redirect)"
	case RedirectBadContact:
		return "the redirect's Contact cannot be probed: fix the edge's redirect"
	case RedirectFollowed:
		return "check that " + rd.Target + " is reachable from the probing host"
	}
	return interruptedHint
}

func redirectHost(rd *Redirection) string {
	if t, err := ParseTarget(rd.Target); err == nil {
		return t.Host
	}
	return rd.Contact
}

// answers adds the per-answer checks, aggregated to one finding per check
// with the offers behind it as evidence: malformed answers, weak suite,
// SDES keys over cleartext, DTLS fingerprint, media. Media that did not
// run (disabled, interrupted, no address to send to, a failure of this
// host) decides nothing: the media checks it leaves open are inconclusive.
func (j *judge) answers() {
	var malformed, weak, strong, cleartext, overTLS, authFailed, noMedia, echoed, authOK, fpMismatch, dtlsOK, dtlsFailed []string
	var unchecked, dtlsUnchecked []undone // media, DTLS fingerprints not checked
	for _, o := range j.r.Offers {
		a := o.Answer
		if a == nil || o.Code/100 != 2 {
			continue
		}
		label := o.Name
		if len(a.Problems) > 0 {
			malformed = append(malformed, label+": "+strings.Join(a.Problems, "; "))
		}
		if a.Suite != "" && o.Secure {
			if a.Weak {
				weak = append(weak, label+": "+a.Suite+" "+strings.Join(a.Crypto, "; "))
			} else {
				strong = append(strong, label+": "+a.Suite)
			}
		}
		switch {
		case a.HasKeys && o.Transport != TLS:
			cleartext = append(cleartext, o.Evidence())
		case a.HasKeys:
			overTLS = append(overTLS, label)
		}
		if !o.Secure {
			continue // no SRTP accepted: no media exchange is due
		}
		isDTLS := o.Offer == srtpcheck.OfferDTLS
		m := o.Media
		if m == nil {
			u := j.mediaSkipped(o)
			unchecked = append(unchecked, u)
			if isDTLS {
				dtlsUnchecked = append(dtlsUnchecked, u)
			}
			continue
		}
		detail := label + ": " + m.Error // an exchange that never started: why
		if m.Ran {
			detail = fmt.Sprintf("%s: %s to %s for %.1fs: sent %d, received %d, authenticated %d, failed %d, echoed %d",
				label, m.Suite, m.Remote, m.Seconds, m.Sent, m.Received, m.Authenticated, m.Failed, m.Echoed)
			if m.MKI {
				detail += ", MKI in every packet"
			}
			if m.Error != "" {
				detail += "; " + m.Error
			}
		}
		// Why this exchange did not decide, when it did not.
		var open *undone
		switch {
		case m.FingerprintMismatch:
		case m.Interrupted && m.Received == 0:
			open = &undone{detail, "interrupted during the media window before any packet arrived", interruptedHint}
		case m.Local && m.Received == 0:
			open = &undone{detail, "a failure on this host stopped the media exchange", localHint}
		case m.HandshakeFailed:
		case !m.Ran:
			open = &undone{detail, m.Error, addressHint}
		}
		if isDTLS {
			switch {
			case m.FingerprintMismatch:
				fpMismatch = append(fpMismatch, detail)
			case m.DTLSHandshake:
				dtlsOK = append(dtlsOK, detail)
			case open != nil:
				dtlsUnchecked = append(dtlsUnchecked, *open)
			case m.HandshakeFailed:
				dtlsUnchecked = append(dtlsUnchecked, undone{detail, "the DTLS handshake did not complete, so the certificate was not compared with a=fingerprint", "see SRTP-NO-MEDIA"})
			}
		}
		switch {
		case m.FingerprintMismatch:
		case open != nil:
			unchecked = append(unchecked, *open)
		case m.HandshakeFailed:
			dtlsFailed = append(dtlsFailed, detail)
		case m.Received == 0 && m.Echoed > 0:
			echoed = append(echoed, detail)
		case m.Received == 0:
			noMedia = append(noMedia, detail)
		case m.Failed > 0 || m.Authenticated == 0:
			authFailed = append(authFailed, detail)
		default:
			authOK = append(authOK, detail)
		}
	}
	transport := strings.ToUpper(j.r.Target.Transport)
	j.either("SDP-ANSWER-MALFORMED", malformed, fmt.Sprintf("malformed SDP in %d answer(s)", len(malformed)), nil, "")
	j.either("SRTP-WEAK-SUITE", weak, fmt.Sprintf("the edge accepts a weak SRTP suite (%d answer(s))", len(weak)),
		strong, "every SDES answer uses AES_CM_128_HMAC_SHA1_80")
	j.either("SDES-OVER-CLEARTEXT", cleartext, fmt.Sprintf("%d answer(s) carry a=crypto keys over %s", len(cleartext), transport),
		overTLS, "SDES keys travel over TLS")
	switch {
	case len(fpMismatch) > 0 || len(dtlsOK) > 0:
		j.either("DTLS-FINGERPRINT-MISMATCH", fpMismatch, "the DTLS certificate does not match the answer's a=fingerprint",
			append(dtlsOK, lines(dtlsUnchecked)...), "the DTLS certificate matches a=fingerprint")
	case len(dtlsUnchecked) > 0:
		j.unchecked("DTLS-FINGERPRINT-MISMATCH", "the DTLS certificate was not compared with a=fingerprint", dtlsUnchecked)
	}
	// SRTP-NO-MEDIA: one finding, naming each way media did not come.
	var why []string
	if len(dtlsFailed) > 0 {
		why = append(why, "the DTLS-SRTP handshake failed, no media can flow")
	}
	if len(noMedia) > 0 {
		why = append(why, fmt.Sprintf("no media from the peer in %d accepted call(s)", len(noMedia)))
	}
	if len(echoed) > 0 {
		why = append(why, fmt.Sprintf("the peer only echoed our own packets in %d call(s)", len(echoed)))
	}
	j.either("SRTP-NO-MEDIA", slices.Concat(dtlsFailed, noMedia, echoed), strings.Join(why, "; "), nil, "")
	switch {
	case len(authFailed) > 0 || len(authOK) > 0:
		j.either("SRTP-MEDIA-AUTH-FAILED", authFailed, fmt.Sprintf("media from the peer failed SRTP authentication in %d call(s)", len(authFailed)),
			append(authOK, lines(unchecked)...), fmt.Sprintf("media from the peer authenticated in %d call(s)", len(authOK)))
	case len(unchecked) > 0:
		j.unchecked("SRTP-MEDIA-AUTH-FAILED", "SRTP media was not checked", unchecked)
	}
}

const (
	localHint   = "a failure on this host stopped the media exchange: run again, and report it if it persists"
	addressHint = "the edge's SDP answer gives no address to send media to: look at its c= and m= lines"
)

// undone is an accepted SRTP answer whose media (or DTLS fingerprint) was
// not checked: its evidence line, why, and what would let it run.
type undone struct{ line, reason, hint string }

func lines(us []undone) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = "not checked: " + u.line
	}
	return out
}

// unchecked adds id as inconclusive: what was not checked, why (each
// reason once), and the hint of the first.
func (j *judge) unchecked(id, what string, us []undone) {
	var reasons []string
	for _, u := range us {
		if !slices.Contains(reasons, u.reason) {
			reasons = append(reasons, u.reason)
		}
	}
	f := report.CouldNotTell(id, j.r.Name, what+": "+strings.Join(reasons, "; "), us[0].hint)
	ls := make([]string, len(us))
	for i, u := range us {
		ls[i] = u.line
	}
	f.Detail = strings.Join(ls, "\n")
	j.add(f)
}

// mediaSkipped says why an accepted SRTP answer got no media exchange.
func (j *judge) mediaSkipped(o OfferResult) undone {
	r := j.r
	switch {
	case r.MediaDisabled:
		return undone{o.Name + ": media exchange disabled", "the media exchange is disabled", "media exchange disabled: --media-seconds > 0 checks the keys work"}
	case r.Interrupted != "" || o.Interrupted:
		return undone{o.Name + ": interrupted before the media exchange", "interrupted before the media exchange", interruptedHint}
	}
	return undone{o.Name + ": the media exchange did not run", "the media exchange did not run", internalHint}
}

// either adds one id finding: summary over the bad evidence lines when there
// are any, else a pass with passSummary over the good ones when there are any.
func (j *judge) either(id string, bad []string, summary string, good []string, passSummary string) {
	switch {
	case len(bad) > 0:
		j.fail(id, summary, strings.Join(bad, "\n"))
	case len(good) > 0:
		j.pass(id, passSummary, strings.Join(good, "\n"))
	}
}

// policy adds what the declared policy and the role decide: UM-* through
// matrix.Compare, GW-NO-TLS on the gateway leg, MEDIA-PORT-OUT-OF-RANGE.
func (j *judge) policy() {
	r, e := j.r, j.e
	obs := Observe(r)
	media := !r.TLSOnly && len(r.Offers) > 0 && !j.mediaElsewhere()
	if !media {
		obs.Effective = nil
	}
	d := e.Declared
	if d.VoipSecurity != nil || d.Encryption != nil {
		seen := map[string]bool{}
		for _, f := range matrix.Compare(d, obs) {
			seen[f.Check] = true
			j.add(f)
		}
		if media && !seen["UM-SRTP-MISMATCH"] {
			_, why := j.ev.level()
			j.couldNotTell("UM-SRTP-MISMATCH", "the effective encryption level is unknown: "+why, j.levelHint())
		}
		if v := d.VoipSecurity; v != nil && v.Transport().MutualTLS && !seen["UM-MTLS-NOT-ENFORCED"] {
			reason, hint := j.mtlsUnknown()
			j.couldNotTell("UM-MTLS-NOT-ENFORCED", reason, hint)
		}
	}
	if gatewayLeg(e) {
		switch {
		case obs.CleartextAccepted != nil && *obs.CleartextAccepted:
			j.fail("GW-NO-TLS", fmt.Sprintf("the gateway leg answers SIP in cleartext over %s", strings.ToUpper(r.Target.Transport)),
				"observed by probing "+r.Name)
		case obs.TLS:
			j.pass("GW-NO-TLS", "the gateway leg completes a TLS handshake")
		case r.Target.IsTLS():
			j.couldNotTell("GW-NO-TLS", "no TLS handshake completed", "see the TLS findings")
		default:
			j.couldNotTell("GW-NO-TLS", "the edge answered nothing over "+strings.ToUpper(r.Target.Transport), "check that the gateway listens where it is declared")
		}
	}
	if pr := e.MediaPorts; pr != nil && media {
		var outside, inside []string
		for _, o := range r.Offers {
			a := o.Answer
			if o.Code/100 != 2 || a == nil || a.Unreadable || a.Port <= 0 {
				continue
			}
			s := fmt.Sprintf("%s → port %d", o.Name, a.Port)
			if pr.Contains(a.Port) {
				inside = append(inside, s)
			} else {
				outside = append(outside, s)
			}
		}
		switch {
		case len(outside) > 0:
			j.fail("MEDIA-PORT-OUT-OF-RANGE", fmt.Sprintf("the endpoint answers with media ports outside %s", pr), strings.Join(outside, "; "))
		case len(inside) > 0:
			j.pass("MEDIA-PORT-OUT-OF-RANGE", fmt.Sprintf("every answered media port is inside %s", pr), strings.Join(inside, "; "))
		default:
			j.couldNotTell("MEDIA-PORT-OUT-OF-RANGE", "no SDP answer with a media port was accepted", j.levelHint())
		}
	}
}

// levelHint is what the user can change so that the offers tell the
// effective encryption level (and the answers the checks that need one):
// what the pending offers need, else to send the kind of offer that was
// missing, else — both sent, all refused — to look at the codecs.
func (j *judge) levelHint() string {
	if j.ev.codecMismatch {
		return codecHint
	}
	if h := j.hint(j.pending()); h != "" {
		return h
	}
	if !j.ev.anySecure || !j.ev.anyPlain {
		return "send both SRTP and plain-rtp offers (--offer) so that the level can be told"
	}
	return codecHint
}

// pending are the offers that are not evidence.
func (j *judge) pending() []OfferResult {
	return append(append([]OfferResult(nil), j.ev.securePending...), j.ev.plainPending...)
}

// mtlsUnknown says why mutual TLS could not be observed.
func (j *judge) mtlsUnknown() (reason, hint string) {
	r := j.r
	switch {
	case r.TLS == nil && r.Interrupted != "":
		return "interrupted before mutual TLS could be observed", interruptedHint
	case r.TLS != nil && r.TLS.Handshake != nil:
		return "the TLS handshake completed, but whether the edge requires a client certificate was not determined", "see MTLS-NOT-REQUIRED"
	case r.TLS != nil:
		return "mutual TLS could not be observed: no TLS handshake completed (" + string(r.TLS.Status) + ")", "see the TLS findings"
	}
	for _, o := range r.Options {
		if o.Status == StatusUnknownError {
			return "the edge answered nothing, and OPTIONS over " + strings.ToUpper(o.Transport) + " stopped on an internal error", internalHint
		}
	}
	return "the edge answered nothing over " + strings.ToUpper(r.Target.Transport), "check that the endpoint listens where it is declared"
}

// gatewayLeg: the endpoint is on the media gateway leg.
func gatewayLeg(e Expect) bool {
	return e.Role.Role == matrix.RoleGateway || e.Role.Role == matrix.RoleMediationExternal
}

// tlsRequired reports whether the role or the declared policy says
// signalling must be TLS, and why.
func tlsRequired(e Expect) (bool, string) {
	if v := e.Declared.VoipSecurity; v != nil && v.Transport().Name == TLS {
		return true, fmt.Sprintf("declared VoIPSecurity %s requires mutual TLS", *v)
	}
	if e.Role.TLS {
		if e.Role.Role == matrix.RoleSIPEdge {
			return true, "the gateway leg is expected to use TLS"
		}
		return true, "the role " + e.Role.Role.String() + " signals over TLS"
	}
	return false, ""
}

// srtpRequired reports whether the role or the declared policy says media
// must be SRTP, and why.
func srtpRequired(e Expect) (bool, string) {
	if v := e.Declared.VoipSecurity; v != nil && v.SRTP() {
		return true, fmt.Sprintf("declared VoIPSecurity %s requires SRTP", *v)
	}
	if l := e.Declared.Encryption; l != nil && *l == matrix.Required {
		return true, "declared encryption level is required"
	}
	if e.Role.SRTP {
		return true, "media of the role " + e.Role.Role.String() + " is SRTP"
	}
	return false, ""
}

// srtpUnwanted reports whether the declared policy carries plain RTP.
func srtpUnwanted(e Expect) bool {
	d := e.Declared
	if e.Role.SRTP {
		return false
	}
	if v := d.VoipSecurity; v != nil && !v.SRTP() {
		return d.Encryption == nil || *d.Encryption == matrix.Rejected
	}
	return d.Encryption != nil && *d.Encryption == matrix.Rejected
}

// evidence joins the offers' evidence lines.
func evidence(os []OfferResult) string {
	lines := make([]string, len(os))
	for i, o := range os {
		lines[i] = o.Evidence()
	}
	return strings.Join(lines, "\n")
}

// Observe reads the facts the way matrix.Compare takes them: TLS, the
// client-certificate behaviour, cleartext SIP answered (true), refused on
// every cleartext transport tried (false) or unknown (nil: silence is not
// refusal), and the effective encryption level.
func Observe(r *Result) matrix.Observation {
	o := matrix.Observation{Target: r.Name}
	if t := r.TLS; t != nil {
		o.TLS = t.Handshake != nil
		if m := t.MTLS; m != nil {
			asked := m.CertificateRequested
			o.ClientCertAsked = &asked
			if m.AcceptedWithoutClientCert != nil {
				required := !*m.AcceptedWithoutClientCert
				o.MTLSRequired = &required
			}
		}
	}
	o.CleartextAccepted = cleartext(r)
	o.Effective, _ = Effective(r.Offers)
	o.Evidence = evidence(r.Offers)
	return o
}

// cleartext: SIP over UDP or TCP answered (true), refused on every
// cleartext attempt (false), or not known (nil).
func cleartext(r *Result) *bool {
	answered := false
	for _, o := range r.Options {
		answered = answered || (o.Transport != TLS && o.Answered())
	}
	for _, o := range r.Offers {
		answered = answered || (o.Transport != TLS && o.Code != 0)
	}
	shut, silent, broken := cleartextTries(r)
	switch {
	case answered:
		return ptrTo(true)
	case len(shut) > 0 && len(silent) == 0 && len(broken) == 0:
		return ptrTo(false)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }
