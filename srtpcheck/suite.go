package srtpcheck

import (
	"fmt"

	"github.com/pion/dtls/v3"
	"github.com/pion/srtp/v3"
)

// Suite is an SDES crypto suite (RFC 4568 §6.2) or DTLS-SRTP protection
// profile (RFC 5764 §4.1.2) that voipsec can key.
type Suite uint8

const (
	SuiteUnknown Suite = iota
	// AES_CM_128_HMAC_SHA1_80: the suite Microsoft supports (MS-SDPEXT §3.1.5.1).
	AES128CMHMACSHA1_80
	// AES_CM_128_HMAC_SHA1_32: 32-bit auth tag; Teams offers it (TEAMS-DR).
	AES128CMHMACSHA1_32
)

// SuiteInfo is the plain exported description of a suite.
type SuiteInfo struct {
	Suite    Suite
	Name     string // RFC 4568 name
	TagLen   int    // RTP auth tag bytes
	Weak     bool   // shorter than 80-bit authentication
	Profile  srtp.ProtectionProfile
	DTLSName dtls.SRTPProtectionProfile
}

var suites = []*SuiteInfo{
	{AES128CMHMACSHA1_80, "AES_CM_128_HMAC_SHA1_80", 10, false, srtp.ProtectionProfileAes128CmHmacSha1_80, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
	{AES128CMHMACSHA1_32, "AES_CM_128_HMAC_SHA1_32", 4, true, srtp.ProtectionProfileAes128CmHmacSha1_32, dtls.SRTP_AES128_CM_HMAC_SHA1_32},
}

// Suites returns the table of supported suites.
func Suites() []*SuiteInfo { return suites }

func (s Suite) info() *SuiteInfo {
	for _, i := range suites {
		if i.Suite == s {
			return i
		}
	}
	return nil
}

// String returns the RFC 4568 name, or Suite(N) for an unknown suite.
func (s Suite) String() string {
	if i := s.info(); i != nil {
		return i.Name
	}
	return fmt.Sprintf("Suite(%d)", uint8(s))
}

// Weak reports a suite with a 32-bit authentication tag.
func (s Suite) Weak() bool {
	i := s.info()
	return i != nil && i.Weak
}

// Profile returns the pion/srtp protection profile.
func (s Suite) Profile() (srtp.ProtectionProfile, bool) {
	if i := s.info(); i != nil {
		return i.Profile, true
	}
	return 0, false
}

// ParseSuite maps an RFC 4568 suite name to a Suite; unknown names give
// SuiteUnknown.
func ParseSuite(name string) Suite {
	for _, i := range suites {
		if i.Name == name {
			return i.Suite
		}
	}
	return SuiteUnknown
}

func suiteFromDTLS(p dtls.SRTPProtectionProfile) Suite {
	for _, i := range suites {
		if i.DTLSName == p {
			return i.Suite
		}
	}
	return SuiteUnknown
}

// keyLen and saltLen are the AES-128 master key and salt sizes (RFC 3711 §8.2).
const (
	keyLen  = 16
	saltLen = 14
)
