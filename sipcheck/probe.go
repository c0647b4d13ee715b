package sipcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/srtpcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

// Defaults for [Config].
const (
	DefaultTimeout       = 5 * time.Second // per network step
	DefaultMediaDuration = 2 * time.Second
	maxRedirects         = 2
)

// Config is what one probe needs. The zero value probes with defaults and
// no declared policy.
type Config struct {
	// SIP identities: From and To URIs (To supplies the Request-URI user).
	From, To string

	// Timeout bounds each network step (TLS handshake, one SIP transaction,
	// one DTLS handshake). The whole probe is bounded by the ctx given to
	// ProbeEndpoint. Zero means DefaultTimeout.
	Timeout time.Duration

	// MediaDuration is how long media is exchanged per accepted SRTP answer.
	// Zero means DefaultMediaDuration; negative disables media.
	MediaDuration time.Duration

	// Offers to send; nil means all of Offers.
	Offers []Offer

	// Declared policy: the UM dial plan level and/or client encryption level
	// the deployment says this endpoint serves. Nil fields are not judged.
	Declared matrix.Declared

	// ExpectTLS says signalling to this endpoint must be TLS (the gateway leg,
	// GW-NO-TLS) even without a declared VoIPSecurity level.
	ExpectTLS bool

	// MutualTLS says the endpoint is a server that also acts as a TLS
	// client toward its peers (OCS, a Mediation Server, Exchange UM), so its
	// certificate needs Client Authentication as well as Server
	// Authentication (TLS-CERT-EKU), whatever level is declared.
	MutualTLS bool

	// OfferConcurrency is how many offer dialogs run at once; 0 means 1.
	// Endpoints that serve many calls (Exchange UM, Mediation Servers) can
	// take all at once, so the media windows overlap.
	OfferConcurrency int

	// NoRedirect disables following a 3xx (Exchange UM call router) to its Contact.
	NoRedirect bool

	// TLS settings for TLS targets.
	ServerName string           // SNI and name checks; default the target host
	ClientCert *tls.Certificate // presented for mutual TLS
	RootCAs    *x509.CertPool   // nil means the system roots
	WarnDays   int              // TLS-CERT-EXPIRING threshold; 0 means 30
	Enumerate  bool             // enumerate TLS versions and cipher suites

	// Resolver for A/AAAA lookups; nil means net.DefaultResolver.
	Resolver Resolver

	redirects int
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

// tlsRequired reports whether the policy says signalling must be TLS.
func (c *Config) tlsRequired() (bool, string) {
	if v := c.Declared.VoipSecurity; v != nil && v.Transport().Name == TLS {
		return true, fmt.Sprintf("declared VoIPSecurity %s requires mutual TLS", *v)
	}
	if c.ExpectTLS {
		return true, "the gateway leg is expected to use TLS"
	}
	return false, ""
}

// srtpRequired reports whether the policy says media must be SRTP.
func (c *Config) srtpRequired() (bool, string) {
	if v := c.Declared.VoipSecurity; v != nil && v.SRTP() {
		return true, fmt.Sprintf("declared VoIPSecurity %s requires SRTP", *v)
	}
	if e := c.Declared.Encryption; e != nil && *e == matrix.Required {
		return true, "declared encryption level is required"
	}
	return false, ""
}

// srtpUnwanted reports whether the policy says media is plain RTP.
func (c *Config) srtpUnwanted() bool {
	if v := c.Declared.VoipSecurity; v != nil && !v.SRTP() {
		return c.Declared.Encryption == nil || *c.Declared.Encryption == matrix.Rejected
	}
	return c.Declared.Encryption != nil && *c.Declared.Encryption == matrix.Rejected
}

// OfferResult is one INVITE dialog.
type OfferResult struct {
	Offer       Offer        `json:"-"`
	Name        string       `json:"offer"` // Offer.String()
	Description string       `json:"description"`
	Transport   string       `json:"transport"`
	Status      Status       `json:"status"`
	Code        int          `json:"code,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	RTTMillis   float64      `json:"rtt_ms,omitempty"`
	Answer      *Answer      `json:"answer,omitempty"`
	Secure      bool         `json:"secure"`             // the answer accepted SRTP
	Plain       bool         `json:"plain"`              // the answer is plain RTP
	Redirect    string       `json:"redirect,omitempty"` // Contact of a 3xx
	Cleanup     string       `json:"cleanup"`            // ack+bye, cancel, none
	Media       *MediaResult `json:"media,omitempty"`
	Error       string       `json:"error,omitempty"`
}

// Evidence is one line: offer → status and answer security.
func (o OfferResult) Evidence() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → ", o.Offer)
	switch {
	case o.Code != 0:
		fmt.Fprintf(&b, "%d %s", o.Code, o.Reason)
	default:
		fmt.Fprintf(&b, "%s", o.Status)
	}
	if a := o.Answer; a != nil && o.Code/100 == 2 {
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
	if o.Error != "" && o.Code != 0 {
		fmt.Fprintf(&b, " [%s]", clip(o.Error, 160))
	}
	return b.String()
}

// MediaResult counts one media exchange.
type MediaResult struct {
	Remote        string  `json:"remote"`
	Seconds       float64 `json:"seconds"`
	Sent          int     `json:"sent"`
	Received      int     `json:"received"`
	Authenticated int     `json:"authenticated"`
	Failed        int     `json:"failed"`
	Echoed        int     `json:"echoed"` // received packets that were our own, reflected

	FingerprintMismatch bool   `json:"fingerprint_mismatch,omitempty"` // DTLS peer certificate ≠ a=fingerprint
	HandshakeFailed     bool   `json:"handshake_failed,omitempty"`     // DTLS handshake did not complete
	MKI                 bool   `json:"mki"`
	Suite               string `json:"suite,omitempty"`
	Error               string `json:"error,omitempty"`
}

// Result is everything one probe of one endpoint found.
type Result struct {
	Target   Target           `json:"target"`
	Name     string           `json:"name"` // Target.String(), the findings' target
	Status   Status           `json:"status"`
	Error    string           `json:"error,omitempty"`
	Started  time.Time        `json:"-"`
	Duration float64          `json:"duration_s"`
	TLS      *tlsprobe.Result `json:"tls,omitempty"` // TLS targets only
	Options  []OptionsResult  `json:"options,omitempty"`
	Offers   []OfferResult    `json:"offers,omitempty"`

	// Effective is the encryption level the endpoint enforces, derived
	// from which offers it accepted; nil when it could not be derived.
	Effective *matrix.EncryptionLevel `json:"effective,omitempty"`
	Evidence  string                  `json:"evidence,omitempty"`

	// Redirect is the probe of the worker a 302 pointed at.
	Redirect *Result `json:"redirect,omitempty"`

	Observation matrix.Observation `json:"-"`
	Findings    []report.Finding   `json:"-"`
}

// Verdict is "fail" when any finding is at or above failOn, else "pass".
func (r *Result) Verdict(failOn report.Severity) string {
	if report.ExitCode(r.AllFindings(), failOn) != 0 {
		return "fail"
	}
	return "pass"
}

// AllFindings returns the findings of this endpoint and of the redirect
// target it led to.
func (r *Result) AllFindings() []report.Finding {
	out := append([]report.Finding(nil), r.Findings...)
	if r.Redirect != nil {
		out = append(out, r.Redirect.AllFindings()...)
	}
	return out
}

// ProbeEndpoint probes one SIP endpoint: TLS (for TLS targets), OPTIONS,
// each offer in its own dialog, media for every accepted SRTP answer. It
// never returns nil and never panics; an endpoint that cannot be reached
// ends as findings, and operational failures (unresolvable name) in
// Result.Status and Result.Error as well. ctx bounds the whole probe.
func ProbeEndpoint(ctx context.Context, t Target, cfg Config) (res *Result) {
	res = &Result{Target: t, Name: t.String(), Started: time.Now()}
	defer func() {
		if p := recover(); p != nil {
			res.Status = StatusUnknownError
			res.Error = fmt.Sprintf("sipcheck: internal error: %v", p)
			res.Findings = append(res.Findings, report.New("SIP-NO-RESPONSE", res.Name, "probe aborted by an internal error").WithDetail("%v", p))
		}
		res.Duration = time.Since(res.Started).Seconds()
	}()
	p := &prober{cfg: &cfg, res: res}
	p.run(ctx)
	return res
}

type prober struct {
	cfg *Config
	res *Result
	mu  sync.Mutex
}

func (p *prober) add(f report.Finding) {
	p.mu.Lock()
	p.res.Findings = append(p.res.Findings, f)
	p.mu.Unlock()
}

func (p *prober) run(ctx context.Context) {
	res, cfg := p.res, p.cfg
	t := res.Target
	name := res.Name
	if len(t.Addrs) == 0 {
		rctx, cancel := context.WithTimeout(ctx, cfg.timeout())
		rt, err := t.Resolve(rctx, cfg.Resolver)
		cancel()
		if err != nil {
			res.Status, res.Error = StatusOf(err), err.Error()
			p.add(report.New("SIP-NO-RESPONSE", name, "target does not resolve").WithDetail("%v", err))
			return
		}
		t = rt
		res.Target = t
	}

	var tlsConf *tls.Config
	if t.IsTLS() {
		tlsConf = p.probeTLS(ctx, t)
		// An edge that refuses clients without a certificate, and none
		// configured: SIP cannot be probed.
		if m := res.Observation.MTLSRequired; m != nil && *m && cfg.ClientCert == nil {
			res.Status = StatusTLSError
			res.Error = "the edge requires a client certificate; pass --cert and --key to probe SIP and media"
			p.add(report.New("SIP-NO-RESPONSE", name, "SIP and media not probed: the edge requires a client certificate").
				WithSeverity(report.Info).WithDetail("mutual TLS refused the probe without a certificate; give the probe one the edge trusts (--cert, --key)"))
			p.observe(t)
			p.compare()
			return
		}
	}
	a, err := newAgent(t, cfg, tlsConf)
	if err != nil {
		res.Status, res.Error = StatusOf(err), err.Error()
		p.add(report.New("SIP-NO-RESPONSE", name, "cannot set up a SIP client for the target").WithDetail("%v", err))
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
			octx, cancel := context.WithTimeout(ctx, cfg.timeout())
			defer cancel()
			res.Options[i] = a.options(octx, t.With(tp))
		}()
	}
	wg.Wait()
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
	// A port given without a transport that answers nothing over UDP or
	// TCP may be a TLS listener on a port other than 5061 (Lync 5067/5070,
	// a simulator's ephemeral port): find out rather than time out on every
	// offer, and probe it over TLS.
	if !reachable && !t.Explicit && !t.IsTLS() && optionsTimedOut(res.Options) && ctx.Err() == nil {
		if speaksTLS(ctx, t, cfg.timeout()) {
			p.retryAsTLS(ctx, t)
			return
		}
	}
	p.optionsFindings(t)
	if ctx.Err() != nil {
		res.Status, res.Error = StatusOf(ctx.Err()), ctx.Err().Error()
		return
	}

	// Offers. An unreachable edge (refused, reset) gets no INVITEs; an edge
	// that only ignored OPTIONS gets them, since some answer INVITE only.
	if !reachable && !optionsTimedOut(res.Options) {
		res.Status = res.Options[0].Status
		res.Error = res.Options[0].Error
		p.observe(t)
		p.compare()
		return
	}
	p.runOffers(ctx, a, inviteTarget, reachable)
	res.Status = StatusSuccess
	if !reachable {
		anyAnswer := false
		for _, o := range res.Offers {
			anyAnswer = anyAnswer || o.Code != 0
		}
		if !anyAnswer {
			res.Status = StatusTimeout
			res.Error = "no SIP response to OPTIONS or INVITE"
		}
	}
	p.offerFindings(inviteTarget)
	p.observe(t)

	// Follow a redirect (Exchange UM call router → worker), once per probe.
	if !cfg.NoRedirect && cfg.redirects < maxRedirects {
		for _, o := range res.Offers {
			if o.Redirect == "" {
				continue
			}
			wt, err := ParseTarget(o.Redirect)
			if err != nil {
				p.add(report.New("SIP-OPTIONS-STATUS", name, "redirect Contact cannot be probed").WithDetail("%v", err))
				break
			}
			sub := *cfg
			sub.redirects++
			res.Redirect = ProbeEndpoint(ctx, wt, sub)
			break
		}
	}
	p.compare()
}

// speaksTLS reports whether the target's TCP port answers a TLS
// ClientHello with TLS: a completed handshake, or an alert the server sent
// (a listener that wants a client certificate refuses with one).
func speaksTLS(ctx context.Context, t Target, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", t.dialAddr())
	if err != nil {
		return false
	}
	defer raw.Close()
	conn := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true, // only asking whether the port speaks TLS; tlsprobe verifies
		ServerName:         t.Host,
		MinVersion:         tls.VersionTLS10,
	})
	err = conn.HandshakeContext(ctx)
	if err == nil {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// retryAsTLS replaces the result with a probe of the same port over TLS,
// keeping the UDP/TCP attempts as evidence and saying why in
// SIP-NO-RESPONSE.
func (p *prober) retryAsTLS(ctx context.Context, t Target) {
	res := p.res
	tried := res.Options
	sub := ProbeEndpoint(ctx, t.With(TLS), *p.cfg)
	started := res.Started
	*res = *sub
	res.Started = started
	res.Options = append(tried, sub.Options...)
	for i, f := range res.Findings {
		if f.Check != "SIP-NO-RESPONSE" || f.Severity != report.Pass {
			continue
		}
		res.Findings[i] = report.New("SIP-NO-RESPONSE", res.Name,
			"no SIP answer over UDP or TCP; the port speaks TLS and was probed over TLS").
			WithSeverity(report.Info).
			WithDetail("%s; name the transport to skip this step: %s or sip:%s;transport=tls",
				optionsStatuses(tried), res.Name, t.HostPort())
	}
}

// optionsStatuses is "udp: timeout; tcp: connection-refused".
func optionsStatuses(os []OptionsResult) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = fmt.Sprintf("%s: %s", o.Transport, o.Status)
	}
	return strings.Join(parts, "; ")
}

func optionsTimedOut(os []OptionsResult) bool {
	for _, o := range os {
		if o.Status == StatusTimeout {
			return true
		}
	}
	return false
}

// probeTLS runs the TLS checks and returns the tls.Config SIP uses. The
// SIP leg does not verify the chain: tlsprobe reports on it, and a probe
// that stopped at an untrusted certificate would hide everything behind it.
func (p *prober) probeTLS(ctx context.Context, t Target) *tls.Config {
	conf := &tls.Config{
		InsecureSkipVerify: true, // verification is tlsprobe's job; see above
		ServerName:         p.cfg.ServerName,
		MinVersion:         tls.VersionTLS10,
	}
	if conf.ServerName == "" {
		if _, err := netip.ParseAddr(t.Host); err != nil {
			conf.ServerName = t.Host
		}
	}
	if p.cfg.ClientCert != nil {
		conf.Certificates = []tls.Certificate{*p.cfg.ClientCert}
	}
	tcfg := tlsprobe.Config{
		ServerName: p.cfg.ServerName,
		ClientCert: p.cfg.ClientCert,
		RootCAs:    p.cfg.RootCAs,
		Timeout:    p.cfg.timeout(),
		Enumerate:  p.cfg.Enumerate,
	}
	tr := tlsprobe.Probe(ctx, t.HostPort(), tcfg)
	p.res.TLS = tr
	warnDays := p.cfg.WarnDays
	if warnDays == 0 {
		warnDays = tlsprobe.DefaultWarnDays // this Config's documented default
	}
	expect := tlsprobe.Expect{
		// As before the observe/judge split: a TLS edge is held to mutual
		// TLS. The role table (matrix.Role.Expect) is to decide this.
		MutualTLS: true,
		// Servers that take part in mutual TLS present their certificate as
		// clients too: require Client Authentication where MTLS is declared
		// or the endpoint's role implies it.
		ClientAuthEKU: p.cfg.MutualTLS || (p.cfg.Declared.VoipSecurity != nil && p.cfg.Declared.VoipSecurity.Transport().MutualTLS),
		WarnDays:      warnDays,
		Now:           time.Now(),
	}
	for _, f := range tlsprobe.Judge(tr, expect) {
		f.Target = p.res.Name
		p.add(f)
	}
	o := &p.res.Observation
	o.TLS = tr.Handshake != nil
	if m := tr.MTLS; m != nil {
		asked := m.CertificateRequested
		o.ClientCertAsked = &asked
		if m.AcceptedWithoutClientCert != nil {
			required := !*m.AcceptedWithoutClientCert
			o.MTLSRequired = &required
		}
	}
	return conf
}

func (p *prober) optionsFindings(t Target) {
	res := p.res
	name := res.Name
	// One SIP-OPTIONS-STATUS per target, covering every transport tried.
	answered := false
	var ok, bad, details []string
	for _, o := range res.Options {
		if !o.Answered() {
			continue
		}
		answered = true
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
	switch {
	case len(bad) > 0:
		p.add(report.Newf("SIP-OPTIONS-STATUS", name, "OPTIONS answered %s", strings.Join(bad, "; ")).WithDetail("%s", strings.Join(details, "\n")))
	case len(ok) > 0:
		p.add(report.Passed("SIP-OPTIONS-STATUS", name, "OPTIONS answered "+strings.Join(ok, "; ")).WithDetail("%s", strings.Join(details, "\n")))
	}
	if !answered {
		p.add(report.New("SIP-NO-RESPONSE", name, "no SIP response to OPTIONS").WithDetail("%s", optionsStatuses(res.Options)))
	} else {
		p.add(report.Passed("SIP-NO-RESPONSE", name, "the edge answers SIP"))
	}
	// Cleartext SIP where TLS is required.
	if need, why := p.cfg.tlsRequired(); need {
		var clear []string
		for _, o := range res.Options {
			if o.Answered() && o.Transport != TLS {
				clear = append(clear, fmt.Sprintf("%s answered %d %s", strings.ToUpper(o.Transport), o.Code, o.Reason))
			}
		}
		if len(clear) > 0 {
			p.add(report.Newf("SIP-CLEARTEXT-ACCEPTED", name, "the edge answers SIP in cleartext; %s", why).WithDetail("%s", strings.Join(clear, "; ")))
		} else if t.IsTLS() {
			p.add(report.Passed("SIP-CLEARTEXT-ACCEPTED", name, "signalling is TLS"))
		}
	}
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

// runOffers sends every offer in its own dialog, Config.OfferConcurrency at
// a time (default one: single-call endpoints such as baresip answer
// overlapping INVITEs with 486, or even 488, which would falsify the
// verdict). Offers answered 486 Busy Here or 480 are retried one by one.
func (p *prober) runOffers(ctx context.Context, a *agent, t Target, reachable bool) {
	offers := p.cfg.offers()
	p.res.Offers = make([]OfferResult, len(offers))
	one := func(i int, kind Offer) {
		defer func() {
			if r := recover(); r != nil {
				o := newOfferResult(kind, t)
				o.Status, o.Error = StatusUnknownError, fmt.Sprintf("internal error: %v", r)
				p.res.Offers[i] = o
			}
		}()
		p.res.Offers[i] = p.runOffer(ctx, a, t, kind)
	}
	if !reachable && len(offers) > 0 {
		// OPTIONS went unanswered: try one INVITE before spending a
		// timeout on every offer.
		one(0, offers[0])
		if p.res.Offers[0].Code == 0 {
			for i, kind := range offers[1:] {
				o := newOfferResult(kind, t)
				o.Status, o.Error = p.res.Offers[0].Status, "not sent: the edge answered neither OPTIONS nor the first INVITE"
				p.res.Offers[i+1] = o
			}
			return
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, p.cfg.offerConcurrency())
	for i, kind := range offers {
		if i == 0 && !reachable {
			continue // already sent above
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			one(i, kind)
		}()
	}
	wg.Wait()
	for i, kind := range offers {
		if c := p.res.Offers[i].Code; (c == 486 || c == 480) && ctx.Err() == nil {
			one(i, kind)
		}
	}
}

// newOfferResult is an offer's result before anything was sent.
func newOfferResult(kind Offer, t Target) OfferResult {
	return OfferResult{Offer: kind, Name: kind.String(), Description: describe(kind), Transport: t.Transport, Cleanup: "none"}
}

func (p *prober) runOffer(ctx context.Context, a *agent, t Target, kind Offer) OfferResult {
	out := newOfferResult(kind, t)
	m, err := newMediaLeg(a.local, kind)
	if err != nil {
		out.Status, out.Error = StatusOf(err), err.Error()
		return out
	}
	defer m.close()
	body := m.offer.SDP
	ictx, cancel := context.WithTimeout(ctx, p.cfg.timeout())
	io := a.invite(ictx, t, body)
	cancel()
	out.Cleanup = io.cleanup
	out.RTTMillis = float64(io.rtt.Microseconds()) / 1000
	if io.res != nil {
		out.Code, out.Reason = io.res.StatusCode, clip(io.res.Reason, 200)
		out.Status = StatusSuccess
	}
	if io.err != nil {
		out.Status, out.Error = StatusOf(io.err), io.err.Error()
	}
	if io.res != nil && io.res.StatusCode/100 == 3 {
		if wt, err := contactTarget(io.res, t); err == nil {
			out.Redirect = "sip:" + wt.HostPort() + ";transport=" + wt.Transport
		} else {
			out.Error = err.Error()
		}
	}
	if io.dialog == nil {
		return out
	}
	defer func() {
		if err := io.dialog.bye(); err != nil && out.Error == "" {
			out.Error = "hang up: " + err.Error()
		}
	}()
	out.Answer = analyze(m.offer, io.answer)
	out.Secure = out.Answer.Secure()
	out.Plain = out.Answer.Plain()
	if out.Secure && p.cfg.media() > 0 {
		out.Media = m.exchange(ctx, out.Answer, p.cfg.media(), p.cfg.timeout())
	}
	return out
}

// offerFindings turns the dialogs into SRTP findings and the effective level.
func (p *prober) offerFindings(t Target) {
	res := p.res
	name := res.Name
	var answered, redirected bool
	var ev []string
	for _, o := range res.Offers {
		ev = append(ev, o.Evidence())
		answered = answered || o.Code != 0
		redirected = redirected || o.Redirect != ""
	}
	res.Evidence = strings.Join(ev, "\n")
	if !answered {
		if !hasPassed(res.Findings, "SIP-NO-RESPONSE") {
			return // already reported by OPTIONS
		}
		p.add(report.New("SIP-NO-RESPONSE", name, "no SIP response to INVITE").WithDetail("%s", res.Evidence))
		return
	}
	secure, plainOK, plainRefused := acceptance(res.Offers)
	eff := level(secure, plainOK, plainRefused)
	if redirected && !secure && !plainOK {
		return // the worker's probe decides
	}
	res.Effective = eff

	// SRTP-NOT-SUPPORTED.
	if hasSecureOffer(res.Offers) {
		if !secure {
			f := report.New("SRTP-NOT-SUPPORTED", name, "no SRTP offer was accepted").WithDetail("%s", res.Evidence)
			if p.cfg.srtpUnwanted() {
				f = f.WithSeverity(report.Info)
				f.Summary += " (the declared policy carries plain RTP)"
			}
			p.add(f)
		} else {
			p.add(report.Passed("SRTP-NOT-SUPPORTED", name, "the edge negotiates SRTP"))
		}
	}
	// SRTP-NOT-REQUIRED.
	if need, why := p.cfg.srtpRequired(); need && hasOffer(res.Offers, srtpcheck.OfferPlain) {
		if plainOK {
			p.add(report.Newf("SRTP-NOT-REQUIRED", name, "the edge accepted a plain RTP offer; %s", why).WithDetail("%s", evidenceOf(res.Offers, srtpcheck.OfferPlain)))
		} else if plainRefused {
			p.add(report.Passed("SRTP-NOT-REQUIRED", name, "the edge refuses plain RTP"))
		}
	}
	p.answerFindings(t)
}

// answerFindings are the per-answer checks — malformed answers, weak suite,
// SDES keys over cleartext, media — aggregated to one finding per check
// with the offers behind it as evidence.
func (p *prober) answerFindings(t Target) {
	var malformed, weak, strong, cleartext, overTLS, authFailed, noMedia, echoed, authOK, fpMismatch, dtlsOK, dtlsFailed []string
	for _, o := range p.res.Offers {
		a := o.Answer
		if a == nil || o.Code/100 != 2 {
			continue
		}
		label := o.Offer.String()
		if len(a.Problems) > 0 {
			malformed = append(malformed, label+": "+strings.Join(a.Problems, "; "))
		}
		if a.Suite != "" && o.Secure {
			if a.weak() {
				weak = append(weak, label+": "+a.Suite+" "+strings.Join(a.Crypto, "; "))
			} else {
				strong = append(strong, label+": "+a.Suite)
			}
		}
		if a.HasKeys && !t.IsTLS() {
			cleartext = append(cleartext, o.Evidence())
		} else if a.HasKeys {
			overTLS = append(overTLS, label)
		}
		m := o.Media
		if m == nil {
			continue
		}
		detail := fmt.Sprintf("%s: %s to %s for %.1fs: sent %d, received %d, authenticated %d, failed %d, echoed %d",
			label, m.Suite, m.Remote, m.Seconds, m.Sent, m.Received, m.Authenticated, m.Failed, m.Echoed)
		if m.MKI {
			detail += ", MKI in every packet"
		}
		if m.Error != "" {
			detail += "; " + m.Error
		}
		switch {
		case m.FingerprintMismatch:
			fpMismatch = append(fpMismatch, detail)
			continue
		case m.HandshakeFailed:
			dtlsFailed = append(dtlsFailed, detail)
			continue
		case m.Received == 0 && m.Echoed > 0:
			echoed = append(echoed, detail)
		case m.Received == 0:
			noMedia = append(noMedia, detail)
		case m.Failed > 0 || m.Authenticated == 0:
			authFailed = append(authFailed, detail)
		default:
			authOK = append(authOK, detail)
		}
		if o.Offer == srtpcheck.OfferDTLS {
			dtlsOK = append(dtlsOK, detail)
		}
	}
	p.either("SDP-ANSWER-MALFORMED", malformed, fmt.Sprintf("malformed SDP in %d answer(s)", len(malformed)), nil, "")
	p.either("SRTP-WEAK-SUITE", weak, fmt.Sprintf("the edge accepts a weak SRTP suite (%d answer(s))", len(weak)),
		strong, "every SDES answer uses AES_CM_128_HMAC_SHA1_80")
	p.either("SDES-OVER-CLEARTEXT", cleartext, fmt.Sprintf("%d answer(s) carry a=crypto keys over %s", len(cleartext), strings.ToUpper(t.Transport)),
		overTLS, "SDES keys travel over TLS")
	p.either("DTLS-FINGERPRINT-MISMATCH", fpMismatch, "the DTLS certificate does not match the answer's a=fingerprint",
		dtlsOK, "the DTLS certificate matches a=fingerprint")
	p.either("SRTP-NO-MEDIA", dtlsFailed, "the DTLS-SRTP handshake failed, no media can flow", nil, "")
	p.either("SRTP-NO-MEDIA", noMedia, fmt.Sprintf("no media from the peer in %d accepted call(s)", len(noMedia)), nil, "")
	p.either("SRTP-NO-MEDIA", echoed, fmt.Sprintf("the peer only echoed our own packets in %d call(s)", len(echoed)), nil, "")
	p.either("SRTP-MEDIA-AUTH-FAILED", authFailed, fmt.Sprintf("media from the peer failed SRTP authentication in %d call(s)", len(authFailed)),
		authOK, fmt.Sprintf("media from the peer authenticated in %d call(s)", len(authOK)))
}

// either adds one id finding: summary over the bad evidence lines when there
// are any, else a pass with passSummary over the good ones when there are any.
func (p *prober) either(id string, bad []string, summary string, good []string, passSummary string) {
	switch {
	case len(bad) > 0:
		p.add(report.New(id, p.res.Name, summary).WithDetail("%s", strings.Join(bad, "\n")))
	case len(good) > 0:
		p.add(report.Passed(id, p.res.Name, passSummary).WithDetail("%s", strings.Join(good, "\n")))
	}
}

// Effective derives an edge's effective encryption level from its answers
// (domain.md §1.6): plain RTP and SRTP accepted → optional; SRTP accepted
// and plain refused → required; plain accepted only → rejected. Without
// evidence either way (SRTP works but the plain offer went unanswered or was
// not sent, or nothing was accepted) the level is nil.
func Effective(offers []OfferResult) *matrix.EncryptionLevel {
	return level(acceptance(offers))
}

// level is Effective from what acceptance read.
func level(secure, plainOK, plainRefused bool) *matrix.EncryptionLevel {
	var eff matrix.EncryptionLevel
	switch {
	case secure && plainOK:
		eff = matrix.Optional
	case secure && plainRefused:
		eff = matrix.Required
	case !secure && plainOK:
		eff = matrix.Rejected
	default:
		return nil
	}
	return &eff
}

// acceptance reads which offers the edge accepted.
func acceptance(offers []OfferResult) (secure, plainOK, plainRefused bool) {
	for _, o := range offers {
		if o.Offer == srtpcheck.OfferPlain {
			switch {
			case o.Code/100 == 2 && o.Plain:
				plainOK = true
			// 488/606 Not Acceptable and 415 refuse the media; a 2xx whose
			// answer keys nothing plain (port 0, SAVP) does too. Busy,
			// server errors and the like prove nothing about encryption.
			case o.Code == 488 || o.Code == 606 || o.Code == 415 || (o.Code/100 == 2 && !o.Plain):
				plainRefused = true
			}
			continue
		}
		if o.Secure && o.Code/100 == 2 {
			secure = true
		}
	}
	return secure, plainOK, plainRefused
}

func hasPassed(fs []report.Finding, id string) bool {
	for _, f := range fs {
		if f.Check == id && f.Severity == report.Pass {
			return true
		}
	}
	return false
}

func hasOffer(os []OfferResult, k Offer) bool {
	for _, o := range os {
		if o.Offer == k && (o.Code != 0) {
			return true
		}
	}
	return false
}

func hasSecureOffer(os []OfferResult) bool {
	for _, o := range os {
		if secureOffer(o.Offer) && o.Code != 0 && o.Redirect == "" {
			return true
		}
	}
	return false
}

func evidenceOf(os []OfferResult, k Offer) string {
	for _, o := range os {
		if o.Offer == k {
			return o.Evidence()
		}
	}
	return ""
}

// observe fills the matrix observation from what was seen.
func (p *prober) observe(t Target) {
	res := p.res
	o := &res.Observation
	o.Target = res.Name
	clear := false
	answeredClear := false
	for _, op := range res.Options {
		if op.Transport != TLS {
			answeredClear = true
			if op.Answered() {
				clear = true
			}
		}
	}
	for _, of := range res.Offers {
		if of.Transport != TLS && of.Code != 0 {
			clear = true
			answeredClear = true
		}
	}
	if answeredClear {
		o.CleartextAccepted = &clear
	}
	o.Effective = res.Effective
	o.Evidence = res.Evidence
}

// compare adds the UM-* findings for the declared policy.
func (p *prober) compare() {
	res := p.res
	obs := res.Observation
	if res.Redirect != nil && res.Effective == nil {
		obs.Effective = res.Redirect.Effective
		obs.Evidence = res.Redirect.Evidence
	}
	if p.cfg.Declared.VoipSecurity == nil && p.cfg.Declared.Encryption == nil {
		return
	}
	for _, f := range matrix.Compare(p.cfg.Declared, obs) {
		p.add(f)
	}
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
