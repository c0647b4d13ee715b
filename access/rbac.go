package access

import (
	"fmt"
	"strings"
)

// SourceRBAC names the document the Lync RBAC rules come from.
const SourceRBAC = "Planning for role-based access control in Lync Server 2013"

// Role is a predefined Lync Server 2013 RBAC role, from the source's
// "Predefined Administrative Roles" table. Every predefined role has a
// global scope.
type Role struct {
	Name string `json:"name"` // e.g. "CsVoiceAdministrator"
	// Tasks is what the role may do, as the source writes it.
	Tasks string `json:"tasks"`
	// Group is the underlying Active Directory universal security group,
	// as the table writes it; users gain the role by joining it.
	Group string `json:"group"`
	// Exchange is the similar Microsoft Exchange Server role, or "Not
	// applicable".
	Exchange string `json:"exchange"`
	// AlwaysGlobal marks the role the source says is always assigned with
	// a global scope (CsLocationAdministrator): no scoped role may be
	// based on it.
	AlwaysGlobal bool `json:"always_global,omitempty"`
	Line         int  `json:"line"` // the role's line in access/testdata/lync2013-rbac-planning.txt
}

// Ref cites the role's place in the source.
func (r *Role) Ref() string {
	return fmt.Sprintf("%s: Predefined Administrative Roles, %s", SourceRBAC, r.Name)
}

// The rules of the RBAC source the checks enforce, with their lines.
const (
	// RuleGlobal: "All predefined roles shipped in Lync Server have a global
	// scope. To follow least privilege practices, you should not assign
	// users to roles with global scope if they are going to administer only
	// a limited set of servers or users." (line 118)
	RuleGlobal = SourceRBAC + ": all predefined roles have a global scope; do not assign users who administer a limited set of servers or users to roles with global scope"
	// RuleScopes: scoped roles are created from a template with -ConfigScopes
	// "site:NAME" or -UserScopes "OU:DN"; the AD group must already exist
	// (lines 120-130, 140).
	RuleScopes = SourceRBAC + ": a scoped role is based on an existing role (template) with config scopes site:NAME or user scopes OU:DN, and its universal security group must already exist"
	// RuleScripts: scripts and modules a role runs must be stored in the
	// Lync module path or the user script path (lines 134-138).
	RuleScripts = SourceRBAC + ": scripts and modules that roles run must be stored in the Lync module path or the user script (AdminScripts) path"
	// RuleCsAdministrator: "The best practice is to assign the
	// CsAdministrator role to a very small set of trusted users." (line 174)
	RuleCsAdministrator = SourceRBAC + ": assign the CsAdministrator role to a very small set of trusted users"
	// RuleRemoteOnly: "RBAC restrictions work only on administrators working
	// remotely ... A user sitting at a server running Lync Server is not
	// restricted by RBAC." (line 18)
	RuleRemoteOnly = "RBAC restricts only remote administration (Lync Server Control Panel or Management Shell from another computer); a user logged on at a server running Lync Server is not restricted by RBAC, so physical and local-logon security preserve it"
)

// Default script locations of Lync Server 2013 (source lines 136 and 138).
const (
	DefaultLyncModulePath   = `C:\Program Files\Common Files\Microsoft Lync Server 2013\Modules\Lync`
	DefaultAdminScriptsPath = `C:\Program Files\Common Files\Microsoft Lync Server 2013\AdminScripts`
)

// DefaultMaxCSAdministrators is how many members of the CsAdministrator
// role's group still count as "a very small set of trusted users".
const DefaultMaxCSAdministrators = 3

// CsAdministrator is the name of the role that can do everything,
// including creating roles and assigning users to them.
const CsAdministrator = "CsAdministrator"

var roles = []*Role{
	{Name: "CsAdministrator", Line: 30, Group: "CSAdministrator", Exchange: "Organization Management",
		Tasks: "Can perform all administrative tasks and modify all settings, including creating roles and assigning users to roles. Can expand a deployment by adding new sites, pools, and services."},
	{Name: "CsUserAdministrator", Line: 38, Group: "CSUserAdministrator", Exchange: "Mail Recipients",
		Tasks: "Can enable and disable users for Lync Server, move users and assign existing policies to users. Cannot modify policies."},
	{Name: "CsVoiceAdministrator", Line: 46, Group: "CSVoiceAdministrator", Exchange: "Not applicable",
		Tasks: "Can create, configure, and manage voice-related settings and policies."},
	{Name: "CsServerAdministrator", Line: 54, Group: "CSServerAdministrator", Exchange: "Server Management",
		Tasks: "Can manage, monitor, and troubleshoot servers and services. Can prevent new connections to servers, stop and start services, and apply software updates. Cannot make changes with global configuration impact."},
	{Name: "CsViewOnlyAdministrator", Line: 62, Group: "CSViewOnlyAdministrator", Exchange: "View-Only Organization Management",
		Tasks: "Can view the deployment, including user and server information, in order to monitor deployment health."},
	{Name: "CsHelpDesk", Line: 70, Group: "CSHelpDesk", Exchange: "HelpDesk",
		Tasks: "Can view the deployment, including user's properties and policies. Can run specific troubleshooting tasks. Cannot change user properties or policies, server configuration, or services."},
	{Name: "CsArchivingAdministrator", Line: 78, Group: "CSArchivingAdministrator", Exchange: "Retention Management, Legal Hold",
		Tasks: "Can modify archiving configuration and policies."},
	{Name: "CsResponseGroupAdministrator", Line: 86, Group: "CSResponseGroupAdministrator", Exchange: "Not applicable",
		Tasks: "Can manage the configuration of the Response Group application within a site."},
	{Name: "CsLocationAdministrator", Line: 94, Group: "CSLocationAdministrator", Exchange: "Not applicable", AlwaysGlobal: true,
		Tasks: "Lowest level of rights for Enhanced 9-1-1 (E9-1-1) management, including creating E9-1-1 locations and network identifiers, and associating these with each other. This role is always assigned with a global scope."},
	{Name: "CsResponseGroupManager", Line: 102, Group: "CSResponseGroupManager", Exchange: "Not applicable",
		Tasks: "Can manage specific response groups."},
	{Name: "CsPersistentChatAdministrator", Line: 110, Group: "CSPersistentChatAdministrator", Exchange: "Not applicable",
		Tasks: "Can manage the Persistent Chat feature and specific Persistent Chat rooms."},
}

