package srtpcheck

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/voipsec/voipsec/matrix"
	"net/netip"
	"strconv"
	"strings"
)

// Limits on hostile SDP. A body beyond them fails [Parse] with [ErrTooLarge];
// extra crypto lines are reported as problems and ignored.
const (
	MaxSDPSize     = 64 << 10 // bytes
	MaxLines       = 2048
	MaxLineLength  = 4096
	MaxMedia       = 16
	MaxCryptoLines = 32 // a=crypto + a=cryptoscale per media section
	maxProblems    = 32
	maxFormats     = 64
	// maxFingerprints per level; more are ignored. Each one is a digest
	// computed over the peer certificate during the DTLS handshake.
	maxFingerprints = 8
)

// Crypto is one a=crypto or a=cryptoscale line (RFC 4568 §9.1 grammar with
// the MS-SDPEXT §3.1.5.1 key parameters). Only the first key-param is kept.
type Crypto struct {
	Tag       int
	SuiteName string // as written
	Suite     Suite  // SuiteUnknown when not supported
	Key       []byte // 16-byte master key (nil for an unsupported suite)
	Salt      []byte // 14-byte master salt
	Lifetime  string // "2^31" or "" when absent
	MKI       uint64 // MKI value
	MKILen    int    // MKI length in bytes; 0 = no MKI
	Scale     bool   // a=cryptoscale (MS-SSRTP); shares the tag space
	Direction string // cryptoscale "client" or "server"
	Params    []string
}

// MKIBytes returns the MKI as it appears in SRTP packets: MKILen bytes,
// big-endian (RFC 3711 §3.1). Nil without an MKI.
func (c *Crypto) MKIBytes() []byte {
	if c == nil || c.MKILen == 0 {
		return nil
	}
	b := make([]byte, c.MKILen)
	v := c.MKI
	for i := c.MKILen - 1; i >= 0 && v > 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// Value renders the attribute value ("1 AES_CM_128_HMAC_SHA1_80 inline:…").
// It contains the key: never log it.
func (c *Crypto) Value() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(c.Tag))
	if c.Scale {
		b.WriteString(" " + c.Direction)
	}
	b.WriteString(" " + c.SuiteName + " inline:")
	b.WriteString(base64.StdEncoding.EncodeToString(append(append([]byte{}, c.Key...), c.Salt...)))
	if c.Lifetime != "" || c.MKILen > 0 {
		if c.Lifetime != "" {
			b.WriteString("|" + c.Lifetime)
		}
		if c.MKILen > 0 {
			fmt.Fprintf(&b, "|%d:%d", c.MKI, c.MKILen)
		}
	}
	for _, p := range c.Params {
		b.WriteString(" " + p)
	}
	return b.String()
}

// Redacted is Value with the key replaced, for evidence.
func (c *Crypto) Redacted() string {
	s := fmt.Sprintf("%d %s inline:<redacted>", c.Tag, c.SuiteName)
	if c.Lifetime != "" {
		s += "|" + c.Lifetime
	}
	if c.MKILen > 0 {
		s += fmt.Sprintf("|%d:%d", c.MKI, c.MKILen)
	}
	return s
}

// Fingerprint is an a=fingerprint (RFC 8122 §5): hash function and digest.
type Fingerprint struct {
	Hash   string // lower case: sha-1, sha-256, …
	Digest []byte
}

