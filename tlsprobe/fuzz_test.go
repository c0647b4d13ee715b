package tlsprobe

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voipsec/voipsec/tlswire"
)

// FuzzServerHello feeds arbitrary server answers to the enumeration's
// reader: it must never panic, and a suite it returns must be one offered.
func FuzzServerHello(f *testing.F) {
	p := longPKI(f)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		// A real server flight: crypto/tls answering our own hello.
		k, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		hello := tlswire.AppendClientHello(nil, v, suitesFor(v), "localhost", k.PublicKey().Bytes())
		answer := serverAnswer(f, p.Server, hello)
		if got, err := readServerHello(bytes.NewReader(answer), v, suitesFor(v), &serverFlight{}); err != nil || got == 0 {
			f.Fatalf("%s seed: suite %#04x, %v", tls.VersionName(v), got, err)
		}
		f.Add(answer, v, true)
	}
	f.Add([]byte{21, 3, 3, 0, 2, 2, 70}, uint16(tls.VersionTLS10), false)
	f.Add([]byte("SIP/2.0 400 Bad Request\r\n\r\n"), uint16(tls.VersionTLS12), false)
	f.Fuzz(func(t *testing.T, data []byte, v uint16, full bool) {
		suites := suitesFor(v)
		var fl *serverFlight
		if full {
			fl = &serverFlight{}
		}
		got, err := readServerHello(bytes.NewReader(data), v, suites, fl)
		if err == nil {
			found := false
			for _, s := range suites {
				found = found || s == got
			}
			if !found {
				t.Fatalf("returned suite %#04x that was not offered", got)
			}
		}
	})
}

// FuzzSIPResponse feeds arbitrary bytes as the answer to OPTIONS.
func FuzzSIPResponse(f *testing.F) {
	f.Add([]byte("SIP/2.0 200 OK\r\nServer: kamailio (5.6.3)\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("SIP/2.0 100 Trying\r\n\r\nSIP/2.0 403 Forbidden\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte("SIP/2.0 200 \x1b[2J\xff" + strings.Repeat("ok", 300) + "\r\nServer: \x1b]0;owned\x07\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(data), io.Discard}
		s, err := exchangeOptions(rw, []byte("OPTIONS sip:x SIP/2.0\r\n\r\n"))
		if s == nil {
			t.Fatal("nil result")
		}
		if err == nil && (s.Status < 200 || s.Status > 699) {
			t.Fatalf("final status %d", s.Status)
		}
		if err != nil && s.Error == "" {
			t.Fatal("error without evidence")
		}
		for _, text := range []string{s.Reason, s.Server} {
			if len(text) > maxSIPText+3 || !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("server text %q not clipped to printable UTF-8", text)
			}
		}
	})
}

// serverAnswer returns what a crypto/tls server writes in answer to hello.
func serverAnswer(t testing.TB, cert tls.Certificate, hello []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	conn := &scriptConn{in: bytes.NewReader(hello), out: &out}
	_ = tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequestClientCert}).Handshake()
	if out.Len() == 0 {
		t.Fatal("server wrote nothing")
	}
	var rec tlswire.Record
	if _, err := rec.DecodeFromBytes(out.Bytes()); err != nil {
		t.Fatalf("server answer: %v", err)
	}
	return out.Bytes()
}

// scriptConn is a net.Conn reading a fixed script and recording writes.
type scriptConn struct {
	nopConn
	in  io.Reader
	out *bytes.Buffer
}

func (c *scriptConn) Read(b []byte) (int, error) {
	n, err := c.in.Read(b)
	if errors.Is(err, io.EOF) && n == 0 {
		return 0, io.EOF
	}
	return n, err
}
func (c *scriptConn) Write(b []byte) (int, error) { return c.out.Write(b) }

// nopConn supplies the net.Conn methods scriptConn does not use.
type nopConn struct{}

func (nopConn) Close() error                     { return nil }
func (nopConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (nopConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (nopConn) SetDeadline(time.Time) error      { return nil }
func (nopConn) SetReadDeadline(time.Time) error  { return nil }
func (nopConn) SetWriteDeadline(time.Time) error { return nil }

// TestSIPResponseLimit: a header that never ends stops the read at
// maxSIPResponse instead of buffering all the server sends.
func TestSIPResponseLimit(t *testing.T) {
	endless := io.MultiReader(strings.NewReader("SIP/2.0 200 OK\r\n"), &repeatReader{line: []byte("X-Pad: 0123456789\r\n")})
	rw := struct {
		io.Reader
		io.Writer
	}{endless, io.Discard}
	s, err := exchangeOptions(rw, []byte("OPTIONS sip:x SIP/2.0\r\n\r\n"))
	if !errors.Is(err, errTooLarge) || s.Status != 0 || !strings.Contains(s.Error, "read SIP response to OPTIONS") {
		t.Fatalf("err %v, sip %+v", err, s)
	}
}

// repeatReader yields line forever.
type repeatReader struct{ line []byte }

func (r *repeatReader) Read(b []byte) (int, error) {
	n := 0
	for n+len(r.line) <= len(b) {
		n += copy(b[n:], r.line)
	}
	return n, nil
}
