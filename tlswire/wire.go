package tlswire

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Named limits against hostile input (style: miekg/dns, sipgo).
const (
	// MaxRecordLength is the largest record fragment accepted: 2^14 bytes of
	// plaintext plus the 2048 bytes of expansion TLS 1.2 allows
	// (RFC 5246 §6.2.3).
	MaxRecordLength = 1<<14 + 2048
	// MaxHandshakeLength bounds one handshake message held by a
	// [HandshakeAssembler]; certificate chains above 256 KiB are refused.
	MaxHandshakeLength = 1 << 18
	// MaxCertificates bounds the certificates kept from one Certificate
	// message.
	MaxCertificates = 32
	// MaxCANames bounds the distinguished names kept from one
	// CertificateRequest.
	MaxCANames = 256
)

// Errors returned by the TLS decoders. They never carry per-call data so that
// returning them does not allocate.
var (
	// ErrTruncated means the input ends before the structure does; feed
	// more bytes and retry.
	ErrTruncated = errors.New("tlswire: truncated")
	// ErrMalformed means a length or field is impossible.
	ErrMalformed = errors.New("tlswire: malformed")
	// ErrNotTLS means the bytes do not start a TLS record (bad content
	// type or version byte): the peer speaks something else.
	ErrNotTLS = errors.New("tlswire: not a TLS record")
	// ErrTooLarge means a record or handshake message exceeds the named
	// limits above.
	ErrTooLarge = errors.New("tlswire: message too large")
)

// Record content types (RFC 8446 §5.1).
const (
	RecordChangeCipherSpec uint8 = 20
	RecordAlert            uint8 = 21
	RecordHandshake        uint8 = 22
	RecordApplicationData  uint8 = 23
	RecordHeartbeat        uint8 = 24
)

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const (
	HelloRequestType        uint8 = 0
	ClientHelloType         uint8 = 1
	ServerHelloType         uint8 = 2
	NewSessionTicketType    uint8 = 4
	EncryptedExtensionsType uint8 = 8
	CertificateType         uint8 = 11
	ServerKeyExchangeType   uint8 = 12
	CertificateRequestType  uint8 = 13
	ServerHelloDoneType     uint8 = 14
	CertificateVerifyType   uint8 = 15
	ClientKeyExchangeType   uint8 = 16
	FinishedType            uint8 = 20
)

// Extension types used by the decoders (IANA TLS ExtensionType Values).
const (
	ExtServerName             uint16 = 0
	ExtSupportedGroups        uint16 = 10
	ExtECPointFormats         uint16 = 11
	ExtSignatureAlgorithms    uint16 = 13
	ExtUseSRTP                uint16 = 14
	ExtSupportedVersions      uint16 = 43
	ExtCertificateAuthorities uint16 = 47
	ExtKeyShare               uint16 = 51
	ExtRenegotiationInfo      uint16 = 0xff01
)

// Protocol versions as they appear on the wire.
const (
	VersionSSL30 uint16 = 0x0300
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// Version describes one protocol version (RFC 6101, 2246, 4346, 5246,
// 8446). Deprecated follows RFC 7568 (SSL 3.0) and RFC 8996 (TLS 1.0, 1.1).
type Version struct {
	ID         uint16 `json:"id"`
	Name       string `json:"name"`
	Deprecated bool   `json:"deprecated"`
	Ref        string `json:"ref"`
}

var tlsVersions = []*Version{
	{ID: VersionSSL30, Name: "SSL 3.0", Deprecated: true, Ref: "RFC 7568"},
	{ID: VersionTLS10, Name: "TLS 1.0", Deprecated: true, Ref: "RFC 8996"},
	{ID: VersionTLS11, Name: "TLS 1.1", Deprecated: true, Ref: "RFC 8996"},
	{ID: VersionTLS12, Name: "TLS 1.2", Ref: "RFC 5246"},
	{ID: VersionTLS13, Name: "TLS 1.3", Ref: "RFC 8446"},
}

// Versions returns the known protocol versions, oldest first. The slice
// is shared: do not modify it.
func Versions() []*Version { return tlsVersions }

// VersionName returns "TLS 1.2" style names, "0x%04X" for unknown values.
func VersionName(v uint16) string {
	for _, tv := range tlsVersions {
		if tv.ID == v {
			return tv.Name
		}
	}
	return tlsHex16(v)
}

// VersionDeprecated reports whether v is SSL 3.0, TLS 1.0 or TLS 1.1, or an
// even older SSL value.
func VersionDeprecated(v uint16) bool { return v >= 0x0200 && v < VersionTLS12 }

func tlsHex16(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{'0', 'x', digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]})
}