// String renders "sha-256 AB:CD:…".
func (f Fingerprint) String() string {
	h := strings.ToUpper(hex.EncodeToString(f.Digest))
	var b strings.Builder
	b.WriteString(f.Hash + " ")
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// Media is the security view of one m= section.
type Media struct {
	Type         string // audio, video, …
	Port         int    // 0 = stream rejected (RFC 3264 §6)
	Proto        string // RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVP, …
	Formats      []string
	Addr         netip.Addr // media-level c=, else session-level
	Crypto       []Crypto   // a=crypto and a=cryptoscale in order
	Encryption   string     // a=encryption value; "" when absent
	Fingerprints []Fingerprint
	Setup        string // a=setup value
	RTCPMux      bool
	Problems     []error // *AttrError values
}

// Line is what the section says about media security, in the one form
// ([matrix.MediaLine]) that the live probe and the capture reader share:
// the profile, the port, the a=crypto lines (a=cryptoscale does not key
// plain SRTP and does not count), a fingerprint at media or session level,
// and a=encryption.
func (m *Media) Line() matrix.MediaLine {
	l := matrix.MediaLine{Proto: m.Proto, Port: m.Port, Fingerprint: len(m.Fingerprints) > 0, Encryption: m.Encryption}
	for i := range m.Crypto {
		if m.Crypto[i].Scale {
			l.Scale++
		} else {
			l.Crypto++
		}
	}
	return l
}

// RemoteAddr is the media address and port.
func (m *Media) RemoteAddr() netip.AddrPort {
	if m.Port < 0 || m.Port > 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(m.Addr, uint16(m.Port))
}

// SDES returns the a=crypto lines (not a=cryptoscale) with a supported suite.
func (m *Media) SDES() []Crypto {
	var out []Crypto
	for _, c := range m.Crypto {
		if !c.Scale && c.Suite != SuiteUnknown {
			out = append(out, c)
		}
	}
	return out
}

// Session is the security view of an SDP body.
type Session struct {
	Addr         netip.Addr // session-level c=
	Fingerprints []Fingerprint
	Setup        string
	Media        []Media
}

// Audio returns the first audio section, or nil.
func (s *Session) Audio() *Media {
	for i := range s.Media {
		if strings.EqualFold(s.Media[i].Type, "audio") {
			return &s.Media[i]
		}
	}
	return nil
}

// Parse reads the security-relevant parts of an SDP body. It never panics;
// a body beyond the limits is [ErrTooLarge], a body without a v= or m= line
// is an error, and malformed attributes become Media.Problems.
func Parse(b []byte) (s *Session, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("srtpcheck: parse SDP: internal error: %v", r)
		}
	}()
	if len(b) > MaxSDPSize {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(b), MaxSDPSize)
	}
	s = &Session{}
	var (
		cur      *Media
		lineNo   int
		sawV     bool
		sessAddr netip.Addr
	)
	rest := b
	for len(rest) > 0 {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		lineNo++
		if lineNo > MaxLines {
			return nil, fmt.Errorf("%w: more than %d lines", ErrTooLarge, MaxLines)
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		if len(line) > MaxLineLength {
			return nil, fmt.Errorf("%w: line %d is %d bytes (limit %d)", ErrTooLarge, lineNo, len(line), MaxLineLength)
		}
		if len(line) < 2 || line[1] != '=' {
			continue // tolerate junk lines, as real stacks do
		}
		val := string(line[2:])
		switch line[0] {
		case 'v':
			sawV = true
		case 'c':
			a, err := parseConn(val)
			if err != nil {
				if cur != nil {
					cur.addProblem(lineNo, val, err)
				}
				continue
			}
			if cur != nil {
				cur.Addr = a
			} else {
				sessAddr = a
			}
		case 'm':
			if len(s.Media) >= MaxMedia {
				return nil, fmt.Errorf("%w: more than %d m= sections", ErrTooLarge, MaxMedia)
			}
			m, err := parseMediaLine(val)
			s.Media = append(s.Media, m)
			cur = &s.Media[len(s.Media)-1]
			if err != nil {
				cur.addProblem(lineNo, val, err)
			}
		case 'a':
			name, v, _ := strings.Cut(val, ":")
			if cur == nil {
				switch strings.ToLower(name) {
				case "fingerprint":
					if fp, err := parseFingerprint(v); err == nil && len(s.Fingerprints) < maxFingerprints {
						s.Fingerprints = append(s.Fingerprints, fp)
					}
				case "setup":
					s.Setup = strings.ToLower(strings.TrimSpace(v))
				}
				continue
			}
			cur.parseAttr(lineNo, strings.ToLower(name), v, val)
		}
	}
	if !sawV && len(s.Media) == 0 {
		return nil, fmt.Errorf("srtpcheck: parse SDP: not an SDP body (no v= or m= line)")
	}
	s.Addr = sessAddr
	for i := range s.Media {
		m := &s.Media[i]
		if !m.Addr.IsValid() {
			m.Addr = sessAddr
		}
		if len(m.Fingerprints) == 0 {
			m.Fingerprints = s.Fingerprints
		}
		if m.Setup == "" {
			m.Setup = s.Setup
		}
	}
	return s, nil
}

