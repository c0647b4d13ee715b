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
// flow lookup) uses only the standard library. pion/srtp is used after the
// scan, to check an exposed SDES key against captured SRTP packets.
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
// still returned.
//
// # Classifying
//
// SIP is recognised on any port by its start line. UDP media is
// demultiplexed by its first byte (RFC 7983), RTP from RTCP by its second
// byte (RFC 5761 §4). Whether a stream is SRTP is decided after the scan:
// from the SDP that negotiated its address and port when the capture holds
// it, else from DTLS on the 5-tuple, the payload length (codec frame plus a
// 4- or 10-byte tag) and the byte entropy of the payload. TCP streams that
// carry SIP or TLS are reassembled in order per direction within
// [MaxTCPBuffer]; holes are counted and parsing resynchronises after them.
// TLS records and handshake messages are decoded by [TLSRecord],
// [TLSHandshakeAssembler] and the message decoders shared with tlsprobe.
//
// # Parallel scans
//
// With [Options].Workers > 1, [InspectFile] runs that many workers over the
// file; each decodes every packet's headers but follows only the
// conversations that hash to it, so TCP reassembly and per-stream evidence
// stay with one worker and nothing is locked. Verdicts are reached after
// all workers finish.
package inspect
