package sipcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlsprobe"
)

// ProbeEndpoint probes one SIP endpoint and records what it observed:
// resolution, TLS (for TLS targets), OPTIONS, each offer in its own dialog
// with its final answer, media for every accepted SRTP answer, and a
// redirect's target. It judges nothing: [Judge] turns the [Result] into
// findings. It never returns nil and never panics; ctx bounds the whole
// probe, and a probe it cuts short says where in Result.Interrupted.
//
// A target that cannot be probed at all (bad configuration, a name that
// does not resolve, nothing accepting a connection) is [Result.NotProbed],
// with [Result.Err] saying what was tried on what.
//
// Called with a context that is already done, it sends nothing and returns
// the result of a probe interrupted before it started: every configured
// offer not sent, which Judge makes inconclusive.
func ProbeEndpoint(ctx context.Context, t Target, cfg Config) *Result {
	return probe(ctx, t, cfg)
}

// probe observes one target; redirect targets are probed with it too.
func probe(ctx context.Context, t Target, cfg Config) (res *Result) {
	res = &Result{Target: t, Name: t.String(), Status: StatusSuccess, Started: time.Now(),
		TLSOnly: cfg.TLSOnly, ClientCert: cfg.ClientCert != nil, MediaDisabled: !cfg.TLSOnly && cfg.media() <= 0}
	p := &prober{cfg: &cfg, res: res}
	defer func() {
		if x := recover(); x != nil {
			res.Status = StatusUnknownError
			res.Error = fmt.Sprintf("internal error: %v", x)
		}
		p.finish(ctx)
	}()
	if err := cfg.Validate(); err != nil {
		res.Status, res.Error = StatusConfigError, strings.TrimPrefix(err.Error(), "sipcheck: ")
		return res
	}
	p.run(ctx)
	return res
}

type prober struct {
	cfg *Config
	res *Result

	mu      sync.Mutex // serializes Progress calls and cut
	cut     string     // where ctx ended the probe
	notSent string     // why the offers were not sent, when none was
}

// step reports a step to Config.Progress.
func (p *prober) step(s Step) {
	if p.cfg.Progress == nil {
		return
	}
	s.Target = p.res.Name
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.Progress(s)
}

// done reports the end of a step to Config.Progress, with what came of it.
func (p *prober) done(s Step, outcome string) {
	s.Done, s.Outcome = true, outcome
	p.step(s)
}

// interrupted records where ctx ended the probe, once.
func (p *prober) interrupted(where string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut == "" {
		p.cut = where
	}
}

// finish derives what displays read from the facts and lists the offers
// that were never sent.
func (p *prober) finish(ctx context.Context) {
	res := p.res
	if p.cut == "" && ctx.Err() != nil && res.Status == StatusSuccess && !p.complete() {
		p.cut = "before the probe ended"
	}
	if p.cut != "" && !res.NotProbed() && res.Status != StatusUnknownError {
		res.Interrupted = p.cut
		res.Status = StatusCanceled
		if res.Error == "" {
			res.Error = "interrupted " + p.cut
		}
	}
	if !res.TLSOnly && res.Status != StatusConfigError && len(res.Offers) == 0 {
		why := p.notSent
		switch {
		case res.Interrupted != "":
			why = "interrupted"
		case res.NotProbed():
			why = "the target could not be probed"
		case res.Status == StatusUnknownError:
			why = "the probe stopped on an internal error"
		}
		for _, k := range p.cfg.offers() {
			o := newOfferResult(k, res.Target)
			o.NotSent, o.Interrupted = why, res.Interrupted != ""
			if o.Interrupted {
				o.Status = StatusCanceled
			}
			res.Offers = append(res.Offers, o)
		}
	}
	res.Effective, res.EffectiveReason = Effective(res.Offers)
	res.Evidence = evidence(res.Offers)
	res.Duration = time.Since(res.Started).Seconds()
}

// complete: every configured step left a result.
func (p *prober) complete() bool {
	if p.res.TLSOnly {
		return p.res.TLS != nil
	}
	for _, o := range p.res.Offers {
		if o.Interrupted {
			return false
		}
	}
	return len(p.res.Offers) > 0 || p.notSent != ""
}

