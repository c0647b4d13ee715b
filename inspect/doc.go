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
// TLS records and handshake messages are decoded by [tlswire.Record],
// [tlswire.HandshakeAssembler] and the message decoders shared with tlsprobe.
//
// # Parallel scans
//
// [InspectFile] maps a regular file and parses it in place, populating the
// window ahead of the scan and dropping the pages behind it, so resident
// memory follows the flow table, not the file size. With [Options].Workers
// > 1 the file is split into byte ranges that start on record boundaries
// (found by checking a chain of consecutive record headers); each worker
// scans one range with its own flow table. Flow evidence is counters, so
// the tables merge by adding; packet numbers are renumbered once every
// worker knows its count; TCP segments that may carry SIP or TLS are copied
// aside and replayed in capture order through one reassembler. A parallel
// scan gives exactly the sequential report (TestParallelGivesTheSameResult).
// Standard input and pipes are read sequentially through the Reader's one
// buffer.
//
// # Limits
//
// Named limits bound what hostile or huge input can make the scan hold:
// [MaxRecordLen], [MaxBlockLen], [MaxSIPMessage], [MaxTCPBuffer],
// [DefaultMaxFlows]. IP fragments are counted, not reassembled.
package inspect
