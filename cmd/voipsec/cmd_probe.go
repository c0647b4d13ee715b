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
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/pool"
	"github.com/voipsec/voipsec/internal/printable"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/tlsprobe"
	"github.com/voipsec/voipsec/tlswire"
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
	Offers             []string
	NoRedirect         bool
	Jobs               int
	OfferConcurrency   int

	media mediaOptions
	out   outputOptions
	prog  progressOptions
	flags *pflag.FlagSet

	role      *matrix.Role // --role; nil: assumed per target from its port
	declared  matrix.Declared
	cfg       sipcheck.Config
	targets   []sipcheck.Target
	edges     [2]*sipcheck.Target // internal, external
	roleNotes []roleNote          // the role of each of allTargets
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
	o.media.AddFlags(f, 2)
	f.StringSliceVar(&o.Offers, "offer", nil, "send only these `offers`: "+offerNames()+" (default all)")
	f.BoolVar(&o.NoRedirect, "no-redirect", false, "do not follow a 3xx (Exchange UM call router) to its Contact")
	f.IntVarP(&o.Jobs, "jobs", "j", 16, "probe at most `n` targets at once")
	f.IntVar(&o.OfferConcurrency, "offer-concurrency", 1, "run `n` offer dialogs per target at once (edges that take many calls: overlap the media windows)")
	f.DurationVar(&o.StepTimeout, "step-timeout", sipcheck.DefaultTimeout, "`duration` limit of each network step (handshake, SIP transaction)")
	f.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "overall `duration` limit of the run")
	o.prog.AddFlags(f)
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
	if err := o.prog.Validate(); err != nil {
		return err
	}
	if len(args) == 0 && o.Internal == "" && o.External == "" {
		return withHint(errors.New("probe needs at least one target"), "voipsec probe med01.contoso.com:5061")
	}
	if (o.Internal == "") != (o.External == "") {
		return usagef("--internal and --external go together")
	}
	for _, a := range args {
		t, err := parseTarget("", a)
		if err != nil {
			return err
		}
		o.targets = append(o.targets, t)
	}
	for i, flag := range []string{"--internal", "--external"} {
		a := []string{o.Internal, o.External}[i]
		if a == "" {
			continue
		}
		t, err := parseTarget(flag, a)
		if err != nil {
			return err
		}
		o.edges[i] = &t
	}
	if in, ex := o.edges[0], o.edges[1]; in != nil && strings.EqualFold(in.Host, ex.Host) && in.Port == ex.Port {
		return withHint(fmt.Errorf("--internal %s and --external %s are the same host and port: a Mediation Server's edges are two listeners", o.Internal, o.External),
			"give the internal edge (toward the pool, usually 5061) and the external edge (toward the gateway, usually 5060)")
	}
	seen := map[string]string{}
	for _, t := range o.allTargets() {
		key := strings.ToLower(t.String())
		if first, ok := seen[key]; ok {
			return withHint(fmt.Errorf("%s is given twice (as %q and %q): it would be probed, and counted, twice", t, first, t.Raw), "give each target once")
		}
		seen[key] = t.Raw
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
	if err := o.tlsFlagsNeedTLS(); err != nil {
		return err
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
	o.roleNotes = o.roles(o.allTargets())
	for _, n := range o.roleNotes {
		if n.Assumed {
			continue
		}
		if why := roleContradiction(n.Role, o.declared); why != "" {
			by := "--role " + n.Role.String()
			if n.Why != "--role" {
				by = n.Why + " (role " + n.Role.String() + ")"
			}
			return withHint(fmt.Errorf("%s contradicts %s: %s", by, declaredFlags(o.declared), why),
				"give the dial plan's real level, or the target's real role ("+roleNames()+")")
		}
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
	if err := o.media.Validate(); err != nil {
		return err
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
	for _, in := range []struct{ flag, path string }{{"--cert", o.Cert}, {"--key", o.Key}, {"--ca", o.CA}} {
		if in.path != "" && samePath(in.path, o.out.Output) {
			return withHint(fmt.Errorf("--output %s is the %s file: the report would overwrite it", o.out.Output, in.flag), "write the report to another file")
		}
	}
	if o.Cert != "" {
		pair, err := loadKeyPair(o.Cert, o.Key)
		if err != nil {
			return err
		}
		c.ClientCert = &pair
	}
	if o.CA != "" {
		pool, err := loadCA("--ca", o.CA, true)
		if err != nil {
			return err
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
	c.MediaDuration = o.media.Duration()
	return nil
}

// targetHint is what a probe target looks like.
const targetHint = "targets are host:port, [v6]:port, tls://host:port (also udp://, tcp://), sip:host:port;transport=tcp|udp|tls or sips:host"

// parseTarget parses a target given as an argument (flag "") or with
// --internal or --external, as a usage error naming it.
func parseTarget(flag, s string) (sipcheck.Target, error) {
	t, err := sipcheck.ParseTarget(s)
	if err == nil {
		return t, nil
	}
	reason := err.Error()
	var te *sipcheck.TargetError
	if errors.As(err, &te) {
		reason = te.Reason
	}
	msg := fmt.Sprintf("bad target %q: %s", s, reason)
	if flag != "" {
		msg = flag + ": " + msg
	}
	return t, withHint(errors.New(msg), targetHint)
}

// tlsFlagsNeedTLS refuses the TLS flags when no target can be TLS: every
// one names UDP or TCP (udp://, tcp://, ;transport=). A target without a
// transport may still turn out to speak TLS, so it keeps them.
func (o *probeOptions) tlsFlagsNeedTLS() error {
	var plain []string
	for _, t := range o.allTargets() {
		if t.IsTLS() || !t.Explicit {
			return nil
		}
		plain = append(plain, t.Raw)
	}
	for _, f := range []string{"cert", "key", "ca", "server-name", "enumerate"} {
		if o.flagSet(f) {
			return withHint(fmt.Errorf("--%s is for TLS, but %s: no TLS handshake would use it", f, namesNotTLS(plain)),
				"name a TLS target (tls://host:port, sips:host, ;transport=tls), or leave --"+f+" out")
		}
	}
	return nil
}

func namesNotTLS(raw []string) string {
	if len(raw) == 1 {
		return "the target " + raw[0] + " names UDP or TCP"
	}
	return fmt.Sprintf("every target (%s) names UDP or TCP", strings.Join(raw, ", "))
}

// roleContradiction says how a role's expectations contradict the
// declared levels (whatever the edge does, one of them fails), or "".
func roleContradiction(r matrix.Role, d matrix.Declared) string {
	x := r.Expect()
	var why []string
	if v := d.VoipSecurity; v != nil {
		t := v.Transport()
		switch {
		case x.MutualTLS && !t.MutualTLS:
			why = append(why, fmt.Sprintf("the role requires mutual TLS; VoIPSecurity %s signals over %s without TLS", v, strings.ToUpper(t.Name)))
		case x.TLS && t.Name != "tls":
			why = append(why, fmt.Sprintf("the role requires TLS signalling; VoIPSecurity %s signals over %s", v, strings.ToUpper(t.Name)))
		}
		if x.SRTP && !v.SRTP() {
			why = append(why, fmt.Sprintf("the role requires SRTP media; VoIPSecurity %s carries plain RTP", v))
		}
	}
	if e := d.Encryption; e != nil && x.SRTP && *e == matrix.Rejected {
		why = append(why, "the role requires SRTP media; client encryption rejected refuses it")
	}
	return strings.Join(why, ", and ")
}

// declaredFlags names the declared levels as the flags gave them.
func declaredFlags(d matrix.Declared) string {
	var s []string
	if d.VoipSecurity != nil {
		s = append(s, "--voip-security "+d.VoipSecurity.String())
	}
	if d.Encryption != nil {
		s = append(s, "--encryption "+d.Encryption.String())
	}
	return strings.Join(s, " and ")
}

// loadKeyPair reads --cert and --key, saying which file is wrong and how.
func loadKeyPair(cert, key string) (tls.Certificate, error) {
	for _, f := range []struct{ flag, path, what string }{{"--cert", cert, "CERTIFICATE"}, {"--key", key, "PRIVATE KEY"}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return tls.Certificate{}, usagef("%s %s: %s", f.flag, f.path, readWhy(err))
		}
		if !strings.Contains(string(b), "-----BEGIN ") || !strings.Contains(string(b), f.what+"-----") {
			return tls.Certificate{}, withHint(fmt.Errorf("%s %s: no PEM %s in it", f.flag, f.path, strings.ToLower(f.what)),
				"give PEM files: the certificate (BEGIN CERTIFICATE) and its unencrypted private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)")
		}
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return pair, withHint(fmt.Errorf("--cert %s and --key %s do not make a pair: the key does not match the certificate, or one of them does not parse", cert, key),
			"give the certificate and the private key issued with it, in PEM")
	}
	return pair, nil
}

// loadCA reads the CA certificates (PEM) of the file flag names: added to
// the system roots (probe's --ca), or alone (simulate's --client-ca).
func loadCA(flag, path string, system bool) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%s %s: %s", flag, path, readWhy(err))
	}
	var pool *x509.CertPool
	if system {
		pool, _ = x509.SystemCertPool()
	}
	if pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, withHint(fmt.Errorf("%s %s: no PEM certificate in it", flag, path), "give the CA certificate in PEM (BEGIN CERTIFICATE)")
	}
	return pool, nil
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
that answers neither but speaks TLS is probed over TLS. Flags that contradict
each other (TLS flags for UDP or TCP targets only, a --role the declared level
contradicts, --internal equal to --external) are refused before anything is
sent.

Output: the verdict first; then per target the role it was judged as, its
effective encryption level and every finding that needs attention, with its
evidence; with --enumerate the versions and cipher suites it accepts (server
order, weak ones marked); a line per target saying how many checks passed;
what to do next. -v adds the passing checks and every dialog. --format json,
junit or html (one page for a change ticket). On a terminal, stderr shows what
the probe is doing, and with one target each step as it ends (--progress).

Examples:
  voipsec probe med01.contoso.com:5061 --cert probe.pem --key probe-key.pem --ca corp-ca.pem --to +14255550199
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

// Note is the line the text report states for the role: "assumed role
// sip-edge: port 5060; --role to change", "role um (--role)".
func (n roleNote) Note() string {
	if n.Assumed {
		return matrix.AssumedRoleNote(n.Role, n.Why)
	}
	return "role " + n.Role.String() + " (" + n.Why + ")"
}

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
			n.Role, n.Why = assumeRole(t.Port, o.declared)
			n.Assumed = true
		}
		notes[i] = n
	}
	return notes
}

