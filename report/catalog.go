package report

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Check is one entry of the check catalog: what a check ID means, why the
// rule exists and how to fix a violation. IDs are stable once released.
//
// An ID and its Title name the problem ("TLS-HANDSHAKE-FAILED", "TLS
// handshake failed"); Property names what the check tests, phrased as what
// holds when it passes ("TLS handshake completes"). Reports show the
// property wherever a check is listed whatever its outcome (text rows, HTML
// tables, JUnit test case names), so that a pass never reads like a
// failure, and the ID beside it for scripts and for `voipsec help ID`.
type Check struct {
	ID       string   `json:"id"`
	Area     string   `json:"area"`     // catalog section, e.g. "TLS", "SRTP"
	Property string   `json:"property"` // what holds when the check passes, e.g. "server requires a client certificate"
	Title    string   `json:"title"`    // short name of the problem
	Severity Severity `json:"severity"` // default severity of a violation
	Why      string   `json:"why"`      // the rule and its reason
	Fix      string   `json:"fix"`      // what the administrator does about it
	Ref      string   `json:"ref"`      // the rule's source
}

// Areas lists the catalog sections in display order.
var Areas = []string{"UM / matrix", "TLS", "MTLS", "SIP / edges", "SRTP", "gateway / media", "capture", "access"}

var (
	catalogMu sync.RWMutex
	catalog   = map[string]Check{}
)

// Register adds checks to the catalog. It panics on a duplicate or an
// incomplete entry, naming every entry of the call that lacks a field and
// which: the catalog is built at init time from constants.
func Register(checks ...Check) {
	var problems []string
	for _, c := range checks {
		if err := c.validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		panic("report: incomplete catalog entries:\n\t" + strings.Join(problems, "\n\t") + "\n" + propertyHelp)
	}
	catalogMu.Lock()
	defer catalogMu.Unlock()
	for _, c := range checks {
		if _, dup := catalog[c.ID]; dup {
			panic("report: duplicate check ID " + c.ID)
		}
		for _, o := range catalog {
			if strings.EqualFold(strings.TrimSpace(o.Property), strings.TrimSpace(c.Property)) {
				panic(fmt.Sprintf("report: catalog entries %s and %s both test %q: each check names its own property (JUnit test cases are named by it)", o.ID, c.ID, c.Property))
			}
		}
		catalog[c.ID] = c
	}
}

const propertyHelp = `Property names what a check tests, phrased as what holds when it passes: Title "TLS handshake failed" has Property "TLS handshake completes", Title "server accepts a connection without a client certificate" has "server requires a client certificate".`

