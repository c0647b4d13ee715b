package sipcheck

import (
	"fmt"
	"strings"

	"github.com/voipsec/voipsec/srtpcheck"
)

// Offer is one kind of SDP offer the probe sends, each in its own dialog;
// srtpcheck builds the SDP.
type Offer = srtpcheck.OfferKind

// Offers lists every offer in the order the probe sends them.
var Offers = srtpcheck.OfferKinds

var offerDescriptions = map[Offer]string{
	srtpcheck.OfferSDES80:               "RTP/SAVP, a=crypto AES_CM_128_HMAC_SHA1_80",
	srtpcheck.OfferSDES32:               "RTP/SAVP, a=crypto AES_CM_128_HMAC_SHA1_32 (tag 1) then _80 (tag 2), Teams order",
	srtpcheck.OfferMSOptional:           "RTP/AVP with a=crypto inline:KEY|2^31|1:1 (Microsoft optional)",
	srtpcheck.OfferMSEncryptionRequired: "RTP/AVP with a=crypto MKI 1:1 and a=encryption:required",
	srtpcheck.OfferMSEncryptionOptional: "RTP/AVP with a=crypto MKI 1:1 and a=encryption:optional",
	srtpcheck.OfferPlain:                "RTP/AVP without crypto",
	srtpcheck.OfferDTLS:                 "UDP/TLS/RTP/SAVP with a=fingerprint, a=setup:actpass",
}

func describeOffer(o Offer) string {
	if d, ok := offerDescriptions[o]; ok {
		return d
	}
	return o.String()
}

// ParseOffer parses an offer name as printed by its String method.
func ParseOffer(s string) (Offer, error) {
	if k, ok := srtpcheck.ParseOfferKind(strings.ToLower(strings.TrimSpace(s))); ok {
		return k, nil
	}
	names := make([]string, len(Offers))
	for i, o := range Offers {
		names[i] = o.String()
	}
	return 0, fmt.Errorf("sipcheck: unknown offer %q (accepted: %s)", s, strings.Join(names, ", "))
}
