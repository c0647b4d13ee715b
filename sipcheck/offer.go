package sipcheck

import (
	"fmt"
	"strings"
)

// Offer is one kind of SDP offer the probe sends, each in its own dialog.
type Offer uint8

const (
	OfferSDES        Offer = iota // RTP/SAVP with AES_CM_128_HMAC_SHA1_80 (tag 1) and _32 (tag 2)
	OfferMSOptional               // RTP/AVP + a=crypto inline:KEY|2^31|1:1 (MS-SDPEXT "optional")
	OfferMSRequired               // the same with a=encryption:required
	OfferMSOptionalA              // the same with a=encryption:optional
	OfferPlain                    // RTP/AVP without crypto: does the edge require SRTP?
	OfferDTLS                     // UDP/TLS/RTP/SAVP with a=fingerprint and a=setup:actpass
)

// Offers lists every offer in the order the probe sends them.
var Offers = []Offer{OfferSDES, OfferMSOptional, OfferMSRequired, OfferMSOptionalA, OfferPlain, OfferDTLS}

var offerNames = [...]string{
	OfferSDES:        "sdes-savp",
	OfferMSOptional:  "ms-avp-crypto",
	OfferMSRequired:  "ms-encryption-required",
	OfferMSOptionalA: "ms-encryption-optional",
	OfferPlain:       "plain-avp",
	OfferDTLS:        "dtls-srtp",
}

var offerDescriptions = [...]string{
	OfferSDES:        "RTP/SAVP, a=crypto AES_CM_128_HMAC_SHA1_80 and _32",
	OfferMSOptional:  "RTP/AVP with a=crypto inline:KEY|2^31|1:1 (Microsoft optional)",
	OfferMSRequired:  "RTP/AVP with a=crypto MKI 1:1 and a=encryption:required",
	OfferMSOptionalA: "RTP/AVP with a=crypto MKI 1:1 and a=encryption:optional",
	OfferPlain:       "RTP/AVP without crypto",
	OfferDTLS:        "UDP/TLS/RTP/SAVP with a=fingerprint, a=setup:actpass",
}

// String returns the stable name used in JSON and flags.
func (o Offer) String() string {
	if int(o) < len(offerNames) {
		return offerNames[o]
	}
	return fmt.Sprintf("offer(%d)", uint8(o))
}

// Description says what the offer carries, for reports.
func (o Offer) Description() string {
	if int(o) < len(offerDescriptions) {
		return offerDescriptions[o]
	}
	return o.String()
}

// MarshalText implements encoding.TextMarshaler.
func (o Offer) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// ParseOffer parses an offer name as printed by String.
func ParseOffer(s string) (Offer, error) {
	for i, n := range offerNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Offer(i), nil
		}
	}
	return 0, fmt.Errorf("sipcheck: unknown offer %q (accepted: %s)", s, strings.Join(offerNames[:], ", "))
}

// secure reports whether the offer carries SRTP keying (SDES or DTLS).
func (o Offer) secure() bool { return o != OfferPlain }

// sdes reports whether the offer carries a=crypto.
func (o Offer) sdes() bool { return o != OfferPlain && o != OfferDTLS }
