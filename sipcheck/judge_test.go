package sipcheck

import (
	"crypto/tls"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlsprobe"
)

// The facts Judge is tested with: a target and what it did, built without
// a network.

var judgeNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// sipEdge is a UDP edge that answered OPTIONS and ended its offers so,
// probed with media disabled: an offer carries media only where a case
// adds it (withMedia).
func sipEdge(offers []OfferResult) *Result {
	return &Result{MediaDisabled: true,
		Target: Target{Raw: "192.0.2.10:5060", Scheme: "sip", Host: "192.0.2.10", Port: 5060, Transport: UDP, Explicit: true,
			Addrs: nil},
		Name: "udp://192.0.2.10:5060", Status: StatusSuccess, Started: judgeNow, To: DefaultUser,
		Options: []OptionsResult{{Transport: UDP, Status: StatusSuccess, Code: 200, Reason: "OK", Server: "RTCC/3.5.0.0"}},
		Offers:  offers,
	}
}

// tlsEdge is a TLS edge requiring mutual TLS, probed with a client
// certificate, that answered OPTIONS and ended its offers so.
func tlsEdge(offers []OfferResult) *Result {
	r := sipEdge(offers)
	r.Target = Target{Raw: "med01.contoso.com:5061", Scheme: "sip", Host: "med01.contoso.com", Port: 5061, Transport: TLS}
	r.Name = "tls://med01.contoso.com:5061"
	r.ClientCert = true
	r.TLS = mtlsFacts(true)
	r.Options = []OptionsResult{{Transport: TLS, Status: StatusSuccess, Code: 200, Reason: "OK"}}
	return r
}

// mtlsFacts is tlsprobe's facts of an edge that requires (or, with
// required false, merely requests) a client certificate.
func mtlsFacts(required bool) *tlsprobe.Result {
	ok := tlsprobe.Step{Status: tlsprobe.StatusOK}
	without := !required
	return &tlsprobe.Result{Target: "tls://med01.contoso.com:5061", Addr: "med01.contoso.com:5061", ServerName: "med01.contoso.com",
		Status: tlsprobe.StatusOK, Steps: tlsprobe.Steps{Handshake: ok, ClientCert: &tlsprobe.Step{Status: tlsprobe.StatusOK}},
		Handshake: &tlsprobe.Handshake{Version: "TLS 1.2", VersionID: tls.VersionTLS12,
			CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CipherSuiteID: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ClientCert: true},
		Chain: []tlsprobe.Certificate{{Subject: "CN=med01.contoso.com", Issuer: "CN=Contoso CA", NotBefore: judgeNow.AddDate(-1, 0, 0),
			NotAfter: judgeNow.AddDate(1, 0, 0), KeyType: "RSA", KeyBits: 2048, SignatureAlgorithm: "SHA256-RSA",
			EKUs: []string{"serverAuth", "clientAuth"}, DNSNames: []string{"med01.contoso.com"}}},
		ChainFrom: "handshake",
		Verify:    &tlsprobe.Verification{Trusted: true, NameMatches: true, InOrder: true},
		MTLS: &tlsprobe.MTLS{CertificateRequested: true, AcceptedWithoutClientCert: &without, ClientCertAccepted: ptr(true),
			CANames: []string{"CN=Contoso CA"}},
	}
}

// roleExpect is the expectations of a role, judged at judgeNow.
func roleExpect(r matrix.Role) Expect {
	return Expect{Role: r.Expect(), WarnDays: tlsprobe.DefaultWarnDays, Now: judgeNow}
}

// liveExpect is the expectations of a role for a live probe: certificates
// judged at the moment the probe started.
func liveExpect(r matrix.Role) Expect {
	return Expect{Role: r.Expect(), WarnDays: tlsprobe.DefaultWarnDays}
}

func declared(v *matrix.VoipSecurity, l *matrix.EncryptionLevel) Expect {
	e := roleExpect(matrix.RoleSIPEdge)
	e.Declared = matrix.Declared{VoipSecurity: v, Encryption: l}
	return e
}

// liveDeclared is declared for a live probe.
func liveDeclared(v *matrix.VoipSecurity, l *matrix.EncryptionLevel) Expect {
	e := declared(v, l)
	e.Now = time.Time{}
	return e
}

// want is a finding a case expects: its severity, and words its summary
// and hint must contain.
type want struct {
	sev    report.Severity
	reason string // in the summary
	hint   string // in the hint
}

func sev(s report.Severity) want { return want{sev: s} }

func undecided(reason, hint string) want {
	return want{sev: report.Inconclusive, reason: reason, hint: hint}
}

const absent = report.Severity(255)

func (w want) String() string { return fmt.Sprintf("%v %q %q", w.sev, w.reason, w.hint) }

