package srtpcheck_test

import (
	"fmt"
	"net/netip"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// A Microsoft "optional" offer (RTP/AVP with a=crypto and a 1-byte MKI)
// answered by a server that requires encryption: RTP/SAVP, one crypto line,
// the MKI mirrored (MS-SDPEXT §3.1.5.1, domain.md §1.6).
func ExampleAnswer() {
	offer, _ := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: srtpcheck.OfferMSOptional, Addr: netip.MustParseAddrPort("127.0.0.1:40000")})
	neg, err := srtpcheck.Answer(offer.SDP, srtpcheck.AnswerConfig{Policy: matrix.Required, Addr: netip.MustParseAddrPort("127.0.0.1:50000")})
	if err != nil {
		fmt.Println(err)
		return
	}
	an, _ := srtpcheck.AnalyzeAnswer(offer, neg.SDP)
	fmt.Println("offer asks:", neg.Offered)
	fmt.Println("answer:", an.Proto, an.Suite, "secure:", an.Secure)
	fmt.Println("answer key params:", an.Chosen.Redacted())

	_, err = srtpcheck.Answer(offer.SDP, srtpcheck.AnswerConfig{Policy: matrix.Rejected, Addr: netip.MustParseAddrPort("127.0.0.1:50000")})
	fmt.Println("rejecting server:", err == nil)
	// Output:
	// offer asks: optional
	// answer: RTP/SAVP AES_CM_128_HMAC_SHA1_80 secure: true
	// answer key params: 1 AES_CM_128_HMAC_SHA1_80 inline:<redacted>|2^31|1:1
	// rejecting server: true
}
