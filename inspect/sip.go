package inspect

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"

	"github.com/voipsec/voipsec/matrix"
)

// MaxSIPMessage bounds one SIP message (headers and body) in a TCP stream.
const MaxSIPMessage = 64 << 10

// sipMsg is what the scanner reads of one SIP request or response.
// callID aliases the input.
type sipMsg struct {
	method     string // request method, or the CSeq method of a response
	status     int    // response status; 0 for a request
	callID     []byte
	cseqMethod []byte
	toTag      bool // the To header has a tag: the request is inside a dialog
	sdp        *SDP // nil without an application/sdp body
}

// SDP holds the security-relevant parts of a session description.
type SDP struct {
	Conn        netip.Addr // session-level c=
	Fingerprint string     // session-level a=fingerprint, inherited by media
	Setup       string     // session-level a=setup
	Encryption  string     // session-level a=encryption
	Media       []SDPMedia
}

// SDPMedia is one m= section.
type SDPMedia struct {
	Type        string // audio, video, ...
	Port        uint16
	Proto       string // RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVP, ...
	Formats     []string
	Conn        netip.Addr // media-level c=, else the session's
	Crypto      []Crypto   // a=crypto and a=cryptoscale
	Encryption  string     // a=encryption (MS-SDP): required, optional, rejected
	Fingerprint string     // a=fingerprint
	Setup       string     // a=setup
	RTCPMux     bool       // a=rtcp-mux
	RTCPPort    uint16     // a=rtcp:PORT, else Port+1
	RTPMap      map[string]string
}

// line is what this m= section says about media security, in the form
// matrix decides SRTP negotiation on (the one definition the live prober
// shares).
func (m *SDPMedia) line() matrix.MediaLine {
	n := 0
	for _, c := range m.Crypto {
		if !c.Scale && len(c.Key) > 0 {
			n++
		}
	}
	return matrix.MediaLine{Proto: m.Proto, Port: int(m.Port), Crypto: n, Fingerprint: m.Fingerprint != "", Encryption: m.Encryption}
}

// Crypto is one a=crypto (RFC 4568 §9.1) or a=cryptoscale (MS-SDPEXT
// §3.1.5.2) attribute. Key is never printed unless the user asks.
type Crypto struct {
	Scale         bool   // a=cryptoscale
	Role          string // cryptoscale client|server
	Tag           int
	Suite         string
	Key           []byte // decoded master key || master salt
	KeyText       string // the inline: value as written
	Lifetime      string // e.g. 2^31; empty when absent
	MKI           uint64
	MKILen        int // bytes; 0 when absent
	SessionParams []string
	Line          string // the attribute line with the key replaced by <redacted>
}

// sipMethods are request methods that start a SIP request line.
var sipMethods = [...]string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
	"NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"}

