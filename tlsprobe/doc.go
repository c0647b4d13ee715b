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
// connection on which the server requested a certificate, and reads: an
// alert (certificate_required, bad_certificate, unknown_ca, ...) means
// rejection, a SIP response (or silence until the timeout) acceptance.
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
// Abbreviated, for a mutual-TLS edge:
//
//	{"target": "tls://med01.contoso.com:5061", "addr": "med01.contoso.com:5061",
//	 "server_name": "med01.contoso.com", "status": "ok",
//	 "handshake": {"version": "TLS 1.2", "version_id": 771,
//	   "cipher_suite": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "cipher_suite_id": 49200, "client_cert": true},
//	 "chain": [{"subject": "CN=med01.contoso.com", "issuer": "CN=Contoso CA", "serial": "1f...",
//	   "dns_names": ["med01.contoso.com"], "ekus": ["serverAuth", "clientAuth"],
//	   "not_before": "...", "not_after": "...", "key_type": "RSA", "key_bits": 2048,
//	   "signature_algorithm": "SHA256-RSA", "self_signed": false, "sha256": "53D6..."}],
//	 "verification": {"trusted": true, "name_matches": true, "in_order": true},
//	 "mtls": {"certificate_requested": true, "ca_names": ["CN=Contoso CA"],
//	   "accepted_without_client_cert": false, "without_client_cert_alert": "handshake failure",
//	   "client_cert_accepted": true, "evidence": ["without client certificate: alert during handshake", "..."]},
//	 "versions": [{"version": "TLS 1.0", "id": 769, "accepted": false, "error": "ClientHello: server sent TLS alert protocol_version"},
//	   {"version": "TLS 1.2", "id": 771, "accepted": true, "suites": [{"id": 49200, "name": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
//	     {"id": 10, "name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "insecure": true, "weakness": "3DES"}]}],
//	 "sip": {"status": 200, "reason": "OK", "server": "RTCC/3.5.0.0", "rtt_ms": 1.7},
//	 "enumeration_ms": 4.1,
//	 "findings": [{"check": "MTLS-NOT-REQUIRED", "severity": "pass", ...}, ...]}
//
// Status (and [Status]) is one of ok, connection-refused, timeout, alert,
// not-tls, closed, dns-error, canceled, error.
package tlsprobe
