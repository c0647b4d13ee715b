package sipcheck_test

import (
	"context"
	"fmt"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
	"github.com/voipsec/voipsec/sipcheck"
)

// Probe a simulated Exchange UM server that requires SRTP, as `voipsec
// check` does for every endpoint of a plan.
func ExampleProbeEndpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sim.Start(ctx, sim.Config{Encryption: matrix.Required, Transports: []string{sim.TCP}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	target, err := sipcheck.ParseTarget("sip:" + s.Addr(sim.TCP) + ";transport=tcp")
	if err != nil {
		fmt.Println(err) // a usage error naming the target
		return
	}
	secured := matrix.Secured
	res := sipcheck.ProbeEndpoint(ctx, target, sipcheck.Config{
		Declared:      matrix.Declared{VoipSecurity: &secured},
		MediaDuration: 300 * time.Millisecond,
	})
	fmt.Println("effective encryption:", *res.Effective)
	for _, f := range res.Findings {
		if f.Check == "SIP-CLEARTEXT-ACCEPTED" || f.Check == "SDES-OVER-CLEARTEXT" {
			fmt.Println(f.Severity, f.Check)
		}
	}
	// Output:
	// effective encryption: required
	// fail SIP-CLEARTEXT-ACCEPTED
	// fail SDES-OVER-CLEARTEXT
}