func (m *Media) addProblem(line int, attr string, err error) {
	if len(m.Problems) >= maxProblems {
		return
	}
	attr = redactInline(attr)
	if len(attr) > 120 {
		attr = attr[:120] + "…"
	}
	m.Problems = append(m.Problems, &AttrError{Line: line, Attr: attr, Err: err})
}

// redactInline hides inline keys in evidence: every key-param (several may
// follow ";"), with the method in any case, as parseCrypto accepts it.
func redactInline(s string) string {
	const method = "inline:"
	var b strings.Builder
	for {
		i := indexFoldASCII(s, method)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(method)
		k := j
		for k < len(s) && s[k] != '|' && s[k] != ' ' && s[k] != ';' {
			k++
		}
		b.WriteString(s[:j] + "<redacted>")
		s = s[k:]
	}
}

// indexFoldASCII is strings.Index ignoring ASCII case. Unlike an Index on
// strings.ToLower(s), its result indexes s itself: ToLower can change the
// byte length of non-ASCII text.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func (m *Media) parseAttr(lineNo int, name, v, raw string) {
	switch name {
	case "crypto", "cryptoscale":
		if len(m.Crypto) >= MaxCryptoLines {
			m.addProblem(lineNo, raw, errTooMany)
			return
		}
		c, err := parseCrypto(v, name == "cryptoscale")
		if err != nil {
			m.addProblem(lineNo, raw, err)
			return
		}
		// MS-SDPEXT §3.1.5.1: tags are unique across a=crypto and a=cryptoscale.
		for _, o := range m.Crypto {
			if o.Tag == c.Tag {
				m.addProblem(lineNo, raw, errDupTag)
				return
			}
		}
		m.Crypto = append(m.Crypto, c)
	case "encryption":
		m.Encryption = strings.ToLower(strings.TrimSpace(v))
	case "fingerprint":
		fp, err := parseFingerprint(v)
		if err != nil {
			m.addProblem(lineNo, raw, err)
			return
		}
		if len(m.Fingerprints) < maxFingerprints {
			m.Fingerprints = append(m.Fingerprints, fp)
		}
	case "setup":
		m.Setup = strings.ToLower(strings.TrimSpace(v))
	case "rtcp-mux":
		m.RTCPMux = true
	}
}

// parseMediaLine reads "audio 49170 RTP/AVP 0 8".
func parseMediaLine(v string) (Media, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return Media{}, errBadMedia
	}
	m := Media{Type: f[0], Proto: f[2]}
	portStr, _, _ := strings.Cut(f[1], "/") // port/count
	p, err := strconv.Atoi(portStr)
	if err != nil || p < 0 || p > 65535 {
		return m, errBadMedia
	}
	m.Port = p
	if len(f) > 3 {
		fm := f[3:]
		if len(fm) > maxFormats {
			fm = fm[:maxFormats]
		}
		m.Formats = fm
	}
	return m, nil
}

// parseConn reads "IN IP4 192.0.2.1" (ignoring /ttl).
func parseConn(v string) (netip.Addr, error) {
	f := strings.Fields(v)
	if len(f) < 3 || f[0] != "IN" {
		return netip.Addr{}, errBadConn
	}
	host, _, _ := strings.Cut(f[2], "/")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, errBadConn
	}
	return a.Unmap(), nil
}

