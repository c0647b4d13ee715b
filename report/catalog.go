package report

import (
	"fmt"
	"sort"
	"sync"
)

// Check is one entry of the check catalog: what a check ID means, why the
// rule exists and how to fix a violation. IDs are stable once released.
type Check struct {
	ID       string   `json:"id"`
	Area     string   `json:"area"`     // catalog section, e.g. "TLS", "SRTP"
	Title    string   `json:"title"`    // short name of the problem
	Severity Severity `json:"severity"` // default severity of a violation
	Why      string   `json:"why"`      // the rule and its reason
	Fix      string   `json:"fix"`      // what the administrator does about it
	Ref      string   `json:"ref"`      // the rule's source
}

// Areas lists the catalog sections in display order.
var Areas = []string{"UM / matrix", "TLS", "MTLS", "SIP / edges", "SRTP", "gateway / media", "capture"}

var (
	catalogMu sync.RWMutex
	catalog   = map[string]Check{}
)

// Register adds checks to the catalog. It panics on a duplicate or an
// incomplete entry: the catalog is built at init time from constants.
func Register(checks ...Check) {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	for _, c := range checks {
		if c.ID == "" || c.Title == "" || c.Why == "" || c.Fix == "" || c.Area == "" {
			panic(fmt.Sprintf("report: incomplete catalog entry %+v", c))
		}
		if _, dup := catalog[c.ID]; dup {
			panic("report: duplicate check ID " + c.ID)
		}
		catalog[c.ID] = c
	}
}

// Lookup returns the catalog entry for id.
func Lookup(id string) (Check, bool) {
	catalogMu.RLock()
	defer catalogMu.RUnlock()
	c, ok := catalog[id]
	return c, ok
}

