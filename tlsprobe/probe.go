package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/voipsec/voipsec/tlswire"
)

// Defaults applied by [Probe] to zero Config fields, and the expiry
// warning horizon callers pass in [Expect.WarnDays] unless told otherwise.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultWarnDays    = 30
	DefaultConcurrency = 8
)

// Config tunes one [Probe]: what to observe and how. What the observations
// should be measured against is [Expect], given to [Judge]. The zero value
// probes with system roots, the default timeout, no client certificate and
// no enumeration.
type Config struct {
	// ServerName is the SNI and the name the certificate must carry; empty
	// means the host part of the address.
	ServerName string
	// ClientCert is the certificate offered for mutual TLS (optional).
	ClientCert *tls.Certificate
	// RootCAs verifies the chain; nil means the system roots. The caller
	// adds --ca certificates to the pool it passes.
	RootCAs *x509.CertPool
	// Timeout bounds each connection (dial, handshake, SIP exchange); 0
	// means 5 s. Every deadline is also bounded by the caller's context.
	Timeout time.Duration
	// Enumerate runs the version and cipher-suite enumeration.
	Enumerate bool
	// Concurrency bounds concurrent enumeration handshakes; 0 means 8.
	Concurrency int
	// Dial opens connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Result is everything one probe saw: facts only, no verdicts ([Judge]
// makes those). Pointers and omitempty mark the parts of steps that did not
// run; [Result.Steps] says what became of each step.
type Result struct {
	Target     string `json:"target"` // tls://host:port
	Addr       string `json:"addr"`
	ServerName string `json:"server_name"`
	// Status is ok when a handshake completed, else the outcome of the
	// first handshake (interrupted when the caller's context ended first).
	Status Status `json:"status"`
	Error  string `json:"error,omitempty"`
	// Steps says, step by step, what ran, what failed and why, and what the
	// caller's context cut off.
	Steps Steps `json:"steps"`
	// Interrupted: the caller's context ended before every step finished.
	Interrupted bool `json:"interrupted,omitempty"`
	// InternalError is set when the probe stopped on a bug of its own (a
	// recovered panic); the steps it did not reach have an empty status.
	InternalError string        `json:"internal_error,omitempty"`
	Handshake     *Handshake    `json:"handshake,omitempty"`
	Chain         []Certificate `json:"chain,omitempty"`
	// ChainFrom says where the chain was read: "handshake" (crypto/tls) or
	// "raw <version> handshake" (the hand-written client, for servers
	// crypto/tls cannot talk to).
	ChainFrom string        `json:"chain_from,omitempty"`
	Verify    *Verification `json:"verification,omitempty"`
	// MTLS is nil until some handshake got far enough to show whether the
	// server sends a CertificateRequest.
	MTLS     *MTLS     `json:"mtls,omitempty"`
	Versions []Version `json:"versions,omitempty"`
	// EnumerationMS is how long the enumeration took.
	EnumerationMS float64 `json:"enumeration_ms,omitempty"`
}

// Steps records each step of a probe. A nil step was not asked for.
type Steps struct {
	// Handshake is the crypto/tls handshake without a client certificate.
	Handshake Step `json:"handshake"`
	// ClientCert is the handshake offering [Config.ClientCert]; nil when
	// none is configured.
	ClientCert *Step `json:"client_cert,omitempty"`
	// Enumeration is the version and cipher-suite enumeration; nil unless
	// [Config.Enumerate]. Each [Version] says whether it was cut off.
	Enumeration *Step `json:"enumeration,omitempty"`
}

// Step is what became of one step.
type Step struct {
	// Status is ok when the step completed; the classified failure when it
	// did not; interrupted when the caller's context ended first; not-run
	// when an earlier step made it pointless; empty when the probe stopped
	// on an internal error before it.
	Status Status `json:"status"`
	// Error is the failure, or why the step did not run.
	Error string `json:"error,omitempty"`
	// Phase says where a failed handshake step stopped: connecting (no
	// TLS byte was exchanged, so nothing about the server's TLS is known)
	// or in the TLS handshake. Empty when the step completed.
	Phase Phase `json:"phase,omitempty"`
}

// Phase is where a failed step stopped.
type Phase string

const (
	PhaseConnect   Phase = "connect"   // opening the TCP connection
	PhaseHandshake Phase = "handshake" // the TLS handshake
)

// Ran reports whether the step completed or failed on the peer's account:
// neither interrupted, nor skipped, nor unreached.
func (s Step) Ran() bool {
	return s.Status != "" && s.Status != StatusInterrupted && s.Status != StatusNotRun
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
	EKUs               []string  `json:"ekus,omitempty"` // empty: no EKU extension (any usage)
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SelfSigned         bool      `json:"self_signed"`
	SHA256             string    `json:"sha256"`
}

// Verification is the outcome of chain and name verification. Trust is
// judged at a moment inside every certificate's validity, so that expiry
// stays a fact of its own (the dates in [Certificate]).
type Verification struct {
	// ParseError: a certificate of the chain does not parse; the chain
	// holds the ones before it.
	ParseError string `json:"parse_error,omitempty"`
	Trusted    bool   `json:"trusted"`
	TrustError string `json:"trust_error,omitempty"`
	// RootsError: the system roots (the trust anchors when no RootCAs
	// were given) could not be loaded, so trust was not judged.
	RootsError  string `json:"roots_error,omitempty"`
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
	// was accepted (nil: undetermined; Steps.Handshake and Evidence say why).
	AcceptedWithoutClientCert *bool  `json:"accepted_without_client_cert,omitempty"`
	WithoutClientCertAlert    string `json:"without_client_cert_alert,omitempty"`
	// ClientCertAccepted: the configured client certificate was accepted
	// (nil: none configured, not requested, or undetermined; Steps.ClientCert
	// and Evidence say which).
	ClientCertAccepted *bool  `json:"client_cert_accepted,omitempty"`
	ClientCertAlert    string `json:"client_cert_alert,omitempty"`
	// ClientCertSubject names the certificate offered, for evidence.
	ClientCertSubject string `json:"client_cert_subject,omitempty"`
	// Evidence says how acceptance was decided ("handshake completed",
	// "SIP response received", "alert after handshake", "connection closed
	// after handshake without a SIP answer", "undetermined: ...").
	Evidence []string `json:"evidence,omitempty"`
}

// Version is one protocol version's enumeration outcome.
type Version struct {
	Version  string  `json:"version"`
	ID       uint16  `json:"id"`
	Accepted bool    `json:"accepted"`
	Suites   []Suite `json:"suites,omitempty"` // accepted, server preference order
	Error    string  `json:"error,omitempty"`  // why the version is not accepted
	// Incomplete: the enumeration of this version did not finish: a
	// ClientHello got no answer within the timeout, its connection could
	// not be opened, the answer did not parse, the caller's context ended,
	// or an internal error. Accepted and Suites are what was seen until
	// then, and Error says why. Only the server's refusal (an alert, a
	// ServerHello of another version or suite, a close after the hello)
	// ends a version's enumeration as finished.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Suite is an accepted cipher suite.
type Suite struct {
	ID       uint16 `json:"id"`
	Name     string `json:"name"`
	Insecure bool   `json:"insecure,omitempty"`
	Weakness string `json:"weakness,omitempty"`
}

// sipAnswer is what came back to the OPTIONS sent after a TLS 1.3
// handshake to learn the server's verdict on the client: evidence only
// (package sipcheck judges SIP).
type sipAnswer struct {
	Status int
	Reason string
	Server string
	RTTMS  float64
	Error  string
	// NotSIP: the server answered, with bytes that are not a SIP response.
	NotSIP bool
}

// Probe observes addr (host:port): it runs the configured steps and
// returns what it saw, without judging it ([Judge] does). It never panics;
// a panic inside is recovered into [Result.InternalError]. When ctx ends
// mid-way, the steps it cut off say "interrupted" and the rest do not run.
func Probe(ctx context.Context, addr string, cfg Config) (res *Result) {
	res = &Result{}
	p := newProber(addr, cfg)
	res.Target, res.Addr, res.ServerName = p.target, p.addr, p.serverName
	defer func() {
		if r := recover(); r != nil {
			res.InternalError = fmt.Sprintf("tlsprobe: internal error: %v", r)
			if res.Handshake == nil {
				res.Status, res.Error = StatusError, res.InternalError
			}
		}
	}()
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
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
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
	err       error // the handshake's error, naming the address
	step      Step  // the handshake's outcome
	state     tls.ConnectionState
	peerCerts [][]byte
	requested bool
	caNames   [][]byte
	accepted  *bool // server accepted the client (after the TLS 1.3 check)
	alert     string
	evidence  string
	// verdict is the wait for the server's TLS 1.3 verdict after the
	// handshake (the OPTIONS exchange).
	verdict    Step
	withClient bool
}

// completed reports whether the handshake completed.
func (a *attempt) completed() bool { return a != nil && a.step.Status == StatusOK }

// flightSeen reports whether the attempt got far enough to show whether the
// server sends a CertificateRequest: it saw one, or the handshake completed
// (every server message precedes the client's Finished).
func (a *attempt) flightSeen() bool { return a != nil && (a.requested || a.completed()) }

// outcome classifies a step's error, telling the caller's context ending
// (interrupted) from the peer's failure. A peer's answer (an alert, non-TLS
// bytes, a refusal) stays what it was even if ctx ended just after.
func outcome(ctx context.Context, what string, err error) Step {
	if err == nil {
		return Step{Status: StatusOK}
	}
	st, _ := classify(err)
	if ctx.Err() != nil {
		switch st {
		case StatusTimeout, StatusClosed, StatusError, StatusInterrupted:
			return Step{Status: StatusInterrupted, Error: fmt.Sprintf("%s: interrupted (%v)", what, context.Cause(ctx))}
		}
	}
	return Step{Status: st, Error: describe(what, err)}
}

// dial connects with a deadline derived from ctx and the timeout.
func (p *prober) dial(ctx context.Context) (net.Conn, context.CancelFunc, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", p.addr, err)
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	conn, err := p.cfg.Dial(cctx, "tcp", p.addr)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("connect to %s: %w", p.addr, err)
	}
	if dl, ok := cctx.Deadline(); ok {
		_ = conn.SetDeadline(dl) // timeouts surface as os.ErrDeadlineExceeded
	}
	// Closing the conn when the caller cancels unblocks any read. The
	// callback runs on a goroutine of its own: a panic there (a Dial
	// returning a conn whose Close panics) must not end the process.
	stop := context.AfterFunc(ctx, func() {
		defer func() { _ = recover() }()
		_ = conn.Close()
	})
	return conn, func() { stop(); cancel() }, nil
}

// sni is the server_name extension's value: the server name, or nothing
// for an IP literal (RFC 6066 §3).
func (p *prober) sni() string { return sniFor(p.serverName) }

// handshake runs a crypto/tls handshake, offering the client certificate
// when withClient is set, and when the server asked for one under TLS 1.3
// exchanges an OPTIONS to learn whether it kept the connection.
func (p *prober) handshake(ctx context.Context, withClient bool) *attempt {
	a := &attempt{withClient: withClient}
	label := "handshake without a client certificate"
	if withClient {
		label = "handshake with the client certificate"
	}
	raw, done, err := p.dial(ctx)
	if err != nil {
		a.err, a.step = err, outcome(ctx, label, err)
		a.step.Phase = PhaseConnect
		if a.step.Status == StatusError {
			a.step.Error = label + ": could not connect: " + wordsOf(innermost(err).Error())
		}
		return a
	}
	defer done()
	var cert *tls.Certificate
	if withClient {
		cert = p.cfg.ClientCert
	}
	conf := ClientConfig(p.serverName, cert)
	conf.VerifyPeerCertificate = func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		a.peerCerts = rawCerts
		return nil
	}
	sendCert := conf.GetClientCertificate
	conf.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		a.requested = true
		a.caNames = cri.AcceptableCAs
		return sendCert(cri)
	}
	conn := tls.Client(raw, conf)
	if err := conn.HandshakeContext(ctx); err != nil {
		a.err = fmt.Errorf("TLS handshake with %s: %w", p.addr, err)
		a.step = outcome(ctx, label, a.err)
		a.step.Phase = PhaseHandshake
		_ = raw.Close()
		// An alert is a verdict on client authentication only when the
		// server asked for a certificate; otherwise it is about something
		// else (versions, suites) and TLS-HANDSHAKE-FAILED reports it.
		if st, ev := classify(err); st == StatusAlert && a.requested {
			f := false
			a.accepted, a.alert, a.evidence = &f, ev.(*AlertError).Text, "alert during handshake"
		} else if a.step.Status == StatusInterrupted && a.requested {
			a.evidence = "undetermined: interrupted during the handshake"
		}
		return a
	}
	a.step = Step{Status: StatusOK}
	a.state = conn.ConnectionState()
	defer conn.Close()
	t := true
	a.accepted, a.evidence = &t, "handshake completed"
	if a.state.Version < tls.VersionTLS13 || !a.requested {
		return a // no client-authentication verdict pending
	}
	// TLS 1.3: the server judges our Certificate after its Finished; an
	// OPTIONS exchange surfaces its verdict (RFC 8446 §4.4.2.4). The wait
	// is a step of its own, with a timeout of its own: what the dial
	// deadline left after a slow handshake may be too short for the
	// verdict. The caller's context still ends it (dial closes the conn).
	_ = raw.SetDeadline(time.Now().Add(p.cfg.Timeout))
	s, err := exchangeOptions(conn, p.optionsRequest(raw.LocalAddr()))
	a.verdict = outcome(ctx, "SIP OPTIONS", err)
	if err != nil {
		st, ev := classify(err)
		switch {
		case a.verdict.Status == StatusInterrupted:
			a.accepted, a.evidence = nil, "undetermined: interrupted before the server's verdict on the certificate"
		case st == StatusAlert:
			f := false
			a.accepted, a.alert, a.evidence = &f, ev.(*AlertError).Text, "alert after handshake"
		case st == StatusClosed:
			f := false
			a.accepted, a.evidence = &f, "connection closed after handshake without a SIP answer"
		case errors.Is(err, errNotSIP) || errors.Is(err, errTooLarge):
			// It kept the connection and answered: not SIP, but a yes.
			a.evidence = "the server kept the connection and answered after the handshake, not with SIP (" + s.Error + ")"
		case st == StatusTimeout:
			// Silence is not a yes: a server that neither alerts, nor
			// closes, nor answers has not given its verdict.
			a.accepted, a.evidence = nil, "undetermined: no alert and no SIP answer within the timeout"
		default:
			// Neither an answer nor an alert nor a timeout: undetermined.
			a.accepted, a.evidence = nil, "undetermined: "+describe("after the handshake", err)
		}
	} else {
		a.evidence = "SIP response received"
	}
	return a
}

