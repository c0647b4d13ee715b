package tlswire

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/dtls/v3"

	"github.com/voipsec/voipsec/internal/testpki"
)

// recorder keeps every byte written through a net.Conn.
type tlsRecorder struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *tlsRecorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	r.out.Write(b)
	r.mu.Unlock()
	return r.Conn.Write(b)
}

func (r *tlsRecorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.out.Bytes()...)
}

// transcript runs a real crypto/tls handshake over net.Pipe and returns what
// the client and the server wrote.
func tlsTranscript(t testing.TB, maxVersion uint16, clientAuth tls.ClientAuthType) (client, server []byte) {
	t.Helper()
	p := testpki.NewT(t)
	c, s := net.Pipe()
	rc, rs := &tlsRecorder{Conn: c}, &tlsRecorder{Conn: s}
	srv := tls.Server(rs, &tls.Config{
		Certificates: []tls.Certificate{p.Server}, ClientCAs: p.CAPool,
		ClientAuth: clientAuth, MaxVersion: maxVersion,
	})
	cli := tls.Client(rc, &tls.Config{
		RootCAs: p.CAPool, ServerName: "localhost", MaxVersion: maxVersion,
		Certificates: []tls.Certificate{p.Client},
	})
	deadline := time.Now().Add(10 * time.Second)
	_ = c.SetDeadline(deadline)
	_ = s.SetDeadline(deadline)
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	if err := cli.Handshake(); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	// Close the pipes, not the TLS conns: close_notify on an unread pipe
	// would block for crypto/tls's 5 s close deadline.
	_ = c.Close()
	_ = s.Close()
	return rc.bytes(), rs.bytes()
}

// messages splits a plaintext flight into handshake messages via the
// assembler, stopping at the first non-handshake record.
func tlsMessages(t testing.TB, flight []byte) []Handshake {
	t.Helper()
	var a HandshakeAssembler
	var out []Handshake
	for len(flight) > 0 {
		var rec Record
		n, err := rec.DecodeFromBytes(flight)
		if err != nil {
			t.Fatalf("record: %v", err)
		}
		flight = flight[n:]
		if rec.ContentType != RecordHandshake {
			break
		}
		if err := a.Write(rec.Fragment); err != nil {
			t.Fatal(err)
		}
		for {
			var h Handshake
			ok, err := a.Next(&h)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			h.Body = append([]byte(nil), h.Body...)
			out = append(out, h)
		}
	}
	return out
}

func tlsFind(msgs []Handshake, typ uint8) []byte {
	for _, m := range msgs {
		if m.Type == typ {
			return m.Body
		}
	}
	return nil
}

