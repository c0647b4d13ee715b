package plan

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/pool"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

// DefaultConcurrency is how many endpoints [Live] probes at once.
const DefaultConcurrency = 4

// LiveOptions tune [Live]. The zero value probes with sipcheck's defaults.
type LiveOptions struct {
	// Timeout bounds each network step of a probe; 0 means sipcheck's default.
	Timeout time.Duration
	// MediaDuration is the media window per accepted SRTP answer; 0 means
	// sipcheck's default, negative disables media.
	MediaDuration time.Duration
	// Concurrency bounds how many endpoints are probed at once; 0 means
	// [DefaultConcurrency].
	Concurrency int
	// Probe runs one endpoint probe; nil means [sipcheck.ProbeEndpoint],
	// which runs the TLS checks (tlsprobe) of TLS endpoints itself.
	Probe func(ctx context.Context, t sipcheck.Target, cfg sipcheck.Config) *sipcheck.Result
	// OnStart and OnDone, when not nil, are called as each endpoint's probe
	// starts and returns, and OnStep as it starts each step, so that an
	// interrupted run can say where it was. They are called from several
	// goroutines at once, and must return quickly.
	OnStart, OnDone func(e Endpoint)
	OnStep          func(e Endpoint, s sipcheck.Step)
}

// EndpointResult is the live probe of one plan endpoint.
type EndpointResult struct {
	Endpoint Endpoint
	Probe    *sipcheck.Result
	Findings []report.Finding // retargeted to the endpoint and located in the plan
	// NotStarted: the run was interrupted (ctx ended) before this
	// endpoint's probe began; its checks are inconclusive.
	NotStarted bool
	// Err is an endpoint that could not be probed at all (its name does
	// not resolve, nothing accepts a connection): an operational error of
	// that endpoint, with what was tried and what happened
	// ([sipcheck.ProbeError]). Its live checks are one inconclusive
	// finding ([NotProbedFinding]).
	Err error
}

// Live probes every endpoint of p concurrently (TLS, SIP OPTIONS, INVITE
// offers, SRTP media), compares what each declares with what it does, and
// returns the findings, each targeted at its plan component and located at
// the plan line it comes from. ctx bounds the whole run.
func Live(ctx context.Context, p *Plan, o LiveOptions) ([]report.Finding, []EndpointResult) {
	eps := p.Endpoints()
	results := make([]EndpointResult, len(eps))
	n := o.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	// Once ctx has ended no endpoint is started: its checks did not run.
	pool.EachOrSkip(ctx, len(eps), n, func(i int) {
		if o.OnStart != nil {
			o.OnStart(eps[i])
		}
		results[i] = p.probeEndpoint(ctx, eps[i], o)
		if o.OnDone != nil {
			o.OnDone(eps[i])
		}
	}, func(i int) {
		// sipcheck sends nothing on an ended context and says the probe
		// was interrupted before it started: every check inconclusive.
		results[i] = p.probeEndpoint(ctx, eps[i], o)
		results[i].NotStarted = true
	})

	var out []report.Finding
	for _, r := range results {
		out = append(out, r.Findings...)
	}
	out = append(out, p.liveEdgeChecks(results)...)
	return out, results
}

// declared returns the policy the plan declares for an endpoint and the
// plan path each part of it comes from.
func (p *Plan) declared(e Endpoint) (d matrix.Declared, levelPath string) {
	if e.Role == RoleUM {
		for _, u := range p.UMServers {
			if u.path != e.path {
				continue
			}
			// The server must satisfy its strictest dial plan.
			for _, name := range u.DialPlans {
				if dp, ok := p.DialPlan(name); ok && (d.VoipSecurity == nil || dp.VoipSecurity > *d.VoipSecurity) {
					v := dp.VoipSecurity
					d.VoipSecurity, levelPath = &v, dp.path+".voip_security"
				}
			}
		}
	}
	d.Encryption = e.Expect.Encryption
	return d, levelPath
}

// Expectations is what the live judges hold e to: its role's row of the one
// table ([matrix.Role.Expect]), with what the plan says of it as inputs
// rather than a second judgement: expect.mtls_required overrides the
// role's mutual TLS (and a UM server whose strictest dial plan is
// Unsecured, which means TCP, is not held to it), expect.min_tls is the
// oldest TLS version accepted, the dial plan and expect.encryption are the
// declared levels, and media.ports is the range answered media ports must
// fall in.
func (p *Plan) Expectations(e Endpoint) sipcheck.Expect {
	d, _ := p.declared(e)
	role := e.Role.Matrix().Expect()
	switch {
	case e.Expect.MTLSRequired != nil:
		role.MutualTLS = *e.Expect.MTLSRequired
		role.Why += fmt.Sprintf("; the plan sets mtls_required: %t", role.MutualTLS)
	case e.Role == RoleUM && d.VoipSecurity != nil && !d.VoipSecurity.Transport().MutualTLS:
		role.MutualTLS = false
		role.Why += "; its dial plans are " + d.VoipSecurity.String() + ", which is not mutual TLS"
	}
	x := sipcheck.Expect{Role: role, Declared: d, WarnDays: tlsprobe.DefaultWarnDays}
	if v := e.Expect.MinTLS; v != nil {
		x.MinTLS = *v
	}
	if r := p.Media.Ports; r != nil {
		x.MediaPorts = &sipcheck.PortRange{From: r.From, To: r.To}
	}
	return x
}