// speaksTLS reports whether a first handshake that ended with st shows a
// server that answers ClientHellos at all, so that enumeration can learn
// more: it completed, alerted, closed after reading the hello, or answered
// with something crypto/tls refuses (an SSL 3.0 ServerHello).
func speaksTLS(st Status) bool {
	switch st {
	case StatusOK, StatusAlert, StatusClosed, StatusError:
		return true
	}
	return false
}

func (p *prober) run(ctx context.Context, res *Result) {
	steps := &res.Steps
	if p.cfg.ClientCert != nil {
		steps.ClientCert = &Step{}
	}
	if p.cfg.Enumerate {
		steps.Enumeration = &Step{}
	}
	defer func() {
		for _, s := range []*Step{&steps.Handshake, steps.ClientCert, steps.Enumeration} {
			if s != nil && s.Status == StatusInterrupted {
				res.Interrupted = true
			}
		}

	}()

	// Two connections, one after the other: without a client certificate
	// (facts, CertificateRequest, MTLS-NOT-REQUIRED) and with it. They are
	// not run concurrently: Kamailio 5.6 with OpenSSL 3 intermittently fails
	// a handshake that overlaps a rejected one (seen in the interop test),
	// and a probe must not provoke what it reports.
	var noCert, withCert *attempt
	defer func() {
		// A TLS 1.3 verdict cut off while waiting after the handshake.
		for _, a := range []*attempt{noCert, withCert} {
			if a != nil && a.verdict.Status == StatusInterrupted {
				res.Interrupted = true
			}
		}
	}()
	noCert = p.handshake(ctx, false)
	steps.Handshake = noCert.step
	res.Status = noCert.step.Status
	if noCert.err != nil {
		res.Error = p.addr + ": " + noCert.step.Error
	}
	if p.cfg.ClientCert != nil {
		switch {
		case noCert.completed() || noCert.step.Status == StatusAlert:
			withCert = p.handshake(ctx, true)
			*steps.ClientCert = withCert.step
		case noCert.step.Status == StatusInterrupted:
			*steps.ClientCert = Step{Status: StatusInterrupted, Error: "not run: interrupted before it"}
		default:
			*steps.ClientCert = Step{Status: StatusNotRun, Error: "not run: the handshake without a client certificate failed (" + string(noCert.step.Status) + ")"}
		}
	}

	// Handshake facts and chain from whichever attempt completed.
	best := noCert
	if withCert.completed() {
		best = withCert
	}
	if best.completed() {
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
	if len(certs) > 0 {
		observeChain(certs, p.serverName, p.cfg.RootCAs, res)
		res.ChainFrom = "handshake"
	}
	if noCert.flightSeen() || withCert.flightSeen() {
		res.MTLS = p.mtls(noCert, withCert)
	}

	if p.cfg.Enumerate {
		// Enumeration runs whenever the port answers ClientHellos at all:
		// a server crypto/tls cannot talk to (SSL 3.0 only, RC4 only) is
		// exactly what it is for.
		switch {
		case ctx.Err() != nil:
			*steps.Enumeration = Step{Status: StatusInterrupted, Error: "not run: interrupted before it"}
		case !speaksTLS(noCert.step.Status):
			*steps.Enumeration = Step{Status: StatusNotRun, Error: "not run: the port does not answer a ClientHello (" + string(noCert.step.Status) + ")"}
		default:
			start := time.Now()
			var internal string
			res.Versions, internal = p.enumerate(ctx)
			res.EnumerationMS = float64(time.Since(start).Microseconds()) / 1000
			*steps.Enumeration = Step{Status: StatusOK}
			switch {
			case internal != "":
				res.InternalError = internal
				*steps.Enumeration = Step{Status: StatusError, Error: internal}
			case ctx.Err() != nil && slices.ContainsFunc(res.Versions, func(v Version) bool { return v.Incomplete }):
				*steps.Enumeration = Step{Status: StatusInterrupted, Error: "interrupted before every version was enumerated"}
			}
			if len(res.Chain) == 0 || res.MTLS == nil {
				// crypto/tls could not get as far as the certificate (only
				// suites or versions it does not implement): read the
				// plaintext TLS <= 1.2 flight with the raw parser instead.
				p.rawChain(ctx, res)
			}
		}
	}
}

func (p *prober) mtls(noCert, withCert *attempt) *MTLS {
	m := &MTLS{CertificateRequested: noCert.requested || (withCert != nil && withCert.requested)}
	names := noCert.caNames
	if len(names) == 0 && withCert != nil {
		names = withCert.caNames
	}
	for _, dn := range names {
		m.CANames = append(m.CANames, dnString(dn))
	}
	if noCert.flightSeen() {
		m.AcceptedWithoutClientCert, m.WithoutClientCertAlert = noCert.accepted, noCert.alert
	}
	if noCert.evidence != "" {
		m.Evidence = append(m.Evidence, "without client certificate: "+noCert.evidence)
	}
	if withCert == nil {
		return m
	}
	m.ClientCertSubject = certSubject(p.cfg.ClientCert)
	if withCert.completed() && !withCert.requested {
		m.Evidence = append(m.Evidence, "with client certificate: not requested, so not sent")
		return m
	}
	m.ClientCertAccepted, m.ClientCertAlert = withCert.accepted, withCert.alert
	if withCert.evidence != "" {
		m.Evidence = append(m.Evidence, "with client certificate: "+withCert.evidence)
	}
	return m
}