func TestTLS12Transcript(t *testing.T) {
	cw, sw := tlsTranscript(t, tls.VersionTLS12, tls.RequireAndVerifyClientCert)
	cmsgs, smsgs := tlsMessages(t, cw), tlsMessages(t, sw)

	var ch ClientHello
	if err := ch.DecodeFromBytes(tlsFind(cmsgs, ClientHelloType)); err != nil {
		t.Fatalf("ClientHello: %v", err)
	}
	if ch.Version != VersionTLS12 || string(ch.ServerName) != "localhost" || ch.CipherSuites.Len() == 0 {
		t.Errorf("ClientHello: version %s, SNI %q, %d suites", VersionName(ch.Version), ch.ServerName, ch.CipherSuites.Len())
	}
	if !ch.CipherSuites.Contains(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) {
		t.Errorf("ClientHello suites lack ECDHE-ECDSA-AES128-GCM: %x", []byte(ch.CipherSuites))
	}
	if ch.MaxVersion() != VersionTLS12 {
		t.Errorf("MaxVersion = %s", VersionName(ch.MaxVersion()))
	}

	var sh ServerHello
	if err := sh.DecodeFromBytes(tlsFind(smsgs, ServerHelloType)); err != nil {
		t.Fatalf("ServerHello: %v", err)
	}
	if sh.NegotiatedVersion() != VersionTLS12 || sh.CipherSuite == 0 || sh.HelloRetry {
		t.Errorf("ServerHello: %s suite %#04x retry %v", VersionName(sh.NegotiatedVersion()), sh.CipherSuite, sh.HelloRetry)
	}

	var cert Certificate
	if err := cert.DecodeFromBytes(tlsFind(smsgs, CertificateType), false); err != nil {
		t.Fatalf("Certificate: %v", err)
	}
	if cert.Count != 1 || len(cert.Certificates) != 1 {
		t.Fatalf("Certificate: %d certs", cert.Count)
	}
	leaf, err := x509.ParseCertificate(cert.Certificates[0])
	if err != nil {
		t.Fatalf("leaf does not parse: %v", err)
	}
	if leaf.VerifyHostname("localhost") != nil {
		t.Errorf("leaf names %v", leaf.DNSNames)
	}

	var cr CertificateRequest
	if err := cr.DecodeFromBytes(tlsFind(smsgs, CertificateRequestType), VersionTLS12); err != nil {
		t.Fatalf("CertificateRequest: %v", err)
	}
	if len(cr.CANames) != 1 || cr.SignatureAlgorithms.Len() == 0 || len(cr.CertificateTypes) == 0 {
		t.Fatalf("CertificateRequest: %d CA names, %d sigalgs", len(cr.CANames), cr.SignatureAlgorithms.Len())
	}
	if !bytes.Contains(cr.CANames[0], []byte("voipsec test")) {
		t.Errorf("CA name %x does not name the test CA", cr.CANames[0])
	}
}

func TestTLS13ClientAndServerHello(t *testing.T) {
	cw, sw := tlsTranscript(t, tls.VersionTLS13, tls.NoClientCert)
	var ch ClientHello
	if err := ch.DecodeFromBytes(tlsFind(tlsMessages(t, cw), ClientHelloType)); err != nil {
		t.Fatal(err)
	}
	if ch.MaxVersion() != VersionTLS13 || !ch.SupportedVersions.Contains(VersionTLS12) {
		t.Errorf("supported_versions %x", []byte(ch.SupportedVersions))
	}
	// Only the first server record (ServerHello) is plaintext in TLS 1.3.
	var rec Record
	if _, err := rec.DecodeFromBytes(sw); err != nil {
		t.Fatal(err)
	}
	var hs Handshake
	if _, err := hs.DecodeFromBytes(rec.Fragment); err != nil || hs.Type != ServerHelloType {
		t.Fatalf("first server message type %d: %v", hs.Type, err)
	}
	var sh ServerHello
	if err := sh.DecodeFromBytes(hs.Body); err != nil {
		t.Fatal(err)
	}
	if sh.Version != VersionTLS12 || sh.NegotiatedVersion() != VersionTLS13 {
		t.Errorf("legacy %s negotiated %s", VersionName(sh.Version), VersionName(sh.NegotiatedVersion()))
	}
	if sh.CipherSuite>>8 != 0x13 {
		t.Errorf("TLS 1.3 suite %#04x", sh.CipherSuite)
	}
}

// A ClientHello carrying use_srtp (RFC 5764 §4.1.1) as DTLS-SRTP would send
// it (the body layout is the same as TLS except for the DTLS cookie, which
// callers strip): profiles 0x0001 and 0x0002, empty MKI.
func TestTLSClientHelloUseSRTP(t *testing.T) {
	body := tlsHello(0x0303, []uint16{0xc02b}, tlsExt(ExtUseSRTP, []byte{0, 4, 0, 1, 0, 2, 0}), tlsExt(ExtServerName, tlsSni("pbx.example")))
	var ch ClientHello
	if err := ch.DecodeFromBytes(body); err != nil {
		t.Fatal(err)
	}
	if !ch.HasUseSRTP || ch.SRTPProfiles.Len() != 2 || ch.SRTPProfiles.At(1) != 2 || len(ch.SRTPMKI) != 0 {
		t.Errorf("use_srtp %x", []byte(ch.SRTPProfiles))
	}
	if string(ch.ServerName) != "pbx.example" {
		t.Errorf("SNI %q", ch.ServerName)
	}
}

