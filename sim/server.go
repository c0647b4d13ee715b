package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/voipsec/voipsec/internal/testpki"
)

// Server is a running simulator. Its exported fields are set by [Start]
// and read-only afterwards.
type Server struct {
	// Listening addresses (host:port); empty when the transport is off.
	UDPAddr, TCPAddr, TLSAddr string
	// Worker addresses in CallRouter mode.
	WorkerUDPAddr, WorkerTCPAddr, WorkerTLSAddr string
	// PKI is the generated or given PKI; Certificate the served certificate.
	PKI         *testpki.PKI
	Certificate tls.Certificate

	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	eps    []*endpoint

	mu      sync.Mutex
	active  map[string]*call // by Call-ID
	history []*call
	closed  bool
	closeMu sync.Once
}

type endpoint struct {
	s             *Server
	ua            *sipgo.UserAgent
	srv           *sipgo.Server
	client        *sipgo.Client
	redirect      bool
	closers       []io.Closer
	udp, tcp, tls string
}

const maxHistory = 4096

// Start starts a simulator; it runs until Close or ctx is done. It refuses
// a configuration [Config.Validate] rejects: a simulator never serves
// something other than what it was asked for.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ip, err := netip.ParseAddr(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("sim: listen address %q: %w", cfg.Listen, err)
	}
	if cfg.SIPPort < 0 || cfg.SIPPort > 65535 || cfg.TLSPort < 0 || cfg.TLSPort > 65535 ||
		cfg.WorkerPort < 0 || cfg.WorkerPort > 65535 || cfg.WorkerTLSPort < 0 || cfg.WorkerTLSPort > 65535 {
		return nil, errors.New("sim: port out of range")
	}
	s := &Server{cfg: cfg, active: map[string]*call{}}
	if err := s.setupTLS(); err != nil {
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	host := ip.String()
	main, err := s.newEndpoint(host, cfg.SIPPort, cfg.TLSPort, cfg.CallRouter)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.UDPAddr, s.TCPAddr, s.TLSAddr = main.udp, main.tcp, main.tls
	if cfg.CallRouter {
		w, err := s.newEndpoint(host, cfg.WorkerPort, cfg.WorkerTLSPort, false)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.WorkerUDPAddr, s.WorkerTCPAddr, s.WorkerTLSAddr = w.udp, w.tcp, w.tls
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-s.ctx.Done()
		s.shutdown()
	}()
	return s, nil
}

func (s *Server) setupTLS() error {
	c := &s.cfg
	if !c.transport(TLS) {
		return nil
	}
	p := c.PKI
	if p == nil {
		var err error
		if p, err = testpki.New(); err != nil {
			return fmt.Errorf("sim: generate PKI: %w", err)
		}
	}
	s.PKI = p
	cert := p.Server
	if c.Certificate != nil {
		cert = *c.Certificate
	}
	var err error
	switch {
	case c.has(FaultExpiredCert):
		cert, err = p.Expired()
	case c.has(FaultWrongNameCert):
		cert, err = p.WrongName()
	case c.has(FaultNoClientAuthEKU):
		cert, err = p.NoClientAuth()
	}
	if err != nil {
		return fmt.Errorf("sim: fault certificate: %w", err)
	}
	s.Certificate = cert
	return nil
}

func (s *Server) tlsConfig() *tls.Config {
	c := &s.cfg
	conf := &tls.Config{
		Certificates: []tls.Certificate{s.Certificate},
		MinVersion:   c.MinTLS,
		MaxVersion:   c.MaxTLS,
		CipherSuites: c.Ciphers,
		ClientCAs:    c.ClientCAs,
	}
	if conf.ClientCAs == nil && s.PKI != nil {
		conf.ClientCAs = s.PKI.CAPool
	}
	switch c.MTLS {
	case MTLSRequest:
		conf.ClientAuth = tls.VerifyClientCertIfGiven
	case MTLSRequire:
		conf.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if c.has(FaultAnyClientCert) {
		conf.ClientAuth = tls.RequireAnyClientCert
	}
	return conf
}

// newEndpoint starts one sipgo user agent with its listeners.
func (s *Server) newEndpoint(host string, sipPort, tlsPort int, redirect bool) (*endpoint, error) {
	c := &s.cfg
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(c.ServerName), sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(c.Logger)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(c.Logger)))
	if err != nil {
		return nil, fmt.Errorf("sim: new user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(c.Logger))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sim: new server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(host), sipgo.WithClientLogger(c.Logger))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sim: new client: %w", err)
	}
	ep := &endpoint{s: s, ua: ua, srv: srv, client: client, redirect: redirect}
	s.eps = append(s.eps, ep)
	srv.OnOptions(ep.onOptions)
	srv.OnInvite(ep.onInvite)
	srv.OnAck(ep.onAck)
	srv.OnBye(ep.onBye)

	useUDP, useTCP := c.transport(UDP), c.transport(TCP)
	if useUDP || useTCP {
		if err := ep.listenPlain(host, sipPort, useUDP, useTCP); err != nil {
			return nil, err
		}
	}
	if c.transport(TLS) {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(tlsPort)))
		if err != nil {
			return nil, fmt.Errorf("sim: listen TLS: %w", err)
		}
		tl := tls.NewListener(ln, s.tlsConfig())
		ep.closers = append(ep.closers, tl)
		ep.tls = ln.Addr().String()
		s.serve(func() error { return srv.ServeTLS(tl) })
	}
	return ep, nil
}

