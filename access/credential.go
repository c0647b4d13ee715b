package access

import (
	"fmt"
	"strings"
)

// Credential is one right a deployment task of Table 1 can ask for: an
// Active Directory group, a local right on a computer, a right outside AD,
// or a fact about the deployment a requirement depends on. The zero value
// is not a credential.
type Credential uint8

// The credentials Table 1 names. Each is documented in [Credentials], with
// the spellings the source uses for it.
const (
	RTCUniversalServerAdmins Credential = iota + 1
	RTCUniversalUserAdmins
	DomainAdmins
	EnterpriseAdmins
	SchemaAdmins
	SchemaMasterAdministrators
	DNSAdmins
	ExchangeOrganizationAdministrators
	LocalAdministrators
	Administrator
	ClientComputerAdministrator
	SQLServerAdministrator
	DatabaseAdministrator
	LoadBalancerAdministrator
	SIPTrunkingProviderAdministrator
	ChannelServiceAdministrator
	OCSUser
	MediaGatewayAdministrator
	RCCGatewayAdministrator
	UMContainerAccess
	SameForest
	NoTrustedServiceEntries
)

// Kind says where the evidence for a credential can come from.
type Kind uint8

const (
	// Group is membership of an Active Directory group: the membership
	// export shows it.
	Group Kind = iota + 1
	// Local is a right on one computer (its local Administrators group):
	// AD does not show it.
	Local
	// External is a right in a system outside AD (SQL Server, a load
	// balancer, the SIP trunking provider, a gateway) or an ACL AD does
	// not expose as a group: the export does not show it.
	External
	// Condition is a fact about the deployment a requirement depends on
	// (Exchange in the same forest as OCS): nothing in AD shows it.
	Condition
)