// AlertName returns the RFC 8446 §6 / RFC 5246 §7.2 name of an alert
// description ("handshake_failure"), "alert(N)" for unknown values.
func AlertName(d uint8) string {
	if n, ok := tlsAlertNames[d]; ok {
		return n
	}
	return "alert(" + strconv.Itoa(int(d)) + ")"
}

var tlsAlertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
	45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error", 60: "export_restriction",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
	109: "missing_extension", 110: "unsupported_extension", 111: "certificate_unobtainable",
	112: "unrecognized_name", 113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
	115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
	121: "ech_required",
}

// Uint16s is a wire list of big-endian 16-bit values (cipher suites,
// versions, SRTP profiles, groups), kept as the raw bytes so that decoding
// does not allocate.
type Uint16s []byte

// Len returns the number of values.
func (l Uint16s) Len() int { return len(l) / 2 }

// At returns value i; it panics like a slice index when i is out of range.
func (l Uint16s) At(i int) uint16 { return binary.BigEndian.Uint16(l[2*i:]) }

// Contains reports whether v is in the list.
func (l Uint16s) Contains(v uint16) bool {
	for i := 0; i+1 < len(l); i += 2 {
		if binary.BigEndian.Uint16(l[i:]) == v {
			return true
		}
	}
	return false
}

// IsGREASE reports whether v is a GREASE value (RFC 8701 §2).
func IsGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// Record is one TLS record (RFC 8446 §5.1). Fragment aliases the input.
type Record struct {
	ContentType uint8
	Version     uint16 // legacy_record_version
	Fragment    []byte
}

// LooksLikeRecord reports whether b starts with a plausible TLS record
// header (content type 20-24, major version 3). It needs 3 bytes.
func LooksLikeRecord(b []byte) bool {
	return len(b) >= 3 && b[0] >= RecordChangeCipherSpec && b[0] <= RecordHeartbeat && b[1] == 3
}

// DecodeFromBytes decodes the record at the start of data and returns the
// number of bytes it spans. It returns ErrNotTLS when the header is not
// TLS, ErrTruncated when data holds only part of the record.
func (r *Record) DecodeFromBytes(data []byte) (int, error) {
	if len(data) < 5 {
		if len(data) > 0 && !(data[0] >= RecordChangeCipherSpec && data[0] <= RecordHeartbeat) {
			return 0, ErrNotTLS
		}
		if len(data) > 1 && data[1] != 3 {
			return 0, ErrNotTLS
		}
		return 0, ErrTruncated
	}
	if !LooksLikeRecord(data) {
		return 0, ErrNotTLS
	}
	n := int(binary.BigEndian.Uint16(data[3:5]))
	if n > MaxRecordLength {
		return 0, ErrTooLarge
	}
	if len(data) < 5+n {
		return 0, ErrTruncated
	}
	r.ContentType = data[0]
	r.Version = binary.BigEndian.Uint16(data[1:3])
	r.Fragment = data[5 : 5+n]
	return 5 + n, nil
}

// Alert is a decoded alert record body (RFC 8446 §6).
type Alert struct {
	Level       uint8 // 1 warning, 2 fatal
	Description uint8
}

