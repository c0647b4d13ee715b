// Package tlswire is the TLS and DTLS wire codec: records, alerts, handshake
// messages (ClientHello, ServerHello, Certificate, CertificateRequest), the
// protocol version names and the IANA cipher-suite table. The capture reader
// ([github.com/voipsec/voipsec/inspect]) and the live prober
// ([github.com/voipsec/voipsec/tlsprobe]) both use it, so a live probe does
// not depend on the capture reader. It uses only the standard library.
//
// # Fast decoding
//
// TLDR: decode into structs you own and reuse; nothing here allocates once the
// caller's slices (Certificates, CANames, the assembler buffer) have grown to
// their steady-state capacity. Fields reference the input: copy before the
// input buffer is reused.
//
//	var rec tlswire.Record
//	var hs tlswire.Handshake
//	var sh tlswire.ServerHello
//	n, err := rec.DecodeFromBytes(data)          // one record, n bytes consumed
//	if err == nil && rec.ContentType == tlswire.RecordHandshake {
//		if _, err := hs.DecodeFromBytes(rec.Fragment); err == nil && hs.Type == tlswire.ServerHelloType {
//			err = sh.DecodeFromBytes(hs.Body)
//		}
//	}
//
// A handshake message may span several records, and one record may hold
// several messages. Feed record fragments to a [HandshakeAssembler] and
// take whole messages out with Next.
//
// DTLS (DTLS-SRTP on media ports): [DTLSRecord] and [DTLSHandshake] decode
// the longer headers, and [ClientHello.DecodeDTLSFromBytes] skips the
// cookie; the use_srtp profiles land in SRTPProfiles. ServerHello,
// Certificate and CertificateRequest bodies are the same as TLS 1.2's.
//
// Errors are the package-level sentinels below (no allocation); callers branch
// on them with errors.Is. A decoder never panics on any input.
package tlswire
