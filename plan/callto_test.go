package plan

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCallTo(t *testing.T) {
	good := []struct{ in, want string }{
		{"+14255550100", "+14255550100"},
		{"uas", "uas"},
		{" 4100 ", "4100"},
		{"+1-425-555-0100", "+1-425-555-0100"},
		{"+14255550100;phone-context=contoso.com", "+14255550100;phone-context=contoso.com"},
		{"alice%40home", "alice%40home"},
		{"sip:+14255550100@contoso.com", "sip:+14255550100@contoso.com"},
		{"<sip:uas@127.0.0.1:5060;transport=tcp>", "sip:uas@127.0.0.1:5060;transport=tcp"},
		{"sips:pilot@um01.contoso.com", "sips:pilot@um01.contoso.com"},
		{"SIP:uas@[::1]:5061", "SIP:uas@[::1]:5061"},
	}
	for _, c := range good {
		got, err := ParseCallTo(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseCallTo(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty: give a number"},
		{"   ", "empty: give a number"},
		{"+1 425 555 0100", "spaces are not allowed in a SIP user part (write +14255550100)"},
		{"uas@contoso.com", "user@host is a SIP URI: write sip:uas@contoso.com"},
		{"tel:+14255550100", "tel: URIs are not accepted: give the number alone (+14255550100)"},
		{"sip:contoso.com", "the URI names no user"},
		{"sip:contoso.com;transport=tls", "the URI names no user: give the number to call, as in sip:+14255550100@contoso.com"},
		{"sip:alice:secret@contoso.com", "password"},
		{"sip:a b@contoso.com", "spaces are not allowed"},
		{"sip:uas@bad_host", `bad host "bad_host"`},
		{"sip:uas@", "not a valid SIP URI"},
		{"4100#", `"#" is not allowed in a SIP user part`},
		{"50%", "'%' must start an escape"},
		{"uas\x00", "byte 0x00 is not allowed"},
		{strings.Repeat("1", 300), "longer than 256 characters"},
	}
	for _, c := range bad {
		_, err := ParseCallTo(c.in)
		var ce *CallToError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.reason) || ce.Value != c.in {
			t.Errorf("ParseCallTo(%q) = %v; want a *CallToError saying %q", c.in, err, c.reason)
		}
	}
}

func TestParseSIPURI(t *testing.T) {
	if got, err := ParseSIPURI("<sip:voipsec@probe.contoso.com>"); err != nil || got != "sip:voipsec@probe.contoso.com" {
		t.Errorf("got %q, %v", got, err)
	}
	for in, reason := range map[string]string{
		"alice@contoso.com":      "not a sip: or sips: URI",
		"voipsec":                "not a sip: or sips: URI",
		"sip:":                   "the URI names no user",
		"sip:a b@probe.contoso":  "spaces are not allowed",
		"sip:voipsec@probe/x":    "bad host",
		"sip:@probe.contoso.com": "empty user part",
	} {
		if _, err := ParseSIPURI(in); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("ParseSIPURI(%q) = %v; want an error saying %q", in, err, reason)
		}
	}
}

// call_to on every kind of endpoint, pilot_number on dial plans: what each
// endpoint calls and the plan line that comes from.
func TestCallTo(t *testing.T) {
	p, err := Parse("c.yaml", []byte(`voipsec_plan: 1
exchange_um:
  dial_plans:
    - {name: Plain, voip_security: SIPSecured, pilot_number: "+14255550111"}
    - {name: Strict, voip_security: Secured, pilot_number: "sip:+14255550100@um.contoso.com"}
    - {name: NoPilot, voip_security: Secured}
  servers:
    - {fqdn: um01.contoso.com, address: 10.0.10.5, transport: tls, dial_plans: [Plain, Strict]}
    - {fqdn: um02.contoso.com, address: 10.0.10.6, transport: tls, dial_plans: [Strict], call_to: "4100"}
    - {fqdn: um03.contoso.com, address: 10.0.10.7, transport: tls, dial_plans: [NoPilot, Plain]}
    - {fqdn: um04.contoso.com, address: 10.0.10.8, transport: tls, dial_plans: [NoPilot]}
mediation_servers:
  - fqdn: med01.contoso.com
    internal: {address: 10.0.20.5, call_to: "+14255550199"}
    external: {address: 10.0.30.5, transport: tls, call_to: "sip:+14255550199@10.0.30.5"}
    gateway: {address: 10.0.30.1, transport: tls, call_to: "+14255550199"}
`))
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ number, loc string }
	wants := map[string]want{
		"exchange_um.servers[0]":        {"sip:+14255550100@um.contoso.com", "c.yaml:5:60"}, // the strictest dial plan's pilot
		"exchange_um.servers[1]":        {"4100", "c.yaml:9:99"},                            // its own call_to wins
		"exchange_um.servers[2]":        {"+14255550111", "c.yaml:4:62"},                    // the only pilot among its dial plans
		"exchange_um.servers[3]":        {"", ""},                                           // no number: none is made up
		"mediation_servers[0].internal": {"+14255550199", "c.yaml:14:45"},
		"mediation_servers[0].external": {"sip:+14255550199@10.0.30.5", "c.yaml:15:61"},
		"mediation_servers[0].gateway":  {"+14255550199", "c.yaml:16:60"},
	}
	eps := p.Endpoints()
	if len(eps) != len(wants) {
		t.Fatalf("%d endpoints", len(eps))
	}
	for _, e := range eps {
		w := wants[e.Path()]
		number, path := p.CallTo(e)
		loc := ""
		if path != "" {
			loc = p.Location(path).String()
		}
		if number != w.number || loc != w.loc {
			t.Errorf("%s calls %q from %s (%s), want %q from %s", e.Path(), number, loc, path, w.number, w.loc)
		}
	}
	if d, _ := p.DialPlan("Strict"); d.PilotNumber != "sip:+14255550100@um.contoso.com" {
		t.Errorf("pilot number %q", d.PilotNumber)
	}
}

// A plan that declares nothing to check is refused, at its first line; one
// with any checkable section loads.
func TestNothingToCheck(t *testing.T) {
	for _, text := range []string{
		"voipsec_plan: 1\n",
		"voipsec_plan: 1\nname: empty\n",
		"voipsec_plan: 1\nname: policy only\npolicy: {client_encryption: required}\n",
	} {
		_, err := Parse("n.yaml", []byte(text))
		if err == nil || !strings.HasPrefix(err.Error(), "n.yaml:1:1: the plan declares nothing to check") {
			t.Errorf("%q: err = %v", text, err)
		}
	}
	for _, text := range []string{
		"voipsec_plan: 1\nmedia: {ports: 60000-64000}\n",
		"voipsec_plan: 1\nipsec: {enabled: false}\n",
		"voipsec_plan: 1\nexchange_um:\n  dial_plans: [{name: DP, voip_security: Secured}]\n",
	} {
		if _, err := Parse("n.yaml", []byte(text)); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	// A plan with errors says what they are, not that nothing is left.
	_, err := Parse("n.yaml", []byte("voipsec_plan: 1\nmedia: {ports: nope}\n"))
	if err == nil || strings.Contains(err.Error(), "nothing to check") {
		t.Errorf("err = %v", err)
	}
}
