package matrix

import (
	"fmt"
	"strings"
)

// Role is what a probed SIP endpoint is in an OCS 2007 R2 / Lync / Exchange
// UM deployment. It decides, from one table ([Roles]), what the endpoint is
// expected to enforce: the judging layers of tlsprobe, sipcheck and plan
// read [Role.Expect] rather than guessing from the port or the level.
type Role uint8

const (
	// RoleSIPEdge is a SIP edge of no declared role: nothing is expected
	// beyond answering SIP; mutual-TLS and EKU observations are reported as
	// information.
	RoleSIPEdge Role = iota
	// RoleUM is an Exchange UM server's SIP listener (5060 TCP for
	// Unsecured, 5061 mutual TLS for SIPSecured and Secured dial plans).
	RoleUM
	// RoleMediationInternal is the Mediation Server internal edge (default
	// 5061), toward the OCS pool: mutual TLS, media SRTP.
	RoleMediationInternal
	// RoleMediationExternal is the Mediation Server external edge (default
	// 5060), toward the media gateway: TLS expected, no mutual TLS.
	RoleMediationExternal
	// RoleGateway is the media gateway or IP-PBX the external edge talks to.
	RoleGateway
)

// Expectations is what a role requires of an endpoint.
type Expectations struct {
	Role Role
	// MutualTLS: the endpoint must request and require a client
	// certificate (MTLS-NOT-REQUESTED, MTLS-NOT-REQUIRED fail); otherwise
	// what it does is information.
	MutualTLS bool
	// ClientAuthEKU: the endpoint's certificate must carry Client
	// Authentication as well as Server Authentication, because the server
	// is also the TLS client of its peers (TLS-CERT-EKU).
	ClientAuthEKU bool
	// TLS: signalling must be TLS; SIP answered in cleartext is a finding
	// (SIP-CLEARTEXT-ACCEPTED, GW-NO-TLS on the gateway leg).
	TLS bool
	// SRTP: media must be SRTP whatever level is declared (media between
	// the Mediation Server and the OCS network is SRTP).
	SRTP bool
	// Why is the rule behind the expectations, for evidence.
	Why string
}

// RoleInfo is one row of the role table.
type RoleInfo struct {
	Role    Role
	Name    string   // the --role and plan spelling
	Aliases []string // other accepted spellings
	Expectations
}

var roles = []RoleInfo{
	{Role: RoleSIPEdge, Name: "sip-edge", Aliases: []string{"sip", "edge", "none"},
		Expectations: Expectations{Why: "a SIP edge of no declared role: only that it answers SIP is expected"}},
	{Role: RoleUM, Name: "um", Aliases: []string{"exchange-um", "exchange"},
		Expectations: Expectations{MutualTLS: true, ClientAuthEKU: true, TLS: true,
			Why: "Exchange UM talks to OCS over mutual TLS on 5061 (SIPSecured and Secured dial plans); its certificate serves as client and server"}},
	{Role: RoleMediationInternal, Name: "mediation-internal", Aliases: []string{"internal", "mediation"},
		Expectations: Expectations{MutualTLS: true, ClientAuthEKU: true, TLS: true, SRTP: true,
			Why: "the Mediation Server internal edge (5061) is mutual TLS toward the OCS pool, and media between the Mediation Server and the OCS network is SRTP"}},
	{Role: RoleMediationExternal, Name: "mediation-external", Aliases: []string{"external"},
		Expectations: Expectations{TLS: true,
			Why: "the Mediation Server external edge (5060) faces the media gateway, which should use TLS to it"}},
	{Role: RoleGateway, Name: "gateway", Aliases: []string{"gw", "mediation-gateway"},
		Expectations: Expectations{TLS: true,
			Why: "the media gateway should use TLS to the Mediation Server"}},
}

// Roles returns the role table. The slice is shared: do not modify.
func Roles() []RoleInfo { return roles }

// String returns the role's name (sip-edge, um, mediation-internal,
// mediation-external, gateway).
func (r Role) String() string {
	if int(r) < len(roles) {
		return roles[r].Name
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Expect returns what the role requires.
func (r Role) Expect() Expectations {
	if int(r) < len(roles) {
		e := roles[r].Expectations
		e.Role = r
		return e
	}
	return Expectations{Role: r}
}

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRole parses a role name or alias, case-insensitively, ignoring '-',
// '_', space and '.'. An unknown value gives *[UnknownValueError].
func ParseRole(s string) (Role, error) {
	f := fold(s)
	var accepted []string
	for _, ri := range roles {
		accepted = append(accepted, ri.Name)
		if f == fold(ri.Name) {
			return ri.Role, nil
		}
		for _, a := range ri.Aliases {
			if f == fold(a) {
				return ri.Role, nil
			}
		}
	}
	return 0, &UnknownValueError{What: "role", Value: s, Accepted: accepted}
}

// AssumeRole is the role a probe assumes when none is given, and why: port
// 5061 means a mutual-TLS peer (the Mediation Server internal edge, or
// Exchange UM, whose expectations are the same for TLS), any other port a
// plain SIP edge.
func AssumeRole(port int) (Role, string) {
	if port == 5061 {
		return RoleMediationInternal, "port 5061"
	}
	return RoleSIPEdge, fmt.Sprintf("port %d", port)
}

// AssumedRoleNote is the line a report states: "assumed role
// mediation-internal: port 5061; --role to change".
func AssumedRoleNote(r Role, why string) string {
	return strings.TrimSpace(fmt.Sprintf("assumed role %s: %s; --role to change", r, why))
}
