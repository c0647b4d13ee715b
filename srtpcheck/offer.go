package srtpcheck

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/voipsec/voipsec/matrix"
)

// OfferKind is one of the SDP offers a probe makes (issue 5, domain.md §1.3).
type OfferKind uint8

const (
	OfferUnknown OfferKind = iota
	// OfferSDES80: RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80 (RFC 4568).
	OfferSDES80
	// OfferSDES32: RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_32 (tag 1)
	// and AES_CM_128_HMAC_SHA1_80 (tag 2), in the order Teams offers them.
	OfferSDES32
	// OfferMSOptional: Microsoft's "optional" offer: RTP/AVP with
	// a=crypto … inline:KEY|2^31|1:1 (1-byte MKI) (MS-SDPEXT §3.1.5.1).
	OfferMSOptional
	// OfferMSEncryptionRequired: OfferMSOptional plus a=encryption:required (MS-SDP §3).
	OfferMSEncryptionRequired
	// OfferMSEncryptionOptional: OfferMSOptional plus a=encryption:optional.
	OfferMSEncryptionOptional
	// OfferPlain: RTP/AVP without crypto.
	OfferPlain
	// OfferDTLS: UDP/TLS/RTP/SAVP with a=fingerprint and a=setup:actpass (RFC 5763).
	OfferDTLS
)

// OfferKinds lists every offer in the order a probe makes them.
var OfferKinds = []OfferKind{OfferSDES80, OfferSDES32, OfferMSOptional, OfferMSEncryptionRequired,
	OfferMSEncryptionOptional, OfferPlain, OfferDTLS}

var offerNames = [...]string{
	OfferUnknown:              "unknown",
	OfferSDES80:               "sdes-80",
	OfferSDES32:               "sdes-32",
	OfferMSOptional:           "ms-avp-crypto",
	OfferMSEncryptionRequired: "ms-encryption-required",
	OfferMSEncryptionOptional: "ms-encryption-optional",
	OfferPlain:                "plain-rtp",
	OfferDTLS:                 "dtls-srtp",
}