func (p *prober) run(ctx context.Context) {
	res, cfg := p.res, p.cfg
	t := res.Target
	if ctx.Err() != nil {
		// Ended before it began: nothing is sent, every check it would
		// have run is judged interrupted.
		p.interrupted("before the probe started")
		return
	}
	res.To, res.ToGiven = DefaultUser, false
	switch {
	case cfg.To != "":
		res.To, _ = ParseTo(cfg.To) // validated
		res.ToGiven = true
	case t.User != "":
		res.To, res.ToGiven = t.User, true
	}
	if cfg.TLSOnly && !t.IsTLS() {
		if t.Explicit {
			res.Status = StatusConfigError
			res.Error = fmt.Sprintf("TLS only was asked for, but %s names %s: give a TLS target (tls://%s)", t.Raw, strings.ToUpper(t.Transport), t.HostPort())
			return
		}
		t = t.With(TLS)
		res.Target, res.Name = t, t.String()
	}
	if len(t.Addrs) == 0 {
		if _, err := netip.ParseAddr(t.Host); err != nil {
			p.step(Step{Kind: StepResolve})
		}
		rctx, cancel := context.WithTimeout(ctx, cfg.timeout())
		rt, err := t.Resolve(rctx, cfg.Resolver)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				p.done(Step{Kind: StepResolve}, "interrupted")
				p.interrupted("while resolving " + t.Host)
				return
			}
			res.Status, res.Error = StatusDNSError, fmt.Sprintf("DNS lookup of %s: %s", t.Host, describe(err))
			p.done(Step{Kind: StepResolve}, describe(err))
			return
		}
		t = rt
		res.Target = t
		if _, err := netip.ParseAddr(t.Host); err != nil {
			p.done(Step{Kind: StepResolve}, addrList(t.Addrs))
		}
	}

	var tlsConf *tls.Config
	if t.IsTLS() {
		ts := Step{Kind: StepTLS}
		if cfg.Enumerate {
			ts.Detail = "versions and suites"
		}
		p.step(ts)
		tr := p.probeTLS(ctx, t)
		p.done(ts, tlsWords(tr))
		switch {
		case tr.Status == tlsprobe.StatusInterrupted:
			p.interrupted("during the TLS handshake")
			return
		case tr.Status == tlsprobe.StatusRefused:
			res.Status, res.Error = StatusConnectionRefused, "nothing accepts SIP at "+t.dialAddr()+": TLS connection refused"
			return
		}
		if cfg.TLSOnly {
			if tr.Interrupted {
				p.interrupted("during the TLS checks")
			}
			return
		}
		// An edge that refuses clients without a certificate, and none
		// configured: SIP and media cannot be probed.
		if m := tr.MTLS; m != nil && m.AcceptedWithoutClientCert != nil && !*m.AcceptedWithoutClientCert && cfg.ClientCert == nil {
			res.NeedsClientCert = true
			p.notSent = "the edge requires a client certificate"
			return
		}
		tlsConf = sipTLSConfig(cfg.ServerName, t.Host, cfg.ClientCert)
	}
	a, err := newAgent(t, cfg, tlsConf, res.To)
	if err != nil {
		res.Status = StatusOf(err)
		if res.Status != StatusConfigError && res.Status != StatusNoRoute {
			res.Status = StatusNoRoute
		}
		res.Error = fmt.Sprintf("no local address to reach %s: %s", t.dialAddr(), describe(err))
		return
	}
	defer a.close()

	// OPTIONS on the target's transport, and on TCP as well when UDP was
	// only the default, so a cleartext TCP listener is noticed.
	transports := []string{t.Transport}
	if !t.Explicit && t.Transport == UDP {
		transports = append(transports, TCP)
	}
	res.Options = make([]OptionsResult, len(transports))
	var wg sync.WaitGroup
	for i, tp := range transports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if x := recover(); x != nil { // a sipgo bug must not take down a scan
					res.Options[i] = OptionsResult{Transport: tp, Status: StatusUnknownError, Error: fmt.Sprintf("internal error in the SIP stack: %v", x)}
				}
			}()
			p.step(Step{Kind: StepOptions, Transport: tp})
			octx, cancel := context.WithTimeout(ctx, cfg.timeout())
			defer cancel()
			res.Options[i] = sendOptions(a, octx, t.With(tp))
			p.done(Step{Kind: StepOptions, Transport: tp}, res.Options[i].words())
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		p.interrupted("during OPTIONS")
		return
	}
	// sipgo's UDP transport never reports ICMP port unreachable, so a
	// closed UDP port looks like a silent edge. Ask the host directly.
	for i, o := range res.Options {
		if o.Transport == UDP && o.Status == StatusTimeout && udpPortClosed(ctx, t.With(UDP).dialAddr(), cfg.timeout()) {
			res.Options[i].Status = StatusConnectionRefused
			res.Options[i].Error = "port unreachable (ICMP)"
		}
	}
	inviteTarget, reachable := t, false
	for _, o := range res.Options {
		if o.Answered() {
			if !reachable {
				inviteTarget = t.With(o.Transport)
				inviteTarget.Explicit = t.Explicit
			}
			reachable = true
		}
	}
	if !reachable {
		// A port given without a transport that answers nothing over UDP
		// or TCP may be a TLS listener on a port other than 5061 (Lync
		// 5067/5070, a simulator's ephemeral port): find out rather than
		// time out on every offer, and probe it over TLS.
		if !t.Explicit && !t.IsTLS() && optionsTimedOut(res.Options) && speaksTLS(ctx, t, cfg.timeout()) {
			p.retryAsTLS(ctx, t)
			return
		}
		if refusedEverywhere(res.Options) {
			res.Status, res.Error = refusal(res.Options), "nothing accepts SIP at "+t.dialAddr()+": "+attempts(res.Options)
			return
		}
		// An unreachable edge (reset, TLS failure) gets no INVITEs; an
		// edge that only ignored OPTIONS gets them, since some answer
		// INVITE only, and so does one whose OPTIONS stopped on an
		// internal error, which says nothing of the edge.
		if !optionsTimedOut(res.Options) && !optionsInternal(res.Options) {
			p.notSent = "OPTIONS failed over every transport: " + attempts(res.Options)
			return
		}
	}
	p.runOffers(ctx, a, inviteTarget, reachable)
	p.followRedirect(ctx, t)
}

