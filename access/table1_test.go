package access

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// sourceLines returns the lines of a source document in testdata, 1-based
// (lines[0] is unused).
func sourceLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{""}, strings.Split(string(data), "\n")...)
}

// srcLine is a non-blank line of the source and its number.
type srcLine struct {
	text string
	at   int
}

// expectedLine is a line of the source the data says is there; at is its
// line number when the data records it (0 when it does not).
type expectedLine struct {
	text string
	at   int
	what string
}

// TestTable1MatchesSource walks Table 1 in the source text and checks that
// the data holds every section, procedure, sub-step and credentials line,
// exactly as written and in order, at the line numbers the data cites.
// A procedure of Table 1 missing from the data fails here.
func TestTable1MatchesSource(t *testing.T) {
	lines := sourceLines(t, "ocs2007r2-security-requirements.txt")
	first, last := 0, 0
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case "Table 1. Administrative Credentials Required for Deployment Tasks":
			first = i + 1
		case "Security Levels":
			if first > 0 && last == 0 {
				last = i - 1
			}
		}
	}
	if first == 0 || last == 0 {
		t.Fatal("Table 1 not found in the source")
	}
	var src []srcLine
	for i := first; i <= last; i++ {
		if s := strings.TrimSpace(lines[i]); s != "" && s != "Procedure Administrative credentials or roles required" {
			src = append(src, srcLine{s, i})
		}
	}

	var want []expectedLine
	for _, s := range Sections() {
		want = append(want, expectedLine{s.Name, s.Line, "section " + s.ID})
		for _, task := range s.Tasks {
			want = append(want, expectedLine{task.Procedure, task.Lines[0], task.ID})
			if task.OrNext {
				want = append(want, expectedLine{"OR", 0, task.ID + " OR"})
				continue
			}
			says := task.Says
			for _, st := range task.Steps {
				want = append(want, expectedLine{"• " + st.Step + ": " + st.Says[0], st.Lines[0], st.ID})
				for _, l := range st.Says[1:] {
					want = append(want, expectedLine{l, 0, st.ID})
				}
				if got := st.Lines[1]; got != lastLineOf(src, st.Says, st.Lines[0]) {
					t.Errorf("%s: last line %d, the source's is %d", st.ID, got, lastLineOf(src, st.Says, st.Lines[0]))
				}
			}
			for i, l := range says {
				at := 0
				if i == len(says)-1 && len(task.Steps) == 0 {
					at = task.Lines[1]
				}
				want = append(want, expectedLine{l, at, task.ID})
			}
		}
	}
	for i := 0; i < len(src) || i < len(want); i++ {
		if i >= len(src) {
			t.Fatalf("data has %q (%s) after the end of Table 1", want[i].text, want[i].what)
		}
		if i >= len(want) {
			t.Fatalf("line %d of the source, %q, is not in the data", src[i].at, src[i].text)
		}
		w, s := want[i], src[i]
		if w.text != s.text {
			t.Fatalf("line %d of the source is %q; the data (%s) has %q", s.at, s.text, w.what, w.text)
		}
		if w.at != 0 && w.at != s.at {
			t.Errorf("%s: data cites line %d for %q, the source has it at line %d", w.what, w.at, w.text, s.at)
		}
	}
}

// lastLineOf is the source line of the last of says, searching from line
// from.
func lastLineOf(src []srcLine, says []string, from int) int {
	last := says[len(says)-1]
	for _, s := range src {
		if s.at >= from && (s.text == last || strings.HasSuffix(s.text, ": "+last)) {
			return s.at
		}
	}
	return -1
}