// TestJudge holds the facts of every outcome against expectations: each
// status class for every offer, OPTIONS answered, silent or refused, mutual
// TLS without a certificate, TLS only, redirects, interrupted runs, the
// three effective levels and unknown, declared against observed.
func TestJudge(t *testing.T) {
	secured, sipSecured := ptr(matrix.Secured), ptr(matrix.SIPSecured)
	required := ptr(matrix.Required)
	requireSRTP := declared(nil, required) // SRTP-NOT-REQUIRED applies
	const notRoutable = "--to"
	cases := []struct {
		name   string
		r      *Result
		e      Expect
		want   map[string]want
		target string // findings under another name (a redirect target)
	}{
		// The three effective levels, declared against observed.
		{name: "required edge, declared Secured", r: tlsEdge(policy("required", TLS)), e: declared(secured, required),
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "SRTP-NOT-REQUIRED": sev(report.Pass),
				"UM-SRTP-MISMATCH": sev(report.Pass), "UM-MTLS-NOT-ENFORCED": sev(report.Pass), "SIP-CLEARTEXT-ACCEPTED": {sev: absent},
				"SDES-OVER-CLEARTEXT": sev(report.Pass), "SIP-NO-RESPONSE": sev(report.Pass), "SIP-OPTIONS-STATUS": sev(report.Pass)}},
		{name: "optional edge, declared Secured", r: tlsEdge(policy("optional", TLS)), e: declared(secured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "SRTP-NOT-REQUIRED": sev(report.Fail), "UM-SRTP-MISMATCH": sev(report.Fail)}},
		{name: "rejected edge, declared Secured", r: tlsEdge(policy("rejected", TLS)), e: declared(secured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Fail), "SRTP-NOT-REQUIRED": sev(report.Fail), "UM-SRTP-MISMATCH": sev(report.Fail),
				"SDES-OVER-CLEARTEXT": {sev: absent}}},
		{name: "rejected edge, declared SIPSecured", r: tlsEdge(policy("rejected", TLS)), e: declared(sipSecured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": {sev: report.Info, reason: "declared policy carries plain RTP"},
				"SRTP-NOT-REQUIRED": {sev: absent}, "UM-SRTP-MISMATCH": sev(report.Pass)}},
		{name: "optional edge over UDP, declared Secured", r: sipEdge(policy("optional", UDP)), e: declared(secured, nil),
			want: map[string]want{"SIP-CLEARTEXT-ACCEPTED": sev(report.Fail), "UM-MTLS-NOT-ENFORCED": sev(report.Fail),
				"SDES-OVER-CLEARTEXT": sev(report.Fail), "SRTP-NOT-REQUIRED": sev(report.Fail)}},
		{name: "required edge, no policy: SRTP-NOT-REQUIRED does not apply", r: sipEdge(policy("required", UDP)), e: roleExpect(matrix.RoleSIPEdge),
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "SRTP-NOT-REQUIRED": {sev: absent}, "UM-SRTP-MISMATCH": {sev: absent},
				"SIP-CLEARTEXT-ACCEPTED": {sev: absent}}},
		{name: "the mediation-internal role expects SRTP", r: tlsEdge(policy("optional", TLS)), e: roleExpect(matrix.RoleMediationInternal),
			want: map[string]want{"SRTP-NOT-REQUIRED": {sev: report.Fail, reason: "media of the role mediation-internal is SRTP"},
				"UM-SRTP-MISMATCH": {sev: absent}}},

		// Every status class, to every offer: nothing about SRTP.
		{name: "404 to every INVITE, no --to", r: sipEdge(everyStatus(404, "Not Found", UDP)), e: declared(secured, required),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 404 Not Found", notRoutable),
				"SRTP-NOT-REQUIRED": undecided("every INVITE got 404 Not Found", "pilot_number"),
				"UM-SRTP-MISMATCH":  undecided("effective encryption level is unknown", "call_to"), "SIP-NO-RESPONSE": sev(report.Pass)}},
		{name: "404 to the number given", r: withTo(sipEdge(everyStatus(404, "Not Found", UDP)), "+14255550100"), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 404 Not Found", `does not route "+14255550100"`)}},
		{name: "484 Address Incomplete", r: sipEdge(everyStatus(484, "Address Incomplete", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("484 Address Incomplete", notRoutable)}},
		{name: "604 Does Not Exist Anywhere", r: sipEdge(everyStatus(604, "Does Not Exist Anywhere", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("604", notRoutable)}},
		{name: "404 with ms-diagnostics quoted", r: sipEdge(withDiag(everyStatus(404, "Not Found", UDP), `1003;reason="User does not exist";source="pool01.contoso.com"`)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided(`ms-diagnostics: 1003;reason="User does not exist"`, notRoutable)}},
		{name: "401 Unauthorized", r: sipEdge(everyStatus(401, "Unauthorized", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("401 Unauthorized", "authentication")}},
		{name: "407 Proxy Authentication Required", r: sipEdge(everyStatus(407, "Proxy Authentication Required", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("407", "authentication")}},
		{name: "403 Forbidden", r: sipEdge(everyStatus(403, "Forbidden", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 403 Forbidden", "UM IP gateway"),
				"SRTP-NOT-REQUIRED": undecided("403 Forbidden", "trusted")}},
		{name: "408 from a relay", r: tlsEdge(everyStatus(408, "Request Timeout", TLS)), e: roleExpect(matrix.RoleMediationInternal),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 408 Request Timeout", "live endpoint"),
				"SRTP-NOT-REQUIRED": undecided("408", "--to"), "MTLS-NOT-REQUIRED": sev(report.Pass), "TLS-HANDSHAKE-FAILED": sev(report.Pass)}},
		{name: "480 Temporarily Unavailable", r: sipEdge(everyStatus(480, "Temporarily Unavailable", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("480", "busy")}},
		{name: "486 Busy Here", r: sipEdge(everyStatus(486, "Busy Here", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 486 Busy Here", "busy")}},
		{name: "600 Busy Everywhere", r: sipEdge(everyStatus(600, "Busy Everywhere", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("600", "busy")}},
		{name: "603 Decline", r: sipEdge(everyStatus(603, "Decline", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("603 Decline", "declined")}},
		{name: "500 Server Internal Error", r: sipEdge(everyStatus(500, "Server Internal Error", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("500", "server error")}},
		{name: "503 with a Warning", r: sipEdge(withWarning(everyStatus(503, "Service Unavailable", UDP), `399 gw01 "no trunk"`)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided(`Warning: 399 gw01 "no trunk"`, "server error")}},
		{name: "488 to everything, plain included", r: sipEdge(everyStatus(488, "Not Acceptable Here", UDP)), e: declared(secured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("codec or profile mismatch", "G.711"),
				"SRTP-NOT-REQUIRED": undecided("codec or profile mismatch", "codecs"), "UM-SRTP-MISMATCH": undecided("codec or profile mismatch", "codecs")}},
		{name: "606 to everything", r: sipEdge(everyStatus(606, "Not Acceptable", UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("codec or profile mismatch", "G.711")}},
		// 488/606 to every SRTP offer says SRTP is refused only beside a
		// plain offer that was accepted: without one it may be the codecs.
		{name: "488 to SRTP offers, plain not sent", r: sipEdge(only(everyStatus(488, "Not Acceptable Here", UDP), sdes80, sdes32, msOpt)), e: declared(nil, required),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("no plain RTP offer was sent to tell rejected from a codec mismatch", "plain-rtp"), "SRTP-NOT-REQUIRED": {sev: absent},
				"UM-SRTP-MISMATCH": undecided("no plain RTP offer was sent", "plain-rtp")}},
		{name: "488 to SRTP offers, plain 404", r: sipEdge(replace(everyStatus(488, "Not Acceptable Here", UDP), answered(plain, 404, "Not Found", UDP))), e: declared(nil, required),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every SRTP offer was refused, but the plain RTP offer got 404 Not Found", "--to"),
				"SRTP-NOT-REQUIRED": undecided("the plain RTP offer got 404 Not Found", "--to"), "UM-SRTP-MISMATCH": undecided("404", "--to")}},
		{name: "488 to SRTP offers, plain unanswered", r: sipEdge(replace(everyStatus(606, "Not Acceptable", UDP), silent(plain, UDP))), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("the plain RTP offer got no answer", "--step-timeout")}},
		{name: "488 to SRTP offers, a 2xx declining SRTP, plain not sent", r: sipEdge(replace(only(everyStatus(488, "Not Acceptable Here", UDP), sdes80, msOpt), declined(msOpt, UDP))), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Fail)}},
		{name: "no answer to any INVITE", r: sipEdge(every(silent, UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got no answer", "--step-timeout"), "SIP-NO-RESPONSE": sev(report.Pass)}},
		{name: "transport errors", r: sipEdge(every(broken, UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("closed the connection", "transport")}},
		{name: "2xx with unreadable SDP", r: sipEdge(every(unusable, UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got 200 OK", "SDP-ANSWER-MALFORMED"),
				"SDP-ANSWER-MALFORMED": sev(report.Warn)}},
		{name: "2xx keying a tag not offered", r: sipEdge(replace(replace(policy("rejected", UDP), wrongTag(sdes80, UDP)), wrongTag(sdes32, UDP))), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("no SRTP offer was accepted", "SDP-ANSWER-MALFORMED"),
				"SRTP-NOT-REQUIRED": sev(report.Fail), "SDP-ANSWER-MALFORMED": sev(report.Warn)}},
		{name: "not sent", r: sipEdge(every(func(k Offer, tp string) OfferResult {
			return unsent(k, tp, "the edge answered neither OPTIONS nor the first INVITE")
		}, UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("was not sent (the edge answered neither OPTIONS nor the first INVITE)", "answers SIP")}},
		{name: "a mix: some SRTP refused, one 503, plain taken", r: sipEdge(replace(policy("rejected", UDP), answered(dtls, 503, "Service Unavailable", UDP))), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("no SRTP offer was accepted, 5 refused, and the dtls-srtp offer got 503", "server error"),
				"SRTP-NOT-REQUIRED": sev(report.Fail)}},
		{name: "SRTP taken, the plain offer 404", r: sipEdge(replace(policy("required", UDP), answered(plain, 404, "Not Found", UDP))), e: declared(secured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "SRTP-NOT-REQUIRED": undecided("the plain RTP offer got 404 Not Found", "--to"),
				"UM-SRTP-MISMATCH": undecided("SRTP is accepted, but the plain RTP offer got 404", "--to")}},

		// OPTIONS.
		{name: "OPTIONS 403, INVITEs evaluated", r: withOptions(sipEdge(policy("required", UDP)), OptionsResult{Transport: UDP, Status: StatusSuccess, Code: 403, Reason: "Forbidden"}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SIP-OPTIONS-STATUS": sev(report.Warn), "SIP-NO-RESPONSE": sev(report.Pass)}},
		{name: "OPTIONS unanswered, INVITE answered", r: withOptions(sipEdge(policy("optional", UDP)), OptionsResult{Transport: UDP, Status: StatusTimeout}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SIP-OPTIONS-STATUS": {sev: report.Warn, reason: "gateway keep-alive"},
				"SIP-NO-RESPONSE": sev(report.Pass), "SRTP-NOT-SUPPORTED": sev(report.Pass)}},
		{name: "silent edge", r: withOptions(sipEdge(append([]OfferResult{silent(sdes80, UDP)}, every(func(k Offer, tp string) OfferResult {
			return unsent(k, tp, "the edge answered neither OPTIONS nor the first INVITE")
		}, UDP)[1:]...)), OptionsResult{Transport: UDP, Status: StatusTimeout}), e: requireSRTP,
			want: map[string]want{"SIP-NO-RESPONSE": sev(report.Fail), "SIP-OPTIONS-STATUS": {sev: absent},
				"SRTP-NOT-SUPPORTED": undecided("INVITEs", "")}},
		{name: "refused on every transport: not probed", r: notProbed(StatusConnectionRefused, "nothing accepts SIP at 192.0.2.10:5060: UDP port unreachable, TCP connection refused"),
			e: declared(secured, required), want: map[string]want{"SIP-NO-RESPONSE": {sev: absent}, "SRTP-NOT-SUPPORTED": {sev: absent}, "UM-SRTP-MISMATCH": {sev: absent}}},
		{name: "name does not resolve: not probed", r: notProbed(StatusDNSError, "DNS lookup of med01.contoso.com: the name does not resolve"),
			e: declared(secured, required), want: map[string]want{"UM-ENCRYPTION-INCOMPATIBLE": {sev: absent}}},
		{name: "SIP over TLS fails everywhere", r: withOptions(tlsEdge(every(func(k Offer, tp string) OfferResult { return unsent(k, tp, "OPTIONS failed over every transport") }, TLS)),
			OptionsResult{Transport: TLS, Status: StatusTLSError, Error: "TLS alert from the peer: handshake failure"}), e: roleExpect(matrix.RoleMediationInternal),
			want: map[string]want{"SIP-NO-RESPONSE": undecided("SIP over TLS could not be set up", "TLS")}},

		{name: "mutual TLS undetermined after a completed handshake", r: func() *Result {
			r := tlsEdge(policy("required", TLS))
			r.TLS.MTLS.AcceptedWithoutClientCert = nil // TLS 1.3: the server's verdict did not arrive
			return r
		}(), e: declared(ptr(matrix.Secured), nil),
			want: map[string]want{"UM-MTLS-NOT-ENFORCED": undecided("the TLS handshake completed, but", "MTLS-NOT-REQUIRED")}},

		// Mutual TLS required, no client certificate given.
		{name: "mutual TLS required, no certificate", r: needsCert(tlsEdge(nil)), e: func() Expect {
			e := roleExpect(matrix.RoleMediationInternal)
			e.Declared.VoipSecurity = secured
			return e
		}(),
			want: map[string]want{"SIP-NO-RESPONSE": undecided("requires a client certificate", "--cert"), "SIP-OPTIONS-STATUS": undecided("client certificate", "--cert"),
				"SRTP-NOT-SUPPORTED": undecided("was not sent (the edge requires a client certificate)", "--cert"),
				"SRTP-NOT-REQUIRED":  undecided("client certificate", "--cert"), "UM-SRTP-MISMATCH": undecided("unknown", "--cert"),
				"MTLS-NOT-REQUIRED": sev(report.Pass), "UM-MTLS-NOT-ENFORCED": sev(report.Pass)}},

		// TLS only: no SIP, no media checks; what TLS shows is judged.
		{name: "TLS only", r: tlsOnly(tlsEdge(nil)), e: func() Expect { e := roleExpect(matrix.RoleUM); e.Declared.VoipSecurity = secured; return e }(),
			want: map[string]want{"MTLS-NOT-REQUIRED": sev(report.Pass), "UM-MTLS-NOT-ENFORCED": sev(report.Pass), "TLS-HANDSHAKE-FAILED": sev(report.Pass),
				"SIP-NO-RESPONSE": {sev: absent}, "SRTP-NOT-SUPPORTED": {sev: absent}, "UM-SRTP-MISMATCH": {sev: absent}}},
		{name: "TLS only, mutual TLS not required by an edge whose role wants it", r: tlsOnly(withTLS(tlsEdge(nil), mtlsFacts(false))), e: roleExpect(matrix.RoleMediationInternal),
			want: map[string]want{"MTLS-NOT-REQUIRED": sev(report.Fail)}},
		{name: "TLS only, a plain SIP edge's optional mutual TLS is information", r: tlsOnly(withTLS(tlsEdge(nil), mtlsFacts(false))), e: roleExpect(matrix.RoleSIPEdge),
			want: map[string]want{"MTLS-NOT-REQUIRED": sev(report.Info)}},

		// Interrupted runs.
		{name: "interrupted during OPTIONS", r: interrupted(withOptions(sipEdge(every(func(k Offer, tp string) OfferResult {
			o := unsent(k, tp, "interrupted")
			o.Interrupted = true
			return o
		}, UDP)), []OptionsResult{}...), "during OPTIONS"),
			e: declared(secured, nil), want: map[string]want{"SIP-NO-RESPONSE": undecided("interrupted", "--timeout"), "SIP-OPTIONS-STATUS": undecided("interrupted", "--timeout"),
				"SRTP-NOT-SUPPORTED": undecided("interrupted", "--timeout"), "UM-SRTP-MISMATCH": undecided("unknown", "--timeout")}},
		{name: "interrupted during the offers", r: interrupted(sipEdge(replace(replace(policy("required", UDP), cut(plain, UDP)), cut(dtls, UDP))), "during the offers: 5 of 7 done"),
			e: requireSRTP, want: map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "SRTP-NOT-REQUIRED": undecided("the plain RTP offer was interrupted", "--timeout")}},
		{name: "interrupted before the TLS handshake", r: interrupted(withTLS(tlsEdge(every(func(k Offer, tp string) OfferResult {
			o := unsent(k, tp, "interrupted")
			o.Interrupted = true
			return o
		}, TLS)), nil), "during the TLS handshake"),
			e: roleExpect(matrix.RoleMediationInternal), want: map[string]want{"TLS-HANDSHAKE-FAILED": undecided("interrupted", "--timeout")}},
		{name: "media window cut short", r: sipEdge([]OfferResult{withMedia(accepted(sdes80, UDP), &MediaResult{Ran: true, Interrupted: true, Sent: 3})}), e: roleExpect(matrix.RoleSIPEdge),
			want: map[string]want{"SRTP-MEDIA-AUTH-FAILED": undecided("interrupted during the media window", "--timeout"), "SRTP-NO-MEDIA": {sev: absent}}},
		// Media that did not run decides nothing: not SRTP-NO-MEDIA, and
		// no DTLS fingerprint check without a handshake.
		{name: "answer without a usable media address", r: sipEdge([]OfferResult{
			withMedia(accepted(sdes80, UDP), &MediaResult{Remote: "0.0.0.0:40000", Error: "the answer puts media on hold (c=0.0.0.0)"}),
			withMedia(accepted(dtls, UDP), &MediaResult{Remote: "0.0.0.0:40000", Error: "the answer puts media on hold (c=0.0.0.0)"})}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-NO-MEDIA": {sev: absent},
				"SRTP-MEDIA-AUTH-FAILED":    undecided("on hold", "address"),
				"DTLS-FINGERPRINT-MISMATCH": undecided("on hold", "address")}},
		{name: "media exchange failed on this host", r: sipEdge([]OfferResult{
			withMedia(accepted(sdes80, UDP), &MediaResult{Ran: true, Local: true, Error: "could not set up the SRTP send context on this host"})}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-NO-MEDIA": {sev: absent},
				"SRTP-MEDIA-AUTH-FAILED": undecided("on this host", "this host")}},
		{name: "media disabled", r: sipEdge(policy("required", UDP)),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-NO-MEDIA": {sev: absent},
				"SRTP-MEDIA-AUTH-FAILED":    undecided("disabled", "--media-seconds"),
				"DTLS-FINGERPRINT-MISMATCH": undecided("disabled", "--media-seconds")}},
		{name: "interrupted before the media exchange", r: func() *Result {
			r := interrupted(sipEdge(policy("required", UDP)), "during the offers: 7 of 7 done")
			r.MediaDisabled = false
			return r
		}(),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-MEDIA-AUTH-FAILED": undecided("interrupted", "--timeout"),
				"DTLS-FINGERPRINT-MISMATCH": undecided("interrupted", "--timeout")}},
		{name: "DTLS handshake failed with the peer", r: sipEdge([]OfferResult{
			withMedia(accepted(dtls, UDP), &MediaResult{HandshakeFailed: true, Error: "DTLS handshake: no DTLS answer in time"})}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-NO-MEDIA": sev(report.Warn),
				"DTLS-FINGERPRINT-MISMATCH": undecided("did not complete", "SRTP-NO-MEDIA")}},
		{name: "DTLS handshake completed, then no media", r: sipEdge([]OfferResult{
			withMedia(accepted(dtls, UDP), &MediaResult{Ran: true, DTLSHandshake: true, Sent: 50})}),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-NO-MEDIA": sev(report.Warn), "DTLS-FINGERPRINT-MISMATCH": sev(report.Pass)}},
		{name: "media authenticated in one call, interrupted in another", r: interrupted(sipEdge([]OfferResult{
			withMedia(accepted(sdes80, UDP), &MediaResult{Ran: true, Sent: 50, Received: 50, Authenticated: 50}),
			withMedia(accepted(msOpt, UDP), &MediaResult{Ran: true, Interrupted: true, Sent: 3})}), "during the offers: 2 of 2 done"),
			e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SRTP-MEDIA-AUTH-FAILED": sev(report.Pass), "SRTP-NO-MEDIA": {sev: absent}}},
		{name: "internal error", r: func() *Result {
			r := sipEdge(nil)
			r.Status, r.Error = StatusUnknownError, "internal error: boom"
			r.Offers = []OfferResult{unsent(sdes80, UDP, "the probe stopped on an internal error")}
			return r
		}(), e: roleExpect(matrix.RoleSIPEdge), want: map[string]want{"SIP-NO-RESPONSE": undecided("internal error", "bug"), "SRTP-NOT-SUPPORTED": undecided("internal error", "bug")}},

		{name: "OPTIONS stopped on an internal error, INVITE unanswered", r: withOptions(sipEdge(append([]OfferResult{silent(sdes80, UDP)}, every(func(k Offer, tp string) OfferResult {
			return unsent(k, tp, "the edge answered neither OPTIONS nor the first INVITE")
		}, UDP)[1:]...)), OptionsResult{Transport: UDP, Status: StatusUnknownError, Error: "internal error in the SIP stack: boom"}), e: requireSRTP,
			want: map[string]want{"SIP-NO-RESPONSE": undecided("internal error", "bug in voipsec")}},
		{name: "OPTIONS stopped on an internal error, INVITE answered", r: withOptions(sipEdge(policy("required", UDP)),
			OptionsResult{Transport: UDP, Status: StatusUnknownError, Error: "internal error in the SIP stack: boom"}), e: requireSRTP,
			want: map[string]want{"SIP-NO-RESPONSE": sev(report.Pass), "SIP-OPTIONS-STATUS": undecided("internal error", "bug in voipsec")}},
		{name: "every offer stopped on an internal error", r: sipEdge(every(func(k Offer, tp string) OfferResult {
			o := base(k, tp)
			o.Status, o.Error = StatusUnknownError, "internal error: boom"
			return o
		}, UDP)), e: requireSRTP,
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("every INVITE got internal error: boom", "bug in voipsec"), "SIP-NO-RESPONSE": sev(report.Pass)}},

		// Redirects.
		{name: "redirect to another host, not followed", r: redirected(RedirectOffHost, "mbx01.contoso.com is another host, and not one of the hosts named to probe", nil),
			e: declared(secured, nil), want: map[string]want{"SIP-REDIRECT-NOT-FOLLOWED": {sev: report.Warn, reason: "sip:mbx01.contoso.com:5065"},
				"SRTP-NOT-SUPPORTED": undecided("redirected to <sip:mbx01.contoso.com:5065;transport=tcp>", "name mbx01.contoso.com"),
				"UM-SRTP-MISMATCH":   undecided("unknown", "mbx01.contoso.com")}},
		{name: "redirect loop", r: redirected(RedirectLoop, "it leads back to tcp://mbx01.contoso.com:5065", nil), e: requireSRTP,
			want: map[string]want{"SIP-REDIRECT-NOT-FOLLOWED": {sev: report.Warn, reason: "leads back"}, "SRTP-NOT-SUPPORTED": undecided("redirected", "redirect")}},
		{name: "redirect chain too long", r: redirected(RedirectTooMany, "more than 2 redirects in a row", nil), e: requireSRTP,
			want: map[string]want{"SIP-REDIRECT-NOT-FOLLOWED": sev(report.Warn), "SRTP-NOT-SUPPORTED": undecided("redirected", "never ends")}},
		{name: "redirect with an unusable Contact", r: redirected(RedirectBadContact, "redirect to a non-SIP URI scheme \"http\"", nil), e: requireSRTP,
			want: map[string]want{"SIP-REDIRECT-NOT-FOLLOWED": {sev: report.Warn, reason: "non-SIP"}, "SRTP-NOT-SUPPORTED": undecided("redirected", "Contact")}},
		{name: "redirects disabled", r: redirected(RedirectDisabled, "redirects are disabled", nil), e: requireSRTP,
			want: map[string]want{"SIP-REDIRECT-NOT-FOLLOWED": {sev: absent}, "SRTP-NOT-SUPPORTED": undecided("redirects disabled", "--no-redirect")}},
		{name: "redirect followed: the router's media checks move to the worker", r: redirected(RedirectFollowed, "", worker(policy("required", TCP))), e: declared(secured, nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": {sev: absent}, "UM-SRTP-MISMATCH": {sev: absent}, "SIP-REDIRECT-NOT-FOLLOWED": {sev: absent}, "SIP-NO-RESPONSE": sev(report.Pass)}},
		{name: "redirect followed: the worker judged under its own name", r: redirected(RedirectFollowed, "", worker(policy("required", TCP))), e: declared(secured, nil),
			target: "tcp://mbx01.contoso.com:5065",
			want:   map[string]want{"SRTP-NOT-SUPPORTED": sev(report.Pass), "UM-SRTP-MISMATCH": sev(report.Pass), "SRTP-NOT-REQUIRED": sev(report.Pass)}},
		{name: "redirect followed to a worker that could not be probed", r: redirected(RedirectFollowed, "", notProbed(StatusConnectionRefused, "nothing accepts SIP at 10.0.0.5:5065: TCP connection refused")),
			e: requireSRTP, want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("which could not be probed: nothing accepts SIP", "reachable")}},

		// The gateway leg and the media port range.
		{name: "gateway answering over TCP", r: sipEdge(policy("rejected", TCP)), e: roleExpect(matrix.RoleGateway),
			want: map[string]want{"GW-NO-TLS": sev(report.Fail), "SIP-CLEARTEXT-ACCEPTED": sev(report.Fail), "SRTP-NOT-SUPPORTED": sev(report.Fail)}},
		{name: "gateway over TLS", r: tlsEdge(policy("optional", TLS)), e: roleExpect(matrix.RoleGateway),
			want: map[string]want{"GW-NO-TLS": sev(report.Pass), "SIP-CLEARTEXT-ACCEPTED": {sev: absent}}},
		// SIP-CLEARTEXT-ACCEPTED passes only on cleartext tried and refused.
		{name: "TLS found on a port given without a transport, cleartext refused", r: func() *Result {
			r := tlsEdge(policy("required", TLS))
			r.TLSDetected = true
			r.Options = []OptionsResult{{Transport: UDP, Status: StatusConnectionRefused, Error: "port unreachable (ICMP)"},
				{Transport: TCP, Status: StatusTimeout, Error: "no answer in time"}, r.Options[0]}
			return r
		}(), e: roleExpect(matrix.RoleGateway),
			want: map[string]want{"SIP-CLEARTEXT-ACCEPTED": {sev: report.Pass, reason: "does not take SIP in cleartext"}, "GW-NO-TLS": sev(report.Pass)}},
		{name: "TLS found on a port given without a transport, UDP silent", r: func() *Result {
			r := tlsEdge(policy("required", TLS))
			r.TLSDetected = true
			r.Options = []OptionsResult{{Transport: UDP, Status: StatusTimeout, Error: "no answer in time"},
				{Transport: TCP, Status: StatusTimeout, Error: "no answer in time"}, r.Options[0]}
			return r
		}(), e: roleExpect(matrix.RoleGateway),
			want: map[string]want{"SIP-CLEARTEXT-ACCEPTED": undecided("UDP: no answer in time", "listener")}},
		{name: "silent edge where TLS is required", r: withOptions(sipEdge(append([]OfferResult{silent(sdes80, UDP)}, every(func(k Offer, tp string) OfferResult {
			return unsent(k, tp, "the edge answered neither OPTIONS nor the first INVITE")
		}, UDP)[1:]...)), OptionsResult{Transport: UDP, Status: StatusTimeout, Error: "no answer in time"}, OptionsResult{Transport: TCP, Status: StatusConnectionRefused}),
			e: roleExpect(matrix.RoleGateway), want: map[string]want{"SIP-CLEARTEXT-ACCEPTED": undecided("silence is not refusal", "listener")}},
		{name: "silent gateway", r: withOptions(sipEdge(every(silent, TCP)), OptionsResult{Transport: TCP, Status: StatusTimeout}), e: roleExpect(matrix.RoleGateway),
			want: map[string]want{"GW-NO-TLS": undecided("answered nothing", "gateway")}},
		{name: "media ports inside the range", r: sipEdge(policy("optional", UDP)), e: withPorts(roleExpect(matrix.RoleSIPEdge), 40000, 40100),
			want: map[string]want{"MEDIA-PORT-OUT-OF-RANGE": sev(report.Pass)}},
		{name: "media ports outside the range", r: sipEdge(policy("optional", UDP)), e: withPorts(roleExpect(matrix.RoleSIPEdge), 49152, 57500),
			want: map[string]want{"MEDIA-PORT-OUT-OF-RANGE": {sev: report.Warn, reason: "outside 49152-57500"}}},
		{name: "media ports, nothing accepted", r: sipEdge(everyStatus(404, "Not Found", UDP)), e: withPorts(roleExpect(matrix.RoleSIPEdge), 49152, 57500),
			want: map[string]want{"MEDIA-PORT-OUT-OF-RANGE": undecided("no SDP answer", "--to")}},
		{name: "media ports, every offer refused, the plain one with port 0", r: sipEdge(replace(everyStatus(488, "Not Acceptable Here", UDP), declined(plain, UDP))),
			e: withPorts(roleExpect(matrix.RoleSIPEdge), 49152, 57500), want: map[string]want{"MEDIA-PORT-OUT-OF-RANGE": undecided("no SDP answer", "codecs")}},
		// 488 to the plain offer with an SRTP offer not evaluated (404) is
		// not "every offer refused with 488/606": the 404 decides the hint.
		{name: "488 to everything but a 404", r: sipEdge(replace(everyStatus(488, "Not Acceptable Here", UDP), answered(sdes80, 404, "Not Found", UDP))), e: declared(ptr(matrix.Secured), nil),
			want: map[string]want{"SRTP-NOT-SUPPORTED": undecided("1 × 404 Not Found", "--to"), "SRTP-NOT-REQUIRED": undecided("488", "--to"),
				"UM-SRTP-MISMATCH": undecided("404 Not Found", "--to")}},
		{name: "a refused stream's port 0 is not out of range", r: sipEdge(replace(policy("required", UDP), declined(plain, UDP))), e: withPorts(roleExpect(matrix.RoleSIPEdge), 40000, 40000),
			want: map[string]want{"MEDIA-PORT-OUT-OF-RANGE": sev(report.Pass)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := Judge(c.r, c.e)
			target := c.r.Name
			if c.target != "" {
				target = c.target
			}
			got := map[string]report.Finding{}
			for _, f := range fs {
				if f.Target != target {
					continue
				}
				if _, dup := got[f.Check]; dup {
					t.Errorf("%s twice for %s: one result per check per target", f.Check, target)
				}
				got[f.Check] = f
			}
			for id, w := range c.want {
				f, ok := got[id]
				switch {
				case w.sev == absent && ok:
					t.Errorf("%s = %s %q, want no finding (the check does not apply)", id, f.Severity, f.Summary)
				case w.sev == absent:
				case !ok:
					t.Errorf("%s missing, want %v", id, w)
				case f.Severity != w.sev || !strings.Contains(f.Summary, w.reason) || !strings.Contains(f.Hint, w.hint):
					t.Errorf("%s = %s %q (hint %q), want %v", id, f.Severity, f.Summary, f.Hint, w)
				}
			}
			for _, f := range fs {
				if f.Severity == report.Inconclusive && (f.Summary == "" || f.Hint == "") {
					t.Errorf("%s inconclusive without a reason or a hint: %q / %q", f.Check, f.Summary, f.Hint)
				}
			}
			if t.Failed() {
				for _, f := range fs {
					t.Logf("  %s %s %s: %s | hint %s", f.Severity, f.Check, f.Target, f.Summary, f.Hint)
				}
			}
		})
	}
}

// TestJudgePure: Judge reads only its arguments: the same facts give the
// same findings, and judging does not change the facts, down to what
// pointers reach (TLS facts, answers, media, a redirect's probe). Each
// case builds its facts twice, so the second build is a deep copy to
// compare with.
func TestJudgePure(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func() *Result
		e     Expect
	}{
		{"TLS edge", func() *Result { return tlsEdge(policy("optional", TLS)) }, declared(ptr(matrix.Secured), nil)},
		{"media", func() *Result {
			return sipEdge([]OfferResult{withMedia(accepted(sdes80, UDP), &MediaResult{Ran: true, Sent: 50, Received: 50, Authenticated: 49, Failed: 1}),
				withMedia(accepted(dtls, UDP), &MediaResult{Ran: true, DTLSHandshake: true, Sent: 50, Received: 50, Authenticated: 50}),
				answered(plain, 488, "Not Acceptable Here", UDP)})
		}, withPorts(roleExpect(matrix.RoleMediationInternal), 40000, 40100)},
		{"redirect", func() *Result { return redirected(RedirectFollowed, "", worker(policy("required", TCP))) }, declared(ptr(matrix.Secured), nil)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, before := c.build(), c.build()
			a, b := Judge(r, c.e), Judge(r, c.e)
			if !reflect.DeepEqual(a, b) {
				t.Fatal("two judgements of the same facts differ")
			}
			if !reflect.DeepEqual(r, before) {
				t.Fatal("Judge changed the facts")
			}
		})
	}
}

// TestJudgeFromFacts: Judge reads the offers themselves, not the
// displays' derived fields (Evidence, Effective) a probe fills in when it
// ends: a hand-built Result has none, a stale one must not leak.
func TestJudgeFromFacts(t *testing.T) {
	for _, c := range []struct {
		name     string
		evidence string
	}{{"none", ""}, {"stale", "stale evidence"}} {
		t.Run(c.name, func(t *testing.T) {
			r := sipEdge(everyStatus(404, "Not Found", UDP))
			r.Evidence = c.evidence
			r.Effective, r.EffectiveReason = ptr(matrix.Required), "stale"
			fs := Judge(r, declared(ptr(matrix.Secured), nil))
			n := 0
			for _, f := range fs {
				if f.Check != "SRTP-NOT-SUPPORTED" && f.Check != "UM-SRTP-MISMATCH" {
					continue
				}
				n++
				if f.Severity != report.Inconclusive {
					t.Errorf("%s = %s %q: the stored level decided it", f.Check, f.Severity, f.Summary)
				}
				if !strings.Contains(f.Detail, "sdes-80 → 404 Not Found") || strings.Contains(f.Detail, "stale") {
					t.Errorf("%s detail %q, want the offers' evidence", f.Check, f.Detail)
				}
			}
			if n != 2 {
				t.Fatalf("%d of SRTP-NOT-SUPPORTED and UM-SRTP-MISMATCH, want both", n)
			}
		})
	}
}

// TestObserveCleartext: cleartext SIP is accepted when answered, refused
// only when every cleartext attempt was refused, and unknown when the edge
// was silent: silence is not refusal.
func TestObserveCleartext(t *testing.T) {
	for _, c := range []struct {
		name    string
		options []OptionsResult
		offers  []OfferResult
		want    *bool
	}{
		{"UDP answered", []OptionsResult{{Transport: UDP, Code: 200}}, nil, ptr(true)},
		{"TCP answered, UDP silent", []OptionsResult{{Transport: UDP, Status: StatusTimeout}, {Transport: TCP, Code: 200}}, nil, ptr(true)},
		{"silent over UDP, refused over TCP", []OptionsResult{{Transport: UDP, Status: StatusTimeout}, {Transport: TCP, Status: StatusConnectionRefused}}, nil, nil},
		{"silent over both", []OptionsResult{{Transport: UDP, Status: StatusTimeout}, {Transport: TCP, Status: StatusTimeout}}, nil, nil},
		{"refused over both", []OptionsResult{{Transport: UDP, Status: StatusConnectionRefused}, {Transport: TCP, Status: StatusConnectionRefused}}, nil, ptr(false)},
		{"OPTIONS silent, INVITE over UDP answered", []OptionsResult{{Transport: UDP, Status: StatusTimeout}}, []OfferResult{answered(sdes80, 404, "Not Found", UDP)}, ptr(true)},
		{"TLS only", []OptionsResult{{Transport: TLS, Code: 200}}, []OfferResult{accepted(sdes80, TLS)}, nil},
		{"TLS found after UDP refused, TCP speaks TLS", []OptionsResult{{Transport: UDP, Status: StatusConnectionRefused}, {Transport: TCP, Status: StatusTimeout}, {Transport: TLS, Code: 200}}, nil, ptr(false)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &Result{Options: c.options, Offers: c.offers, TLSDetected: strings.HasPrefix(c.name, "TLS found")}
			got := Observe(r).CleartextAccepted
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("CleartextAccepted = %v, want %v", fmtBool(got), fmtBool(c.want))
			}
		})
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}

// Fact builders for TestJudge.

func withTo(r *Result, to string) *Result { r.To, r.ToGiven = to, true; return r }

func withOptions(r *Result, os ...OptionsResult) *Result { r.Options = os; return r }

func withTLS(r *Result, t *tlsprobe.Result) *Result { r.TLS = t; return r }

func withPorts(e Expect, from, to int) Expect {
	e.MediaPorts = &PortRange{From: from, To: to}
	return e
}

func withMedia(o OfferResult, m *MediaResult) OfferResult { o.Media = m; return o }

func withDiag(os []OfferResult, d string) []OfferResult {
	for i := range os {
		os[i].Diagnostics = []string{d}
	}
	return os
}

func withWarning(os []OfferResult, w string) []OfferResult {
	for i := range os {
		os[i].Warning = []string{w}
	}
	return os
}

func interrupted(r *Result, where string) *Result {
	r.Status, r.Interrupted, r.Error = StatusCanceled, where, "interrupted "+where
	return r
}

func needsCert(r *Result) *Result {
	r.ClientCert, r.NeedsClientCert, r.Options = false, true, nil
	r.TLS.MTLS.ClientCertAccepted = nil
	r.TLS.Steps.ClientCert = nil
	r.TLS.Handshake.ClientCert = false
	r.Offers = every(func(k Offer, tp string) OfferResult { return unsent(k, tp, "the edge requires a client certificate") }, TLS)
	return r
}

func tlsOnly(r *Result) *Result { r.TLSOnly, r.Options, r.Offers = true, nil, nil; return r }

func notProbed(st Status, msg string) *Result {
	r := sipEdge(every(func(k Offer, tp string) OfferResult { return unsent(k, tp, "the target could not be probed") }, TCP))
	r.Name, r.Target.Host, r.Target.Transport, r.Target.Port = "tcp://mbx01.contoso.com:5065", "mbx01.contoso.com", TCP, 5065
	r.Status, r.Error, r.Options = st, msg, []OptionsResult{{Transport: TCP, Status: st}}
	return r
}

// worker is the probe of an Exchange UM worker a call router redirected to.
func worker(offers []OfferResult) *Result {
	r := sipEdge(offers)
	r.Name = "tcp://mbx01.contoso.com:5065"
	r.Target = Target{Host: "mbx01.contoso.com", Port: 5065, Transport: TCP, Explicit: true}
	r.Options = []OptionsResult{{Transport: TCP, Status: StatusSuccess, Code: 200, Reason: "OK"}}
	return r
}

// redirected is a call router that answered every INVITE with 302 to
// mbx01.contoso.com:5065, and what became of the redirect.
func redirected(outcome RedirectOutcome, reason string, w *Result) *Result {
	contact := "<sip:mbx01.contoso.com:5065;transport=tcp>"
	offers := every(func(k Offer, tp string) OfferResult {
		o := answered(k, 302, "Moved Temporarily", tp)
		o.Contact, o.Redirect = contact, "tcp://mbx01.contoso.com:5065"
		if outcome == RedirectBadContact {
			o.Contact, o.Redirect = "<http://evil.example/>", ""
		}
		return o
	}, TCP)
	r := sipEdge(offers)
	r.Name = "tcp://um01.contoso.com:5060"
	r.Target = Target{Host: "um01.contoso.com", Port: 5060, Transport: TCP, Explicit: true}
	r.Options = []OptionsResult{{Transport: TCP, Status: StatusSuccess, Code: 200, Reason: "OK"}}
	r.Redirection = &Redirection{Offer: "sdes-80", Code: 302, Contact: offers[0].Contact, Target: offers[0].Redirect, Outcome: outcome, Reason: reason}
	if outcome == RedirectLoop || outcome == RedirectTooMany {
		r.Redirection.Chain = []string{"tcp://mbx01.contoso.com:5065", "tcp://um01.contoso.com:5060"}
	}
	r.Redirect = w
	return r
}
