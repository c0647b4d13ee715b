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
	// Observe: facts only.
	res := sipcheck.ProbeEndpoint(ctx, target, sipcheck.Config{MediaDuration: 300 * time.Millisecond})
	if err := res.Err(); err != nil {
		fmt.Println(err) // not probed: an operational error, no finding
		return
	}
	fmt.Println("effective encryption:", *res.Effective)
	// Judge: the facts against what the deployment declares.
	secured := matrix.Secured
	for _, f := range sipcheck.Judge(res, sipcheck.Expect{Declared: matrix.Declared{VoipSecurity: &secured}}) {
		if f.Check == "SIP-CLEARTEXT-ACCEPTED" || f.Check == "SDES-OVER-CLEARTEXT" {
			fmt.Println(f.Severity, f.Check)
		}
	}
	// Output:
	// effective encryption: required
	// fail SIP-CLEARTEXT-ACCEPTED
	// fail SDES-OVER-CLEARTEXT
}