// Roles returns the predefined Lync Server 2013 roles in the source's
// order. The entries are shared; do not modify them.
func Roles() []*Role { return roles }

// PredefinedRole returns the predefined role called name
// (case-insensitive).
func PredefinedRole(name string) (*Role, bool) {
	for _, r := range roles {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return r, true
		}
	}
	return nil, false
}

// ScopeKind is what an RBAC scope limits.
type ScopeKind uint8

const (
	GlobalScope ScopeKind = iota + 1 // "Global": no limit
	SiteScope                        // "site:NAME": servers in a site (config scope)
	OUScope                          // "OU:DN": users in an organizational unit (user scope)
)

// Scope is one RBAC scope, parsed.
type Scope struct {
	Kind  ScopeKind
	Value string // the site name or the OU's distinguished name; "" for Global
}

func (s Scope) String() string {
	switch s.Kind {
	case GlobalScope:
		return "Global"
	case SiteScope:
		return "site:" + s.Value
	case OUScope:
		return "OU:" + s.Value
	}
	return "scope(?)"
}

// ParseScope parses an RBAC scope as Get-CsAdminRole shows it and
// New-CsAdminRole takes it: "Global", "site:NAME" or "OU:DN", the prefix
// case-insensitive. The DN must name an organizational unit: its first
// RDN is OU=.
func ParseScope(s string) (Scope, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "global") {
		return Scope{Kind: GlobalScope}, nil
	}
	prefix, value, ok := strings.Cut(t, ":")
	if !ok {
		return Scope{}, &ScopeError{Scope: s, Reason: "not Global, site:NAME or OU:DN"}
	}
	value = strings.TrimSpace(value)
	switch strings.ToLower(strings.TrimSpace(prefix)) {
	case "site":
		if value == "" {
			return Scope{}, &ScopeError{Scope: s, Reason: "site: names no site"}
		}
		return Scope{Kind: SiteScope, Value: value}, nil
	case "ou":
		if err := checkOUDN(value); err != nil {
			return Scope{}, &ScopeError{Scope: s, Reason: err.Error()}
		}
		return Scope{Kind: OUScope, Value: value}, nil
	}
	return Scope{}, &ScopeError{Scope: s, Reason: fmt.Sprintf("unknown scope type %q (accepted: Global, site:, OU:)", prefix)}
}

// checkOUDN checks that dn is a distinguished name whose first RDN is an
// organizational unit: "OU=Sales, OU=Lync Tenants, DC=Domain, DC=com"
// (the source's example, with spaces after the commas). Escaped commas
// ("\,") stay inside a value.
func checkOUDN(dn string) error {
	if dn == "" {
		return fmt.Errorf("OU: names no distinguished name")
	}
	for i, rdn := range splitDN(dn) {
		attr, value, ok := strings.Cut(rdn, "=")
		attr, value = strings.TrimSpace(attr), strings.TrimSpace(value)
		if !ok || attr == "" || value == "" {
			return fmt.Errorf("%q is not a distinguished name: %q is not ATTRIBUTE=VALUE", dn, strings.TrimSpace(rdn))
		}
		for _, c := range attr {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q is not a distinguished name: bad attribute %q", dn, attr)
			}
		}
		if i == 0 && !strings.EqualFold(attr, "OU") {
			return fmt.Errorf("%q names no organizational unit (the first element is %s=, not OU=)", dn, attr)
		}
	}
	return nil
}

// splitDN splits a DN at the commas that are not escaped.
func splitDN(dn string) []string {
	var out []string
	start := 0
	for i := 0; i < len(dn); i++ {
		switch dn[i] {
		case '\\':
			i++
		case ',':
			out = append(out, dn[start:i])
			start = i + 1
		}
	}
	return append(out, dn[start:])
}
