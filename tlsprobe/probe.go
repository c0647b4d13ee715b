package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// Defaults applied by [Probe] to zero Config fields.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultWarnDays    = 30
	DefaultConcurrency = 8
)

// Config tunes one [Probe]. The zero value probes with system roots, the
// default timeout, no client certificate, no enumeration and no SIP.
type Config struct {
	// ServerName is the SNI and the name the certificate must carry; empty
	// means the host part of the address.
	ServerName string
	// ClientCert is the certificate offered for mutual TLS (optional).
	ClientCert *tls.Certificate
	// RootCAs verifies the chain; nil means the system roots. The caller
	// adds --ca certificates to the pool it passes.
	RootCAs *x509.CertPool
	// WarnDays is the TLS-CERT-EXPIRING horizon; 0 means 30, negative disables.
	WarnDays int
	// Timeout bounds each connection (dial, handshake, SIP exchange); 0
	// means 5 s. Every deadline is also bounded by the caller's context.
	Timeout time.Duration
	// Enumerate runs the version and cipher-suite enumeration.
	Enumerate bool
	// Concurrency bounds concurrent enumeration handshakes; 0 means 8.
	Concurrency int
	// Dial opens connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RequireClientAuthEKU makes a missing Client Authentication EKU a
	// TLS-CERT-EKU failure (servers that take part in MTLS).
	RequireClientAuthEKU bool
	// SIPOptions sends OPTIONS over the connection and reports
	// SIP-NO-RESPONSE / SIP-OPTIONS-STATUS.
	SIPOptions bool
	// Now is the clock for certificate validity; nil means time.Now.
	Now func() time.Time
}

// Result is everything one probe saw. Pointers and omitempty mark the parts
// of checks that did not run.
type Result struct {
	Target     string        `json:"target"` // tls://host:port
	Addr       string        `json:"addr"`
	ServerName string        `json:"server_name"`
	Status     Status        `json:"status"` // outcome of the first handshake
	Error      string        `json:"error,omitempty"`
	Handshake  *Handshake    `json:"handshake,omitempty"`
	Chain      []Certificate `json:"chain,omitempty"`
	Verify     *Verification `json:"verification,omitempty"`
	MTLS       *MTLS         `json:"mtls,omitempty"`
	Versions   []Version     `json:"versions,omitempty"`
	SIP        *SIP          `json:"sip,omitempty"`
	// EnumerationMS is how long the enumeration took.
	EnumerationMS float64          `json:"enumeration_ms,omitempty"`
	Findings      []report.Finding `json:"findings"`
}

// Handshake is the negotiated session of the first completed handshake.
type Handshake struct {
	Version       string `json:"version"`
	VersionID     uint16 `json:"version_id"`
	CipherSuite   string `json:"cipher_suite"`
	CipherSuiteID uint16 `json:"cipher_suite_id"`
	ClientCert    bool   `json:"client_cert"` // this handshake offered ClientCert
}

// Certificate is one certificate of the chain the server sent, leaf first.
type Certificate struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	Serial             string    `json:"serial"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	IPAddresses        []string  `json:"ip_addresses,omitempty"`
	URIs               []string  `json:"uris,omitempty"`
	EKUs               []string  `json:"ekus,omitempty"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SelfSigned         bool      `json:"self_signed"`
	SHA256             string    `json:"sha256"`
}

// Verification is the outcome of chain and name verification.
type Verification struct {
	Trusted     bool   `json:"trusted"`
	TrustError  string `json:"trust_error,omitempty"`
	NameMatches bool   `json:"name_matches"`
	NameError   string `json:"name_error,omitempty"`
	InOrder     bool   `json:"in_order"`
}

// MTLS holds the mutual-TLS facts.
type MTLS struct {
	// CertificateRequested: the server sent a CertificateRequest.
	CertificateRequested bool `json:"certificate_requested"`
	// CANames are the acceptable CA distinguished names it listed.
	CANames []string `json:"ca_names,omitempty"`
	// AcceptedWithoutClientCert: a connection without a client certificate
	// was accepted (nil: undetermined).
	AcceptedWithoutClientCert *bool  `json:"accepted_without_client_cert,omitempty"`
	WithoutClientCertAlert    string `json:"without_client_cert_alert,omitempty"`
	// ClientCertAccepted: the configured client certificate was accepted
	// (nil: none configured or undetermined).
	ClientCertAccepted *bool  `json:"client_cert_accepted,omitempty"`
	ClientCertAlert    string `json:"client_cert_alert,omitempty"`
	// Evidence says how acceptance was decided ("handshake", "SIP response",
	// "alert after handshake", "no alert within timeout").
	Evidence []string `json:"evidence,omitempty"`
}

