package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
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
SRTP or RTP media until BYE. It prints its addresses, certificate fingerprints
and where generated certificates are, then runs until SIGINT/SIGTERM or
--duration.

Faults (--fault, repeatable) make it misbehave on purpose:
` + faultNames() + `.

Examples:
  voipsec simulate --gen-certs ./pki
  voipsec simulate --role mediation-internal --encryption required --sip-port 0 --tls-port 0
  voipsec simulate --voip-security Secured --call-router --fault wrong-srtp-key

Exit status:
  0  ran and stopped
  2  usage or operational error (bad flag, port in use, unreadable certificate)
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
// --voip-security preset, then explicit flags.
func (o *simulateOptions) Validate(args []string) error {
	if len(args) > 0 {
		return usagef("simulate takes no arguments, got %q", args[0])
	}
	changed := func(n string) bool { return o.fs != nil && o.fs.Changed(n) }
	c := sim.Config{Listen: o.Listen, NoDTLS: o.NoDTLS, CallRouter: o.CallRouter,
		WorkerPort: o.WorkerPort, WorkerTLSPort: o.WorkerTLSPort, SlowAnswer: o.SlowAnswer,
		MaxCalls: o.MaxCalls, MaxCallDuration: o.MaxCallDur, AckTimeout: o.AckTimeout}
	role, err := sim.ParseRole(o.Role)
	if err != nil {
		return usagef("--role: %v", err)
	}
	if changed("transports") {
		c.Transports = o.Transports
	}
	c.ApplyRole(role, true)
	if o.VoipSecurity != "" {
		v, err := matrix.ParseVoipSecurity(o.VoipSecurity)
		if err != nil {
			return usagef("--voip-security: %v", err)
		}
		c.Preset(v)
	}
	if changed("encryption") || o.VoipSecurity == "" {
		lvl, err := matrix.ParseEncryptionLevel(o.Encryption)
		if err != nil {
			return usagef("--encryption: %v", err)
		}
		c.Encryption = lvl
	}
	if changed("mtls") || (o.VoipSecurity == "" && role != sim.RoleMediationInternal) {
		m, err := sim.ParseMTLS(o.MTLS)
		if err != nil {
			return usagef("--mtls: %v", err)
		}
		c.MTLS = m
	}
	if changed("transports") {
		c.Transports = o.Transports
	}
	for _, t := range c.Transports {
		if t != sim.UDP && t != sim.TCP && t != sim.TLS {
			return usagef("--transports: unknown transport %q (accepted: udp, tcp, tls)", t)
		}
	}
	if changed("sip-port") {
		c.SIPPort = o.SIPPort
	}
	if changed("tls-port") {
		c.TLSPort = o.TLSPort
	}
	for name, p := range map[string]int{"--sip-port": c.SIPPort, "--tls-port": c.TLSPort, "--worker-port": o.WorkerPort, "--worker-tls-port": o.WorkerTLSPort} {
		if p < 0 || p > 65535 {
			return usagef("%s: %d is not a port (0–65535)", name, p)
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
			return usagef("--fault: %v", err)
		}
		c.Faults = append(c.Faults, f)
	}
	if (o.Cert == "") != (o.Key == "") {
		return usagef("--cert and --key go together")
	}
	if o.Duration < 0 || o.MaxCalls < 0 {
		return usagef("--duration and --max-calls must not be negative")
	}
	o.cfg = c
	return nil
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
		if o.Cert != "" {
			cert, err := tls.LoadX509KeyPair(o.Cert, o.Key)
			if err != nil {
				return exitError, fmt.Errorf("load --cert/--key (%s, %s): %w", o.Cert, o.Key, err)
			}
			c.Certificate = &cert
		}
		if o.ClientCA != "" {
			b, err := os.ReadFile(o.ClientCA)
			if err != nil {
				return exitError, fmt.Errorf("read --client-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(b) {
				return exitError, fmt.Errorf("--client-ca %s: no PEM certificate", o.ClientCA)
			}
			c.ClientCAs = pool
		}
	}
	s, err := sim.Start(ctx, c)
	if err != nil {
		return exitError, err
	}
	defer s.Close()
	o.printStart(e.Stdout, s)
	if o.GenCerts != "" && s.PKI != nil {
		files, err := s.PKI.WriteFiles(o.GenCerts)
		if err != nil {
			return exitError, err
		}
		fmt.Fprintf(e.Stdout, "certificates written to %s:\n  CA          %s\n  server      %s (key %s)\n  client      %s (key %s)\n",
			files.Dir, files.CA, files.ServerCert, files.ServerKey, files.ClientCert, files.ClientKey)
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
	for _, l := range []struct{ name, addr string }{
		{"udp", s.UDPAddr}, {"tcp", s.TCPAddr}, {"tls", s.TLSAddr},
		{"worker udp", s.WorkerUDPAddr}, {"worker tcp", s.WorkerTCPAddr}, {"worker tls", s.WorkerTLSAddr},
	} {
		if l.addr != "" {
			fmt.Fprintf(w, "  listening %-10s %s\n", l.name, l.addr)
		}
	}
	if s.TLSAddr != "" && len(s.Certificate.Certificate) > 0 {
		fmt.Fprintf(w, "  server certificate sha-256 %s\n", testpki.Fingerprint(s.Certificate.Certificate[0]))
		if s.PKI != nil {
			fmt.Fprintf(w, "  CA certificate     sha-256 %s\n", testpki.Fingerprint(s.PKI.CA.Raw))
		}
	}
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
	fmt.Fprintf(w, "stopped: %d calls (%s); media sent %d, received %d, authenticated %d, failed %d\n",
		len(calls), strings.Join(parts, ", "), sent, recv, auth, failed)
}
