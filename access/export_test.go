package access

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

func exportFile(name string) string { return filepath.Join("testdata", "exports", name) }

// Every way PowerShell writes the membership export reads to the same
// facts.
func TestReadMembersAsPowerShellWritesThem(t *testing.T) {
	for _, tt := range []struct {
		file string
		enc  Encoding
		// the first data row's line: after the #TYPE line and the header
		first int
	}{
		{"members-ps51-utf16le.csv", UTF16LE, 3},
		{"members-ps51-utf8bom.csv", UTF8BOM, 3},
		{"members-ps7.csv", UTF8, 2},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m, err := ReadMembers(exportFile(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if m.Encoding != tt.enc {
				t.Errorf("encoding %s, want %s", m.Encoding, tt.enc)
			}
			rtc, ok := m.Group("rtcuniversalserveradmins")
			if !ok || !slices.Equal(rtc.Accounts(), []string{"alice", "bob", "POOL01$"}) || rtc.Line != tt.first {
				t.Fatalf("RTCUniversalServerAdmins = %+v", rtc)
			}
			if mb, ok := rtc.Member(`CONTOSO\Bob`); !ok || mb.Line != tt.first+1 || mb.ObjectClass != "user" {
				t.Errorf("bob: %+v %v", mb, ok)
			}
			dns, ok := m.Group("DNS Admins") // the source's spelling of DnsAdmins
			if !ok || len(dns.Members) != 0 {
				t.Errorf("DnsAdmins exported empty: %+v %v", dns, ok)
			}
			if _, ok := m.Group("Enterprise Admins"); ok {
				t.Error("a group the export does not hold is found")
			}
			zoe, _ := m.Group("RTCUniversalUserAdmins")
			if mb, ok := zoe.Member("ZOË"); !ok || mb.DistinguishedName != `CN=Zoë Müller\, Jr.,OU=Admins,DC=contoso,DC=com` {
				t.Errorf("non-ASCII row: %+v", mb)
			}
			if !m.Knows("administrator") || m.Knows("mallory") {
				t.Error("Knows")
			}
			if len(m.Groups) != 7 {
				t.Errorf("%d groups, want 7", len(m.Groups))
			}
		})
	}
}

