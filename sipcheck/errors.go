package sipcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/emiago/sipgo/sip"
)

// Status is the stable, machine-readable outcome of one network step, in the
// spirit of zgrab2's ScanStatus. Reports and JSON carry these strings.
type Status string

const (
	StatusSuccess           Status = "success"
	StatusTimeout           Status = "timeout"            // no answer within the deadline (incl. SIP Timer B/F)
	StatusConnectionRefused Status = "connection-refused" // TCP RST or ICMP port unreachable
	StatusConnectionReset   Status = "connection-reset"   // the peer closed or reset the connection
	StatusTLSError          Status = "tls-error"          // handshake failure, alert, certificate problem
	StatusDNSError          Status = "dns-error"          // the name did not resolve
	StatusTransportError    Status = "transport-error"    // any other network failure
	StatusProtocolError     Status = "protocol-error"     // the peer sent something that is not valid SIP
	StatusCanceled          Status = "canceled"           // the caller gave up (context canceled)
	StatusUnknownError      Status = "unknown-error"
)

// StatusOf classifies an error from sipgo (v1.7.2), net, crypto/tls or
// context into a [Status]. It is the one adapter for those dependencies:
// code elsewhere in the package branches on the Status, never on the error.
func StatusOf(err error) Status {
	if err == nil {
		return StatusSuccess
	}
	var (
		dnsErr    *net.DNSError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		certErr   *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invErr    x509.CertificateInvalidError
		netErr    net.Error
		opErr     *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, sip.ErrTransactionCanceled):
		return StatusCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, sip.ErrTransactionTimeout),
		errors.Is(err, errNoResponse):
		return StatusTimeout
	case errors.As(err, &dnsErr):
		return StatusDNSError
	case errors.Is(err, syscall.ECONNREFUSED):
		return StatusConnectionRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return StatusConnectionReset
	case errors.As(err, &recErr), errors.As(err, &alertErr), errors.As(err, &certErr),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invErr):
		return StatusTLSError
	case errors.Is(err, sip.ErrMessageTooLarge), errors.Is(err, sip.ErrParseLineNoCRLF),
		errors.Is(err, sip.ErrParseEOF), errors.Is(err, sip.ErrParseReadBodyIncomplete),
		errors.Is(err, errProtocol):
		return StatusProtocolError
	case errors.As(err, &netErr) && netErr.Timeout():
		return StatusTimeout
	case errors.Is(err, sip.ErrTransactionTransport), errors.Is(err, sip.ErrTransactionTerminated),
		errors.Is(err, sip.ErrTransportNotSuported), errors.As(err, &opErr):
		return StatusTransportError
	}
	return StatusUnknownError
}

var (
	// errNoResponse: the transaction ended without a final response.
	errNoResponse = errors.New("sipcheck: no final response")
	// errProtocol: the peer's message broke SIP or SDP rules we rely on.
	errProtocol = errors.New("sipcheck: protocol violation")
)

// TargetError is a target the user gave that cannot be probed: bad syntax,
// an unknown transport, a port out of range. Commands map it to a usage error.
type TargetError struct {
	Target string // as given
	Reason string
}

func (e *TargetError) Error() string {
	return "sipcheck: bad target " + quote(e.Target) + ": " + e.Reason
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + s + "\""
}
