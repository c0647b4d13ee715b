package plan

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/pool"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
	"github.com/voipsec/voipsec/tlswire"
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
	// starts and returns, so that an interrupted run can say where it was.
	// They are called from several goroutines at once.
	OnStart, OnDone func(e Endpoint)
}

// EndpointResult is the live probe of one plan endpoint.
type EndpointResult struct {
	Endpoint Endpoint
	Probe    *sipcheck.Result
	Findings []report.Finding // retargeted to the endpoint and located in the plan
	// NotStarted: the run was interrupted (ctx ended) before this
	// endpoint's probe began; Probe is nil.
	NotStarted bool
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
	started := pool.Each(ctx, len(eps), n, func(i int) {
		if o.OnStart != nil {
			o.OnStart(eps[i])
		}
		results[i] = p.probeEndpoint(ctx, eps[i], o)
		if o.OnDone != nil {
			o.OnDone(eps[i])
		}
	})
	for i, ok := range started {
		if !ok {
			results[i] = EndpointResult{Endpoint: eps[i], NotStarted: true}
		}
	}

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

// mtlsExpected reports whether the plan requires a client certificate at e:
// the expectation when given, else always on the Mediation Server internal
// edge and on UM servers whose dial plans mean mutual TLS.
func (p *Plan) mtlsExpected(e Endpoint, d matrix.Declared) bool {
	if e.Expect.MTLSRequired != nil {
		return *e.Expect.MTLSRequired
	}
	if e.Role == RoleInternal {
		return true
	}
	return d.VoipSecurity != nil && d.VoipSecurity.Transport().MutualTLS
}

func (p *Plan) probeEndpoint(ctx context.Context, e Endpoint, o LiveOptions) (er EndpointResult) {
	er.Endpoint = e
	target := e.Target()
	defer func() {
		if r := recover(); r != nil {
			er.Findings = append(er.Findings, p.at(report.New("SIP-NO-RESPONSE", target, "probe aborted by an internal error").
				WithDetail("%v", r), e.path+".address"))
		}
	}()
	t, err := sipcheck.ParseTarget(fmt.Sprintf("sip:%s;transport=%s", e.HostPort(), e.Transport))
	if err != nil {
		er.Findings = append(er.Findings, p.at(report.New("SIP-NO-RESPONSE", target, "endpoint cannot be probed").
			WithDetail("%v", err), e.path+".address"))
		return er
	}
	d, levelPath := p.declared(e)
	cfg := sipcheck.Config{
		Timeout:       o.Timeout,
		MediaDuration: o.MediaDuration,
		Declared:      d,
		ExpectTLS:     e.Role == RoleGateway || e.Role == RoleExternal,
		// UM and both Mediation Server edges are also TLS clients of their
		// peers; the gateway is a third-party device.
		MutualTLS:  e.Role != RoleGateway,
		RootCAs:    p.Trust.Roots(),
		ClientCert: p.Trust.KeyPair,
		Enumerate:  e.Expect.MinTLS != nil,
	}
	if e.Server != "" {
		cfg.ServerName = e.Server
	}
	probe := o.Probe
	if probe == nil {
		probe = sipcheck.ProbeEndpoint
	}
	res := probe(ctx, t, cfg)
	er.Probe = res
	if res == nil {
		return er
	}
	mtls := p.mtlsExpected(e, d)
	findings := res.AllFindings()
	seen := map[string]bool{}
	for _, f := range findings {
		seen[f.Check] = true
		f = p.placeLive(f, e, levelPath, mtls)
		er.Findings = append(er.Findings, f)
	}
	er.Findings = append(er.Findings, p.expectations(e, res, mtls, seen)...)
	return er
}

// placeLive retargets a probe finding to the endpoint's component, keeps
// the probed URL in the summary when it differs, locates it at the plan
// line that declares what the check judges, and softens MTLS findings on
// endpoints where the plan does not require mutual TLS.
func (p *Plan) placeLive(f report.Finding, e Endpoint, levelPath string, mtls bool) report.Finding {
	if f.Target != e.URL() && f.Target != "" {
		f.Summary += " (" + f.Target + ")"
	}
	f.Target = e.Target()
	path := e.path + ".address"
	switch {
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
		if !mtls && f.Severity > report.Info {
			f = f.WithSeverity(report.Info)
			f.Summary += "; the plan does not require mutual TLS here"
		}
	case f.Check == "TLS-VERSION-WEAK" && e.Expect.MinTLS != nil:
		path = e.path + ".expect.min_tls"
	case f.Check == "SIP-CLEARTEXT-ACCEPTED" || f.Check == "GW-NO-TLS" || f.Check == "TLS-HANDSHAKE-FAILED":
		path = e.path + ".transport"
	case strings.HasPrefix(f.Check, "TLS-CERT-"):
		if cp := p.certPath(e); cp != "" {
			path = cp
		}
	case strings.HasPrefix(f.Check, "SRTP-") || f.Check == "SDES-OVER-CLEARTEXT" || f.Check == "DTLS-FINGERPRINT-MISMATCH":
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

// expectations adds the findings for what the plan expects of e that the
// probe does not judge by itself.
func (p *Plan) expectations(e Endpoint, res *sipcheck.Result, mtls bool, seen map[string]bool) []report.Finding {
	var out []report.Finding
	target := e.Target()
	tr := res.TLS
	// Mutual TLS required, when the TLS probe did not already judge it.
	if mtls && e.Transport == TLS && !seen["MTLS-NOT-REQUIRED"] {
		path := e.path + ".transport"
		if e.Expect.MTLSRequired != nil {
			path = e.path + ".expect.mtls_required"
		}
		req := res.Observation.MTLSRequired // sipcheck derives it from the TLS probe
		switch {
		case req == nil:
		case *req:
			out = append(out, p.at(report.Passed("MTLS-NOT-REQUIRED", target, "the plan requires mutual TLS and the edge refuses a handshake without a client certificate"), path))
		default:
			out = append(out, p.at(report.New("MTLS-NOT-REQUIRED", target, "the plan requires mutual TLS, but the edge accepts a handshake without a client certificate"), path))
		}
	}
	// Minimum TLS version.
	if e.Expect.MinTLS != nil && tr != nil {
		minV := *e.Expect.MinTLS
		var below []string
		for _, v := range tr.Versions {
			if v.Accepted && v.ID < minV {
				below = append(below, v.Version)
			}
		}
		if tr.Handshake != nil && tr.Handshake.VersionID != 0 && tr.Handshake.VersionID < minV && len(below) == 0 {
			below = append(below, tr.Handshake.Version)
		}
		path := e.path + ".expect.min_tls"
		want := tlswire.VersionName(minV)
		if len(below) > 0 {
			sort.Strings(below)
			out = append(out, p.at(report.Newf("TLS-VERSION-WEAK", target, "the plan requires %s or later, the edge accepts %s", want, strings.Join(below, ", ")).
				WithSeverity(report.Fail), path))
		} else if len(tr.Versions) > 0 || tr.Handshake != nil {
			out = append(out, p.at(report.Passed("TLS-VERSION-WEAK", target, fmt.Sprintf("the edge accepts nothing older than %s, as the plan requires", want)), path))
		}
	}
	// Media ports inside the declared range.
	if r := p.Media.Ports; r != nil {
		var outside, inside []string
		for q := res; q != nil; q = q.Redirect {
			for _, of := range q.Offers {
				if a := of.Answer; a != nil && a.Port > 0 && of.Code/100 == 2 {
					s := fmt.Sprintf("%s → port %d", of.Offer, a.Port)
					if a.Port < r.From || a.Port > r.To {
						outside = append(outside, s)
					} else {
						inside = append(inside, s)
					}
				}
			}
		}
		switch {
		case len(outside) > 0:
			f := report.Newf("MEDIA-PORT-OUT-OF-RANGE", target, "the endpoint answers with media ports outside %s", r)
			f.Detail = strings.Join(outside, "; ")
			out = append(out, p.at(f, "media.ports"))
		case len(inside) > 0:
			out = append(out, p.at(report.Passed("MEDIA-PORT-OUT-OF-RANGE", target,
				fmt.Sprintf("every answered media port is inside %s", r)).WithDetail("%s", strings.Join(inside, "; ")), "media.ports"))
		}
	}
	// The gateway leg over TLS, as observed.
	if e.Role == RoleGateway || e.Role == RoleExternal {
		path := e.path + ".transport"
		clear := res.Observation.CleartextAccepted
		switch {
		case clear != nil && *clear:
			f := report.Newf("GW-NO-TLS", target, "the gateway leg answers SIP in cleartext over %s", strings.ToUpper(string(e.Transport)))
			f.Detail = "observed by probing " + e.URL()
			out = append(out, p.at(f, path))
		case e.Transport == TLS && res.Observation.TLS: // a completed TLS probe handshake
			out = append(out, p.at(report.Passed("GW-NO-TLS", target, "the gateway leg completes a TLS handshake"), path))
		}
	}
	return out
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