// DecodeFromBytes decodes the two alert bytes of a plaintext alert fragment.
func (a *Alert) DecodeFromBytes(fragment []byte) error {
	if len(fragment) < 2 {
		return ErrTruncated
	}
	a.Level, a.Description = fragment[0], fragment[1]
	return nil
}

// String is "fatal handshake_failure".
func (a Alert) String() string {
	lvl := "warning"
	if a.Level == 2 {
		lvl = "fatal"
	}
	return lvl + " " + AlertName(a.Description)
}

// Handshake is one handshake message header and body (RFC 8446 §4).
// Body aliases the input.
type Handshake struct {
	Type uint8
	Body []byte
}

// DecodeFromBytes decodes the handshake message at the start of data and
// returns the bytes it spans. A message longer than data gives
// ErrTruncated (see [HandshakeAssembler] for messages spanning records).
func (h *Handshake) DecodeFromBytes(data []byte) (int, error) {
	if len(data) < 4 {
		return 0, ErrTruncated
	}
	n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
	if n > MaxHandshakeLength {
		return 0, ErrTooLarge
	}
	if len(data) < 4+n {
		return 0, ErrTruncated
	}
	h.Type = data[0]
	h.Body = data[4 : 4+n]
	return 4 + n, nil
}

// HandshakeAssembler joins handshake fragments from consecutive plaintext
// handshake records and yields whole messages. It owns one buffer that grows
// to the largest message seen and is then reused: messages returned by Next
// alias it until the next Write or Reset. Not safe for concurrent use.
type HandshakeAssembler struct {
	buf []byte
	off int
}

// Reset empties the assembler, keeping its buffer.
func (a *HandshakeAssembler) Reset() { a.buf, a.off = a.buf[:0], 0 }

// Buffered returns the number of bytes not yet returned as messages.
func (a *HandshakeAssembler) Buffered() int { return len(a.buf) - a.off }

// Write appends a handshake record fragment. It returns ErrTooLarge when
// the pending bytes would exceed [MaxHandshakeLength] plus a header.
func (a *HandshakeAssembler) Write(fragment []byte) error {
	if a.off > 0 {
		n := copy(a.buf, a.buf[a.off:])
		a.buf, a.off = a.buf[:n], 0
	}
	if len(a.buf)+len(fragment) > MaxHandshakeLength+4 {
		return ErrTooLarge
	}
	a.buf = append(a.buf, fragment...)
	return nil
}

