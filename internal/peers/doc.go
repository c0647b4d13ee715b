// Package peers starts the real third-party SIP peers voipsec's interop
// tests run against, on loopback, bounded in time and stopped by PID when
// the test ends: Kamailio (a proxy with its TLS module) and baresip (a user
// agent that answers calls with real SRTP).
//
// Each starter takes a [TB] (any testing.TB), skips or fails through
// [github.com/voipsec/voipsec/internal/interop] when the peer is not
// installed (a failure under VOIPSEC_INTEROP=1), and registers its own
// cleanup. Nothing here imports package testing.
//
// # Peers
//
//   - [StartBaresip]: baresip answering every call automatically as one
//     user, with a given mediaenc (none, srtp, srtp-mand, dtls_srtp); its
//     SIP address takes UDP and TCP.
//   - [StartKamailio]: Kamailio with a TLS listener (mutual TLS or not, a
//     protocol version and an OpenSSL cipher list), a UDP listener, and a
//     request route that answers OPTIONS itself and relays every INVITE to
//     one destination over UDP (or answers it with a fixed status).
//   - [StartMediationInternal]: Kamailio requiring mutual TLS, as the
//     Mediation Server internal edge, relaying to baresip in srtp-mand mode:
//     a TLS edge with real authenticated SRTP behind it.
//
// # Example
//
//	pki := testpki.NewT(t)
//	edge := peers.StartMediationInternal(t, pki)
//	// probe edge.Kamailio.TLSAddr with pki.Client, calling edge.Baresip.User
package peers