// parseCrypto reads "<tag> <suite> <key-params> *(session-param)" (RFC 4568
// §9.1) or, for a=cryptoscale, "<tag> <client|server> <suite> <key-params>".
// Microsoft requires exactly one space between fields; we accept any run of
// white space, as their peers do.
func parseCrypto(v string, scale bool) (Crypto, error) {
	f := strings.Fields(v)
	c := Crypto{Scale: scale}
	if len(f) > 0 {
		tag, err := strconv.Atoi(f[0])
		// RFC 4568 §9.1: tag = 1*9DIGIT
		if err != nil || tag < 0 || len(f[0]) > 9 {
			return c, fmt.Errorf("%w: bad tag", errBadAttr)
		}
		c.Tag = tag
		f = f[1:]
	}
	if scale {
		if len(f) == 0 {
			return c, errBadAttr
		}
		c.Direction = f[0]
		f = f[1:]
	}
	if len(f) < 2 {
		return c, fmt.Errorf("%w: missing suite or key", errBadAttr)
	}
	c.SuiteName = f[0]
	c.Suite = ParseSuite(f[0])
	if len(f) > 2 {
		c.Params = f[2:]
		if len(c.Params) > 8 {
			c.Params = c.Params[:8]
		}
	}
	// Only the first key-param is used; several are separated by ';'.
	kp, _, _ := strings.Cut(f[1], ";")
	method, info, ok := strings.Cut(kp, ":")
	if !ok || !strings.EqualFold(method, "inline") {
		return c, fmt.Errorf("%w: key method is not inline", errBadKey)
	}
	parts := strings.Split(info, "|")
	if len(parts) > 3 {
		return c, fmt.Errorf("%w: too many key-info fields", errBadKey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		// Some stacks strip the padding.
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[0], "="))
		if err != nil {
			return c, fmt.Errorf("%w: key is not base64", errBadKey)
		}
	}
	if c.Suite != SuiteUnknown {
		if len(raw) != keyLen+saltLen {
			return c, fmt.Errorf("%w: key||salt is %d bytes, want %d", errBadKey, len(raw), keyLen+saltLen)
		}
		c.Key, c.Salt = raw[:keyLen:keyLen], raw[keyLen:]
	}
	for _, p := range parts[1:] {
		// RFC 4568 §9.2: lifetime ["2^"] 1*DIGIT; MKI value ":" length.
		if strings.Contains(p, ":") {
			if c.MKILen != 0 {
				return c, fmt.Errorf("%w: two MKI fields", errBadMKI)
			}
			vs, ls, _ := strings.Cut(p, ":")
			val, err1 := strconv.ParseUint(vs, 10, 64)
			n, err2 := strconv.Atoi(ls)
			if err1 != nil || err2 != nil || len(ls) > 3 || n < 1 || n > 128 {
				return c, fmt.Errorf("%w: %q", errBadMKI, p)
			}
			if n < 8 && val >= 1<<(8*uint(n)) {
				return c, fmt.Errorf("%w: value %d does not fit %d bytes", errBadMKI, val, n)
			}
			c.MKI, c.MKILen = val, n
			continue
		}
		if c.Lifetime != "" || c.MKILen != 0 || !validLifetime(p) {
			return c, fmt.Errorf("%w: bad lifetime %q", errBadKey, p)
		}
		c.Lifetime = p
	}
	return c, nil
}

func validLifetime(p string) bool {
	d := strings.TrimPrefix(p, "2^")
	if d == "" || len(d) > 20 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// parseFingerprint reads "sha-256 AB:CD:…" (RFC 8122 §5).
func parseFingerprint(v string) (Fingerprint, error) {
	f := strings.Fields(v)
	if len(f) != 2 || len(f[1]) > 64*3 {
		return Fingerprint{}, errBadFP
	}
	d, err := hex.DecodeString(strings.ReplaceAll(f[1], ":", ""))
	if err != nil || len(d) == 0 {
		return Fingerprint{}, errBadFP
	}
	return Fingerprint{Hash: strings.ToLower(f[0]), Digest: d}, nil
}
