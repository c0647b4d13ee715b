package matrix

import "strings"

// MediaLine is what one SDP media section says about media security, as
// the capture reader ([github.com/voipsec/voipsec/inspect]) and the live
// prober ([github.com/voipsec/voipsec/srtpcheck]) each parse it. It is the
// one place that decides what an offer asks for and whether an offer and
// its answer key SRTP, so a capture and a live probe of the same call agree.
type MediaLine struct {
	Proto       string // m= transport: RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVP[F], TCP/RTP/AVP, ...
	Port        int    // m= port; 0 refuses the stream (RFC 3264 §6)
	Crypto      int    // a=crypto lines carrying a key (RFC 4568); a=cryptoscale does not count
	Scale       int    // a=cryptoscale lines (MS-SDPEXT §3.1.5.2, Scale SRTP)
	Fingerprint bool   // a=fingerprint at media or session level (RFC 5763 §5)
	Encryption  string // a=encryption value (MS-SDP §3): required, optional, rejected; "" when absent
}

// SAVP reports a secure RTP profile (…/SAVP or …/SAVPF).
func (m MediaLine) SAVP() bool { return strings.Contains(strings.ToUpper(m.Proto), "SAVP") }

// DTLS reports a DTLS-SRTP profile (UDP/TLS/RTP/SAVP[F], RFC 5764 §8).
func (m MediaLine) DTLS() bool { return strings.Contains(strings.ToUpper(m.Proto), "TLS") }

// SDES reports that this side gives SDES keys: an a=crypto line with a key,
// whatever the profile. MS-SDPEXT's "optional" form is RTP/AVP with
// a=crypto (domain.md §1.3), so the profile alone does not decide.
func (m MediaLine) SDES() bool { return m.Crypto > 0 }

// KeysSRTP reports whether this side supplies SRTP keying: SDES keys, or a
// DTLS-SRTP profile with a certificate fingerprint. a=encryption alone keys
// nothing: it states a policy (MS-SDP §3). The port does not count: what an
// offer carries is known before it has one, and whether a stream refused
// with port 0 keys SRTP is [SRTPNegotiated]'s question.
func (m MediaLine) KeysSRTP() bool {
	return m.SDES() || (m.DTLS() && m.Fingerprint)
}

// OfferLevel is the encryption level an offer asks for (domain.md
// §1.2-1.6): a=encryption when present; otherwise a secure profile (SAVP
// with SDES or DTLS) is required, RTP/AVP with a=crypto or a=cryptoscale
// optional (MS-SDPEXT: "MUST use AVP in the m= line of the SDP offer,
// together with a=crypto or a=cryptoscale"), RTP/AVP without either
// rejected. Negotiating plain SRTP ignores a=cryptoscale
// ([SRTPNegotiated]); asking for encryption does not.
func (m MediaLine) OfferLevel() EncryptionLevel {
	switch strings.ToLower(m.Encryption) {
	case "required":
		return Required
	case "optional":
		return Optional
	case "rejected":
		return Rejected
	}
	switch {
	case m.SAVP():
		return Required
	case m.SDES(), m.Scale > 0:
		return Optional
	}
	return Rejected
}

// SRTPNegotiated reports whether an offer and its answer key SRTP for the
// stream: the answer accepts it (a non-zero port) and both sides key it the
// same way, SDES on both (an AVP+crypto offer answered SAVP+crypto is the
// MS-SDPEXT optional form) or DTLS-SRTP on both. An answer's crypto line in
// reply to an offer without one keys nothing (baresip in "srtp" mode
// answers a plain offer that way), and a=encryption:required without keys
// is a policy, not SRTP.
func SRTPNegotiated(offer, answer MediaLine) bool {
	if offer.Port == 0 || answer.Port == 0 {
		return false
	}
	if offer.SDES() && answer.SDES() {
		return true
	}
	return offer.DTLS() && offer.Fingerprint && answer.DTLS() && answer.Fingerprint
}
