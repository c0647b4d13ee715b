package sipcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"unicode"

	"github.com/emiago/sipgo/sip"

	"github.com/voipsec/voipsec/srtpcheck"
)

// Status is the stable, machine-readable outcome of one network step, in the
// spirit of zgrab2's ScanStatus. Reports and JSON carry these strings.
type Status string

const (
	StatusSuccess           Status = "success"
	StatusTimeout           Status = "timeout"            // no answer within the deadline (incl. SIP Timer B/F)
	StatusConnectionRefused Status = "connection-refused" // TCP RST or ICMP port unreachable
	StatusConnectionReset   Status = "connection-reset"   // the peer closed or reset the connection
	StatusNoRoute           Status = "no-route"           // no route to the host or network
	StatusTLSError          Status = "tls-error"          // handshake failure, alert, certificate problem
	StatusDNSError          Status = "dns-error"          // the name did not resolve
	StatusTransportError    Status = "transport-error"    // any other network failure
	StatusProtocolError     Status = "protocol-error"     // the peer sent something that is not valid SIP
	StatusCanceled          Status = "canceled"           // the caller gave up (context canceled)
	StatusConfigError       Status = "config-error"       // the probe's configuration is unusable (a bad From or To)
	StatusUnknownError      Status = "unknown-error"
)

// StatusOf classifies an error from sipgo (v1.7.2), net, crypto/tls or
// context into a [Status]. Together with [describe] it is the one adapter
// for those dependencies: code elsewhere in the package branches on the
// Status and shows describe's words, never the error's own text.
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
		protoErr  *protocolError
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
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return StatusNoRoute
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return StatusConnectionReset
	case errors.As(err, &recErr), errors.As(err, &alertErr), errors.As(err, &certErr),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invErr), remoteAlert(err):
		return StatusTLSError
	case errors.Is(err, sip.ErrMessageTooLarge), errors.Is(err, sip.ErrParseLineNoCRLF),
		errors.Is(err, sip.ErrParseEOF), errors.Is(err, sip.ErrParseReadBodyIncomplete),
		errors.As(err, &protoErr), errors.Is(err, errProtocol):
		return StatusProtocolError
	case errors.As(err, &netErr) && netErr.Timeout():
		return StatusTimeout
	case errors.Is(err, sip.ErrTransactionTransport), errors.Is(err, sip.ErrTransactionTerminated),
		errors.Is(err, sip.ErrTransportNotSuported), errors.As(err, &opErr):
		return StatusTransportError
	}
	return StatusUnknownError
}

// remoteAlert reports an alert the TLS peer sent: crypto/tls returns it
// as *net.OpError{Op: "remote error"} wrapping its unexported alert type,
// not as tls.AlertError, so the generic *net.OpError case must not see it
// first.
func remoteAlert(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error"
}

// describe is what err means, in words a person reads and without the
// dependency's own wording ("client transcation failed to request
// connection: dial TCP error: ..."): the caller adds what was tried on what.
func describe(err error) string {
	if err == nil {
		return ""
	}
	var (
		dnsErr   *net.DNSError
		alertErr tls.AlertError
		opErr    *net.OpError
		protoErr *protocolError
		recErr   tls.RecordHeaderError
	)
	switch StatusOf(err) {
	case StatusCanceled:
		return "interrupted"
	case StatusTimeout:
		return "no answer in time"
	case StatusDNSError:
		errors.As(err, &dnsErr)
		switch {
		case dnsErr.IsNotFound:
			return "the name does not resolve"
		case dnsErr.IsTimeout:
			return "the DNS lookup timed out"
		}
		return "the DNS lookup failed"
	case StatusConnectionRefused:
		return "connection refused"
	case StatusNoRoute:
		return "no route to the host"
	case StatusConnectionReset:
		return "the peer closed the connection"
	case StatusTLSError:
		switch {
		case errors.As(err, &alertErr):
			return "TLS alert: " + strings.TrimPrefix(alertErr.Error(), "tls: ")
		case remoteAlert(err):
			errors.As(err, &opErr)
			return "TLS alert from the peer: " + strings.TrimPrefix(opErr.Err.Error(), "tls: ")
		case errors.As(err, &recErr):
			return "the peer does not speak TLS"
		}
		return "the TLS handshake failed"
	case StatusProtocolError:
		switch {
		case errors.As(err, &protoErr):
			return protoErr.msg
		case errors.Is(err, sip.ErrMessageTooLarge):
			return "the answer exceeds the SIP message size limit"
		}
		return "the answer is not valid SIP"
	case StatusTransportError:
		return "transport error"
	}
	return "unexpected error: " + clip(innermost(err).Error(), 120)
}

// innermost is the deepest error err wraps (the first branch of a join).
func innermost(err error) error {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if es := u.Unwrap(); len(es) > 0 {
				next = es[0]
			}
		}
		if next == nil {
			return err
		}
		err = next
	}
}

var (
	// errNoResponse: the transaction ended without a final response.
	errNoResponse = errors.New("sipcheck: no final response")
	// errProtocol: the peer's message broke SIP or SDP rules we rely on.
	errProtocol = errors.New("sipcheck: protocol violation")
)

// protocolError is a peer message that broke a rule we rely on; msg is
// the evidence in words, shown as it is.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return "sipcheck: " + e.msg }
func (e *protocolError) Unwrap() error { return errProtocol }

func protocolErrorf(format string, args ...any) error {
	return &protocolError{msg: fmt.Sprintf(format, args...)}
}

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

// describeMedia is what an error of a DTLS-SRTP handshake or a media
// exchange means, in words and without the library's text: the adapter
// for pion/dtls (v3.1.x: HandshakeError, TimeoutError and its alert text)
// as srtpcheck passes it on, and for srtpcheck's own errors.
func describeMedia(err error) string {
	var (
		local  *srtpcheck.LocalError
		fp     *srtpcheck.FingerprintMismatchError
		netErr net.Error
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &fp):
		return "the peer's DTLS certificate (" + fp.Got + ") matches no a=fingerprint of its answer"
	case errors.Is(err, srtpcheck.ErrFingerprintMismatch):
		return "the peer's DTLS certificate matches no a=fingerprint of its answer"
	case errors.As(err, &local):
		return "could not " + local.Step + " on this host"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "no DTLS answer in time"
	case errors.Is(err, srtpcheck.ErrDTLSWithoutFingerprint):
		return "the answer has no a=fingerprint"
	}
	if a := dtlsAlert(err); a != "" {
		return "DTLS alert from the peer: " + a
	}
	return "the DTLS-SRTP handshake failed"
}

// dtlsAlert is the description of a DTLS alert err carries, in words
// ("bad certificate"); "" when it carries none. pion/dtls keeps its alert
// error type unexported: it is found by its IsFatalOrCloseNotify method,
// and its text, "alert: Alert Fatal: BadCertificate", gives the
// description.
func dtlsAlert(err error) string {
	var a interface {
		error
		IsFatalOrCloseNotify() bool
	}
	if !errors.As(err, &a) {
		return ""
	}
	msg := a.Error()
	desc := msg[strings.LastIndex(msg, ": ")+1:]
	var b strings.Builder
	for _, r := range strings.TrimSpace(desc) {
		if unicode.IsUpper(r) && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return clip(b.String(), 60)
}
