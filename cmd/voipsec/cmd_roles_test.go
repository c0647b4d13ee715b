package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stageAccessPlan copies an access test plan and its exports (ad/) into a
// temporary folder, makes it the working directory, and returns the
// plan's relative name.
func stageAccessPlan(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(plansDir, "access")
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "ad"), os.DirFS(filepath.Join(src, "ad"))); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(src, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return name
}

// --tasks lists every task, one per line, as "ID section / procedure:
// need"; the golden file is the whole listing.
func TestRolesTasksListing(t *testing.T) {
	out, errOut, code := runVoipsec(t, "roles", "--tasks")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 110 {
		t.Errorf("%d lines, want 110", len(lines))
	}
	for _, want := range []string{
		"SE-1      Standard Edition / Install prerequisite software: RTCUniversalServerAdmins and Domain Admins\n",
		"CWA-2     Communicator Web Access / Create virtual server: Domain Admins or (RTCUniversalServerAdmins and local Administrators)\n",
		"EV-1a     Enterprise Voice stand-alone (no PBX coexistence) / Deploy Office Communications Server / Create enterprise pool: RTCUniversalServerAdmins and Domain Admins (or, for Domain Admins, the setup delegation group)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
	checkGolden(t, "roles/tasks.txt", []byte(out))
}

func TestRolesListingsJSON(t *testing.T) {
	out, _, code := runVoipsec(t, "roles", "--tasks", "--format", "json")
	var tasks struct {
		Schema, Command string
		Tasks           []struct {
			ID, Name    string
			Need        map[string]any
			Requirement string
			Lines       [2]int
		}
	}
	if err := json.Unmarshal([]byte(out), &tasks); err != nil || code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	if tasks.Command != "roles" || len(tasks.Tasks) != 110 || tasks.Tasks[0].ID != "SE-1" || tasks.Tasks[0].Lines != [2]int{18, 22} {
		t.Fatalf("tasks: %+v", tasks.Tasks[0])
	}
	all, ok := tasks.Tasks[0].Need["all"].([]any)
	if !ok || len(all) != 2 || all[1].(map[string]any)["credential"] != "domain-admins" {
		t.Errorf("SE-1 need %v", tasks.Tasks[0].Need)
	}

	out, _, code = runVoipsec(t, "roles", "--roles", "--format", "json")
	var roles struct {
		Roles struct {
			Predefined  []struct{ Name, Group, Exchange string }
			ScriptPaths []string `json:"script_paths"`
		}
	}
	if err := json.Unmarshal([]byte(out), &roles); err != nil || code != 0 || len(roles.Roles.Predefined) != 11 || len(roles.Roles.ScriptPaths) != 2 {
		t.Fatalf("roles: exit %d %v %+v", code, err, roles)
	}

	out, _, code = runVoipsec(t, "roles", "--roles")
	if code != 0 || !strings.Contains(out, "CsLocationAdministrator        CSLocationAdministrator") || !strings.Contains(out, "very small set of trusted users") {
		t.Errorf("roles text:\n%s", out)
	}
	out, _, code = runVoipsec(t, "roles", "--credentials")
	if code != 0 || !strings.Contains(out, "local-admin                  local right  local Administrators") {
		t.Errorf("credentials text:\n%s", out)
	}
}

// roles PLAN runs only the access checks; the exit status follows the
// findings like every check.
func TestRolesPlan(t *testing.T) {
	for _, tc := range []struct {
		plan    string
		code    int
		verdict string
		golden  string
	}{
		{"example.yaml", 0, "PASS", "roles/example.txt"},
		{"cred-missing-fail.yaml", 1, "FAIL", "roles/cred-missing-fail.txt"},
		{"cred-missing-inconclusive.yaml", 3, "INCONCLUSIVE", ""},
		{"rbac-global-scope-warn.yaml", 0, "PASS", ""},
	} {
		t.Run(tc.plan, func(t *testing.T) {
			name := stageAccessPlan(t, tc.plan)
			out, errOut, code := runVoipsec(t, "roles", "--no-color", name)
			if code != tc.code || errOut != "" {
				t.Fatalf("exit %d (want %d), stderr %q\n%s", code, tc.code, errOut, out)
			}
			if !strings.HasPrefix(out, "voipsec roles: "+tc.verdict) {
				t.Errorf("verdict line %q", strings.SplitN(out, "\n", 2)[0])
			}
			if tc.golden != "" {
				checkGolden(t, tc.golden, []byte(out))
			}
		})
	}
	// --fail-on warn turns the RBAC warning into a failing run.
	name := stageAccessPlan(t, "rbac-global-scope-warn.yaml")
	if _, _, code := runVoipsec(t, "roles", "--fail-on", "warn", name); code != 1 {
		t.Errorf("--fail-on warn: exit %d", code)
	}
}

// check runs the access checks with the other static checks: JUnit has a
// suite per operator and role, SARIF a rule per check located at the
// plan's lines, JSON the findings.
func TestCheckRunsAccessChecks(t *testing.T) {
	name := stageAccessPlan(t, "cred-missing-fail.yaml")
	out, _, code := runVoipsec(t, "check", "--offline", "--format", "junit", name)
	if code != 1 {
		t.Fatalf("junit exit %d", code)
	}
	var suites struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name       string `xml:"name,attr"`
				Properties []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			// Cases are named by property; the ID is the "check" property.
			for _, p := range c.Properties {
				if s.Name == "access/operator/bob" && p.Name == "check" && p.Value == "CRED-MISSING" && c.Failure != nil {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("no failing CRED-MISSING in suite access/operator/bob:\n%s", out)
	}

	out, _, code = runVoipsec(t, "check", "--offline", "--format", "sarif", name)
	if code != 1 || !strings.Contains(out, `"ruleId": "CRED-MISSING"`) || !strings.Contains(out, `"uri": "cred-missing-fail.yaml"`) || !strings.Contains(out, `"startLine": 10`) {
		t.Errorf("sarif exit %d:\n%s", code, out)
	}

	out, _, code = runVoipsec(t, "check", "--offline", "--format", "json", name)
	var doc struct {
		Verdict  string
		Findings []struct{ Check, Severity, Target, Ref string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || doc.Verdict != "fail" {
		t.Fatalf("json exit %d %v: %s", code, err, out)
	}
	for _, f := range doc.Findings {
		if f.Check == "CRED-MISSING" && (f.Severity != "fail" || f.Target != "operator bob" || !strings.Contains(f.Ref, `Enterprise Edition, Consolidated Topology, row 8 "Create the pool"`)) {
			t.Errorf("finding %+v", f)
		}
	}

	// An inconclusive access check makes check exit 3, as any check.
	name = stageAccessPlan(t, "cred-missing-inconclusive.yaml")
	if _, _, code := runVoipsec(t, "check", "--offline", name); code != 3 {
		t.Errorf("inconclusive: exit %d, want 3", code)
	}
}

func TestRolesUsage(t *testing.T) {
	name := stageAccessPlan(t, "example.yaml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"roles"}, "roles needs a plan file, or --tasks, --roles or --credentials"},
		{[]string{"roles", "--tasks", "--roles"}, "give one of --tasks, --roles and --credentials"},
		{[]string{"roles", "--tasks", name}, "take no plan"},
		{[]string{"roles", "--tasks", "--format", "junit"}, "--format junit: the listings are text or json"},
		{[]string{"roles", name, name}, "roles takes one plan file, got 2 arguments"},
		{[]string{"roles", "missing.yaml"}, "missing.yaml: file not found"},
	} {
		_, errOut, code := runVoipsec(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %q", tc.args, code, errOut, tc.want)
		}
	}
	// A plan without an access section.
	if err := os.WriteFile("noaccess.yaml", []byte("voipsec_plan: 1\nmedia: {ports: 60000-64000}\nipsec: {enabled: true, exception: 60000-64000}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runVoipsec(t, "roles", "noaccess.yaml")
	if code != 2 || !strings.Contains(errOut, "noaccess.yaml has no access section") || !strings.Contains(errOut, "hint: add one") {
		t.Errorf("no access: exit %d, %q", code, errOut)
	}
	// A bad access section: every problem on stderr at file:line:col, the
	// first as the JSON error object with --format json.
	bad := "voipsec_plan: 1\naccess:\n  group_members: ad/group-members.csv\n  operators:\n    - account: bob\n      tasks: [SE-99, Start the services]\n"
	if err := os.WriteFile("bad.yaml", []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "roles", "--format", "json", "bad.yaml")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 2 || len(lines) != 3 || !strings.HasPrefix(lines[0], `voipsec roles: error: bad.yaml:6:15: access.operators[0].tasks[0]: unknown task "SE-99"`) ||
		!strings.HasPrefix(lines[1], `voipsec roles: error: bad.yaml:6:22: access.operators[0].tasks[1]: task "Start the services" is in several sections`) {
		t.Errorf("bad plan: exit %d\n%s", code, errOut)
	}
	var doc struct{ Command, Verdict, Error string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Command != "roles" || doc.Verdict != "error" || !strings.HasPrefix(doc.Error, "bad.yaml:6:15:") {
		t.Errorf("json error %q: %v", out, err)
	}
}

// A listing has no findings: the flags that only shape a report of
// findings are refused rather than ignored, and a listing is written like
// a report (a file that cannot be written is named, in words).
func TestRolesListingFlags(t *testing.T) {
	for _, flag := range [][]string{{"-v"}, {"--fail-on", "warn"}, {"--no-color"}} {
		name := flag[0]
		if name == "-v" {
			name = "--verbose"
		}
		out, errOut, code := runVoipsec(t, append([]string{"roles", "--tasks"}, flag...)...)
		if code != exitError || out != "" || !strings.Contains(errOut, "voipsec roles: error: "+name+" has no effect on a listing") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", flag, code, out, errOut)
		}
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		_, errOut, code := runVoipsec(t, "roles", "--credentials", "-o", "/dev/full")
		if want := "voipsec roles: error: --output /dev/full: cannot write it: no space left on device\n"; code != exitError || errOut != want || libraryText.MatchString(errOut) {
			t.Errorf("/dev/full: exit %d %q, want %q", code, errOut, want)
		}
	}
	path := filepath.Join(t.TempDir(), "roles.json")
	out, errOut, code := runVoipsec(t, "roles", "--roles", "--format", "json", "-o", path)
	if b, err := os.ReadFile(path); code != 0 || out != "" || errOut != "" || err != nil || !strings.Contains(string(b), `"predefined"`) {
		t.Errorf("-o: exit %d, stdout %q, stderr %q, file %v %.100q", code, out, errOut, err, b)
	}
}
