package sipcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// TestStatusOf pins the classification of sipgo v1.7.2, net, crypto/tls and
// context errors, wrapped the way sipgo and this package wrap them.
func TestStatusOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		name string
		err  error
		want Status
	}{
		{"nil", nil, StatusSuccess},
		{"ctx deadline", fmt.Errorf("read SIP response to OPTIONS: %w", context.DeadlineExceeded), StatusTimeout},
		{"ctx canceled", context.Canceled, StatusCanceled},
		{"sipgo timer B/F", fmt.Errorf("Timer_B timed out. %w", sip.ErrTransactionTimeout), StatusTimeout},
		{"sipgo transport refused", fmt.Errorf("%w. %w", refused, sip.ErrTransactionTransport), StatusConnectionRefused},
		{"sipgo transport other", fmt.Errorf("write: broken. %w", sip.ErrTransactionTransport), StatusTransportError},
		{"sipgo canceled", sip.ErrTransactionCanceled, StatusCanceled},
		{"sipgo terminated", sip.ErrTransactionTerminated, StatusTransportError},
		{"sipgo too large", sip.ErrMessageTooLarge, StatusProtocolError},
		{"sipgo no transport", sip.ErrTransportNotSuported, StatusTransportError},
		{"refused", refused, StatusConnectionRefused},
		{"udp port unreachable", &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("recvfrom", syscall.ECONNREFUSED)}, StatusConnectionRefused},
		{"reset", reset, StatusConnectionReset},
		{"eof", fmt.Errorf("read: %w", io.EOF), StatusConnectionReset},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, StatusDNSError},
		{"i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, StatusTimeout},
		{"tls record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, StatusTLSError},
		{"tls alert", fmt.Errorf("handshake: %w", tls.AlertError(42)), StatusTLSError},
		{"x509 unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, StatusTLSError},
		{"x509 hostname", x509.HostnameError{Host: "a"}, StatusTLSError},
		{"no final response", fmt.Errorf("x: %w", errNoResponse), StatusTimeout},
		{"protocol", fmt.Errorf("redirect without Contact: %w", errProtocol), StatusProtocolError},
		{"other", errors.New("mystery"), StatusUnknownError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := StatusOf(c.err); got != c.want {
				t.Fatalf("StatusOf(%v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}
