package sipcheck

import (
	"testing"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// TestEffective runs the derivation over the answerer matrix of domain.md
// §1.6 and the ways an edge can leave the evidence incomplete.
func TestEffective(t *testing.T) {
	sdes := func(code int, secure bool) OfferResult {
		return OfferResult{Offer: srtpcheck.OfferSDES80, Code: code, Secure: secure}
	}
	ms := func(code int, secure bool) OfferResult {
		return OfferResult{Offer: srtpcheck.OfferMSOptional, Code: code, Secure: secure}
	}
	plain := func(code int, isPlain bool) OfferResult {
		return OfferResult{Offer: srtpcheck.OfferPlain, Code: code, Plain: isPlain}
	}
	lvl := func(l matrix.EncryptionLevel) *matrix.EncryptionLevel { return &l }
	cases := []struct {
		name   string
		offers []OfferResult
		want   *matrix.EncryptionLevel
	}{
		{"required: SAVP taken, plain 488", []OfferResult{sdes(200, true), ms(200, true), plain(488, false)}, lvl(matrix.Required)},
		{"required: plain 606", []OfferResult{sdes(200, true), plain(606, false)}, lvl(matrix.Required)},
		{"required: plain answered with port 0", []OfferResult{sdes(200, true), plain(200, false)}, lvl(matrix.Required)},
		{"optional: both taken", []OfferResult{sdes(200, true), ms(200, true), plain(200, true)}, lvl(matrix.Optional)},
		{"optional: only the MS offer keyed", []OfferResult{sdes(488, false), ms(200, true), plain(200, true)}, lvl(matrix.Optional)},
		{"rejected: AVP answers only", []OfferResult{sdes(488, false), ms(200, false), plain(200, true)}, lvl(matrix.Rejected)},
		{"unknown: plain unanswered", []OfferResult{sdes(200, true), plain(0, false)}, nil},
		{"unknown: plain busy", []OfferResult{sdes(200, true), plain(486, false)}, nil},
		{"unknown: plain 503", []OfferResult{sdes(200, true), plain(503, false)}, nil},
		{"unknown: plain not sent", []OfferResult{sdes(200, true)}, nil},
		{"unknown: 488 to everything", []OfferResult{sdes(488, false), ms(488, false), plain(488, false)}, nil},
		{"unknown: nothing answered", []OfferResult{sdes(0, false), plain(0, false)}, nil},
		{"unknown: 2xx without a usable answer", []OfferResult{sdes(200, false), plain(503, false)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Effective(c.offers)
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("Effective = %v, want %v", got, c.want)
			}
		})
	}
}
