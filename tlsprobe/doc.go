// Package tlsprobe probes the TLS and mutual-TLS posture of a SIP edge: the
// handshake, the certificate chain, whether the server requests, requires and
// accepts client certificates, the protocol versions and cipher suites it
// accepts, and whether it answers SIP OPTIONS over the connection.
//
//	res := tlsprobe.Probe(ctx, "med01.contoso.com:5061", tlsprobe.Config{
//		ClientCert: &cert, RootCAs: pool, Enumerate: true, SIPOptions: true,
//	})
//	report.Sort(res.Findings)
//
// [Probe] never panics and returns one [Result]: JSON-tagged facts plus the
// findings of every check that ran (passing ones included, so JUnit lists
// them). Every network operation has a deadline derived from the caller's
// context and [Config.Timeout].
//
// # Checks
//
// TLS-HANDSHAKE-FAILED, TLS-CERT-UNTRUSTED, TLS-CERT-EXPIRED,
// TLS-CERT-EXPIRING, TLS-CERT-NAME-MISMATCH (RFC 5922: SAN only, no CN, no
// wildcards), TLS-CERT-EKU, TLS-CERT-WEAK-KEY, TLS-CERT-WEAK-SIGNATURE,
// MTLS-NOT-REQUESTED, MTLS-NOT-REQUIRED, MTLS-CLIENT-CERT-REJECTED,
// TLS-VERSION-WEAK, TLS-CIPHER-WEAK (with [Config.Enumerate]), SIP-NO-RESPONSE
// and SIP-OPTIONS-STATUS (with [Config.SIPOptions]).
//
// # Mutual TLS and TLS 1.3
//
// In TLS 1.3 the client's Certificate travels after the server's Finished,
// so a client handshake "succeeds" before the server has judged the
// certificate. Probe therefore sends a SIP OPTIONS on every TLS 1.3
// connection and reads: an alert (certificate_required, bad_certificate,
// unknown_ca, ...) means rejection, a SIP response means acceptance.
//
// # Enumeration
//
// Go's crypto/tls cannot offer SSL 3.0, RC4-with-SSL3, EXPORT, NULL or
// anonymous suites, so enumeration writes ClientHello bytes itself and reads
// the answer with the zero-allocation parser in package inspect. For each
// version it offers every known suite ([CipherSuites]), records the one the
// server picks, removes it and offers again: the picks are the accepted
// suites in server preference order. Versions run concurrently, bounded by
// [Config.Concurrency].
//
// # JSON
//
// [Result] is the structured TLS section of `voipsec probe --format json`:
// handshake (version, suite), chain (subject, issuer, SANs, EKUs, validity,
// key, signature), verification, mtls (certificate_requested, ca_names,
// accepted_without_client_cert, client_cert_accepted and the alerts),
// versions (accepted, suites in server preference order) and sip (status,
// server, rtt_ms). Optional parts are omitted when the check did not run.
package tlsprobe
