package srtpcheck

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/voipsec/voipsec/matrix"
)

// Keys are the SRTP master keys of one call leg in both directions, as one
// side sees them.
type Keys struct {
	Suite    Suite
	SendKey  []byte
	SendSalt []byte
	SendMKI  []byte // nil: no MKI in sent packets
	RecvKey  []byte
	RecvSalt []byte
	RecvMKI  []byte // nil: no MKI expected in received packets
}

// OfferLevel is the encryption level an offer asks for, as
// [matrix.MediaLine.OfferLevel] decides it for the live probe and the
// capture reader alike (domain.md §1.2–1.6): a=encryption when present;
// otherwise SAVP (SDES or DTLS) is required, AVP with a=crypto optional,
// AVP without a=crypto rejected.
func OfferLevel(m *Media) matrix.EncryptionLevel { return m.Line().OfferLevel() }

// AnswerConfig is the answerer's policy and local media.
type AnswerConfig struct {
	Policy matrix.EncryptionLevel
	// Addr is our media address (c= and m= port).
	Addr netip.AddrPort
	// Suites acceptable for SDES, in preference order; nil means all of [Suites].
	Suites []Suite
	// Certificate for DTLS-SRTP; nil generates a self-signed one.
	Certificate *tls.Certificate
	// NoDTLS refuses DTLS-SRTP offers as if they carried no usable key.
	NoDTLS bool
}

// Negotiation is what [Answer] decided.
type Negotiation struct {
	SDP         []byte                 // the answer body
	Offered     matrix.EncryptionLevel // what the offer asked for
	Secure      bool                   // SRTP agreed
	DTLS        bool                   // keyed by DTLS-SRTP (Keys filled by DTLSHandshake)
	Keys        Keys                   // SDES keys: Send is ours, Recv the offerer's
	Chosen      *Crypto                // the offer's crypto line we accepted
	Local       *Crypto                // our answer crypto line
	Remote      netip.AddrPort         // where the offerer wants media
	PayloadType uint8
	// DTLS: our role (true = we are the DTLS client, a=setup:active), the
	// offerer's fingerprints, and our certificate.
	DTLSClient         bool
	RemoteFingerprints []Fingerprint
	Certificate        *tls.Certificate
}

