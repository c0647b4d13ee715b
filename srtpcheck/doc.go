// Package srtpcheck owns the media-security half of a SIP call: the SDP
// security attributes (RFC 4568 a=crypto, MS-SDPEXT a=cryptoscale and
// Microsoft key parameters with MKI, MS-SDP a=encryption, RFC 5763
// a=fingerprint and a=setup), building offers and answers, analysing
// answers, and proving the keys with a real SRTP media exchange over
// pion/srtp, keyed by SDES or by a DTLS-SRTP handshake over pion/dtls.
//
// # Parsing
//
// [Parse] reads an SDP body into a [Session] of [Media] sections, keeping
// only what security checks need. Hostile input is bounded by named limits
// ([MaxSDPSize], [MaxLines], [MaxMedia], [MaxCryptoLines], [MaxLineLength]);
// malformed security attributes are kept as [AttrError] problems on the
// media section rather than failing the whole parse, so a probe can report
// them as evidence.
//
// # Offers and answers
//
// [NewOffer] builds one of the offers in [OfferKinds] with fresh keys from
// crypto/rand. [AnalyzeAnswer] tells the offerer whether and how the answer
// accepted it. [Answer] is the answerer side used by the simulator: it
// applies an encryption policy to an offer the way OCS/Lync and Exchange UM
// do (domain.md §1.6) and returns [ErrIncompatible] when the call must be
// refused with 488.
//
// # Media
//
// [RunMedia] sends G.711 µ-law in 20 ms packets and authenticates every
// packet it receives, returning [Counters]. Keys come from SDES ([Keys]) or
// from [DTLSHandshake], which multiplexes DTLS and SRTP on one socket
// (RFC 7983) and checks the peer certificate against the SDP fingerprint.
package srtpcheck
