package tlsprobe

import (
	"crypto/tls"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// The judge's clock: every Result below is judged at this moment.
var judgeNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func yes() *bool { t := true; return &t }
func no() *bool  { f := false; return &f }

// cert is a healthy certificate of the facts' chain.
func cert(subject string) Certificate {
	return Certificate{Subject: subject, Issuer: "CN=Contoso CA", NotBefore: judgeNow.AddDate(-1, 0, 0), NotAfter: judgeNow.AddDate(1, 0, 0),
		KeyType: "RSA", KeyBits: 2048, SignatureAlgorithm: "SHA256-RSA", EKUs: []string{"serverAuth", "clientAuth"},
		DNSNames: []string{"med01.contoso.com"}}
}

// suites lists accepted suites by ID, with the table's weakness.
func suites(ids ...uint16) []Suite {
	var out []Suite
	for _, id := range ids {
		s := Suite{ID: id, Name: tlswire.CipherSuiteName(id)}
		if cs := tlswire.LookupCipherSuite(id); cs != nil {
			s.Insecure, s.Weakness = cs.Insecure, cs.Weakness
		}
		out = append(out, s)
	}
	return out
}

// enumeration is a finished enumeration: accepted maps versions to their
// suites; every other version was refused.
func enumeration(accepted map[uint16][]Suite) []Version {
	var out []Version
	for _, v := range enumVersions {
		ver := Version{ID: v, Version: tlswire.VersionName(v)}
		if s, ok := accepted[v]; ok {
			ver.Accepted, ver.Suites = true, s
		} else {
			ver.Error = "ClientHello: server sent TLS alert protocol_version"
		}
		out = append(out, ver)
	}
	return out
}

// healthy is the facts of a healthy mutual-TLS edge probed with a client
// certificate, TLS 1.3, no enumeration, no SIP.
func healthy() *Result {
	ok := Step{Status: StatusOK}
	return &Result{Target: "tls://med01.contoso.com:5061", Addr: "med01.contoso.com:5061", ServerName: "med01.contoso.com",
		Status: StatusOK, Steps: Steps{Handshake: ok, ClientCert: &Step{Status: StatusOK}},
		Handshake: &Handshake{Version: "TLS 1.3", VersionID: tls.VersionTLS13, CipherSuite: "TLS_AES_128_GCM_SHA256",
			CipherSuiteID: tls.TLS_AES_128_GCM_SHA256, ClientCert: true},
		Chain: []Certificate{cert("CN=med01.contoso.com")}, ChainFrom: "handshake",
		Verify: &Verification{Trusted: true, NameMatches: true, InOrder: true},
		MTLS: &MTLS{CertificateRequested: true, CANames: []string{"CN=Contoso CA"}, AcceptedWithoutClientCert: no(),
			WithoutClientCertAlert: "certificate required", ClientCertAccepted: yes(), ClientCertSubject: "CN=ocs01.contoso.com",
			Evidence: []string{"without client certificate: alert after handshake", "with client certificate: SIP response received"}},
	}
}

// failed is the facts of a probe whose first handshake ended with status:
// nothing after it ran.
func failed(st Status, msg string) func() *Result {
	return func() *Result {
		return &Result{Target: "tls://med01.contoso.com:5061", ServerName: "med01.contoso.com", Status: st, Error: msg,
			Steps: Steps{Handshake: Step{Status: st, Error: "handshake without a client certificate: " + msg},
				ClientCert: &Step{Status: StatusNotRun, Error: "not run: the handshake without a client certificate failed (" + string(st) + ")"}}}
	}
}

// inPhase sets the phase the failed first handshake stopped in.
func inPhase(ph Phase, f func() *Result) func() *Result {
	return func() *Result {
		r := f()
		r.Steps.Handshake.Phase = ph
		return r
	}
}

// with returns a copy of healthy() changed by f.
func with(f func(r *Result)) func() *Result {
	return func() *Result {
		r := healthy()
		f(r)
		return r
	}
}

// tls10RSA is an OCS 2007 R2-era edge: TLS 1.0 only, static RSA, CBC.
func tls10RSA(r *Result) {
	r.Handshake = &Handshake{Version: "TLS 1.0", VersionID: tls.VersionTLS10, CipherSuite: "TLS_RSA_WITH_AES_128_CBC_SHA",
		CipherSuiteID: tls.TLS_RSA_WITH_AES_128_CBC_SHA, ClientCert: true}
}

// partialChain: the certificate after the leaf did not parse; the chain
// holds the leaf alone.
func partialChain(r *Result) {
	r.Verify.ParseError = "certificate #1 does not parse (malformed tbs certificate)"
	r.Verify.Trusted, r.Verify.TrustError = false, r.Verify.ParseError
}

func enumerated(accepted map[uint16][]Suite) func(r *Result) {
	return func(r *Result) {
		r.Steps.Enumeration = &Step{Status: StatusOK}
		r.Versions = enumeration(accepted)
	}
}

// all applies fs in order.
func all(fs ...func(r *Result)) func(r *Result) {
	return func(r *Result) {
		for _, f := range fs {
			f(r)
		}
	}
}

type sev = report.Severity

const (
	pass = report.Pass
	info = report.Info
	warn = report.Warn
	fail = report.Fail
	cant = report.Inconclusive
)

var (
	mutual = Expect{MutualTLS: true, ClientAuthEKU: true, WarnDays: 30, Now: judgeNow, Why: "the internal edge is mutual TLS"}
	plain  = Expect{WarnDays: 30, Now: judgeNow}
)

func (e Expect) but(f func(e *Expect)) Expect { f(&e); return e }

// TestJudge holds facts against expectations for every outcome of every
// check Judge decides. want lists the checks a case is about (others are
// checked only for the invariants); absent lists checks that must not be
// reported; text, per check, words the summary, detail or hint must carry.
func TestJudge(t *testing.T) {
	allTLS := []string{"TLS-HANDSHAKE-FAILED", "TLS-CERT-UNTRUSTED", "TLS-CERT-EXPIRED", "TLS-CERT-EXPIRING",
		"TLS-CERT-NAME-MISMATCH", "TLS-CERT-EKU", "TLS-CERT-WEAK-KEY", "TLS-CERT-WEAK-SIGNATURE", "MTLS-NOT-REQUESTED",
		"MTLS-NOT-REQUIRED", "MTLS-CLIENT-CERT-REJECTED", "TLS-VERSION-WEAK", "TLS-CIPHER-WEAK", "TLS-NO-FORWARD-SECRECY"}
	every := func(s sev) map[string]sev {
		m := map[string]sev{}
		for _, id := range allTLS {
			m[id] = s
		}
		return m
	}
	omit := func(m map[string]sev, ids ...string) map[string]sev {
		for _, id := range ids {
			delete(m, id)
		}
		return m
	}
	merge := func(a, b map[string]sev) map[string]sev {
		out := map[string]sev{}
		for k, v := range a {
			out[k] = v
		}
		for k, v := range b {
			out[k] = v
		}
		return out
	}
	tls12 := suites(tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA)
	tls13 := suites(tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384)
	rsaCBC := suites(tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA)

	for _, c := range []struct {
		name   string
		facts  func() *Result
		expect Expect
		want   map[string]sev
		absent []string
		text   map[string]string
	}{
		// The handshake and what a failure leaves undecided.
		// Without --enumerate the version and suite checks did not run:
		// they are left out, not inconclusive (a plain probe would exit 3).
		{name: "healthy mutual-TLS edge", facts: healthy, expect: mutual,
			want:   omit(every(pass), "TLS-VERSION-WEAK", "TLS-CIPHER-WEAK"),
			absent: []string{"TLS-VERSION-WEAK", "TLS-CIPHER-WEAK"},
			text:   map[string]string{"TLS-NO-FORWARD-SECRECY": "negotiated"}},
		// No TLS exchange took place (refused, DNS, a failed or timed-out
		// connect) or the server did not answer in time: nothing about its
		// TLS is known, so TLS-HANDSHAKE-FAILED is inconclusive.
		{name: "refused", facts: failed(StatusRefused, "connection refused"), expect: mutual,
			want: every(cant),
			text: map[string]string{"TLS-HANDSHAKE-FAILED": "connection refused", "TLS-CERT-UNTRUSTED": "TLS-HANDSHAKE-FAILED"}},
		{name: "alert before client authentication", facts: failed(StatusAlert, "server sent TLS alert protocol version not supported"), expect: mutual,
			want: merge(every(cant), map[string]sev{"TLS-HANDSHAKE-FAILED": fail}), text: map[string]string{"TLS-HANDSHAKE-FAILED": "protocol version"}},
		{name: "plaintext answer", facts: failed(StatusNotTLS, `server did not answer with TLS, first bytes "SIP/2.0 400"`), expect: plain,
			want: map[string]sev{"TLS-HANDSHAKE-FAILED": fail, "TLS-CERT-UNTRUSTED": cant, "MTLS-NOT-REQUESTED": cant, "TLS-VERSION-WEAK": cant,
				"MTLS-CLIENT-CERT-REJECTED": cant}, // a certificate was configured: what the server makes of it is unknown
			text: map[string]string{"TLS-HANDSHAKE-FAILED": "SIP/2.0"}},
		{name: "timeout", facts: failed(StatusTimeout, "no answer before the timeout"), expect: mutual,
			want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "--step-timeout"}},
		{name: "TCP connect timeout", facts: inPhase(PhaseConnect, failed(StatusTimeout, "no answer before the timeout")), expect: mutual,
			want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "check the address"}},
		{name: "TCP connect failed otherwise", facts: inPhase(PhaseConnect, failed(StatusError, "the handshake failed: connect: network is unreachable")),
			expect: mutual, want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "check the address"}},
		{name: "closed", facts: failed(StatusClosed, "server closed the connection without an alert"), expect: mutual,
			want: merge(every(cant), map[string]sev{"TLS-HANDSHAKE-FAILED": fail})},
		{name: "dns", facts: failed(StatusDNS, "lookup med01.contoso.com: no such host"), expect: mutual,
			want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "check the address"}},
		{name: "crypto/tls refuses the server's answer", facts: inPhase(PhaseHandshake, failed(StatusError, "the handshake failed: server chose an unconfigured cipher suite")),
			expect: mutual, want: merge(every(cant), map[string]sev{"TLS-HANDSHAKE-FAILED": fail})},
		{name: "interrupted before the handshake", facts: func() *Result {
			r := failed(StatusInterrupted, "interrupted (context canceled)")()
			r.Steps.ClientCert.Status, r.Interrupted = StatusInterrupted, true
			return r
		}, expect: mutual, want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "interrupted", "MTLS-NOT-REQUIRED": "interrupted"}},
		{name: "internal error", facts: func() *Result {
			return &Result{Target: "tls://x:5061", Status: StatusError, InternalError: "tlsprobe: internal error: boom",
				Steps: Steps{ClientCert: &Step{}}}
		}, expect: mutual, want: every(cant), text: map[string]string{"TLS-HANDSHAKE-FAILED": "voipsec bug"}},
		{name: "rejected at client authentication, no certificate offered", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert certificate required")()
			r.Steps.ClientCert = nil
			r.Chain, r.Verify = []Certificate{cert("CN=med01.contoso.com")}, &Verification{Trusted: true, NameMatches: true, InOrder: true}
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no(), WithoutClientCertAlert: "certificate required"}
			return r
		}, expect: mutual,
			want: map[string]sev{"TLS-HANDSHAKE-FAILED": cant, "MTLS-NOT-REQUESTED": pass, "MTLS-NOT-REQUIRED": pass,
				"MTLS-CLIENT-CERT-REJECTED": cant, "TLS-CERT-UNTRUSTED": pass, "TLS-VERSION-WEAK": cant},
			text: map[string]string{"TLS-HANDSHAKE-FAILED": "--cert", "MTLS-CLIENT-CERT-REJECTED": "--cert"}},
		{name: "rejected at client authentication, no certificate, plain edge", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert certificate required")()
			r.Steps.ClientCert = nil
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no(), WithoutClientCertAlert: "certificate required"}
			return r
		}, expect: plain, want: map[string]sev{"TLS-HANDSHAKE-FAILED": cant, "MTLS-NOT-REQUIRED": pass}, absent: []string{"MTLS-CLIENT-CERT-REJECTED"}},
		{name: "client certificate rejected by alert (TLS 1.2)", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert handshake failure")()
			r.Steps.ClientCert = &Step{Status: StatusAlert, Error: "handshake with the client certificate: server sent TLS alert unknown certificate authority"}
			r.MTLS = &MTLS{CertificateRequested: true, CANames: []string{"CN=Other CA"}, AcceptedWithoutClientCert: no(),
				ClientCertAccepted: no(), ClientCertAlert: "unknown certificate authority", ClientCertSubject: "CN=ocs01"}
			return r
		}, expect: mutual, want: map[string]sev{"TLS-HANDSHAKE-FAILED": cant, "MTLS-CLIENT-CERT-REJECTED": fail, "MTLS-NOT-REQUIRED": pass},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "CN=Other CA"}},
		{name: "client certificate rejected after a TLS 1.3 handshake", facts: with(func(r *Result) {
			r.MTLS.ClientCertAccepted, r.MTLS.ClientCertAlert = no(), "bad certificate"
			r.MTLS.Evidence = []string{"with client certificate: alert after handshake"}
		}), expect: mutual, want: map[string]sev{"TLS-HANDSHAKE-FAILED": cant, "MTLS-CLIENT-CERT-REJECTED": fail, "TLS-NO-FORWARD-SECRECY": pass},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "alert after handshake"}},
		{name: "client certificate: connection closed after TLS 1.3 handshake", facts: with(func(r *Result) {
			r.MTLS.ClientCertAccepted = no()
		}), expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": fail}, text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "closed"}},
		{name: "client certificate verdict undetermined", facts: with(func(r *Result) {
			r.MTLS.ClientCertAccepted = nil
			r.MTLS.Evidence = []string{"with client certificate: undetermined: after the handshake: server closed"}
		}), expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": cant, "TLS-HANDSHAKE-FAILED": pass},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "--step-timeout"}},
		{name: "client certificate handshake interrupted", facts: with(func(r *Result) {
			r.MTLS.ClientCertAccepted = nil
			r.Steps.ClientCert = &Step{Status: StatusInterrupted, Error: "interrupted"}
			r.Interrupted = true
		}), expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": cant}, text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "interrupted"}},
		{name: "client certificate handshake failed otherwise after a request", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert handshake failure")()
			r.Steps.ClientCert = &Step{Status: StatusClosed, Error: "handshake with the client certificate: server closed the connection without an alert"}
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no()}
			return r
		}, expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": fail, "TLS-HANDSHAKE-FAILED": fail}},
		// Timed out, or failed on this side (the key cannot sign): no
		// verdict of the server's on the certificate.
		{name: "client certificate handshake timed out after a request", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert certificate required")()
			r.Steps.ClientCert = &Step{Status: StatusTimeout, Phase: PhaseHandshake, Error: "handshake with the client certificate: no answer before the timeout"}
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no()}
			return r
		}, expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": cant, "TLS-HANDSHAKE-FAILED": cant, "MTLS-NOT-REQUIRED": pass},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "--step-timeout", "TLS-HANDSHAKE-FAILED": "--step-timeout"}},
		{name: "client certificate handshake failed on this side", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert certificate required")()
			r.Steps.ClientCert = &Step{Status: StatusError, Phase: PhaseHandshake,
				Error: "handshake with the client certificate: the handshake failed: client certificate private key of type struct {} does not implement crypto.Signer"}
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no()}
			return r
		}, expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": cant, "TLS-HANDSHAKE-FAILED": cant},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "crypto.Signer", "TLS-HANDSHAKE-FAILED": "--key"}},
		{name: "client certificate handshake could not connect", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert certificate required")()
			r.Steps.ClientCert = &Step{Status: StatusRefused, Phase: PhaseConnect, Error: "handshake with the client certificate: connection refused"}
			r.MTLS = &MTLS{CertificateRequested: true, AcceptedWithoutClientCert: no()}
			return r
		}, expect: mutual, want: map[string]sev{"MTLS-CLIENT-CERT-REJECTED": cant, "TLS-HANDSHAKE-FAILED": cant},
			text: map[string]string{"MTLS-CLIENT-CERT-REJECTED": "check the address"}},
		{name: "only suites Go does not implement", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert handshake failure")()
			r.Steps.Enumeration = &Step{Status: StatusOK}
			r.Versions = enumeration(map[uint16][]Suite{tls.VersionTLS12: suites(0x009F)}) // DHE_RSA AES-256-GCM
			return r
		}, expect: mutual, want: map[string]sev{"TLS-HANDSHAKE-FAILED": cant, "TLS-NO-FORWARD-SECRECY": pass, "TLS-CIPHER-WEAK": pass},
			text: map[string]string{"TLS-HANDSHAKE-FAILED": "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"}},

		// MTLS: requested or not, required or not, by expectation.
		{name: "not requested, mutual TLS expected", facts: with(func(r *Result) {
			r.MTLS = &MTLS{AcceptedWithoutClientCert: yes(), Evidence: []string{"without client certificate: handshake completed"}}
			r.Handshake.ClientCert = false
		}), expect: mutual, want: map[string]sev{"MTLS-NOT-REQUESTED": fail, "MTLS-NOT-REQUIRED": fail},
			absent: []string{"MTLS-CLIENT-CERT-REJECTED"}, text: map[string]string{"MTLS-NOT-REQUESTED": "the internal edge is mutual TLS"}},
		{name: "not requested, plain edge", facts: with(func(r *Result) {
			r.MTLS = &MTLS{AcceptedWithoutClientCert: yes()}
			r.Steps.ClientCert = nil
		}), expect: plain, want: map[string]sev{"MTLS-NOT-REQUESTED": info, "MTLS-NOT-REQUIRED": info}, absent: []string{"MTLS-CLIENT-CERT-REJECTED"}},
		{name: "requested, not required, mutual TLS expected", facts: with(func(r *Result) { r.MTLS.AcceptedWithoutClientCert = yes() }),
			expect: mutual, want: map[string]sev{"MTLS-NOT-REQUESTED": pass, "MTLS-NOT-REQUIRED": fail, "MTLS-CLIENT-CERT-REJECTED": pass}},
		{name: "requested, not required, plain edge", facts: with(func(r *Result) { r.MTLS.AcceptedWithoutClientCert = yes() }),
			expect: plain, want: map[string]sev{"MTLS-NOT-REQUESTED": pass, "MTLS-NOT-REQUIRED": info, "MTLS-CLIENT-CERT-REJECTED": pass}},
		{name: "required verdict undetermined (TLS 1.3)", facts: with(func(r *Result) {
			r.MTLS.AcceptedWithoutClientCert = nil
			r.MTLS.Evidence = []string{"without client certificate: undetermined: after the handshake: reset"}
		}), expect: mutual, want: map[string]sev{"MTLS-NOT-REQUIRED": cant, "TLS-HANDSHAKE-FAILED": pass}, text: map[string]string{"MTLS-NOT-REQUIRED": "--step-timeout"}},
		{name: "required verdict interrupted (TLS 1.3)", facts: with(func(r *Result) {
			r.MTLS.AcceptedWithoutClientCert = nil
			r.MTLS.Evidence = []string{"without client certificate: undetermined: interrupted before the server's verdict on the certificate"}
			r.Interrupted = true
		}), expect: mutual, want: map[string]sev{"MTLS-NOT-REQUIRED": cant}, text: map[string]string{"MTLS-NOT-REQUIRED": "interrupted"}},
		{name: "request seen only in a raw handshake", facts: func() *Result {
			r := failed(StatusAlert, "server sent TLS alert handshake failure")()
			r.MTLS = &MTLS{CertificateRequested: true, Evidence: []string{"CertificateRequest facts read from a raw TLS 1.2 handshake"}}
			return r
		}, expect: mutual, want: map[string]sev{"MTLS-NOT-REQUESTED": pass, "MTLS-NOT-REQUIRED": cant}, text: map[string]string{"MTLS-NOT-REQUIRED": "TLS-HANDSHAKE-FAILED"}},
		{name: "certificate offered but never asked for", facts: with(func(r *Result) {
			r.MTLS = &MTLS{AcceptedWithoutClientCert: yes(), Evidence: []string{"with client certificate: not requested, so not sent"}}
		}), expect: mutual, want: map[string]sev{"MTLS-NOT-REQUESTED": fail}, absent: []string{"MTLS-CLIENT-CERT-REJECTED"}},

		// Certificates.
		{name: "untrusted", facts: with(func(r *Result) {
			r.Verify.Trusted, r.Verify.TrustError = false, "self-signed certificate not in the trusted roots: CN=med01"
		}), expect: mutual, want: map[string]sev{"TLS-CERT-UNTRUSTED": fail}, text: map[string]string{"TLS-CERT-UNTRUSTED": "self-signed"}},
		{name: "chain out of order", facts: with(func(r *Result) { r.Verify.InOrder = false }), expect: mutual,
			want: map[string]sev{"TLS-CERT-UNTRUSTED": warn}},
		{name: "certificate does not parse", facts: with(func(r *Result) {
			r.Chain, r.Verify = nil, &Verification{ParseError: "certificate #0 does not parse: x509: malformed"}
		}), expect: mutual, want: map[string]sev{"TLS-CERT-UNTRUSTED": fail, "TLS-CERT-EXPIRED": cant, "TLS-CERT-EKU": cant}},
		// A certificate after the leaf does not parse: the leaf decides the
		// name and the EKUs; what the rest of the chain holds is unknown.
		{name: "certificate after the leaf does not parse", facts: with(partialChain), expect: mutual,
			want: map[string]sev{"TLS-CERT-UNTRUSTED": fail, "TLS-CERT-NAME-MISMATCH": pass, "TLS-CERT-EKU": pass,
				"TLS-CERT-EXPIRED": cant, "TLS-CERT-EXPIRING": cant, "TLS-CERT-WEAK-KEY": cant, "TLS-CERT-WEAK-SIGNATURE": cant},
			text: map[string]string{"TLS-CERT-EXPIRED": "certificate #1", "TLS-CERT-WEAK-KEY": "certificate #1"}},
		{name: "certificate after the leaf does not parse, weak expired leaf", facts: with(all(partialChain, func(r *Result) {
			r.Chain[0].NotAfter, r.Chain[0].KeyBits, r.Chain[0].SignatureAlgorithm = judgeNow.Add(-time.Hour), 1024, "SHA1-RSA"
		})), expect: mutual, want: map[string]sev{"TLS-CERT-EXPIRED": fail, "TLS-CERT-WEAK-KEY": warn, "TLS-CERT-WEAK-SIGNATURE": warn},
			absent: []string{"TLS-CERT-EXPIRING"}},
		{name: "certificate after the leaf does not parse, expiring leaf", facts: with(all(partialChain, func(r *Result) {
			r.Chain[0].NotAfter = judgeNow.AddDate(0, 0, 10)
		})), expect: mutual, want: map[string]sev{"TLS-CERT-EXPIRED": cant, "TLS-CERT-EXPIRING": warn}},
		{name: "expired", facts: with(func(r *Result) { r.Chain[0].NotAfter = judgeNow.Add(-time.Hour) }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EXPIRED": fail}, absent: []string{"TLS-CERT-EXPIRING"}},
		{name: "not yet valid", facts: with(func(r *Result) { r.Chain[0].NotBefore = judgeNow.Add(time.Hour) }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EXPIRED": fail}, text: map[string]string{"TLS-CERT-EXPIRED": "not valid before"}},
		{name: "expiring", facts: with(func(r *Result) { r.Chain[0].NotAfter = judgeNow.AddDate(0, 0, 10) }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EXPIRED": pass, "TLS-CERT-EXPIRING": warn}, text: map[string]string{"TLS-CERT-EXPIRING": "10 days"}},
		{name: "expiring, WarnDays 0", facts: with(func(r *Result) { r.Chain[0].NotAfter = judgeNow.AddDate(0, 0, 10) }),
			expect: mutual.but(func(e *Expect) { e.WarnDays = 0 }), want: map[string]sev{"TLS-CERT-EXPIRED": pass}, absent: []string{"TLS-CERT-EXPIRING"}},
		{name: "expiring, intermediate first", facts: with(func(r *Result) {
			inter := cert("CN=Contoso Issuing CA")
			inter.NotAfter = judgeNow.AddDate(0, 0, 3)
			r.Chain = append(r.Chain, inter)
		}), expect: mutual, want: map[string]sev{"TLS-CERT-EXPIRING": warn}, text: map[string]string{"TLS-CERT-EXPIRING": "Contoso Issuing CA"}},
		{name: "no clock", facts: healthy, expect: mutual.but(func(e *Expect) { e.Now = time.Time{} }),
			want: map[string]sev{"TLS-CERT-EXPIRED": cant}, absent: []string{"TLS-CERT-EXPIRING"}},
		{name: "name mismatch", facts: with(func(r *Result) {
			r.Verify.NameMatches, r.Verify.NameError = false, "med01.contoso.com matches only a wildcard SAN"
		}), expect: mutual, want: map[string]sev{"TLS-CERT-NAME-MISMATCH": fail}, text: map[string]string{"TLS-CERT-NAME-MISMATCH": "wildcard"}},
		{name: "no clientAuth EKU, expected", facts: with(func(r *Result) { r.Chain[0].EKUs = []string{"serverAuth"} }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EKU": fail}, text: map[string]string{"TLS-CERT-EKU": "clientAuth"}},
		{name: "no clientAuth EKU, not expected", facts: with(func(r *Result) { r.Chain[0].EKUs = []string{"serverAuth"} }), expect: plain,
			want: map[string]sev{"TLS-CERT-EKU": pass}, text: map[string]string{"TLS-CERT-EKU": "not expected"}},
		{name: "no serverAuth EKU", facts: with(func(r *Result) { r.Chain[0].EKUs = []string{"clientAuth"} }), expect: plain,
			want: map[string]sev{"TLS-CERT-EKU": fail}, text: map[string]string{"TLS-CERT-EKU": "serverAuth"}},
		{name: "no EKU extension", facts: with(func(r *Result) { r.Chain[0].EKUs = nil }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EKU": pass}},
		{name: "anyExtendedKeyUsage", facts: with(func(r *Result) { r.Chain[0].EKUs = []string{"any"} }), expect: mutual,
			want: map[string]sev{"TLS-CERT-EKU": pass}},
		{name: "weak key", facts: with(func(r *Result) { r.Chain[0].KeyBits = 1024 }), expect: mutual,
			want: map[string]sev{"TLS-CERT-WEAK-KEY": warn}},
		{name: "weak EC key", facts: with(func(r *Result) { r.Chain[0].KeyType, r.Chain[0].KeyBits = "ECDSA", 224 }), expect: mutual,
			want: map[string]sev{"TLS-CERT-WEAK-KEY": warn}},
		{name: "weak signature", facts: with(func(r *Result) { r.Chain[0].SignatureAlgorithm = "SHA1-RSA" }), expect: mutual,
			want: map[string]sev{"TLS-CERT-WEAK-SIGNATURE": warn}},
		{name: "SHA-1 on a self-signed root is not weak", facts: with(func(r *Result) {
			root := cert("CN=Contoso CA")
			root.SignatureAlgorithm, root.SelfSigned = "SHA1-RSA", true
			r.Chain = append(r.Chain, root)
		}), expect: mutual, want: map[string]sev{"TLS-CERT-WEAK-SIGNATURE": pass}},

		// Versions, suites and forward secrecy.
		// One session negotiating TLS 1.0 shows that the server accepts it;
		// one session with static RSA does not show that no accepted suite
		// gives forward secrecy (the server may accept ECDHE and prefer
		// RSA): TLS-NO-FORWARD-SECRECY says what was seen, undecided.
		{name: "negotiated TLS 1.0 static RSA, not enumerated", facts: with(tls10RSA), expect: mutual,
			want: map[string]sev{"TLS-VERSION-WEAK": warn, "TLS-NO-FORWARD-SECRECY": cant}, absent: []string{"TLS-CIPHER-WEAK"},
			text: map[string]string{"TLS-VERSION-WEAK": "negotiated", "TLS-NO-FORWARD-SECRECY": "--enumerate"}},
		{name: "negotiated static RSA: what was seen", facts: with(tls10RSA), expect: mutual, want: map[string]sev{"TLS-NO-FORWARD-SECRECY": cant},
			text: map[string]string{"TLS-NO-FORWARD-SECRECY": "the server chose TLS_RSA_WITH_AES_128_CBC_SHA (static RSA key exchange) although the probe offered ECDHE suites"}},
		{name: "negotiated TLS 1.0, plan min_tls 1.2", facts: with(tls10RSA), expect: mutual.but(func(e *Expect) { e.MinVersion = tls.VersionTLS12 }),
			want: map[string]sev{"TLS-VERSION-WEAK": fail}, text: map[string]string{"TLS-VERSION-WEAK": "the plan requires TLS 1.2 or later"}},
		{name: "negotiated 3DES, not enumerated", facts: with(func(r *Result) {
			r.Handshake.VersionID, r.Handshake.Version = tls.VersionTLS12, "TLS 1.2"
			r.Handshake.CipherSuiteID, r.Handshake.CipherSuite = tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
		}), expect: mutual, want: map[string]sev{"TLS-CIPHER-WEAK": warn, "TLS-NO-FORWARD-SECRECY": cant}, absent: []string{"TLS-VERSION-WEAK"}},
		{name: "TLS 1.0-only static RSA, enumerated", facts: with(all(tls10RSA, enumerated(map[uint16][]Suite{tls.VersionTLS10: rsaCBC}))),
			expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": warn, "TLS-CIPHER-WEAK": pass, "TLS-NO-FORWARD-SECRECY": warn},
			text: map[string]string{"TLS-NO-FORWARD-SECRECY": "static RSA", "TLS-VERSION-WEAK": "TLS 1.0"}},
		{name: "SSL 3.0 only", facts: func() *Result {
			r := failed(StatusError, "tls: server selected unsupported protocol version 300")()
			r.Steps.Enumeration = &Step{Status: StatusOK}
			r.Versions = enumeration(map[uint16][]Suite{tlswire.VersionSSL30: suites(tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)})
			r.Chain, r.ChainFrom = []Certificate{cert("CN=med01.contoso.com")}, "raw SSL 3.0 handshake"
			r.Verify = &Verification{Trusted: true, NameMatches: true, InOrder: true}
			r.MTLS = &MTLS{}
			return r
		}, expect: mutual, want: map[string]sev{"TLS-HANDSHAKE-FAILED": fail, "TLS-VERSION-WEAK": warn, "TLS-CIPHER-WEAK": warn,
			"TLS-NO-FORWARD-SECRECY": warn, "TLS-CERT-UNTRUSTED": pass, "MTLS-NOT-REQUESTED": fail},
			text: map[string]string{"TLS-HANDSHAKE-FAILED": "only SSL 3.0", "TLS-VERSION-WEAK": "SSL 3.0"}},
		{name: "mixed versions, forward secrecy available", facts: with(enumerated(map[uint16][]Suite{
			tls.VersionTLS10: rsaCBC, tls.VersionTLS12: tls12, tls.VersionTLS13: tls13})), expect: mutual,
			want: map[string]sev{"TLS-VERSION-WEAK": warn, "TLS-CIPHER-WEAK": pass, "TLS-NO-FORWARD-SECRECY": pass},
			text: map[string]string{"TLS-NO-FORWARD-SECRECY": "every accepted suite"}},
		{name: "mixed versions, plan min_tls 1.2", facts: with(enumerated(map[uint16][]Suite{
			tls.VersionTLS10: rsaCBC, tls.VersionTLS11: rsaCBC, tls.VersionTLS12: tls12})),
			expect: mutual.but(func(e *Expect) { e.MinVersion = tls.VersionTLS12 }),
			want:   map[string]sev{"TLS-VERSION-WEAK": fail}, text: map[string]string{"TLS-VERSION-WEAK": "the edge accepts TLS 1.0, TLS 1.1"}},
		{name: "TLS 1.2 and 1.3, plan min_tls 1.2", facts: with(enumerated(map[uint16][]Suite{tls.VersionTLS12: tls12, tls.VersionTLS13: tls13})),
			expect: mutual.but(func(e *Expect) { e.MinVersion = tls.VersionTLS12 }),
			want:   map[string]sev{"TLS-VERSION-WEAK": pass}, text: map[string]string{"TLS-VERSION-WEAK": "as the plan requires"}},
		{name: "TLS 1.2 only with static RSA and ECDHE", facts: with(enumerated(map[uint16][]Suite{tls.VersionTLS12: tls12})), expect: mutual,
			want: map[string]sev{"TLS-VERSION-WEAK": pass, "TLS-NO-FORWARD-SECRECY": pass}},
		{name: "weak suites enumerated", facts: with(enumerated(map[uint16][]Suite{
			tls.VersionTLS12: suites(tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)})),
			expect: mutual, want: map[string]sev{"TLS-CIPHER-WEAK": warn}, text: map[string]string{"TLS-CIPHER-WEAK": "RC4"}},
		{name: "enumeration interrupted, nothing weak yet", facts: with(func(r *Result) {
			enumerated(map[uint16][]Suite{tls.VersionTLS12: tls12, tls.VersionTLS13: tls13})(r)
			r.Versions[1] = Version{ID: tls.VersionTLS10, Version: "TLS 1.0", Incomplete: true, Error: "interrupted before the server answered"}
			r.Steps.Enumeration.Status, r.Interrupted = StatusInterrupted, true
		}), expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": cant, "TLS-CIPHER-WEAK": cant, "TLS-NO-FORWARD-SECRECY": pass},
			text: map[string]string{"TLS-VERSION-WEAK": "TLS 1.0", "TLS-CIPHER-WEAK": "interrupted"}},
		{name: "enumeration interrupted after a weak version", facts: with(func(r *Result) {
			enumerated(map[uint16][]Suite{tls.VersionTLS10: rsaCBC})(r)
			r.Versions[3].Incomplete = true
			r.Steps.Enumeration.Status = StatusInterrupted
		}), expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": warn, "TLS-NO-FORWARD-SECRECY": cant},
			text: map[string]string{"TLS-VERSION-WEAK": "not enumerated to the end"}},
		{name: "enumeration: a later hello unanswered", facts: with(func(r *Result) {
			enumerated(map[uint16][]Suite{tls.VersionTLS12: suites(tls.TLS_RSA_WITH_AES_128_CBC_SHA)})(r)
			r.Versions[3].Incomplete, r.Versions[3].Error = true, "1 suites seen, then ClientHello: no answer before the timeout"
		}), expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": pass, "TLS-CIPHER-WEAK": cant, "TLS-NO-FORWARD-SECRECY": cant},
			text: map[string]string{"TLS-CIPHER-WEAK": "--step-timeout", "TLS-NO-FORWARD-SECRECY": "no answer before the timeout"}},
		{name: "enumeration: a first hello unanswered", facts: with(func(r *Result) {
			enumerated(map[uint16][]Suite{tls.VersionTLS12: tls12})(r)
			r.Versions[1].Incomplete, r.Versions[1].Error = true, "ClientHello: no answer before the timeout"
		}), expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": cant, "TLS-CIPHER-WEAK": cant, "TLS-NO-FORWARD-SECRECY": pass},
			text: map[string]string{"TLS-VERSION-WEAK": "TLS 1.0"}},
		{name: "enumeration interrupted before it ran", facts: with(func(r *Result) {
			r.Steps.Enumeration, r.Interrupted = &Step{Status: StatusInterrupted, Error: "not run: interrupted before it"}, true
		}), expect: mutual, want: map[string]sev{"TLS-VERSION-WEAK": cant, "TLS-CIPHER-WEAK": cant},
			text: map[string]string{"TLS-VERSION-WEAK": "interrupted"}},
		{name: "enumeration refused every hello", facts: with(enumerated(nil)), expect: mutual,
			want: map[string]sev{"TLS-VERSION-WEAK": cant, "TLS-CIPHER-WEAK": cant, "TLS-NO-FORWARD-SECRECY": pass},
			text: map[string]string{"TLS-VERSION-WEAK": "refused"}},
		{name: "suite of unknown key exchange", facts: with(enumerated(map[uint16][]Suite{tls.VersionTLS12: suites(0xFAFA)})), expect: mutual,
			want: map[string]sev{"TLS-NO-FORWARD-SECRECY": cant}},
		{name: "static DH and PSK only", facts: with(enumerated(map[uint16][]Suite{tls.VersionTLS12: suites(0x00A1, 0x00AF)})), expect: mutual,
			want: map[string]sev{"TLS-NO-FORWARD-SECRECY": warn}, text: map[string]string{"TLS-NO-FORWARD-SECRECY": "static DH"}},
		{name: "DHE only", facts: with(enumerated(map[uint16][]Suite{tls.VersionTLS12: suites(0x009F)})), expect: mutual,
			want: map[string]sev{"TLS-NO-FORWARD-SECRECY": pass}},

		// SIP is sipcheck's to judge: the OPTIONS the probe sends after a
		// TLS 1.3 handshake is evidence for the MTLS checks only.
		{name: "no SIP checks", facts: healthy, expect: mutual, absent: []string{"SIP-NO-RESPONSE", "SIP-OPTIONS-STATUS"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.facts()
			assertPure(t, r, c.expect)
			fs := Judge(r, c.expect)
			defer func() {
				if t.Failed() {
					dump(t, fs)
				}
			}()
			seen := map[string]bool{}
			for _, f := range fs {
				if seen[f.Check] {
					t.Errorf("%s reported twice", f.Check)
				}
				seen[f.Check] = true
				if f.Target != r.Target || f.Summary == "" {
					t.Errorf("%s: target %q summary %q", f.Check, f.Target, f.Summary)
				}
				if f.Severity == report.Inconclusive && f.Hint == "" {
					t.Errorf("%s inconclusive without a hint", f.Check)
				}
			}
			for id, want := range c.want {
				if f := finding(fs, id); f == nil || f.Severity != want {
					t.Errorf("%s: %+v, want %v", id, f, want)
				}
			}
			for _, id := range c.absent {
				if f := finding(fs, id); f != nil {
					t.Errorf("%s reported (%v %q), want it left out", id, f.Severity, f.Summary)
				}
			}
			for id, words := range c.text {
				if f := finding(fs, id); f == nil || !strings.Contains(f.Summary+" | "+f.Detail+" | "+f.Hint, words) {
					t.Errorf("%s does not say %q", id, words)
				}
			}
		})
	}
}

// TestJudgeIsPure: Judge reads nothing but its arguments; the same facts
// and expectations give the same findings, and the facts are not changed,
// down to the last certificate field and evidence string.
func TestJudgeIsPure(t *testing.T) {
	r := with(all(enumerated(map[uint16][]Suite{tls.VersionTLS10: suites(tls.TLS_RSA_WITH_AES_128_CBC_SHA),
		tls.VersionTLS12: suites(tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)}),
		func(r *Result) {
			inter := cert("CN=Contoso Issuing CA")
			inter.EKUs = []string{"clientAuth", "serverAuth"}
			r.Chain = append(r.Chain, inter)
		}))()
	assertPure(t, r, mutual)
	if Judge(nil, mutual) != nil {
		t.Error("Judge(nil) is not nil")
	}
}

// assertPure judges r twice against e and fails if the findings differ or
// r changed in any way (deep comparison with a copy taken before).
func assertPure(t *testing.T, r *Result, e Expect) {
	t.Helper()
	before := deepCopy(reflect.ValueOf(r)).Interface().(*Result)
	a, b := Judge(r, e), Judge(r, e)
	if !reflect.DeepEqual(a, b) {
		t.Error("two judgments of the same facts differ")
	}
	if !reflect.DeepEqual(r, before) {
		t.Errorf("Judge changed the facts:\n got %+v\nwant %+v", r, before)
	}
}

// deepCopy copies v, following pointers and slices, so that nothing the
// copy holds is shared with v. Unexported fields (time.Time's) are copied
// by value.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	}
	return v
}

// TestForwardSecret: the key exchange column of the suite table decides;
// TLS 1.3 always has forward secrecy.
func TestForwardSecret(t *testing.T) {
	for _, c := range []struct {
		v         uint16
		id        uint16
		fs, known bool
	}{
		{tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, true, true},
		{tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true, true},
		{tls.VersionTLS10, 0x0039, true, true}, // DHE_RSA_WITH_AES_256_CBC_SHA
		{tls.VersionTLS12, 0xC019, true, true}, // ECDH_anon: ephemeral, if insecure
		{tls.VersionTLS10, tls.TLS_RSA_WITH_AES_128_CBC_SHA, false, true},
		{tls.VersionTLS10, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, false, true},
		{tls.VersionTLS12, 0x00A1, false, true}, // DH_RSA: static DH
		{tls.VersionTLS12, 0xC00E, false, true}, // ECDH_RSA: static ECDH
		{tls.VersionTLS12, 0x00AF, false, true}, // PSK
		{tls.VersionTLS12, 0xFAFA, false, false},
	} {
		fs, known := ForwardSecret(c.v, c.id)
		if fs != c.fs || known != c.known {
			t.Errorf("%s %s: fs=%v known=%v, want %v %v", tlswire.VersionName(c.v), tlswire.CipherSuiteName(c.id), fs, known, c.fs, c.known)
		}
	}
}