func TestTLSHelloRetryRequest(t *testing.T) {
	b := []byte{3, 3}
	b = append(b, tlsHelloRetryRandom[:]...)
	b = append(b, 0, 0x13, 0x01, 0)
	b = append(b, 0, 6, 0, 43, 0, 2, 3, 4)
	var sh ServerHello
	if err := sh.DecodeFromBytes(b); err != nil {
		t.Fatal(err)
	}
	if !sh.HelloRetry || sh.NegotiatedVersion() != VersionTLS13 || sh.CipherSuite != 0x1301 {
		t.Errorf("%+v", sh)
	}
}

func TestTLSCertificateRequestVersions(t *testing.T) {
	dn1, dn2 := []byte{0x30, 1, 2}, []byte{0x30, 3, 4, 5}
	cas := append(append([]byte{0, 3}, dn1...), append([]byte{0, 4}, dn2...)...)
	casVec := append([]byte{0, byte(len(cas))}, cas...)
	tls10 := append([]byte{2, 1, 64}, casVec...)
	tls12 := append([]byte{1, 1, 0, 4, 4, 1, 8, 4}, casVec...)
	ext13 := append(tlsExt(ExtSignatureAlgorithms, []byte{0, 2, 8, 4}), tlsExt(ExtCertificateAuthorities, casVec)...)
	tls13 := append([]byte{0, 0, byte(len(ext13))}, ext13...)
	for _, tc := range []struct {
		name    string
		version uint16
		body    []byte
		sigalgs int
	}{
		{"TLS1.0", VersionTLS10, tls10, 0},
		{"TLS1.2", VersionTLS12, tls12, 2},
		{"TLS1.3", VersionTLS13, tls13, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cr CertificateRequest
			if err := cr.DecodeFromBytes(tc.body, tc.version); err != nil {
				t.Fatal(err)
			}
			if len(cr.CANames) != 2 || !bytes.Equal(cr.CANames[0], dn1) || !bytes.Equal(cr.CANames[1], dn2) {
				t.Errorf("CA names %x", cr.CANames)
			}
			if cr.SignatureAlgorithms.Len() != tc.sigalgs {
				t.Errorf("sigalgs %x", []byte(cr.SignatureAlgorithms))
			}
		})
	}
}

func TestTLSRecordErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string // hex
		want error
	}{
		{"empty", "", ErrTruncated},
		{"short header", "1603", ErrTruncated},
		{"sip", hex.EncodeToString([]byte("SIP/2.0 200 OK\r\n")), ErrNotTLS},
		{"http", hex.EncodeToString([]byte("HTTP/1.1")), ErrNotTLS},
		{"bad major", "1604010001", ErrNotTLS},
		{"too large", "160303ffff", ErrTooLarge},
		{"partial body", "16030300050102", ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := hex.DecodeString(tc.in)
			var r Record
			if _, err := r.DecodeFromBytes(in); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	var a Alert
	if err := a.DecodeFromBytes([]byte{2, 40}); err != nil || a.String() != "fatal handshake_failure" {
		t.Errorf("alert %v: %v", a, err)
	}
}

func TestTLSAssemblerSpansRecords(t *testing.T) {
	_, sw := tlsTranscript(t, tls.VersionTLS12, tls.RequestClientCert)
	want := tlsMessages(t, sw)
	// Re-cut the handshake bytes into 7-byte records.
	var payload []byte
	for rest := sw; len(rest) > 0; {
		var rec Record
		n, err := rec.DecodeFromBytes(rest)
		if err != nil || rec.ContentType != RecordHandshake {
			break
		}
		payload = append(payload, rec.Fragment...)
		rest = rest[n:]
	}
	var a HandshakeAssembler
	var got []uint8
	for i := 0; i < len(payload); i += 7 {
		if err := a.Write(payload[i:min(i+7, len(payload))]); err != nil {
			t.Fatal(err)
		}
		for {
			var h Handshake
			ok, err := a.Next(&h)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			got = append(got, h.Type)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %v message types, want %d", got, len(want))
	}
	for i := range want {
		if got[i] != want[i].Type {
			t.Errorf("message %d type %d, want %d", i, got[i], want[i].Type)
		}
	}
	if a.Buffered() != 0 {
		t.Errorf("%d bytes left", a.Buffered())
	}
}

func TestTLSNames(t *testing.T) {
	if VersionName(VersionTLS12) != "TLS 1.2" || VersionName(0x7f1c) != "0x7F1C" {
		t.Error(VersionName(0x7f1c))
	}
	if !VersionDeprecated(VersionSSL30) || !VersionDeprecated(VersionTLS11) || VersionDeprecated(VersionTLS12) {
		t.Error("deprecation")
	}
	if AlertName(116) != "certificate_required" || AlertName(250) != "alert(250)" {
		t.Error(AlertName(250))
	}
	if !IsGREASE(0x1a1a) || IsGREASE(0x1a2a) {
		t.Error("grease")
	}
}

// TestZeroAlloc proves the steady-state decode path does not allocate.
func TestTLSZeroAlloc(t *testing.T) {
	cw, sw := tlsTranscript(t, tls.VersionTLS12, tls.RequireAndVerifyClientCert)
	cr13 := func() []byte {
		cas := []byte{0, 5, 0, 3, 0x30, 1, 2}
		e := append(tlsExt(ExtSignatureAlgorithms, []byte{0, 2, 8, 4}), tlsExt(ExtCertificateAuthorities, cas)...)
		return append([]byte{0, 0, byte(len(e))}, e...)
	}()
	var (
		rec  Record
		hs   Handshake
		ch   ClientHello
		sh   ServerHello
		cert Certificate
		cr   CertificateRequest
		a    HandshakeAssembler
	)
	run := func() {
		for _, flight := range [][]byte{cw, sw} {
			for rest := flight; len(rest) > 0; {
				n, err := rec.DecodeFromBytes(rest)
				if err != nil || rec.ContentType != RecordHandshake {
					break
				}
				rest = rest[n:]
				_ = a.Write(rec.Fragment)
				for {
					ok, err := a.Next(&hs)
					if !ok || err != nil {
						break
					}
					switch hs.Type {
					case ClientHelloType:
						_ = ch.DecodeFromBytes(hs.Body)
					case ServerHelloType:
						_ = sh.DecodeFromBytes(hs.Body)
					case CertificateType:
						_ = cert.DecodeFromBytes(hs.Body, false)
					case CertificateRequestType:
						_ = cr.DecodeFromBytes(hs.Body, VersionTLS12)
					}
				}
			}
			a.Reset()
		}
		_ = cr.DecodeFromBytes(cr13, VersionTLS13)
	}
	run() // grow the caller-owned slices once
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("steady-state decoding allocates %v times per run", n)
	}
	if cert.Count != 1 || len(cr.CANames) != 1 || ch.CipherSuites.Len() == 0 || sh.CipherSuite == 0 {
		t.Fatalf("decode did not run: %d certs, %d CAs", cert.Count, len(cr.CANames))
	}
}

func BenchmarkTLSDecodeServerFlight(b *testing.B) {
	_, sw := tlsTranscript(b, tls.VersionTLS12, tls.RequireAndVerifyClientCert)
	var (
		rec  Record
		hs   Handshake
		sh   ServerHello
		cert Certificate
		cr   CertificateRequest
		a    HandshakeAssembler
	)
	b.ReportAllocs()
	b.SetBytes(int64(len(sw)))
	for b.Loop() {
		a.Reset()
		for rest := sw; len(rest) > 0; {
			n, err := rec.DecodeFromBytes(rest)
			if err != nil || rec.ContentType != RecordHandshake {
				break
			}
			rest = rest[n:]
			_ = a.Write(rec.Fragment)
			for {
				ok, _ := a.Next(&hs)
				if !ok {
					break
				}
				switch hs.Type {
				case ServerHelloType:
					_ = sh.DecodeFromBytes(hs.Body)
				case CertificateType:
					_ = cert.DecodeFromBytes(hs.Body, false)
				case CertificateRequestType:
					_ = cr.DecodeFromBytes(hs.Body, VersionTLS12)
				}
			}
		}
	}
}

// helpers that build wire structures for hand-made cases

func tlsExt(typ uint16, data []byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ), byte(len(data) >> 8), byte(len(data))}, data...)
}

