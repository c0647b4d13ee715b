package tlsprobe

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// TestClientHelloRoundTrip: the hand-written ClientHello of every version
// decodes with the shared inspect parser and says what was meant.
func TestClientHelloRoundTrip(t *testing.T) {
	key := make([]byte, 32)
	for _, v := range enumVersions {
		t.Run(tlswire.VersionName(v), func(t *testing.T) {
			suites := suitesFor(v)
			if len(suites) == 0 {
				t.Fatal("no suites to offer")
			}
			b := tlswire.AppendClientHello(nil, v, suites, "pbx.example", key)
			var rec tlswire.Record
			n, err := rec.DecodeFromBytes(b)
			if err != nil || n != len(b) || rec.ContentType != tlswire.RecordHandshake {
				t.Fatalf("record: n=%d of %d, %v", n, len(b), err)
			}
			var hs tlswire.Handshake
			if _, err := hs.DecodeFromBytes(rec.Fragment); err != nil || hs.Type != tlswire.ClientHelloType {
				t.Fatalf("handshake type %d: %v", hs.Type, err)
			}
			var ch tlswire.ClientHello
			if err := ch.DecodeFromBytes(hs.Body); err != nil {
				t.Fatal(err)
			}
			if ch.MaxVersion() != v {
				t.Errorf("offers %s", tlswire.VersionName(ch.MaxVersion()))
			}
			for _, s := range suites {
				if !ch.CipherSuites.Contains(s) {
					t.Errorf("suite %s not offered", tlswire.CipherSuiteName(s))
				}
			}
			if v == tlswire.VersionSSL30 {
				if ch.Extensions != nil {
					t.Error("SSL 3.0 hello carries extensions")
				}
				return
			}
			if string(ch.ServerName) != "pbx.example" {
				t.Errorf("SNI %q", ch.ServerName)
			}
		})
	}
}

func TestCipherSuiteTable(t *testing.T) {
	for _, c := range []struct {
		id       uint16
		name     string
		insecure bool
	}{
		{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", true},
		{0x0005, "TLS_RSA_WITH_RC4_128_SHA", true},
		{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", true},
		{0x0002, "TLS_RSA_WITH_NULL_SHA", true},
		{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", true},
		{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", false},
		{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false},
		{0x1301, "TLS_AES_128_GCM_SHA256", false},
	} {
		s := tlswire.LookupCipherSuite(c.id)
		if s == nil || s.Name != c.name || s.Insecure != c.insecure || tlswire.CipherSuiteName(c.id) != c.name {
			t.Errorf("%#04x: %+v, want %s insecure=%v", c.id, s, c.name, c.insecure)
		}
	}
	if tlswire.CipherSuiteName(0xFAFA) != "0xFAFA" {
		t.Error(tlswire.CipherSuiteName(0xFAFA))
	}
	if tlswire.LookupCipherSuite(0x00FF) != nil {
		t.Error("the renegotiation SCSV is not a suite")
	}
}

// prefixConn replays bytes already read before the rest of the conn.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// readHello reads one ClientHello record from c and returns the raw record
// (to replay into a crypto/tls server) and the parsed hello.
func readHello(c net.Conn) (raw []byte, ch tlswire.ClientHello, err error) {
	head := make([]byte, 5)
	if _, err = io.ReadFull(c, head); err != nil {
		return nil, ch, err
	}
	body := make([]byte, int(head[3])<<8|int(head[4]))
	if _, err = io.ReadFull(c, body); err != nil {
		return nil, ch, err
	}
	var hs tlswire.Handshake
	if _, err = hs.DecodeFromBytes(body); err == nil {
		err = ch.DecodeFromBytes(hs.Body)
	}
	return append(head, body...), ch, err
}

// replayTo runs a crypto/tls server handshake on c, whose first record was
// already read as raw.
func replayTo(c net.Conn, raw []byte, conf *tls.Config) *tls.Conn {
	tc := tls.Server(&prefixConn{Conn: c, r: io.MultiReader(bytes.NewReader(raw), c)}, conf)
	_ = tc.Handshake()
	return tc
}

// TestChokingServer: a server that drops ClientHellos offering more than 128
// suites is still enumerated completely, in its preference order.
func TestChokingServer(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	conf := &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
	var dropped atomic.Int32
	addr := newRawServer(t, func(c net.Conn) {
		raw, ch, err := readHello(c)
		if err != nil {
			return
		}
		if ch.CipherSuites.Len() > 128 {
			dropped.Add(1)
			return // closes without an alert
		}
		replayTo(c, raw, conf)
	})
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: 2 * time.Second})
	var tls12 *Version
	for i := range res.Versions {
		if res.Versions[i].ID == tls.VersionTLS12 {
			tls12 = &res.Versions[i]
		}
	}
	if dropped.Load() == 0 {
		t.Fatal("the server never saw a large hello")
	}
	if tls12 == nil || !tls12.Accepted || len(tls12.Suites) != 5 || tls12.Suites[0].ID != tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("TLS 1.2: %+v", tls12)
	}
}

// TestEnumerationHelloRetry: a TLS 1.3 server that wants P-256 answers the
// X25519 key share with a HelloRetryRequest, which still names its suite.
func TestEnumerationHelloRetry(t *testing.T) {
	p := longPKI(t)
	addr := newTLSServer(t, &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.CurveP256}}, sip200)
	pr := newProber(addr, Config{ServerName: "localhost", Timeout: 2 * time.Second})
	vs, _ := pr.enumerate(t.Context())
	last := vs[len(vs)-1]
	if last.ID != tls.VersionTLS13 || !last.Accepted || len(last.Suites) != 3 {
		t.Errorf("TLS 1.3 via HelloRetryRequest: %+v", last)
	}
	for _, v := range vs[:len(vs)-1] {
		if v.Accepted {
			t.Errorf("%s accepted", v.Version)
		}
	}
}

