package plan

import (
	"strings"
	"testing"
)

// The plan refuses what `voipsec probe --to` refuses, in the plan's words.
func TestCallToErrors(t *testing.T) {
	for in, want := range map[string]string{
		"+1 425 555 0100":  `bad number to call "+1 425 555 0100": character ' ' not allowed in a user part`,
		"uas@contoso.com":  `bad number to call "uas@contoso.com": neither a user part nor a sip: URI`,
		"tel:+14255550100": `bad number to call "tel:+14255550100": tel: URIs are not accepted`,
		"sip:contoso.com":  `bad number to call "sip:contoso.com": the URI has no user part`,
	} {
		text := "voipsec_plan: 1\nmediation_servers:\n  - fqdn: med01.contoso.com\n    internal: {address: 10.0.0.1, call_to: \"" + in + "\"}\n    external: {address: 10.0.0.2, transport: tls}\n"
		_, err := Parse("c.yaml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), "c.yaml:4:44: mediation_servers[0].internal.call_to: "+want) {
			t.Errorf("%q: %v\nwant …%s", in, err, want)
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
	// Of equally strict dial plans with a pilot number, the first listed.
	p, err = Parse("c.yaml", []byte(`voipsec_plan: 1
exchange_um:
  dial_plans:
    - {name: A, voip_security: Secured, pilot_number: "+14255550101"}
    - {name: B, voip_security: Secured, pilot_number: "+14255550102"}
  servers:
    - {fqdn: um01.contoso.com, address: 10.0.10.5, transport: tls, dial_plans: [B, A]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if number, path := p.CallTo(p.Endpoints()[0]); number != "+14255550102" || path != "exchange_um.dial_plans[1].pilot_number" {
		t.Errorf("tie: calls %q from %s, want B's pilot number", number, path)
	}
}

// A plan that declares nothing to check is refused, at its first line; one
// with any checkable section loads.
func TestNothingToCheck(t *testing.T) {
	for _, text := range []string{
		"voipsec_plan: 1\n",
		"voipsec_plan: 1\nname: empty\n",
		"voipsec_plan: 1\nname: policy only\npolicy: {client_encryption: required}\n",
		// The media range is what the IPsec exception and the answered
		// media ports are judged against: alone it judges nothing.
		"voipsec_plan: 1\nmedia: {ports: 60000-64000}\n",
	} {
		_, err := Parse("n.yaml", []byte(text))
		if err == nil || !strings.HasPrefix(err.Error(), "n.yaml:1:1: the plan declares nothing to check") {
			t.Errorf("%q: err = %v", text, err)
		}
	}
	for _, text := range []string{
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