// looksSIP reports whether b starts with a SIP request or status line.
// It does not allocate.
func looksSIP(b []byte) bool {
	if len(b) < 12 || b[0] < 'A' || b[0] > 'Z' {
		return false
	}
	if bytes.HasPrefix(b, []byte("SIP/2.0 ")) {
		return b[8] >= '1' && b[8] <= '6'
	}
	eol := bytes.IndexByte(b[:min(len(b), 512)], '\n')
	if eol < 0 {
		return false
	}
	line := bytes.TrimRight(b[:eol], "\r")
	if !bytes.HasSuffix(line, []byte(" SIP/2.0")) {
		return false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return false
	}
	m := line[:sp]
	for _, k := range sipMethods {
		if string(m) == k {
			return true
		}
	}
	// Extension methods: an upper-case token.
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// sipPrefix reports whether b starts like a SIP message: a known method
// and a space, or "SIP/2.0 ". Unlike looksSIP it accepts a partial first line.
func sipPrefix(b []byte) bool {
	if bytes.HasPrefix(b, []byte("SIP/2.0 ")) {
		return true
	}
	sp := bytes.IndexByte(b[:min(len(b), 12)], ' ')
	if sp <= 0 {
		return false
	}
	for _, k := range sipMethods {
		if string(b[:sp]) == k {
			return true
		}
	}
	return false
}

// sipFrame finds the end of the first SIP message in b. complete is false
// when more bytes are needed (a stream transport). On a datagram transport,
// pass datagram=true: the message ends with the datagram when Content-Length
// is absent.
func sipFrame(b []byte, datagram bool) (n int, complete bool) {
	var m sipMsg
	body, cl, _, ended := sipHead(b, &m)
	return frameLen(len(b), body, cl, ended, datagram)
}

// frameLen is the length of a message whose body starts at body with
// Content-Length cl (-1 when absent) in an input of n bytes.
func frameLen(n, body, cl int, ended, datagram bool) (int, bool) {
	if !ended {
		if datagram {
			return n, true
		}
		return 0, false
	}
	if cl < 0 {
		if datagram {
			return n, true
		}
		cl = 0
	}
	if body+cl > n {
		if datagram {
			return n, true
		}
		return 0, false
	}
	return body + cl, true
}

// sipHead reads, in one pass, the headers of the SIP message at the start
// of b that the scan uses (the start line is skipped; folded continuation
// lines are ignored). body is where the body starts, cl the Content-Length
// (-1 when absent), sdp whether the body is application/sdp, and ended
// whether the empty line that ends the headers is in b.
func sipHead(b []byte, m *sipMsg) (body, cl int, sdp, ended bool) {
	cl = -1
	off := bytes.IndexByte(b, '\n') + 1
	if off == 0 {
		return len(b), cl, false, false
	}
	for off < len(b) {
		line := b[off:]
		next := len(b)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], off+i+1
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			return next, cl, sdp, next <= len(b)
		}
		off = next
		c := bytes.IndexByte(line, ':')
		if c <= 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, value := bytes.TrimSpace(line[:c]), bytes.TrimSpace(line[c+1:])
		switch {
		case eqFold(name, "content-length") || eqFold(name, "l"):
			if v, ok := atoiBytes(value); ok {
				cl = v
			}
		case eqFold(name, "call-id") || eqFold(name, "i"):
			m.callID = value
		case eqFold(name, "cseq"):
			if sp := bytes.IndexByte(value, ' '); sp > 0 && m.method == "" {
				if meth := bytes.TrimSpace(value[sp+1:]); len(meth) > 0 && bytes.IndexByte(meth, ' ') < 0 {
					m.cseqMethod = meth
				}
			}
		case eqFold(name, "to") || eqFold(name, "t"):
			m.toTag = bytes.Contains(value, []byte(";tag=")) || bytes.Contains(value, []byte("; tag="))
		case eqFold(name, "content-type") || eqFold(name, "c"):
			sdp = hasPrefixFold(value, "application/sdp")
		}
	}
	return len(b), cl, sdp, false
}

// eqFold reports whether b equals the lower-case ASCII s, ignoring case.
func eqFold(b []byte, s string) bool { return len(b) == len(s) && hasPrefixFold(b, s) }

// cutLine splits b after its first line (LF or CRLF, or the end of b) and
// returns that line without its line ending, and the rest.
func cutLine(b []byte) (line, rest []byte) {
	line, rest, _ = bytes.Cut(b, []byte{'\n'})
	return bytes.TrimRight(line, "\r"), rest
}

