package plan_test

import (
	"fmt"
	"time"

	"github.com/voipsec/voipsec/plan"
)

// A plan with mistakes reports each at file:line:col with the field path.
func ExampleParse_errors() {
	_, err := plan.Parse("prod.yaml", []byte(`voipsec_plan: 1
exchange_um:
  dial_plans:
    - name: Contoso
      voip_security: Encrypted
mediation_servers:
  - fqdn: med01.contoso.com
    internal: {adress: 10.0.20.5}
    external: {address: 10.0.30.5, transport: tsl}
`))
	fmt.Println(err)
	// Output:
	// prod.yaml:5:22: exchange_um.dial_plans[0].voip_security: unknown VoIPSecurity "Encrypted" (accepted: Unsecured, SIPSecured, Secured)
	// prod.yaml:8:15: mediation_servers[0].internal.address: required field "address" is missing
	// prod.yaml:8:16: mediation_servers[0].internal.adress: unknown field "adress" (accepted: address, call_to, expect, port, transport); did you mean address?
	// prod.yaml:9:47: mediation_servers[0].external.transport: unknown transport "tsl" (accepted: udp, tcp, tls)
}

// The static checks of a plan, each finding located at its plan line.
func ExampleStatic() {
	p, err := plan.Parse("prod.yaml", []byte(`voipsec_plan: 1
mediation_servers:
  - fqdn: med01.contoso.com
    internal: {address: 10.0.20.5}
    external: {address: 10.0.20.5, transport: tcp}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range plan.Static(p, time.Now()) {
		fmt.Printf("%s %s at %s: %s\n", f.Severity, f.Check, f.Location, f.Summary)
	}
	// Output:
	// fail EDGE-SHARED-ADDRESS at prod.yaml:5:25: internal and external edges both listen on 10.0.20.5
	// fail GW-NO-TLS at prod.yaml:5:47: the external edge's gateway listener uses TCP, not TLS
}
