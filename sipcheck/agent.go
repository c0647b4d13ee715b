package sipcheck

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/voipsec/voipsec/internal/printable"
)

// discard is the logger handed to sipgo: the probe reports through findings,
// never through sipgo's log lines.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func init() { sip.SetDefaultLogger(discard) }

// maxBody bounds the SDP body we keep from a peer's answer.
const maxBody = 16 << 10

// agent is one probe's SIP user agent: its own transport and transaction
// layers, so concurrent probes share nothing. Not safe for concurrent use by
// several goroutines beyond what sipgo itself allows.
type agent struct {
	ua      *sipgo.UserAgent
	client  *sipgo.Client
	local   netip.Addr // our address toward the target, for Contact and SDP
	from    sip.Uri
	toUser  string
	userAgt string
}

// newAgent makes the user agent for t. toUser is the user part calls go
// to; cfg.From must have passed Config.Validate.
func newAgent(t Target, cfg *Config, tlsConf *tls.Config, toUser string) (*agent, error) {
	local, err := localAddrFor(t)
	if err != nil {
		return nil, fmt.Errorf("sipcheck: choose local address: %w", err)
	}
	host := local.String()
	opts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent("voipsec"),
		sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(discard)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(discard)),
	}
	if tlsConf != nil {
		opts = append(opts, sipgo.WithUserAgenTLSConfig(tlsConf))
	}
	ua, err := sipgo.NewUA(opts...)
	if err != nil {
		return nil, fmt.Errorf("sipcheck: create user agent: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(host), sipgo.WithClientLogger(discard))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sipcheck: create client: %w", err)
	}
	a := &agent{ua: ua, client: client, local: local, userAgt: "voipsec", toUser: toUser}
	a.from = sip.Uri{Scheme: "sip", User: "voipsec", Host: host}
	if cfg.From != "" {
		// A bad From is an error, never silently replaced by the default.
		v, err := ParseFrom(cfg.From)
		if err == nil {
			err = sip.ParseUri(v, &a.from)
		}
		if err != nil {
			a.close()
			return nil, err
		}
	}
	return a, nil
}

func (a *agent) close() {
	a.client.Close()
	a.ua.Close()
}