// udpPortClosed reports whether the host answers a datagram to addr with
// ICMP port unreachable: the read on a connected UDP socket then fails
// with ECONNREFUSED. The datagram is a SIP keep-alive ping (RFC 5626
// §4.4.1, CRLF CRLF), which a SIP server ignores. Silence — a firewall
// that drops, a server that ignores — proves nothing and gives false.
func udpPortClosed(ctx context.Context, addr string, timeout time.Duration) bool {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	deadline := time.Now().Add(min(timeout, time.Second))
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = c.SetDeadline(deadline)
	buf := make([]byte, 64)
	// Two pings: the ICMP error of the first may arrive after the read
	// that follows it has already been set up on some systems.
	for range 2 {
		if _, err := c.Write([]byte("\r\n\r\n")); err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		_, err := c.Read(buf)
		switch {
		case err == nil:
			return false // something answered: the port is open
		case errors.Is(err, syscall.ECONNREFUSED):
			return true
		case errors.Is(err, os.ErrDeadlineExceeded):
			return false
		}
	}
	return false
}

// sendOptions sends one OPTIONS; a variable so that a test can make it
// panic.
var sendOptions = (*agent).options

// sendInvite runs one INVITE dialog; a variable so that a test can make
// it panic.
var sendInvite = (*agent).invite

// refusedEverywhere: every OPTIONS attempt was refused (nothing listens, or
// no route).
func refusedEverywhere(os []OptionsResult) bool {
	for _, o := range os {
		if !o.Refused() {
			return false
		}
	}
	return len(os) > 0
}

// refusal is StatusNoRoute when every attempt had no route, else
// StatusConnectionRefused.
func refusal(os []OptionsResult) Status {
	for _, o := range os {
		if o.Status != StatusNoRoute {
			return StatusConnectionRefused
		}
	}
	return StatusNoRoute
}

// attempts is "UDP: port unreachable, TCP: connection refused".
func attempts(os []OptionsResult) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = strings.ToUpper(o.Transport) + " " + o.attempt()
	}
	return strings.Join(parts, ", ")
}

// attempt is what became of an OPTIONS that got no answer, in words.
func (o OptionsResult) attempt() string {
	switch {
	case o.Transport == UDP && o.Status == StatusConnectionRefused:
		return "port unreachable"
	case o.Error != "":
		return o.Error
	}
	return string(o.Status)
}

func optionsInternal(os []OptionsResult) bool {
	for _, o := range os {
		if o.Status == StatusUnknownError {
			return true
		}
	}
	return false
}

