package sipcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Transport names, as in Via and ;transport=.
const (
	UDP = "udp"
	TCP = "tcp"
	TLS = "tls"
)

// tlsPorts are ports that mean TLS when no transport is given: 5061 (RFC 3261
// sips default, OCS internal edge, UM TLS), 5067 (Lync gateway TLS) and 5070
// (Lync Mediation Server from the Front End, MTLS).
var tlsPorts = map[int]bool{5061: true, 5067: true, 5070: true}

// Target is one SIP edge to probe.
type Target struct {
	Raw       string       `json:"raw"`                // as the user gave it
	Scheme    string       `json:"scheme"`             // "sip" or "sips"
	User      string       `json:"user,omitempty"`     // user part of a URI target, used in the Request-URI
	Host      string       `json:"host"`               // name or IP literal, without brackets
	Port      int          `json:"port"`               //
	Transport string       `json:"transport"`          // udp, tcp or tls: the transport INVITEs use
	Explicit  bool         `json:"explicit_transport"` // the transport was given (;transport= or sips:)
	Addrs     []netip.Addr `json:"addrs,omitempty"`    // resolved addresses; set by Resolve
}

// ParseTarget parses host:port, [v6]:port, host (port 5060), a sip:/sips:
// URI with an optional ;transport= parameter, or the transport://host:port
// form findings use (udp://, tcp://, tls://). It does not resolve names.
func ParseTarget(s string) (Target, error) {
	raw := s
	s = strings.TrimSpace(s)
	bad := func(format string, args ...any) (Target, error) {
		return Target{}, &TargetError{Target: raw, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return bad("empty")
	}
	if len(s) > 1024 {
		return bad("longer than 1024 characters")
	}
	t := Target{Raw: raw, Scheme: "sip"}
	lower := strings.ToLower(s)
	isURI := false
	switch {
	case strings.HasPrefix(lower, "sips:"):
		t.Scheme, s, isURI = "sips", s[5:], true
		t.Transport, t.Explicit = TLS, true
	case strings.HasPrefix(lower, "sip:"):
		s, isURI = s[4:], true
	case strings.HasPrefix(lower, "udp://"), strings.HasPrefix(lower, "tcp://"), strings.HasPrefix(lower, "tls://"):
		// The form findings name targets with, so a target can be pasted
		// back from a report.
		t.Transport, t.Explicit, s = lower[:3], true, s[6:]
	case strings.Contains(lower, "://"):
		return bad("unknown scheme (use host:port, tls://host:port, sip:host:port;transport=tls or sips:host)")
	}
	if isURI {
		// Strip URI headers (?...) and split off parameters.
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i]
		}
		var params string
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s, params = s[:i], s[i+1:]
		}
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			t.User, s = s[:i], s[i+1:]
			if j := strings.IndexByte(t.User, ':'); j >= 0 {
				t.User = t.User[:j] // drop a password
			}
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(p, "=")
			if !strings.EqualFold(strings.TrimSpace(k), "transport") {
				continue
			}
			switch v := strings.ToLower(strings.TrimSpace(v)); v {
			case UDP, TCP, TLS:
				if t.Scheme == "sips" && v != TLS {
					return bad("sips: requires TLS, not transport=%s", v)
				}
				t.Transport, t.Explicit = v, true
			default:
				return bad("unknown transport %q (accepted: udp, tcp, tls)", v)
			}
		}
	}
	host, port, err := splitHostPort(s)
	if err != nil {
		return bad("%v", err)
	}
	if host == "" {
		return bad("no host")
	}
	if strings.ContainsAny(host, " \t/\\@?#;,<>\"'") {
		return bad("invalid host %q", host)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.WithZone("").String()
		if ip.Zone() != "" {
			return bad("zoned IPv6 addresses are not supported")
		}
	} else if strings.Contains(host, ":") {
		return bad("invalid IPv6 literal %q (write it as [v6]:port)", host)
	}
	t.Host = host
	if port == 0 {
		if t.Transport == TLS {
			port = 5061
		} else {
			port = 5060
		}
	}
	t.Port = port
	if t.Transport == "" {
		if tlsPorts[port] {
			t.Transport = TLS
		} else {
			t.Transport = UDP
		}
	}
	return t, nil
}

// splitHostPort splits host[:port] where host may be a bracketed IPv6
// literal; port 0 means none was given.
func splitHostPort(s string) (string, int, error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("missing ']' in IPv6 literal")
		}
		host, rest := s[1:end], s[end+1:]
		if _, err := netip.ParseAddr(host); err != nil {
			return "", 0, fmt.Errorf("invalid IPv6 literal %q", host)
		}
		if rest == "" {
			return host, 0, nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", 0, fmt.Errorf("unexpected %q after IPv6 literal", rest)
		}
		p, err := parsePort(rest[1:])
		return host, p, err
	}
	if strings.Count(s, ":") > 1 {
		// A bare IPv6 literal without a port.
		if _, err := netip.ParseAddr(s); err == nil {
			return s, 0, nil
		}
		return "", 0, fmt.Errorf("invalid address %q (write IPv6 as [v6]:port)", s)
	}
	host, ps, found := strings.Cut(s, ":")
	if !found {
		return host, 0, nil
	}
	p, err := parsePort(ps)
	return host, p, err
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("invalid port %q (1-65535)", s)
	}
	return p, nil
}

// IsTLS reports whether the target is probed over TLS.
func (t Target) IsTLS() bool { return t.Transport == TLS }

// HostPort is host:port with IPv6 literals bracketed.
func (t Target) HostPort() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// String names the target in findings: transport://host:port.
func (t Target) String() string {
	if t.Host == "" {
		return t.Raw
	}
	return t.Transport + "://" + t.HostPort()
}

// With returns t with another transport, for probing the same edge over
// another transport.
func (t Target) With(transport string) Target {
	t.Transport = transport
	t.Explicit = true
	return t
}

// Resolver looks up host addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve fills t.Addrs with the target's A and AAAA addresses (or its IP
// literal). The first address is the one probed.
func (t Target) Resolve(ctx context.Context, r Resolver) (Target, error) {
	if ip, err := netip.ParseAddr(t.Host); err == nil {
		t.Addrs = []netip.Addr{ip.Unmap()}
		return t, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", t.Host)
	var ae *net.AddrError
	if errors.As(err, &ae) {
		// The resolver found no address it could use: Go answers names
		// that must not go to DNS (.onion, RFC 7686) this way.
		addrs, err = nil, nil
	}
	if err != nil {
		return t, fmt.Errorf("sipcheck: resolve %s: %w", t.Host, err)
	}
	if len(addrs) == 0 {
		return t, fmt.Errorf("sipcheck: resolve %s: %w", t.Host, &net.DNSError{Err: "no addresses", Name: t.Host, IsNotFound: true})
	}
	// Prefer IPv4 first, like most SIP stacks, but keep every address.
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if a.Unmap().Is4() {
			out = append(out, a.Unmap())
		}
	}
	for _, a := range addrs {
		if !a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	t.Addrs = out
	return t, nil
}

// dialAddr is the address SIP is sent to: the first resolved address, or the
// host itself when unresolved.
func (t Target) dialAddr() string {
	if len(t.Addrs) > 0 {
		return net.JoinHostPort(t.Addrs[0].String(), strconv.Itoa(t.Port))
	}
	return t.HostPort()
}
