// Package inspect is the fast packet-inspection core behind
// `voipsec inspect`: it reads pcap and pcapng captures, decodes them down to
// UDP and TCP payloads, and classifies what it finds (SIP with SDP, TLS
// handshakes, STUN, DTLS, RTP, RTCP, SRTP, SRTCP) into capture findings.
//
// # Fast decoding
//
// TLDR: [Reader] owns one buffer and returns packets that alias it; the
// scanner decodes every layer into a [Frame] it owns, by slicing; a packet of
// an existing flow costs no allocation (TestHotPathZeroAlloc proves it with
// testing.AllocsPerRun). The hot path (reading, decoding, classification,
// flow lookup) uses only the standard library. pion/srtp is used when a
// call ends, to check an exposed SDES key against its stream's packets.
//
// # Reading
//
// pcap in both byte orders with micro- or nanosecond timestamps, and pcapng
// (SHB, IDB, EPB, SPB and the obsolete PB; several sections and interfaces,
// each with its link type and if_tsresol). Link types: Ethernet with
// 802.1Q/802.1ad tags, Linux cooked v1 and v2, raw IPv4/IPv6, BSD
// null/loopback. IPv4 options are skipped and fragments counted; IPv6
// extension headers are walked. A truncated or corrupt input ends with a
// [*FormatError] naming the byte offset; the findings gathered up to it are
// still returned. A scan stopped by its context ends with an
// [*InterruptedError] saying how far it got.
//
// A regular file is mapped and parsed in place by default ([IOMap]), the
// pages behind the scan dropped; [IORead], standard input and pipes are
// read through one reused buffer, and with [Options].Workers > 1 a second
// goroutine reads ahead into a few large buffers that the scan takes over
// whole. The scan itself is one ordered pass, so every setting gives the
// same result.
//
// # Classifying
//
// SIP is recognised on any port by its start line. UDP media is
// demultiplexed by its first byte (RFC 7983), RTP from RTCP by its second
// byte (RFC 5761 §4). Whether a stream is SRTP is decided when it ends:
// from the SDP offer and answer that negotiated its address and port when
// the capture holds them (matrix.SRTPNegotiated, the definition the live
// prober uses), else from DTLS on the 5-tuple, the payload length (codec
// frame plus a 4- or 10-byte tag) and the byte entropy of the payload. TCP
// streams that carry SIP or TLS are reassembled in order per direction,
// holding only an incomplete SIP message or a TLS record whose content is
// read ([MaxTCPBuffer]); holes are counted and parsing resynchronises after
// them. TLS records and handshake messages are decoded by [tlswire.Record],
// [tlswire.HandshakeAssembler] and the message decoders shared with
// tlsprobe; each distinct certificate is parsed once.
//
// # Memory follows what is live
//
// Calls (by Call-ID) and flows are followed from their first packet until
// they end: a call on BYE and its answer, a final failure response, or the
// final response of an out-of-dialog request; a TCP connection on FIN from
// both sides or RST; anything after [Options].IdleTimeout without a packet
// (capture time; [DefaultIdleTimeout]). An ended call's flows get a short
// linger for late packets. When something ends its verdict is reached,
// folded into the report's aggregates and, when [Options].Records is set,
// written as one JSON line; then its state is released. [StateStats] says
// how much was held at once.
//
// # Findings
//
// A finding is one per check, outcome and place a person acts on (a
// signalling path, a pair of media hosts, a TLS server and its clients, the
// host that announced media ports), with counts, the first and last packet
// and the earliest examples with their evidence. When a check would give
// more than a few places, they are grouped by subnet. Streams, calls and
// TLS sessions are listed up to [MaxListed]. A check with nothing to judge
// in the capture is left out, never passed.
//
// # Limits
//
// Named limits bound what hostile or huge input can make the scan hold:
// [MaxRecordLen], [MaxBlockLen], [MaxSIPMessage], [MaxTCPBuffer],
// [DefaultMaxFlows], [MaxListed]. IP fragments are counted, not
// reassembled.
package inspect