func (k Kind) String() string {
	switch k {
	case Group:
		return "AD group"
	case Local:
		return "local right"
	case External:
		return "outside AD"
	case Condition:
		return "condition"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText implements encoding.TextMarshaler with the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Visible reports whether the AD membership export can show the credential.
func (k Kind) Visible() bool { return k == Group }

// CredentialInfo describes a credential: how plans and JSON name it (Key),
// how people read it (Name), where evidence for it comes from (Kind and,
// for groups, the AD group), and how the source spells it.
type CredentialInfo struct {
	Credential Credential `json:"-"`
	Key        string     `json:"key"`  // stable name in plans (attested:) and JSON, e.g. "domain-admins"
	Name       string     `json:"name"` // e.g. "Domain Admins"
	Kind       Kind       `json:"kind"`
	// Group is the AD group's name as the membership export's Group
	// column carries it (Kind Group only).
	Group string `json:"group,omitempty"`
	// Privileged marks the forest and domain administrator groups an
	// operator should hold only when a task needs them (CRED-EXCESS).
	Privileged bool `json:"privileged,omitempty"`
	// Spellings are the ways Table 1 writes the credential, exactly
	// (typography included: "DomainAdmins", "RTCUniversalUserAdmins Group").
	Spellings []string `json:"spellings"`
	// About says what the credential is and any reading of the source it
	// rests on.
	About string `json:"about"`
}

var credentials = [...]CredentialInfo{
	{Credential: RTCUniversalServerAdmins, Key: "rtc-server-admins", Name: "RTCUniversalServerAdmins", Kind: Group, Group: "RTCUniversalServerAdmins",
		Spellings: []string{"RTCUniversalServerAdmins group", "RTCUniversalServerAdmins"},
		About:     "the OCS universal group that administers server and pool settings (created by Prepare AD DS)"},
	{Credential: RTCUniversalUserAdmins, Key: "rtc-user-admins", Name: "RTCUniversalUserAdmins", Kind: Group, Group: "RTCUniversalUserAdmins",
		Spellings: []string{"RTCUniversalUserAdmins group", "RTCUniversalUserAdmins Group", "RTCUniversalUserAdmins"},
		About:     "the OCS universal group that administers user settings"},
	{Credential: DomainAdmins, Key: "domain-admins", Name: "Domain Admins", Kind: Group, Group: "Domain Admins", Privileged: true,
		Spellings: []string{"Domain Admins group", "Domain Admins", "DomainAdmins group", "DomainAdmins"},
		About:     "the domain's administrators; the setup delegation wizard can give a specific group the subset of its permissions that deploying or activating a server needs (Table 1 note)"},
	{Credential: EnterpriseAdmins, Key: "enterprise-admins", Name: "Enterprise Admins", Kind: Group, Group: "Enterprise Admins", Privileged: true,
		Spellings: []string{"EnterpriseAdmins group for the forest root domain", "EnterpriseAdmins group", "EnterpriseAdmins"},
		About:     "the forest's administrators; the group exists only in the forest root domain, so \"for the forest root domain\" names the same group"},
	{Credential: SchemaAdmins, Key: "schema-admins", Name: "Schema Admins", Kind: Group, Group: "Schema Admins", Privileged: true,
		Spellings: []string{"Schema Admins group"},
		About:     "may extend the forest's schema (forest root domain)"},
	{Credential: SchemaMasterAdministrators, Key: "schema-master-admin", Name: "Administrator rights on the schema master", Kind: Group, Group: "Administrators",
		Spellings: []string{"Administrator rights on the schema master"},
		About:     "the schema master is a domain controller, and administrator rights on a domain controller are membership of its domain's builtin Administrators group (normally the forest root domain's); export that group under the label Administrators"},
	{Credential: DNSAdmins, Key: "dns-admins", Name: "DnsAdmins", Kind: Group, Group: "DnsAdmins",
		Spellings: []string{"DNS Admins group"},
		About:     "the AD group that administers AD-integrated DNS; the source writes \"DNS Admins group\", the group's name is DnsAdmins"},
	{Credential: ExchangeOrganizationAdministrators, Key: "exchange-org-admins", Name: "Exchange Organization Administrators", Kind: Group, Group: "Exchange Organization Administrators",
		Spellings: []string{"Exchange Organization Administrators permissions"},
		About:     "the Exchange Server 2007 universal group that administers the Exchange organization"},
	{Credential: LocalAdministrators, Key: "local-admin", Name: "local Administrators", Kind: Local,
		Spellings: []string{"Administrators group", "Local Administrator credentials", "Local Administrator", "Local administrator", "local Administrators", "local administrators"},
		About:     "membership of the Administrators group of the computer the task runs on; the source writes it \"Administrators group\", \"Local Administrator\", \"local Administrators\" and \"Local Administrator credentials\", which this model reads as one right"},
	{Credential: Administrator, Key: "administrator", Name: "Administrator", Kind: Local,
		Spellings: []string{"Administrator"},
		About:     "\"Administrator\" with no object: the Communicator Mobile sections do not say of which computer or device, so it is kept apart from local Administrators on the servers"},
	{Credential: ClientComputerAdministrator, Key: "client-computer-admin", Name: "Administrator on the computer on which Office Communicator is being installed", Kind: Local,
		Spellings: []string{"Administrator on the computer on which Office Communicator is being installed"},
		About:     "local Administrator of each client computer Office Communicator 2007 is installed on"},
	{Credential: SQLServerAdministrator, Key: "sql-server-admin", Name: "SQL Server administrator", Kind: External,
		Spellings: []string{"SQL Server administrator"},
		About:     "administrator of the SQL Server instance (a SQL Server login, not an AD group)"},
	{Credential: DatabaseAdministrator, Key: "database-admin", Name: "Database administrator", Kind: External,
		Spellings: []string{"Database administrator"},
		About:     "may create databases on the SQL Server (a SQL Server right)"},
	{Credential: LoadBalancerAdministrator, Key: "load-balancer-admin", Name: "Load balancer administrator", Kind: External,
		Spellings: []string{"Load balancer administrator"},
		About:     "administrator of the hardware load balancer in front of the pool"},
	{Credential: SIPTrunkingProviderAdministrator, Key: "sip-trunking-provider-admin", Name: "Administrator of the SIP trunking provider", Kind: External,
		Spellings: []string{"Administrator of the SIP trunking provider"},
		About:     "an administrator on the SIP trunking provider's side"},
	{Credential: ChannelServiceAdministrator, Key: "channel-service-admin", Name: "Channel service administrator", Kind: External,
		Spellings: []string{"Channel service administrator"},
		About:     "the Group Chat channel service's own administrator role"},
	{Credential: OCSUser, Key: "ocs-user", Name: "Office Communications Server 2007 R2 user", Kind: External,
		Spellings: []string{"Office Communications Server 2007 R2 user"},
		About:     "an account enabled for Office Communications Server 2007 R2 (a user attribute, not a group)"},
	{Credential: MediaGatewayAdministrator, Key: "media-gateway-admin", Name: "media gateway administrator", Kind: External,
		Spellings: []string{"Media gateways are external systems their own authentication and authorization schemes"},
		About:     "an administrator in the media gateway's own authentication scheme (\"Media gateways are external systems [with] their own authentication and authorization schemes\")"},
	{Credential: RCCGatewayAdministrator, Key: "rcc-gateway-admin", Name: "RCC gateway administrator", Kind: External,
		Spellings: []string{"RCC gateways are external systems their own authentication and authorization schemes"},
		About:     "an administrator in the RCC gateway's own authentication scheme"},
	{Credential: UMContainerAccess, Key: "um-container-access", Name: "UM configuration access (READ on the OCS pools, READ/WRITE on the Exchange UM containers)", Kind: External,
		Spellings: []string{"READ access to Office Communications Server pools in AD", "READ/WRITE access on the Exchange configuration containers"},
		About:     "the Table 1 note on Exchange UM: READ access to the OCS pools in AD DS and READ/WRITE access on the Exchange configuration containers (UM Dial Plan, UM IP Gateway, UM Auto Attendant containers, and so on); these are ACLs, not group memberships"},
	{Credential: SameForest, Key: "same-forest", Name: "condition: OCS and Exchange share one forest", Kind: Condition,
		Spellings: []string{"when Office Communications Server and Exchange Server are running in the same forest"},
		About:     "the condition under which Exchange Organization Administrators permissions are sufficient to integrate Exchange UM"},
	{Credential: NoTrustedServiceEntries, Key: "no-trusted-service-entries", Name: "condition: the gateway needs no trusted service entries", Kind: Condition,
		Spellings: []string{"If the media gateway requires creation of trusted service entries"},
		About:     "RTCUniversalServerAdmins is needed to deploy a media gateway only if it requires trusted service entries"},
}

// Credentials returns the credential table, in the order of the constants.
// The entries are shared; do not modify them.
func Credentials() []*CredentialInfo {
	out := make([]*CredentialInfo, len(credentials))
	for i := range credentials {
		out[i] = &credentials[i]
	}
	return out
}

// Info returns the table entry of c, or nil for a value that is not a
// credential.
func (c Credential) Info() *CredentialInfo {
	if c == 0 || int(c) > len(credentials) {
		return nil
	}
	return &credentials[c-1]
}

// String returns the credential's name, or "credential(N)" for an unknown
// value.
func (c Credential) String() string {
	if i := c.Info(); i != nil {
		return i.Name
	}
	return fmt.Sprintf("credential(%d)", uint8(c))
}

// Key returns the credential's stable key ("domain-admins").
func (c Credential) Key() string {
	if i := c.Info(); i != nil {
		return i.Key
	}
	return fmt.Sprintf("credential-%d", uint8(c))
}

// MarshalText implements encoding.TextMarshaler with the key.
func (c Credential) MarshalText() ([]byte, error) { return []byte(c.Key()), nil }

// ParseCredential returns the credential with the key s (case-insensitive).
func ParseCredential(s string) (Credential, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for i := range credentials {
		if credentials[i].Key == k {
			return credentials[i].Credential, nil
		}
	}
	return 0, &UnknownCredentialError{Key: s}
}

// CredentialKeys lists the keys of the credentials of the given kinds (all
// when none is given), in table order.
func CredentialKeys(kinds ...Kind) []string {
	var out []string
	for i := range credentials {
		if len(kinds) == 0 || hasKind(kinds, credentials[i].Kind) {
			out = append(out, credentials[i].Key)
		}
	}
	return out
}

func hasKind(kinds []Kind, k Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}