// Checks returns the whole catalog, ordered by area (as in [Areas]) then ID.
func Checks() []Check {
	catalogMu.RLock()
	defer catalogMu.RUnlock()
	rank := map[string]int{}
	for i, a := range Areas {
		rank[a] = i
	}
	out := make([]Check, 0, len(catalog))
	for _, c := range catalog {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, okI := rank[out[i].Area]
		rj, okJ := rank[out[j].Area]
		if !okI {
			ri = len(Areas)
		}
		if !okJ {
			rj = len(Areas)
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// References used by the catalog. The domain notes behind them are in
// docs/domain-notes.md.
const (
	refOCSUM    = "OCS 2007 R2 + Exchange 2007 SP1 UM: mutual TLS is required between Exchange UM and Office Communications Server (Plan for Exchange Server 2007 SP1 Unified Messaging in OCS, bb803653)"
	refMatrix   = "UM dial plan VoIPSecurity vs OCS/Lync EncryptionLevel: SIPSecured works with rejected/optional, Secured with optional/required (Set-UMDialPlan -VoIPSecurity; Set-CsMediaConfiguration -EncryptionLevel; MS-SDP §3)"
	refMTLS     = "Server-to-server SIP in OCS/Lync is mutual TLS; the Mediation Server internal edge (5061) is always MTLS (TLS and MTLS for Skype for Business Server; OCS 2007 R2 Mediation Server planning)"
	refRFC5922  = "RFC 5922 §7.1-7.2: SIP servers are identified by DNS names in subjectAltName; the CN is not used when SANs are present; no wildcards"
	refRFC8996  = "RFC 8996: TLS 1.0 and 1.1 are deprecated; RFC 7568: SSL 3.0 is deprecated"
	refRFC7525  = "RFC 7525 / RFC 9325 §4: no NULL, EXPORT, anonymous, RC4 or 3DES cipher suites"
	refRFC5280  = "RFC 5280 §4.1.2.5 (validity), §4.2.1.12 (extended key usage)"
	refSFBMTLS  = "TLS and MTLS (Skype for Business Server): certificates must chain to a CA both sides trust"
	refSIP      = "RFC 3261 §11 (OPTIONS) and §18 (transport)"
	refEdges    = "OCS 2007 R2 Mediation Server planning: the internal edge (5061) and external edge (5060) listen on different IP addresses (two NICs), keeping trusted and untrusted PSTN traffic apart"
	refSRTP     = "RFC 3711 (SRTP); media between the Mediation Server and the OCS network is SRTP; MS-SDPEXT §3.1.5.1"
	refSDES     = "RFC 4568 §8.3: SDES keys travel in SDP and must only be sent over a secure (TLS) signalling channel"
	refDTLSSRTP = "RFC 5763 §5 / RFC 5764: the DTLS certificate must match a=fingerprint in the SDP"
	refGW       = "OCS 2007 R2 Deploy a Mediation Server: the media gateway should use TLS to the Mediation Server"
	refPorts    = "OCS/Lync media port range (Lync: 49152-57500 for internal servers); the plan's declared range"
	refIPsec    = "OCS 2007 R2: where IPsec is used, a small media port range must be excepted from it, or call setup becomes unacceptably slow"
)

func init() {
	Register(
		// UM / matrix
		Check{ID: "UM-VOIPSEC-UNSECURED", Area: "UM / matrix", Title: "UM dial plan is Unsecured", Severity: Fail,
			Why: "An Unsecured dial plan signals over TCP without mutual TLS. Office Communications Server requires MTLS to Exchange UM, so an Unsecured dial plan never works with OCS.",
			Fix: "Set-UMDialPlan -VoIPSecurity SIPSecured (or Secured when clients require encryption), assign a certificate to UM, and point the UM IP gateway at the OCS pool FQDN on port 5061.",
			Ref: refOCSUM},
		Check{ID: "UM-ENCRYPTION-INCOMPATIBLE", Area: "UM / matrix", Title: "dial plan VoIPSecurity and client encryption level are incompatible", Severity: Fail,
			Why: "SIPSecured dial plans carry plain RTP, so clients that require encryption get 488 Encryption Levels not compatible; Secured dial plans require SRTP, so clients that reject encryption cannot call.",
			Fix: "Use a Secured dial plan with optional or required clients, or a SIPSecured dial plan with rejected or optional clients (Set-UMDialPlan -VoIPSecurity, Set-CsMediaConfiguration -EncryptionLevel).",
			Ref: refMatrix},
		Check{ID: "UM-MTLS-NOT-ENFORCED", Area: "UM / matrix", Title: "declared level needs mutual TLS, the endpoint does not enforce it", Severity: Fail,
			Why: "SIPSecured and Secured dial plans mean signalling over mutual TLS on 5061. An endpoint that completes a handshake without a client certificate, or answers SIP over TCP/UDP, does not enforce what the plan declares.",
			Fix: "Require client certificates on the TLS listener (UM startup mode TLS, Mediation Server internal edge MTLS) and close the cleartext listener, or correct the declared level.",
			Ref: refOCSUM},
		Check{ID: "UM-SRTP-MISMATCH", Area: "UM / matrix", Title: "declared media encryption differs from what the endpoint negotiates", Severity: Fail,
			Why: "A Secured dial plan requires SRTP, a SIPSecured one carries RTP. When the endpoint's effective encryption level differs from the declared one, calls fail with 488 or run unencrypted.",
			Fix: "Align the endpoint's media encryption (dial plan VoIPSecurity, Set-CsMediaConfiguration -EncryptionLevel) with the declared level, or correct the declaration.",
			Ref: refMatrix},
		// TLS
		Check{ID: "TLS-HANDSHAKE-FAILED", Area: "TLS", Title: "TLS handshake failed", Severity: Fail,
			Why: "SIPSecured and Secured signalling runs over TLS; an edge that cannot complete a handshake cannot carry calls.",
			Fix: "Check that the listener has a certificate bound, that it speaks TLS on this port, and that client and server share a protocol version and cipher suite.",
			Ref: refSFBMTLS},
		Check{ID: "TLS-VERSION-WEAK", Area: "TLS", Title: "server accepts a deprecated TLS version", Severity: Warn,
			Why: "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated and have practical attacks.",
			Fix: "Disable SSL 3.0, TLS 1.0 and TLS 1.1 in SChannel (or the SIP server's TLS settings) once every peer supports TLS 1.2.",
			Ref: refRFC8996},
		Check{ID: "TLS-CIPHER-WEAK", Area: "TLS", Title: "server accepts a weak cipher suite", Severity: Warn,
			Why: "NULL, EXPORT, anonymous, RC4, DES and 3DES suites give no or breakable confidentiality or authentication.",
			Fix: "Remove the listed suites from the server's cipher-suite order.",
			Ref: refRFC7525},
		Check{ID: "TLS-NO-FORWARD-SECRECY", Area: "TLS", Title: "no accepted cipher suite gives forward secrecy", Severity: Warn,
			Why: "With static RSA (or static DH) key exchange, whoever obtains the server's private key later can decrypt every recorded session, the SDES keys in the SDP bodies included, and with them the recorded SRTP media. Older Windows servers put TLS_RSA_* suites first in their default order.",
			Fix: "Put ECDHE suites first and remove the TLS_RSA_* suites from the SChannel cipher-suite order: Group Policy Computer Configuration > Administrative Templates > Network > SSL Configuration Settings > SSL Cipher Suite Order (or IIS Crypto), then restart the server; Windows Server 2003 has no ECDHE suites and must be upgraded. On other SIP servers, enable ECDHE (or DHE) suites in the TLS settings.",
			Ref: "RFC 9325 §4.1 (forward secrecy: prefer ephemeral key exchange); nmap ssl-enum-ciphers warns the same"},
		Check{ID: "TLS-CERT-UNTRUSTED", Area: "TLS", Title: "server certificate does not chain to a trusted CA", Severity: Fail,
			Why: "OCS, Lync and Exchange UM reject peers whose certificate chain they cannot build to a trusted root; calls fail at the TLS handshake.",
			Fix: "Issue the certificate from the CA the peers trust, send the full chain (leaf then intermediates, in order), and import the root into the peers' trusted root store.",
			Ref: refSFBMTLS},
		Check{ID: "TLS-CERT-EXPIRED", Area: "TLS", Title: "certificate expired or not yet valid", Severity: Fail,
			Why: "An expired or not-yet-valid certificate fails every handshake with a validating peer.",
			Fix: "Renew the certificate and assign the new one to the service.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-EXPIRING", Area: "TLS", Title: "certificate expires soon", Severity: Warn,
			Why: "When the certificate expires, signalling stops and calls fail.",
			Fix: "Renew the certificate before it expires.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-NAME-MISMATCH", Area: "TLS", Title: "certificate does not name the server", Severity: Fail,
			Why: "SIP peers match the FQDN they connect to against the certificate's subjectAltName DNS names; the CN is not used for SIP and wildcards are not accepted.",
			Fix: "Issue a certificate whose subjectAltName contains the FQDN peers use (the pool, Mediation Server or UM FQDN).",
			Ref: refRFC5922},
		Check{ID: "TLS-CERT-EKU", Area: "TLS", Title: "certificate lacks a needed extended key usage", Severity: Fail,
			Why: "A TLS server certificate needs Server Authentication; servers taking part in mutual TLS (OCS, Mediation Server, Exchange UM) present the same certificate as clients and need Client Authentication too.",
			Fix: "Reissue the certificate with both Server Authentication (1.3.6.1.5.5.7.3.1) and Client Authentication (1.3.6.1.5.5.7.3.2) EKUs.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-WEAK-KEY", Area: "TLS", Title: "weak key in the certificate chain", Severity: Warn,
			Why: "RSA keys below 2048 bits and EC keys below 256 bits can be factored or solved with feasible effort.",
			Fix: "Reissue with an RSA 2048+ or ECDSA P-256+ key.",
			Ref: "NIST SP 800-131A Rev. 2"},
		Check{ID: "TLS-CERT-WEAK-SIGNATURE", Area: "TLS", Title: "weak signature in the certificate chain", Severity: Warn,
			Why: "MD5 and SHA-1 signatures allow certificate forgery by collision.",
			Fix: "Reissue the certificate (and intermediates) signed with SHA-256 or better.",
			Ref: "RFC 6151 (MD5), RFC 9155 (SHA-1)"},
		// MTLS
		Check{ID: "MTLS-NOT-REQUESTED", Area: "MTLS", Title: "server does not request a client certificate", Severity: Fail,
			Why: "Mutual TLS between OCS, the Mediation Server and Exchange UM authenticates both servers; a server that never asks for a client certificate authenticates no one.",
			Fix: "Enable mutual TLS on the listener (Mediation Server internal edge, UM TLS startup mode) and configure the peers as trusted servers.",
			Ref: refMTLS},
		Check{ID: "MTLS-NOT-REQUIRED", Area: "MTLS", Title: "server accepts a connection without a client certificate", Severity: Fail,
			Why: "The server asks for a client certificate but completes the handshake without one, so any host can send it SIP as if it were a trusted server.",
			Fix: "Make the client certificate mandatory on the listener, not merely requested.",
			Ref: refMTLS},
		Check{ID: "MTLS-CLIENT-CERT-REJECTED", Area: "MTLS", Title: "server rejects the probe's client certificate", Severity: Fail,
			Why: "The peer that uses this certificate (OCS, UM, Mediation Server) would be rejected the same way, and calls would fail.",
			Fix: "Trust the client certificate's issuing CA on the server (its CA names list shows which CAs it accepts) and check the certificate's Client Authentication EKU.",
			Ref: refMTLS},
		// SIP / edges
		Check{ID: "SIP-NO-RESPONSE", Area: "SIP / edges", Title: "no SIP response", Severity: Fail,
			Why: "The edge took the request but answered neither OPTIONS nor INVITE within the timeout; calls through it would fail. (A target that refuses every connection or does not resolve is an operational error, not this finding.)",
			Fix: "Check that a SIP service listens on this address and port and that the transport (UDP, TCP, TLS) is the one it expects.",
			Ref: refSIP},
		Check{ID: "SIP-OPTIONS-STATUS", Area: "SIP / edges", Title: "OPTIONS answered with an error status", Severity: Warn,
			Why: "A SIP server that is up answers OPTIONS with 200 OK; other answers show it rejects requests from this source or is not ready. An edge that answers INVITE but not OPTIONS breaks OCS's gateway keep-alive, which is OPTIONS.",
			Fix: "Read the status and reason phrase; add the probe host as a trusted peer if needed; make the edge answer OPTIONS.",
			Ref: refSIP},
		Check{ID: "SIP-CLEARTEXT-ACCEPTED", Area: "SIP / edges", Title: "cleartext SIP accepted where TLS is required", Severity: Fail,
			Why: "SIPSecured and Secured dial plans and the gateway leg require SIP over TLS; an edge that also answers over UDP or TCP lets calls (and SDES keys) travel in clear.",
			Fix: "Close the cleartext listener (UM startup mode TLS, Mediation Server gateway transport TLS).",
			Ref: refOCSUM},
		Check{ID: "SIP-REDIRECT-NOT-FOLLOWED", Area: "SIP / edges", Title: "call redirected where voipsec does not follow", Severity: Warn,
			Why: "A 3xx sends the call elsewhere (Exchange UM's call router sends it to a worker). voipsec follows it only to the same host or to hosts it was told to probe, so a Contact cannot point the probe, its client certificate or its calls at an arbitrary host; a redirect to another host, a loop or an unusable Contact leaves the media security of the calls there unchecked.",
			Fix: "If the host in the Contact belongs to the deployment, name it so that it is probed too (a plan endpoint, or the probe's redirect hosts); otherwise correct the edge's redirect (call router, routing rules).",
			Ref: "RFC 3261 §8.1.3.4 (redirect responses); Exchange 2010 UM call router redirect"},
		Check{ID: "EDGE-SHARED-ADDRESS", Area: "SIP / edges", Title: "Mediation Server internal and external edges share an IP address", Severity: Fail,
			Why: "The internal edge carries trusted OCS traffic and the external edge untrusted PSTN gateway traffic; they must listen on different IP addresses (two NICs).",
			Fix: "Bind the internal and external edges to different network adapters and IP addresses.",
			Ref: refEdges},
		// SRTP
		Check{ID: "SRTP-NOT-SUPPORTED", Area: "SRTP", Title: "endpoint does not negotiate SRTP", Severity: Fail,
			Why: "Every SRTP offer the edge decided on was refused (488/606, or answered without SRTP), so media runs unencrypted or the call fails where encryption is required. Answers that say nothing about media (404, 403, 408, busy, 5xx, no answer) leave the check inconclusive, as does 488 to every offer, the plain one included (a codec mismatch).",
			Fix: "Enable SRTP (Secured dial plan, EncryptionLevel SupportEncryption/RequireEncryption, SRTP on the gateway trunk).",
			Ref: refSRTP},
		Check{ID: "SRTP-NOT-REQUIRED", Area: "SRTP", Title: "plain RTP accepted where SRTP is required", Severity: Fail,
			Why: "The policy requires encrypted media, but the endpoint answered an offer without SRTP with plain RTP.",
			Fix: "Set the endpoint to require encryption (Secured dial plan, RequireEncryption) so plain offers get 488.",
			Ref: refSRTP},
		Check{ID: "SRTP-WEAK-SUITE", Area: "SRTP", Title: "weak SRTP crypto suite chosen", Severity: Warn,
			Why: "AES_CM_128_HMAC_SHA1_32 truncates the RTP authentication tag to 32 bits; NULL suites give no confidentiality or integrity.",
			Fix: "Prefer AES_CM_128_HMAC_SHA1_80 (the only suite MS-SDPEXT supports) or an AEAD suite.",
			Ref: "RFC 4568 §6.2; MS-SDPEXT §3.1.5.1"},
		Check{ID: "SRTP-MEDIA-AUTH-FAILED", Area: "SRTP", Title: "SRTP media failed authentication", Severity: Fail,
			Why: "Packets from the peer did not authenticate with the negotiated key: keys, MKI or suite disagree, and the peer's audio would be dropped.",
			Fix: "Check the key exchange (a=crypto key-params, MKI length) and the SRTP implementation on the peer.",
			Ref: "RFC 3711 §3.4"},
		Check{ID: "SRTP-NO-MEDIA", Area: "SRTP", Title: "no media received", Severity: Warn,
			Why: "The call was answered but no media arrived from the peer within the media window; calls would be silent.",
			Fix: "Check firewalls and NAT for the media port range and that the peer sends media to the address in the offer.",
			Ref: refSRTP},
		Check{ID: "SDES-OVER-CLEARTEXT", Area: "SRTP", Title: "SDES keys sent over cleartext signalling", Severity: Fail,
			Why: "a=crypto carries the SRTP master key in the SDP; over UDP or TCP anyone on the path can read it and decrypt the media.",
			Fix: "Use SIP over TLS wherever SDES is offered or answered.",
			Ref: refSDES},
		Check{ID: "SDP-ANSWER-MALFORMED", Area: "SRTP", Title: "malformed SDP in an answer", Severity: Warn,
			Why: "The edge accepted an offer with an SDP answer voipsec could not fully parse (a bad a=crypto line, RTP/SAVP without a key, a bad address or port); real peers may drop such a call or run it without media.",
			Fix: "Read the listed problems and fix the SDP the edge (or the SBC in front of it) generates.",
			Ref: "RFC 4566 (SDP); RFC 4568 §9.1 (a=crypto grammar); RFC 3264 §6 (answers)"},
		Check{ID: "DTLS-FINGERPRINT-MISMATCH", Area: "SRTP", Title: "DTLS certificate does not match a=fingerprint", Severity: Fail,
			Why: "DTLS-SRTP authenticates the media key exchange through the fingerprint in the signalled SDP; a mismatch means a man in the middle or a broken peer.",
			Fix: "Check that the endpoint signals the fingerprint of the certificate it uses for DTLS.",
			Ref: refDTLSSRTP},
		// gateway / media
		Check{ID: "GW-NO-TLS", Area: "gateway / media", Title: "gateway leg does not use TLS", Severity: Fail,
			Why: "The media gateway leg should use TLS to the Mediation Server; otherwise signalling and SDES keys cross the network in clear.",
			Fix: "Configure the gateway and the Mediation Server's gateway listener for TLS.",
			Ref: refGW},
		Check{ID: "MEDIA-PORT-OUT-OF-RANGE", Area: "gateway / media", Title: "media outside the declared port range", Severity: Warn,
			Why: "Firewall rules and IPsec exceptions are written for the declared media port range; media outside it is blocked or slowed.",
			Fix: "Align the endpoint's media port range with the declared one, or correct the declaration.",
			Ref: refPorts},
		Check{ID: "IPSEC-NO-MEDIA-EXCEPTION", Area: "gateway / media", Title: "IPsec without a (small) media port exception", Severity: Fail,
			Why: "Where IPsec is used, media ports must be excepted from it; IPsec negotiation on every media flow makes call setup unacceptably slow.",
			Fix: "Add an IPsec exception covering the whole media port range, and keep the range small.",
			Ref: refIPsec},
		// capture
		Check{ID: "CAP-SDES-KEY-EXPOSED", Area: "capture", Title: "SRTP key visible in cleartext SIP", Severity: Fail,
			Why: "The capture holds a=crypto master keys in SIP that was not inside TLS; anyone who saw the traffic can decrypt the media.",
			Fix: "Move the signalling to TLS; treat the exposed keys and the calls they protected as compromised.",
			Ref: refSDES},
		Check{ID: "CAP-RTP-UNENCRYPTED", Area: "capture", Title: "media stream in clear RTP", Severity: Fail,
			Why: "Media between the Mediation Server and the OCS network must be SRTP; a clear RTP stream can be listened to.",
			Fix: "Require SRTP on the endpoints that negotiated this stream.",
			Ref: refSRTP},
		Check{ID: "CAP-TLS-NO-MTLS", Area: "capture", Title: "TLS on a SIP port without a client certificate", Severity: Fail,
			Why: "Server-to-server SIP in OCS/Lync is mutual TLS; a session in which no client certificate was requested or sent is not.",
			Fix: "Require client certificates on the server side of this session.",
			Ref: refMTLS},
		Check{ID: "CAP-TLS-VERSION-WEAK", Area: "capture", Title: "deprecated TLS version negotiated", Severity: Warn,
			Why: "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated and have practical attacks.",
			Fix: "Disable the old versions on both ends.",
			Ref: refRFC8996},
		Check{ID: "CAP-SIP-CLEARTEXT", Area: "capture", Title: "cleartext SIP", Severity: Warn,
			Why: "SIP over UDP or TCP exposes call parties, routing and any SDES keys to the network.",
			Fix: "Use SIP over TLS.",
			Ref: refOCSUM},
	)
}
