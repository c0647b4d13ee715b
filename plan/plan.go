package plan

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
)

// SchemaVersion is the only value of the plan's voipsec_plan key this
// package reads.
const SchemaVersion = 1

// Plan is a loaded, validated plan file: the deployment and what it must
// satisfy. Every value came from a place in the file, which [Plan.Location]
// returns by field path.
type Plan struct {
	File string // the path the plan was loaded from, as given
	Dir  string // the directory relative paths in the plan are resolved against
	Name string

	Trust            Trust
	Policy           Policy
	Media            Media
	IPsec            IPsec
	DialPlans        []DialPlan
	UMServers        []UMServer
	MediationServers []MediationServer
	Access           *Access // the access section (plan/access.go); nil when the plan has none

	pos map[string]pos // field path → where its value starts in File
}

// Trust is the probe's trust material.
type Trust struct {
	CA         *CertFile        // the CA bundle the probe trusts servers with (trust.ca)
	ClientCert *CertFile        // the probe's client certificate for mutual TLS (trust.client_certificate)
	ClientKey  string           // path of the client certificate's private key (trust.client_key)
	KeyPair    *tls.Certificate // client certificate and key, loaded together
}

// Roots returns the plan's CA bundle as a pool, or nil when it has none
// (the probe then uses the system roots).
func (t Trust) Roots() *x509.CertPool {
	if t.CA == nil {
		return nil
	}
	p := x509.NewCertPool()
	for _, c := range t.CA.Certs {
		p.AddCert(c)
	}
	return p
}

// CertFile is a PEM file of one or more certificates, leaf first.
type CertFile struct {
	Path  string // resolved path
	Certs []*x509.Certificate
}

// Policy is the media encryption the OCS/Lync side applies.
type Policy struct {
	// ClientEncryption is the Office Communicator / Lync client encryption
	// level (policy.client_encryption).
	ClientEncryption *matrix.EncryptionLevel
	// ServerMediaEncryption is the server-side media setting
	// (Set-CsMediaConfiguration -EncryptionLevel; policy.server_media_encryption).
	ServerMediaEncryption *matrix.EncryptionLevel
}

// Media is the media port range.
type Media struct {
	Ports *PortRange
}

// IPsec says whether IPsec protects server traffic and which media ports
// are excepted from it.
type IPsec struct {
	Enabled   bool
	Exception *PortRange
}

// PortRange is an inclusive UDP/TCP port range.
type PortRange struct {
	From, To int
}

// Len is the number of ports in r.
func (r PortRange) Len() int { return r.To - r.From + 1 }

// Covers reports whether r contains all of o.
func (r PortRange) Covers(o PortRange) bool { return r.From <= o.From && o.To <= r.To }

func (r PortRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// DialPlan is an Exchange UM dial plan.
type DialPlan struct {
	Name         string
	VoipSecurity matrix.VoipSecurity
	// PilotNumber is the number Exchange UM answers for the dial plan
	// (pilot_number): a SIP user part or a full SIP URI. The live probe
	// calls it at the UM servers that serve the dial plan and have no
	// call_to of their own. Empty when the plan gives none.
	PilotNumber string
	path        string
}

// Path is the plan field path of the dial plan, e.g. "exchange_um.dial_plans[0]".
func (d DialPlan) Path() string { return d.path }

// Transport is a SIP transport.
type Transport string

const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
	TLS Transport = "tls"
)

// Transports lists the accepted transports.
var Transports = []Transport{UDP, TCP, TLS}

// Endpoint is a SIP listener the plan names: a UM server or a Mediation
// Server edge or its gateway.
type Endpoint struct {
	Role      Role
	Server    string // the server (or gateway) FQDN the endpoint belongs to
	Address   string // IP address or host name
	Port      int
	Transport Transport
	Expect    Expect
	// CallTo is the number the live probe calls at the endpoint (call_to):
	// a SIP user part (+14255550100, uas) or a full SIP URI. Empty when
	// the plan gives none; see [Plan.CallTo] for the UM pilot number.
	CallTo string
	path   string
}

// HostPort is Address:Port.
func (e Endpoint) HostPort() string { return net.JoinHostPort(e.Address, strconv.Itoa(e.Port)) }

// URL is transport://address:port, the endpoint's finding target form.
func (e Endpoint) URL() string { return string(e.Transport) + "://" + e.HostPort() }

// Path is the endpoint's plan field path, e.g. "mediation_servers[0].internal".
func (e Endpoint) Path() string { return e.path }

// Role is what an endpoint is in the topology.
type Role string

const (
	RoleUM       Role = "um"       // an Exchange UM server's SIP listener
	RoleInternal Role = "internal" // Mediation Server internal edge (toward the OCS pool)
	RoleExternal Role = "external" // Mediation Server external edge (toward the gateway)
	RoleGateway  Role = "gateway"  // the media gateway the external edge talks to
)

// Matrix returns the role's row in the one table of what each role expects
// ([matrix.Role]): um, mediation-internal, mediation-external, gateway.
func (r Role) Matrix() matrix.Role {
	switch r {
	case RoleUM:
		return matrix.RoleUM
	case RoleInternal:
		return matrix.RoleMediationInternal
	case RoleExternal:
		return matrix.RoleMediationExternal
	case RoleGateway:
		return matrix.RoleGateway
	}
	return matrix.RoleSIPEdge
}

// Expect is what the plan requires of an endpoint; nil fields are not
// checked.
type Expect struct {
	MinTLS       *uint16                 // tls.VersionTLS12 etc. (expect.min_tls)
	MTLSRequired *bool                   // a client certificate is mandatory (expect.mtls_required)
	Encryption   *matrix.EncryptionLevel // effective media encryption level (expect.encryption)
}