// assumeRole is the role a target without --role is judged as: what its
// port suggests, unless that contradicts the declared levels (port 5061,
// assumed a Mediation Server internal edge, which requires SRTP, with
// --voip-security SIPSecured, whose media is RTP); then the first of um
// and sip-edge that does not, saying why.
func assumeRole(port int, d matrix.Declared) (matrix.Role, string) {
	r, why := matrix.AssumeRole(port)
	if roleContradiction(r, d) == "" {
		return r, why
	}
	for _, alt := range []matrix.Role{matrix.RoleUM, matrix.RoleSIPEdge} {
		if roleContradiction(alt, d) == "" {
			return alt, why + " and " + declaredFlags(d)
		}
	}
	return matrix.RoleSIPEdge, why
}

func (o *probeOptions) run(ctx context.Context, e *env) (int, error) {
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	targets := o.allTargets()
	roles := o.roleNotes
	track := newInflight(ctx)
	prog := newProgress(e, o.prog.Progress, "probing", "target", len(targets), track)
	cfg := o.cfg
	for _, t := range targets { // a 3xx is followed to a host the user named, not elsewhere
		cfg.RedirectHosts = append(cfg.RedirectHosts, t.Host)
	}
	results, notStarted := probeAll(ctx, targets, cfg, o.Jobs, prog)
	prog.close()

	// Judge each target's facts against its role; a target that could not
	// be probed is an operational error, not a finding about its security.
	r := &report.Report{Command: "probe", Interrupted: describeInterruption(ctx, track, notStarted, "target")}
	var errs []targetError
	for i, res := range results {
		if res.NotProbed() {
			errs = append(errs, newTargetError(res, res.Name, nil))
			r.Findings = append(r.Findings, plan.NotProbedFinding(res, res.Name))
		} else {
			r.Findings = append(r.Findings, sipcheck.Judge(res, o.expect(roles[i]))...)
		}
	}
	if len(errs) == len(results) && r.Interrupted == "" {
		return exitError, notProbedError(e, "probe", "target", errs)
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
	r.Notes = probeNotes(results, roles)
	if o.Enumerate {
		r.Text = func(w io.Writer) { writeEnumeration(w, results) }
	}
	r.VerboseText = func(w io.Writer) { writeProbeEvidence(w, results) }
	r.Params = o.params(targets)
	if v, enc := o.declared.VoipSecurity, o.declared.Encryption; v != nil && enc != nil {
		r.Matrix = matrixCells("declared", matrix.Evaluate(*v, *enc))
	}
	return o.out.emit(e, r)
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

// params are the run's parameters, for the HTML report.
func (o *probeOptions) params(targets []sipcheck.Target) []report.Param {
	var names []string
	for _, t := range targets {
		names = append(names, t.String())
	}
	ps := []report.Param{{Name: "targets", Value: strings.Join(names, ", ")}}
	add := func(name, value string) { ps = append(ps, report.Param{Name: name, Value: value}) }
	switch {
	case o.role != nil:
		add("role", o.role.String()+" (--role)")
	case len(o.targets) > 0:
		add("role", "assumed from each target's port (stated under each target)")
	}
	if o.edges[0] != nil {
		add("Mediation Server edges", "internal "+o.edges[0].String()+", external "+o.edges[1].String())
	}
	if v := o.declared.VoipSecurity; v != nil {
		add("declared UM dial plan VoIPSecurity", v.String())
	}
	if enc := o.declared.Encryption; enc != nil {
		add("declared client encryption level", enc.String())
	}
	switch {
	case o.TLSOnly:
		add("calls", "none (--tls-only)")
	case o.cfg.To != "":
		add("number called", o.cfg.To)
	default:
		add("number called", "none given: "+sipcheck.DefaultUser+", which no edge routes")
	}
	if o.Cert != "" {
		add("client certificate", o.Cert+" (key "+o.Key+")")
	} else {
		add("client certificate", "none")
	}
	ca := "the system's roots"
	if o.CA != "" {
		ca += " and " + o.CA
	}
	add("trusted CAs", ca)
	if o.ServerName != "" {
		add("TLS server name", o.ServerName)
	}
	if o.Enumerate {
		add("TLS versions and cipher suites", "enumerated (--enumerate)")
	}
	if !o.TLSOnly {
		add("media", o.media.Param())
	}
	add("time limits", fmt.Sprintf("%s per network step, %s for the run", o.StepTimeout, o.Timeout))
	return ps
}

// probeNotes says, under each target's heading, the role it was judged
// as and its effective encryption level; under a redirect target's, which
// target's 3xx led there.
func probeNotes(results []*sipcheck.Result, roles []roleNote) func(string) []string {
	notes := map[string][]string{}
	for i, res := range results {
		if res.NotProbed() {
			continue
		}
		notes[res.Name] = append([]string{roles[i].Note()}, effectiveNote(res)...)
		for from, x := res, res.Redirect; x != nil; from, x = x, x.Redirect {
			if x.NotProbed() {
				continue
			}
			via := fmt.Sprintf("reached by following a %d from %s, judged as %s", from.Redirection.Code, from.Name, roles[i].Role)
			notes[x.Name] = append([]string{via}, effectiveNote(x)...)
		}
	}
	return func(t string) []string { return notes[t] }
}

// effectiveNote is the effective encryption level the evaluated offers
// show, or why it is unknown; nothing when no offer was to be sent.
func effectiveNote(res *sipcheck.Result) []string {
	if res.TLSOnly || len(res.Offers) == 0 {
		return nil
	}
	switch {
	case res.Effective == nil:
		return []string{"effective encryption: unknown: " + res.EffectiveReason}
	case *res.Effective == matrix.Required:
		return []string{"effective encryption: required (SRTP accepted, plain RTP refused)"}
	case *res.Effective == matrix.Optional:
		return []string{"effective encryption: optional (SRTP and plain RTP both accepted)"}
	}
	return []string{"effective encryption: " + res.Effective.String() + " (SRTP refused, plain RTP accepted)"}
}

// notProbedError is the operational error of a run in which no target
// (probe) or plan endpoint (check) could be probed at all: nothing about
// their security was seen, so the run ends with exit status 2, the same
// for both commands. With several, each one's error and hint goes to
// stderr here; the error returned is the line the run ends with.
func notProbedError(e *env, cmd, noun string, errs []targetError) error {
	if len(errs) == 1 {
		return withHint(fmt.Errorf("%s: %s", errs[0].Target, errs[0].Error), errs[0].Hint)
	}
	for _, te := range errs {
		fmt.Fprintf(e.Stderr, "voipsec %s: error: %s: %s\n", cmd, te.Target, te.Error)
		fmt.Fprintf(e.Stderr, "voipsec: hint: %s\n", te.Hint)
	}
	return fmt.Errorf("none of the %d %ss could be probed", len(errs), noun)
}

// probeAll probes the targets, jobs at a time, showing prog; results keep
// the input order. Each probe's deadline derives from ctx; once ctx has
// ended no target is started: its result says it was interrupted before
// it started, and notStarted counts them.
func probeAll(ctx context.Context, targets []sipcheck.Target, cfg sipcheck.Config, jobs int, prog *progress) (results []*sipcheck.Result, notStarted int) {
	results = make([]*sipcheck.Result, len(targets))
	notStarted = pool.EachOrSkip(ctx, len(targets), jobs, func(i int) {
		name := targets[i].String()
		c := cfg
		c.Progress = func(s sipcheck.Step) { prog.step(name, s) }
		prog.start(name)
		results[i] = sipcheck.ProbeEndpoint(ctx, targets[i], c)
		prog.finish(name)
	}, func(i int) {
		// On an ended context sipcheck sends nothing and reports the
		// probe interrupted before it started.
		results[i] = sipcheck.ProbeEndpoint(ctx, targets[i], cfg)
	})
	return results, notStarted
}

// writeEnumeration lists, per TLS target, the versions it accepts and
// their suites in the server's order of preference, marking the weak ones
// (what TLS-VERSION-WEAK, TLS-CIPHER-WEAK and TLS-NO-FORWARD-SECRECY
// judge), and the versions it does not accept.
func writeEnumeration(w io.Writer, results []*sipcheck.Result) {
	first := true
	for _, r := range results {
		for x := r; x != nil; x = x.Redirect {
			if x.TLS == nil || len(x.TLS.Versions) == 0 {
				continue
			}
			if !first {
				fmt.Fprintln(w)
			}
			first = false
			fmt.Fprintf(w, "TLS versions and cipher suites of %s (suites in the server's order of preference):\n", x.Name)
			var refused []string
			nameW := 0
			for _, v := range x.TLS.Versions {
				for _, s := range v.Suites {
					nameW = max(nameW, len(s.Name))
				}
			}
			for _, v := range x.TLS.Versions {
				switch {
				case v.Incomplete && !v.Accepted:
					fmt.Fprintf(w, "  %s: not known, the enumeration was cut short (%s)\n", v.Version, v.Error)
					continue
				case !v.Accepted:
					refused = append(refused, v.Version)
					continue
				}
				state := "accepted"
				if tlswire.VersionDeprecated(v.ID) {
					state = "accepted, weak: deprecated"
				}
				if v.Incomplete {
					state += " (the enumeration was cut short: " + v.Error + ")"
				}
				fmt.Fprintf(w, "  %s %s\n", v.Version, state)
				for _, s := range v.Suites {
					var weak []string
					if s.Insecure {
						weak = append(weak, s.Weakness)
					}
					if fs, known := tlsprobe.ForwardSecret(v.ID, s.ID); known && !fs {
						weak = append(weak, "no forward secrecy")
					}
					if len(weak) == 0 {
						fmt.Fprintf(w, "    %s\n", s.Name)
						continue
					}
					fmt.Fprintf(w, "    %-*s  weak: %s\n", nameW, s.Name, strings.Join(weak, ", "))
				}
			}
			if len(refused) > 0 {
				fmt.Fprintf(w, "  not accepted: %s\n", strings.Join(refused, ", "))
			}
		}
	}
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
			switch m := of.Media; {
			case m == nil:
			case !m.Ran:
				fmt.Fprintf(w, "      media not exchanged: %s\n", printable.String(m.Error))
			default:
				fmt.Fprintf(w, "      media %s: sent %d, received %d, authenticated %d, failed %d\n", m.Remote, m.Sent, m.Received, m.Authenticated, m.Failed)
			}
		}
	}
}