func optionsTimedOut(os []OptionsResult) bool {
	for _, o := range os {
		if o.Status == StatusTimeout {
			return true
		}
	}
	return false
}

// speaksTLS reports whether the target's TCP port answers a TLS
// ClientHello with TLS: a completed handshake, or an alert the server sent
// (a listener that wants a client certificate refuses with one).
func speaksTLS(ctx context.Context, t Target, timeout time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", t.dialAddr())
	if err != nil {
		return false
	}
	defer raw.Close()
	conf := sipTLSConfig("", t.Host, nil)
	err = tls.Client(raw, conf).HandshakeContext(ctx)
	if err == nil {
		return true
	}
	return remoteAlert(err)
}

// retryAsTLS replaces the result with a probe of the same port over TLS,
// keeping the UDP/TCP attempts as evidence.
func (p *prober) retryAsTLS(ctx context.Context, t Target) {
	res := p.res
	tried := res.Options
	sub := probe(ctx, t.With(TLS), *p.cfg)
	started := res.Started
	*res = *sub
	res.Started = started
	res.Options = append(tried, sub.Options...)
	res.TLSDetected = true
	p.notSent = "see the TLS probe"
}

// probeTLS observes TLS with tlsprobe: handshakes without and with the
// client certificate, the chain, mutual TLS, and with Enumerate versions
// and suites. It judges nothing; Judge hands the facts to tlsprobe.Judge.
// It probes the address the SIP leg dials (resolved with Config.Resolver,
// never again by the system resolver, which could pick another host of a
// round-robin name or know no such name), with the SNI the SIP leg sends.
func (p *prober) probeTLS(ctx context.Context, t Target) *tlsprobe.Result {
	serverName := p.cfg.ServerName
	if serverName == "" {
		serverName = t.Host
	}
	tr := tlsprobe.Probe(ctx, t.dialAddr(), tlsprobe.Config{
		ServerName: serverName,
		ClientCert: p.cfg.ClientCert,
		RootCAs:    p.cfg.RootCAs,
		Timeout:    p.cfg.timeout(),
		Enumerate:  p.cfg.Enumerate,
	})
	p.res.TLS = tr
	return tr
}

// sipTLSConfig is the SIP leg's TLS, tlsprobe.ClientConfig: TLS 1.0 to 1.3
// and every suite Go implements but RC4, static RSA and CBC included, so
// that SIP reaches what OCS 2007 R2 and Exchange 2007 speak (tlsprobe
// reports on weakness; the SIP leg must not refuse it), without chain
// verification (tlsprobe reports on the chain; a SIP leg that stopped at an
// untrusted certificate would hide everything behind it).
func sipTLSConfig(serverName, host string, cert *tls.Certificate) *tls.Config {
	if serverName == "" {
		serverName = host
	}
	return tlsprobe.ClientConfig(serverName, cert)
}

// runOffers sends every offer in its own dialog, Config.OfferConcurrency at
// a time (default one: single-call endpoints such as baresip answer
// overlapping INVITEs with 486, or even 488, which would falsify the
// verdict). Offers answered 486 Busy Here or 480 are retried one by one.
func (p *prober) runOffers(ctx context.Context, a *agent, t Target, reachable bool) {
	offers := p.cfg.offers()
	res := p.res
	res.Offers = make([]OfferResult, len(offers))
	one := func(i int) {
		kind := offers[i]
		defer func() {
			if r := recover(); r != nil {
				o := newOfferResult(kind, t)
				o.Status, o.Error = StatusUnknownError, fmt.Sprintf("internal error: %v", r)
				res.Offers[i] = o
			}
		}()
		res.Offers[i] = p.runOffer(ctx, a, t, kind, i, len(offers))
	}
	first := 0
	if !reachable && len(offers) > 0 {
		// OPTIONS went unanswered: try one INVITE before spending a
		// timeout on every offer. One that stopped on an internal error
		// says nothing of the edge: the others go on.
		one(0)
		first = 1
		if o := res.Offers[0]; o.Code == 0 && o.Class() != ClassInternal {
			for i, kind := range offers[1:] {
				o := newOfferResult(kind, t)
				o.NotSent = "the edge answered neither OPTIONS nor the first INVITE"
				if res.Offers[0].Interrupted {
					o.NotSent, o.Interrupted, o.Status = "interrupted", true, StatusCanceled
				}
				res.Offers[i+1] = o
			}
			p.noteCut(ctx)
			return
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, p.cfg.offerConcurrency())
	for i := first; i < len(offers); i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			one(i)
		}()
	}
	wg.Wait()
	for i := range offers {
		if c := res.Offers[i].Code; (c == 486 || c == 480) && ctx.Err() == nil {
			one(i)
		}
	}
	p.noteCut(ctx)
}