// UMServer is an Exchange UM server.
type UMServer struct {
	FQDN        string
	Certificate *CertFile
	DialPlans   []string // names of dial plans it serves
	Endpoint    Endpoint
	path        string
}

// Path is the server's plan field path.
func (u UMServer) Path() string { return u.path }

// MediationServer is an OCS Mediation Server with its two edges and the
// gateway its external edge talks to.
type MediationServer struct {
	FQDN        string
	Certificate *CertFile
	Internal    Endpoint
	External    Endpoint
	Gateway     *Endpoint // optional
	path        string
}

// Path is the server's plan field path.
func (m MediationServer) Path() string { return m.path }

// Endpoints returns every endpoint in the plan, in file order: UM servers,
// then each Mediation Server's internal edge, external edge and gateway.
func (p *Plan) Endpoints() []Endpoint {
	var out []Endpoint
	for _, u := range p.UMServers {
		out = append(out, u.Endpoint)
	}
	for _, m := range p.MediationServers {
		out = append(out, m.Internal, m.External)
		if m.Gateway != nil {
			out = append(out, *m.Gateway)
		}
	}
	return out
}

// CallTo returns the number the live probe calls at e and the plan path it
// comes from: e's call_to; for a UM server without one, the pilot_number of
// the strictest of its dial plans that have one (the dial plan its media
// verdict is judged by, when that one has a number), the first listed of
// equally strict ones. Both are empty when the plan names no number: the
// probe then calls no number of its choosing, and an edge that routes by
// number can only give an inconclusive verdict, with the hint to add
// call_to.
func (p *Plan) CallTo(e Endpoint) (number, path string) {
	if e.CallTo != "" {
		return e.CallTo, e.path + ".call_to"
	}
	if e.Role != RoleUM {
		return "", ""
	}
	for _, u := range p.UMServers {
		if u.path != e.path {
			continue
		}
		var best *DialPlan
		for _, name := range u.DialPlans {
			dp, ok := p.DialPlan(name)
			if !ok || dp.PilotNumber == "" {
				continue
			}
			if best == nil || dp.VoipSecurity > best.VoipSecurity {
				best = &dp
			}
		}
		if best != nil {
			return best.PilotNumber, best.path + ".pilot_number"
		}
	}
	return "", ""
}

// FileRef is a file the plan names: the field that names it and its
// path, resolved against the plan's folder.
type FileRef struct {
	Field string // "trust.ca", "exchange_um.servers[0].certificate", "access.group_members"
	Path  string
}

// Files lists every file the plan names, in file order: the probe's trust
// material, the servers' certificates and the access section's exports.
// A command that writes a report refuses to write it over one of them.
func (p *Plan) Files() []FileRef {
	var out []FileRef
	add := func(field, path string) {
		if path != "" {
			out = append(out, FileRef{Field: field, Path: path})
		}
	}
	if c := p.Trust.CA; c != nil {
		add("trust.ca", c.Path)
	}
	if c := p.Trust.ClientCert; c != nil {
		add("trust.client_certificate", c.Path)
	}
	add("trust.client_key", p.Trust.ClientKey)
	for _, u := range p.UMServers {
		if u.Certificate != nil {
			add(u.path+".certificate", u.Certificate.Path)
		}
	}
	for _, m := range p.MediationServers {
		if m.Certificate != nil {
			add(m.path+".certificate", m.Certificate.Path)
		}
	}
	if a := p.Access; a != nil {
		add("access.group_members", a.GroupMembers)
		add("access.admin_roles", a.AdminRoles)
	}
	return out
}

// DialPlan returns the dial plan called name.
func (p *Plan) DialPlan(name string) (DialPlan, bool) {
	for _, d := range p.DialPlans {
		if d.Name == name {
			return d, true
		}
	}
	return DialPlan{}, false
}

// checkable holds one test per section of whether it gives the plan
// something to check; a plan for which none holds is refused by the loader
// rather than passing every run. A new section adds its test here.
var checkable = []func(p *Plan) bool{
	func(p *Plan) bool { return len(p.DialPlans) > 0 || len(p.UMServers) > 0 || len(p.MediationServers) > 0 },
	// The IPsec media exception check runs when the ipsec section is there.
	// media.ports alone judges nothing: it is what the IPsec exception and
	// the endpoints' answered media ports are held to.
	func(p *Plan) bool { return p.declares("ipsec") },
	// The certificate checks of the probe's trust material.
	func(p *Plan) bool { return p.Trust.CA != nil || p.Trust.ClientCert != nil },
	// The access section (plan/access.go, `voipsec roles`): a plan may hold
	// nothing else.
	func(p *Plan) bool { return p.declares("access") },
}

// declaresChecks reports whether any section of p gives it something to check.
func (p *Plan) declaresChecks() bool {
	for _, f := range checkable {
		if f(p) {
			return true
		}
	}
	return false
}

// declares reports whether the plan file has the top-level section.
func (p *Plan) declares(section string) bool {
	_, ok := p.pos[section]
	return ok
}

type pos struct{ line, col int }

// Location returns where the value at field path starts in the plan file,
// falling back to the nearest enclosing field that has a position, then to
// the file alone.
func (p *Plan) Location(path string) *report.Location {
	for q := path; ; {
		if ps, ok := p.pos[q]; ok {
			return &report.Location{File: p.File, Line: ps.line, Column: ps.col}
		}
		next := parentPath(q)
		if next == q {
			break
		}
		q = next
	}
	return &report.Location{File: p.File}
}

// parentPath drops the last element of a field path: "a.b[2].c" → "a.b[2]"
// → "a.b" → "a" → "".
func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		switch p[i] {
		case '.':
			return p[:i]
		case '[':
			return p[:i]
		}
	}
	return ""
}
