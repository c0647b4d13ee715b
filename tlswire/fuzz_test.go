package tlswire

import (
	"crypto/tls"
	"testing"
)

// FuzzTLS feeds arbitrary bytes through the record layer, the handshake
// assembler and every handshake decoder (ClientHello, ServerHello,
// Certificate, CertificateRequest for each layout). Seeds are real
// crypto/tls flights. The decoders must not panic and must keep every
// returned slice inside the input.
func FuzzTLS(f *testing.F) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cw, sw := tlsTranscript(f, v, tls.RequireAndVerifyClientCert)
		f.Add(cw)
		f.Add(sw)
	}
	f.Add(tlsHello(0x0303, []uint16{0xc02b}, tlsExt(ExtUseSRTP, []byte{0, 4, 0, 1, 0, 2, 0})))
	f.Add([]byte{0x15, 3, 3, 0, 2, 2, 40})
	// A DTLS 1.2 record holding a ClientHello with a cookie and use_srtp.
	dbody := tlsHello(0xfefd, []uint16{0xc02b}, tlsExt(ExtUseSRTP, []byte{0, 2, 0, 1, 0}))
	dbody = append(append(append([]byte{}, dbody[:35]...), 2, 0xaa, 0xbb), dbody[35:]...) // cookie after session id
	dhs := append([]byte{1, 0, byte(len(dbody) >> 8), byte(len(dbody)), 0, 0, 0, 0, 0, 0, byte(len(dbody) >> 8), byte(len(dbody))}, dbody...)
	f.Add(append([]byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, byte(len(dhs) >> 8), byte(len(dhs))}, dhs...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			rec  Record
			hs   Handshake
			ch   ClientHello
			sh   ServerHello
			cert Certificate
			cr   CertificateRequest
			al   Alert
			a    HandshakeAssembler
		)
		// Decoders applied directly to the raw bytes as a handshake body.
		_ = ch.DecodeFromBytes(data)
		_ = ch.MaxVersion()
		_ = sh.DecodeFromBytes(data)
		_ = sh.NegotiatedVersion()
		_ = cert.DecodeFromBytes(data, false)
		_ = cert.DecodeFromBytes(data, true)
		for _, v := range []uint16{VersionTLS10, VersionTLS12, VersionTLS13} {
			_ = cr.DecodeFromBytes(data, v)
		}
		// DTLS framing and the cookie-bearing ClientHello.
		var drec DTLSRecord
		var dhs DTLSHandshake
		if _, err := ch.DecodeDTLSFromBytes(data); err == nil && len(ch.Random) != 32 {
			t.Fatalf("DTLS random of %d bytes", len(ch.Random))
		}
		if n, err := drec.DecodeFromBytes(data); err == nil {
			if n > len(data) {
				t.Fatalf("DTLS record consumed %d of %d", n, len(data))
			}
			if _, err := dhs.DecodeFromBytes(drec.Fragment); err == nil && dhs.Complete() && dhs.Type == ClientHelloType {
				_, _ = ch.DecodeDTLSFromBytes(dhs.Body)
			}
		}
		// And through the record layer and the assembler.
		for rest := data; len(rest) > 0; {
			n, err := rec.DecodeFromBytes(rest)
			if err != nil {
				break
			}
			if n <= 0 || n > len(rest) {
				t.Fatalf("record consumed %d of %d bytes", n, len(rest))
			}
			rest = rest[n:]
			switch rec.ContentType {
			case RecordAlert:
				_ = al.DecodeFromBytes(rec.Fragment)
				_ = al.String()
			case RecordHandshake:
				if a.Write(rec.Fragment) != nil {
					return
				}
				for {
					ok, err := a.Next(&hs)
					if !ok || err != nil {
						break
					}
					switch hs.Type {
					case ClientHelloType:
						if ch.DecodeFromBytes(hs.Body) == nil && len(ch.Random) != 32 {
							t.Fatalf("random of %d bytes", len(ch.Random))
						}
					case ServerHelloType:
						_ = sh.DecodeFromBytes(hs.Body)
					case CertificateType:
						if cert.DecodeFromBytes(hs.Body, false) == nil && len(cert.Certificates) > cert.Count {
							t.Fatalf("%d certificates kept of %d", len(cert.Certificates), cert.Count)
						}
					case CertificateRequestType:
						_ = cr.DecodeFromBytes(hs.Body, VersionTLS12)
					}
				}
			}
		}
	})
}