// The JSON of Get-CsAdminRole | ConvertTo-Json, as an array and as the
// single object ConvertTo-Json writes for one role, in 5.1's and 7's
// layouts and encodings.
func TestReadAdminRolesAsPowerShellWritesThem(t *testing.T) {
	a, err := ReadAdminRoles(exportFile("roles-ps51-utf8bom.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Encoding != UTF8BOM || len(a.Roles) != 6 {
		t.Fatalf("%s, %d roles", a.Encoding, len(a.Roles))
	}
	admin, _ := a.Role("csadministrator")
	if !admin.IsStandardRole || admin.Cmdlets != 3 || !admin.Global() || admin.Line != 2 {
		t.Errorf("CsAdministrator = %+v", admin)
	}
	site, _ := a.Role("Site01 Server Administrators")
	if site.IsStandardRole || !slices.Equal(site.ConfigScopes, []string{"site:Site01"}) || len(site.UserScopes) != 0 || site.Global() {
		t.Errorf("scoped role = %+v", site)
	}
	script, _ := a.Role("MyHelpDeskScriptRole")
	if !slices.Equal(script.ScriptModules, []string{"testScript.ps1"}) || !script.Global() {
		t.Errorf("script role = %+v", script)
	}

	one, err := ReadAdminRoles(exportFile("roles-single-ps51-utf16le.json"))
	if err != nil {
		t.Fatal(err)
	}
	if one.Encoding != UTF16LE || len(one.Roles) != 1 || one.Roles[0].Identity != "MyHelpDeskScriptRole" || one.Roles[0].Line != 1 {
		t.Fatalf("single object: %s %+v", one.Encoding, one.Roles)
	}

	seven, err := ReadAdminRoles(exportFile("roles-ps7.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(seven.Roles) != 2 || !slices.Equal(seven.Roles[0].ConfigScopes, []string{"site:Site01"}) ||
		!slices.Equal(seven.Roles[1].UserScopes, []string{"OU:OU=Sales, OU=Lync Tenants, DC=Domain, DC=com"}) {
		t.Fatalf("scopes as objects: %+v %+v", seven.Roles[0], seven.Roles[1])
	}
}

func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// Bad input names the file and the line (and column when known).
func TestParseMembersErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "m.csv: empty: expected a header row"},
		{"only #TYPE", []byte("#TYPE x\r\n"), "m.csv: empty: expected a header row"},
		{"no SamAccountName", []byte("#TYPE x\r\n\"Group\",\"Name\"\r\n\"a\",\"b\"\r\n"), "m.csv:2:1: the header has no SamAccountName column (it has: Group, Name); the export needs Group and SamAccountName (voipsec help access)"},
		{"short row", []byte("Group,SamAccountName\nDomain Admins,alice\nDomain Admins\n"), "m.csv:3:1: row has 1 fields, the header 2"},
		{"bad quote", []byte("Group,SamAccountName\n\"Domain Admins\",\"al\"ice\"\n"), "m.csv:2:20: extraneous or missing \" in quoted-field"},
		{"empty group", []byte("Group,SamAccountName\n,alice\n"), "m.csv:2:1: the Group field is empty"},
		{"column named twice", []byte("#TYPE x\r\nGroup,SamAccountName,group\r\nDomain Admins,alice,Schema Admins\r\n"),
			"m.csv:2:22: the header names group twice (fields 1 and 3)"},
		// Columns count characters, as in the JSON export's errors, not bytes.
		{"empty group after non-ASCII", []byte("Name,Group,SamAccountName\nZoë Müller,,zoe\n"), "m.csv:2:12: the Group field is empty"},
		{"bad quote after non-ASCII", []byte("Group,SamAccountName\n\"Zoë Müller\",\"zo\"e\"\n"), "m.csv:2:17: extraneous or missing \" in quoted-field"},
		{"UTF-16 bad quote after non-ASCII", utf16LE("Group,SamAccountName\r\n\"Zoë\",\"z\"x\"\r\n"), "m.csv:2:9: extraneous or missing \" in quoted-field"},
		{"ANSI", []byte("Group,SamAccountName\nDomain Admins,zo\xeb\n"), "m.csv:2: not UTF-8 (byte 0xEB)"},
		{"UTF-16 without BOM", []byte("G\x00r\x00o\x00u\x00p\x00"), "m.csv:1: holds NUL bytes: UTF-16 without a byte-order mark"},
		{"UTF-16 cut short", append(utf16LE("Group,SamAccountName\r\nx,y\r\n"), 'z'), "m.csv:3: UTF-16LE with BOM text has an odd number of bytes"},
		{"UTF-16 row error", utf16LE("Group,SamAccountName\r\nx\r\n"), "m.csv:2:1: row has 1 fields"},
		{"one group of two domains", []byte("Group,SamAccountName\nCHILD\\Domain Admins,alice\nRTCUniversalServerAdmins,bob\nROOT\\Domain Admins,bob\n"),
			`m.csv:4:1: group "ROOT\Domain Admins" is also exported as "CHILD\Domain Admins" (line 2)`},
		{"one group with and without a domain", []byte("Group,SamAccountName\nx,y\nDomain Admins,alice\n\"CONTOSO\\Domain Admins\",bob\n"),
			`m.csv:4:1: group "CONTOSO\Domain Admins" is also exported as "Domain Admins" (line 3)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMembers("m.csv", tt.data)
			var ee *ExportError
			if !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseAdminRolesErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		data string
		want string
	}{
		{"empty", " \r\n", "r.json: empty"},
		{"not JSON", "Identity : CsAdministrator\r\n", `r.json:1:1: expected a JSON array or object of roles, got "Identity : CsAdminis…"`},
		{"syntax", "[\r\n  {\"Identity\": \"a\",}\r\n]", "r.json:2:20: JSON syntax: invalid character '}'"},
		{"cut short", "[\r\n  {\"Identity\": \"a\"},\r\n  {\"Identity\": ", "r.json:3:16: JSON ends early"},
		{"array never closed", "[\r\n  {\"Identity\": \"a\"}", "r.json:2:20: JSON ends early"},
		{"array cut after a comma", "[\r\n  {\"Identity\": \"a\"},\r\n", "r.json:3:1: JSON ends early"},
		{"only an opening bracket", "[", "r.json:1:2: JSON ends early"},
		{"no identity", "[{\"Identity\": \"a\"},\r\n {\"SID\": \"S-1\"}]", "r.json:2: role Identity: missing or empty"},
		{"not an object", "[\r\n\"CsAdministrator\"]", "r.json:2:1: role 1 is a string, not an object"},
		{"wrong type", "{\r\n \"Identity\": \"a\",\r\n \"IsStandardRole\": \"yes\"}", "r.json:3:2: IsStandardRole: expected bool, got JSON string"},
		{"bad scope item", "{\"Identity\": \"a\", \"ConfigScopes\": [7]}", "r.json:1: role a: ConfigScopes: item 1: expected a string or an object, got a number"},
		{"scope object without text", "{\"Identity\": \"a\", \"UserScopes\": [{\"X\": 1}]}", "r.json:1: role a: UserScopes: item 1: an object with no Name, Value"},
		{"role exported twice", "[\r\n {\"Identity\": \"Site01 Admins\", \"ConfigScopes\": \"site:Site01\"},\r\n {\"Identity\": \"site01 admins\"}\r\n]",
			`r.json:3: role "site01 admins" is exported twice (line 2): one role, one entry`},
		{"two documents", "{\"Identity\": \"a\"}\r\n{\"Identity\": \"b\"}", "r.json:2:1: more JSON after the roles"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAdminRoles("r.json", []byte(tt.data))
			var ee *ExportError
			if !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseAdminRolesForms(t *testing.T) {
	// IsStandardRole missing: a predefined role's name is standard; a
	// scope may be a lone string; an Identity may be an object.
	a, err := ParseAdminRoles("r.json", []byte(`[
 {"Identity": "CsHelpDesk"},
 {"Identity": {"Name": "Site02 Help"}, "ConfigScopes": "site:Site02", "Template": "CsHelpDesk", "ScriptModules": [{"Path": "C:\\x.ps1"}]}
]`))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Roles[0].IsStandardRole || a.Roles[1].IsStandardRole {
		t.Errorf("IsStandardRole inferred wrongly: %+v", a.Roles)
	}
	r := a.Roles[1]
	if r.Identity != "Site02 Help" || !slices.Equal(r.ConfigScopes, []string{"site:Site02"}) || r.Template != "CsHelpDesk" ||
		!slices.Equal(r.ScriptModules, []string{`C:\x.ps1`}) || r.Line != 3 {
		t.Errorf("forms: %+v", r)
	}
}

func TestReadExportFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMembers(filepath.Join(dir, "nope.csv")); err == nil || !strings.HasSuffix(err.Error(), "nope.csv: file not found") {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadAdminRoles(dir); err == nil || !strings.HasSuffix(err.Error(), ": not a regular file") {
		t.Errorf("directory: %v", err)
	}
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, make([]byte, MaxExportSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMembers(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big: %v", err)
	}
}

// One group may be written with the same DOMAIN\ prefix in any case.
func TestParseMembersSameDomainAnyCase(t *testing.T) {
	m, err := ParseMembers("m.csv", []byte("Group,SamAccountName\nCONTOSO\\Domain Admins,alice\ncontoso\\domain admins,bob\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := m.Group("Domain Admins"); !ok || len(g.Accounts()) != 2 {
		t.Errorf("Domain Admins = %+v", g)
	}
}
