package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voipsec/voipsec/report"
)

// signal is a channel closed once, the first time fire is called.
type signal struct {
	once sync.Once
	c    chan struct{}
}

func newSignal() *signal                { return &signal{c: make(chan struct{})} }
func (s *signal) fire()                 { s.once.Do(func() { close(s.c) }) }
func (s *signal) wait() <-chan struct{} { return s.c }

// cancelOn returns a context cancelled when s fires (or the test ends).
func cancelOn(t *testing.T, s *signal) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		select {
		case <-s.wait():
		case <-ctx.Done():
		}
		cancel()
	}()
	t.Cleanup(cancel)
	return ctx
}

// undecidedOnly checks that no finding is a verdict: every one is
// inconclusive, with a reason and the hint of hintWant.
func undecidedOnly(t *testing.T, fs []report.Finding, hintWant string) {
	t.Helper()
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range fs {
		if f.Severity != report.Inconclusive || f.Summary == "" || !strings.Contains(f.Hint, hintWant) {
			t.Errorf("%s: %v %q (hint %q), want inconclusive with the hint %q", f.Check, f.Severity, f.Summary, f.Hint, hintWant)
		}
	}
}

// TestInterruptedHandshake: the caller's context ends while the server
// sits on the ClientHello. Nothing was observed, so nothing is judged:
// every check is inconclusive ("interrupted"), never a pass and never
// TLS-HANDSHAKE-FAILED, and the result says it was interrupted.
func TestInterruptedHandshake(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	accepted := newSignal()
	addr := newRawServer(t, func(c net.Conn) {
		accepted.fire()
		_, _ = io.Copy(io.Discard, c) // reads, never answers
	})
	ctx := cancelOn(t, accepted)
	res := Probe(ctx, addr, Config{ServerName: "localhost", ClientCert: &p.Client, RootCAs: p.CAPool,
		Enumerate: true, Timeout: time.Minute})
	if !res.Interrupted || res.Status != StatusInterrupted {
		t.Errorf("interrupted %v, status %q", res.Interrupted, res.Status)
	}
	for name, s := range map[string]*Step{"handshake": &res.Steps.Handshake, "client_cert": res.Steps.ClientCert,
		"enumeration": res.Steps.Enumeration} {
		if s == nil || s.Status != StatusInterrupted {
			t.Errorf("step %s: %+v, want interrupted", name, s)
		}
	}
	fs := Judge(res, mtlsEdge())
	undecidedOnly(t, fs, "interrupted")
	if finding(fs, "TLS-HANDSHAKE-FAILED") == nil {
		t.Error("no TLS-HANDSHAKE-FAILED result at all")
	}
	if report.ExitCode(fs, report.Fail) != report.ExitInconclusive {
		t.Errorf("exit %d, want %d", report.ExitCode(fs, report.Fail), report.ExitInconclusive)
	}
}

// TestInterruptedEnumeration: the handshake and the certificate are
// observed, then the context ends while the server sits on the TLS 1.0
// ClientHello. What ran is judged; the version and suite checks, which the
// missing TLS 1.0 answer could change, are inconclusive, never a pass.
func TestInterruptedEnumeration(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	conf := &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS12}
	stuck := newSignal()
	addr := newRawServer(t, func(c net.Conn) {
		raw, ch, err := readHello(c)
		if err != nil {
			return
		}
		if ch.MaxVersion() == tls.VersionTLS10 {
			stuck.fire()
			_, _ = io.Copy(io.Discard, c)
			return
		}
		_ = replayTo(c, raw, conf).Close()
	})
	ctx := cancelOn(t, stuck)
	res := Probe(ctx, addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: time.Minute})
	if !res.Interrupted || res.Steps.Handshake.Status != StatusOK || res.Steps.Enumeration == nil || res.Steps.Enumeration.Status != StatusInterrupted {
		t.Errorf("interrupted %v, steps %+v %+v", res.Interrupted, res.Steps.Handshake, res.Steps.Enumeration)
	}
	fs := Judge(res, serverAuthOnly())
	for _, f := range fs {
		switch f.Check {
		case "TLS-VERSION-WEAK", "TLS-CIPHER-WEAK":
			if f.Severity != report.Inconclusive || !strings.Contains(f.Summary, "TLS 1.0") || !strings.Contains(f.Hint, "interrupted") {
				t.Errorf("%s: %v %q, want inconclusive naming TLS 1.0", f.Check, f.Severity, f.Summary)
			}
		case "TLS-NO-FORWARD-SECRECY":
			// Decided when TLS 1.3 was seen accepted before the end.
			if f.Severity != report.Pass && f.Severity != report.Inconclusive {
				t.Errorf("%s: %v %q", f.Check, f.Severity, f.Summary)
			}
		case "TLS-HANDSHAKE-FAILED", "TLS-CERT-UNTRUSTED", "TLS-CERT-EXPIRED", "TLS-CERT-NAME-MISMATCH":
			if f.Severity != report.Pass {
				t.Errorf("%s: %v %q, want pass: it ran before the interruption", f.Check, f.Severity, f.Summary)
			}
		}
	}
	if t.Failed() {
		dump(t, fs)
	}
}

