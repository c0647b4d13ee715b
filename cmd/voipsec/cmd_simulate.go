package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

func init() {
	register(&command{
		Name:   "simulate",
		Short:  "run a Mediation Server / Exchange UM simulator (SIP, TLS/MTLS, SRTP media)",
		Usage:  "voipsec simulate [flags]",
		NoExit: true,
		Long: `Runs a built-in simulator of an OCS 2007 R2 / Lync Mediation Server edge or an
Exchange UM server: SIP on UDP and TCP (--sip-port) and TLS (--tls-port), with
mutual TLS, answering INVITE by media encryption level the way those servers do
(required: SRTP only, 488 otherwise; optional; rejected), then exchanging G.711
SRTP or RTP media until BYE. It prints its listeners as targets for 'voipsec
probe' (tls://127.0.0.1:5061), certificate fingerprints and where generated
certificates are, then runs until SIGINT/SIGTERM or --duration.

--role sets default ports and transports, which explicit flags override.
--voip-security sets transports, MTLS and encryption as the UM dial plan level
means them; a flag that contradicts it (--voip-security Secured --encryption
rejected, or --sip-port when Secured serves TLS only) is refused, as are flags
that contradict each other (--tls-min 1.3 --tls-max 1.2) or would change
nothing (--mtls require --transports udp).

Faults (--fault, repeatable) make it misbehave on purpose:
` + faultNames() + `.

Examples:
  voipsec simulate --gen-certs ./pki
  voipsec simulate --role mediation-internal --encryption required --tls-port 0
  voipsec simulate --voip-security Secured --call-router --fault wrong-srtp-key

Exit status:
  0  ran and stopped
  2  usage or operational error (bad or contradicting flags, port in use,
     unreadable certificate)
`,
		Flags:    func(f *pflag.FlagSet) any { o := &simulateOptions{fs: f}; o.AddFlags(f); return o },
		Validate: func(o any, args []string) error { return o.(*simulateOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, o any, _ []string) (int, error) {
			return o.(*simulateOptions).Run(ctx, e)
		},
	})
}

// faultNames lists the faults, wrapped for the help text.
func faultNames() string {
	var b strings.Builder
	line := 0
	for i, f := range sim.Faults {
		w := string(f)
		if i < len(sim.Faults)-1 {
			w += ","
		}
		if line > 0 && line+1+len(w) > 78 {
			b.WriteString("\n")
			line = 0
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

type simulateOptions struct {
	fs *pflag.FlagSet

	Listen        string
	SIPPort       int
	TLSPort       int
	Transports    []string
	Role          string
	VoipSecurity  string
	Encryption    string
	MTLS          string
	NoDTLS        bool
	Cert, Key     string
	ClientCA      string
	GenCerts      string
	TLSMin        string
	TLSMax        string
	Ciphers       []string
	CallRouter    bool
	WorkerPort    int
	WorkerTLSPort int
	Faults        []string
	SlowAnswer    time.Duration
	MaxCalls      int
	MaxCallDur    time.Duration
	AckTimeout    time.Duration
	Duration      time.Duration

	cfg sim.Config
}

func (o *simulateOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Listen, "listen", "127.0.0.1", "IP `address` to listen on (IPv6 too, e.g. ::1)")
	f.IntVar(&o.SIPPort, "sip-port", 5060, "UDP and TCP `port` (0 = ephemeral; default set by --role)")
	f.IntVar(&o.TLSPort, "tls-port", 5061, "TLS `port` (0 = ephemeral; default set by --role)")
	f.StringSliceVar(&o.Transports, "transports", []string{"udp", "tcp", "tls"}, "`list` of transports to serve: udp, tcp, tls")
	f.StringVar(&o.Role, "role", "um", "server `role`: um, mediation-internal, mediation-gateway (sets ports and transports)")
	f.StringVar(&o.VoipSecurity, "voip-security", "", "UM dial plan `level` preset: Unsecured, SIPSecured, Secured (sets transports, MTLS, SRTP)")
	f.StringVar(&o.Encryption, "encryption", "optional", "media encryption `level`: required, optional, rejected")
	f.StringVar(&o.MTLS, "mtls", "none", "client certificate `policy` on TLS: none, request, require")
	f.BoolVar(&o.NoDTLS, "no-dtls", false, "refuse DTLS-SRTP offers (SDES only, like OCS/Lync)")
	f.StringVar(&o.Cert, "cert", "", "server certificate PEM `file` (default: a generated one)")
	f.StringVar(&o.Key, "key", "", "server private key PEM `file`")
	f.StringVar(&o.ClientCA, "client-ca", "", "PEM `file` of CAs trusted for client certificates (default: the generated CA)")
	f.StringVar(&o.GenCerts, "gen-certs", "", "write the generated CA, server and client certificates to `dir`")
	f.StringVar(&o.TLSMin, "tls-min", "", "minimum TLS `version`: 1.0, 1.1, 1.2, 1.3")
	f.StringVar(&o.TLSMax, "tls-max", "", "maximum TLS `version`: 1.0, 1.1, 1.2, 1.3")
	f.StringSliceVar(&o.Ciphers, "ciphers", nil, "TLS 1.0–1.2 cipher suite `names` (Go names, e.g. TLS_RSA_WITH_AES_128_CBC_SHA)")
	f.BoolVar(&o.CallRouter, "call-router", false, "Exchange UM call router: answer INVITE with 302 to a worker port")
	f.IntVar(&o.WorkerPort, "worker-port", 0, "worker UDP/TCP `port` for --call-router (0 = ephemeral; Exchange uses 5065)")
	f.IntVar(&o.WorkerTLSPort, "worker-tls-port", 0, "worker TLS `port` for --call-router (0 = ephemeral; Exchange uses 5066)")
	f.StringSliceVar(&o.Faults, "fault", nil, "inject a fault `name` (repeatable)")
	f.DurationVar(&o.SlowAnswer, "slow-answer", 2*time.Second, "`delay` of the slow-answer fault")
	f.IntVar(&o.MaxCalls, "max-calls", 32, "maximum concurrent `calls` (486 beyond)")
	f.DurationVar(&o.MaxCallDur, "max-call-duration", 60*time.Second, "longest `duration` of a call")
	f.DurationVar(&o.AckTimeout, "ack-timeout", 10*time.Second, "tear a call down when no ACK arrives within `duration`")
	f.DurationVar(&o.Duration, "duration", 0, "stop after `duration` (0 = run until SIGINT/SIGTERM)")
}

func parseTLSVersion(flag, s string) (uint16, error) {
	switch s {
	case "":
		return 0, nil
	case "1.0":
		return tls.VersionTLS10, nil
	case "1.1":
		return tls.VersionTLS11, nil
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, usagef("%s: unknown TLS version %q (accepted: 1.0, 1.1, 1.2, 1.3)", flag, s)
}

// Validate turns the flags into a sim.Config: role first, then the
// --voip-security preset, then explicit flags. It refuses flags that
// contradict each other or the preset, naming both, and flags that would
// have no effect on the server asked for: the simulator never runs as
// something other than what the command line says.
func (o *simulateOptions) Validate(args []string) error {
	if len(args) > 0 {
		return usagef("simulate takes no arguments, got %q", args[0])
	}
	changed := func(n string) bool { return o.fs != nil && o.fs.Changed(n) }
	given := func(n string) string { return "--" + n + " " + o.flagValue(n) }
	if net.ParseIP(o.Listen) == nil {
		return usagef("--listen: %q is not an IP address", o.Listen)
	}
	role, err := sim.ParseRole(o.Role)
	if err != nil {
		return usagef("--role: %s", strings.TrimPrefix(err.Error(), "sim: "))
	}
	enc, err := matrix.ParseEncryptionLevel(o.Encryption)
	if err != nil {
		return usagef("--encryption: %s", strings.TrimPrefix(err.Error(), "matrix: "))
	}
	mtls, err := sim.ParseMTLS(o.MTLS)
	if err != nil {
		return usagef("--mtls: %s", strings.TrimPrefix(err.Error(), "sim: "))
	}
	for _, t := range o.Transports {
		if t != sim.UDP && t != sim.TCP && t != sim.TLS {
			return usagef("--transports: unknown transport %q (accepted: udp, tcp, tls)", t)
		}
	}
	if changed("transports") && len(o.Transports) == 0 {
		return usagef("--transports: give at least one of udp, tcp, tls")
	}
	c := sim.Config{Listen: o.Listen, NoDTLS: o.NoDTLS, CallRouter: o.CallRouter,
		WorkerPort: o.WorkerPort, WorkerTLSPort: o.WorkerTLSPort, SlowAnswer: o.SlowAnswer,
		MaxCalls: o.MaxCalls, MaxCallDuration: o.MaxCallDur, AckTimeout: o.AckTimeout}
	if changed("transports") {
		c.Transports = o.Transports
	}
	c.ApplyRole(role, true)
	// What decided the transports, for messages.
	transportsBy := given("role")
	if o.VoipSecurity != "" {
		v, err := matrix.ParseVoipSecurity(o.VoipSecurity)
		if err != nil {
			return usagef("--voip-security: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		var p sim.Config
		p.Preset(v)
		why := fmt.Sprintf("%s means %s, MTLS %s, encryption %s", v, strings.Join(p.Transports, "+"), p.MTLS, p.Encryption)
		switch {
		case changed("transports") && !sameTransports(o.Transports, p.Transports):
			return conflict(given("voip-security"), given("transports"), why)
		case changed("mtls") && mtls != p.MTLS:
			return conflict(given("voip-security"), given("mtls"), why)
		case changed("encryption") && enc != p.Encryption:
			return conflict(given("voip-security"), given("encryption"), why)
		case changed("role") && role == sim.RoleMediationInternal && v == matrix.Unsecured:
			return conflict(given("voip-security"), given("role"), "the Mediation Server's internal edge is always mutual TLS")
		}
		c.Preset(v)
		transportsBy = given("voip-security")
	}
	if changed("transports") {
		c.Transports = o.Transports
		transportsBy = given("transports")
		if changed("role") && role == sim.RoleMediationInternal && (!slices.Contains(o.Transports, sim.TLS) || len(o.Transports) > 1) {
			return conflict(given("role"), given("transports"), "the internal edge serves mutual TLS only")
		}
	}
	if o.VoipSecurity == "" {
		c.Encryption = enc
		if changed("mtls") || role != sim.RoleMediationInternal {
			c.MTLS = mtls
		}
	}
	if changed("mtls") && role == sim.RoleMediationInternal && changed("role") && mtls != sim.MTLSRequire {
		return conflict(given("role"), given("mtls"), "the internal edge always requires a client certificate")
	}
	if changed("sip-port") {
		c.SIPPort = o.SIPPort
	}
	if changed("tls-port") {
		c.TLSPort = o.TLSPort
	}
	for _, name := range []string{"sip-port", "tls-port", "worker-port", "worker-tls-port"} {
		if p, _ := o.fs.GetInt(name); changed(name) && (p < 0 || p > 65535) {
			return usagef("--%s: %d is not a port (0–65535)", name, p)
		}
	}
	if c.MinTLS, err = parseTLSVersion("--tls-min", o.TLSMin); err != nil {
		return err
	}
	if c.MaxTLS, err = parseTLSVersion("--tls-max", o.TLSMax); err != nil {
		return err
	}
	for _, n := range o.Ciphers {
		id, ok := cipherByName(n)
		if !ok {
			return withHint(fmt.Errorf("--ciphers: unknown cipher suite %q", n), "use Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
		}
		c.Ciphers = append(c.Ciphers, id)
	}
	for _, n := range o.Faults {
		f, err := sim.ParseFault(n)
		if err != nil {
			return usagef("--fault: %s", strings.TrimPrefix(err.Error(), "sim: "))
		}
		c.Faults = append(c.Faults, f)
	}
	if (o.Cert == "") != (o.Key == "") {
		return usagef("--cert and --key go together")
	}
	if o.Duration < 0 {
		return usagef("--duration: %s is negative", o.Duration)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"max-call-duration", o.MaxCallDur}, {"ack-timeout", o.AckTimeout}, {"slow-answer", o.SlowAnswer}} {
		if d.v <= 0 {
			return usagef("--%s: %s is not a positive duration", d.name, d.v)
		}
	}
	if o.MaxCalls < 1 {
		return usagef("--max-calls: %d; at least 1 call must be allowed", o.MaxCalls)
	}
	if err := o.conflicts(&c, changed, given, transportsBy); err != nil {
		return err
	}
	// The files the flags name are read, and the folder --gen-certs writes
	// into is proved writable, before any listener starts.
	if o.Cert != "" {
		pair, err := loadKeyPair(o.Cert, o.Key)
		if err != nil {
			return err
		}
		c.Certificate = &pair
	}
	if o.ClientCA != "" {
		pool, err := loadCA("--client-ca", o.ClientCA, false)
		if err != nil {
			return err
		}
		c.ClientCAs = pool
	}
	if o.GenCerts != "" {
		if err := checkOutputDir("--gen-certs", o.GenCerts, genCertFiles); err != nil {
			return err
		}
	}
	if slices.Contains(c.Faults, sim.FaultAnyClientCert) && !changed("mtls") && o.VoipSecurity == "" {
		c.MTLS = sim.MTLSRequire // the fault requires a certificate (any): say so in the banner
	}
	if err := c.Validate(); err != nil {
		// The flag checks above name the flags; this is the last guard.
		return usagef("%s", strings.TrimPrefix(err.Error(), "sim: "))
	}
	o.cfg = c
	return nil
}

// conflicts refuses explicit flags that contradict each other or would
// have no effect on the configured server.
func (o *simulateOptions) conflicts(c *sim.Config, changed func(string) bool, given func(string) string, transportsBy string) error {
	has := func(t string) bool { return len(c.Transports) == 0 || slices.Contains(c.Transports, t) }
	if !has(sim.TLS) {
		why := transportsBy + " serves no TLS"
		for _, n := range []string{"tls-port", "mtls", "tls-min", "tls-max", "ciphers", "cert", "key", "client-ca", "gen-certs", "worker-tls-port"} {
			if changed(n) && !(n == "mtls" && c.MTLS == sim.MTLSNone) {
				return conflict(transportsBy, given(n), why)
			}
		}
		for _, f := range c.Faults {
			if slices.Contains(tlsFaultNames, f) {
				return conflict(transportsBy, "--fault "+string(f), why)
			}
		}
	}
	if !has(sim.UDP) && !has(sim.TCP) {
		for _, n := range []string{"sip-port", "worker-port"} {
			if changed(n) {
				return conflict(transportsBy, given(n), transportsBy+" serves TLS only; there is no UDP or TCP listener")
			}
		}
	}
	if changed("sip-port") && changed("tls-port") && has(sim.TCP) && has(sim.TLS) && c.SIPPort != 0 && c.SIPPort == c.TLSPort {
		return conflict(given("sip-port"), given("tls-port"), "TCP and TLS cannot share a port")
	}
	if c.MinTLS != 0 && c.MaxTLS != 0 && c.MinTLS > c.MaxTLS {
		return conflict(given("tls-min"), given("tls-max"), "the minimum is above the maximum")
	}
	if len(c.Ciphers) > 0 && c.MinTLS == tls.VersionTLS13 {
		return conflict(given("ciphers"), given("tls-min"), "--ciphers sets TLS 1.0–1.2 suites; TLS 1.3's are fixed")
	}
	if !c.CallRouter {
		for _, n := range []string{"worker-port", "worker-tls-port"} {
			if changed(n) {
				return withHint(fmt.Errorf("--%s needs --call-router: without it there is no worker", n), "add --call-router, or drop --"+n)
			}
		}
	}
	if changed("slow-answer") && !slices.Contains(c.Faults, sim.FaultSlowAnswer) {
		return withHint(fmt.Errorf("%s sets the delay of --fault slow-answer, which is not given", given("slow-answer")), "add --fault slow-answer, or drop --slow-answer")
	}
	if changed("client-ca") && c.MTLS == sim.MTLSNone && !slices.Contains(c.Faults, sim.FaultAnyClientCert) {
		return conflict(given("client-ca"), "--mtls none", "the server asks for no client certificate, so it trusts no client CA")
	}
	if changed("gen-certs") {
		for _, n := range []string{"cert", "client-ca"} {
			if changed(n) {
				return conflict(given("gen-certs"), given(n), "--gen-certs writes the generated certificates, which the server would not use")
			}
		}
	}
	if changed("mtls") && c.MTLS != sim.MTLSRequire && slices.Contains(c.Faults, sim.FaultAnyClientCert) {
		return conflict(given("mtls"), "--fault tls-any-client-cert", "the fault requires a client certificate (any)")
	}
	return nil
}

// tlsFaultNames are the faults that change the TLS listener.
var tlsFaultNames = []sim.Fault{sim.FaultAnyClientCert, sim.FaultExpiredCert, sim.FaultWrongNameCert, sim.FaultNoClientAuthEKU}

// conflict is the usage error for two inputs that contradict each other.
func conflict(a, b, why string) error {
	return withHint(fmt.Errorf("%s contradicts %s: %s", a, b, why), "give one of them, or values that agree")
}

// flagValue is a flag's value as the user would type it.
func (o *simulateOptions) flagValue(name string) string {
	if o.fs == nil {
		return ""
	}
	f := o.fs.Lookup(name)
	if f == nil {
		return ""
	}
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return strings.Join(sv.GetSlice(), ",")
	}
	return f.Value.String()
}

func sameTransports(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func cipherByName(n string) (uint16, bool) {
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if strings.EqualFold(cs.Name, n) {
			return cs.ID, true
		}
	}
	return 0, false
}

func (o *simulateOptions) Run(ctx context.Context, e *env) (int, error) {
	c := o.cfg
	if slices.Contains(c.Transports, sim.TLS) || len(c.Transports) == 0 {
		hosts := testpki.DefaultHosts
		if !slices.Contains(hosts, c.Listen) {
			hosts = append(slices.Clone(hosts), c.Listen)
		}
		p, err := testpki.NewWithOptions(testpki.Options{Hosts: hosts, Organization: "voipsec simulator"})
		if err != nil {
			return exitError, fmt.Errorf("generate certificates: %w", err)
		}
		c.PKI = p
	}
	s, err := sim.Start(ctx, c)
	if err != nil {
		return exitError, o.startError(err)
	}
	defer s.Close()
	o.printStart(e.Stdout, s)
	var files *testpki.Files
	if o.GenCerts != "" && s.PKI != nil {
		f, err := s.PKI.WriteFiles(o.GenCerts)
		if err != nil {
			return exitError, writeError("--gen-certs", o.GenCerts, err)
		}
		files = &f
		fmt.Fprintf(e.Stdout, "certificates written to %s:\n  CA          %s\n  server      %s (key %s)\n  probe       %s (key %s)\n",
			f.Dir, f.CA, f.ServerCert, f.ServerKey, f.ClientCert, f.ClientKey)
	}
	if try := probeCommand(s, files); try != "" {
		fmt.Fprintf(e.Stdout, "probe it: %s\n", try)
	}
	fmt.Fprintln(e.Stdout, "ready; stop with Ctrl-C")
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	<-ctx.Done()
	s.Close()
	printCallSummary(e.Stdout, s.Calls())
	return exitOK, nil
}

// genCertFiles are the files --gen-certs writes into its folder.
var genCertFiles = []string{testpki.CAFile, testpki.ServerCertFile, testpki.ServerKeyFile, testpki.ProbeCertFile, testpki.ProbeKeyFile}

// startError says why the simulator did not start, in words: a listener
// that could not bind names the flag that chose its port and what to do.
func (o *simulateOptions) startError(err error) error {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "listen" || oe.Addr == nil {
		return fmt.Errorf("the simulator did not start: %s", strings.TrimPrefix(err.Error(), "sim: "))
	}
	c := o.cfg
	host, portText, _ := net.SplitHostPort(oe.Addr.String())
	port, _ := strconv.Atoi(portText)
	proto, flag := strings.ToUpper(oe.Net), ""
	candidates := []struct {
		flag, proto string
		port        int
	}{{"--sip-port", "UDP", c.SIPPort}, {"--sip-port", "TCP", c.SIPPort}, {"--tls-port", "TCP", c.TLSPort},
		{"--worker-port", "UDP", c.WorkerPort}, {"--worker-port", "TCP", c.WorkerPort}, {"--worker-tls-port", "TCP", c.WorkerTLSPort}}
	for _, k := range candidates {
		if k.proto == proto && k.port == port && port != 0 {
			flag = k.flag
			break
		}
	}
	if strings.HasSuffix(flag, "tls-port") {
		proto = "TLS"
	}
	where := fmt.Sprintf("cannot listen on %s %s", proto, net.JoinHostPort(host, portText))
	if flag != "" {
		where = fmt.Sprintf("%s %d: %s", flag, port, where)
	}
	switch {
	case errors.Is(oe.Err, syscall.EADDRINUSE):
		hint := "stop what holds the port, or give another"
		if flag != "" {
			hint = "stop what holds the port, or give another " + flag + " (0: any free port)"
		}
		return withHint(fmt.Errorf("%s: the port is in use", where), hint)
	case errors.Is(oe.Err, syscall.EACCES):
		return withHint(fmt.Errorf("%s: permission denied", where), "ports below 1024 need privileges: give a port from 1024 up, or 0 for any free port")
	case errors.Is(oe.Err, syscall.EADDRNOTAVAIL):
		return withHint(fmt.Errorf("--listen %s: %s: the address is not one of this machine's", o.Listen, where), "give an address of this machine, such as 127.0.0.1")
	}
	reason := oe.Err.Error()
	var se *os.SyscallError
	if errors.As(oe.Err, &se) {
		reason = se.Err.Error()
	}
	return fmt.Errorf("%s: %s", where, reason)
}

func (o *simulateOptions) printStart(w io.Writer, s *sim.Server) {
	c := s.Config()
	faults := "none"
	if len(c.Faults) > 0 {
		n := make([]string, len(c.Faults))
		for i, f := range c.Faults {
			n[i] = string(f)
		}
		faults = strings.Join(n, ", ")
	}
	fmt.Fprintf(w, "voipsec simulator: role %s, encryption %s, MTLS %s, faults: %s\n", c.Role, c.Encryption, c.MTLS, faults)
	for _, l := range []struct{ name, scheme, addr string }{
		{"listening", "udp", s.UDPAddr}, {"listening", "tcp", s.TCPAddr}, {"listening", "tls", s.TLSAddr},
		{"worker", "udp", s.WorkerUDPAddr}, {"worker", "tcp", s.WorkerTCPAddr}, {"worker", "tls", s.WorkerTLSAddr},
	} {
		if l.addr != "" {
			// Targets as probe and check take them: no transport to guess.
			fmt.Fprintf(w, "  %-9s  %s://%s\n", l.name, l.scheme, l.addr)
		}
	}
	if s.TLSAddr != "" && len(s.Certificate.Certificate) > 0 {
		fmt.Fprintf(w, "  server certificate sha-256 %s\n", testpki.Fingerprint(s.Certificate.Certificate[0]))
		if s.PKI != nil {
			fmt.Fprintf(w, "  CA certificate     sha-256 %s\n", testpki.Fingerprint(s.PKI.CA.Raw))
		}
	}
}

// probeCommand is a 'voipsec probe' command line for the simulator's
// main listener (TLS first), with the written certificates when there
// are some.
func probeCommand(s *sim.Server, files *testpki.Files) string {
	target := ""
	for _, t := range []struct{ scheme, addr string }{{"tls", s.TLSAddr}, {"tcp", s.TCPAddr}, {"udp", s.UDPAddr}} {
		if t.addr != "" {
			target = t.scheme + "://" + t.addr
			break
		}
	}
	if target == "" {
		return ""
	}
	cmd := "voipsec probe " + target
	if files != nil && s.TLSAddr != "" {
		cmd += " --ca " + files.CA + " --cert " + files.ClientCert + " --key " + files.ClientKey
	}
	return cmd
}

func printCallSummary(w io.Writer, calls []sim.CallStats) {
	byStatus := map[int]int{}
	var sent, recv, auth, failed uint64
	for _, c := range calls {
		byStatus[c.Status]++
		sent += c.Media.Sent
		recv += c.Media.Received
		auth += c.Media.Authenticated
		failed += c.Media.Failed
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(byStatus)) {
		parts = append(parts, fmt.Sprintf("%d×%d", byStatus[code], code))
	}
	statuses := ""
	if len(parts) > 0 {
		statuses = " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(w, "stopped: %d calls%s; media sent %d, received %d, authenticated %d, failed %d\n",
		len(calls), statuses, sent, recv, auth, failed)
}
