package access

import (
	"strings"
	"testing"

	"github.com/voipsec/voipsec/report"
)

// The membership the judge tests start from. Groups not listed are not
// exported; DnsAdmins is exported empty.
const baseMembers = `Group,SamAccountName
RTCUniversalServerAdmins,alice
RTCUniversalServerAdmins,bob
RTCUniversalServerAdmins,carol
Domain Admins,alice
Enterprise Admins,frank
Schema Admins,frank
Administrators,frank
Administrators,alice
DnsAdmins,
OCS Setup Delegates,carol
CSAdministrator,alice
CSAdministrator,frank
CSServerAdministrator,bob
CSLocationAdministrator,erin
Site01 Server Administrators,carol
Sales Users Administrator,
CSHelpDesk,
MyHelpDeskScriptRole,
`

const baseRoles = `[
 {"Identity": "CsAdministrator", "IsStandardRole": true, "ConfigScopes": ["Global"], "UserScopes": ["Global"]},
 {"Identity": "CsServerAdministrator", "IsStandardRole": true, "ConfigScopes": ["Global"], "UserScopes": ["Global"]},
 {"Identity": "CsLocationAdministrator", "IsStandardRole": true, "ConfigScopes": ["Global"], "UserScopes": ["Global"]},
 {"Identity": "CsHelpDesk", "IsStandardRole": true},
 {"Identity": "Site01 Server Administrators", "IsStandardRole": false, "ConfigScopes": ["site:Site01"], "UserScopes": []},
 {"Identity": "Sales Users Administrator", "IsStandardRole": false, "UserScopes": ["OU:OU=Sales, OU=Lync Tenants, DC=Domain, DC=com"]},
 {"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false, "ScriptModules": ["testScript.ps1"]}
]`

// noDelegates is the base membership without the setup delegation group.
var noDelegates = strings.Replace(baseMembers, "OCS Setup Delegates,carol\n", "", 1)

type judgeCase struct {
	name    string
	members string // replaces baseMembers when set
	extra   string // rows added to the membership
	roles   string // replaces baseRoles when set; "-" for no RBAC export
	review  func(*Review)
	op      Operator
	check   string
	target  string // default: the operator
	want    report.Severity
	absent  bool     // no finding of check for target at all
	has     []string // substrings of summary, detail or hint
}

func runJudge(t *testing.T, tc judgeCase) []report.Finding {
	t.Helper()
	members := baseMembers
	if tc.members != "" {
		members = tc.members
	}
	m, err := ParseMembers("members.csv", []byte(members+tc.extra))
	if err != nil {
		t.Fatal(err)
	}
	r := &Review{Members: m}
	switch tc.roles {
	case "-":
	case "":
		tc.roles = baseRoles
		fallthrough
	default:
		if r.Roles, err = ParseAdminRoles("roles.json", []byte(tc.roles)); err != nil {
			t.Fatal(err)
		}
	}
	if tc.op.Account != "" {
		r.Operators = []Operator{tc.op}
	}
	if tc.review != nil {
		tc.review(r)
	}
	return Judge(r)
}

func ops(account string, ids ...string) Operator {
	o := Operator{Account: account}
	for _, id := range ids {
		t, ok := TaskByID(id)
		if !ok {
			panic("no task " + id)
		}
		o.Tasks = append(o.Tasks, t)
	}
	return o
}

func attest(o Operator, cs ...Credential) Operator { o.Attested = cs; return o }

func scoped(o Operator, sites ...string) Operator { o.Sites = sites; return o }

func delegation(r *Review) { r.SetupDelegationGroup = "OCS Setup Delegates" }

