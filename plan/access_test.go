package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/access"
	"github.com/voipsec/voipsec/report"
)

var accessPlansDir = filepath.Join(plansDir, "access")

// accessChecks are the catalog checks [AccessChecks] runs.
var accessChecks = []string{"CRED-MISSING", "CRED-EXCESS", "RBAC-CSADMIN-BROAD", "RBAC-GLOBAL-SCOPE", "RBAC-ROLE-INVALID", "RBAC-SCRIPT-PATH"}

// Each plan in testdata/plans/access names one check and the worst
// severity it must produce; every access check has a plan that produces
// it and one that does not. The plans are loaded where they are: their
// exports sit beside them in ad/.
func TestAccessPlans(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(accessPlansDir, "*.yaml"))
	covered := map[string]map[string]bool{}
	for _, path := range files {
		if filepath.Base(path) == "example.yaml" {
			continue
		}
		check := headerValue(t, path, "check")
		want := headerValue(t, path, "want")
		if covered[check] == nil {
			covered[check] = map[string]bool{}
		}
		covered[check][want] = true
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			fs := AccessChecks(p)
			var got []report.Finding
			for _, f := range fs {
				if f.Location == nil || f.Location.File == "" || f.Location.Line == 0 {
					t.Errorf("%s %s has no location: %+v", f.Check, f.Target, f.Location)
				}
				if p.Suite(f.Target) == f.Target {
					t.Errorf("target %q has no component", f.Target)
				}
				if f.Check == check {
					got = append(got, f)
				}
			}
			if len(got) == 0 {
				t.Fatalf("no %s finding in %+v", check, fs)
			}
			if worst := report.Max(got).String(); worst != want {
				t.Fatalf("%s worst severity %s, want %s: %+v", check, worst, want, got)
			}
			// Only the check under test is more than informational: each
			// plan differs from a clean one in one place.
			for _, f := range fs {
				if f.Check != check && (f.Severity == report.Inconclusive || f.Severity.AtLeast(report.Warn)) {
					t.Errorf("unexpected %s %s %s: %s", f.Severity, f.Check, f.Target, f.Summary)
				}
			}
			// Static runs the same checks.
			n := 0
			for _, f := range Static(p, fixedNow) {
				if f.Check == check {
					n++
				}
			}
			if n != len(got) {
				t.Errorf("Static has %d %s findings, AccessChecks %d", n, check, len(got))
			}
		})
	}
	for _, id := range accessChecks {
		bad := covered[id]["fail"] || covered[id]["warn"]
		if !bad || !covered[id]["pass"] {
			t.Errorf("%s lacks a plan that produces it or one that passes it (%v)", id, covered[id])
		}
	}
}

// The access example passes: nothing above info, nothing inconclusive,
// and every access check runs.
func TestAccessExample(t *testing.T) {
	p, err := Load(filepath.Join(accessPlansDir, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Endpoints()) != 0 || p.Access == nil || len(p.Access.Review.Operators) != 4 {
		t.Fatalf("example: %d endpoints, access %+v", len(p.Endpoints()), p.Access)
	}
	seen := map[string]bool{}
	for _, f := range Static(p, fixedNow) {
		seen[f.Check] = true
		if f.Severity != report.Pass && f.Severity != report.Info {
			t.Errorf("%s %s %s: %s (%s)", f.Severity, f.Check, f.Target, f.Summary, f.Hint)
		}
	}
	for _, id := range accessChecks {
		if !seen[id] {
			t.Errorf("the example never runs %s", id)
		}
	}
	alice := p.Access.Review.Operators[2]
	if alice.Account != `CONTOSO\alice` || len(alice.Tasks) != 4 || alice.Tasks[0].ID != "EE-8" || alice.Tasks[2].ID != "EE-9" ||
		len(alice.Attested) != 1 || alice.Attested[0] != access.LocalAdministrators {
		t.Errorf("alice = %+v", alice)
	}
	if loc := alice.TasksAt[1].String(); !strings.HasSuffix(loc, "example.yaml:28:11") {
		t.Errorf("alice's second task at %s", loc)
	}
	if got := p.Suite(access.OperatorTarget(`CONTOSO\bob`)); got != `access/operator/CONTOSO\bob` {
		t.Errorf("suite %q", got)
	}
	if got := p.Suite(access.RoleTarget("Site01 Server Administrators")); got != "access/role/Site01 Server Administrators" {
		t.Errorf("suite %q", got)
	}
}

// Every malformed access section fails to load with its first error at
// the file:line:col and field path its header names; an export's own
// problems name the export's file and line.
func TestInvalidAccessPlans(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(accessPlansDir, "invalid", "*.yaml"))
	if len(files) < 10 {
		t.Fatalf("only %d invalid access plans", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			wantFirstError(t, path, path+":"+strings.ReplaceAll(headerValue(t, path, "error"), "ACCESSDIR", accessPlansDir))
		})
	}
}

// An unknown task's error carries the access error, and the export's
// error carries its ExportError, for callers that branch on them.
func TestAccessErrorsUnwrap(t *testing.T) {
	_, err := Load(filepath.Join(accessPlansDir, "invalid", "unknown-task.yaml"))
	var ue *access.UnknownTaskError
	if !errors.As(err, &ue) || ue.Closest[0].ID != "SE-5" {
		t.Errorf("errors.As(*access.UnknownTaskError) on %v", err)
	}
	_, err = Load(filepath.Join(accessPlansDir, "invalid", "broken-csv.yaml"))
	var ee *access.ExportError
	if !errors.As(err, &ee) || ee.Line != 4 {
		t.Errorf("errors.As(*access.ExportError) on %v", err)
	}
}

// A plan with only an access section is a plan: it loads and has no
// endpoints.
func TestAccessOnlyPlan(t *testing.T) {
	p, err := Parse(filepath.Join(accessPlansDir, "mem.yaml"), []byte("voipsec_plan: 1\naccess:\n  group_members: ad/group-members.csv\n  operators: [{account: bob, tasks: [EE-9]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Access == nil || len(p.Endpoints()) != 0 || len(Static(p, fixedNow)) == 0 {
		t.Fatalf("access-only plan: %+v", p)
	}
	if p, _ := Parse("mem.yaml", []byte("voipsec_plan: 1\nmedia:\n  ports: 49152-57500\nipsec: {enabled: false}\n")); p == nil || p.Access != nil || AccessChecks(p) != nil {
		t.Error("a plan without access has access checks")
	}
}

// The access examples in docs/access.md and docs/plan.md load, with the
// exports of testdata/plans/access.
func TestAccessDocExamples(t *testing.T) {
	for _, doc := range []string{"../docs/access.md", "../docs/plan.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
			block = block[:strings.Index(block, "```")]
			if !strings.Contains(block, "\naccess:\n") && !strings.HasPrefix(block, "access:\n") {
				continue
			}
			if !strings.HasPrefix(block, "voipsec_plan:") {
				block = "voipsec_plan: 1\n" + block
			}
			n++
			p, err := Parse(filepath.Join(accessPlansDir, "doc.yaml"), []byte(block))
			if err != nil {
				t.Errorf("%s: %v\n%s", doc, err, block)
				continue
			}
			if p.Access == nil || len(p.Access.Review.Operators) != 2 {
				t.Errorf("%s: access %+v", doc, p.Access)
			}
		}
		if n == 0 {
			t.Errorf("%s has no access example", doc)
		}
	}
}
