package sipcheck

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in        string
		host      string
		port      int
		transport string
		explicit  bool
		user      string
	}{
		{"med01.contoso.com:5061", "med01.contoso.com", 5061, TLS, false, ""},
		{"med01.contoso.com:5060", "med01.contoso.com", 5060, UDP, false, ""},
		{"med01.contoso.com", "med01.contoso.com", 5060, UDP, false, ""},
		{"10.0.0.5:5067", "10.0.0.5", 5067, TLS, false, ""},
		{"10.0.0.5:5068", "10.0.0.5", 5068, UDP, false, ""},
		{"[2001:db8::1]:5061", "2001:db8::1", 5061, TLS, false, ""},
		{"[::1]", "::1", 5060, UDP, false, ""},
		{"::1", "::1", 5060, UDP, false, ""},
		{"sip:um.contoso.com:5061;transport=tls", "um.contoso.com", 5061, TLS, true, ""},
		{"sip:um.contoso.com;transport=TCP", "um.contoso.com", 5060, TCP, true, ""},
		{"SIP:user@um.contoso.com:5065;transport=tcp;lr", "um.contoso.com", 5065, TCP, true, "user"},
		{"sips:um.contoso.com", "um.contoso.com", 5061, TLS, true, ""},
		{"sips:[2001:db8::2]:5071", "2001:db8::2", 5071, TLS, true, ""},
		{"sip:[::1]:5062;transport=udp", "::1", 5062, UDP, true, ""},
		{"sip:alice:secret@host?subject=x", "host", 5060, UDP, false, "alice"},
		{"tls://med01.contoso.com:5070", "med01.contoso.com", 5070, TLS, true, ""},
		{"TCP://[2001:db8::1]:5068", "2001:db8::1", 5068, TCP, true, ""},
		{"udp://gw01", "gw01", 5060, UDP, true, ""},
		{"tls://gw01", "gw01", 5061, TLS, true, ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTarget(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Host != c.host || got.Port != c.port || got.Transport != c.transport || got.Explicit != c.explicit || got.User != c.user {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestParseTargetErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", "host:0", "host:65536", "host:abc", "[::1", "[zz::1]:5060", "[::1]x",
		"sip:host;transport=sctp", "sips:host;transport=udp", "http://host", "fe80::1%eth0",
		"sip:", "sip:@", "bad host:5060", "1:2:3", "[fe80::1%25eth0]:5060",
	} {
		_, err := ParseTarget(in)
		var te *TargetError
		if !errors.As(err, &te) {
			t.Errorf("ParseTarget(%q) = %v, want *TargetError", in, err)
			continue
		}
		if te.Target != in {
			t.Errorf("error does not name the target: %v", err)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestResolve(t *testing.T) {
	r := fakeResolver{"dual.example": {netip.MustParseAddr("2001:db8::7"), netip.MustParseAddr("192.0.2.7")}}
	tg, err := mustTarget(t, "dual.example:5061").Resolve(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Addrs) != 2 || !tg.Addrs[0].Is4() || tg.dialAddr() != "192.0.2.7:5061" {
		t.Fatalf("addrs %v dial %s: IPv4 first, all kept", tg.Addrs, tg.dialAddr())
	}
	if _, err := mustTarget(t, "missing.example").Resolve(context.Background(), r); err == nil {
		t.Fatal("unresolvable name resolved")
	}
	six, _ := mustTarget(t, "[::1]:5060").Resolve(context.Background(), nil)
	if six.dialAddr() != "[::1]:5060" {
		t.Fatal(six.dialAddr())
	}
}

// A name Go's resolver refuses to send to DNS (.onion, RFC 7686) has no
// address: a DNS error that says the name does not resolve, not the
// resolver's own "no suitable address found". No query leaves the host.
func TestResolveNoUsableAddress(t *testing.T) {
	_, err := mustTarget(t, "med01.onion").Resolve(context.Background(), nil)
	if StatusOf(err) != StatusDNSError || describe(err) != "the name does not resolve" {
		t.Fatalf("status %s, %q (%v)", StatusOf(err), describe(err), err)
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"host:5061", "sip:u@h:5060;transport=tcp", "sips:[::1]:5061", "[::1", "::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		if tg.Port < 1 || tg.Port > 65535 || tg.Host == "" {
			t.Fatalf("accepted %q as %+v", s, tg)
		}
		switch tg.Transport {
		case UDP, TCP, TLS:
		default:
			t.Fatalf("transport %q", tg.Transport)
		}
	})
}
