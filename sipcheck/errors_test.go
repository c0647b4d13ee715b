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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/srtpcheck"
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
		{"no route", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, StatusNoRoute},
		{"network unreachable", &net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, StatusNoRoute},
		{"protocol, in words", fmt.Errorf("follow: %w", protocolErrorf("redirect Contact without host")), StatusProtocolError},
		{"other", errors.New("mystery"), StatusUnknownError},
		// crypto/tls reports an alert the peer sent as *net.OpError{Op:
		// "remote error"}: a TLS failure, not a generic transport error.
		{"tls alert from the peer", fmt.Errorf("dial TLS error: %w", realRemoteAlert(t)), StatusTLSError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := StatusOf(c.err); got != c.want {
				t.Fatalf("StatusOf(%v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}

// realRemoteAlert is the error crypto/tls really returns to a client whose
// peer ends the handshake with an alert: here protocol_version, from a
// server that speaks only TLS 1.3 to a client that stops at TLS 1.2.
func realRemoteAlert(t *testing.T) error {
	t.Helper()
	pki := testpki.NewT(t)
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	go func() {
		_ = tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{pki.Server}, MinVersion: tls.VersionTLS13}).Handshake()
		sc.Close()
	}()
	err := tls.Client(cc, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}).Handshake()
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" {
		t.Fatalf("crypto/tls no longer reports a peer's alert as *net.OpError{Op: \"remote error\"}: %T %v; re-check StatusOf", err, err)
	}
	return err
}

// TestDescribe: the words a report shows for an error say what happened,
// without the dependency's own text or a package prefix.
func TestDescribe(t *testing.T) {
	// What sipgo v1.7.2 returns for a TCP connect to a closed port.
	sipgoRefused := fmt.Errorf("send OPTIONS: %w", fmt.Errorf("client transcation failed to request connection: %w",
		fmt.Errorf("dial TCP error: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})))
	cases := []struct {
		err  error
		want string
	}{
		{sipgoRefused, "connection refused"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, "no route to the host"},
		{fmt.Errorf("Timer_B timed out. %w", sip.ErrTransactionTimeout), "no answer in time"},
		{context.Canceled, "interrupted"},
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, "the name does not resolve"},
		{&net.DNSError{Err: "i/o timeout", Name: "x.example", IsTimeout: true}, "the DNS lookup timed out"},
		{fmt.Errorf("TLS handshake error: %w", &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}), "TLS alert from the peer: handshake failure"},
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "the peer does not speak TLS"},
		{realRemoteAlert(t), "TLS alert from the peer: protocol version not supported"},
		{fmt.Errorf("handshake: %w", tls.AlertError(42)), "TLS alert: bad certificate"},
		{fmt.Errorf("read: %w", io.EOF), "the peer closed the connection"},
		{sip.ErrMessageTooLarge, "the answer exceeds the SIP message size limit"},
		{protocolErrorf("redirect without Contact"), "redirect without Contact"},
		{errors.New("mystery"), "unexpected error: mystery"},
	}
	for _, c := range cases {
		got := describe(c.err)
		if got != c.want {
			t.Errorf("describe(%v) = %q, want %q", c.err, got, c.want)
		}
		for _, lib := range []string{"transcation", "dial tcp", "<nil>", "sipcheck:", "sipgo", "tls: "} {
			if strings.Contains(got, lib) {
				t.Errorf("describe(%v) = %q shows library text %q", c.err, got, lib)
			}
		}
	}
}

