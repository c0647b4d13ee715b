// Package tlsprobe probes the TLS and mutual-TLS posture of a SIP edge: the
// handshake, the certificate chain, whether the server requests, requires and
// accepts client certificates, and the protocol versions and cipher suites
// it accepts. SIP itself is package sipcheck's to judge.
//
// # Observe, then judge
//
// [Probe] only observes. It returns a [Result] of facts (handshakes, chain,
// verification, MTLS behaviour, versions and suites) and, in [Result.Steps],
// what became of each step: completed, failed with a classified [Status],
// cut off by the caller's context ("interrupted"), or not run. [Judge], a
// pure function with no I/O and no clock, turns those facts and an [Expect]
// into findings:
//
//	res := tlsprobe.Probe(ctx, "med01.contoso.com:5061", tlsprobe.Config{
//		ClientCert: &cert, RootCAs: pool, Enumerate: true,
//	})
//	exp := matrix.RoleMediationInternal.Expect() // the role table decides
//	findings := tlsprobe.Judge(res, tlsprobe.Expect{
//		MutualTLS: exp.MutualTLS, ClientAuthEKU: exp.ClientAuthEKU, Why: exp.Why,
//		MinVersion: tls.VersionTLS12, // a plan's min_tls; 0: deprecated versions warn
//		WarnDays:   tlsprobe.DefaultWarnDays, Now: time.Now(),
//	})
//
// Judge gives one finding per check per target, passing ones included (JUnit
// lists them). Where the facts do not decide a check it says so with an
// inconclusive finding, a reason and a hint, never a pass or a failure: the
// run was interrupted, no TLS exchange took place (the name does not
// resolve, the TCP connection was refused or could not be opened) or the
// server did not answer within the step timeout, a handshake failed on this
// side, no handshake got that far, no client certificate was offered to a
// mutual-TLS edge, an enumeration that was asked for did not finish, or a
// certificate after the leaf did not parse (the chain checks then decide
// only from the certificates before it). A check that did not run or does
// not apply is left out: the expiring horizon is 0; the server never asked
// for the client certificate; --enumerate was not asked, so TLS-VERSION-WEAK
// and TLS-CIPHER-WEAK are reported only when the negotiated session itself
// is weak (a plain probe is not undecided about versions it did not try).
//
// [Probe] never panics; a panic inside is recovered into
// [Result.InternalError]. Every network operation has a deadline derived
// from the caller's context and [Config.Timeout].
//
// # Checks
//
// TLS-HANDSHAKE-FAILED, TLS-CERT-UNTRUSTED, TLS-CERT-EXPIRED,
// TLS-CERT-EXPIRING, TLS-CERT-NAME-MISMATCH (RFC 5922: SAN only, no CN, no
// wildcards), TLS-CERT-EKU, TLS-CERT-WEAK-KEY, TLS-CERT-WEAK-SIGNATURE,
// MTLS-NOT-REQUESTED, MTLS-NOT-REQUIRED, MTLS-CLIENT-CERT-REJECTED,
// TLS-VERSION-WEAK, TLS-CIPHER-WEAK, TLS-NO-FORWARD-SECRECY (over every
// accepted suite with [Config.Enumerate]; without it a forward-secret
// negotiated suite passes it, and a static one leaves it inconclusive: one
// session shows what the server prefers, not everything it accepts).
//
// # Old servers
//
// [ClientConfig] is the TLS client configuration of a SIP leg, and the one
// the probe's own handshakes use: TLS 1.0 to 1.3, every suite Go implements
// but RC4 (static-RSA key exchange and CBC included, which Windows Server
// 2003 and 2008 still negotiate), no verification (tlsprobe judges the
// chain), and SNI only for DNS names. The probe reports weakness; the SIP
// leg must not refuse it.
//
// # Mutual TLS and TLS 1.3
//
// In TLS 1.3 the client's Certificate travels after the server's Finished,
// so a client handshake "succeeds" before the server has judged the
// certificate. Probe therefore sends a SIP OPTIONS on every TLS 1.3
// connection on which the server requested a certificate, and reads, for
// a timeout of its own: an alert (certificate_required, bad_certificate,
// unknown_ca, ...) or a close means rejection, an answer (a SIP response,
// or anything else on the kept connection) acceptance. Silence until the
// timeout is no answer: the verdict stays undetermined, and so it does when
// the caller's context ends first (the connection the probe closed itself
// is not the server's answer).
//
// # Enumeration
//
// Go's crypto/tls cannot offer SSL 3.0, RC4-with-SSL3, EXPORT, NULL or
// anonymous suites, so enumeration writes ClientHello bytes itself and reads
// the answer with the zero-allocation parser in package tlswire. For each
// version it offers every known suite ([tlswire.CipherSuites]), records the
// one the server picks, removes it and offers again: the picks are the
// accepted suites in server preference order. Only the server's refusal (an
// alert, a ServerHello of another version or suite, a close after the hello)
// ends a version as finished; a hello unanswered within the timeout leaves
// it incomplete ([Version.Incomplete]), and the checks it could change
// inconclusive. Versions run concurrently, bounded by [Config.Concurrency].
// It runs whenever the port answers a ClientHello at all, also when
// crypto/tls could not complete a handshake (an SSL 3.0-only or RC4-only
// server), and then reads the certificate and CertificateRequest from a raw
// handshake ([Result.ChainFrom]).
//
// # JSON
//
// [Result] is the structured TLS section of `voipsec probe --format json`:
// handshake (version, suite), chain (subject, issuer, SANs, EKUs, validity,
// key, signature), verification, mtls (certificate_requested, ca_names,
// accepted_without_client_cert, client_cert_accepted and the alerts),
// and versions (accepted, suites in server preference order). Optional parts
// are omitted when the check did not run.
// Abbreviated, for a mutual-TLS edge (the findings are [Judge]'s, listed
// next to the facts by the commands):
//
//	{"target": "tls://med01.contoso.com:5061", "addr": "med01.contoso.com:5061",
//	 "server_name": "med01.contoso.com", "status": "ok",
//	 "steps": {"handshake": {"status": "ok"}, "client_cert": {"status": "ok"},
//	   "enumeration": {"status": "ok"}},
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
//	 "enumeration_ms": 4.1}
//
// Status (and [Status]) is one of ok, connection-refused, timeout, alert,
// not-tls, closed, dns-error, interrupted, not-run, error. A step that the
// caller's context cut off is "interrupted", and the result says
// "interrupted": true. A failed handshake step says in "phase" whether it
// stopped while connecting or in the TLS handshake.
package tlsprobe
