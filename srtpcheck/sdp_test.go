package srtpcheck

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/matrix"
)

// sfbOffer is the shape of a captured Skype for Business 2015 offer
// (domain.md §1.4, SFB-CAP): cryptoscale and two crypto lines sharing the
// tag space and one key, with and without MKI. The key is a dummy.
const sfbOffer = "v=0\r\n" +
	"o=- 0 0 IN IP4 192.0.2.10\r\n" +
	"s=session\r\n" +
	"c=IN IP4 192.0.2.10\r\n" +
	"b=CT:99980\r\n" +
	"t=0 0\r\n" +
	"a=x-devicecaps:audio:send,recv;video:send,recv\r\n" +
	"m=audio 50052 RTP/AVP 117 104 9 0 8 101\r\n" +
	"a=x-ssrc-range:1-1\r\n" +
	"a=rtcp-fb:* x-message app send:dsh recv:dsh\r\n" +
	"a=rtcp-rsize\r\n" +
	"a=label:main-audio\r\n" +
	"a=x-source:main-audio\r\n" +
	"a=ice-ufrag:abcd\r\n" +
	"a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=candidate:1 1 UDP 2130706431 192.0.2.10 50052 typ host \r\n" +
	"a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31|1:1\r\n" +
	"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31|1:1\r\n" +
	"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:0 PCMU/8000\r\n"

func TestParseMicrosoftOffer(t *testing.T) {
	s, err := Parse([]byte(sfbOffer))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Audio()
	if m == nil || m.Port != 50052 || m.Proto != "RTP/AVP" || m.Addr.String() != "192.0.2.10" || !m.RTCPMux {
		t.Fatalf("media %+v", m)
	}
	if len(m.Problems) != 0 || len(m.Crypto) != 3 {
		t.Fatalf("crypto %d problems %v", len(m.Crypto), m.Problems)
	}
	sc := m.Crypto[0]
	if !sc.Scale || sc.Direction != "client" || sc.Tag != 1 || sc.MKI != 1 || sc.MKILen != 1 {
		t.Fatalf("cryptoscale %+v", sc)
	}
	c2, c3 := m.Crypto[1], m.Crypto[2]
	if c2.Tag != 2 || c2.Lifetime != "2^31" || string(c2.MKIBytes()) != "\x01" || c2.Key[0] != 0 || c2.Salt[13] != 29 {
		t.Fatalf("crypto 2 %+v", c2)
	}
	if c3.MKILen != 0 || c3.MKIBytes() != nil {
		t.Fatalf("crypto 3 %+v", c3)
	}
	if OfferLevel(m) != 1 { // optional: AVP + crypto
		t.Fatalf("level %v", OfferLevel(m))
	}
	if len(m.SDES()) != 2 {
		t.Fatalf("SDES lines %d", len(m.SDES()))
	}
	// Value round-trips.
	c, err := parseCrypto(c2.Value(), false)
	if err != nil || c.Tag != 2 || c.MKILen != 1 || string(c.Key) != string(c2.Key) {
		t.Fatalf("round trip %+v %v", c, err)
	}
	if strings.Contains(c2.Redacted(), "AAEC") {
		t.Fatal("Redacted shows the key")
	}
}