// TestInterruptedTLS13Verdict: under TLS 1.3 the server's verdict on the
// client (here: no certificate) comes after the handshake. A context that
// ends while the probe waits for it leaves the verdict undetermined; it was
// taken for a rejection ("connection closed after handshake"), which made
// MTLS-NOT-REQUIRED pass on a server that never said no.
func TestInterruptedTLS13Verdict(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	conf := &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS13,
		ClientAuth: tls.RequestClientCert} // requests, does not require
	waiting := newSignal()
	addr := newRawServer(t, func(c net.Conn) {
		tc := tls.Server(c, conf)
		if tc.Handshake() != nil {
			return
		}
		if _, err := tc.Read(make([]byte, 4096)); err == nil {
			waiting.fire() // the OPTIONS is in; never answer it
		}
		_, _ = io.Copy(io.Discard, tc)
	})
	ctx := cancelOn(t, waiting)
	res := Probe(ctx, addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Timeout: time.Minute})
	if res.MTLS == nil || !res.MTLS.CertificateRequested || res.MTLS.AcceptedWithoutClientCert != nil {
		t.Fatalf("mtls %+v, want requested with the verdict undetermined", res.MTLS)
	}
	fs := Judge(res, mtlsEdge())
	if f := finding(fs, "MTLS-NOT-REQUIRED"); f == nil || f.Severity != report.Inconclusive || !strings.Contains(f.Hint, "interrupted") {
		t.Errorf("MTLS-NOT-REQUIRED %+v, want inconclusive (interrupted)", f)
	}
	if f := finding(fs, "TLS-HANDSHAKE-FAILED"); f == nil || f.Severity != report.Pass {
		t.Errorf("TLS-HANDSHAKE-FAILED %+v, want pass: the handshake completed", f)
	}
	if !res.Interrupted {
		t.Error("result not marked interrupted")
	}
}

// TestPanicIsNoVerdict: a panic inside the probe (here from the dialer) is
// recovered into InternalError, and what it stopped is inconclusive with a
// bug-report hint. It used to be TLS-HANDSHAKE-FAILED, a verdict on the
// server for a bug of the probe's.
func TestPanicIsNoVerdict(t *testing.T) {
	res := Probe(t.Context(), "127.0.0.1:9", Config{Enumerate: true,
		Dial: func(context.Context, string, string) (net.Conn, error) { panic("dialer bug") }})
	if !strings.Contains(res.InternalError, "dialer bug") || res.Status != StatusError {
		t.Fatalf("internal error %q, status %q", res.InternalError, res.Status)
	}
	undecidedOnly(t, Judge(res, mtlsEdge()), "voipsec bug")
}

// TestPanicInEnumeration: a panic in one version's enumeration goroutine
// leaves that version undecided. It used to read as "not accepted", so a
// server whose TLS 1.0 was never asked passed TLS-VERSION-WEAK.
func TestPanicInEnumeration(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS12}, sip200)
	var dials atomic.Int32
	d := &net.Dialer{}
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: 2 * time.Second,
		Dial: func(ctx context.Context, network, a string) (net.Conn, error) {
			if dials.Add(1) == 2 { // the first enumeration hello, whichever version it is
				panic("enumeration bug")
			}
			return d.DialContext(ctx, network, a)
		}})
	if !strings.Contains(res.InternalError, "enumeration bug") || res.Steps.Enumeration == nil || res.Steps.Enumeration.Status != StatusError {
		t.Fatalf("internal error %q, enumeration %+v", res.InternalError, res.Steps.Enumeration)
	}
	fs := Judge(res, serverAuthOnly())
	for _, id := range []string{"TLS-VERSION-WEAK", "TLS-CIPHER-WEAK"} {
		if f := finding(fs, id); f == nil || f.Severity != report.Inconclusive || !strings.Contains(f.Hint, "voipsec bug") {
			t.Errorf("%s %+v, want inconclusive (internal error)", id, f)
		}
	}
	if f := finding(fs, "TLS-HANDSHAKE-FAILED"); f == nil || f.Severity != report.Pass {
		t.Errorf("TLS-HANDSHAKE-FAILED %+v, want pass", f)
	}
}

// panicConn panics in Close, after saying so.
type panicConn struct {
	net.Conn
	closing chan struct{}
}

func (c *panicConn) Close() error {
	close(c.closing)
	panic("close bug")
}

// TestDialCloserRecovers: the callback that closes a connection when the
// caller's context ends runs on a goroutine of its own; a panic there (a
// Dial whose conn panics in Close) must not end the process.
func TestDialCloserRecovers(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	defer client.Close()
	pc := &panicConn{Conn: client, closing: make(chan struct{})}
	pr := newProber("127.0.0.1:5061", Config{Dial: func(context.Context, string, string) (net.Conn, error) { return pc, nil }})
	ctx, cancel := context.WithCancel(t.Context())
	conn, done, err := pr.dial(ctx)
	if err != nil || conn != net.Conn(pc) {
		t.Fatalf("dial: %v", err)
	}
	defer done()
	cancel()
	select {
	case <-pc.closing:
	case <-time.After(10 * time.Second):
		t.Fatal("the context's end did not close the connection")
	}
	// Reaching here without the test binary dying is the assertion; give
	// the panicking goroutine the moment it needs to unwind.
	time.Sleep(50 * time.Millisecond)
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatal(ctx.Err())
	}
}
