package sipcheck

import (
	"fmt"
	"strings"

	"github.com/voipsec/voipsec/srtpcheck"
)

// Answer is the key-free summary of an SDP answer that reports carry.
type Answer struct {
	Profile     string   `json:"profile,omitempty"` // m= line transport profile
	Port        int      `json:"port"`              // m= port; 0 means the stream was refused
	Addr        string   `json:"addr,omitempty"`    // c= address
	Crypto      []string `json:"crypto,omitempty"`  // a=crypto lines with the key redacted
	Encryption  string   `json:"encryption,omitempty"`
	Fingerprint string   `json:"fingerprint,omitempty"`
	Setup       string   `json:"setup,omitempty"`
	Suite       string   `json:"suite,omitempty"` // the SDES suite the probe keyed with
	MKI         bool     `json:"mki"`             // the chosen crypto line carries an MKI
	Problems    []string `json:"problems,omitempty"`
	HasKeys     bool     `json:"carries_sdes_keys"` // a=crypto with an inline key was present
	// Unreadable: the body is not a usable SDP answer (it does not parse,
	// or has no audio section); Problems says why.
	Unreadable bool `json:"unreadable,omitempty"`
	// Negotiated: offer and answer key SRTP the same way
	// (matrix.SRTPNegotiated), whether or not the key is usable.
	Negotiated bool `json:"srtp_negotiated"`
	// Weak: the chosen SDES suite is weak, or a session parameter
	// downgrades it (RFC 4568 §6.3: UNENCRYPTED_SRTP, UNAUTHENTICATED_SRTP,
	// UNENCRYPTED_SRTCP).
	Weak bool `json:"weak,omitempty"`

	analysis *srtpcheck.Analysis
}

// analyze reads the answer to offer with srtpcheck. It never fails: an
// unusable body is recorded as a problem for the report.
func analyze(offer *srtpcheck.Offer, body []byte) *Answer {
	a := &Answer{}
	an, err := srtpcheck.AnalyzeAnswer(offer, body)
	if err != nil {
		a.Unreadable = true
		a.Problems = append(a.Problems, clip(strings.TrimPrefix(err.Error(), "srtpcheck: "), 200))
		return a
	}
	a.analysis = an
	a.Negotiated = an.Negotiated
	m := an.Media
	a.Profile, a.Port = clip(m.Proto, 32), m.Port
	if m.Addr.IsValid() {
		a.Addr = m.Addr.String()
	}
	for i := range m.Crypto {
		c := &m.Crypto[i]
		if len(a.Crypto) < 8 {
			a.Crypto = append(a.Crypto, clip(c.Redacted(), 120))
		}
		if c.Key != nil {
			a.HasKeys = true
		}
	}
	a.Encryption = clip(m.Encryption, 16)
	if len(m.Fingerprints) > 0 {
		a.Fingerprint = clip(m.Fingerprints[0].String(), 200)
	}
	a.Setup = clip(m.Setup, 16)
	if an.Secure && !an.DTLS {
		a.Suite = an.Suite.String()
		a.MKI = an.Chosen != nil && an.Chosen.MKILen > 0
	}
	a.Weak = a.weak()
	for i, p := range an.Problems {
		if i == 8 {
			a.Problems = append(a.Problems, fmt.Sprintf("and %d more", len(an.Problems)-i))
			break
		}
		a.Problems = append(a.Problems, clip(strings.TrimPrefix(p.Error(), "srtpcheck: "), 200))
	}
	return a
}

// Secure reports whether the answer accepted SRTP (SDES keyed or DTLS-SRTP).
func (a *Answer) Secure() bool {
	return a != nil && a.analysis != nil && a.analysis.Accepted && a.analysis.Secure
}

// Plain reports an accepted answer that keys no SRTP on an RTP/AVP
// profile: the call runs as plain RTP. (baresip in "srtp" mode answers a
// plain offer RTP/AVP with a crypto line of its own, which keys nothing.)
func (a *Answer) Plain() bool {
	if a == nil || a.analysis == nil || !a.analysis.Accepted || a.analysis.Secure {
		return false
	}
	return !a.analysis.Media.Line().SAVP()
}

// weak reports a weak chosen suite or a downgrading session parameter
// (RFC 4568 §6.3: UNENCRYPTED_SRTP, UNAUTHENTICATED_SRTP).
func (a *Answer) weak() bool {
	an := a.analysis
	if an == nil || !an.Secure || an.DTLS {
		return false
	}
	if an.Suite.Weak() {
		return true
	}
	if an.Chosen != nil {
		for _, p := range an.Chosen.Params {
			switch strings.ToUpper(p) {
			case "UNENCRYPTED_SRTP", "UNAUTHENTICATED_SRTP", "UNENCRYPTED_SRTCP":
				return true
			}
		}
	}
	return false
}