// noteCut records an interruption during the offers.
func (p *prober) noteCut(ctx context.Context) {
	if ctx.Err() == nil {
		return
	}
	done := 0
	for _, o := range p.res.Offers {
		if !o.Interrupted {
			done++
		}
	}
	p.interrupted(fmt.Sprintf("during the offers: %d of %d done", done, len(p.res.Offers)))
}

// newOfferResult is an offer's result before anything was sent.
func newOfferResult(kind Offer, t Target) OfferResult {
	return OfferResult{Offer: kind, Name: kind.String(), Description: describeOffer(kind), Transport: t.Transport, Cleanup: "none"}
}

func (p *prober) runOffer(ctx context.Context, a *agent, t Target, kind Offer, i, n int) OfferResult {
	out := newOfferResult(kind, t)
	if ctx.Err() != nil {
		out.NotSent, out.Interrupted, out.Status = "interrupted", true, StatusCanceled
		return out
	}
	step := Step{Kind: StepOffer, Offer: kind.String(), Index: i + 1, Total: n}
	p.step(step)
	m, err := newMediaLeg(a.local, kind)
	if err != nil {
		out.Status, out.NotSent = StatusOf(err), "no media socket: "+describe(err)
		p.done(step, out.words())
		return out
	}
	defer m.close()
	ictx, cancel := context.WithTimeout(ctx, p.cfg.timeout())
	out.Sent = true
	io := sendInvite(a, ictx, t, m.offer.SDP)
	cancel()
	out.Cleanup = io.cleanup
	out.RTTMillis = float64(io.rtt.Microseconds()) / 1000
	if r := io.res; r != nil {
		out.Code, out.Reason = r.StatusCode, clip(r.Reason, 200)
		out.Status = StatusSuccess
		out.Warning = diagHeaders(r, "Warning")
		out.ReasonHeader = diagHeaders(r, "Reason")
		out.Diagnostics = diagHeaders(r, "ms-diagnostics", "ms-diagnostics-public")
	}
	if io.err != nil {
		out.Status, out.Error = StatusOf(io.err), describe(io.err)
	}
	if io.res == nil && ctx.Err() != nil {
		out.Interrupted = true
	}
	if r := io.res; r != nil && r.StatusCode/100 == 3 {
		if c := r.Contact(); c != nil {
			out.Contact = clip(c.Value(), 200)
		}
		if wt, err := contactTarget(r, t); err == nil {
			out.Redirect = wt.String()
		} else {
			out.Error = describe(err)
		}
	}
	if io.dialog == nil {
		p.done(step, out.words())
		return out
	}
	defer func() {
		if err := io.dialog.bye(); err != nil && out.Error == "" {
			out.Error = "hang up: " + describe(err)
		}
	}()
	out.Answer = analyze(m.offer, io.answer)
	out.Secure = out.Answer.Secure()
	out.Plain = out.Answer.Plain()
	p.done(step, out.words())
	if out.Secure && p.cfg.media() > 0 && ctx.Err() == nil {
		ms := Step{Kind: StepMedia, Offer: kind.String(), Index: i + 1, Total: n, Window: p.cfg.media()}
		p.step(ms)
		out.Media = m.exchange(ctx, out.Answer, p.cfg.media(), p.cfg.timeout())
		out.Media.Interrupted = ctx.Err() != nil
		p.done(ms, out.Media.words())
	}
	return out
}

// Bounds on the diagnostic headers an offer keeps from a hostile peer.
const (
	maxDiagHeaders = 4
	maxDiagLen     = 200
)