// TestStatusOfSipgo pins StatusOf and describe to the errors the sipgo of
// go.mod really returns, driven through the probe's own user agent: a bump
// of sipgo fails here first, and its error wrapping is then re-checked.
func TestStatusOfSipgo(t *testing.T) {
	t.Parallel()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "github.com/emiago/sipgo v1.7.2\n") {
		t.Fatal("go.mod's sipgo is not v1.7.2: re-check StatusOf and describe against its errors, then update this test")
	}
	closed := func(network string) string { // a port nothing listens on
		if network == "udp" {
			c, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			return c.LocalAddr().String()
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	silentUDP, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silentUDP.Close()
	plainTCP := hostileTCP(t, func([]byte) []byte { return nil }) // accepts, speaks no TLS, says nothing
	garbageTCP, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer garbageTCP.Close()
	go func() {
		for {
			c, err := garbageTCP.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	cases := []struct {
		name, target string
		timeout      time.Duration
		cancel       bool
		status       Status
		words        string
	}{
		{"tcp refused", "sip:" + closed("tcp") + ";transport=tcp", time.Second, false, StatusConnectionRefused, "connection refused"},
		// sipgo's UDP transport does not read the ICMP port unreachable:
		// a closed UDP port is silence, not refusal.
		{"udp port unreachable", "sip:" + closed("udp") + ";transport=udp", 600 * time.Millisecond, false, StatusTimeout, "no answer in time"},
		{"udp silence", "sip:" + silentUDP.LocalAddr().String() + ";transport=udp", 600 * time.Millisecond, false, StatusTimeout, "no answer in time"},
		{"tls to a port that speaks no TLS", "sip:" + garbageTCP.Addr().String() + ";transport=tls", time.Second, false, StatusTLSError, "the peer does not speak TLS"},
		{"tcp silence", "sip:" + plainTCP + ";transport=tcp", 600 * time.Millisecond, false, StatusTimeout, "no answer in time"},
		{"canceled", "sip:" + silentUDP.LocalAddr().String() + ";transport=udp", 5 * time.Second, true, StatusCanceled, "interrupted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := mustTarget(t, c.target)
			tg.Addrs, _ = resolveLiteral(tg)
			a, err := newAgent(tg, &Config{}, sipTLSConfig("", tg.Host, nil), DefaultUser)
			if err != nil {
				t.Fatal(err)
			}
			defer a.close()
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			if c.cancel {
				go func() { time.Sleep(100 * time.Millisecond); cancel() }()
			}
			o := a.options(ctx, tg)
			if o.Status != c.status || o.Error != c.words {
				t.Fatalf("OPTIONS: status %s, words %q; want %s, %q", o.Status, o.Error, c.status, c.words)
			}
		})
	}
}

// TestDescribeMedia: a DTLS-SRTP handshake's or a media exchange's error is
// put in words without pion's or srtpcheck's text, from the errors pion/dtls
// (go.mod's version) really returns through srtpcheck.
func TestDescribeMedia(t *testing.T) {
	client, server, silent := dtlsErrors(t)
	_, local := srtpcheck.RunMedia(context.Background(), srtpcheck.MediaConfig{Keys: &srtpcheck.Keys{}})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"fingerprint mismatch", client, "the peer's DTLS certificate (sha-256 "},
		{"alert from the peer", server, "DTLS alert from the peer: bad certificate"},
		{"silent peer", silent, "no DTLS answer in time"},
		{"interrupted", fmt.Errorf("srtpcheck: DTLS handshake: %w", context.Canceled), "interrupted"},
		{"local", local, "could not run media on this host"},
	}
	for _, c := range cases {
		got := describeMedia(c.err)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: describeMedia(%v) = %q, want %q", c.name, c.err, got, c.want)
		}
		for _, lib := range []string{"srtpcheck", "handshake error", "alert:", "Fatal", "dtls", "context deadline"} {
			if strings.Contains(got, lib) {
				t.Errorf("%s: describeMedia(%v) = %q shows library text %q", c.name, c.err, got, lib)
			}
		}
	}
}

// dtlsErrors runs DTLS-SRTP handshakes with srtpcheck over loopback and
// returns what they really fail with: the side whose peer certificate
// matches no fingerprint, its peer (which gets bad_certificate), and a
// side whose peer never answers.
func dtlsErrors(t *testing.T) (client, server, silent error) {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	cert := func() tls.Certificate {
		c, err := selfsign.GenerateSelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b, c := listen(), listen(), listen()
	aCert, bCert, other := cert(), cert(), cert()
	fp := func(c tls.Certificate) []srtpcheck.Fingerprint {
		return []srtpcheck.Fingerprint{srtpcheck.CertificateFingerprint(c.Certificate[0])}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, err := srtpcheck.DTLSHandshake(ctx, b, a.LocalAddr(), srtpcheck.DTLSConfig{Certificate: bCert, RemoteFingerprints: fp(aCert)})
		if s != nil {
			s.Close()
		}
		server = err
	}()
	s, err := srtpcheck.DTLSHandshake(ctx, a, b.LocalAddr(), srtpcheck.DTLSConfig{Certificate: aCert, Client: true, RemoteFingerprints: fp(other)})
	if s != nil {
		s.Close()
	}
	<-done
	client = err
	sctx, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer scancel()
	s, silent = srtpcheck.DTLSHandshake(sctx, a, c.LocalAddr(), srtpcheck.DTLSConfig{Certificate: aCert, Client: true, RemoteFingerprints: fp(other)})
	if s != nil {
		s.Close()
	}
	if client == nil || server == nil || silent == nil {
		t.Fatalf("handshakes that should fail: client %v, server %v, silent %v", client, server, silent)
	}
	return client, server, silent
}