// localAddrFor picks the local address the kernel would use toward t (a UDP
// "connect" sends nothing).
func localAddrFor(t Target) (netip.Addr, error) {
	c, err := net.Dial("udp", t.dialAddr())
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

// requestURI is the Request-URI for t: sip:[user@]host:port;transport=X.
// Microsoft peers expect sip: with ;transport=tls rather than sips:
// (domain.md §6), so sips: is kept only when the user wrote it.
func (a *agent) requestURI(t Target) sip.Uri {
	u := sip.Uri{Scheme: t.Scheme, User: t.User, Host: t.Host, Port: t.Port}
	if a.toUser != "" {
		u.User = a.toUser
	}
	if u.Scheme == "" {
		u.Scheme = "sip"
	}
	u.UriParams = sip.NewParams()
	if u.Scheme != "sips" || t.Transport != TLS {
		u.UriParams.Add("transport", t.Transport)
	}
	return u
}

// newRequest builds a request for t with our From, a To naming the target,
// and the destination pinned to the resolved address and transport.
func (a *agent) newRequest(method sip.RequestMethod, t Target) *sip.Request {
	ruri := a.requestURI(t)
	req := sip.NewRequest(method, ruri)
	from := &sip.FromHeader{Address: *a.from.Clone(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	toURI := sip.Uri{Scheme: ruri.Scheme, User: ruri.User, Host: ruri.Host, Port: ruri.Port}
	req.AppendHeader(&sip.ToHeader{Address: toURI, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("User-Agent", a.userAgt))
	req.SetTransport(strings.ToUpper(t.Transport))
	req.SetDestination(t.dialAddr())
	return req
}

// options sends one OPTIONS to t. Over UDP sipgo's client transaction
// retransmits with RFC 3261 Timer E (T1 doubling up to T2) until a response
// or ctx's deadline.
func (a *agent) options(ctx context.Context, t Target) OptionsResult {
	out := OptionsResult{Transport: t.Transport}
	req := a.newRequest(sip.OPTIONS, t)
	req.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	start := time.Now()
	res, err := a.do(ctx, req)
	if err != nil {
		out.Status, out.Error = StatusOf(err), describe(err)
		return out
	}
	out.RTTMillis = float64(time.Since(start).Microseconds()) / 1000
	out.Status = StatusSuccess
	out.Code, out.Reason = res.StatusCode, clip(res.Reason, 200)
	out.Server = headerValue(res, "Server")
	out.UserAgent = headerValue(res, "User-Agent")
	out.Allow = tokens(res, "Allow")
	out.Supported = tokens(res, "Supported")
	return out
}

// do runs one non-INVITE transaction and returns its final response.
func (a *agent) do(ctx context.Context, req *sip.Request) (res *sip.Response, err error) {
	defer func() {
		if r := recover(); r != nil { // a sipgo bug must not take down a scan
			res, err = nil, fmt.Errorf("sipcheck: %s: panic in SIP stack: %v: %w", req.Method, r, errProtocol)
		}
	}()
	tx, err := a.client.TransactionRequest(ctx, req, sipgo.ClientRequestBuild)
	if err != nil {
		return nil, fmt.Errorf("send %s: %w", req.Method, err)
	}
	defer tx.Terminate()
	for {
		select {
		case r := <-tx.Responses():
			if r.IsProvisional() {
				continue
			}
			return r, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, fmt.Errorf("read SIP response to %s: %w", req.Method, err)
			}
			return nil, fmt.Errorf("read SIP response to %s: %w", req.Method, errNoResponse)
		case <-ctx.Done():
			return nil, fmt.Errorf("read SIP response to %s: %w", req.Method, ctx.Err())
		}
	}
}

func headerValue(m *sip.Response, name string) string {
	h := m.GetHeader(name)
	if h == nil {
		return ""
	}
	return clip(h.Value(), 200)
}

// tokens collects a comma-separated header's values across repeats,
// bounded against hostile peers.
func tokens(m *sip.Response, name string) []string {
	var out []string
	for _, h := range m.GetHeaders(name) {
		for _, v := range strings.Split(h.Value(), ",") {
			if v = strings.TrimSpace(v); v != "" && len(out) < 64 {
				out = append(out, clip(v, 64))
			}
		}
	}
	return out
}

func clip(s string, n int) string { return printable.Clip(s, n) }

// contactTarget turns a 3xx Contact into a target on the same transport.
func contactTarget(res *sip.Response, via Target) (Target, error) {
	c := res.Contact()
	if c == nil {
		return Target{}, protocolErrorf("redirect without Contact")
	}
	u := c.Address
	if u.Scheme != "sip" && u.Scheme != "sips" {
		return Target{}, protocolErrorf("redirect to a non-SIP URI scheme %q", clip(u.Scheme, 16))
	}
	if u.Host == "" {
		return Target{}, protocolErrorf("redirect Contact without host")
	}
	s := u.Scheme + ":" + u.Host
	if ip, err := netip.ParseAddr(u.Host); err == nil && ip.Is6() {
		s = u.Scheme + ":[" + u.Host + "]"
	}
	if u.Port > 0 {
		s += ":" + strconv.Itoa(u.Port)
	}
	tp := via.Transport
	if v, ok := u.UriParams.Get("transport"); ok && v != "" {
		tp = strings.ToLower(v)
	}
	if u.Scheme == "sips" {
		tp = TLS
	}
	s += ";transport=" + tp
	t, err := ParseTarget(s)
	if err != nil {
		return Target{}, protocolErrorf("redirect Contact names no usable target (%s)", clip(s, 80))
	}
	t.User = via.User
	return t, nil
}
