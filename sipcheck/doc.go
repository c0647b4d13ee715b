// Package sipcheck probes SIP edges of an OCS 2007 R2 / Lync / Exchange UM
// deployment: OPTIONS over UDP, TCP and TLS, INVITE dialogs carrying each kind
// of SDP security offer, and the SRTP media exchange that proves the answered
// keys work. It observes first and judges after:
//
//	res := sipcheck.ProbeEndpoint(ctx, target, cfg)        // facts only
//	if err := res.Err(); err != nil { ... }                // not probed: an operational error
//	findings := sipcheck.Judge(res, sipcheck.Expect{       // pure: no I/O, no clock
//		Role: matrix.RoleMediationInternal.Expect(), Declared: declared,
//	})
//
// [ProbeEndpoint] records typed facts in a [Result] and judges nothing;
// [Judge] turns them and an [Expect] (the role's [matrix.Expectations], the
// declared policy, the TLS and media-port expectations) into findings. It is
// what `voipsec probe` and `voipsec check` call for each endpoint.
//
// # Targets
//
// [ParseTarget] accepts host:port, [IPv6]:port, sip: and sips: URIs with
// ;transport=udp|tcp|tls; a bad target is a [*TargetError] naming it.
// Without an explicit transport, port 5061 (and the Lync TLS ports 5067 and
// 5070) means TLS; any other port means UDP, with TCP tried as well so that
// a cleartext listener is noticed, and a port that answers neither but
// speaks TLS is probed over TLS. Names resolve to A and AAAA records
// ([Target.Resolve]); the first address (IPv4 first) is probed.
//
// # Whom a probe calls
//
// Config.To names the number or user to call: a user part (+14255550100,
// uas) or a SIP URI ([ParseTo]); the target URI's user part does too.
// Without either, calls go to [DefaultUser], which no edge routes: the
// probe never calls a number the user did not give, and a routing server's
// 404 then becomes an inconclusive result whose hint asks for --to. A bad
// From or To is an error ([Config.Validate], [*URIError]), never replaced.
//
// # What a probe observes
//
//  1. Resolution; a name that does not resolve ends the probe
//     ([Result.NotProbed], [Result.Err]).
//  2. TLS targets: [tlsprobe.Probe] (certificates, mutual TLS, versions and
//     suites with Config.Enumerate). With Config.TLSOnly the probe stops
//     here. An edge that refuses clients without a certificate when none is
//     configured stops here too (Result.NeedsClientCert). The SIP leg then
//     speaks TLS 1.0 to 1.3 with every suite Go implements, static RSA and
//     CBC included, so it reaches what OCS 2007 R2 and Exchange 2007 speak.
//  3. OPTIONS: status, Server/User-Agent, Allow, Supported, round-trip time
//     (UDP retransmits per RFC 3261 Timer E). Nothing accepting a
//     connection on any transport ends the probe as not probed; silence
//     does not (some edges answer INVITE only).
//  4. One INVITE dialog per [Offer] (srtpcheck builds them), one at a time by
//     default (Config.OfferConcurrency): each records whether it was sent,
//     its final status with the Warning, Reason and Microsoft
//     ms-diagnostics headers, the analysed answer, and is cleaned up — ACK
//     then BYE after a 2xx, CANCEL when still ringing at the deadline.
//     In-dialog requests go to the address the INVITE went to, never to a
//     Contact elsewhere.
//  5. Media for every accepted SRTP or DTLS-SRTP answer, for
//     Config.MediaDuration, authenticated with the answered key (MKI
//     honoured): packets sent, received, authenticated, failed, echoed,
//     and whether the DTLS handshake completed. Media that did not run —
//     disabled (Result.MediaDisabled), interrupted, an answer with no
//     address to send to, a failure of this host — is recorded as not
//     run (MediaResult.Ran) and decides no media check: SRTP-NO-MEDIA
//     is not reported, SRTP-MEDIA-AUTH-FAILED and
//     DTLS-FINGERPRINT-MISMATCH are inconclusive, with the reason.
//  6. A 3xx is followed as below, and its target probed as Result.Redirect.
//
// A probe the caller's context cuts short says where in Result.Interrupted;
// its unfinished offers are marked interrupted, its unsent ones not sent.
// Config.Progress reports each [Step] as it starts and, with Step.Done and
// its outcome in words, as it ends.
//
// # What an answer says
//
// Only some final answers are evidence about media security ([OfferClass],
// domain.md §6.1): a 2xx with a usable SDP answer (evaluate it) and a
// 488/606 media refusal. A 3xx is followed. Everything else — 401/407
// (authentication), 403 (the probing host is not a trusted peer or UM IP
// gateway), 404/484/604 (the number does not route), 408, 480/486/600/603
// (busy, unavailable, declined), 5xx, no answer, a transport error, an
// interruption, an internal error (a bug in voipsec, recovered) — leaves
// the offer unevaluated, and the checks it would have decided
// inconclusive, with a hint for the class. When every offer is
// refused with 488/606, the plain one included, the edge takes none of the
// offered codecs or profiles: a mismatch, not an SRTP verdict. Likewise
// 488/606 to every SRTP offer says SRTP is refused only beside an accepted
// plain offer; without one (not sent, or not evaluated) SRTP-NOT-SUPPORTED
// is inconclusive. A 2xx that declines SRTP decides on its own.
//
// The effective encryption level ([Effective]) comes from evaluated offers
// only: SRTP accepted and plain refused → required; both accepted →
// optional; every SRTP offer refused and plain accepted → rejected; anything
// else unknown, with the reason. What an offer asks for and whether an
// answer keys SRTP is decided by [matrix.MediaLine] and
// [matrix.SRTPNegotiated], as `voipsec inspect` decides it for captures.
//
// # Redirects
//
// A 3xx (Exchange UM call router → worker) is followed only to the same host
// (by name, or an address in common) or to a host in Config.RedirectHosts,
// at most two deep, never back to a target already probed. The redirect
// target is probed with its own identity: Config.ServerName is kept only
// for the same host name. A redirect to another host, a loop, a chain too
// long or an unusable Contact is recorded ([Redirection]) and reported as
// SIP-REDIRECT-NOT-FOLLOWED with the Contact as evidence; the media checks
// it leaves undecided are inconclusive.
//
// # Findings
//
// [Judge] gives one finding per check per target, passing ones included,
// and leaves out checks that do not apply: SIP-NO-RESPONSE,
// SIP-OPTIONS-STATUS (including OPTIONS unanswered while INVITE is answered:
// OCS uses OPTIONS as the gateway keep-alive), SIP-CLEARTEXT-ACCEPTED and
// GW-NO-TLS (where the role or the declared level says TLS;
// SIP-CLEARTEXT-ACCEPTED only where cleartext was tried, and passing only
// when it was refused: TLS on one port says nothing of another),
// SIP-REDIRECT-NOT-FOLLOWED, SRTP-NOT-SUPPORTED, SRTP-NOT-REQUIRED (where
// the role or the declared level says SRTP), SRTP-WEAK-SUITE,
// SRTP-MEDIA-AUTH-FAILED, SRTP-NO-MEDIA (including a peer that only echoes
// our packets), SDES-OVER-CLEARTEXT, SDP-ANSWER-MALFORMED,
// DTLS-FINGERPRINT-MISMATCH, MEDIA-PORT-OUT-OF-RANGE (Expect.MediaPorts),
// the TLS findings for TLS targets, and [matrix.Compare]'s UM-* findings for
// the declared policy. A target that could not be probed gets none: it is
// an operational error ([Result.Err]). [SharedAddress] decides
// EDGE-SHARED-ADDRESS for a Mediation Server's two edges.
//
// # Errors
//
// Every failure of sipgo, the network or TLS is classified once, by
// [StatusOf], into a stable [Status] string that reports and JSON carry, and
// put into words without the library's own text. Peers that send garbage,
// nothing, huge or lying messages end in findings within Config.Timeout;
// nothing a peer sends makes a probe panic or hang.
//
// # Concurrency
//
// ProbeEndpoint is safe to call from many goroutines: each probe has its
// own sipgo user agent, transport and transaction layers, and sockets, all
// released when it returns.
package sipcheck