// Answer applies cfg.Policy to an offer the way OCS/Lync and Exchange UM do
// (domain.md §1.6) and builds the answer. It returns an error wrapping
// [ErrIncompatible] when the call must be refused with 488, and other
// errors when the offer cannot be parsed (400/488 at the caller's choice).
func Answer(offer []byte, cfg AnswerConfig) (*Negotiation, error) {
	s, err := Parse(offer)
	if err != nil {
		return nil, fmt.Errorf("srtpcheck: answer: %w", err)
	}
	m := s.Audio()
	if m == nil || m.Port == 0 {
		return nil, fmt.Errorf("srtpcheck: answer: %w", ErrNoAudio)
	}
	n := &Negotiation{Offered: OfferLevel(m), Remote: m.RemoteAddr()}
	if !n.Remote.IsValid() {
		return nil, fmt.Errorf("srtpcheck: answer: %w: no usable c= address", ErrIncompatible)
	}
	pt := -1
	for _, f := range m.Formats {
		if f == "0" || f == "8" {
			v, _ := strconv.Atoi(f)
			pt = v
			break
		}
	}
	if pt < 0 {
		return nil, fmt.Errorf("srtpcheck: answer: %w: no G.711 format offered", ErrIncompatible)
	}
	n.PayloadType = uint8(pt)

	// What the offer makes possible.
	suites := cfg.Suites
	if suites == nil {
		for _, i := range Suites() {
			suites = append(suites, i.Suite)
		}
	}
	var chosen *Crypto
	for _, want := range suites {
		for i := range m.Crypto {
			c := &m.Crypto[i]
			// a=cryptoscale is Scale SRTP (MS-SSRTP): its tag counts but we do not key it.
			if !c.Scale && c.Suite == want && c.Key != nil {
				chosen = c
				break
			}
		}
		if chosen != nil {
			break
		}
	}
	dtlsOK := m.Line().DTLS() && !cfg.NoDTLS && len(m.Fingerprints) > 0
	canSecure := dtlsOK || chosen != nil

	switch {
	case n.Offered == matrix.Required && !canSecure:
		return nil, fmt.Errorf("srtpcheck: answer: %w: offer requires encryption with no usable key", ErrIncompatible)
	case n.Offered == matrix.Required && cfg.Policy == matrix.Rejected:
		return nil, fmt.Errorf("srtpcheck: answer: %w: offer requires encryption, policy rejects it", ErrIncompatible)
	case cfg.Policy == matrix.Required && (n.Offered == matrix.Rejected || !canSecure):
		return nil, fmt.Errorf("srtpcheck: answer: %w: policy requires encryption, offer is %v", ErrIncompatible, n.Offered)
	}
	n.Secure = canSecure && cfg.Policy != matrix.Rejected && n.Offered != matrix.Rejected

	var attrs []string
	proto := "RTP/AVP"
	if n.Secure && dtlsOK {
		n.DTLS = true
		proto = m.Proto
		cert := cfg.Certificate
		if cert == nil {
			c, err := selfsign.GenerateSelfSigned()
			if err != nil {
				return nil, fmt.Errorf("srtpcheck: answer: generate DTLS certificate: %w", err)
			}
			cert = &c
		}
		if len(cert.Certificate) == 0 {
			return nil, fmt.Errorf("srtpcheck: answer: empty DTLS certificate")
		}
		n.Certificate = cert
		n.RemoteFingerprints = m.Fingerprints
		// RFC 5763 §5: the answerer to actpass SHOULD be active.
		setup := "active"
		if m.Setup == "active" {
			setup = "passive"
		}
		n.DTLSClient = setup == "active"
		attrs = append(attrs, "fingerprint:"+CertificateFingerprint(cert.Certificate[0]).String(), "setup:"+setup)
	} else if n.Secure {
		// MS-SDPEXT: accepting an AVP+crypto offer is an RTP/SAVP answer with
		// one crypto line; the chosen tag's MKI presence is mirrored.
		proto = "RTP/SAVP"
		if m.Proto == "TCP/RTP/AVP" || m.Proto == "TCP/RTP/SAVP" {
			proto = "TCP/RTP/SAVP"
		}
		local, err := NewCrypto(chosen.Tag, chosen.Suite, chosen.MKILen)
		if err != nil {
			return nil, fmt.Errorf("srtpcheck: answer: %w", err)
		}
		local.Lifetime = chosen.Lifetime
		c := *chosen
		n.Chosen, n.Local = &c, &local
		n.Keys = Keys{Suite: chosen.Suite,
			SendKey: local.Key, SendSalt: local.Salt, SendMKI: local.MKIBytes(),
			RecvKey: chosen.Key, RecvSalt: chosen.Salt, RecvMKI: chosen.MKIBytes()}
		attrs = append(attrs, "crypto:"+local.Value())
	}
	if m.Encryption != "" {
		attrs = append(attrs, "encryption:"+cfg.Policy.String())
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	n.SDP = writeSDP(uint64(binary.BigEndian.Uint32(b[:])>>1), cfg.Addr, proto, []string{strconv.Itoa(pt)}, attrs)
	return n, nil
}

// Analysis is the offerer's reading of an answer to its [Offer].
type Analysis struct {
	Accepted bool // an audio section with a non-zero port
	// Negotiated: offer and answer key SRTP the same way, by
	// [matrix.SRTPNegotiated], the definition the capture reader uses too.
	Negotiated bool
	// Secure: SRTP negotiated with keys this side can use (SDES keys in
	// Keys, or DTLS to run). Negotiated without Secure is a protocol
	// problem (a crypto line for a tag or suite that was not offered).
	Secure      bool
	DTLS        bool
	Suite       Suite
	Chosen      *Crypto // the answer's crypto line we use (contains the key)
	Keys        Keys    // SDES: Send is our offered key, Recv the answer's
	Remote      netip.AddrPort
	PayloadType uint8
	Proto       string
	Encryption  string // the answer's a=encryption, if any
	// DTLS: whether we are the DTLS client (answer setup passive) and the
	// answerer's fingerprints.
	DTLSClient   bool
	Fingerprints []Fingerprint
	// Problems are protocol errors in the answer (ErrSAVPWithoutCrypto,
	// ErrNotOffered, ErrDTLSWithoutFingerprint, *AttrError …).
	Problems []error
	Media    *Media
}

// Level is the encryption the answer gives: required when SRTP was agreed,
// rejected otherwise.
func (a *Analysis) Level() matrix.EncryptionLevel {
	if a.Secure {
		return matrix.Required
	}
	return matrix.Rejected
}

// AnalyzeAnswer reads the answer to o. An error means the body is not a
// usable SDP (unparsable, too large, no audio); protocol problems in a
// parsable answer are in Analysis.Problems.
func AnalyzeAnswer(o *Offer, body []byte) (*Analysis, error) {
	if o == nil {
		return nil, fmt.Errorf("srtpcheck: analyze answer: nil offer")
	}
	s, err := Parse(body)
	if err != nil {
		return nil, fmt.Errorf("srtpcheck: analyze answer: %w", err)
	}
	m := s.Audio()
	if m == nil {
		return nil, fmt.Errorf("srtpcheck: analyze answer: %w", ErrNoAudio)
	}
	// An audio m= line that does not parse has no port to read: not a
	// refused stream (port 0), but no usable answer at all.
	for _, p := range m.Problems {
		if errors.Is(p, errBadMedia) {
			return nil, fmt.Errorf("srtpcheck: analyze answer: %w", p)
		}
	}
	a := &Analysis{Media: m, Proto: m.Proto, Remote: m.RemoteAddr(), Encryption: m.Encryption,
		Fingerprints: m.Fingerprints, Problems: slices.Clone(m.Problems)}
	a.Accepted = m.Port != 0
	a.Negotiated = matrix.SRTPNegotiated(o.Line, m.Line())
	if len(m.Formats) > 0 {
		if v, err := strconv.Atoi(m.Formats[0]); err == nil && v >= 0 && v < 128 {
			a.PayloadType = uint8(v)
		}
	}
	if !a.Accepted {
		return a, nil
	}
	if !m.Addr.IsValid() && !slices.ContainsFunc(m.Problems, func(p error) bool { return errors.Is(p, errBadConn) }) {
		// RFC 4566 §5.7: c= at session or media level. A stream with
		// nowhere to send media is accepted in name only.
		a.Problems = append(a.Problems, errNoAddr)
	}
	if m.Line().DTLS() {
		if o.Kind != OfferDTLS {
			a.Problems = append(a.Problems, fmt.Errorf("%w: DTLS answer to an SDES offer", ErrNotOffered))
			return a, nil
		}
		if len(m.Fingerprints) == 0 {
			a.Problems = append(a.Problems, ErrDTLSWithoutFingerprint)
			return a, nil
		}
		a.Secure, a.DTLS = a.Negotiated, true
		// RFC 5763 §5: the answerer active means we are the DTLS server.
		a.DTLSClient = m.Setup == "passive"
		return a, nil
	}
	// SDES: the first answer crypto line matching an offered tag and suite.
	// Microsoft answers may carry several (TEAMS-DR), so tolerate them.
	for i := range m.Crypto {
		c := &m.Crypto[i]
		if c.Scale || c.Key == nil {
			continue
		}
		for j := range o.Crypto {
			ours := &o.Crypto[j]
			if ours.Tag == c.Tag && ours.Suite == c.Suite {
				cc := *c
				a.Chosen = &cc
				a.Suite = c.Suite
				a.Keys = Keys{Suite: c.Suite,
					SendKey: ours.Key, SendSalt: ours.Salt, SendMKI: ours.MKIBytes(),
					RecvKey: c.Key, RecvSalt: c.Salt, RecvMKI: c.MKIBytes()}
				break
			}
		}
		if a.Chosen != nil {
			break
		}
	}
	switch {
	case a.Chosen != nil:
		a.Secure = a.Negotiated
	case len(m.Crypto) > 0:
		a.Problems = append(a.Problems, fmt.Errorf("%w: %s", ErrNotOffered, m.Crypto[0].Redacted()))
	case m.Line().SAVP():
		a.Problems = append(a.Problems, ErrSAVPWithoutCrypto)
	}
	return a, nil
}