// Version is one protocol version's enumeration outcome.
type Version struct {
	Version  string  `json:"version"`
	ID       uint16  `json:"id"`
	Accepted bool    `json:"accepted"`
	Suites   []Suite `json:"suites,omitempty"` // accepted, server preference order
	Error    string  `json:"error,omitempty"`  // why the version is not accepted
}

// Suite is an accepted cipher suite.
type Suite struct {
	ID       uint16 `json:"id"`
	Name     string `json:"name"`
	Insecure bool   `json:"insecure,omitempty"`
	Weakness string `json:"weakness,omitempty"`
}

// SIP is the OPTIONS exchange over the TLS connection.
type SIP struct {
	Status int     `json:"status,omitempty"`
	Reason string  `json:"reason,omitempty"`
	Server string  `json:"server,omitempty"`
	RTTMS  float64 `json:"rtt_ms,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Probe runs every configured check against addr (host:port) and returns the
// result. It never panics; a panic inside is recovered into an error result.
func Probe(ctx context.Context, addr string, cfg Config) (res *Result) {
	res = &Result{}
	defer func() {
		if r := recover(); r != nil {
			res.Status = StatusError
			res.Error = fmt.Sprintf("tlsprobe: internal error: %v", r)
			res.Findings = append(res.Findings, report.New("TLS-HANDSHAKE-FAILED", res.Target,
				"probe aborted by an internal error").WithDetail("%v", r))
		}
	}()
	p := newProber(addr, cfg)
	res.Target, res.Addr, res.ServerName = p.target, p.addr, p.serverName
	p.run(ctx, res)
	return res
}

type prober struct {
	addr       string
	host, port string
	serverName string
	cfg        Config
	target     string
}

func newProber(addr string, cfg Config) *prober {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.WarnDays == 0 {
		cfg.WarnDays = DefaultWarnDays
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Dial == nil {
		d := &net.Dialer{}
		cfg.Dial = d.DialContext
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// No port: SIP over TLS defaults to 5061 (RFC 3261 §19.1.2).
		host, port = strings.Trim(addr, "[]"), "5061"
		addr = net.JoinHostPort(host, port)
	}
	sn := cfg.ServerName
	if sn == "" {
		sn = strings.TrimSuffix(host, ".")
	}
	return &prober{addr: addr, host: host, port: port, serverName: sn, cfg: cfg, target: "tls://" + addr}
}

// attempt is one crypto/tls connection attempt.
type attempt struct {
	conn       *tls.Conn // open when the handshake completed
	state      tls.ConnectionState
	peerCerts  [][]byte
	requested  bool
	caNames    [][]byte
	err        error // handshake error
	accepted   *bool // server accepted the client (after the TLS 1.3 check)
	alert      string
	evidence   string
	sip        *SIP
	withClient bool
}

// clientSuites is what the crypto/tls connections offer: every suite Go
// implements, including RSA key exchange and 3DES (gone from Go's defaults,
// still what OCS 2007 R2 on Windows Server 2008 negotiates), secure first.
// RC4 stays out: RFC 7465 §2 forbids offering it; the raw enumeration still
// detects it, and a server that speaks only RC4 is read by [prober.rawChain].
var clientSuites = func() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		if !strings.Contains(s.Name, "RC4") {
			ids = append(ids, s.ID)
		}
	}
	return ids
}()

// dial connects with a deadline derived from ctx and the timeout.
func (p *prober) dial(ctx context.Context) (net.Conn, context.CancelFunc, error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	conn, err := p.cfg.Dial(cctx, "tcp", p.addr)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("connect to %s: %w", p.addr, err)
	}
	if dl, ok := cctx.Deadline(); ok {
		_ = conn.SetDeadline(dl) // timeouts surface as os.ErrDeadlineExceeded
	}
	// Closing the conn when the caller cancels unblocks any read.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	return conn, func() { stop(); cancel() }, nil
}

// sni is the server_name extension's value: the server name, or nothing
// for an IP literal (RFC 6066 §3).
func (p *prober) sni() string {
	if net.ParseIP(p.serverName) != nil {
		return ""
	}
	return p.serverName
}

// handshake runs a crypto/tls handshake, offering the client certificate
// when withClient is set, and for TLS 1.3 (and for SIP) exchanges an
// OPTIONS to learn whether the server kept the connection.
func (p *prober) handshake(ctx context.Context, withClient, sip bool) *attempt {
	a := &attempt{withClient: withClient}
	raw, done, err := p.dial(ctx)
	if err != nil {
		a.err = err
		return a
	}
	defer done()
	conf := &tls.Config{
		ServerName:         p.sni(),
		InsecureSkipVerify: true, // verified by analyzeChain, which records every reason
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       clientSuites,
		VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
			a.peerCerts = rawCerts
			return nil
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			a.requested = true
			a.caNames = cri.AcceptableCAs
			if withClient && p.cfg.ClientCert != nil {
				return p.cfg.ClientCert, nil
			}
			return &tls.Certificate{}, nil
		},
	}
	conn := tls.Client(raw, conf)
	if err := conn.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		a.err = fmt.Errorf("TLS handshake with %s: %w", p.addr, err)
		_ = raw.Close()
		// An alert is a verdict on client authentication only when the
		// server asked for a certificate; otherwise it is about something
		// else (versions, suites) and TLS-HANDSHAKE-FAILED reports it.
		if st, ev := classify(err); st == StatusAlert && a.requested {
			f := false
			a.accepted, a.alert, a.evidence = &f, ev.(*AlertError).Text, "alert during handshake"
		}
		return a
	}
	a.state = conn.ConnectionState()
	defer conn.Close()
	t := true
	a.accepted, a.evidence = &t, "handshake completed"
	if !sip && (a.state.Version < tls.VersionTLS13 || !a.requested) {
		return a // no client-authentication verdict pending, no SIP wanted
	}
	// TLS 1.3: the server judges our Certificate after its Finished; an
	// OPTIONS exchange surfaces its verdict (RFC 8446 §4.4.2.4).
	s, err := exchangeOptions(conn, p.optionsRequest(raw.LocalAddr()))
	a.sip = s
	if err != nil {
		st, ev := classify(err)
		switch {
		case st == StatusAlert && a.requested:
			f := false
			a.accepted, a.alert, a.evidence = &f, ev.(*AlertError).Text, "alert after handshake"
		case st == StatusClosed && a.requested && a.state.Version >= tls.VersionTLS13:
			f := false
			a.accepted, a.evidence = &f, "connection closed after handshake without a SIP answer"
		case errors.Is(err, errNotSIP) || errors.Is(err, errTooLarge):
			a.evidence = "the server answered (not SIP) after the handshake"
		case a.state.Version >= tls.VersionTLS13 && st == StatusTimeout:
			// A rejecting server alerts as soon as it reads our Finished;
			// silence for the whole timeout is taken as acceptance.
			a.evidence = "no alert after handshake within the timeout (taken as accepted)"
		case a.state.Version >= tls.VersionTLS13 && a.requested:
			// Neither an answer nor an alert nor a timeout: undetermined.
			a.accepted, a.evidence = nil, "undetermined: "+describe("after the handshake", err)
		}
	} else {
		a.evidence = "SIP response received"
	}
	return a
}

func (p *prober) run(ctx context.Context, res *Result) {
	// Two connections, one after the other: without a client certificate
	// (facts, CertificateRequest, MTLS-NOT-REQUIRED) and with it. They are
	// not run concurrently: Kamailio 5.6 with OpenSSL 3 intermittently fails
	// a handshake that overlaps a rejected one (seen in the interop test),
	// and a probe must not provoke what it reports.
	noCert := p.handshake(ctx, false, p.cfg.SIPOptions && p.cfg.ClientCert == nil)
	st, _ := classify(noCert.err)
	var withCert *attempt
	if p.cfg.ClientCert != nil && (noCert.err == nil || st == StatusAlert) {
		withCert = p.handshake(ctx, true, p.cfg.SIPOptions)
	}
	res.Status = st
	if noCert.err != nil {
		res.Error = noCert.err.Error()
	}
	if noCert.err != nil && st != StatusAlert {
		res.Findings = append(res.Findings, report.New("TLS-HANDSHAKE-FAILED", p.target,
			"TLS handshake failed").WithDetail("%s", describe("handshake without a client certificate", noCert.err)))
		return
	}

	// Handshake facts and chain from whichever attempt completed.
	best := noCert
	if withCert != nil && withCert.err == nil {
		best = withCert
	}
	if best.err == nil {
		res.Status, res.Error = StatusOK, "" // a handshake completed
		res.Handshake = &Handshake{
			VersionID: best.state.Version, Version: tlswire.VersionName(best.state.Version),
			CipherSuiteID: best.state.CipherSuite, CipherSuite: tlswire.CipherSuiteName(best.state.CipherSuite),
			ClientCert: best.withClient,
		}
	}
	certs := noCert.peerCerts
	if len(certs) == 0 && withCert != nil {
		certs = withCert.peerCerts
	}
	// Failures that are the server's verdict on client authentication
	// (it sent a CertificateRequest, then an alert) are reported by the
	// MTLS checks, not as a broken handshake.
	authVerdict := func(a *attempt) bool {
		return a != nil && a.requested && a.accepted != nil && !*a.accepted
	}
	// A connection "went through" when its handshake completed and the
	// server did not reject it afterwards (TLS 1.3).
	through := func(a *attempt) bool { return a != nil && a.err == nil && (a.accepted == nil || *a.accepted) }
	switch {
	case through(noCert) || through(withCert):
		res.Findings = append(res.Findings, report.Passed("TLS-HANDSHAKE-FAILED", p.target,
			fmt.Sprintf("TLS handshake completed (%s, %s)", res.Handshake.Version, res.Handshake.CipherSuite)))
	case authVerdict(noCert) && (withCert == nil || authVerdict(withCert)):
		// rejected for client authentication: the MTLS findings say why
	default:
		err := noCert.err
		if withCert != nil && withCert.err != nil {
			err = withCert.err
		}
		if err == nil {
			err = errors.New("tlsprobe: every connection was closed after the handshake")
		}
		res.Findings = append(res.Findings, report.New("TLS-HANDSHAKE-FAILED", p.target,
			"no TLS handshake completed").WithDetail("%s", describe("handshake", err)))
	}
	if len(certs) > 0 {
		p.analyzeChain(certs, res)
	}
	p.mtls(noCert, withCert, res)

	// SIP over the accepted connection.
	if p.cfg.SIPOptions {
		var s *SIP
		for _, a := range []*attempt{withCert, noCert} {
			if a != nil && a.accepted != nil && *a.accepted && a.sip != nil {
				s = a.sip
				break
			}
		}
		if s != nil {
			res.SIP = s
			p.sipFindings(s, res)
		}
	}

	if p.cfg.Enumerate {
		start := time.Now()
		res.Versions = p.enumerate(ctx)
		res.EnumerationMS = float64(time.Since(start).Microseconds()) / 1000
		p.enumerationFindings(res)
		if len(certs) == 0 {
			// crypto/tls could not get as far as the certificate (only
			// suites or versions it does not implement): read the plaintext
			// TLS <= 1.2 flight with the raw parser instead.
			p.rawChain(ctx, res)
		}
	} else if res.Handshake != nil {
		if tlswire.VersionDeprecated(res.Handshake.VersionID) {
			res.Findings = append(res.Findings, report.Newf("TLS-VERSION-WEAK", p.target,
				"server negotiated deprecated %s", res.Handshake.Version))
		}
		if s := tlswire.LookupCipherSuite(res.Handshake.CipherSuiteID); s != nil && s.Insecure {
			res.Findings = append(res.Findings, report.Newf("TLS-CIPHER-WEAK", p.target,
				"server negotiated weak suite %s (%s)", s.Name, s.Weakness))
		}
	}
}

func (p *prober) mtls(noCert, withCert *attempt, res *Result) {
	m := &MTLS{CertificateRequested: noCert.requested || (withCert != nil && withCert.requested)}
	names := noCert.caNames
	if len(names) == 0 && withCert != nil {
		names = withCert.caNames
	}
	for _, dn := range names {
		m.CANames = append(m.CANames, dnString(dn))
	}
	res.MTLS = m
	if m.CertificateRequested {
		summary := "server requests a client certificate"
		if len(m.CANames) > 0 {
			summary += fmt.Sprintf(" (%d acceptable CA names)", len(m.CANames))
		}
		res.Findings = append(res.Findings, report.Passed("MTLS-NOT-REQUESTED", p.target, summary))
	} else if noCert.err == nil {
		res.Findings = append(res.Findings, report.New("MTLS-NOT-REQUESTED", p.target,
			"server did not send a CertificateRequest"))
	}
	m.AcceptedWithoutClientCert, m.WithoutClientCertAlert = noCert.accepted, noCert.alert
	if noCert.evidence != "" {
		m.Evidence = append(m.Evidence, "without client certificate: "+noCert.evidence)
	}
	if a := noCert.accepted; a != nil {
		if *a {
			res.Findings = append(res.Findings, report.New("MTLS-NOT-REQUIRED", p.target,
				"server accepts a connection without a client certificate").WithDetail("%s, %s", tlswire.VersionName(noCert.state.Version), noCert.evidence))
		} else {
			res.Findings = append(res.Findings, report.Passed("MTLS-NOT-REQUIRED", p.target,
				"server refuses connections without a client certificate").WithDetail("alert %q (%s)", noCert.alert, noCert.evidence))
		}
	}
	if withCert == nil {
		return
	}
	if withCert.err == nil && !withCert.requested {
		m.Evidence = append(m.Evidence, "with client certificate: not requested, so not sent")
		return
	}
	m.ClientCertAccepted, m.ClientCertAlert = withCert.accepted, withCert.alert
	if withCert.evidence != "" {
		m.Evidence = append(m.Evidence, "with client certificate: "+withCert.evidence)
	}
	subject := ""
	if leaf := p.cfg.ClientCert.Leaf; leaf != nil {
		subject = leaf.Subject.String()
	} else if len(p.cfg.ClientCert.Certificate) > 0 {
		if c, err := x509.ParseCertificate(p.cfg.ClientCert.Certificate[0]); err == nil {
			subject = c.Subject.String()
		}
	}
	switch {
	case withCert.accepted != nil && *withCert.accepted:
		res.Findings = append(res.Findings, report.Passed("MTLS-CLIENT-CERT-REJECTED", p.target,
			"server accepts the client certificate").WithDetail("%s; %s", subject, withCert.evidence))
	case withCert.accepted != nil:
		f := report.New("MTLS-CLIENT-CERT-REJECTED", p.target,
			fmt.Sprintf("server rejected the client certificate with alert %q", withCert.alert)).
			WithDetail("client certificate %s; %s", subject, withCert.evidence)
		if len(m.CANames) > 0 {
			f.Detail += "; server accepts certificates from: " + strings.Join(m.CANames, " | ")
		}
		res.Findings = append(res.Findings, f)
	case withCert.err != nil:
		res.Findings = append(res.Findings, report.New("MTLS-CLIENT-CERT-REJECTED", p.target,
			"handshake with the client certificate failed").WithDetail("%s", describe("handshake with client certificate", withCert.err)))
	}
}

func (p *prober) sipFindings(s *SIP, res *Result) {
	if s.Status == 0 {
		res.Findings = append(res.Findings, report.New("SIP-NO-RESPONSE", p.target,
			"no SIP response to OPTIONS over TLS").WithDetail("%s", s.Error))
		return
	}
	res.Findings = append(res.Findings, report.Passed("SIP-NO-RESPONSE", p.target,
		fmt.Sprintf("OPTIONS answered in %.1f ms", s.RTTMS)))
	if s.Status >= 200 && s.Status < 300 {
		res.Findings = append(res.Findings, report.Passed("SIP-OPTIONS-STATUS", p.target,
			fmt.Sprintf("OPTIONS answered %d %s", s.Status, s.Reason)))
	} else {
		res.Findings = append(res.Findings, report.Newf("SIP-OPTIONS-STATUS", p.target,
			"OPTIONS answered %d %s", s.Status, s.Reason).WithDetail("Server: %s", s.Server))
	}
}