// TestNoSNIForIPLiteral: every ClientHello of a probe with enumeration, the
// crypto/tls ones and the hand-written ones, leaves out server_name for an
// IP-literal target (RFC 6066 §3) and carries it for a name.
func TestNoSNIForIPLiteral(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	addr := newRawServer(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 4096)
		var rec tlswire.Record
		for {
			n, err := c.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if _, derr := rec.DecodeFromBytes(buf); derr == nil {
				break
			}
			if err != nil {
				return
			}
		}
		var hs tlswire.Handshake
		var ch tlswire.ClientHello
		if _, err := hs.DecodeFromBytes(rec.Fragment); err != nil || ch.DecodeFromBytes(hs.Body) != nil {
			return
		}
		mu.Lock()
		seen = append(seen, string(ch.ServerName))
		mu.Unlock()
		_, _ = c.Write([]byte{21, 3, 3, 0, 2, 2, 40}) // handshake_failure
	})
	for _, c := range []struct{ serverName, want string }{{"", ""}, {"pbx.example", "pbx.example"}} {
		mu.Lock()
		seen = nil
		mu.Unlock()
		Probe(t.Context(), addr, Config{ServerName: c.serverName, Enumerate: true, Timeout: 2 * time.Second})
		mu.Lock()
		got := slices.Clone(seen)
		mu.Unlock()
		// SSL 3.0 hellos carry no extensions at all.
		if len(got) < len(enumVersions) {
			t.Fatalf("server name %q: saw %d ClientHellos, want one per version and the crypto/tls one", c.serverName, len(got))
		}
		empty := 0
		for _, sn := range got {
			if sn == "" {
				empty++
			} else if sn != c.want {
				t.Errorf("server name %q: ClientHello SNI %q, want %q", c.serverName, sn, c.want)
			}
		}
		if c.want != "" && empty > 1 {
			t.Errorf("server name %q: %d ClientHellos without SNI, want only SSL 3.0's: %q", c.serverName, empty, got)
		}
	}
}

