package matrix

import (
	"fmt"
	"strings"
)

// VoipSecurity is the Exchange UM dial plan's VoIPSecurity setting
// (Set-UMDialPlan -VoIPSecurity).
type VoipSecurity uint8

const (
	Unsecured  VoipSecurity = iota // TCP 5060, RTP (the Exchange default)
	SIPSecured                     // mutual TLS 5061, RTP
	Secured                        // mutual TLS 5061, SRTP (Exchange 2007 SP1 and later)
)

// VoipSecurities lists the levels in order.
var VoipSecurities = []VoipSecurity{Unsecured, SIPSecured, Secured}

var voipSecurityNames = [...]string{Unsecured: "Unsecured", SIPSecured: "SIPSecured", Secured: "Secured"}

// String returns the name Exchange uses: Unsecured, SIPSecured or Secured.
func (v VoipSecurity) String() string {
	if int(v) < len(voipSecurityNames) {
		return voipSecurityNames[v]
	}
	return fmt.Sprintf("VoipSecurity(%d)", uint8(v))
}

// MarshalText implements encoding.TextMarshaler.
func (v VoipSecurity) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParseVoipSecurity].
func (v *VoipSecurity) UnmarshalText(b []byte) error {
	p, err := ParseVoipSecurity(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// fold lower-cases s and drops the separators administrators type between
// words: "SIP-Secured", "sip_secured" and "SIP Secured" all fold to
// "sipsecured".
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch r {
		case '-', '_', ' ', '.':
			continue
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

// ParseVoipSecurity parses a dial plan level case-insensitively, ignoring
// '-', '_' and spaces between words. An unknown value is an *[UnknownValueError].
func ParseVoipSecurity(s string) (VoipSecurity, error) {
	switch fold(s) {
	case "unsecured":
		return Unsecured, nil
	case "sipsecured":
		return SIPSecured, nil
	case "secured":
		return Secured, nil
	}
	return 0, &UnknownValueError{What: "VoIPSecurity", Value: s, Accepted: []string{"Unsecured", "SIPSecured", "Secured"}}
}

// EncryptionLevel is the media encryption level of a client or server:
// MS-SDP's a=encryption values, and what OCS/Lync's EncryptionLevel setting
// provisions to clients (RequireEncryption → required, SupportEncryption →
// optional, DoNotSupportEncryption → rejected).
type EncryptionLevel uint8

const (
	Rejected EncryptionLevel = iota // encryption not allowed: plain RTP only
	Optional                        // SRTP when the peer can, RTP otherwise
	Required                        // SRTP or no call
)

// EncryptionLevels lists the levels in order.
var EncryptionLevels = []EncryptionLevel{Rejected, Optional, Required}

var encryptionNames = [...]string{Rejected: "rejected", Optional: "optional", Required: "required"}

// String returns the a=encryption form: rejected, optional or required.
func (e EncryptionLevel) String() string {
	if int(e) < len(encryptionNames) {
		return encryptionNames[e]
	}
	return fmt.Sprintf("EncryptionLevel(%d)", uint8(e))
}

// ServerSetting returns the OCS/Lync EncryptionLevel value that provisions e.
func (e EncryptionLevel) ServerSetting() string {
	switch e {
	case Rejected:
		return "DoNotSupportEncryption"
	case Optional:
		return "SupportEncryption"
	case Required:
		return "RequireEncryption"
	}
	return e.String()
}

// MarshalText implements encoding.TextMarshaler.
func (e EncryptionLevel) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParseEncryptionLevel].
func (e *EncryptionLevel) UnmarshalText(b []byte) error {
	p, err := ParseEncryptionLevel(string(b))
	if err != nil {
		return err
	}
	*e = p
	return nil
}

// ParseEncryptionLevel parses a client or server encryption level in any of
// the forms administrators type: the a=encryption values (rejected, optional,
// required), the OCS/Lync EncryptionLevel values (DoNotSupportEncryption,
// SupportEncryption, RequireEncryption), and the trunk SRTPMode values
// (NotSupported, Optional, Required). Case and '-', '_', ' ' are ignored.
func ParseEncryptionLevel(s string) (EncryptionLevel, error) {
	switch fold(s) {
	case "rejected", "donotsupportencryption", "notsupported":
		return Rejected, nil
	case "optional", "supportencryption", "supported":
		return Optional, nil
	case "required", "requireencryption":
		return Required, nil
	}
	return 0, &UnknownValueError{What: "encryption level", Value: s, Accepted: []string{
		"rejected", "optional", "required",
		"DoNotSupportEncryption", "SupportEncryption", "RequireEncryption",
		"NotSupported"}}
}

// UnknownValueError is an unrecognised level; it lists the accepted forms.
type UnknownValueError struct {
	What     string
	Value    string
	Accepted []string
}

func (e *UnknownValueError) Error() string {
	return fmt.Sprintf("matrix: unknown %s %q (accepted: %s)", e.What, e.Value, strings.Join(e.Accepted, ", "))
}

// Transport is what a level implies for SIP signalling.
type Transport struct {
	Name      string // "tcp" or "tls"
	Port      int    // Exchange UM default listening port
	MutualTLS bool   // both sides present certificates
}

// Transport returns the signalling a dial plan level implies: TCP 5060 for
// Unsecured, mutual TLS on 5061 for SIPSecured and Secured
// (UMServer.SipTcpListeningPort / SipTlsListeningPort).
func (v VoipSecurity) Transport() Transport {
	if v == Unsecured {
		return Transport{Name: "tcp", Port: 5060}
	}
	return Transport{Name: "tls", Port: 5061, MutualTLS: true}
}

// Media returns the encryption level the UM server itself applies to media
// under v: required (SRTP) for Secured, rejected (RTP) otherwise.
func (v VoipSecurity) Media() EncryptionLevel {
	if v == Secured {
		return Required
	}
	return Rejected
}

// SRTP reports whether v requires SRTP media.
func (v VoipSecurity) SRTP() bool { return v == Secured }
