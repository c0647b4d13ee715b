package tlsprobe

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/printable"
)

// maxSIPResponse bounds the bytes read while waiting for a response header.
const maxSIPResponse = 64 << 10

func token() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// optionsRequest builds an OPTIONS (RFC 3261 §11) for the TLS connection.
// Microsoft peers use sip: URIs with ;transport=tls rather than sips:.
func (p *prober) optionsRequest(local net.Addr) []byte {
	lhost := "invalid"
	if ta, ok := local.(*net.TCPAddr); ok {
		lhost = net.JoinHostPort(ta.IP.String(), strconv.Itoa(ta.Port))
	}
	host := p.serverName
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	ruri := "sip:" + host
	if p.port != "" {
		ruri += ":" + p.port
	}
	ruri += ";transport=tls"
	var b bytes.Buffer
	fmt.Fprintf(&b, "OPTIONS %s SIP/2.0\r\n", ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/TLS %s;branch=z9hG4bK%s;rport\r\n", lhost, token())
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:voipsec@%s;transport=tls>;tag=%s\r\n", lhost, token())
	fmt.Fprintf(&b, "To: <%s>\r\n", ruri)
	fmt.Fprintf(&b, "Call-ID: %s@voipsec\r\n", token())
	b.WriteString("CSeq: 1 OPTIONS\r\n")
	fmt.Fprintf(&b, "Contact: <sip:voipsec@%s;transport=tls>\r\n", lhost)
	b.WriteString("Accept: application/sdp\r\nUser-Agent: voipsec\r\nContent-Length: 0\r\n\r\n")
	return b.Bytes()
}

// exchangeOptions writes req and reads the first final response header.
// The conn's deadline bounds it. It always returns a non-nil *sipAnswer.
func exchangeOptions(conn io.ReadWriter, req []byte) (*sipAnswer, error) {
	s := &sipAnswer{}
	start := time.Now()
	if _, err := conn.Write(req); err != nil {
		err = fmt.Errorf("write SIP OPTIONS: %w", err)
		s.Error = describe("write SIP OPTIONS", err)
		return s, err
	}
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := conn.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			end := bytes.Index(buf, []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			head := buf[:end]
			status, reason, server, perr := parseResponseHead(head)
			if perr != nil {
				s.Error = perr.Error()
				return s, perr
			}
			if status >= 200 {
				s.Status, s.Reason, s.Server = status, reason, server
				s.RTTMS = float64(time.Since(start).Microseconds()) / 1000
				return s, nil
			}
			buf = buf[end+4:] // provisional: skip (no body on 1xx to OPTIONS)
		}
		if len(buf) >= 7 && !bytes.HasPrefix(buf, []byte("SIP/2.0")) {
			s.Error = fmt.Sprintf("answer is not SIP: %q", first(buf, 32))
			return s, fmt.Errorf("read SIP response to OPTIONS: %w", errNotSIP)
		}
		if len(buf) > maxSIPResponse {
			err := fmt.Errorf("read SIP response to OPTIONS: %w (no header end in %d bytes)", errTooLarge, len(buf))
			s.Error = err.Error()
			return s, err
		}
		if err != nil {
			err = fmt.Errorf("read SIP response to OPTIONS: %w", err)
			if st, _ := classify(err); st == StatusTimeout {
				err = fmt.Errorf("%w: %w", errNoSIPResponse, err)
			}
			s.Error = describe("read SIP response to OPTIONS", err)
			return s, err
		}
	}
}

func first(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// parseResponseHead parses "SIP/2.0 200 OK" and the Server header.
func parseResponseHead(head []byte) (status int, reason, server string, err error) {
	lines := strings.Split(string(head), "\r\n")
	sl := strings.SplitN(lines[0], " ", 3)
	if len(sl) < 2 || sl[0] != "SIP/2.0" {
		return 0, "", "", fmt.Errorf("read SIP response to OPTIONS: %w: status line %q", errNotSIP, first([]byte(lines[0]), 64))
	}
	status, cerr := strconv.Atoi(sl[1])
	if cerr != nil || status < 100 || status > 699 {
		return 0, "", "", fmt.Errorf("read SIP response to OPTIONS: %w: status %q", errNotSIP, sl[1])
	}
	if len(sl) == 3 {
		reason = clip(sl[2])
	}
	for _, l := range lines[1:] {
		name, val, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Server") {
			server = clip(strings.TrimSpace(val))
		}
	}
	return status, reason, server, nil
}

// maxSIPText bounds the reason phrase and Server header kept from a response.
const maxSIPText = 200

// clip makes server-sent text safe for a report and a terminal: control
// characters (an ANSI escape in a Server header) become '?', invalid UTF-8
// U+FFFD, and it is cut to maxSIPText bytes, like sipcheck's OPTIONS evidence.
func clip(s string) string { return printable.Clip(s, maxSIPText) }