// SIPTarget is the endpoint as a probe target: its address, port and
// transport, named explicitly.
func (e Endpoint) SIPTarget() (sipcheck.Target, error) {
	return sipcheck.ParseTarget(fmt.Sprintf("sip:%s;transport=%s", e.HostPort(), e.Transport))
}

// redirectHosts are the hosts a 3xx may be followed to: every server and
// address the plan names.
func (p *Plan) redirectHosts() []string {
	var hosts []string
	for _, e := range p.Endpoints() {
		hosts = append(hosts, e.Address)
		if e.Server != "" {
			hosts = append(hosts, e.Server)
		}
	}
	return hosts
}

func (p *Plan) probeEndpoint(ctx context.Context, e Endpoint, o LiveOptions) (er EndpointResult) {
	er.Endpoint = e
	target := e.Target()
	// A probe that fails inside voipsec saw nothing of the endpoint: its
	// checks are undecided, never a silent pass.
	internalError := func(what string) {
		er.Findings = append(er.Findings, p.at(report.CouldNotTell("SIP-NO-RESPONSE", target,
			"the probe stopped on an internal error ("+what+")",
			"this is a bug in voipsec: please report it with the plan"), e.path+".address"))
	}
	defer func() {
		if r := recover(); r != nil {
			internalError(fmt.Sprint(r))
		}
	}()
	t, err := e.SIPTarget()
	if err != nil { // the loader validated address, port and transport
		panic(fmt.Sprintf("plan endpoint %s: %v", e.URL(), err))
	}
	number, numberPath := p.CallTo(e)
	cfg := sipcheck.Config{
		Timeout:       o.Timeout,
		MediaDuration: o.MediaDuration,
		To:            number,
		RootCAs:       p.Trust.Roots(),
		ClientCert:    p.Trust.KeyPair,
		// Every TLS endpoint: a plan check decides TLS-VERSION-WEAK and
		// TLS-CIPHER-WEAK rather than leaving them inconclusive.
		Enumerate:     e.Transport == TLS,
		RedirectHosts: p.redirectHosts(),
	}
	if e.Server != "" {
		cfg.ServerName = e.Server
	}
	if o.OnStep != nil {
		cfg.Progress = func(s sipcheck.Step) { o.OnStep(e, s) }
	}
	probe := o.Probe
	if probe == nil {
		probe = sipcheck.ProbeEndpoint
	}
	res := probe(ctx, t, cfg)
	er.Probe = res
	if res == nil {
		internalError("it returned no result")
		return er
	}
	if res.NotProbed() {
		er.Err = res.Err()
		er.Findings = append(er.Findings, p.at(NotProbedFinding(res, target), e.path+".address"))
		return er
	}
	_, levelPath := p.declared(e)
	if !numberMatters(res) {
		numberPath = ""
	} else if numberPath == "" {
		numberPath = e.path // where call_to goes
	}
	var placed []report.Finding
	for _, f := range sipcheck.Judge(res, p.Expectations(e)) {
		placed = append(placed, p.placeLive(f, e, levelPath, numberPath))
	}
	// A redirect's findings (a UM call router's worker) land on the same
	// endpoint as the router's: one result per check, as Combine joins them.
	er.Findings = Combine(nil, placed)
	return er
}

// numberMatters reports whether an offer's outcome depends on the number
// called: not routable, no live callee behind the edge (408), busy.
func numberMatters(res *sipcheck.Result) bool {
	for x := res; x != nil; x = x.Redirect {
		for _, o := range x.Offers {
			switch o.Class() {
			case sipcheck.ClassNotRoutable, sipcheck.ClassRequestTimeout, sipcheck.ClassBusy:
				return true
			}
		}
	}
	return false
}

// NotProbedFinding is what a report says of a target that could not be
// probed at all ([sipcheck.Result.NotProbed]): nothing about its security
// was seen, so whether it answers SIP is inconclusive, with what was tried
// and what to do. The target itself is an operational error for the
// caller to list.
func NotProbedFinding(res *sipcheck.Result, target string) report.Finding {
	return report.CouldNotTell("SIP-NO-RESPONSE", target, "not probed: "+res.Error, NotProbedHint(res.Status))
}

