package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/pool"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

// probeOptions are the flags of `voipsec probe`.
type probeOptions struct {
	Cert, Key, CA string
	ServerName    string
	WarnDays      int
	StepTimeout   time.Duration
	Timeout       time.Duration
	Enumerate     bool
	TLSOnly       bool
	Role          string

	VoipSecurity string
	Encryption   string
	ExpectTLS    bool

	Internal, External string
	From, To           string
	MediaSeconds       float64
	Offers             []string
	NoRedirect         bool
	Jobs               int
	OfferConcurrency   int

	out   outputOptions
	flags *pflag.FlagSet

	role     *matrix.Role // --role; nil: assumed per target from its port
	declared matrix.Declared
	cfg      sipcheck.Config
	targets  []sipcheck.Target
	edges    [2]*sipcheck.Target // internal, external
}

func (o *probeOptions) AddFlags(f *pflag.FlagSet) {
	o.flags = f
	f.StringVar(&o.Role, "role", "", "the `role` of the targets, which decides what they must enforce: "+roleNames()+" (default: assumed from the port, and said so)")
	f.StringVar(&o.Cert, "cert", "", "client certificate `file` (PEM) presented for mutual TLS")
	f.StringVar(&o.Key, "key", "", "private key `file` (PEM) of --cert")
	f.StringVar(&o.CA, "ca", "", "extra trusted CA `file` (PEM), added to the system roots")
	f.StringVar(&o.ServerName, "server-name", "", "TLS server `name` for SNI and certificate checks (default: the target host)")
	f.IntVar(&o.WarnDays, "warn-days", tlsprobe.DefaultWarnDays, "warn when a certificate expires within `days` (0: no expiry warning)")
	f.BoolVar(&o.Enumerate, "enumerate", false, "enumerate TLS versions and cipher suites")
	f.BoolVar(&o.TLSOnly, "tls-only", false, "TLS, certificate and mutual TLS checks only (with --enumerate: versions and suites); no call is placed")
	f.StringVar(&o.VoipSecurity, "voip-security", "", "declared UM dial plan `level`: Unsecured, SIPSecured, Secured")
	f.StringVar(&o.Encryption, "encryption", "", "declared client encryption `level`: rejected, optional, required (or the Set-CsMediaConfiguration values)")
	f.BoolVar(&o.ExpectTLS, "expect-tls", false, "signalling must be TLS (the gateway leg): cleartext SIP is SIP-CLEARTEXT-ACCEPTED")
	_ = f.MarkDeprecated("expect-tls", "every role but sip-edge expects TLS signalling: use --role gateway (or mediation-external, um, mediation-internal)")
	f.StringVar(&o.Internal, "internal", "", "Mediation Server internal edge `target`; with --external checks EDGE-SHARED-ADDRESS")
	f.StringVar(&o.External, "external", "", "Mediation Server external (gateway) edge `target`")
	f.StringVar(&o.From, "from", "", "From SIP `URI` of probe calls (default sip:voipsec@LOCAL-IP)")
	f.StringVar(&o.To, "to", "", "the `number` to call: a user part (+14255550100, uas) or a SIP URI (sip:+14255550100@contoso.com); it goes into the Request-URI (default: an unroutable user, which can only give an inconclusive verdict at an edge that routes by number)")
	f.Float64Var(&o.MediaSeconds, "media-seconds", 2, "`seconds` of SRTP media per accepted answer (0: no media)")
	f.StringSliceVar(&o.Offers, "offer", nil, "send only these `offers`: "+offerNames()+" (default all)")
	f.BoolVar(&o.NoRedirect, "no-redirect", false, "do not follow a 3xx (Exchange UM call router) to its Contact")
	f.IntVarP(&o.Jobs, "jobs", "j", 16, "probe `n` targets at once")
	f.IntVar(&o.OfferConcurrency, "offer-concurrency", 1, "run `n` offer dialogs per target at once (edges that take many calls: overlap the media windows)")
	f.DurationVar(&o.StepTimeout, "step-timeout", sipcheck.DefaultTimeout, "`duration` limit of each network step (handshake, SIP transaction)")
	f.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "overall `duration` limit of the run")
	o.out.AddFlags(f)
}