// String returns a stable short name (sdes-80, ms-avp-crypto, dtls-srtp, …).
func (k OfferKind) String() string {
	if int(k) < len(offerNames) {
		return offerNames[k]
	}
	return "OfferKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseOfferKind is the inverse of String.
func ParseOfferKind(s string) (OfferKind, bool) {
	for i, n := range offerNames {
		if i > 0 && n == s {
			return OfferKind(i), true
		}
	}
	return OfferUnknown, false
}

// Level is the encryption level the offer asks for, as an answerer reads it
// (domain.md §1.6, [matrix.MediaLine.OfferLevel]): SAVP and DTLS offers are
// required, AVP+crypto optional unless a=encryption says otherwise, plain
// AVP rejected.
func (k OfferKind) Level() matrix.EncryptionLevel { return k.Line().OfferLevel() }

// Line is what the kind's offer says about media security (its port
// aside): the [matrix.MediaLine] of the SDP [NewOffer] builds for it.
func (k OfferKind) Line() matrix.MediaLine {
	switch k {
	case OfferSDES80:
		return matrix.MediaLine{Proto: "RTP/SAVP", Crypto: 1}
	case OfferSDES32:
		return matrix.MediaLine{Proto: "RTP/SAVP", Crypto: 2}
	case OfferMSOptional:
		return matrix.MediaLine{Proto: "RTP/AVP", Crypto: 1}
	case OfferMSEncryptionRequired:
		return matrix.MediaLine{Proto: "RTP/AVP", Crypto: 1, Encryption: "required"}
	case OfferMSEncryptionOptional:
		return matrix.MediaLine{Proto: "RTP/AVP", Crypto: 1, Encryption: "optional"}
	case OfferDTLS:
		return matrix.MediaLine{Proto: "UDP/TLS/RTP/SAVP", Fingerprint: true}
	}
	return matrix.MediaLine{Proto: "RTP/AVP"}
}

// Suite is the SDES suite the offer carries (SuiteUnknown for plain and DTLS).
func (k OfferKind) Suite() Suite {
	switch k {
	case OfferSDES80, OfferMSOptional, OfferMSEncryptionRequired, OfferMSEncryptionOptional:
		return AES128CMHMACSHA1_80
	case OfferSDES32:
		return AES128CMHMACSHA1_32
	}
	return SuiteUnknown
}

// OfferConfig describes an offer to build.
type OfferConfig struct {
	Kind OfferKind
	// Addr is our media address: the c= address and m= port.
	Addr netip.AddrPort
	// Certificate is the DTLS certificate whose fingerprint the offer
	// carries; nil generates a self-signed one (OfferDTLS only).
	Certificate *tls.Certificate
	// SessionID is the o= session id; 0 picks a random one.
	SessionID uint64
}

// Offer is a built offer with the secrets needed to use its answer.
type Offer struct {
	Kind        OfferKind
	Addr        netip.AddrPort
	SDP         []byte
	Line        matrix.MediaLine // what SDP says about media security, port included
	Crypto      []Crypto         // our a=crypto lines with keys; empty for plain and DTLS
	Fingerprint Fingerprint      // DTLS only
	Certificate *tls.Certificate // DTLS only
}

// NewOffer builds an offer with fresh keys from crypto/rand.
func NewOffer(cfg OfferConfig) (*Offer, error) {
	if cfg.Kind == OfferUnknown || int(cfg.Kind) >= len(offerNames) {
		return nil, fmt.Errorf("srtpcheck: new offer: unknown kind %d", cfg.Kind)
	}
	if !cfg.Addr.IsValid() {
		return nil, fmt.Errorf("srtpcheck: new offer: invalid media address")
	}
	o := &Offer{Kind: cfg.Kind, Addr: cfg.Addr}
	proto := "RTP/AVP"
	var attrs []string
	switch cfg.Kind {
	case OfferSDES80:
		proto = "RTP/SAVP"
		c, err := NewCrypto(1, AES128CMHMACSHA1_80, 0)
		if err != nil {
			return nil, err
		}
		o.Crypto = []Crypto{c}
	case OfferSDES32:
		// Teams order (domain.md §1.4, TEAMS-DR): _32 as tag 1, _80 as
		// tag 2. An answerer that picks _32 although _80 was on offer
		// chose the weak suite; one that can only do _32 still can.
		proto = "RTP/SAVP"
		weak, err := NewCrypto(1, AES128CMHMACSHA1_32, 0)
		if err != nil {
			return nil, err
		}
		strong, err := NewCrypto(2, AES128CMHMACSHA1_80, 0)
		if err != nil {
			return nil, err
		}
		o.Crypto = []Crypto{weak, strong}
	case OfferMSOptional, OfferMSEncryptionRequired, OfferMSEncryptionOptional:
		c, err := NewCrypto(1, AES128CMHMACSHA1_80, 1)
		if err != nil {
			return nil, err
		}
		c.Lifetime = "2^31"
		o.Crypto = []Crypto{c}
		switch cfg.Kind {
		case OfferMSEncryptionRequired:
			attrs = append(attrs, "encryption:required")
		case OfferMSEncryptionOptional:
			attrs = append(attrs, "encryption:optional")
		}
	case OfferDTLS:
		proto = "UDP/TLS/RTP/SAVP"
		cert := cfg.Certificate
		if cert == nil {
			c, err := selfsign.GenerateSelfSigned()
			if err != nil {
				return nil, fmt.Errorf("srtpcheck: new offer: generate DTLS certificate: %w", err)
			}
			cert = &c
		}
		if len(cert.Certificate) == 0 {
			return nil, fmt.Errorf("srtpcheck: new offer: empty DTLS certificate")
		}
		o.Certificate = cert
		o.Fingerprint = CertificateFingerprint(cert.Certificate[0])
		attrs = append(attrs, "fingerprint:"+o.Fingerprint.String(), "setup:actpass")
	}
	for i := range o.Crypto {
		attrs = append(attrs, "crypto:"+o.Crypto[i].Value())
	}
	sid := cfg.SessionID
	if sid == 0 {
		var b [4]byte
		_, _ = rand.Read(b[:])
		sid = uint64(binary.BigEndian.Uint32(b[:]) >> 1)
	}
	o.SDP = writeSDP(sid, cfg.Addr, proto, []string{"0", "8"}, attrs)
	o.Line = cfg.Kind.Line()
	o.Line.Port = int(cfg.Addr.Port())
	return o, nil
}

// NewCrypto makes a crypto line with a fresh 30-byte key||salt from
// crypto/rand. mkiLen > 0 adds MKI value 1 of that many bytes.
func NewCrypto(tag int, s Suite, mkiLen int) (Crypto, error) {
	if s.info() == nil {
		return Crypto{}, fmt.Errorf("srtpcheck: new crypto: %w: %v", errBadSuite, s)
	}
	if mkiLen < 0 || mkiLen > 128 {
		return Crypto{}, fmt.Errorf("srtpcheck: new crypto: %w: length %d", errBadMKI, mkiLen)
	}
	b := make([]byte, keyLen+saltLen)
	if _, err := rand.Read(b); err != nil {
		return Crypto{}, fmt.Errorf("srtpcheck: new crypto: read random key: %w", err)
	}
	c := Crypto{Tag: tag, SuiteName: s.String(), Suite: s, Key: b[:keyLen:keyLen], Salt: b[keyLen:]}
	if mkiLen > 0 {
		c.MKI, c.MKILen = 1, mkiLen
	}
	return c, nil
}

// CertificateFingerprint is the SHA-256 fingerprint of a DER certificate.
func CertificateFingerprint(der []byte) Fingerprint {
	sum := sha256.Sum256(der)
	return Fingerprint{Hash: "sha-256", Digest: sum[:]}
}

// writeSDP renders a one-audio-section SDP body.
func writeSDP(sid uint64, addr netip.AddrPort, proto string, formats []string, attrs []string) []byte {
	ipv := "IP4"
	if addr.Addr().Is6() && !addr.Addr().Is4In6() {
		ipv = "IP6"
	}
	a := addr.Addr().Unmap().String()
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=voipsec %d %d IN %s %s\r\ns=voipsec\r\nc=IN %s %s\r\nt=0 0\r\n", sid, sid, ipv, a, ipv, a)
	fmt.Fprintf(&b, "m=audio %d %s %s\r\n", addr.Port(), proto, strings.Join(formats, " "))
	for _, f := range formats {
		switch f {
		case "0":
			b.WriteString("a=rtpmap:0 PCMU/8000\r\n")
		case "8":
			b.WriteString("a=rtpmap:8 PCMA/8000\r\n")
		}
	}
	for _, at := range attrs {
		b.WriteString("a=" + at + "\r\n")
	}
	b.WriteString("a=ptime:20\r\na=sendrecv\r\n")
	return []byte(b.String())
}
