// Package sipcheck probes SIP edges of an OCS 2007 R2 / Lync / Exchange UM
// deployment: OPTIONS over UDP, TCP and TLS, INVITE dialogs carrying each kind
// of SDP security offer, and the SRTP media exchange that proves the answered
// keys work. [ProbeEndpoint] runs every check against one [Target] and returns
// a [Result] holding the facts, the [matrix.Observation] and the findings; it
// is what `voipsec probe` and `voipsec check` call for each endpoint.
//
// # Targets
//
// [ParseTarget] accepts host:port, [IPv6]:port, sip: and sips: URIs with
// ;transport=udp|tcp|tls; a bad target is a [*TargetError] naming it.
// Without an explicit transport, port 5061 (and the Lync TLS ports 5067 and
// 5070) means TLS; any other port means UDP, with TCP tried as well so that
// a cleartext listener is noticed. Names resolve to A and AAAA records
// ([Target.Resolve]); the first address (IPv4 first) is probed.
//
// # What a probe does
//
//  1. TLS targets: [tlsprobe.Probe] (certificates, mutual TLS, versions and
//     suites with Config.Enumerate). An edge that refuses clients without a
//     certificate when none is configured stops here, with a hint.
//  2. OPTIONS: status, Server/User-Agent, Allow, Supported, round-trip time
//     (UDP retransmits per RFC 3261 Timer E).
//  3. One INVITE dialog per [Offer] (srtpcheck builds them), one at a time by
//     default (Config.OfferConcurrency): each is cleaned up — ACK then BYE
//     after a 2xx, CANCEL when still ringing at the deadline. In-dialog
//     requests go to the address the INVITE went to, never to a Contact
//     elsewhere. A 3xx (Exchange UM call router) is followed to its Contact
//     and that worker is probed as [Result.Redirect].
//  4. Media for every accepted SRTP or DTLS-SRTP answer, for
//     Config.MediaDuration, authenticated with the answered key (MKI
//     honoured): packets sent, received, authenticated, failed, echoed.
//  5. The effective encryption level from which offers were accepted
//     (plain and SRTP: optional; SRTP only: required; plain only: rejected),
//     with the dialogs as evidence.
//
// # Findings
//
// SIP-NO-RESPONSE, SIP-OPTIONS-STATUS, SIP-CLEARTEXT-ACCEPTED (cleartext SIP
// where Config.Declared or Config.ExpectTLS says TLS), SRTP-NOT-SUPPORTED,
// SRTP-NOT-REQUIRED, SRTP-WEAK-SUITE (the edge picks _32 though _80 was
// offered), SRTP-MEDIA-AUTH-FAILED, SRTP-NO-MEDIA (including a peer that only
// echoes our packets), SDES-OVER-CLEARTEXT, SDP-ANSWER-MALFORMED (an
// accepted answer whose SDP does not parse), DTLS-FINGERPRINT-MISMATCH, the
// tlsprobe findings for TLS targets, and [matrix.Compare]'s UM-* findings
// for the declared policy. Each check appears once per target, passing ones
// included, with the offers behind it as evidence. [SharedAddress] decides
// EDGE-SHARED-ADDRESS for a Mediation Server's two edges.
//
// # Errors
//
// Every failure of sipgo, the network or TLS is classified once, by
// [StatusOf], into a stable [Status] string that reports and JSON carry.
// Peers that send garbage, nothing, huge or lying messages end in findings
// within Config.Timeout; nothing a peer sends makes a probe panic or hang.
//
// # Concurrency
//
// ProbeEndpoint is safe to call from many goroutines: each probe has its
// own sipgo user agent, transport and transaction layers, and sockets, all
// released when it returns.
package sipcheck