// uriReason is what sipcheck says is wrong with a From or To value.
func uriReason(err error) string {
	var ue *sipcheck.URIError
	if errors.As(err, &ue) {
		return ue.Reason
	}
	return err.Error()
}

// flagSet reports whether the flag was given on the command line.
func (o *probeOptions) flagSet(name string) bool {
	return o.flags != nil && o.flags.Changed(name)
}

func roleNames() string {
	var s []string
	for _, r := range matrix.Roles() {
		s = append(s, r.Name)
	}
	return strings.Join(s, ", ")
}

func offerNames() string {
	var s []string
	for _, of := range sipcheck.Offers {
		s = append(s, of.String())
	}
	return strings.Join(s, ", ")
}

func (o *probeOptions) Validate(args []string) error {
	if err := o.out.Validate(); err != nil {
		return err
	}
	if len(args) == 0 && o.Internal == "" && o.External == "" {
		return withHint(errors.New("probe needs at least one target"), "voipsec probe med01.contoso.com:5061")
	}
	if (o.Internal == "") != (o.External == "") {
		return usagef("--internal and --external go together")
	}
	for _, a := range args {
		t, err := sipcheck.ParseTarget(a)
		if err != nil {
			return withHint(err, "targets are host:port, [v6]:port, tls://host:port (also udp://, tcp://), sip:host:port;transport=tcp|udp|tls or sips:host")
		}
		o.targets = append(o.targets, t)
	}
	for i, a := range []string{o.Internal, o.External} {
		if a == "" {
			continue
		}
		t, err := sipcheck.ParseTarget(a)
		if err != nil {
			return withHint(fmt.Errorf("--%s: %w", []string{"internal", "external"}[i], err), "")
		}
		o.edges[i] = &t
	}
	c := &o.cfg
	if o.flagSet("role") {
		r, err := matrix.ParseRole(o.Role)
		if err != nil {
			return usagef("--role: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		o.role = &r
	}
	if o.TLSOnly {
		// A target without a transport is probed over TLS; one that names
		// UDP or TCP cannot be.
		toTLS := func(t *sipcheck.Target) error {
			if t.IsTLS() {
				return nil
			}
			if t.Explicit {
				return withHint(fmt.Errorf("--tls-only: %s names %s, not TLS", t.Raw, strings.ToUpper(t.Transport)), "name TLS targets: tls://host:port, sips:host, or host:port")
			}
			*t = t.With(sipcheck.TLS)
			return nil
		}
		for i := range o.targets {
			if err := toTLS(&o.targets[i]); err != nil {
				return err
			}
		}
		for _, t := range o.edges {
			if t != nil {
				if err := toTLS(t); err != nil {
					return err
				}
			}
		}
		for _, f := range []string{"offer", "media-seconds", "offer-concurrency", "to", "from", "no-redirect"} {
			if o.flagSet(f) {
				return usagef("--%s has no effect with --tls-only, which places no call", f)
			}
		}
	}
	if o.VoipSecurity != "" {
		v, err := matrix.ParseVoipSecurity(o.VoipSecurity)
		if err != nil {
			return usagef("--voip-security: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		o.declared.VoipSecurity = &v
	}
	if o.Encryption != "" {
		e, err := matrix.ParseEncryptionLevel(o.Encryption)
		if err != nil {
			return usagef("--encryption: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		o.declared.Encryption = &e
	}
	if o.OfferConcurrency < 1 || o.OfferConcurrency > 16 {
		return usagef("--offer-concurrency must be between 1 and 16, got %d", o.OfferConcurrency)
	}
	c.OfferConcurrency = o.OfferConcurrency
	if o.Jobs < 1 {
		return usagef("-j/--jobs must be at least 1, got %d", o.Jobs)
	}
	if o.Timeout <= 0 || o.StepTimeout <= 0 {
		return usagef("--timeout and --step-timeout must be positive")
	}
	if o.MediaSeconds < 0 || o.MediaSeconds > 600 {
		return usagef("--media-seconds must be between 0 and 600, got %g", o.MediaSeconds)
	}
	if o.WarnDays < 0 {
		return usagef("--warn-days must not be negative")
	}
	for _, s := range o.Offers {
		of, err := sipcheck.ParseOffer(s)
		if err != nil {
			return usagef("--offer: %s", strings.TrimPrefix(err.Error(), "sipcheck: "))
		}
		c.Offers = append(c.Offers, of)
	}
	if (o.Cert == "") != (o.Key == "") {
		return usagef("--cert and --key go together")
	}
	if o.Cert != "" {
		pair, err := tls.LoadX509KeyPair(o.Cert, o.Key)
		if err != nil {
			return usagef("--cert/--key: %v", err)
		}
		c.ClientCert = &pair
	}
	if o.CA != "" {
		pem, err := os.ReadFile(o.CA)
		if err != nil {
			return usagef("--ca: %v", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return usagef("--ca: no PEM certificate in %s", o.CA)
		}
		c.RootCAs = pool
	}
	c.ServerName = o.ServerName
	c.Enumerate = o.Enumerate
	c.TLSOnly = o.TLSOnly
	// The number to call and the caller: what sipcheck would otherwise
	// replace silently is refused here, naming the flag and the value.
	if o.flagSet("to") {
		if _, err := sipcheck.ParseTo(o.To); err != nil {
			return withHint(fmt.Errorf("--to: bad number to call %q: %s", o.To, uriReason(err)),
				"give a number (+14255550100), a user (uas) or a SIP URI (sip:+14255550100@contoso.com)")
		}
		c.To = strings.TrimSpace(o.To)
	}
	if o.flagSet("from") {
		from, err := sipcheck.ParseFrom(o.From)
		if err != nil {
			return withHint(fmt.Errorf("--from: bad SIP URI %q: %s", o.From, uriReason(err)), "give a SIP URI such as sip:voipsec@probe.contoso.com")
		}
		c.From = from
	}
	c.NoRedirect = o.NoRedirect
	c.Timeout = o.StepTimeout
	c.MediaDuration = time.Duration(o.MediaSeconds * float64(time.Second))
	if o.MediaSeconds == 0 {
		c.MediaDuration = -1
	}
	return nil
}

func init() {
	register(&command{
		Name:  "probe",
		Short: "probe SIP edges live: TLS/MTLS, OPTIONS, SRTP offers, real media",
		Usage: "voipsec probe [flags] TARGET...",
		Long: `Probes each TARGET the way a peer would and reports what encryption it really
enforces, proven with media rather than inferred from headers:

  - TLS targets: handshake, certificate chain and names, mutual TLS
    (with --cert/--key), and with --enumerate the versions and cipher suites;
  - OPTIONS over the target's transport (UDP, and TCP too for a bare host:port),
    with status, Server/User-Agent, Allow, Supported and round-trip time;
  - one INVITE dialog per offer (SDES RTP/SAVP _80/_32; Microsoft RTP/AVP with
    a=crypto and MKI, plain and with a=encryption:required/optional; plain
    RTP/AVP; DTLS-SRTP), each cleaned up with ACK+BYE or CANCEL;
  - --media-seconds of SRTP media for every accepted SRTP answer, authenticated
    with the answered key (MKI honoured);
  - a 3xx from an Exchange UM call router is followed to the worker in its
    Contact when it is the same host or another target given.

From the offers the edge evaluated (2xx, or a 488/606 media refusal) it
derives the edge's effective encryption level (required, optional,
rejected). --voip-security and --encryption state what the deployment
declares; the difference is reported as UM-* findings.

The role (--role) decides what a target must enforce: um and
mediation-internal require mutual TLS and Client Authentication on their
certificate; every role but sip-edge requires TLS signalling;
mediation-internal requires SRTP. Without --role the port decides (5061:
mediation-internal, other ports: sip-edge) and the report says so.

Calls go to --to: a number (+14255550100), a user (uas) or a SIP URI. Without
it (and without a user in a sip: target) they go to an unroutable user, and
an edge that routes by number can only answer 404: its media checks are then
inconclusive, with the hint to give --to. voipsec calls no number you did not
give. --tls-only places no call at all.

A check that ran but could not be decided (the edge never evaluated the
offers, no client certificate for a mutual-TLS edge, the run was interrupted
by --timeout, Ctrl-C or SIGTERM) is inconclusive, with what to change. A
target that does not resolve or accepts no connection is an error of its
own, not a finding: the run exits 2 when no target could be probed.

Targets: host:port, [v6]:port, tls://host:port (udp://, tcp:// too: the form
reports use), sip:host:port;transport=udp|tcp|tls, sips:host. Without a
transport, 5061, 5067 and 5070 mean TLS; other ports UDP (and TCP), and a port
that answers neither but speaks TLS is probed over TLS.

Examples:
  voipsec probe med01.contoso.com:5061 --cert probe.pem --key probe.key --ca corp-ca.pem --to +14255550199
  voipsec probe 'sip:um01.contoso.com:5061;transport=tls' --role um --voip-security Secured --to +14255550100
  voipsec probe --tls-only --enumerate --role gateway gw01.contoso.com:5061     # a change window: no calls
  voipsec probe --internal med01.contoso.com:5061 --external med01-gw.contoso.com:5060 --to +14255550199
  voipsec probe -j 32 --timeout 5m --format junit -o probe.xml $(cat edges.txt)`,

		Flags: func(f *pflag.FlagSet) any {
			o := &probeOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*probeOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, _ []string) (int, error) {
			return opts.(*probeOptions).run(ctx, e)
		},
	})
}

// allTargets is the positional targets, then the --internal and
// --external edges when given.
func (o *probeOptions) allTargets() []sipcheck.Target {
	targets := append([]sipcheck.Target(nil), o.targets...)
	for _, t := range o.edges {
		if t != nil {
			targets = append(targets, *t)
		}
	}
	return targets
}

// roleNote is the role a target is judged as, and why (data.probe.roles).
type roleNote struct {
	Target  string      `json:"target"`
	Role    matrix.Role `json:"role"`
	Assumed bool        `json:"assumed"` // no --role: assumed from the port
	Why     string      `json:"why"`     // "port 5061", "--role", "--internal"
}

// Note is the line the text report states for an assumed role.
func (n roleNote) Note() string { return matrix.AssumedRoleNote(n.Role, n.Why) }

// roles decides the role of each of allTargets: --internal and --external
// say it, --role says it for the others, else the port suggests it.
func (o *probeOptions) roles(targets []sipcheck.Target) []roleNote {
	notes := make([]roleNote, len(targets))
	for i, t := range targets {
		n := roleNote{Target: t.String()}
		switch {
		case i == len(o.targets): // --internal and --external come together, in that order
			n.Role, n.Why = matrix.RoleMediationInternal, "--internal"
		case i == len(o.targets)+1:
			n.Role, n.Why = matrix.RoleMediationExternal, "--external"
		case o.role != nil:
			n.Role, n.Why = *o.role, "--role"
		default:
			n.Role, n.Why = matrix.AssumeRole(t.Port)
			n.Assumed = true
		}
		notes[i] = n
	}
	return notes
}

func (o *probeOptions) run(ctx context.Context, e *env) (int, error) {
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	targets := o.allTargets()
	roles := o.roles(targets)
	prog := newProgress(e, len(targets))
	track := newInflight(ctx)
	cfg := o.cfg
	for _, t := range targets { // a 3xx is followed to a host the user named, not elsewhere
		cfg.RedirectHosts = append(cfg.RedirectHosts, t.Host)
	}
	cfg.Progress = func(s sipcheck.Step) { track.step(s.Target, s.String()) }
	results := probeAll(ctx, targets, cfg, o.Jobs, track, prog.done)
	prog.finish()
	notStarted := 0
	for i, res := range results {
		if res == nil { // the run was interrupted before this target
			notStarted++
			// On an ended context sipcheck sends nothing and reports the
			// probe interrupted before it started.
			results[i] = sipcheck.ProbeEndpoint(ctx, targets[i], cfg)
		}
	}

	// Judge each target's facts against its role; a target that could not
	// be probed is an operational error, not a finding about its security.
	r := &report.Report{Command: "probe", Interrupted: describeInterruption(ctx, track, notStarted, "target")}
	judged := make([][]report.Finding, len(results))
	var errs []targetError
	for i, res := range results {
		if res.NotProbed() {
			errs = append(errs, newTargetError(res, res.Name, nil))
			judged[i] = []report.Finding{plan.NotProbedFinding(res, res.Name)}
		} else {
			judged[i] = sipcheck.Judge(res, o.expect(roles[i]))
		}
		r.Findings = append(r.Findings, judged[i]...)
	}
	if len(errs) == len(results) && r.Interrupted == "" {
		return exitError, notProbedError(e, errs)
	}
	data := map[string]any{"targets": results, "roles": roles}
	if len(errs) > 0 {
		data["errors"] = errs
	}
	if o.edges[0] != nil {
		in, ex := results[len(o.targets)].Target, results[len(o.targets)+1].Target
		if len(in.Addrs) > 0 && len(ex.Addrs) > 0 {
			f := sipcheck.SharedAddress(in, ex)
			r.Findings = append(r.Findings, f)
			data["edges"] = map[string]any{"internal": in, "external": ex, "shared": f.Severity == report.Fail}
		}
	}
	r.Data = map[string]any{"probe": data}
	r.Text = func(w io.Writer) { writeProbeEvidence(w, results) }
	return o.out.emitText(e, r, func(w io.Writer, to report.TextOptions) error {
		writeVerdicts(w, results, judged, roles, o.out.failOn)
		return report.WriteText(w, r, to)
	})
}

// expect is what the judges hold a target to: its role's expectations, the
// declared levels, and the certificate expiry horizon.
func (o *probeOptions) expect(n roleNote) sipcheck.Expect {
	x := sipcheck.Expect{Role: n.Role.Expect(), Declared: o.declared, WarnDays: o.WarnDays}
	if o.ExpectTLS {
		x.Role.TLS = true
	}
	return x
}

// notProbedError is the operational error of a run in which no target
// could be probed: each one's error and hint on stderr, and the error the
// run ends with (exit 2).
func notProbedError(e *env, errs []targetError) error {
	if len(errs) == 1 {
		return withHint(fmt.Errorf("%s: %s", errs[0].Target, errs[0].Error), errs[0].Hint)
	}
	for _, te := range errs {
		fmt.Fprintf(e.Stderr, "voipsec probe: error: %s: %s\n", te.Target, te.Error)
		fmt.Fprintf(e.Stderr, "voipsec: hint: %s\n", te.Hint)
	}
	return fmt.Errorf("none of the %d targets could be probed", len(errs))
}

// probeAll probes the targets, jobs at a time; results keep the input
// order. Each probe's deadline derives from ctx; once ctx has ended no
// target is started, and its result is nil.
func probeAll(ctx context.Context, targets []sipcheck.Target, cfg sipcheck.Config, jobs int, track *inflight, done func()) []*sipcheck.Result {
	results := make([]*sipcheck.Result, len(targets))
	pool.Each(ctx, len(targets), jobs, func(i int) {
		name := targets[i].String()
		track.start(name)
		results[i] = sipcheck.ProbeEndpoint(ctx, targets[i], cfg)
		track.finish(name)
		done()
	})
	return results
}

// writeVerdicts is the first thing a person reads: one line per target,
// then the role each target was judged as when it was assumed, and the
// targets that could not be probed.
func writeVerdicts(w io.Writer, results []*sipcheck.Result, judged [][]report.Finding, roles []roleNote, failOn report.Severity) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tROLE\tVERDICT\tSIP\tEFFECTIVE ENCRYPTION\tFINDINGS")
	for i, res := range results {
		verdict := "PASS"
		switch {
		case res.NotProbed():
			verdict = "ERROR"
		case report.ExitCode(judged[i], failOn) == report.ExitFindings:
			verdict = "FAIL"
		case report.ExitCode(judged[i], failOn) == report.ExitInconclusive:
			verdict = "INCONCLUSIVE"
		}
		c := report.Counts(judged[i])
		counts := fmt.Sprintf("%d fail, %d warn", c[report.Fail], c[report.Warn])
		if n := c[report.Inconclusive]; n > 0 {
			counts += fmt.Sprintf(", %d inconclusive", n)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", res.Name, roles[i].Role, verdict, sipSummary(res), effectiveSummary(res), counts)
	}
	tw.Flush()
	for i, res := range results {
		prefix := ""
		if len(results) > 1 {
			prefix = res.Name + ": "
		}
		if roles[i].Assumed && !res.NotProbed() {
			fmt.Fprintf(w, "%s%s\n", prefix, roles[i].Note())
		}
		if res.NotProbed() {
			fmt.Fprintf(w, "%s: not probed: %s\n  hint: %s\n", res.Name, res.Error, plan.NotProbedHint(res.Status))
		}
	}
	fmt.Fprintln(w)
}

// effectiveSummary is the effective encryption column: the level the
// evaluated offers show, or why it is not known.
func effectiveSummary(res *sipcheck.Result) string {
	switch {
	case res.Effective != nil:
		return res.Effective.String()
	case res.Redirect != nil && res.Redirect.Effective != nil:
		return res.Redirect.Effective.String() + " (at " + res.Redirect.Name + ")"
	case res.TLSOnly || res.NotProbed() || len(res.Offers) == 0:
		return "-"
	}
	return "unknown"
}

func sipSummary(res *sipcheck.Result) string {
	if res.TLSOnly {
		return "not probed (--tls-only)"
	}
	var parts []string
	for _, op := range res.Options {
		if op.Code != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ToUpper(op.Transport), op.Code))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s", strings.ToUpper(op.Transport), op.Status))
		}
	}
	if len(parts) == 0 && res.Status != sipcheck.StatusSuccess {
		return string(res.Status)
	}
	return strings.Join(parts, ", ")
}

// writeProbeEvidence lists, per target, the dialogs behind the verdict.
func writeProbeEvidence(w io.Writer, results []*sipcheck.Result) {
	fmt.Fprintln(w, "Evidence")
	var all []*sipcheck.Result
	for _, r := range results {
		for x := r; x != nil; x = x.Redirect {
			all = append(all, x)
		}
	}
	for _, res := range all {
		fmt.Fprintf(w, "\n%s (%.1fs)\n", res.Name, res.Duration)
		if res.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", res.Error)
		}
		for _, op := range res.Options {
			if op.Code != 0 {
				fmt.Fprintf(w, "  OPTIONS/%s: %d %s, %.1f ms", strings.ToUpper(op.Transport), op.Code, op.Reason, op.RTTMillis)
				if op.Server != "" {
					fmt.Fprintf(w, ", Server: %s", op.Server)
				}
				if op.UserAgent != "" {
					fmt.Fprintf(w, ", User-Agent: %s", op.UserAgent)
				}
				fmt.Fprintln(w)
			} else {
				fmt.Fprintf(w, "  OPTIONS/%s: %s\n", strings.ToUpper(op.Transport), op.Status)
			}
		}
		for _, of := range res.Offers {
			fmt.Fprintf(w, "  %s\n", of.Evidence())
			if m := of.Media; m != nil {
				fmt.Fprintf(w, "      media %s: sent %d, received %d, authenticated %d, failed %d\n", m.Remote, m.Sent, m.Received, m.Authenticated, m.Failed)
			}
		}
	}
}

// progress is a one-line display on stderr, only when stderr is a terminal.
type progress struct {
	e     *env
	total int
	n     atomic.Int32
	on    bool
	mu    sync.Mutex
}

func newProgress(e *env, total int) *progress {
	p := &progress{e: e, total: total, on: e.IsTerminal(e.Stderr)}
	if p.on {
		fmt.Fprintf(e.Stderr, "probing: 0/%d targets done", total)
	}
	return p
}

func (p *progress) done() {
	n := p.n.Add(1)
	if !p.on {
		return
	}
	p.mu.Lock()
	fmt.Fprintf(p.e.Stderr, "\rprobing: %d/%d targets done", n, p.total)
	p.mu.Unlock()
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprint(p.e.Stderr, "\r\x1b[K")
	}
}