// listenPlain binds UDP and TCP on the same port (an ephemeral port is
// retried a few times until both are free).
func (ep *endpoint) listenPlain(host string, port int, useUDP, useTCP bool) error {
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		var pc net.PacketConn
		p := port
		if useUDP {
			var err error
			pc, err = net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				return fmt.Errorf("sim: listen UDP: %w", err)
			}
			p = pc.LocalAddr().(*net.UDPAddr).Port
		}
		var ln net.Listener
		if useTCP {
			var err error
			ln, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
			if err != nil {
				if pc != nil {
					pc.Close()
				}
				lastErr = err
				if port != 0 {
					break
				}
				continue
			}
		}
		if pc != nil {
			ep.closers = append(ep.closers, pc)
			ep.udp = pc.LocalAddr().String()
			ep.s.serve(func() error { return ep.srv.ServeUDP(pc) })
		}
		if ln != nil {
			ep.closers = append(ep.closers, ln)
			ep.tcp = ln.Addr().String()
			ep.s.serve(func() error { return ep.srv.ServeTCP(ln) })
		}
		return nil
	}
	return fmt.Errorf("sim: listen TCP: %w", lastErr)
}

func (s *Server) serve(f func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = f()
	}()
}

// Close stops the listeners, ends every call and waits for all goroutines.
func (s *Server) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.shutdown()
	s.wg.Wait()
	return nil
}

func (s *Server) shutdown() {
	s.closeMu.Do(func() {
		s.mu.Lock()
		s.closed = true
		calls := make([]*call, 0, len(s.active))
		for _, c := range s.active {
			calls = append(calls, c)
		}
		s.mu.Unlock()
		for _, c := range calls {
			c.end("shutdown")
		}
		for _, ep := range s.eps {
			for _, cl := range ep.closers {
				_ = cl.Close()
			}
			_ = ep.ua.Close()
		}
	})
}

// Addr returns the listening address for a transport name (udp, tcp, tls).
func (s *Server) Addr(transport string) string {
	switch strings.ToLower(transport) {
	case UDP:
		return s.UDPAddr
	case TCP:
		return s.TCPAddr
	case TLS:
		return s.TLSAddr
	}
	return ""
}

// Config returns the effective configuration (defaults applied).
func (s *Server) Config() Config { return s.cfg }

// Calls returns a snapshot of every call so far (the most recent
// 4096), oldest first, with live media counters.
func (s *Server) Calls() []CallStats {
	s.mu.Lock()
	calls := append([]*call(nil), s.history...)
	s.mu.Unlock()
	out := make([]CallStats, len(calls))
	for i, c := range calls {
		out[i] = c.stats()
	}
	return out
}

// Call returns the stats of the call with this Call-ID.
func (s *Server) Call(callID string) (CallStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.history) - 1; i >= 0; i-- {
		if s.history[i].id == callID {
			return s.history[i].stats(), true
		}
	}
	return CallStats{}, false
}

// Active is the number of calls in progress.
func (s *Server) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.active)
}

// WaitIdle waits until no call is in progress or ctx is done.
func (s *Server) WaitIdle(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for s.Active() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (s *Server) record(c *call) {
	if len(s.history) >= maxHistory {
		s.history = append(s.history[:0], s.history[len(s.history)-maxHistory/2:]...)
	}
	s.history = append(s.history, c)
}

// sleep waits d or until the server stops; false when stopped.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}