// knownMethod returns the method name b as a constant string, so that
// the common methods cost no allocation.
func knownMethod(b []byte) string {
	for _, k := range sipMethods {
		if string(b) == k {
			return k
		}
	}
	return string(b)
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// parseSIP reads one complete SIP message. It reports false when b is not
// one. Only an SDP body allocates.
func parseSIP(b []byte) (sipMsg, bool) {
	var m sipMsg
	body, _, sdp, _ := sipHead(b, &m)
	if !startLine(b, &m) {
		return m, false
	}
	if sdp && body < len(b) {
		m.sdp = parseSDP(b[body:])
	}
	return m, true
}

// startLine reads the request method or response status of a SIP message
// (a response's method is its CSeq method); it reports false when b does
// not start with a SIP start line.
func startLine(b []byte, m *sipMsg) bool {
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 || !looksSIP(b) {
		return false
	}
	first := bytes.TrimRight(b[:eol], "\r")
	if bytes.HasPrefix(first, []byte("SIP/2.0 ")) {
		if len(first) >= 11 {
			m.status, _ = atoi3(first[8:11])
		}
		if m.cseqMethod != nil {
			m.method = knownMethod(m.cseqMethod)
		}
	} else {
		m.method = knownMethod(first[:bytes.IndexByte(first, ' ')])
	}
	return true
}

// atoi3 reads a three-digit status code.
func atoi3(b []byte) (int, bool) { return atoiBytes(b) }

// atoiBytes reads a non-negative decimal of at most 9 digits without
// allocating.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseSDP extracts what the capture checks need from an SDP body (RFC 8866).
func parseSDP(b []byte) *SDP {
	s := &SDP{}
	var cur *SDPMedia
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		v := string(line[2:])
		switch line[0] {
		case 'c':
			// c=IN IP4 192.0.2.1[/ttl]
			f := strings.Fields(v)
			if len(f) == 3 {
				a, _, _ := strings.Cut(f[2], "/")
				if ip, err := netip.ParseAddr(a); err == nil {
					if cur != nil {
						cur.Conn = ip
					} else {
						s.Conn = ip
					}
				}
			}
		case 'm':
			f := strings.Fields(v)
			if len(f) < 3 {
				cur = nil
				continue
			}
			port, _, _ := strings.Cut(f[1], "/")
			p, _ := strconv.ParseUint(port, 10, 16)
			s.Media = append(s.Media, SDPMedia{Type: f[0], Port: uint16(p), Proto: f[2], Formats: f[3:]})
			cur = &s.Media[len(s.Media)-1]
			cur.RTCPPort = cur.Port + 1
		case 'a':
			name, val, _ := strings.Cut(v, ":")
			if cur == nil {
				// Session-level attributes that media sections inherit.
				switch name {
				case "fingerprint":
					s.Fingerprint = strings.TrimSpace(val)
				case "setup":
					s.Setup = strings.TrimSpace(val)
				case "encryption":
					s.Encryption = strings.TrimSpace(val)
				}
				continue
			}
			switch name {
			case "crypto":
				if c, ok := parseCrypto(val, false); ok {
					cur.Crypto = append(cur.Crypto, c)
				}
			case "cryptoscale":
				if c, ok := parseCrypto(val, true); ok {
					cur.Crypto = append(cur.Crypto, c)
				}
			case "encryption":
				cur.Encryption = strings.TrimSpace(val)
			case "fingerprint":
				cur.Fingerprint = strings.TrimSpace(val)
			case "setup":
				cur.Setup = strings.TrimSpace(val)
			case "rtcp-mux":
				cur.RTCPMux = true
			case "rtcp":
				f := strings.Fields(val)
				if len(f) > 0 {
					if p, err := strconv.ParseUint(f[0], 10, 16); err == nil {
						cur.RTCPPort = uint16(p)
					}
				}
			case "rtpmap":
				pt, enc, ok := strings.Cut(val, " ")
				if ok {
					if cur.RTPMap == nil {
						cur.RTPMap = map[string]string{}
					}
					cur.RTPMap[pt] = enc
				}
			}
		}
	}
	for i := range s.Media {
		m := &s.Media[i]
		if !m.Conn.IsValid() {
			m.Conn = s.Conn
		}
		if m.Fingerprint == "" {
			m.Fingerprint = s.Fingerprint
		}
		if m.Setup == "" {
			m.Setup = s.Setup
		}
		if m.Encryption == "" {
			m.Encryption = s.Encryption
		}
	}
	return s
}

// parseCrypto parses the value of a=crypto (RFC 4568 §9.1):
//
//	tag SP suite SP inline:KEY||SALT[|lifetime][|MKI:len][;inline:...] [session-params]
//
// and of a=cryptoscale, which has a client|server role before the suite.
func parseCrypto(v string, scale bool) (Crypto, bool) {
	c := Crypto{Scale: scale}
	f := strings.Fields(v)
	if scale {
		if len(f) < 4 {
			return c, false
		}
		c.Role = f[1]
		f = append(f[:1:1], f[2:]...)
	}
	if len(f) < 3 {
		return c, false
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil {
		return c, false
	}
	c.Tag, c.Suite = tag, f[1]
	kp, _, _ := strings.Cut(f[2], ";") // only the first key of a list
	method, rest, ok := strings.Cut(kp, ":")
	if !ok || !strings.EqualFold(method, "inline") {
		return c, false
	}
	parts := strings.Split(rest, "|")
	c.KeyText = parts[0]
	if k, err := base64.StdEncoding.DecodeString(parts[0]); err == nil {
		c.Key = k
	} else if k, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[0], "=")); err == nil {
		c.Key = k
	}
	for _, p := range parts[1:] {
		if mv, ml, ok := strings.Cut(p, ":"); ok {
			c.MKI, _ = strconv.ParseUint(mv, 10, 64)
			c.MKILen, _ = strconv.Atoi(ml)
			if c.MKILen < 0 || c.MKILen > 128 {
				c.MKILen = 0
			}
		} else {
			c.Lifetime = p
		}
	}
	c.SessionParams = f[3:]
	// Redact the key where it is written: inside the key-params field,
	// which follows the suite.
	c.Line = v
	if at := strings.Index(v, f[1]); at >= 0 {
		if k := strings.Index(v[at+len(f[1]):], kp); k >= 0 {
			start := at + len(f[1]) + k + len(method) + 1
			c.Line = v[:start] + "<redacted>" + v[start+len(c.KeyText):]
		}
	}
	return c, true
}