// ssl30Flight is what an SSL 3.0-only server answers any ClientHello with:
// an SSL 3.0 ServerHello choosing suite, its Certificate and ServerHelloDone,
// in one record (RFC 6101 §5.6).
func ssl30Flight(suite uint16, certDER []byte) []byte {
	msg := func(typ byte, body []byte) []byte {
		return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	}
	hello := []byte{3, 0}
	hello = append(hello, make([]byte, 32)...) // random
	hello = append(hello, 0, byte(suite>>8), byte(suite), 0)
	certs := append([]byte{byte(len(certDER) >> 16), byte(len(certDER) >> 8), byte(len(certDER))}, certDER...)
	certs = append([]byte{byte(len(certs) >> 16), byte(len(certs) >> 8), byte(len(certs))}, certs...)
	var flight []byte
	flight = append(flight, msg(2, hello)...)
	flight = append(flight, msg(11, certs)...)
	flight = append(flight, msg(14, nil)...)
	return append([]byte{22, 3, 0, byte(len(flight) >> 8), byte(len(flight))}, flight...)
}

// TestSSL30OnlyServer: a server that speaks nothing but SSL 3.0 fails every
// crypto/tls handshake, and the enumeration still runs, sees SSL 3.0 and
// reads the certificate with the raw parser (issue 10: the early return on
// the handshake error skipped it, leaving TLS-HANDSHAKE-FAILED alone).
func TestSSL30OnlyServer(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	rsaCert := must(p.Issue(testpki.IssueOptions{CommonName: "localhost", Hosts: testpki.DefaultHosts, RSABits: 2048,
		EKUs: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}))(t)
	const suite = 0x000A // TLS_RSA_WITH_3DES_EDE_CBC_SHA, SSL_RSA_WITH_3DES_EDE_CBC_SHA in SSL 3.0
	addr := newRawServer(t, func(c net.Conn) {
		_, ch, err := readHello(c)
		if err != nil {
			return
		}
		if !ch.CipherSuites.Contains(suite) {
			_, _ = c.Write([]byte{21, 3, 0, 0, 2, 2, 40}) // handshake_failure
			return
		}
		_, _ = c.Write(ssl30Flight(suite, rsaCert.Certificate[0]))
		_, _ = c.Read(make([]byte, 512)) // until the client gives up
	})
	res := Probe(t.Context(), addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: 2 * time.Second})
	var accepted []string
	for _, v := range res.Versions {
		if v.Accepted {
			accepted = append(accepted, v.Version)
		}
	}
	if !slices.Equal(accepted, []string{"SSL 3.0"}) || len(res.Versions[0].Suites) != 1 || res.Versions[0].Suites[0].ID != suite {
		t.Fatalf("versions %+v, want SSL 3.0 with 3DES only (steps %+v)", res.Versions, res.Steps)
	}
	if res.ChainFrom != "raw SSL 3.0 handshake" || len(res.Chain) != 1 || res.Verify == nil || !res.Verify.Trusted {
		t.Errorf("chain from %q: %+v %+v", res.ChainFrom, res.Chain, res.Verify)
	}
	fs := Judge(res, mtlsEdge())
	want := map[string]report.Severity{
		"TLS-HANDSHAKE-FAILED": report.Fail, // no client that refuses SSL 3.0 can talk to it
		"TLS-VERSION-WEAK":     report.Warn, "TLS-CIPHER-WEAK": report.Warn, "TLS-NO-FORWARD-SECRECY": report.Warn,
		"TLS-CERT-UNTRUSTED": report.Pass, "TLS-CERT-NAME-MISMATCH": report.Pass, "TLS-CERT-EXPIRED": report.Pass,
		// The raw flight reached ServerHelloDone without a CertificateRequest.
		"MTLS-NOT-REQUESTED": report.Fail, "MTLS-NOT-REQUIRED": report.Fail,
	}
	for id, sev := range want {
		if f := finding(fs, id); f == nil || f.Severity != sev {
			t.Errorf("%s: %+v, want %v", id, f, sev)
		}
	}
	if f := finding(fs, "TLS-HANDSHAKE-FAILED"); f != nil && !strings.Contains(f.Detail, "only SSL 3.0") {
		t.Errorf("TLS-HANDSHAKE-FAILED detail %q does not say the server speaks only SSL 3.0", f.Detail)
	}
	if t.Failed() {
		dump(t, fs)
	}
}

