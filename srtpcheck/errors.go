package srtpcheck

import (
	"errors"
	"fmt"
)

// Exported sentinels: callers branch on these.
var (
	// ErrIncompatible means the offer cannot be answered under the policy:
	// the SIP answer is 488 ("Encryption Levels not compatible", MS-SDP §4).
	ErrIncompatible = errors.New("srtpcheck: encryption levels not compatible")
	// ErrFingerprintMismatch means the DTLS peer's certificate does not match
	// the a=fingerprint of its SDP (RFC 5763 §5).
	ErrFingerprintMismatch = errors.New("srtpcheck: DTLS certificate does not match SDP fingerprint")
	// ErrTooLarge means the SDP exceeded one of the named limits.
	ErrTooLarge = errors.New("srtpcheck: SDP too large")
	// ErrNoAudio means the SDP has no audio media section.
	ErrNoAudio = errors.New("srtpcheck: no audio media section")
	// ErrSAVPWithoutCrypto is an RTP/SAVP answer with no a=crypto: a protocol
	// error (domain.md §1.6, rtpengine #929).
	ErrSAVPWithoutCrypto = errors.New("srtpcheck: RTP/SAVP answer without a=crypto")
	// ErrNotOffered is an answer choosing a crypto tag or suite that was not offered.
	ErrNotOffered = errors.New("srtpcheck: answer chose a crypto line that was not offered")
	// ErrDTLSWithoutFingerprint is a DTLS-SRTP media section without a=fingerprint.
	ErrDTLSWithoutFingerprint = errors.New("srtpcheck: DTLS-SRTP media without a=fingerprint")
)

var (
	errBadAttr   = errors.New("malformed attribute")
	errBadSuite  = errors.New("unknown crypto suite")
	errBadKey    = errors.New("bad inline key")
	errBadMKI    = errors.New("bad MKI")
	errDupTag    = errors.New("duplicate crypto tag")
	errTooMany   = errors.New("too many crypto lines")
	errBadMedia  = errors.New("malformed m= line")
	errBadConn   = errors.New("malformed c= line")
	errNoAddr    = errors.New("no c= connection address for the accepted stream")
	errBadFP     = errors.New("malformed fingerprint")
	errNoProfile = errors.New("no SRTP profile")
)

// AttrError is a malformed or conflicting security attribute, with the SDP
// line number (1-based) and the attribute text (truncated) as evidence.
type AttrError struct {
	Line int
	Attr string
	Err  error
}

func (e *AttrError) Error() string {
	return fmt.Sprintf("srtpcheck: line %d %q: %v", e.Line, e.Attr, e.Err)
}

func (e *AttrError) Unwrap() error { return e.Err }

// FingerprintMismatchError carries the fingerprints that were compared.
type FingerprintMismatchError struct {
	Want []Fingerprint // from the SDP
	Got  string        // SHA-256 of the presented certificate, as Fingerprint.String writes it ("sha-256 AB:…")
}

func (e *FingerprintMismatchError) Error() string {
	w := ""
	if len(e.Want) > 0 {
		w = e.Want[0].String()
	}
	return fmt.Sprintf("srtpcheck: DTLS certificate %s does not match SDP fingerprint %s", e.Got, w)
}

func (e *FingerprintMismatchError) Unwrap() error { return ErrFingerprintMismatch }

// LocalError is a DTLS or SRTP step that failed on this host, not through
// anything the peer did: a certificate that could not be generated, keys
// that could not be set up, a packet that could not be encrypted. Step
// names it in words ("set up the SRTP send context"); a caller reports it
// as its own failure, never as the peer's.
type LocalError struct {
	Step string
	Err  error
}

func (e *LocalError) Error() string { return "srtpcheck: " + e.Step + ": " + e.Err.Error() }

func (e *LocalError) Unwrap() error { return e.Err }