func TestJudge(t *testing.T) {
	for _, tc := range []judgeCase{
		// CRED-MISSING: every conjunct, at least one alternative.
		{name: "holds both groups", op: ops("alice", "SE-5"), check: "CRED-MISSING", want: report.Pass,
			has: []string{"Domain Admins: member, members.csv:5", "RTCUniversalServerAdmins: member, members.csv:2"}},
		{name: "lacks one conjunct", op: ops("bob", "SE-5"), check: "CRED-MISSING", want: report.Fail,
			has: []string{`bob lacks Domain Admins for SE-5 "Standard Edition / Deploy and activate Standard Edition server and applications"`,
				"Domain Admins: not a member (group exported at members.csv:5)", "access.setup_delegation_group"}},
		{name: "DOMAIN\\name account", op: ops(`CONTOSO\bob`, "SE-6"), check: "CRED-MISSING", target: `operator CONTOSO\bob`, want: report.Pass},
		{name: "delegation group stands in for Domain Admins", op: ops("carol", "SE-5"), review: delegation, check: "CRED-MISSING", want: report.Pass,
			has: []string{"setup delegation group (group OCS Setup Delegates): member"}},
		{name: "delegation only where the note applies", op: ops("carol", "RGS-5"), review: delegation, check: "CRED-MISSING", want: report.Fail},
		{name: "or equivalent credentials", op: ops("carol", "EV-1a"), review: delegation, check: "CRED-MISSING", want: report.Pass},
		{name: "one alternative is enough", op: attest(ops("bob", "ARCH-2"), LocalAdministrators), check: "CRED-MISSING", want: report.Info,
			has: []string{"only by the plan's word for local Administrators"}},
		{name: "no alternative held", op: attest(ops("erin", "ARCH-2"), LocalAdministrators), check: "CRED-MISSING", want: report.Fail,
			has: []string{"lacks Domain Admins or RTCUniversalServerAdmins"}},
		{name: "local right unattested", op: ops("alice", "SE-3"), check: "CRED-MISSING", want: report.Inconclusive,
			has: []string{"cannot tell whether alice has local Administrators", "attested: [local-admin]"}},
		{name: "local right attested", op: attest(ops("alice", "SE-3"), LocalAdministrators), check: "CRED-MISSING", want: report.Info},
		{name: "right outside AD", op: ops("bob", "DIAL-10"), check: "CRED-MISSING", want: report.Inconclusive,
			has: []string{"Administrator of the SIP trunking provider", "sip-trunking-provider-admin"}},
		{name: "group not exported", op: ops("alice", "EV-6"), check: "CRED-MISSING", want: report.Inconclusive,
			has: []string{"add the group RTCUniversalUserAdmins to the membership export ('voipsec help access' has the one-liner)"}},
		{name: "group exported empty", op: ops("bob", "SE-4"), check: "CRED-MISSING", want: report.Fail,
			has: []string{"bob lacks DnsAdmins"}},
		{name: "account in no group", op: ops("mallory", "SE-6"), check: "CRED-MISSING", want: report.Fail,
			has: []string{"mallory is in no group of members.csv: check the account name"}},
		{name: "a known lack beats an unknown", op: ops("erin", "SE-7"), check: "CRED-MISSING", want: report.Fail},
		{name: "schema master rights via Administrators", op: ops("frank", "SE-2"), check: "CRED-MISSING", want: report.Pass},
		{name: "sub-steps all needed", op: attest(ops("alice", "EVPBX-1"), LocalAdministrators), check: "CRED-MISSING", want: report.Info},
		{name: "condition unattested", op: ops("alice", "EV-4b"), extra: "Exchange Organization Administrators,alice\n", check: "CRED-MISSING", want: report.Inconclusive,
			has: []string{"same-forest", "um-container-access"}},
		{name: "condition attested", op: attest(ops("alice", "EV-4b"), SameForest), extra: "Exchange Organization Administrators,alice\n", check: "CRED-MISSING", want: report.Info},
		{name: "delegation group not exported, Domain Admins lacked", op: ops("bob", "SE-5"), members: noDelegates, review: delegation,
			check: "CRED-MISSING", want: report.Inconclusive,
			has: []string{"cannot tell whether bob has Domain Admins or the setup delegation group OCS Setup Delegates", "add the group OCS Setup Delegates to the membership export"}},

		// CRED-EXCESS: taken away, the group changes no task's verdict.
		{name: "Domain Admins no task needs", op: ops("alice", "SE-6"), check: "CRED-EXCESS", want: report.Warn,
			has: []string{"alice holds Domain Admins, which none of their tasks needs", "setup delegation wizard"}},
		{name: "Domain Admins a task needs", op: ops("alice", "SE-1"), check: "CRED-EXCESS", want: report.Pass,
			has: []string{"alice needs Domain Admins for SE-1"}},
		{name: "Domain Admins only to deploy: delegable", op: ops("alice", "SE-5"), check: "CRED-EXCESS", want: report.Info,
			has: []string{"only to deploy or activate servers (SE-5)", "setup delegation wizard"}},
		{name: "Domain Admins beside the delegation group", op: ops("alice", "SE-5"), extra: "OCS Setup Delegates,alice\n", review: delegation,
			check: "CRED-EXCESS", want: report.Warn},
		{name: "Domain Admins where RTCUniversalServerAdmins is the alternative", op: attest(ops("alice", "ARCH-2"), LocalAdministrators),
			check: "CRED-EXCESS", want: report.Warn},
		{name: "Domain Admins where Enterprise Admins covers it", op: ops("frank", "SE-2"), extra: "Domain Admins,frank\n", check: "CRED-EXCESS", want: report.Warn,
			has: []string{"frank holds Domain Admins"}},
		{name: "Enterprise and Schema Admins needed", op: ops("frank", "SE-2"), check: "CRED-EXCESS", want: report.Pass,
			has: []string{"frank needs Enterprise Admins for SE-2", "frank needs Schema Admins for SE-2"}},
		{name: "Schema Admins held, no task", op: ops("frank", "SE-6"), check: "CRED-EXCESS", want: report.Warn,
			has: []string{"frank holds Schema Admins"}},
		{name: "Domain Admins beside an unexported delegation group", op: ops("alice", "SE-5"), members: noDelegates, review: delegation,
			check: "CRED-EXCESS", want: report.Inconclusive,
			has: []string{"cannot tell whether alice needs Domain Admins", "SE-5", "add the group OCS Setup Delegates to the membership export"}},
		{name: "Domain Admins, local rights and an unexported delegation group", op: ops("alice", "EE-10"), members: noDelegates, review: delegation,
			check: "CRED-EXCESS", want: report.Inconclusive, has: []string{"cannot tell whether alice needs Domain Admins for EE-10", "add the group OCS Setup Delegates to the membership export"}},
		{name: "Domain Admins where the other alternative is unknown", op: ops("alice", "CWA-2"), check: "CRED-EXCESS", want: report.Inconclusive,
			has: []string{"cannot tell whether alice needs Domain Admins", "CWA-2", "attested: [local-admin]"}},
		{name: "Domain Admins where the other alternative is attested", op: attest(ops("alice", "CWA-2"), LocalAdministrators), check: "CRED-EXCESS", want: report.Warn,
			has: []string{"alice holds Domain Admins, which none of their tasks needs", "Without it, CWA-2 is met by the plan's word for local Administrators"}},
		{name: "Domain Admins needed whatever the unknown local right", op: ops("alice", "EE-10"), check: "CRED-EXCESS", want: report.Info,
			has: []string{"only to deploy or activate servers (EE-10)"}},
		{name: "privileged group not exported", members: "Group,SamAccountName\nDomain Admins,\nSchema Admins,\n", op: ops("bob", "SE-6"),
			check: "CRED-EXCESS", want: report.Inconclusive, has: []string{"Enterprise Admins: not in the membership export"}},
		{name: "no privileged group", op: ops("bob", "SE-6"), check: "CRED-EXCESS", want: report.Pass,
			has: []string{"bob holds none of Domain Admins, Enterprise Admins, Schema Admins"}},

		// RBAC-GLOBAL-SCOPE.
		{name: "limited operator in a global role", op: scoped(ops("bob", "SE-8"), "Site01"), check: "RBAC-GLOBAL-SCOPE", want: report.Warn,
			has: []string{"bob, limited to site:Site01, holds global role CsServerAdministrator", "CsServerAdministrator: member, members.csv:14"}},
		{name: "limited operator in a scoped role", op: scoped(ops("carol", "SE-8"), "Site01"), check: "RBAC-GLOBAL-SCOPE", want: report.Pass},
		{name: "always-global role", op: scoped(ops("erin"), "Site01"), check: "RBAC-GLOBAL-SCOPE", want: report.Warn,
			has: []string{"CsLocationAdministrator is always assigned with a global scope"}},
		{name: "RBAC binds remote administration only", op: scoped(ops("carol", "SE-7"), "Site01"), check: "RBAC-GLOBAL-SCOPE", want: report.Pass,
			has: []string{"a user logged on at a server running Lync Server is not restricted by RBAC"}},
		{name: "global role group not exported", members: "Group,SamAccountName\nCSAdministrator,alice\n", op: scoped(ops("bob"), "Site01"),
			check: "RBAC-GLOBAL-SCOPE", want: report.Inconclusive, has: []string{"CsServerAdministrator"}},
		{name: "operator not limited", op: ops("bob", "SE-8"), check: "RBAC-GLOBAL-SCOPE", absent: true},
		{name: "no RBAC export", roles: "-", op: scoped(ops("bob", "SE-8"), "Site01"), check: "RBAC-GLOBAL-SCOPE", absent: true},

		// RBAC-CSADMIN-BROAD.
		{name: "two CsAdministrators", check: "RBAC-CSADMIN-BROAD", target: "RBAC role CsAdministrator", want: report.Pass,
			has: []string{"has 2 members, at most 3", "alice, frank"}},
		{name: "four CsAdministrators", extra: "CSAdministrator,bob\nCSAdministrator,carol\nCSAdministrator,CONTOSO\\Bob\n",
			check: "RBAC-CSADMIN-BROAD", target: "RBAC role CsAdministrator", want: report.Warn, has: []string{"has 4 members, more than 3"}},
		{name: "a lower limit", review: func(r *Review) { r.MaxCSAdministrators = 1 }, check: "RBAC-CSADMIN-BROAD", target: "RBAC role CsAdministrator", want: report.Warn},
		{name: "CSAdministrator not exported", members: "Group,SamAccountName\nDomain Admins,alice\n", check: "RBAC-CSADMIN-BROAD",
			target: "RBAC role CsAdministrator", want: report.Inconclusive},
		{name: "no RBAC export, no CsAdministrator check", roles: "-", check: "RBAC-CSADMIN-BROAD", target: "RBAC role CsAdministrator", absent: true},

		// RBAC-ROLE-INVALID.
		{name: "site-scoped role", check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Pass},
		{name: "OU-scoped role", check: "RBAC-ROLE-INVALID", target: "RBAC role Sales Users Administrator", want: report.Pass},
		{name: "predefined roles are not judged", check: "RBAC-ROLE-INVALID", target: "RBAC role CsAdministrator", absent: true},
		{name: "malformed site scope", roles: `{"Identity": "Site01 Server Administrators", "IsStandardRole": false, "ConfigScopes": ["site:"]}`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Fail, has: []string{`ConfigScopes "site:": site: names no site`}},
		{name: "OU scope in the config scopes", roles: `{"Identity": "Site01 Server Administrators", "IsStandardRole": false, "ConfigScopes": ["OU:OU=Sales,DC=contoso,DC=com"]}`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Fail, has: []string{"a user scope in the wrong list"}},
		{name: "DN of a container, not an OU", roles: `{"Identity": "Sales Users Administrator", "IsStandardRole": false, "UserScopes": ["OU:CN=Users,DC=contoso,DC=com"]}`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Sales Users Administrator", want: report.Fail, has: []string{"names no organizational unit"}},
		{name: "unknown template", roles: `{"Identity": "Site01 Server Administrators", "IsStandardRole": false, "Template": "CsSuperUser", "ConfigScopes": ["site:Site01"]}`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Fail, has: []string{`template "CsSuperUser" is neither`}},
		{name: "template of another custom role", roles: `[{"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false},
			{"Identity": "Site01 Server Administrators", "IsStandardRole": false, "Template": "MyHelpDeskScriptRole", "ConfigScopes": ["site:Site01"]}]`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Pass},
		{name: "scoped location administrator", roles: `{"Identity": "Site01 Server Administrators", "IsStandardRole": false, "Template": "CsLocationAdministrator", "ConfigScopes": ["site:Site01"]}`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Fail, has: []string{"always assigned with a global scope"}},
		{name: "role group missing", roles: `[{"Identity": "CsAdministrator"}, {"Identity": "Site02 Server Administrators", "IsStandardRole": false, "ConfigScopes": ["site:Site02"]}]`,
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site02 Server Administrators", want: report.Fail, has: []string{"is not in the membership export, which holds other role groups"}},
		{name: "no role group exported at all", members: "Group,SamAccountName\nDomain Admins,alice\n",
			check: "RBAC-ROLE-INVALID", target: "RBAC role Site01 Server Administrators", want: report.Inconclusive,
			has: []string{"'voipsec help access' has the one-liner"}},

		// RBAC-SCRIPT-PATH.
		{name: "script by name", check: "RBAC-SCRIPT-PATH", target: "RBAC role MyHelpDeskScriptRole", want: report.Pass},
		{name: "script in AdminScripts", roles: `{"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false,
			"ScriptModules": ["C:\\Program Files\\Common Files\\Microsoft Lync Server 2013\\AdminScripts\\testScript.ps1", "c:/program files/common files/microsoft lync server 2013/modules/lync/x.psm1"]}`,
			check: "RBAC-SCRIPT-PATH", target: "RBAC role MyHelpDeskScriptRole", want: report.Pass},
		{name: "script elsewhere", roles: `{"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false, "ScriptModules": ["C:\\Scripts\\testScript.ps1", "..\\x.ps1", "D:x.ps1"]}`,
			check: "RBAC-SCRIPT-PATH", target: "RBAC role MyHelpDeskScriptRole", want: report.Fail,
			has: []string{`"C:\\Scripts\\testScript.ps1" is outside the Lync module path and the AdminScripts path (and 2 more)`, "climbs out", "relative to a drive"}},
		{name: "a folder that only starts like AdminScripts", roles: `{"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false, "ScriptModules": ["C:\\Program Files\\Common Files\\Microsoft Lync Server 2013\\AdminScriptsOld\\x.ps1"]}`,
			check: "RBAC-SCRIPT-PATH", target: "RBAC role MyHelpDeskScriptRole", want: report.Fail},
		{name: "script paths set by the plan", roles: `{"Identity": "MyHelpDeskScriptRole", "IsStandardRole": false, "ScriptModules": ["\\\\lync01\\scripts\\x.ps1"]}`,
			review: func(r *Review) { r.ScriptPaths = []string{`\\lync01\scripts`} },
			check:  "RBAC-SCRIPT-PATH", target: "RBAC role MyHelpDeskScriptRole", want: report.Pass},
		{name: "roles without scripts", check: "RBAC-SCRIPT-PATH", target: "RBAC role Site01 Server Administrators", absent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = OperatorTarget(tc.op.Account)
			}
			var got []report.Finding
			for _, f := range runJudge(t, tc) {
				if f.Check == tc.check && f.Target == target {
					got = append(got, f)
				}
			}
			if tc.absent {
				if len(got) > 0 {
					t.Fatalf("want no %s for %s, got %+v", tc.check, target, got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("no %s finding for %s", tc.check, target)
			}
			if w := report.Max(got); w != tc.want {
				t.Errorf("worst %s, want %s: %+v", w, tc.want, got)
			}
			var text strings.Builder
			for _, f := range got {
				text.WriteString(f.Summary + "\n" + f.Detail + "\n" + f.Hint + "\n")
				if f.Ref == "" {
					t.Errorf("%s has no rule reference", f.Check)
				}
				if f.Severity == report.Inconclusive && f.Hint == "" {
					t.Errorf("inconclusive %s without a hint", f.Check)
				}
			}
			for _, h := range tc.has {
				if !strings.Contains(text.String(), h) {
					t.Errorf("findings lack %q:\n%s", h, text.String())
				}
			}
		})
	}
}

// Each task's finding cites its row of Table 1; role findings point at the
// role's line in the export; operator findings at the plan's locations.
func TestJudgeRefsAndLocations(t *testing.T) {
	m, _ := ParseMembers("members.csv", []byte(baseMembers))
	a, _ := ParseAdminRoles("roles.json", []byte(baseRoles))
	taskAt := &report.Location{File: "plan.yaml", Line: 7, Column: 11}
	scopeAt := &report.Location{File: "plan.yaml", Line: 9, Column: 14}
	op := scoped(ops("bob", "EVPBX-1a"), "Site01")
	op.TasksAt, op.ScopeAt, op.At = []*report.Location{taskAt}, scopeAt, &report.Location{File: "plan.yaml", Line: 5}
	fs := Judge(&Review{Members: m, Roles: a, Operators: []Operator{op}})
	for _, f := range fs {
		switch f.Check {
		case "CRED-MISSING":
			if f.Location != taskAt || !strings.Contains(f.Ref, `Enterprise Voice with PBX Coexistence, row 1 "Deploy Office Communications Server, including Mediation Server that connects to the PBX", sub-step "Create Enterprise pool"`) {
				t.Errorf("CRED-MISSING at %v ref %q", f.Location, f.Ref)
			}
		case "CRED-EXCESS":
			if f.Location.Line != 5 {
				t.Errorf("CRED-EXCESS at %v", f.Location)
			}
		case "RBAC-GLOBAL-SCOPE":
			if f.Location != scopeAt {
				t.Errorf("RBAC-GLOBAL-SCOPE at %v", f.Location)
			}
		case "RBAC-ROLE-INVALID", "RBAC-SCRIPT-PATH":
			if f.Location.File != "roles.json" || f.Location.Line < 2 {
				t.Errorf("%s %s at %v", f.Check, f.Target, f.Location)
			}
		case "RBAC-CSADMIN-BROAD":
			if f.Location.File != "members.csv" || f.Location.Line != 12 {
				t.Errorf("RBAC-CSADMIN-BROAD at %v", f.Location)
			}
		default:
			t.Errorf("unexpected check %s", f.Check)
		}
	}
}

// A script module passes only by bare name (looked up in the allowed
// folders) or as an absolute path inside one; any other relative path,
// and a name that expands a variable or the home folder, does not.
func TestScriptOutside(t *testing.T) {
	allowed := []string{DefaultLyncModulePath, DefaultAdminScriptsPath}
	for _, tt := range []struct {
		module string
		inside bool
	}{
		{"testScript.ps1", true},
		{` "testScript.ps1" `, true},
		{DefaultAdminScriptsPath + `\testScript.ps1`, true},
		{`scripts\evil.ps1`, false},
		{`scripts/evil.ps1`, false},
		{`.\evil.ps1`, false},
		{`.`, false},
		{`~\x.ps1`, false},
		{`~x.ps1`, false},
		{`TESTSC~1.PS1`, true}, // an 8.3 short name
		{`$env:TEMP\x.ps1`, false},
		{`$x.ps1`, false},
		{`%TEMP%\x.ps1`, false},
		{`%TEMP%x.ps1`, false},
		{`..\x.ps1`, false},
		{`D:x.ps1`, false},
		{`\x.ps1`, false},
		{`C:\Scripts\x.ps1`, false},
	} {
		why := scriptOutside(tt.module, allowed)
		if (why == "") != tt.inside {
			t.Errorf("scriptOutside(%q) = %q, want inside=%v", tt.module, why, tt.inside)
		}
	}
}
