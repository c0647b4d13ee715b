package sipcheck

import (
	"crypto/tls"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/peers"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/srtpcheck"
)

// kamailioTarget is the TLS target of a running Kamailio.
func kamailioTarget(t *testing.T, k *peers.Kamailio) Target {
	return mustTarget(t, "sip:"+k.TLSAddr+";transport=tls")
}

// TestInteropKamailioRelayTimeout: a real Kamailio requiring mutual TLS
// (as a Mediation Server internal edge) relays every INVITE to a
// destination where nothing listens and answers 408. TLS and mutual TLS are
// still judged; nothing about SRTP is, and the hint says why.
func TestInteropKamailioRelayTimeout(t *testing.T) {
	t.Parallel()
	pki := testpki.NewT(t)
	files, err := pki.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dead := peers.FreePort(t) // nothing listens there
	k := peers.StartKamailio(t, peers.KamailioConfig{RelayTo: "127.0.0.1:" + strconv.Itoa(dead), RelayTimeout: time.Second,
		TLS: &peers.KamailioTLS{Files: files, MutualTLS: true}})
	cfg := Config{Timeout: 4 * time.Second, MediaDuration: -1, ClientCert: &pki.Client, RootCAs: pki.CAPool,
		ServerName: "localhost", To: "+14255550100", OfferConcurrency: 7}
	start := time.Now()
	r := ProbeEndpoint(testCtx(t, 60*time.Second), kamailioTarget(t, k), cfg)
	t.Logf("probe of Kamailio relaying to nowhere: %.1fs", time.Since(start).Seconds())
	for _, o := range r.Offers {
		if o.Code != 408 {
			t.Fatalf("%s: %s, want 408 from the relay\n%s\n%s", o.Name, o.Evidence(), r.Evidence, k.Log())
		}
	}
	e := liveExpect(matrix.RoleMediationInternal)
	e.Declared.VoipSecurity = ptr(matrix.Secured)
	fs := Judge(r, e)
	got := worst(fs)
	for id, want := range map[string]string{
		"TLS-HANDSHAKE-FAILED": "pass", "TLS-CERT-UNTRUSTED": "pass", "TLS-CERT-NAME-MISMATCH": "pass",
		"MTLS-NOT-REQUESTED": "pass", "MTLS-NOT-REQUIRED": "pass", "MTLS-CLIENT-CERT-REJECTED": "pass",
		"UM-MTLS-NOT-ENFORCED": "pass", "SIP-NO-RESPONSE": "pass", "SIP-OPTIONS-STATUS": "pass", "SIP-CLEARTEXT-ACCEPTED": "",
		"SRTP-NOT-SUPPORTED": "inconclusive", "SRTP-NOT-REQUIRED": "inconclusive", "UM-SRTP-MISMATCH": "inconclusive",
	} {
		if got[id] != want {
			t.Errorf("%s = %q, want %q", id, got[id], want)
		}
	}
	for _, f := range fs {
		if f.Check == "SRTP-NOT-SUPPORTED" && (!strings.Contains(f.Summary, "every INVITE got 408") || !strings.Contains(f.Hint, "--to")) {
			t.Errorf("SRTP-NOT-SUPPORTED: %q, hint %q", f.Summary, f.Hint)
		}
		if f.Severity == report.Fail {
			t.Errorf("a failure from a 408: %s %s", f.Check, f.Summary)
		}
	}
	if t.Failed() {
		t.Log(dumpFindings(fs))
	}
}