// TestEnumerationEndings: what ends a version's enumeration decides what is
// known. An alert, a ServerHello of another version or suite, and a close
// (FIN or RST) after the hello are the server's refusal; a hello that gets
// no answer within the step timeout is not: the version (or the rest of its
// suites) is undecided, and the checks it could change are inconclusive.
// The silence used to read as refusal: a TLS 1.0 that timed out was "not
// accepted", a weak suite behind a timed-out hello was never seen, and
// TLS-VERSION-WEAK and TLS-CIPHER-WEAK passed.
func TestEnumerationEndings(t *testing.T) {
	checkGoroutines(t)
	p := longPKI(t)
	const weak = tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA
	conf := &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, weak}}
	// server answers TLS 1.2 hellos with crypto/tls, except that the ones
	// matching silent get no answer at all, and TLS 1.0 hellos get tls10.
	server := func(silent func(ch *tlswire.ClientHello) bool, tls10 func(c net.Conn)) string {
		return newRawServer(t, func(c net.Conn) {
			raw, ch, err := readHello(c)
			switch {
			case err != nil:
				return
			case silent(&ch):
				_, _ = io.Copy(io.Discard, c)
			case ch.MaxVersion() == tls.VersionTLS10:
				tls10(c)
			default:
				_ = replayTo(c, raw, conf).Close()
			}
		})
	}
	never := func(*tlswire.ClientHello) bool { return false }
	alert := func(c net.Conn) { _, _ = c.Write([]byte{21, 3, 1, 0, 2, 2, 70}) } // protocol_version
	for _, c := range []struct {
		name       string
		addr       string
		tls10      Version // Accepted, Incomplete
		tls12      []uint16
		incomplete bool // TLS 1.2 not enumerated to the end
		version    report.Severity
		cipher     report.Severity
	}{
		{"alert", server(never, alert), Version{}, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, weak}, false, report.Pass, report.Warn},
		{"close after the hello", server(never, func(net.Conn) {}), Version{}, nil, false, report.Pass, report.Warn},
		{"reset after the hello", server(never, func(c net.Conn) { _ = c.(*net.TCPConn).SetLinger(0) }), Version{}, nil, false, report.Pass, report.Warn},
		{"TLS 1.0 hello unanswered", server(func(ch *tlswire.ClientHello) bool { return ch.MaxVersion() == tls.VersionTLS10 }, alert),
			Version{Incomplete: true}, nil, false, report.Inconclusive, report.Warn},
		{"later TLS 1.2 hello unanswered", server(func(ch *tlswire.ClientHello) bool {
			return ch.MaxVersion() == tls.VersionTLS12 && !ch.CipherSuites.Contains(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
		}, alert), Version{}, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, true, report.Pass, report.Inconclusive},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Probe(t.Context(), c.addr, Config{ServerName: "localhost", RootCAs: p.CAPool, Enumerate: true, Timeout: time.Second})
			var v10, v12 Version
			for _, v := range res.Versions {
				switch v.ID {
				case tls.VersionTLS10:
					v10 = v
				case tls.VersionTLS12:
					v12 = v
				}
			}
			if v10.Accepted || v10.Incomplete != c.tls10.Incomplete || v10.Error == "" {
				t.Errorf("TLS 1.0 %+v, want incomplete=%v, not accepted, with the reason", v10, c.tls10.Incomplete)
			}
			var got []uint16
			for _, s := range v12.Suites {
				got = append(got, s.ID)
			}
			want := c.tls12
			if want == nil {
				want = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, weak}
			}
			if !v12.Accepted || !slices.Equal(got, want) || v12.Incomplete != c.incomplete || c.incomplete && !strings.Contains(v12.Error, "timeout") {
				t.Errorf("TLS 1.2 %+v, want suites %x, incomplete=%v", v12, want, c.incomplete)
			}
			fs := Judge(res, serverAuthOnly())
			for id, sev := range map[string]report.Severity{"TLS-VERSION-WEAK": c.version, "TLS-CIPHER-WEAK": c.cipher} {
				f := finding(fs, id)
				switch {
				case f == nil || f.Severity != sev:
					t.Errorf("%s %+v, want %v", id, f, sev)
				case sev == report.Inconclusive && (!strings.Contains(f.Hint, "--step-timeout") || strings.Contains(f.Summary, "interrupted")):
					t.Errorf("%s %+v: an unanswered hello is no interruption; want the --step-timeout hint", id, f)
				}
			}
			if t.Failed() {
				dump(t, fs)
			}
		})
	}
}