func tlsSni(name string) []byte {
	entry := append([]byte{0, byte(len(name) >> 8), byte(len(name))}, name...)
	return append([]byte{byte(len(entry) >> 8), byte(len(entry))}, entry...)
}

func tlsHello(version uint16, suites []uint16, exts ...[]byte) []byte {
	b := []byte{byte(version >> 8), byte(version)}
	b = append(b, make([]byte, 32)...)
	b = append(b, 0) // session id
	b = append(b, byte(len(suites)*2>>8), byte(len(suites)*2))
	for _, s := range suites {
		b = append(b, byte(s>>8), byte(s))
	}
	b = append(b, 1, 0)
	var e []byte
	for _, x := range exts {
		e = append(e, x...)
	}
	b = append(b, byte(len(e)>>8), byte(len(e)))
	return append(b, e...)
}

// A real DTLS 1.2 ClientHello from pion/dtls offering DTLS-SRTP: the record,
// handshake fragment, cookie and use_srtp profiles decode (RFC 6347 §4.1,
// §4.2.2; RFC 5764 §4.1.1).
func TestDTLSClientHelloFromPion(t *testing.T) {
	srv, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	conn, err := dtls.Client(cli, srv.LocalAddr(), &dtls.Config{
		InsecureSkipVerify:     true,
		SRTPProtectionProfiles: []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = conn.HandshakeContext(ctx); close(done) }()
	defer func() { cancel(); _ = conn.Close(); <-done }()
	_ = srv.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 2048)
	n, _, err := srv.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	var rec DTLSRecord
	if _, err := rec.DecodeFromBytes(buf[:n]); err != nil || rec.ContentType != RecordHandshake {
		t.Fatalf("record type %d: %v", rec.ContentType, err)
	}
	var hs DTLSHandshake
	if _, err := hs.DecodeFromBytes(rec.Fragment); err != nil || hs.Type != ClientHelloType || !hs.Complete() {
		t.Fatalf("handshake %+v: %v", hs, err)
	}
	var ch ClientHello
	cookie, err := ch.DecodeDTLSFromBytes(hs.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Version != VersionDTLS12 || len(cookie) != 0 {
		t.Errorf("version %#04x cookie %x", ch.Version, cookie)
	}
	if !ch.HasUseSRTP || !ch.SRTPProfiles.Contains(0x0001) || !ch.SRTPProfiles.Contains(0x0007) {
		t.Errorf("use_srtp profiles %x", []byte(ch.SRTPProfiles))
	}
	if n := testing.AllocsPerRun(50, func() {
		_, _ = rec.DecodeFromBytes(buf[:n])
		_, _ = hs.DecodeFromBytes(rec.Fragment)
		_, _ = ch.DecodeDTLSFromBytes(hs.Body)
	}); n != 0 {
		t.Errorf("DTLS decoding allocates %v times", n)
	}
}