// TestInteropMediationInternal: Kamailio requiring mutual TLS in front of
// baresip answering RTP/SAVP only, as a Mediation Server internal edge:
// with the client certificate the calls reach baresip through the relay
// and carry authenticated SRTP; without one, SIP and media are not probed
// and their checks are inconclusive.
func TestInteropMediationInternal(t *testing.T) {
	t.Parallel()
	pki := testpki.NewT(t)
	m := peers.StartMediationInternal(t, pki)
	cfg := Config{Timeout: 4 * time.Second, MediaDuration: 500 * time.Millisecond, ClientCert: &pki.Client, RootCAs: pki.CAPool,
		ServerName: "localhost", To: m.Baresip.User}
	start := time.Now()
	r := ProbeEndpoint(testCtx(t, 90*time.Second), kamailioTarget(t, m.Kamailio), cfg)
	t.Logf("probe of Kamailio (MTLS) in front of baresip (srtp-mand): %.1fs", time.Since(start).Seconds())
	if r.Effective == nil || *r.Effective != matrix.Required {
		t.Fatalf("effective %v (%s)\n%s\n%s", r.Effective, r.EffectiveReason, r.Evidence, m.Kamailio.Log())
	}
	var sdes *MediaResult
	for _, o := range r.Offers {
		if o.Offer == srtpcheck.OfferSDES80 {
			sdes = o.Media
		}
		if o.Code/100 == 2 && o.Cleanup != "ack+bye" {
			t.Errorf("%s: cleanup %q", o.Name, o.Cleanup)
		}
	}
	if sdes == nil || sdes.Authenticated == 0 || sdes.Failed != 0 || sdes.Sent == 0 {
		t.Fatalf("sdes-80 media %+v, want authenticated packets both ways", sdes)
	}
	e := liveExpect(matrix.RoleMediationInternal)
	e.Declared.VoipSecurity = ptr(matrix.Secured)
	got := worst(Judge(r, e))
	for id, want := range map[string]string{"SRTP-NOT-SUPPORTED": "pass", "SRTP-NOT-REQUIRED": "pass", "UM-SRTP-MISMATCH": "pass",
		"SRTP-MEDIA-AUTH-FAILED": "pass", "SDES-OVER-CLEARTEXT": "pass", "MTLS-NOT-REQUIRED": "pass", "UM-MTLS-NOT-ENFORCED": "pass"} {
		if got[id] != want {
			t.Errorf("%s = %q, want %q", id, got[id], want)
		}
	}

	// Without the client certificate.
	cfg.ClientCert = nil
	r = ProbeEndpoint(testCtx(t, 30*time.Second), kamailioTarget(t, m.Kamailio), cfg)
	if !r.NeedsClientCert || len(r.Options) != 0 {
		t.Fatalf("needs cert %v, options %d\n%s", r.NeedsClientCert, len(r.Options), r.Evidence)
	}
	got = worst(Judge(r, e))
	for id, want := range map[string]string{"MTLS-NOT-REQUIRED": "pass", "SIP-NO-RESPONSE": "inconclusive", "SRTP-NOT-SUPPORTED": "inconclusive"} {
		if got[id] != want {
			t.Errorf("without a certificate: %s = %q, want %q", id, got[id], want)
		}
	}
}

// TestInteropKamailioTLS10: Kamailio speaking only TLS 1.0 with static-RSA
// CBC suites, what OCS 2007 R2 on Windows Server 2008 offers, in front of
// baresip: OPTIONS and the INVITEs go through the SIP leg over TLS 1.0, and
// the weakness is reported (TLS-VERSION-WEAK, TLS-NO-FORWARD-SECRECY), not
// turned into SIP-NO-RESPONSE.
func TestInteropKamailioTLS10(t *testing.T) {
	t.Parallel()
	pki := testpki.NewT(t)
	files := peers.RSAServerFiles(t, pki)
	ua := peers.StartBaresip(t, peers.BaresipConfig{MediaEnc: "srtp"})
	k := peers.StartKamailio(t, peers.KamailioConfig{RelayTo: ua.Addr,
		TLS: &peers.KamailioTLS{Files: files, Method: "TLSv1", Ciphers: "AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0"}})
	cfg := Config{Timeout: 4 * time.Second, MediaDuration: 400 * time.Millisecond, RootCAs: pki.CAPool, ServerName: "localhost",
		To: ua.User, Enumerate: true, Offers: []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferMSOptional, srtpcheck.OfferPlain}}
	r := ProbeEndpoint(testCtx(t, 60*time.Second), kamailioTarget(t, k), cfg)
	if h := r.TLS.Handshake; h == nil || h.VersionID != tls.VersionTLS10 {
		t.Fatalf("tlsprobe handshake %+v", h)
	}
	if len(r.Options) != 1 || r.Options[0].Code != 200 {
		t.Fatalf("OPTIONS over TLS 1.0: %+v\n%s", r.Options, k.Log())
	}
	for _, o := range r.Offers {
		if o.Code != 200 {
			t.Errorf("%s over TLS 1.0: %s", o.Name, o.Evidence())
		}
	}
	if r.Effective == nil || *r.Effective != matrix.Optional {
		t.Errorf("effective %v (%s)", r.Effective, r.EffectiveReason)
	}
	fs := Judge(r, liveExpect(matrix.RoleMediationExternal))
	got := worst(fs)
	for id, want := range map[string]string{"TLS-VERSION-WEAK": "warn", "TLS-NO-FORWARD-SECRECY": "warn", "SIP-NO-RESPONSE": "pass",
		"SIP-OPTIONS-STATUS": "pass", "SRTP-NOT-SUPPORTED": "pass", "SRTP-MEDIA-AUTH-FAILED": "pass", "GW-NO-TLS": "pass"} {
		if got[id] != want {
			t.Errorf("%s = %q, want %q", id, got[id], want)
		}
	}
	if t.Failed() {
		t.Log(dumpFindings(fs))
	}
}
