package sim

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// Role is the server the simulator plays; it sets default ports and transports.
type Role uint8

const (
	// RoleUM is an Exchange UM server: TCP 5060 and TLS 5061 (EX10-PORTS).
	RoleUM Role = iota
	// RoleMediationInternal is the Mediation Server's internal edge: MTLS on 5061 only (OCS-MEDPLAN).
	RoleMediationInternal
	// RoleMediationGateway is the gateway edge: port 5060 for TCP or TLS (OCS-GW).
	RoleMediationGateway
)

var roleNames = [...]string{RoleUM: "um", RoleMediationInternal: "mediation-internal", RoleMediationGateway: "mediation-gateway"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// ParseRole parses um, mediation-internal or mediation-gateway.
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if strings.EqualFold(s, n) {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("sim: unknown role %q (accepted: %s)", s, strings.Join(roleNames[:], ", "))
}

// MTLS is the TLS listener's client-certificate policy.
type MTLS uint8

const (
	MTLSNone    MTLS = iota // no CertificateRequest
	MTLSRequest             // ask; verify when given; allow none
	MTLSRequire             // require a certificate from a trusted CA
)

var mtlsNames = [...]string{MTLSNone: "none", MTLSRequest: "request", MTLSRequire: "require"}

func (m MTLS) String() string {
	if int(m) < len(mtlsNames) {
		return mtlsNames[m]
	}
	return fmt.Sprintf("MTLS(%d)", uint8(m))
}

// ParseMTLS parses none, request or require.
func ParseMTLS(s string) (MTLS, error) {
	for i, n := range mtlsNames {
		if strings.EqualFold(s, n) {
			return MTLS(i), nil
		}
	}
	return 0, fmt.Errorf("sim: unknown MTLS mode %q (accepted: none, request, require)", s)
}

// Fault is a deliberate misbehaviour for negative tests.
type Fault string

const (
	FaultWrongKey        Fault = "wrong-srtp-key"         // send SRTP with a key other than the answered one
	FaultNoMedia         Fault = "no-media"               // send no media
	FaultInvite5xx       Fault = "invite-5xx"             // answer INVITE with 503
	FaultReject488       Fault = "reject-all"             // answer every INVITE with 488
	FaultSlowAnswer      Fault = "slow-answer"            // delay every answer by Config.SlowAnswer
	FaultNoOptions       Fault = "no-options"             // never answer OPTIONS
	FaultAnyClientCert   Fault = "tls-any-client-cert"    // require a client certificate but accept any
	FaultExpiredCert     Fault = "expired-cert"           // expired server certificate
	FaultWrongNameCert   Fault = "wrong-name-cert"        // server certificate for another name
	FaultNoClientAuthEKU Fault = "cert-no-clientauth"     // server certificate without the clientAuth EKU
	FaultWeakSuite       Fault = "weak-suite"             // prefer AES_CM_128_HMAC_SHA1_32 when offered
	FaultDTLSFingerprint Fault = "dtls-wrong-fingerprint" // DTLS certificate differs from the answer's a=fingerprint
	FaultEchoMedia       Fault = "echo-media"             // send back the caller's own packets instead of media
)

// Faults lists every fault.
var Faults = []Fault{FaultWrongKey, FaultNoMedia, FaultInvite5xx, FaultReject488, FaultSlowAnswer,
	FaultNoOptions, FaultAnyClientCert, FaultExpiredCert, FaultWrongNameCert, FaultNoClientAuthEKU,
	FaultWeakSuite, FaultDTLSFingerprint, FaultEchoMedia}

// ParseFault parses a fault name.
func ParseFault(s string) (Fault, error) {
	for _, f := range Faults {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, len(Faults))
	for i, f := range Faults {
		names[i] = string(f)
	}
	return "", fmt.Errorf("sim: unknown fault %q (accepted: %s)", s, strings.Join(names, ", "))
}

// Transport names for Config.Transports.
const (
	UDP = "udp"
	TCP = "tcp"
	TLS = "tls"
)

// Config configures a simulator. The zero value is a server on 127.0.0.1
// with UDP, TCP and TLS on ephemeral ports, no MTLS, a generated PKI, and
// media encryption rejected (matrix.Rejected is the zero level: plain RTP,
// 488 to SRTP-only offers); set Encryption for anything else.
type Config struct {
	// Listen is the IP address to listen on (default 127.0.0.1; ::1 works).
	Listen string
	// SIPPort is the UDP and TCP port, TLSPort the TLS port; 0 = ephemeral.
	SIPPort int
	TLSPort int
	// Transports enabled (udp, tcp, tls); nil means all three.
	Transports []string

	// Encryption is the media policy: required, optional or rejected.
	Encryption matrix.EncryptionLevel
	// NoDTLS refuses DTLS-SRTP offers.
	NoDTLS bool
	// Suites acceptable for SDES in preference order (nil: _80 then _32).
	Suites []srtpcheck.Suite

	// TLS. PKI supplies the certificates (nil: generated). Certificate,
	// if set, overrides the PKI server certificate; ClientCAs the trusted
	// client CAs (default the PKI CA).
	PKI         *testpki.PKI
	Certificate *tls.Certificate
	ClientCAs   *x509.CertPool
	MTLS        MTLS
	MinTLS      uint16 // tls.VersionTLS10 … (0: Go default)
	MaxTLS      uint16
	Ciphers     []uint16 // TLS 1.0–1.2 cipher suites (nil: Go default)

	// CallRouter makes the listeners answer INVITE with 302 to a worker
	// (Exchange UM 2010+, domain.md §3.3), which answers the call on
	// WorkerPort (UDP/TCP) and WorkerTLSPort (0 = ephemeral).
	CallRouter    bool
	WorkerPort    int
	WorkerTLSPort int

	// Faults to inject; SlowAnswer is the delay of FaultSlowAnswer (default 2 s).
	Faults     []Fault
	SlowAnswer time.Duration

	// Bounds.
	MaxCalls        int           // concurrent calls (default 32); more get 486
	MaxCallDuration time.Duration // default 30 s
	AckTimeout      time.Duration // default 10 s

	// ServerName is the Server header (default "voipsec-sim (<role>)").
	ServerName string
	Role       Role
	// Logger for sipgo and the simulator (default: discard).
	Logger *slog.Logger
}

func (c *Config) has(f Fault) bool {
	for _, x := range c.Faults {
		if x == f {
			return true
		}
	}
	return false
}

func (c *Config) transport(name string) bool {
	if len(c.Transports) == 0 {
		return true
	}
	for _, t := range c.Transports {
		if strings.EqualFold(t, name) {
			return true
		}
	}
	return false
}

// Preset sets transports, MTLS and media encryption as an Exchange UM dial
// plan's VoIPSecurity level implies (matrix.VoipSecurity): Unsecured is TCP
// (and UDP) with plain RTP; SIPSecured is mutual TLS with plain RTP;
// Secured is mutual TLS with SRTP required.
func (c *Config) Preset(v matrix.VoipSecurity) {
	switch v {
	case matrix.Unsecured:
		c.Transports = []string{UDP, TCP}
		c.MTLS = MTLSNone
		c.Encryption = matrix.Rejected
	case matrix.SIPSecured:
		c.Transports = []string{TLS}
		c.MTLS = MTLSRequire
		c.Encryption = matrix.Rejected
	case matrix.Secured:
		c.Transports = []string{TLS}
		c.MTLS = MTLSRequire
		c.Encryption = matrix.Required
	}
}

// ApplyRole sets the role and its OCS 2007 R2 / Exchange default ports
// (when ports are still zero and useDefaultPorts is true) and transports.
func (c *Config) ApplyRole(r Role, useDefaultPorts bool) {
	c.Role = r
	switch r {
	case RoleUM:
		if useDefaultPorts {
			c.SIPPort, c.TLSPort = 5060, 5061
		}
	case RoleMediationInternal:
		// The internal edge is always MTLS (OCS-MEDPLAN, OCS-MEDCFG2).
		c.Transports = []string{TLS}
		c.MTLS = MTLSRequire
		if useDefaultPorts {
			c.TLSPort = 5061
		}
	case RoleMediationGateway:
		if useDefaultPorts {
			c.SIPPort, c.TLSPort = 5060, 5060
			if c.transport(TLS) && (c.transport(TCP) || c.transport(UDP)) {
				// One port cannot carry TCP and TLS: TLS moves to 5061.
				c.TLSPort = 5061
			}
		}
	}
}

func (c *Config) defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1"
	}
	if c.MaxCalls <= 0 {
		c.MaxCalls = 32
	}
	if c.MaxCallDuration <= 0 {
		c.MaxCallDuration = 30 * time.Second
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 10 * time.Second
	}
	if c.SlowAnswer <= 0 {
		c.SlowAnswer = 2 * time.Second
	}
	if c.ServerName == "" {
		c.ServerName = "voipsec-sim (" + c.Role.String() + ")"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// tlsFaults are the faults that change the TLS listener.
var tlsFaults = []Fault{FaultAnyClientCert, FaultExpiredCert, FaultWrongNameCert, FaultNoClientAuthEKU}

// Validate reports a configuration the simulator cannot serve as asked:
// an unknown transport, TLS settings (MTLS, versions, suites, a
// certificate, trusted client CAs, TLS faults) without a TLS listener, a
// minimum TLS version above the maximum, TLS 1.0–1.2 cipher suites with
// TLS 1.3 only, or TCP and TLS on the same port. [Start] refuses such a
// configuration rather than start a server that does something else.
func (c *Config) Validate() error {
	for _, t := range c.Transports {
		if t != UDP && t != TCP && t != TLS {
			return fmt.Errorf("sim: unknown transport %q (accepted: udp, tcp, tls)", t)
		}
	}
	if c.Listen != "" {
		if _, err := netip.ParseAddr(c.Listen); err != nil {
			return fmt.Errorf("sim: listen address %q is not an IP address", c.Listen)
		}
	}
	if !c.transport(TLS) {
		switch {
		case c.MTLS != MTLSNone:
			return fmt.Errorf("sim: MTLS %s needs the tls transport", c.MTLS)
		case c.MinTLS != 0 || c.MaxTLS != 0 || len(c.Ciphers) > 0:
			return errors.New("sim: TLS versions or cipher suites set without the tls transport")
		case c.Certificate != nil || c.ClientCAs != nil:
			return errors.New("sim: a certificate or client CAs set without the tls transport")
		}
		for _, f := range tlsFaults {
			if c.has(f) {
				return fmt.Errorf("sim: fault %s needs the tls transport", f)
			}
		}
	}
	if c.MinTLS != 0 && c.MaxTLS != 0 && c.MinTLS > c.MaxTLS {
		return fmt.Errorf("sim: minimum TLS version %s is above the maximum %s", tlsVersionName(c.MinTLS), tlsVersionName(c.MaxTLS))
	}
	if len(c.Ciphers) > 0 && c.MinTLS >= tls.VersionTLS13 {
		return errors.New("sim: cipher suites set, but TLS 1.3 (whose suites are fixed) is the only version allowed")
	}
	if c.transport(TCP) && c.transport(TLS) && c.SIPPort != 0 && c.SIPPort == c.TLSPort {
		return fmt.Errorf("sim: TCP and TLS cannot both listen on port %d", c.SIPPort)
	}
	if c.CallRouter && c.transport(TCP) && c.transport(TLS) && c.WorkerPort != 0 && c.WorkerPort == c.WorkerTLSPort {
		return fmt.Errorf("sim: the worker's TCP and TLS cannot both listen on port %d", c.WorkerPort)
	}
	return nil
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return fmt.Sprintf("0x%04X", v)
}
