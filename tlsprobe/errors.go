package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

var (
	errNoSIPResponse = errors.New("tlsprobe: no SIP response")
	errNotSIP        = errors.New("tlsprobe: answer is not SIP")
	errTooLarge      = errors.New("tlsprobe: SIP response too large")
)

// PlaintextError reports a server that answered a ClientHello with bytes
// that are not a TLS record (a cleartext SIP listener, HTTP, garbage). It is
// built from crypto/tls's RecordHeaderError or from the raw parser.
type PlaintextError struct {
	FirstBytes []byte // up to the first 16 bytes the server sent
}

func (e *PlaintextError) Error() string {
	return fmt.Sprintf("tlsprobe: server did not answer with TLS, first bytes %q", e.FirstBytes)
}

// AlertError is a TLS alert the server sent.
type AlertError struct {
	Description uint8  // RFC 8446 §6 alert description, 0 when only the text is known
	Text        string // "bad certificate" (crypto/tls text) or "bad_certificate"
}

func (e *AlertError) Error() string { return "tlsprobe: server sent alert: " + e.Text }

// Status is the stable outcome of one network step, the string JSON and
// plans branch on (zgrab2 style).
type Status string

const (
	StatusOK      Status = "ok"
	StatusRefused Status = "connection-refused"
	StatusTimeout Status = "timeout" // the peer did not answer within the step's timeout
	StatusAlert   Status = "alert"   // the server sent a TLS alert
	StatusNotTLS  Status = "not-tls" // the server answered with non-TLS bytes
	StatusClosed  Status = "closed"  // EOF or reset without an alert
	StatusDNS     Status = "dns-error"
	// StatusInterrupted: the caller's context ended (cancelled, or its
	// deadline passed) before the step finished. It says nothing about the
	// peer.
	StatusInterrupted Status = "interrupted"
	// StatusNotRun: the step was skipped because an earlier one made it
	// pointless (no handshake to offer a certificate on).
	StatusNotRun Status = "not-run"
	StatusError  Status = "error"
)

// alertCodes maps crypto/tls's alert texts (crypto/tls alert.go, Go 1.26)
// back to their RFC 8446 codes.
var alertCodes = map[string]uint8{
	"close notify": 0, "unexpected message": 10, "bad record MAC": 20, "decryption failed": 21,
	"record overflow": 22, "decompression failure": 30, "handshake failure": 40,
	"bad certificate": 42, "unsupported certificate": 43, "revoked certificate": 44,
	"expired certificate": 45, "unknown certificate": 46, "illegal parameter": 47,
	"unknown certificate authority": 48, "access denied": 49, "error decoding message": 50,
	"error decrypting message": 51, "export restriction": 60, "protocol version not supported": 70,
	"insufficient security level": 71, "internal error": 80, "inappropriate fallback": 86,
	"user canceled": 90, "no renegotiation": 100, "missing extension": 109,
	"unsupported extension": 110, "certificate unobtainable": 111, "unrecognized name": 112,
	"bad certificate status response": 113, "bad certificate hash value": 114,
	"unknown PSK identity": 115, "certificate required": 116, "no application protocol": 120,
	"encrypted client hello required": 121,
}

// classify is the one adapter for crypto/tls and net failures. It returns
// the stable status and, for alerts and non-TLS answers, the typed evidence.
// crypto/tls reports a received alert as *net.OpError{Op: "remote error"}
// whose Err is the unexported alert type with text "tls: <text>".
func classify(err error) (Status, error) {
	if err == nil {
		return StatusOK, nil
	}
	var ae *AlertError
	if errors.As(err, &ae) {
		return StatusAlert, ae
	}
	var pe *PlaintextError
	if errors.As(err, &pe) {
		return StatusNotTLS, pe
	}
	var rhe tls.RecordHeaderError
	if errors.As(err, &rhe) {
		return StatusNotTLS, &PlaintextError{FirstBytes: append([]byte(nil), rhe.RecordHeader[:]...)}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		text := strings.TrimPrefix(op.Err.Error(), "tls: ")
		code, ok := alertCodes[text]
		if !ok {
			var ta tls.AlertError
			if errors.As(op.Err, &ta) {
				code = uint8(ta)
			}
		}
		return StatusAlert, &AlertError{Description: code, Text: text}
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		return StatusInterrupted, nil
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return StatusTimeout, nil
	case errors.As(err, &dnsErr):
		return StatusDNS, nil
	case errors.Is(err, syscall.ECONNREFUSED):
		return StatusRefused, nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return StatusClosed, nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return StatusTimeout, nil
	}
	return StatusError, nil
}

// describe is the one-line evidence for a failed step.
func describe(step string, err error) string {
	st, ev := classify(err)
	switch st {
	case StatusAlert:
		return step + ": server sent TLS alert " + ev.(*AlertError).Text
	case StatusNotTLS:
		return step + ": " + strings.TrimPrefix(ev.Error(), "tlsprobe: ")
	case StatusTimeout:
		return step + ": no answer before the timeout"
	case StatusClosed:
		return step + ": server closed the connection without an alert"
	case StatusRefused:
		return step + ": connection refused"
	case StatusDNS:
		return step + ": the name does not resolve"
	case StatusInterrupted:
		return step + ": interrupted"
	}
	// Anything else is crypto/tls's own failure ("tls: server selected
	// unsupported protocol version 300"): its words, without its package
	// prefix or the wrapping that names what this probe already names.
	return step + ": the handshake failed: " + wordsOf(innermost(err).Error())
}

// libPrefixes are the package prefixes of the standard library's error
// texts that evidence leaves out.
var libPrefixes = []string{"tls: ", "x509: ", "asn1: ", "remote error: "}

// wordsOf strips libPrefixes from msg, at its start and wherever one library
// quotes another ("tls: failed to parse certificate from server: x509:
// malformed tbs certificate"), so that evidence reads as words.
func wordsOf(msg string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range libPrefixes {
			if m := strings.TrimPrefix(strings.ReplaceAll(msg, ": "+p, ": "), p); m != msg {
				msg, changed = m, true
			}
		}
	}
	return msg
}

// innermost is the deepest error err wraps.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