func TestParseAttributeProblems(t *testing.T) {
	const key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
	cases := []struct {
		name, line string
		want       error
	}{
		{"duplicate tag across cryptoscale", "a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:" + key, errDupTag},
		{"short key", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:AAEC", errBadKey},
		{"not base64", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:!!!!", errBadKey},
		{"MKI too long for value", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^31|256:1", errBadMKI},
		{"MKI length zero", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1:0", errBadMKI},
		{"two MKIs", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1:1|2:1", errBadMKI},
		{"lifetime after MKI", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|1:1|2^31", errBadKey},
		{"bad lifetime", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^x", errBadKey},
		{"no inline", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 uri:foo", errBadKey},
		{"bad tag", "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" + key, errBadAttr},
		{"missing key", "a=crypto:2 AES_CM_128_HMAC_SHA1_80", errBadAttr},
		{"bad fingerprint", "a=fingerprint:sha-256 ZZ:YY", errBadFP},
		// The method is matched case-insensitively, so must the redaction be.
		{"upper-case method, bad lifetime", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 INLINE:" + key + "|2^x", errBadKey},
		// A second key-param (RFC 4568 §9.1 ";") holds a key too.
		{"second key-param", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:AAEC;inline:" + key, errBadKey},
		// Text whose lower case is longer than itself must not shift the redaction.
		{"non-ASCII before the key", "a=crypto:2 AES_CM_128_HMAC_SHA1_80 İİİİ inline:AAEC;inline:" + key, errBadKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "\r\n" + c.line + "\r\n"
			s, err := Parse([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			m := s.Audio()
			if len(m.Problems) != 1 || !errors.Is(m.Problems[0], c.want) {
				t.Fatalf("problems %v, want %v", m.Problems, c.want)
			}
			var ae *AttrError
			if !errors.As(m.Problems[0], &ae) || ae.Line != 5 || strings.Contains(ae.Attr, key) {
				t.Fatalf("AttrError %+v", ae)
			}
			if len(m.Crypto) != 1 {
				t.Fatalf("crypto lines %d", len(m.Crypto))
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat("a=x:y\r\n", MaxSDPSize/7+1)
	if _, err := Parse([]byte("v=0\r\n" + big)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("size: %v", err)
	}
	if _, err := Parse([]byte("v=0\r\na=" + strings.Repeat("x", MaxLineLength) + "\r\n")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("line: %v", err)
	}
	if _, err := Parse([]byte("v=0\r\n" + strings.Repeat("m=audio 1 RTP/AVP 0\r\n", MaxMedia+1))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("media: %v", err)
	}
	many := "v=0\r\nm=audio 1 RTP/SAVP 0\r\n"
	for i := 0; i < MaxCryptoLines+5; i++ {
		many += "a=crypto:" + itoa(i) + " AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
	}
	s, err := Parse([]byte(many))
	if err != nil || len(s.Media[0].Crypto) != MaxCryptoLines || !errors.Is(s.Media[0].Problems[0], errTooMany) {
		t.Fatalf("crypto cap: %v", err)
	}
	fps := "v=0\r\n"
	for i := 0; i < 2*maxFingerprints; i++ {
		fps += "a=fingerprint:sha-256 AB:CD\r\n"
	}
	fps += "m=audio 1 UDP/TLS/RTP/SAVP 0\r\n"
	for i := 0; i < 2*maxFingerprints; i++ {
		fps += "a=fingerprint:sha-256 AB:CD\r\n"
	}
	if s, err := Parse([]byte(fps)); err != nil || len(s.Fingerprints) != maxFingerprints || len(s.Media[0].Fingerprints) != maxFingerprints {
		t.Fatalf("fingerprint cap: %v", err)
	}
	if _, err := Parse([]byte("hello")); err == nil {
		t.Fatal("non-SDP parsed")
	}
}

func TestAnalyzeAnswerProtocolErrors(t *testing.T) {
	off, err := NewOffer(OfferConfig{Kind: OfferSDES80, Addr: mustAP("127.0.0.1:4000")})
	if err != nil {
		t.Fatal(err)
	}
	// negotiated: matrix.SRTPNegotiated says the SDP keys SRTP, though
	// the key cannot be used (a tag that was not offered).
	cases := []struct {
		name, body string
		accepted   bool
		negotiated bool
		want       error
	}{
		{"SAVP without crypto", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 0\r\n", true, false, ErrSAVPWithoutCrypto},
		{"tag not offered", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 0\r\na=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n", true, true, ErrNotOffered},
		{"DTLS to SDES offer", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 UDP/TLS/RTP/SAVP 0\r\na=fingerprint:sha-256 AB:CD\r\n", true, false, ErrNotOffered},
		{"rejected stream", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 0 RTP/SAVP 0\r\n", false, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := AnalyzeAnswer(off, []byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if a.Accepted != c.accepted || a.Secure || a.Negotiated != c.negotiated {
				t.Fatalf("accepted %v secure %v negotiated %v", a.Accepted, a.Secure, a.Negotiated)
			}
			if c.want != nil && (len(a.Problems) != 1 || !errors.Is(a.Problems[0], c.want)) {
				t.Fatalf("problems %v", a.Problems)
			}
		})
	}
	if _, err := AnalyzeAnswer(off, []byte("v=0\r\nm=video 5000 RTP/AVP 96\r\n")); !errors.Is(err, ErrNoAudio) {
		t.Fatalf("no audio: %v", err)
	}
	// A malformed audio m= line is no answer at all, not a stream refused
	// with port 0.
	if a, err := AnalyzeAnswer(off, []byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio -5 RTP/SAVP 0\r\n")); !errors.Is(err, errBadMedia) {
		t.Fatalf("malformed m= line: %+v, %v", a, err)
	}
}

// TestAnalyzeAnswerNoAddress: an answer that accepts the stream but gives
// no connection address (no c= line at either level, or one that does not
// parse) cannot carry media: a protocol problem, said once.
func TestAnalyzeAnswerNoAddress(t *testing.T) {
	off, err := NewOffer(OfferConfig{Kind: OfferSDES80, Addr: mustAP("127.0.0.1:4000")})
	if err != nil {
		t.Fatal(err)
	}
	crypto := "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
	for _, c := range []struct{ name, body string }{
		{"no c= line", "v=0\r\nm=audio 5000 RTP/SAVP 0\r\n" + crypto},
		{"session c= names a host", "v=0\r\nc=IN IP4 edge.example\r\nm=audio 5000 RTP/SAVP 0\r\n" + crypto},
		{"media c= names a host", "v=0\r\nm=audio 5000 RTP/SAVP 0\r\nc=IN IP4 edge.example\r\n" + crypto},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := AnalyzeAnswer(off, []byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range a.Problems {
				if errors.Is(p, errNoAddr) || errors.Is(p, errBadConn) {
					n++
				}
			}
			if !a.Secure || n != 1 {
				t.Fatalf("secure %v, problems %v: want the missing address said once", a.Secure, a.Problems)
			}
		})
	}
	// c=0.0.0.0 is a valid address (an RFC 2543 hold), not a problem.
	a, err := AnalyzeAnswer(off, []byte("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 5000 RTP/SAVP 0\r\n"+crypto))
	if err != nil || len(a.Problems) != 0 {
		t.Fatalf("hold address: %v, problems %v", err, a.Problems)
	}
}

func TestMKIBytes(t *testing.T) {
	c := Crypto{MKI: 0x0102, MKILen: 4}
	if got := c.MKIBytes(); string(got) != "\x00\x00\x01\x02" {
		t.Fatalf("%x", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sfbOffer))
	o, _ := NewOffer(OfferConfig{Kind: OfferDTLS, Addr: mustAP("[::1]:4000")})
	f.Add(o.SDP)
	o, _ = NewOffer(OfferConfig{Kind: OfferMSEncryptionRequired, Addr: mustAP("127.0.0.1:4000")})
	f.Add(o.SDP)
	f.Add([]byte("v=0\r\nm=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^20|4294967295:4;inline:x\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			// Parse recovers from a panic into this error; the fuzzer must
			// still see it.
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		for i := range s.Media {
			m := &s.Media[i]
			_ = OfferLevel(m)
			for _, p := range m.Problems {
				var ae *AttrError
				if errors.As(p, &ae) && !inlineRedacted(ae.Attr) {
					t.Fatalf("problem shows a key: %q", ae.Attr)
				}
			}
			for j := range m.Crypto {
				c := &m.Crypto[j]
				if c.MKILen > 0 && len(c.MKIBytes()) != c.MKILen {
					t.Fatalf("MKI bytes %d != %d", len(c.MKIBytes()), c.MKILen)
				}
				if c.Suite != SuiteUnknown && (len(c.Key) != keyLen || len(c.Salt) != saltLen) {
					t.Fatal("supported suite with bad key length")
				}
			}
		}
		// Answering hostile offers must not panic either.
		_, _ = Answer(b, AnswerConfig{Policy: 1, Addr: mustAP("127.0.0.1:5000"), NoDTLS: true})
	})
}

// inlineRedacted reports that every inline: in s (any case) is followed by
// <redacted>, or by a prefix of it where the evidence was cut.
func inlineRedacted(s string) bool {
	for {
		i := indexFoldASCII(s, "inline:")
		if i < 0 {
			return true
		}
		s = s[i+len("inline:"):]
		rest, _, _ := strings.Cut(s, "…")
		if n := min(len(rest), len("<redacted>")); rest[:n] != "<redacted>"[:n] {
			return false
		}
	}
}

// TestAnswerSfBOffer: the captured SfB form (cryptoscale tag 1, crypto tag
// 2 with MKI, crypto tag 3 without) is answered RTP/SAVP with exactly one
// crypto line, tag 2, MKI 1:1 mirrored (domain.md §1.4).
func TestAnswerSfBOffer(t *testing.T) {
	neg, err := Answer([]byte(sfbOffer), AnswerConfig{Policy: 2, Addr: mustAP("127.0.0.1:5000")})
	if err != nil {
		t.Fatal(err)
	}
	body := string(neg.SDP)
	if strings.Count(body, "a=crypto:") != 1 || !strings.Contains(body, "m=audio 5000 RTP/SAVP 0") ||
		!strings.Contains(body, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:") || !strings.Contains(body, "|2^31|1:1\r\n") {
		t.Fatalf("answer:\n%s", body)
	}
	if neg.Chosen.Tag != 2 || string(neg.Keys.RecvMKI) != "\x01" || string(neg.Keys.SendMKI) != "\x01" {
		t.Fatalf("chosen %+v keys %+v", neg.Chosen.Redacted(), neg.Keys.SendMKI)
	}
	if neg.Remote.String() != "192.0.2.10:50052" || neg.PayloadType != 0 {
		t.Fatalf("remote %v pt %d", neg.Remote, neg.PayloadType)
	}
}

// TestOfferLine: what each built offer says about media security, read back
// from its SDP with the parser, is the kind's static Line and the offer's
// Line (port included), and its level is matrix's reading of that line.
func TestOfferLine(t *testing.T) {
	addr := netip.MustParseAddrPort("192.0.2.1:4000")
	for _, kind := range OfferKinds {
		t.Run(kind.String(), func(t *testing.T) {
			o, err := NewOffer(OfferConfig{Kind: kind, Addr: addr})
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(o.SDP)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Audio().Line()
			want := kind.Line()
			want.Port = 4000
			if got != want || o.Line != want {
				t.Fatalf("parsed line %+v, offer line %+v, want %+v", got, o.Line, want)
			}
			if kind.Line().KeysSRTP() != (kind != OfferPlain) || got.KeysSRTP() != kind.Line().KeysSRTP() {
				t.Fatalf("KeysSRTP: kind %v, parsed %v; only the plain offer keys nothing", kind.Line().KeysSRTP(), got.KeysSRTP())
			}
			if OfferLevel(s.Audio()) != kind.Level() || kind.Level() != want.OfferLevel() {
				t.Fatalf("levels: parsed %v, kind %v, matrix %v", OfferLevel(s.Audio()), kind.Level(), want.OfferLevel())
			}
		})
	}
}

// TestOfferLevelCryptoscale: an RTP/AVP offer carrying only a=cryptoscale
// asks for optional encryption (MS-SDPEXT: "AVP ... together with a=crypto
// or a=cryptoscale", domain.md §1.3), but a=cryptoscale is Scale SRTP and
// keys no plain SRTP (matrix.SRTPNegotiated ignores it).
func TestOfferLevelCryptoscale(t *testing.T) {
	const key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
	body := "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\na=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^31|1:1\r\n"
	s, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	l := s.Audio().Line()
	if l.Crypto != 0 || l.Scale != 1 || OfferLevel(s.Audio()) != matrix.Optional {
		t.Fatalf("line %+v level %v", l, OfferLevel(s.Audio()))
	}
	if matrix.SRTPNegotiated(l, l) {
		t.Fatal("a=cryptoscale on both sides negotiated plain SRTP")
	}
	body += "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "|2^31|1:1\r\n"
	if s, _ = Parse([]byte(body)); OfferLevel(s.Audio()) != matrix.Optional {
		t.Fatalf("AVP with a=crypto: %v", OfferLevel(s.Audio()))
	}
}