// The sixteen sections of Table 1, as the issue and the source list them.
func TestTable1Sections(t *testing.T) {
	want := []string{"Standard Edition", "Enterprise Edition, Consolidated Topology", "Dial-in Conferencing",
		"Response Group Service", "Archiving Server", "Monitoring Server", "Communicator Web Access", "Group Chat",
		"Administrative Tools", "Edge Server", "Communicator Mobile for Windows Mobile", "Communicator Mobile for Java",
		"Outside Voice Control", "Enterprise Voice with PBX Coexistence", "Enterprise Voice stand-alone (no PBX coexistence)",
		"Device Update Service"}
	var got []string
	for _, s := range Sections() {
		got = append(got, s.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sections\n got %q\nwant %q", got, want)
	}
	names, ids := map[string]bool{}, map[string]bool{}
	for _, task := range Tasks() {
		if names[normName(task.Name())] || ids[task.ID] {
			t.Errorf("task %s %q is not unique", task.ID, task.Name())
		}
		names[normName(task.Name())], ids[task.ID] = true, true
		if len(task.Need.Credentials()) == 0 {
			t.Errorf("%s needs nothing", task.ID)
		}
		if !strings.Contains(task.Ref(), task.Section.Name+", row ") || !strings.Contains(task.Ref(), task.Procedure) {
			t.Errorf("%s: ref %q does not cite its place", task.ID, task.Ref())
		}
	}
	if len(Tasks()) != 110 {
		t.Errorf("%d tasks, want 110 (96 procedures and 14 sub-steps)", len(Tasks()))
	}
}

// The credentials a task's need mentions are exactly those its text
// names, by the spellings in the credential table: a credential read into
// a need that the text does not name, or named and left out, fails here.
func TestNeedsMatchText(t *testing.T) {
	type spelling struct {
		s string
		c Credential
	}
	var sp []spelling
	for _, info := range Credentials() {
		for _, s := range info.Spellings {
			sp = append(sp, spelling{s, info.Credential})
		}
	}
	sort.SliceStable(sp, func(i, j int) bool { return len(sp[i].s) > len(sp[j].s) })
	for _, task := range Tasks() {
		if len(task.Steps) > 0 || len(task.sameAs) > 0 || task.OrNext {
			continue
		}
		named := map[Credential]bool{}
		for _, line := range task.Says {
			rest := line
			for _, s := range sp {
				if s.s == "Administrator" {
					if strings.TrimSpace(rest) == s.s {
						named[s.c] = true
					}
					continue
				}
				for strings.Contains(rest, s.s) {
					named[s.c] = true
					rest = strings.Replace(rest, s.s, strings.Repeat("_", len(s.s)), 1)
				}
			}
		}
		for _, c := range task.Need.Credentials() {
			if !named[c] {
				t.Errorf("%s needs %s, which its text %q does not name", task.ID, c, task.Says)
			}
			delete(named, c)
		}
		for c := range named {
			t.Errorf("%s: its text %q names %s, which its need leaves out", task.ID, task.Says, c)
		}
	}
}

// holdings builds the evidence function of a table test: the listed
// credentials are held (or attested), everything visible in AD is lacking,
// and everything else is unknown.
func holdings(held []Credential, attested []Credential) func(Credential) Holding {
	return func(c Credential) Holding {
		switch {
		case slices.Contains(held, c):
			return Holds
		case slices.Contains(attested, c):
			return Attested
		case c.Info().Kind.Visible():
			return Lacks
		}
		return Unknown
	}
}

// The rules as data: alternatives, conjunctions, sub-steps, conditions,
// rights outside AD.
func TestNeedEval(t *testing.T) {
	const (
		RTC = RTCUniversalServerAdmins
		DA  = DomainAdmins
		EA  = EnterpriseAdmins
		SA  = SchemaAdmins
		SM  = SchemaMasterAdministrators
		LA  = LocalAdministrators
	)
	type C = []Credential
	for _, tt := range []struct {
		task     string
		held     C
		attested C
		want     Holding
	}{
		// Conjunction of listed lines.
		{"SE-1", C{RTC, DA}, nil, Holds},
		{"SE-1", C{RTC}, nil, Lacks},
		{"SE-1", C{DA}, nil, Lacks},
		// "Member of Schema Admins group and Administrator rights on the
		// schema master" and Enterprise Admins and (EA or DA).
		{"SE-2", C{SA, SM, EA}, nil, Holds},
		{"SE-2", C{SA, SM, DA}, nil, Lacks},
		{"SE-2", C{SA, EA, DA}, nil, Lacks},
		{"EE-2", C{SA, SM, EA}, nil, Holds},
		// Local rights: unknown unless attested.
		{"SE-3", nil, nil, Unknown},
		{"SE-3", nil, C{LA}, Attested},
		// A known lack decides a conjunction whatever the unknown part.
		{"SE-7", nil, nil, Lacks},
		{"SE-7", C{RTC}, nil, Unknown},
		{"SE-7", C{RTC}, C{LA}, Attested},
		// "Domain Admins or RTCUniversalServerAdmins group".
		{"ARCH-2", C{RTC}, C{LA}, Attested},
		{"ARCH-2", C{DA}, C{LA}, Attested},
		{"ARCH-2", nil, C{LA}, Lacks},
		// "Domain Admins, or RTCUniversalServerAdmins and local Administrators".
		{"CWA-2", C{DA}, nil, Holds},
		{"CWA-2", C{RTC}, nil, Unknown},
		{"CWA-2", C{RTC}, C{LA}, Attested},
		{"CWA-2", nil, C{LA}, Lacks},
		// Sub-steps: the procedure needs every step.
		{"EVPBX-1a", C{RTC, DA}, nil, Holds},
		{"EVPBX-1", C{RTC, DA}, nil, Unknown},
		{"EVPBX-1", C{RTC, DA}, C{LA}, Attested},
		{"EVPBX-1", C{RTC}, C{LA}, Lacks},
		{"EV-1e", nil, C{LA}, Attested},
		// Rights outside AD.
		{"DIAL-10", C{RTC}, nil, Unknown},
		{"DIAL-10", C{RTC}, C{SIPTrunkingProviderAdministrator}, Attested},
		{"DIAL-10", nil, C{SIPTrunkingProviderAdministrator}, Lacks},
		{"DIAL-9", C{RTC}, nil, Holds},
		{"EE-5", nil, C{SQLServerAdministrator, LA}, Attested},
		// Media gateways: their own administration, and RTCUniversalServerAdmins
		// only if trusted service entries are needed.
		{"EVPBX-6", C{RTC}, nil, Unknown},
		{"EVPBX-6", C{RTC}, C{MediaGatewayAdministrator}, Attested},
		{"EVPBX-6", nil, C{MediaGatewayAdministrator}, Unknown},
		{"EVPBX-6", nil, C{MediaGatewayAdministrator, NoTrustedServiceEntries}, Attested},
		{"EVPBX-7", nil, C{RCCGatewayAdministrator, NoTrustedServiceEntries}, Lacks},
		// Exchange UM: Exchange Organization Administrators when in the same
		// forest, or the ACLs of the note.
		{"EV-4b", C{ExchangeOrganizationAdministrators}, nil, Unknown},
		{"EV-4b", C{ExchangeOrganizationAdministrators}, C{SameForest}, Attested},
		{"EV-4b", nil, C{UMContainerAccess}, Attested},
		{"EV-4", nil, C{UMContainerAccess}, Lacks},
		// Device Update Service: what deploying SE or EE needs.
		{"DUS-1", C{RTC, DA}, nil, Holds},
		{"DUS-1", C{RTC}, nil, Lacks},
		// The source's "RTCUniversalUserAdmins" where the PBX section says
		// RTCUniversalServerAdmins, as written.
		{"EV-3", C{RTCUniversalUserAdmins}, nil, Holds},
		{"EVPBX-4", C{RTCUniversalUserAdmins}, nil, Lacks},
		{"CMWM-1", nil, C{LA}, Unknown},
		{"CMWM-1", nil, C{Administrator}, Attested},
	} {
		t.Run(fmt.Sprintf("%s/%v/%v", tt.task, tt.held, tt.attested), func(t *testing.T) {
			task, ok := TaskByID(tt.task)
			if !ok {
				t.Fatalf("no task %s", tt.task)
			}
			if got := task.Need.Eval(holdings(tt.held, tt.attested)); got != tt.want {
				t.Errorf("%s (%s) = %s, want %s", task.ID, task.Need, got, tt.want)
			}
		})
	}
}

func TestNeedStringAndShort(t *testing.T) {
	task, _ := TaskByID("CWA-2")
	if got, want := task.Need.String(), "Domain Admins or (RTCUniversalServerAdmins and local Administrators)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	h := holdings([]Credential{RTCUniversalServerAdmins}, nil)
	short := task.Need.Short(h)
	if len(short) != 1 || short[0].Need.Cred != LocalAdministrators || short[0].Holding != Unknown {
		t.Errorf("Short = %+v, want local Administrators unknown", short)
	}
	se1, _ := TaskByID("SE-1")
	short = se1.Need.Short(holdings([]Credential{RTCUniversalServerAdmins}, nil))
	if len(short) != 1 || short[0].Need.Cred != DomainAdmins {
		t.Errorf("SE-1 Short = %+v, want Domain Admins", short)
	}
	arch2, _ := TaskByID("ARCH-2")
	short = arch2.Need.Short(holdings(nil, []Credential{LocalAdministrators}))
	if len(short) != 1 || short[0].Need.String() != "Domain Admins or RTCUniversalServerAdmins" {
		t.Errorf("ARCH-2 Short = %+v, want the alternative", short)
	}
	if got := (Need{Op: AllOf}).String(); got != "no specific credential" {
		t.Errorf("empty need = %q", got)
	}
	ev1, _ := TaskByID("EV-1")
	if got := ev1.Requirement(); got != "every sub-step: EV-1a, EV-1b, EV-1c, EV-1d, EV-1e, EV-1f" {
		t.Errorf("EV-1 requirement %q", got)
	}
}

func TestLookupTask(t *testing.T) {
	for _, tt := range []struct {
		name, want string
	}{
		{"SE-5", "SE-5"},
		{"evpbx-1a", "EVPBX-1a"},
		{"Standard Edition / Deploy and activate Standard Edition server and applications", "SE-5"},
		{"standard edition/deploy and activate standard edition SERVER and applications", "SE-5"},
		{"Standard Edition / Prepare Active Directory Domain Services (AD DS)", "SE-2"}, // a plain space for the source's no-break space
		{"Standard Edition / Optionally, configure A/V and Web conferencing", "SE-10"},
		{"Enterprise Voice stand-alone (no PBX coexistence) / Deploy Office Communications Server / Create enterprise pool", "EV-1a"},
		{"Deploy a Mediation Server", "DIAL-8"}, // one section has it
		{"  Enterprise   Edition, Consolidated Topology /   Create the pool ", "EE-8"},
	} {
		task, err := LookupTask(tt.name)
		if err != nil || task.ID != tt.want {
			t.Errorf("LookupTask(%q) = %v, %v; want %s", tt.name, task, err, tt.want)
		}
	}
	_, err := LookupTask("Standard Edition / Deploy and activate the server")
	ue, ok := err.(*UnknownTaskError)
	if !ok || len(ue.Closest) == 0 || ue.Closest[0].ID != "SE-5" {
		t.Fatalf("unknown task error %v", err)
	}
	if !strings.Contains(err.Error(), `closest: SE-5 "Standard Edition / Deploy and activate Standard Edition server and applications"`) {
		t.Errorf("message %q", err)
	}
	_, err = LookupTask("Start the services")
	if ue, ok := err.(*UnknownTaskError); !ok || !ue.Ambiguous || len(ue.Closest) != 3 {
		t.Errorf("ambiguous: %v", err)
	}
	_, err = LookupTask("Standrd Edition / Start the servces")
	if ue, ok := err.(*UnknownTaskError); !ok || len(ue.Closest) == 0 || ue.Closest[0].ID != "SE-8" {
		t.Errorf("typos in section and procedure: %v", err)
	}
}

// TestRolesMatchSource walks the source's Predefined Administrative Roles
// table and checks every role, its tasks, AD group and Exchange
// equivalent are in the data, in order, at the line the data cites.
func TestRolesMatchSource(t *testing.T) {
	lines := sourceLines(t, "lync2013-rbac-planning.txt")
	var cells []srcLine
	in := false
	for i, l := range lines {
		s := strings.TrimSpace(l)
		switch {
		case s == "Role Tasks allowed Underlying Active Directory group Exchange equivalent":
			in = true
			continue
		case strings.HasPrefix(s, "All predefined roles shipped"):
			in = false
		}
		if in && s != "" {
			cells = append(cells, srcLine{s, i})
		}
	}
	if len(cells)%4 != 0 {
		t.Fatalf("%d cells in the roles table, not rows of 4", len(cells))
	}
	if len(cells)/4 != len(Roles()) || len(Roles()) != 11 {
		t.Fatalf("source has %d roles, data %d (want 11)", len(cells)/4, len(Roles()))
	}
	for i, r := range Roles() {
		row := cells[4*i : 4*i+4]
		got := []string{r.Name, r.Tasks, r.Group, r.Exchange}
		for j := range got {
			if got[j] != row[j].text {
				t.Errorf("role %d: data %q, source line %d %q", i+1, got[j], row[j].at, row[j].text)
			}
		}
		if r.Line != row[0].at {
			t.Errorf("%s: data cites line %d, source has it at %d", r.Name, r.Line, row[0].at)
		}
		if r.AlwaysGlobal != strings.Contains(r.Tasks, "always assigned with a global scope") {
			t.Errorf("%s: AlwaysGlobal %v disagrees with its text", r.Name, r.AlwaysGlobal)
		}
	}
	for _, want := range []string{DefaultLyncModulePath, DefaultAdminScriptsPath} {
		found := false
		for _, l := range lines {
			found = found || strings.HasSuffix(strings.TrimSpace(l), "by default "+want)
		}
		if !found {
			t.Errorf("default path %q is not in the source", want)
		}
	}
}

func TestParseScope(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		err  string
	}{
		{"Global", "Global", ""},
		{"global", "Global", ""},
		{"site:Site01", "site:Site01", ""},
		{"Site: Redmond", "site:Redmond", ""},
		{"OU:OU=Sales, OU=Lync Tenants, DC=Domain, DC=com", "OU:OU=Sales, OU=Lync Tenants, DC=Domain, DC=com", ""},
		{`OU:OU=Sales\, Europe,DC=contoso,DC=com`, `OU:OU=Sales\, Europe,DC=contoso,DC=com`, ""},
		{"site:", "", "names no site"},
		{"Site01", "", "not Global, site:NAME or OU:DN"},
		{"pool:pool01", "", "unknown scope type"},
		{"OU:CN=Users,DC=contoso,DC=com", "", "names no organizational unit"},
		{"OU:Sales", "", "is not ATTRIBUTE=VALUE"},
		{"OU:OU=Sales,,DC=com", "", "is not ATTRIBUTE=VALUE"},
	} {
		s, err := ParseScope(tt.in)
		switch {
		case tt.err == "" && (err != nil || s.String() != tt.want):
			t.Errorf("ParseScope(%q) = %v, %v; want %s", tt.in, s, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseScope(%q) error %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestCredentialKeys(t *testing.T) {
	for _, info := range Credentials() {
		c, err := ParseCredential(strings.ToUpper(info.Key))
		if err != nil || c != info.Credential || c.Info() != info {
			t.Errorf("ParseCredential(%q) = %v, %v", info.Key, c, err)
		}
		if info.Kind == Group && info.Group == "" || info.Kind != Group && info.Group != "" {
			t.Errorf("%s: kind %s with group %q", info.Key, info.Kind, info.Group)
		}
	}
	if _, err := ParseCredential("domain-admin"); err == nil {
		t.Error("unknown key accepted")
	}
	if Credential(0).Info() != nil || Credential(200).String() != "credential(200)" {
		t.Error("out-of-range credential")
	}
}