// validate says which fields a catalog entry lacks.
func (c Check) validate() error {
	var missing []string
	for _, f := range []struct{ field, v string }{
		{"ID", c.ID}, {"Area", c.Area}, {"Property", c.Property}, {"Title", c.Title}, {"Why", c.Why}, {"Fix", c.Fix},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.field)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	name := c.ID
	if name == "" {
		name = fmt.Sprintf("%q", c.Title)
	}
	return fmt.Errorf("%s has no %s", name, strings.Join(missing, ", "))
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
		Check{ID: "UM-VOIPSEC-UNSECURED", Area: "UM / matrix",
			Property: "UM dial plan is SIPSecured or Secured", Title: "UM dial plan is Unsecured", Severity: Fail,
			Why: "An Unsecured dial plan signals over TCP without mutual TLS. Office Communications Server requires MTLS to Exchange UM, so an Unsecured dial plan never works with OCS.",
			Fix: "Set-UMDialPlan -VoIPSecurity SIPSecured (or Secured when clients require encryption), assign a certificate to UM, and point the UM IP gateway at the OCS pool FQDN on port 5061.",
			Ref: refOCSUM},
		Check{ID: "UM-ENCRYPTION-INCOMPATIBLE", Area: "UM / matrix",
			Property: "dial plan VoIPSecurity works with the client encryption level", Title: "dial plan VoIPSecurity and client encryption level are incompatible", Severity: Fail,
			Why: "SIPSecured dial plans carry plain RTP, so clients that require encryption get 488 Encryption Levels not compatible; Secured dial plans require SRTP, so clients that reject encryption cannot call.",
			Fix: "Use a Secured dial plan with optional or required clients, or a SIPSecured dial plan with rejected or optional clients (Set-UMDialPlan -VoIPSecurity, Set-CsMediaConfiguration -EncryptionLevel).",
			Ref: refMatrix},
		Check{ID: "UM-MTLS-NOT-ENFORCED", Area: "UM / matrix",
			Property: "endpoint enforces the mutual TLS its declared level needs", Title: "declared level needs mutual TLS, the endpoint does not enforce it", Severity: Fail,
			Why: "SIPSecured and Secured dial plans mean signalling over mutual TLS on 5061. An endpoint that completes a handshake without a client certificate, or answers SIP over TCP/UDP, does not enforce what the plan declares.",
			Fix: "Require client certificates on the TLS listener (UM startup mode TLS, Mediation Server internal edge MTLS) and close the cleartext listener, or correct the declared level.",
			Ref: refOCSUM},
		Check{ID: "UM-SRTP-MISMATCH", Area: "UM / matrix",
			Property: "endpoint negotiates the media encryption its declared level needs", Title: "declared media encryption differs from what the endpoint negotiates", Severity: Fail,
			Why: "A Secured dial plan requires SRTP, a SIPSecured one carries RTP. When the endpoint's effective encryption level differs from the declared one, calls fail with 488 or run unencrypted.",
			Fix: "Align the endpoint's media encryption (dial plan VoIPSecurity, Set-CsMediaConfiguration -EncryptionLevel) with the declared level, or correct the declaration.",
			Ref: refMatrix},
		// TLS
		Check{ID: "TLS-HANDSHAKE-FAILED", Area: "TLS",
			Property: "TLS handshake completes", Title: "TLS handshake failed", Severity: Fail,
			Why: "SIPSecured and Secured signalling runs over TLS; an edge that cannot complete a handshake cannot carry calls.",
			Fix: "Check that the listener has a certificate bound, that it speaks TLS on this port, and that client and server share a protocol version and cipher suite.",
			Ref: refSFBMTLS},
		Check{ID: "TLS-VERSION-WEAK", Area: "TLS",
			Property: "server refuses deprecated TLS versions", Title: "server accepts a deprecated TLS version", Severity: Warn,
			Why: "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated and have practical attacks.",
			Fix: "Disable SSL 3.0, TLS 1.0 and TLS 1.1 in SChannel (or the SIP server's TLS settings) once every peer supports TLS 1.2.",
			Ref: refRFC8996},
		Check{ID: "TLS-CIPHER-WEAK", Area: "TLS",
			Property: "server refuses weak cipher suites", Title: "server accepts a weak cipher suite", Severity: Warn,
			Why: "NULL, EXPORT, anonymous, RC4, DES and 3DES suites give no or breakable confidentiality or authentication.",
			Fix: "Remove the listed suites from the server's cipher-suite order.",
			Ref: refRFC7525},
		Check{ID: "TLS-NO-FORWARD-SECRECY", Area: "TLS",
			Property: "server offers forward secrecy", Title: "no accepted cipher suite gives forward secrecy", Severity: Warn,
			Why: "With static RSA (or static DH) key exchange, whoever obtains the server's private key later can decrypt every recorded session, the SDES keys in the SDP bodies included, and with them the recorded SRTP media. Older Windows servers put TLS_RSA_* suites first in their default order.",
			Fix: "Put ECDHE suites first and remove the TLS_RSA_* suites from the SChannel cipher-suite order: Group Policy Computer Configuration > Administrative Templates > Network > SSL Configuration Settings > SSL Cipher Suite Order (or IIS Crypto), then restart the server; Windows Server 2003 has no ECDHE suites and must be upgraded. On other SIP servers, enable ECDHE (or DHE) suites in the TLS settings.",
			Ref: "RFC 9325 §4.1 (forward secrecy: prefer ephemeral key exchange); nmap ssl-enum-ciphers warns the same"},
		Check{ID: "TLS-CERT-UNTRUSTED", Area: "TLS",
			Property: "certificate chains to a trusted CA", Title: "server certificate does not chain to a trusted CA", Severity: Fail,
			Why: "OCS, Lync and Exchange UM reject peers whose certificate chain they cannot build to a trusted root; calls fail at the TLS handshake.",
			Fix: "Issue the certificate from the CA the peers trust, send the full chain (leaf then intermediates, in order), and import the root into the peers' trusted root store.",
			Ref: refSFBMTLS},
		Check{ID: "TLS-CERT-EXPIRED", Area: "TLS",
			Property: "certificate is within its validity period", Title: "certificate expired or not yet valid", Severity: Fail,
			Why: "An expired or not-yet-valid certificate fails every handshake with a validating peer.",
			Fix: "Renew the certificate and assign the new one to the service.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-EXPIRING", Area: "TLS",
			Property: "certificate is not about to expire", Title: "certificate expires soon", Severity: Warn,
			Why: "When the certificate expires, signalling stops and calls fail.",
			Fix: "Renew the certificate before it expires.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-NAME-MISMATCH", Area: "TLS",
			Property: "certificate names the server", Title: "certificate does not name the server", Severity: Fail,
			Why: "SIP peers match the FQDN they connect to against the certificate's subjectAltName DNS names; the CN is not used for SIP and wildcards are not accepted.",
			Fix: "Issue a certificate whose subjectAltName contains the FQDN peers use (the pool, Mediation Server or UM FQDN).",
			Ref: refRFC5922},
		Check{ID: "TLS-CERT-EKU", Area: "TLS",
			Property: "certificate has the extended key usages it needs", Title: "certificate lacks a needed extended key usage", Severity: Fail,
			Why: "A TLS server certificate needs Server Authentication; servers taking part in mutual TLS (OCS, Mediation Server, Exchange UM) present the same certificate as clients and need Client Authentication too.",
			Fix: "Reissue the certificate with both Server Authentication (1.3.6.1.5.5.7.3.1) and Client Authentication (1.3.6.1.5.5.7.3.2) EKUs.",
			Ref: refRFC5280},
		Check{ID: "TLS-CERT-WEAK-KEY", Area: "TLS",
			Property: "certificate chain uses strong keys", Title: "weak key in the certificate chain", Severity: Warn,
			Why: "RSA keys below 2048 bits and EC keys below 256 bits can be factored or solved with feasible effort.",
			Fix: "Reissue with an RSA 2048+ or ECDSA P-256+ key.",
			Ref: "NIST SP 800-131A Rev. 2"},
		Check{ID: "TLS-CERT-WEAK-SIGNATURE", Area: "TLS",
			Property: "certificate chain uses strong signatures", Title: "weak signature in the certificate chain", Severity: Warn,
			Why: "MD5 and SHA-1 signatures allow certificate forgery by collision.",
			Fix: "Reissue the certificate (and intermediates) signed with SHA-256 or better.",
			Ref: "RFC 6151 (MD5), RFC 9155 (SHA-1)"},
		// MTLS
		Check{ID: "MTLS-NOT-REQUESTED", Area: "MTLS",
			Property: "server requests a client certificate", Title: "server does not request a client certificate", Severity: Fail,
			Why: "Mutual TLS between OCS, the Mediation Server and Exchange UM authenticates both servers; a server that never asks for a client certificate authenticates no one.",
			Fix: "Enable mutual TLS on the listener (Mediation Server internal edge, UM TLS startup mode) and configure the peers as trusted servers.",
			Ref: refMTLS},
		Check{ID: "MTLS-NOT-REQUIRED", Area: "MTLS",
			Property: "server requires a client certificate", Title: "server accepts a connection without a client certificate", Severity: Fail,
			Why: "The server asks for a client certificate but completes the handshake without one, so any host can send it SIP as if it were a trusted server.",
			Fix: "Make the client certificate mandatory on the listener, not merely requested.",
			Ref: refMTLS},
		Check{ID: "MTLS-CLIENT-CERT-REJECTED", Area: "MTLS",
			Property: "server accepts the probe's client certificate", Title: "server rejects the probe's client certificate", Severity: Fail,
			Why: "The peer that uses this certificate (OCS, UM, Mediation Server) would be rejected the same way, and calls would fail.",
			Fix: "Trust the client certificate's issuing CA on the server (its CA names list shows which CAs it accepts) and check the certificate's Client Authentication EKU.",
			Ref: refMTLS},
		// SIP / edges
		Check{ID: "SIP-NO-RESPONSE", Area: "SIP / edges",
			Property: "edge answers SIP", Title: "no SIP response", Severity: Fail,
			Why: "The edge took the request but answered neither OPTIONS nor INVITE within the timeout; calls through it would fail. (A target that refuses every connection or does not resolve is an operational error, not this finding.)",
			Fix: "Check that a SIP service listens on this address and port and that the transport (UDP, TCP, TLS) is the one it expects.",
			Ref: refSIP},
		Check{ID: "SIP-OPTIONS-STATUS", Area: "SIP / edges",
			Property: "edge answers OPTIONS with 200 OK", Title: "OPTIONS answered with an error status", Severity: Warn,
			Why: "A SIP server that is up answers OPTIONS with 200 OK; other answers show it rejects requests from this source or is not ready. An edge that answers INVITE but not OPTIONS breaks OCS's gateway keep-alive, which is OPTIONS.",
			Fix: "Read the status and reason phrase; add the probe host as a trusted peer if needed; make the edge answer OPTIONS.",
			Ref: refSIP},
		Check{ID: "SIP-CLEARTEXT-ACCEPTED", Area: "SIP / edges",
			Property: "edge refuses cleartext SIP where TLS is required", Title: "cleartext SIP accepted where TLS is required", Severity: Fail,
			Why: "SIPSecured and Secured dial plans and the gateway leg require SIP over TLS; an edge that also answers over UDP or TCP lets calls (and SDES keys) travel in clear.",
			Fix: "Close the cleartext listener (UM startup mode TLS, Mediation Server gateway transport TLS).",
			Ref: refOCSUM},
		Check{ID: "SIP-REDIRECT-NOT-FOLLOWED", Area: "SIP / edges",
			Property: "redirects stay within the probed deployment", Title: "call redirected where voipsec does not follow", Severity: Warn,
			Why: "A 3xx sends the call elsewhere (Exchange UM's call router sends it to a worker). voipsec follows it only to the same host or to hosts it was told to probe, so a Contact cannot point the probe, its client certificate or its calls at an arbitrary host; a redirect to another host, a loop or an unusable Contact leaves the media security of the calls there unchecked.",
			Fix: "If the host in the Contact belongs to the deployment, name it so that it is probed too (a plan endpoint, or the probe's redirect hosts); otherwise correct the edge's redirect (call router, routing rules).",
			Ref: "RFC 3261 §8.1.3.4 (redirect responses); Exchange 2010 UM call router redirect"},
		Check{ID: "EDGE-SHARED-ADDRESS", Area: "SIP / edges",
			Property: "Mediation Server edges listen on different IP addresses", Title: "Mediation Server internal and external edges share an IP address", Severity: Fail,
			Why: "The internal edge carries trusted OCS traffic and the external edge untrusted PSTN gateway traffic; they must listen on different IP addresses (two NICs).",
			Fix: "Bind the internal and external edges to different network adapters and IP addresses.",
			Ref: refEdges},
		// SRTP
		Check{ID: "SRTP-NOT-SUPPORTED", Area: "SRTP",
			Property: "endpoint negotiates SRTP", Title: "endpoint does not negotiate SRTP", Severity: Fail,
			Why: "Every SRTP offer the edge decided on was refused (488/606, or answered without SRTP), so media runs unencrypted or the call fails where encryption is required. Answers that say nothing about media (404, 403, 408, busy, 5xx, no answer) leave the check inconclusive, as does 488 to every offer, the plain one included (a codec mismatch).",
			Fix: "Enable SRTP (Secured dial plan, EncryptionLevel SupportEncryption/RequireEncryption, SRTP on the gateway trunk).",
			Ref: refSRTP},
		Check{ID: "SRTP-NOT-REQUIRED", Area: "SRTP",
			Property: "endpoint refuses plain RTP where SRTP is required", Title: "plain RTP accepted where SRTP is required", Severity: Fail,
			Why: "The policy requires encrypted media, but the endpoint answered an offer without SRTP with plain RTP.",
			Fix: "Set the endpoint to require encryption (Secured dial plan, RequireEncryption) so plain offers get 488.",
			Ref: refSRTP},
		Check{ID: "SRTP-WEAK-SUITE", Area: "SRTP",
			Property: "SRTP uses a strong crypto suite", Title: "weak SRTP crypto suite chosen", Severity: Warn,
			Why: "AES_CM_128_HMAC_SHA1_32 truncates the RTP authentication tag to 32 bits; NULL suites give no confidentiality or integrity.",
			Fix: "Prefer AES_CM_128_HMAC_SHA1_80 (the only suite MS-SDPEXT supports) or an AEAD suite.",
			Ref: "RFC 4568 §6.2; MS-SDPEXT §3.1.5.1"},
		Check{ID: "SRTP-MEDIA-AUTH-FAILED", Area: "SRTP",
			Property: "peer's SRTP media authenticates", Title: "SRTP media failed authentication", Severity: Fail,
			Why: "Packets from the peer did not authenticate with the negotiated key: keys, MKI or suite disagree, and the peer's audio would be dropped.",
			Fix: "Check the key exchange (a=crypto key-params, MKI length) and the SRTP implementation on the peer.",
			Ref: "RFC 3711 §3.4"},
		Check{ID: "SRTP-NO-MEDIA", Area: "SRTP",
			Property: "peer sends media", Title: "no media received", Severity: Warn,
			Why: "The call was answered but no media arrived from the peer within the media window; calls would be silent.",
			Fix: "Check firewalls and NAT for the media port range and that the peer sends media to the address in the offer.",
			Ref: refSRTP},
		Check{ID: "SDES-OVER-CLEARTEXT", Area: "SRTP",
			Property: "SDES keys travel only over TLS", Title: "SDES keys sent over cleartext signalling", Severity: Fail,
			Why: "a=crypto carries the SRTP master key in the SDP; over UDP or TCP anyone on the path can read it and decrypt the media.",
			Fix: "Use SIP over TLS wherever SDES is offered or answered.",
			Ref: refSDES},
		Check{ID: "SDP-ANSWER-MALFORMED", Area: "SRTP",
			Property: "SDP answers are well-formed", Title: "malformed SDP in an answer", Severity: Warn,
			Why: "The edge accepted an offer with an SDP answer voipsec could not fully parse (a bad a=crypto line, RTP/SAVP without a key, a bad address or port); real peers may drop such a call or run it without media.",
			Fix: "Read the listed problems and fix the SDP the edge (or the SBC in front of it) generates.",
			Ref: "RFC 4566 (SDP); RFC 4568 §9.1 (a=crypto grammar); RFC 3264 §6 (answers)"},
		Check{ID: "DTLS-FINGERPRINT-MISMATCH", Area: "SRTP",
			Property: "DTLS certificate matches a=fingerprint", Title: "DTLS certificate does not match a=fingerprint", Severity: Fail,
			Why: "DTLS-SRTP authenticates the media key exchange through the fingerprint in the signalled SDP; a mismatch means a man in the middle or a broken peer.",
			Fix: "Check that the endpoint signals the fingerprint of the certificate it uses for DTLS.",
			Ref: refDTLSSRTP},
		// gateway / media
		Check{ID: "GW-NO-TLS", Area: "gateway / media",
			Property: "gateway leg uses TLS", Title: "gateway leg does not use TLS", Severity: Fail,
			Why: "The media gateway leg should use TLS to the Mediation Server; otherwise signalling and SDES keys cross the network in clear.",
			Fix: "Configure the gateway and the Mediation Server's gateway listener for TLS.",
			Ref: refGW},
		Check{ID: "MEDIA-PORT-OUT-OF-RANGE", Area: "gateway / media",
			Property: "media stays in the declared port range", Title: "media outside the declared port range", Severity: Warn,
			Why: "Firewall rules and IPsec exceptions are written for the declared media port range; media outside it is blocked or slowed.",
			Fix: "Align the endpoint's media port range with the declared one, or correct the declaration.",
			Ref: refPorts},
		Check{ID: "IPSEC-NO-MEDIA-EXCEPTION", Area: "gateway / media",
			Property: "IPsec excepts a small media port range", Title: "IPsec without a (small) media port exception", Severity: Fail,
			Why: "Where IPsec is used, media ports must be excepted from it; IPsec negotiation on every media flow makes call setup unacceptably slow.",
			Fix: "Add an IPsec exception covering the whole media port range, and keep the range small.",
			Ref: refIPsec},
		// capture
		Check{ID: "CAP-SDES-KEY-EXPOSED", Area: "capture",
			Property: "SRTP keys stay out of cleartext SIP", Title: "SRTP key visible in cleartext SIP", Severity: Fail,
			Why: "The capture holds a=crypto master keys in SIP that was not inside TLS; anyone who saw the traffic can decrypt the media.",
			Fix: "Move the signalling to TLS; treat the exposed keys and the calls they protected as compromised.",
			Ref: refSDES},
		Check{ID: "CAP-RTP-UNENCRYPTED", Area: "capture",
			Property: "media streams are SRTP", Title: "media stream in clear RTP", Severity: Fail,
			Why: "Media between the Mediation Server and the OCS network must be SRTP; a clear RTP stream can be listened to.",
			Fix: "Require SRTP on the endpoints that negotiated this stream.",
			Ref: refSRTP},
		Check{ID: "CAP-TLS-NO-MTLS", Area: "capture",
			Property: "TLS on SIP ports uses a client certificate", Title: "TLS on a SIP port without a client certificate", Severity: Fail,
			Why: "Server-to-server SIP in OCS/Lync is mutual TLS; a session in which no client certificate was requested or sent is not. A session the server ended with a fatal alert because the client's certificate was missing or untrusted (unknown_ca, certificate_required) shows mutual TLS enforced; a handshake cut off before it completed decides nothing.",
			Fix: "Require client certificates on the server side of this session.",
			Ref: refMTLS},
		Check{ID: "CAP-TLS-VERSION-WEAK", Area: "capture",
			Property: "TLS sessions use a current version", Title: "deprecated TLS version negotiated", Severity: Warn,
			Why: "SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated and have practical attacks.",
			Fix: "Disable the old versions on both ends.",
			Ref: refRFC8996},
		Check{ID: "CAP-SIP-CLEARTEXT", Area: "capture",
			Property: "SIP travels over TLS", Title: "cleartext SIP", Severity: Warn,
			Why: "SIP over UDP or TCP exposes call parties, routing and any SDES keys to the network.",
			Fix: "Use SIP over TLS.",
			Ref: refOCSUM},
	)
}

