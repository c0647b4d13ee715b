package sipcheck

import (
	"strings"

	"github.com/voipsec/voipsec/srtpcheck"
)

// Builders of the facts one offer can end with, for the judge's table
// tests: each is what ProbeEndpoint records for that outcome.

var (
	sdes80  = srtpcheck.OfferSDES80
	sdes32  = srtpcheck.OfferSDES32
	msOpt   = srtpcheck.OfferMSOptional
	msReq   = srtpcheck.OfferMSEncryptionRequired
	msEncOp = srtpcheck.OfferMSEncryptionOptional
	plain   = srtpcheck.OfferPlain
	dtls    = srtpcheck.OfferDTLS
)

func base(k Offer, transport string) OfferResult {
	o := newOfferResult(k, Target{Transport: transport})
	return o
}

// answered is an INVITE that got a final status without an SDP answer.
func answered(k Offer, code int, reason string, transport string) OfferResult {
	o := base(k, transport)
	o.Sent, o.Status, o.Code, o.Reason = true, StatusSuccess, code, reason
	return o
}

// accepted is a 2xx whose answer accepts the offer as it is: SRTP keyed
// for an SRTP offer (SDES with the offered suite, or DTLS), plain RTP for
// the plain offer.
func accepted(k Offer, transport string) OfferResult {
	o := answered(k, 200, "OK", transport)
	a := &Answer{Port: 40000, Addr: "127.0.0.1"}
	switch {
	case k == dtls:
		a.Profile, a.Fingerprint, a.Setup, a.Negotiated = "UDP/TLS/RTP/SAVP", "sha-256 AB:CD", "active", true
		o.Secure = true
	case k.Line().KeysSRTP():
		a.Profile, a.Suite, a.HasKeys, a.Negotiated = "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", true, true
		a.Crypto = []string{"1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]"}
		a.MKI = strings.HasPrefix(k.String(), "ms-")
		o.Secure = true
	default:
		a.Profile = "RTP/AVP"
		o.Plain = true
	}
	o.Answer = a
	o.Cleanup = "ack+bye"
	return o
}

// declined is a 2xx that keys nothing: RTP/AVP for an SRTP offer (the
// Microsoft optional offer declined), port 0 for the plain offer (the
// stream refused, RFC 3264 §6).
func declined(k Offer, transport string) OfferResult {
	o := answered(k, 200, "OK", transport)
	if k.Line().KeysSRTP() {
		o.Answer = &Answer{Profile: "RTP/AVP", Port: 40000}
		o.Plain = true
	} else {
		o.Answer = &Answer{Profile: "RTP/AVP", Port: 0}
	}
	o.Cleanup = "ack+bye"
	return o
}

// unusable is a 2xx whose SDP does not parse.
func unusable(k Offer, transport string) OfferResult {
	o := answered(k, 200, "OK", transport)
	o.Answer = &Answer{Unreadable: true, Problems: []string{"parse SDP: not an SDP body (no v= or m= line)"}}
	o.Cleanup = "ack+bye"
	return o
}

// wrongTag is a 2xx whose answer keys SRTP for a tag that was not offered.
func wrongTag(k Offer, transport string) OfferResult {
	o := answered(k, 200, "OK", transport)
	o.Answer = &Answer{Profile: "RTP/SAVP", Port: 40000, HasKeys: true, Negotiated: true,
		Problems: []string{"answer names a crypto suite or tag that was not offered: 7 AES_CM_128_HMAC_SHA1_80 inline:[redacted]"}}
	o.Cleanup = "ack+bye"
	return o
}

// silent is an INVITE that got no final answer within the step timeout.
func silent(k Offer, transport string) OfferResult {
	o := base(k, transport)
	o.Sent, o.Status, o.Error = true, StatusTimeout, "no answer in time"
	return o
}

// broken is an INVITE whose transport failed.
func broken(k Offer, transport string) OfferResult {
	o := base(k, transport)
	o.Sent, o.Status, o.Error = true, StatusConnectionReset, "the peer closed the connection"
	return o
}

// cut is an INVITE the caller's context ended before a final answer.
func cut(k Offer, transport string) OfferResult {
	o := base(k, transport)
	o.Sent, o.Interrupted, o.Status, o.Error = true, true, StatusCanceled, "interrupted"
	return o
}

// unsent is an offer that was never sent.
func unsent(k Offer, transport, why string) OfferResult {
	o := base(k, transport)
	o.NotSent = why
	return o
}

// every applies one outcome to every offer.
func every(f func(Offer, string) OfferResult, transport string) []OfferResult {
	out := make([]OfferResult, len(Offers))
	for i, k := range Offers {
		out[i] = f(k, transport)
	}
	return out
}

// everyStatus answers every offer with one status.
func everyStatus(code int, reason, transport string) []OfferResult {
	return every(func(k Offer, tp string) OfferResult { return answered(k, code, reason, tp) }, transport)
}

// policy answers the offers as an edge of an encryption level does
// (domain.md §1.6): required takes SRTP and refuses plain with 488;
// optional takes both; rejected takes plain (and declines the Microsoft
// optional offers with RTP/AVP) and refuses SRTP-only offers with 488.
func policy(level string, transport string) []OfferResult {
	out := make([]OfferResult, len(Offers))
	for i, k := range Offers {
		switch {
		case level == "required" && k == plain:
			out[i] = answered(k, 488, "Encryption Levels not compatible", transport)
		case level == "required", level == "optional":
			out[i] = accepted(k, transport)
		case k == plain:
			out[i] = accepted(k, transport)
		case k == msOpt || k == msEncOp:
			out[i] = declined(k, transport)
		default:
			out[i] = answered(k, 488, "Encryption Levels not compatible", transport)
		}
	}
	return out
}

// replace returns offers with the entry for k replaced by o.
func replace(offers []OfferResult, o OfferResult) []OfferResult {
	out := append([]OfferResult(nil), offers...)
	for i := range out {
		if out[i].Offer == o.Offer {
			out[i] = o
		}
	}
	return out
}

// only keeps the offers of the given kinds.
func only(offers []OfferResult, kinds ...Offer) []OfferResult {
	var out []OfferResult
	for _, o := range offers {
		for _, k := range kinds {
			if o.Offer == k {
				out = append(out, o)
			}
		}
	}
	return out
}
