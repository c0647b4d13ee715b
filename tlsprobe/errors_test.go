package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
)

// realAlert returns the error crypto/tls gives a client whose server rejects
// it with an alert, as Go 1.26 shapes it.
func realAlert(t *testing.T) error {
	p := testpki.NewT(t)
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_ = s.SetDeadline(time.Now().Add(5 * time.Second))
	go func() {
		_ = tls.Server(s, &tls.Config{Certificates: []tls.Certificate{p.Server}, MaxVersion: tls.VersionTLS12,
			ClientAuth: tls.RequireAnyClientCert}).Handshake()
		_ = s.Close()
	}()
	err := tls.Client(c, &tls.Config{InsecureSkipVerify: true}).Handshake()
	if err == nil {
		t.Fatal("handshake without a client certificate succeeded")
	}
	return err
}

// realRecordHeaderError is what crypto/tls returns when the server answers
// with cleartext SIP.
func realRecordHeaderError(t *testing.T) error {
	c, s := net.Pipe()
	defer c.Close()
	go func() {
		_, _ = s.Read(make([]byte, 4096))
		_, _ = s.Write([]byte("SIP/2.0 400 Bad Request\r\n\r\n"))
		_ = s.Close()
	}()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	err := tls.Client(c, &tls.Config{InsecureSkipVerify: true}).Handshake()
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

func TestClassify(t *testing.T) {
	refused := func() error {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		_ = ln.Close()
		_, err := net.DialTimeout("tcp", addr, time.Second)
		return err
	}()
	for _, c := range []struct {
		name   string
		err    error
		status Status
		alert  string
	}{
		{"nil", nil, StatusOK, ""},
		{"remote alert from crypto/tls", fmt.Errorf("TLS handshake: %w", realAlert(t)), StatusAlert, "handshake failure"},
		{"remote alert certificate required", &net.OpError{Op: "remote error", Err: tls.AlertError(116)}, StatusAlert, "certificate required"},
		{"raw parser alert", &AlertError{Description: 40, Text: "handshake_failure"}, StatusAlert, "handshake_failure"},
		{"record header error", realRecordHeaderError(t), StatusNotTLS, ""},
		{"plaintext error", &PlaintextError{FirstBytes: []byte("HTTP")}, StatusNotTLS, ""},
		{"deadline", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), StatusTimeout, ""},
		{"context deadline", context.DeadlineExceeded, StatusTimeout, ""},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), StatusInterrupted, ""},
		{"refused", refused, StatusRefused, ""},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, StatusClosed, ""},
		{"eof", fmt.Errorf("TLS handshake: %w", io.EOF), StatusClosed, ""},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, StatusDNS, ""},
		{"other", errors.New("boom"), StatusError, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, ev := classify(c.err)
			if st != c.status {
				t.Fatalf("status %q, want %q (err %v)", st, c.status, c.err)
			}
			if c.alert != "" {
				ae, ok := ev.(*AlertError)
				if !ok || ae.Text != c.alert || ae.Description == 0 {
					t.Fatalf("evidence %#v, want alert %q", ev, c.alert)
				}
			}
			if st == StatusNotTLS {
				if pe, ok := ev.(*PlaintextError); !ok || len(pe.FirstBytes) == 0 {
					t.Fatalf("evidence %#v", ev)
				}
			}
		})
	}
}

// describe words a failure without crypto/tls's package prefix or the
// wrapping that names what the step already names.
func TestDescribeWords(t *testing.T) {
	inner := errors.New("tls: server selected unsupported protocol version 300")
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("TLS handshake with 127.0.0.1:5061: %w", inner), "handshake: the handshake failed: server selected unsupported protocol version 300"},
		{&net.DNSError{Err: "no such host", Name: "med01", IsNotFound: true}, "handshake: the name does not resolve"},
		{context.Canceled, "handshake: interrupted"},
		// crypto/tls nests x509's text in its own: neither prefix is kept.
		{fmt.Errorf("TLS handshake with 127.0.0.1:5061: %w", errors.New("tls: failed to parse certificate from server: x509: malformed tbs certificate")),
			"handshake: the handshake failed: failed to parse certificate from server: malformed tbs certificate"},
	} {
		if got := describe("handshake", c.err); got != c.want {
			t.Errorf("describe(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
