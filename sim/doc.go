// Package sim is a built-in Mediation Server / Exchange UM simulator: a
// sipgo SIP server on UDP, TCP and TLS (with mutual TLS) that answers
// OPTIONS and INVITE the way OCS 2007 R2, Lync and Exchange UM do for a
// media encryption level (domain.md §1.6), exchanges SRTP or RTP media
// after ACK, and can misbehave on purpose ([Fault]).
//
// It is what `voipsec simulate` and `voipsec demo` run, and what the other
// packages' tests start in-process, httptest-style:
//
//	s, err := sim.Start(ctx, sim.Config{Encryption: matrix.Required})
//	defer s.Close()
//	// s.UDPAddr, s.TCPAddr, s.TLSAddr; s.Calls() for per-call counters
//
// # Bounds
//
// Every call is bounded: at most [Config.MaxCalls] at once (486 beyond),
// at most [Config.MaxCallDuration] long, torn down when no ACK arrives
// within [Config.AckTimeout]. Close stops every listener, call and media
// goroutine and waits for them.
package sim
