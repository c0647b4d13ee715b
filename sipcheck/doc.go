// Package sipcheck probes SIP edges of an OCS 2007 R2 / Lync / Exchange UM
// deployment: OPTIONS over UDP, TCP and TLS, INVITE dialogs carrying each kind
// of SDP security offer, and the SRTP media exchange that proves the answered
// keys work. [ProbeEndpoint] runs every check against one [Target] and returns
// a [Result] holding the facts, the [matrix.Observation] and the findings.
//
// # Targets
//
// [ParseTarget] accepts host:port, [IPv6]:port, sip: and sips: URIs with
// ;transport=udp|tcp|tls. Without an explicit transport, port 5061 (and the
// Lync TLS ports 5067 and 5070) means TLS; any other port means UDP, with TCP
// tried as well so that a cleartext listener is noticed.
//
// # Dialogs
//
// Every INVITE runs in its own dialog and is always cleaned up: a final 2xx
// is acknowledged and ended with BYE; an INVITE still ringing when the probe
// gives up is CANCELled. A 302 from an Exchange UM call router is followed to
// the Contact (the worker port), and the checks run there too.
//
// # Errors
//
// Every failure of sipgo, the network or TLS is classified once, by
// [StatusOf], into a stable [Status] string that reports and JSON carry.
package sipcheck