// NotProbedHint says what to do about a target that could not be probed.
func NotProbedHint(s sipcheck.Status) string {
	switch s {
	case sipcheck.StatusDNSError:
		return "check the name, or give the IP address; the probing host must resolve it as the servers do"
	case sipcheck.StatusConnectionRefused:
		return "check the address, port and transport, and that a firewall lets the probing host connect"
	case sipcheck.StatusNoRoute:
		return "check the address, and that the probing host has a route to it"
	case sipcheck.StatusConfigError:
		return "fix the probe's configuration (the number to call, the From URI)"
	}
	return "check that the target is up and reachable from the probing host"
}

// placeLive retargets a judged finding to the endpoint's component, keeps
// the probed URL in the summary when it differs (a redirect target),
// and locates it at the plan line that declares what the check judges.
// numberPath, when not empty, is where an undecided media check points:
// the call_to or pilot_number the edge did not route (or the endpoint,
// where call_to belongs).
func (p *Plan) placeLive(f report.Finding, e Endpoint, levelPath, numberPath string) report.Finding {
	if f.Target != e.URL() && f.Target != "" {
		f.Summary += " (" + f.Target + ")"
	}
	f.Target = e.Target()
	path := e.path + ".address"
	media := strings.HasPrefix(f.Check, "SRTP-") || strings.HasPrefix(f.Check, "UM-SRTP") ||
		f.Check == "SDES-OVER-CLEARTEXT" || f.Check == "DTLS-FINGERPRINT-MISMATCH"
	switch {
	case media && f.Severity == report.Inconclusive && numberPath != "":
		// Offers the edge did not evaluate because of the number called:
		// the number is what to change (or where to add call_to).
		path = numberPath
	case strings.HasPrefix(f.Check, "UM-SRTP") && e.Expect.Encryption != nil:
		path = e.path + ".expect.encryption"
	case strings.HasPrefix(f.Check, "UM-") && levelPath != "":
		path = levelPath
	case f.Check == "MTLS-NOT-REQUIRED" || f.Check == "MTLS-NOT-REQUESTED":
		if e.Expect.MTLSRequired != nil {
			path = e.path + ".expect.mtls_required"
		} else {
			path = e.path + ".transport"
		}
	case f.Check == "TLS-VERSION-WEAK" && e.Expect.MinTLS != nil:
		path = e.path + ".expect.min_tls"
	case f.Check == "SIP-CLEARTEXT-ACCEPTED" || f.Check == "GW-NO-TLS" || f.Check == "TLS-HANDSHAKE-FAILED":
		path = e.path + ".transport"
	case f.Check == "MEDIA-PORT-OUT-OF-RANGE":
		path = "media.ports"
	case strings.HasPrefix(f.Check, "TLS-CERT-"):
		if cp := p.certPath(e); cp != "" {
			path = cp
		}
	case media:
		if e.Expect.Encryption != nil {
			path = e.path + ".expect.encryption"
		} else if levelPath != "" {
			path = levelPath
		}
	}
	f.Location = p.Location(path)
	return f
}

// certPath is the plan path of the certificate of the server e belongs to.
func (p *Plan) certPath(e Endpoint) string {
	switch e.Role {
	case RoleUM:
		for _, u := range p.UMServers {
			if u.path == e.path && u.Certificate != nil {
				return u.path + ".certificate"
			}
		}
	case RoleInternal, RoleExternal:
		for _, m := range p.MediationServers {
			if (m.Internal.path == e.path || m.External.path == e.path) && m.Certificate != nil {
				return m.path + ".certificate"
			}
		}
	}
	return ""
}

// liveEdgeChecks compares each Mediation Server's two edges by the
// addresses they resolved to, when the plan names them by host name (the
// static check already compared IP literals).
func (p *Plan) liveEdgeChecks(results []EndpointResult) []report.Finding {
	var out []report.Finding
	byPath := map[string]*sipcheck.Result{}
	for _, r := range results {
		if r.Probe != nil {
			byPath[r.Endpoint.path] = r.Probe
		}
	}
	for _, m := range p.MediationServers {
		if net.ParseIP(m.Internal.Address) != nil && net.ParseIP(m.External.Address) != nil {
			continue
		}
		in, ex := byPath[m.Internal.path], byPath[m.External.path]
		if in == nil || ex == nil || len(in.Target.Addrs) == 0 || len(ex.Target.Addrs) == 0 {
			continue
		}
		f := sipcheck.SharedAddress(in.Target, ex.Target)
		f.Target = m.Target()
		out = append(out, p.at(f, m.External.path+".address"))
	}
	return out
}