// diagHeaders collects the values of the named headers, printable and
// bounded.
func diagHeaders(r *sip.Response, names ...string) []string {
	var out []string
	for _, n := range names {
		for _, h := range r.GetHeaders(n) {
			if len(out) == maxDiagHeaders {
				return out
			}
			if v := clip(strings.TrimSpace(h.Value()), maxDiagLen); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// followRedirect follows the first 3xx (Exchange UM call router → worker)
// when it leads to the same host or to one the user named, and records why
// not otherwise.
func (p *prober) followRedirect(ctx context.Context, t Target) {
	res, cfg := p.res, p.cfg
	var o *OfferResult
	for i := range res.Offers {
		if res.Offers[i].Code/100 == 3 {
			o = &res.Offers[i]
			break
		}
	}
	if o == nil {
		return
	}
	rd := &Redirection{Offer: o.Name, Code: o.Code, Contact: o.Contact, Target: o.Redirect}
	res.Redirection = rd
	chain := append(slices.Clone(cfg.visited), t.String())
	var wt Target
	var err error
	if o.Redirect != "" {
		wt, err = ParseTarget(o.Redirect)
	}
	switch {
	case o.Redirect == "" || err != nil:
		rd.Outcome, rd.Reason = RedirectBadContact, "no usable SIP Contact"
		if o.Error != "" {
			rd.Reason = o.Error
		}
		return
	case cfg.NoRedirect:
		rd.Outcome, rd.Reason = RedirectDisabled, "redirects are disabled"
		return
	case ctx.Err() != nil:
		rd.Outcome, rd.Reason = RedirectInterrupted, "interrupted"
		return
	case slices.Contains(chain, wt.String()):
		rd.Outcome, rd.Reason, rd.Chain = RedirectLoop, "it leads back to "+wt.String(), chain
		return
	case cfg.redirects >= maxRedirects:
		rd.Outcome, rd.Reason, rd.Chain = RedirectTooMany, fmt.Sprintf("more than %d redirects in a row", maxRedirects), chain
		return
	}
	if !p.mayFollow(ctx, t, wt) {
		rd.Outcome = RedirectOffHost
		rd.Reason = wt.Host + " is another host, and not one of the hosts named to probe"
		return
	}
	rd.Outcome = RedirectFollowed
	p.step(Step{Kind: StepRedirect, Detail: wt.String()})
	sub := *cfg
	sub.redirects++
	sub.visited = chain
	if !strings.EqualFold(wt.Host, t.Host) {
		sub.ServerName = "" // its own identity: the host it names
	}
	res.Redirect = probe(ctx, wt, sub)
}

// mayFollow: the redirect target is the same host as t (by name, or by an
// address in common) or a host in Config.RedirectHosts.
func (p *prober) mayFollow(ctx context.Context, t, wt Target) bool {
	if strings.EqualFold(wt.Host, t.Host) {
		return true
	}
	addrs := p.lookup(ctx, wt.Host)
	if overlap(addrs, t.Addrs) {
		return true
	}
	for _, h := range p.cfg.RedirectHosts {
		h = strings.Trim(strings.TrimSpace(h), "[]")
		if strings.EqualFold(h, wt.Host) || overlap(addrs, p.lookup(ctx, h)) {
			return true
		}
	}
	return false
}

// lookup resolves a host name or IP literal, bounded; nil on failure.
func (p *prober) lookup(ctx context.Context, host string) []netip.Addr {
	if host == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.timeout())
	defer cancel()
	t, err := Target{Host: host}.Resolve(ctx, p.cfg.Resolver)
	if err != nil {
		return nil
	}
	return t.Addrs
}

func overlap(a, b []netip.Addr) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// SharedAddress compares a Mediation Server's internal and external edges
// and returns EDGE-SHARED-ADDRESS: a failure when they resolve to a common
// IP address, a pass otherwise. Both targets must be resolved.
func SharedAddress(internal, external Target) report.Finding {
	target := "edges " + internal.HostPort() + " / " + external.HostPort()
	seen := map[netip.Addr]bool{}
	for _, a := range internal.Addrs {
		seen[a] = true
	}
	var shared []string
	for _, a := range external.Addrs {
		if seen[a] {
			shared = append(shared, a.String())
		}
	}
	sort.Strings(shared)
	if len(shared) > 0 {
		return report.Newf("EDGE-SHARED-ADDRESS", target, "internal and external edges share %s", strings.Join(shared, ", ")).
			WithDetail("internal %s resolves to %s; external %s resolves to %s", internal.Host, addrList(internal.Addrs), external.Host, addrList(external.Addrs))
	}
	return report.Passed("EDGE-SHARED-ADDRESS", target, "internal and external edges listen on different addresses").
		WithDetail("internal %s; external %s", addrList(internal.Addrs), addrList(external.Addrs))
}

func addrList(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