// References of the access checks (package access cites each finding's
// exact row or rule; these are the catalog's general ones).
const (
	refTable1          = "OCS 2007 R2 security requirements, Table 1. Administrative Credentials Required for Deployment Tasks"
	refSetupDelegation = refTable1 + ", and the note above it: Domain Admins is required by default to deploy or activate a domain-joined server; the setup delegation wizard can give a specific group the subset of permissions instead"
	refRBACGlobal      = "Planning for role-based access control in Lync Server 2013: all predefined roles have a global scope; do not assign users who administer a limited set of servers or users to roles with global scope"
	refRBACScopes      = "Planning for role-based access control in Lync Server 2013: Creating a Scoped Role, Creating a New Role (site:NAME config scopes, OU:DN user scopes, a template, an existing universal security group)"
	refRBACScripts     = "Planning for role-based access control in Lync Server 2013: scripts and modules that roles run must be stored in the Lync module path or the user script (AdminScripts) path"
	refRBACAdmin       = "Planning for role-based access control in Lync Server 2013: assign the CsAdministrator role to a very small set of trusted users"
)

func init() {
	Register(
		Check{ID: "CRED-MISSING", Area: "access", Title: "operator lacks a credential a deployment task needs", Property: "operator holds the credentials their tasks need", Severity: Fail,
			Why: "Table 1 of the OCS 2007 R2 security requirements names the credentials each deployment task needs: every part of an \"and\", one of an \"or\". An operator without them stops in the middle of the cutover, or is handed broad rights in a hurry. Rights AD cannot show (local Administrator, SQL Server, the SIP trunking provider, a gateway) are inconclusive until the plan attests them, and then only informational.",
			Fix: "Add the operator to the group the task needs, or give the task to someone who holds it. For Domain Admins on a task that deploys or activates a server, use the group the setup delegation wizard prepared and name it in access.setup_delegation_group. Confirm rights outside AD and list them under the operator's attested.",
			Ref: refTable1},
		Check{ID: "CRED-EXCESS", Area: "access", Title: "operator holds Domain, Enterprise or Schema Admins no task needs", Property: "operator holds no Domain, Enterprise or Schema Admins beyond their tasks", Severity: Warn,
			Why: "Least privilege: Domain Admins, Enterprise Admins and Schema Admins can change far more than the operator's tasks. A group is needed only when taking it away would leave a task unmet where it was met; when that depends on evidence nothing shows, the check is inconclusive. Table 1's note offers the setup delegation wizard so that deploying or activating a server does not need Domain Admins.",
			Fix: "Remove the operator from the group for the cutover, or add the task that needs it to the plan; delegate server deployment with the setup delegation wizard instead of Domain Admins.",
			Ref: refSetupDelegation},
		Check{ID: "RBAC-CSADMIN-BROAD", Area: "access", Title: "CsAdministrator role held by more than a very small set of users", Property: "CsAdministrator is held by a very small set of users", Severity: Warn,
			Why: "CsAdministrator can perform every administrative task, create roles and assign users to them. Lync Server's RBAC planning guidance is to give it to a very small set of trusted users.",
			Fix: "Move administrators to the predefined or scoped role their work needs; keep the CSAdministrator group within access.max_cs_administrators members (default 3).",
			Ref: refRBACAdmin},
		Check{ID: "RBAC-GLOBAL-SCOPE", Area: "access", Title: "operator limited to sites or OUs holds a role with global scope", Property: "operator's RBAC roles are scoped to their sites and OUs", Severity: Warn,
			Why: "Every predefined Lync role has a global scope; someone who administers only some servers or users should hold a role scoped to them. RBAC restricts only remote administration: logged on at a Lync server, no role restricts anyone.",
			Fix: "Create a scoped role from the same template (New-CsAdminRole -Identity NAME -Template ROLE -ConfigScopes \"site:NAME\" or -UserScopes \"OU:DN\") with a universal security group of the same name, and move the operator into that group. CsLocationAdministrator is always global and cannot be scoped.",
			Ref: refRBACGlobal},
		Check{ID: "RBAC-ROLE-INVALID", Area: "access", Title: "custom RBAC role has a malformed scope, a missing group or an unknown template", Property: "custom RBAC roles are well formed", Severity: Fail,
			Why: "A custom role is based on an existing role (its template), is limited by config scopes site:NAME or user scopes OU:DN, and is granted through a universal security group of its own name that must already exist. A role that breaks one of these does not grant what the plan assumes.",
			Fix: "Correct the scopes with Set-CsAdminRole (or recreate the role with New-CsAdminRole), base it on a predefined role, and create its universal security group; then export again.",
			Ref: refRBACScopes},
		Check{ID: "RBAC-SCRIPT-PATH", Area: "access", Title: "RBAC role runs a script outside the allowed script paths", Property: "RBAC scripts live in the allowed script paths", Severity: Fail,
			Why: "Scripts and modules an RBAC role may run must be stored in the Lync module path or the AdminScripts path; a script elsewhere is outside what RBAC planning allows and what the review can account for.",
			Fix: "Move the script into the AdminScripts folder and add it to the role by name (Set-CsAdminRole -ScriptModules @{Remove=...; Add=\"script.ps1\"}); if the deployment uses other folders, set access.lync_module_path and access.admin_scripts_path.",
			Ref: refRBACScripts},
	)
}