// Next decodes the next whole message. ok is false when more fragments are
// needed; err is non-nil when the pending bytes can never form a message.
func (a *HandshakeAssembler) Next(h *Handshake) (ok bool, err error) {
	n, err := h.DecodeFromBytes(a.buf[a.off:])
	if err == ErrTruncated {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	a.off += n
	return true, nil
}

// wire helpers: bounds-checked, threading an offset; on failure they return
// ok=false and the caller returns ErrMalformed or ErrTruncated.

func tlsU8(b []byte, off int) (uint8, int, bool) {
	if off < 0 || off >= len(b) {
		return 0, len(b), false
	}
	return b[off], off + 1, true
}

func tlsU16(b []byte, off int) (uint16, int, bool) {
	if off < 0 || off+2 > len(b) {
		return 0, len(b), false
	}
	return binary.BigEndian.Uint16(b[off:]), off + 2, true
}

// vec reads a length-prefixed vector with an lenBytes-byte length (1, 2 or 3).
func tlsVec(b []byte, off, lenBytes int) ([]byte, int, bool) {
	if off < 0 || off+lenBytes > len(b) {
		return nil, len(b), false
	}
	n := 0
	for i := 0; i < lenBytes; i++ {
		n = n<<8 | int(b[off+i])
	}
	off += lenBytes
	if n > len(b)-off {
		return nil, len(b), false
	}
	return b[off : off+n], off + n, true
}

// tlsHelloPrefix reads what every hello body starts with: legacy_version,
// random[32] and legacy_session_id<0..32> (RFC 8446 §4.1.2-3, RFC 6347
// §4.2.1), and returns the offset after them.
func tlsHelloPrefix(body []byte) (version uint16, random, sessionID []byte, off int, ok bool) {
	if version, off, ok = tlsU16(body, 0); !ok || off+32 > len(body) {
		return 0, nil, nil, 0, false
	}
	random = body[off : off+32]
	if sessionID, off, ok = tlsVec(body, off+32, 1); !ok || len(sessionID) > 32 {
		return 0, nil, nil, 0, false
	}
	return version, random, sessionID, off, true
}

// ClientHello is a decoded ClientHello body (RFC 8446 §4.1.2, RFC 5246
// §7.4.1.2). All byte fields alias the input.
type ClientHello struct {
	Version            uint16  // legacy_version
	Random             []byte  // 32 bytes
	SessionID          []byte  //
	CipherSuites       Uint16s // in client preference order
	CompressionMethods []byte  //
	Extensions         []byte  // raw extensions block, nil if absent
	ServerName         []byte  // SNI host_name (RFC 6066 §3), nil if absent
	SupportedVersions  Uint16s // supported_versions (RFC 8446 §4.2.1), nil if absent
	SRTPProfiles       Uint16s // use_srtp profiles (RFC 5764 §4.1.1), nil if absent
	SRTPMKI            []byte  // use_srtp srtp_mki
	HasUseSRTP         bool
}

// DecodeFromBytes decodes a ClientHello handshake body. It resets every
// field first, so a struct can be reused.
func (h *ClientHello) DecodeFromBytes(body []byte) error {
	*h = ClientHello{}
	var ok bool
	var off int
	if h.Version, h.Random, h.SessionID, off, ok = tlsHelloPrefix(body); !ok {
		return ErrMalformed
	}
	return h.decodeTail(body, off)
}

// decodeTail decodes from the cipher suites on.
func (h *ClientHello) decodeTail(body []byte, off int) error {
	var ok bool
	var cs []byte
	if cs, off, ok = tlsVec(body, off, 2); !ok || len(cs)%2 != 0 {
		return ErrMalformed
	}
	h.CipherSuites = cs
	if h.CompressionMethods, off, ok = tlsVec(body, off, 1); !ok {
		return ErrMalformed
	}
	if off == len(body) {
		return nil // no extensions (SSL 3.0 style)
	}
	if h.Extensions, off, ok = tlsVec(body, off, 2); !ok || off != len(body) {
		return ErrMalformed
	}
	return tlsWalkExtensions(h.Extensions, h.clientExt)
}

func (h *ClientHello) clientExt(typ uint16, data []byte) error {
	switch typ {
	case ExtServerName:
		// ServerNameList: 2-byte length, then {type(1), HostName<2>} entries.
		list, _, ok := tlsVec(data, 0, 2)
		if !ok {
			return ErrMalformed
		}
		for off := 0; off < len(list); {
			var t uint8
			var name []byte
			if t, off, ok = tlsU8(list, off); !ok {
				return ErrMalformed
			}
			if name, off, ok = tlsVec(list, off, 2); !ok {
				return ErrMalformed
			}
			if t == 0 && h.ServerName == nil {
				h.ServerName = name
			}
		}
	case ExtSupportedVersions:
		v, _, ok := tlsVec(data, 0, 1)
		if !ok || len(v)%2 != 0 {
			return ErrMalformed
		}
		h.SupportedVersions = v
	case ExtUseSRTP:
		p, off, ok := tlsVec(data, 0, 2)
		if !ok || len(p)%2 != 0 {
			return ErrMalformed
		}
		mki, _, ok := tlsVec(data, off, 1)
		if !ok {
			return ErrMalformed
		}
		h.SRTPProfiles, h.SRTPMKI, h.HasUseSRTP = p, mki, true
	}
	return nil
}

// MaxVersion is the highest version the client offers: the largest non-GREASE
// supported_versions entry, or the legacy version when the extension is
// absent.
func (h *ClientHello) MaxVersion() uint16 {
	if h.SupportedVersions == nil {
		return h.Version
	}
	var m uint16
	for i := 0; i < h.SupportedVersions.Len(); i++ {
		if v := h.SupportedVersions.At(i); !IsGREASE(v) && v > m {
			m = v
		}
	}
	return m
}

func tlsWalkExtensions(exts []byte, fn func(typ uint16, data []byte) error) error {
	for off := 0; off < len(exts); {
		var typ uint16
		var data []byte
		var ok bool
		if typ, off, ok = tlsU16(exts, off); !ok {
			return ErrMalformed
		}
		if data, off, ok = tlsVec(exts, off, 2); !ok {
			return ErrMalformed
		}
		if err := fn(typ, data); err != nil {
			return err
		}
	}
	return nil
}

// tlsHelloRetryRandom marks a HelloRetryRequest (RFC 8446 §4.1.3).
var tlsHelloRetryRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// ServerHello is a decoded ServerHello body (RFC 8446 §4.1.3, RFC 5246
// §7.4.1.3). All byte fields alias the input.
type ServerHello struct {
	Version           uint16 // legacy_version
	Random            []byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	Extensions        []byte // raw, nil if absent
	SelectedVersion   uint16 // supported_versions (TLS 1.3), 0 if absent
	SRTPProfile       uint16 // use_srtp answer, 0 if absent
	HasUseSRTP        bool
	HelloRetry        bool // this is a HelloRetryRequest
}

// DecodeFromBytes decodes a ServerHello handshake body, resetting h first.
func (h *ServerHello) DecodeFromBytes(body []byte) error {
	*h = ServerHello{}
	var ok bool
	var off int
	if h.Version, h.Random, h.SessionID, off, ok = tlsHelloPrefix(body); !ok {
		return ErrMalformed
	}
	h.HelloRetry = [32]byte(h.Random) == tlsHelloRetryRandom
	if h.CipherSuite, off, ok = tlsU16(body, off); !ok {
		return ErrMalformed
	}
	if h.CompressionMethod, off, ok = tlsU8(body, off); !ok {
		return ErrMalformed
	}
	if off == len(body) {
		return nil
	}
	if h.Extensions, off, ok = tlsVec(body, off, 2); !ok || off != len(body) {
		return ErrMalformed
	}
	return tlsWalkExtensions(h.Extensions, h.serverExt)
}

func (h *ServerHello) serverExt(typ uint16, data []byte) error {
	switch typ {
	case ExtSupportedVersions:
		v, _, ok := tlsU16(data, 0)
		if !ok {
			return ErrMalformed
		}
		h.SelectedVersion = v
	case ExtUseSRTP:
		p, off, ok := tlsVec(data, 0, 2)
		if !ok || len(p) != 2 {
			return ErrMalformed
		}
		if _, _, ok = tlsVec(data, off, 1); !ok {
			return ErrMalformed
		}
		h.SRTPProfile, h.HasUseSRTP = binary.BigEndian.Uint16(p), true
	}
	return nil
}

// NegotiatedVersion is the version the server chose: supported_versions when
// present (TLS 1.3), else the legacy version.
func (h *ServerHello) NegotiatedVersion() uint16 {
	if h.SelectedVersion != 0 {
		return h.SelectedVersion
	}
	return h.Version
}

// Certificate is a decoded Certificate message (RFC 5246 §7.4.2; with
// TLS13 set, RFC 8446 §4.4.2). Certificates holds the DER certificates,
// leaf first, as sub-slices of the input; it is truncated at
// [MaxCertificates] (Count still counts them all). Reuse the struct to
// reuse the Certificates backing array.
type Certificate struct {
	Context      []byte   // TLS 1.3 certificate_request_context
	Certificates [][]byte // DER, leaf first
	Count        int      // certificates in the message
}

// DecodeFromBytes decodes a Certificate body. tls13 selects the TLS 1.3
// layout (request context, per-entry extensions).
func (c *Certificate) DecodeFromBytes(body []byte, tls13 bool) error {
	c.Context, c.Certificates, c.Count = nil, c.Certificates[:0], 0
	off := 0
	var ok bool
	if tls13 {
		if c.Context, off, ok = tlsVec(body, off, 1); !ok {
			return ErrMalformed
		}
	}
	list, end, ok := tlsVec(body, off, 3)
	if !ok || end != len(body) {
		return ErrMalformed
	}
	for off := 0; off < len(list); {
		var der []byte
		if der, off, ok = tlsVec(list, off, 3); !ok || len(der) == 0 {
			return ErrMalformed
		}
		if tls13 {
			if _, off, ok = tlsVec(list, off, 2); !ok {
				return ErrMalformed
			}
		}
		if len(c.Certificates) < MaxCertificates {
			c.Certificates = append(c.Certificates, der)
		}
		c.Count++
	}
	return nil
}

// CertificateRequest is a decoded CertificateRequest (RFC 5246 §7.4.4,
// RFC 4346 §7.4.4 for TLS 1.0/1.1, RFC 8446 §4.3.2 for TLS 1.3). CANames are
// the DER-encoded distinguished names of the CAs the server accepts
// (certificate_authorities), sub-slices of the input, truncated at
// [MaxCANames].
type CertificateRequest struct {
	CertificateTypes    []byte  // TLS <= 1.2
	SignatureAlgorithms Uint16s // TLS 1.2 field or TLS 1.3 extension
	Context             []byte  // TLS 1.3 certificate_request_context
	CANames             [][]byte
}

// DecodeFromBytes decodes a CertificateRequest body for the negotiated
// version (it changed layout in TLS 1.2 and again in TLS 1.3).
func (r *CertificateRequest) DecodeFromBytes(body []byte, version uint16) error {
	r.CertificateTypes, r.SignatureAlgorithms, r.Context, r.CANames = nil, nil, nil, r.CANames[:0]
	var ok bool
	off := 0
	if version >= VersionTLS13 {
		var exts []byte
		if r.Context, off, ok = tlsVec(body, off, 1); !ok {
			return ErrMalformed
		}
		if exts, off, ok = tlsVec(body, off, 2); !ok || off != len(body) {
			return ErrMalformed
		}
		return tlsWalkExtensions(exts, func(typ uint16, data []byte) error {
			switch typ {
			case ExtSignatureAlgorithms:
				sa, _, ok := tlsVec(data, 0, 2)
				if !ok || len(sa)%2 != 0 {
					return ErrMalformed
				}
				r.SignatureAlgorithms = sa
			case ExtCertificateAuthorities:
				cas, _, ok := tlsVec(data, 0, 2)
				if !ok {
					return ErrMalformed
				}
				return r.names(cas)
			}
			return nil
		})
	}
	if r.CertificateTypes, off, ok = tlsVec(body, off, 1); !ok {
		return ErrMalformed
	}
	if version >= VersionTLS12 {
		var sa []byte
		if sa, off, ok = tlsVec(body, off, 2); !ok || len(sa)%2 != 0 {
			return ErrMalformed
		}
		r.SignatureAlgorithms = sa
	}
	cas, end, ok := tlsVec(body, off, 2)
	if !ok || end != len(body) {
		return ErrMalformed
	}
	return r.names(cas)
}

func (r *CertificateRequest) names(cas []byte) error {
	for off := 0; off < len(cas); {
		var dn []byte
		var ok bool
		if dn, off, ok = tlsVec(cas, off, 2); !ok {
			return ErrMalformed
		}
		if len(r.CANames) < MaxCANames {
			r.CANames = append(r.CANames, dn)
		}
	}
	return nil
}

// DTLS (RFC 6347 §4.1, §4.2.2): the same handshake bodies as TLS behind
// longer record and handshake headers, and a cookie in the ClientHello.
// DTLS versions are the one's complement of TLS's: 0xFEFF is DTLS 1.0,
// 0xFEFD DTLS 1.2, 0xFEFC DTLS 1.3.
const (
	VersionDTLS10 uint16 = 0xfeff
	VersionDTLS12 uint16 = 0xfefd
	VersionDTLS13 uint16 = 0xfefc
)

// DTLSRecord is one DTLS record (RFC 6347 §4.1). Fragment aliases the input.
type DTLSRecord struct {
	ContentType    uint8
	Version        uint16
	Epoch          uint16
	SequenceNumber uint64 // 48 bits
	Fragment       []byte
}

// DecodeFromBytes decodes the DTLS record at the start of a datagram and
// returns the bytes it spans (a datagram may hold several records).
func (r *DTLSRecord) DecodeFromBytes(data []byte) (int, error) {
	if len(data) < 13 {
		return 0, ErrTruncated
	}
	if data[0] < RecordChangeCipherSpec || data[0] > RecordHeartbeat || data[1] != 0xfe {
		return 0, ErrNotTLS
	}
	n := int(binary.BigEndian.Uint16(data[11:13]))
	if n > MaxRecordLength {
		return 0, ErrTooLarge
	}
	if len(data) < 13+n {
		return 0, ErrTruncated
	}
	r.ContentType = data[0]
	r.Version = binary.BigEndian.Uint16(data[1:3])
	r.Epoch = binary.BigEndian.Uint16(data[3:5])
	r.SequenceNumber = uint64(binary.BigEndian.Uint16(data[5:7]))<<32 | uint64(binary.BigEndian.Uint32(data[7:11]))
	r.Fragment = data[13 : 13+n]
	return 13 + n, nil
}

// DTLSHandshake is one DTLS handshake fragment (RFC 6347 §4.2.2). Body is
// the fragment; it is the whole message when Complete reports true.
type DTLSHandshake struct {
	Type           uint8
	Length         int // of the whole message
	MessageSeq     uint16
	FragmentOffset int
	Body           []byte
}

// Complete reports whether the fragment is the whole message.
func (h *DTLSHandshake) Complete() bool { return h.FragmentOffset == 0 && len(h.Body) == h.Length }

// DecodeFromBytes decodes the handshake fragment at the start of data and
// returns the bytes it spans.
func (h *DTLSHandshake) DecodeFromBytes(data []byte) (int, error) {
	if len(data) < 12 {
		return 0, ErrTruncated
	}
	u24 := func(b []byte) int { return int(b[0])<<16 | int(b[1])<<8 | int(b[2]) }
	length, off, flen := u24(data[1:4]), u24(data[6:9]), u24(data[9:12])
	if length > MaxHandshakeLength {
		return 0, ErrTooLarge
	}
	if off+flen > length {
		return 0, ErrMalformed
	}
	if len(data) < 12+flen {
		return 0, ErrTruncated
	}
	h.Type, h.Length, h.FragmentOffset = data[0], length, off
	h.MessageSeq = binary.BigEndian.Uint16(data[4:6])
	h.Body = data[12 : 12+flen]
	return 12 + flen, nil
}

// DecodeDTLSFromBytes decodes a DTLS ClientHello body, which carries a
// cookie<0..2^8-1> after the session ID (RFC 6347 §4.2.1); Cookie is set and
// every other field is as for TLS (use_srtp in SRTPProfiles, RFC 5764).
func (h *ClientHello) DecodeDTLSFromBytes(body []byte) (cookie []byte, err error) {
	*h = ClientHello{}
	var ok bool
	var off int
	if h.Version, h.Random, h.SessionID, off, ok = tlsHelloPrefix(body); !ok {
		return nil, ErrMalformed
	}
	if cookie, off, ok = tlsVec(body, off, 1); !ok {
		return nil, ErrMalformed
	}
	return cookie, h.decodeTail(body, off)
}
