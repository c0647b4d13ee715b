package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/access"
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
)

// rolesOptions are the flags of `voipsec roles`.
type rolesOptions struct {
	Tasks       bool
	Roles       bool
	Credentials bool

	out   outputOptions
	path  string
	flags *pflag.FlagSet
}

func (o *rolesOptions) AddFlags(f *pflag.FlagSet) {
	o.flags = f
	f.BoolVar(&o.Tasks, "tasks", false, "list every deployment task of Table 1 with its ID and the credentials it needs")
	f.BoolVar(&o.Roles, "roles", false, "list the Lync Server 2013 predefined RBAC roles and the RBAC rules checked")
	f.BoolVar(&o.Credentials, "credentials", false, "list the credentials, with the keys an operator's attested: takes")
	o.out.sarif = true
	o.out.AddFlags(f)
}

// reportFlag is the first flag given that only a report of findings
// uses, or "".
func (o *rolesOptions) reportFlag() string {
	for _, name := range []string{"fail-on", "verbose", "no-color"} {
		if o.flags != nil && o.flags.Changed(name) {
			return "--" + name
		}
	}
	return ""
}

// listing reports whether a listing, not a plan, was asked for.
func (o *rolesOptions) listing() bool { return o.Tasks || o.Roles || o.Credentials }

func (o *rolesOptions) Validate(args []string) error {
	if err := o.out.Validate(); err != nil {
		return err
	}
	n := 0
	for _, b := range []bool{o.Tasks, o.Roles, o.Credentials} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		return usagef("give one of --tasks, --roles and --credentials")
	case n == 1 && len(args) > 0:
		return withHint(fmt.Errorf("--tasks, --roles and --credentials list the rules and take no plan, got %q", args[0]),
			"voipsec roles PLAN checks a plan's access section")
	case n == 1 && o.out.format != report.FormatText && o.out.format != report.FormatJSON:
		return usagef("--format %s: the listings are text or json", o.out.format)
	case n == 1 && o.reportFlag() != "":
		return withHint(fmt.Errorf("%s has no effect on a listing, which has no findings", o.reportFlag()),
			"leave it out, or give a plan: voipsec roles "+o.reportFlag()+" plan.yaml")
	case n == 0 && len(args) == 0:
		return withHint(errors.New("roles needs a plan file, or --tasks, --roles or --credentials"),
			"voipsec roles plan.yaml (its access section: voipsec help access); voipsec roles --tasks lists the tasks")
	case len(args) > 1:
		return usagef("roles takes one plan file, got %d arguments", len(args))
	case len(args) == 1:
		o.path = args[0]
		if samePath(o.path, o.out.Output) {
			return withHint(fmt.Errorf("--output %s is the plan file: the report would overwrite it", o.out.Output), "write the report to another file")
		}
	}
	return nil
}

func init() {
	register(&command{
		Name:  "roles",
		Short: "who may perform each deployment task, and RBAC least privilege",
		Usage: "voipsec roles [flags] PLAN | --tasks | --roles | --credentials",
		Long: `With PLAN, checks only the plan's access section ('voipsec help access'): for each
operator, that they hold every credential their Table 1 tasks need
(CRED-MISSING) and no Domain, Enterprise or Schema Admins membership none
of them needs (CRED-EXCESS); with the RBAC roles export, that operators
limited to sites or OUs hold no global role (RBAC-GLOBAL-SCOPE), that
CsAdministrator stays a very small set (RBAC-CSADMIN-BROAD), that custom
roles are well formed (RBAC-ROLE-INVALID) and run scripts only from the
allowed paths (RBAC-SCRIPT-PATH). The evidence is the AD group membership
and Get-CsAdminRole exports the plan names; a right AD cannot show (local
Administrator, SQL Server, the SIP trunking provider) is inconclusive
until the plan attests it. 'voipsec check PLAN' runs the same checks with
the plan's other static checks. -o naming the plan or one of its exports
is refused.

--tasks lists every procedure of Table 1 ("Administrative Credentials
Required for Deployment Tasks", OCS 2007 R2) as "section / procedure" with
its ID and the credentials it needs; plans name tasks either way.
--roles lists the predefined Lync Server 2013 RBAC roles; --credentials the
credentials and the keys an operator's attested: list takes. Listings are
text, one per line, or --format json, to stdout or -o; they have no
findings, so -v, --fail-on and --no-color are refused with them.

Examples:
  voipsec roles --tasks
  voipsec roles --tasks --format json
  voipsec roles plans/prod.yaml
  voipsec roles --format sarif -o roles.sarif plans/prod.yaml
`,
		Flags: func(f *pflag.FlagSet) any {
			o := &rolesOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*rolesOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, _ []string) (int, error) {
			o := opts.(*rolesOptions)
			if o.listing() {
				return exitOK, o.writeListing(e)
			}
			return runRoles(e, o)
		},
	})
}

// runRoles loads the plan and reports its access checks alone.
func runRoles(e *env, o *rolesOptions) (int, error) {
	p, code, err := loadPlan(e, "roles", o.path, "the access section: voipsec help access; the plan format: voipsec help plan", &o.out)
	if p == nil {
		return code, err
	}
	if p.Access == nil {
		return exitError, withHint(fmt.Errorf("%s has no access section", o.path),
			"add one naming the exports and the operators (voipsec help access)")
	}
	findings := plan.AccessChecks(p)
	p.Sort(findings)
	data := map[string]any{"plan": p.File, "group_members": p.Access.GroupMembers, "operators": len(p.Access.Review.Operators)}
	if p.Access.AdminRoles != "" {
		data["admin_roles"] = p.Access.AdminRoles
	}
	return o.out.emit(e, &report.Report{Command: "roles", Findings: findings, Data: data, Suite: p.SuiteFunc()})
}

// writeListing writes --tasks, --roles or --credentials to stdout or -o,
// the way reports are written.
func (o *rolesOptions) writeListing(e *env) error {
	return o.out.write(e, func(w io.Writer) error {
		switch asJSON := o.out.format == report.FormatJSON; {
		case o.Tasks && asJSON:
			return writeJSON(w, "tasks", taskListing())
		case o.Tasks:
			return writeTasks(w)
		case o.Roles && asJSON:
			return writeJSON(w, "roles", roleListing())
		case o.Roles:
			return writeRoles(w)
		case asJSON:
			return writeJSON(w, "credentials", access.Credentials())
		}
		return writeCredentials(w)
	})
}

func writeJSON(w io.Writer, key string, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"schema": report.SchemaVersion, "command": "roles", key: v})
}

// taskJSON is a task in `roles --tasks --format json`.
type taskJSON struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Section     string      `json:"section"`
	Procedure   string      `json:"procedure"`
	Step        string      `json:"step,omitempty"`
	Steps       []string    `json:"steps,omitempty"`
	Says        []string    `json:"says"`
	Need        access.Need `json:"need"`
	Requirement string      `json:"requirement"`
	Delegable   bool        `json:"delegable,omitempty"`
	OrNext      bool        `json:"or_next,omitempty"`
	Reading     string      `json:"reading,omitempty"`
	Lines       [2]int      `json:"lines"`
	Ref         string      `json:"ref"`
}

func taskListing() []taskJSON {
	var out []taskJSON
	for _, t := range access.Tasks() {
		j := taskJSON{ID: t.ID, Name: t.Name(), Section: t.Section.Name, Procedure: t.Procedure, Step: t.Step,
			Says: t.Says, Need: t.Need, Requirement: t.Requirement(), Delegable: t.Delegable, OrNext: t.OrNext,
			Reading: t.Reading, Lines: t.Lines, Ref: t.Ref()}
		if j.Says == nil {
			j.Says = []string{}
		}
		for _, st := range t.Steps {
			j.Steps = append(j.Steps, st.ID)
		}
		out = append(out, j)
	}
	return out
}

// writeTasks writes one task per line: ID, "section / procedure", and
// what it needs.
func writeTasks(w io.Writer) error {
	var b strings.Builder
	for _, t := range access.Tasks() {
		fmt.Fprintf(&b, "%-9s %s: %s", t.ID, t.Name(), t.Requirement())
		if t.Delegable && len(t.Steps) == 0 && t.Need.Mentions(access.DomainAdmins) {
			b.WriteString(" (or, for Domain Admins, the setup delegation group)")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rolesJSON is `roles --roles --format json`.
type rolesJSON struct {
	Roles       []*access.Role `json:"predefined"`
	ScriptPaths []string       `json:"script_paths"`
	Rules       []string       `json:"rules"`
}

var rbacRules = []string{access.RuleGlobal, access.RuleScopes, access.RuleScripts, access.RuleCsAdministrator, access.RuleRemoteOnly}

func roleListing() rolesJSON {
	return rolesJSON{Roles: access.Roles(), ScriptPaths: []string{access.DefaultLyncModulePath, access.DefaultAdminScriptsPath}, Rules: rbacRules}
}

func writeRoles(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tAD GROUP\tEXCHANGE EQUIVALENT\tTASKS")
	for _, r := range access.Roles() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Group, r.Exchange, r.Tasks)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nEvery predefined role has a global scope; CsLocationAdministrator is always global.\n")
	fmt.Fprintf(&b, "Script modules: %s or %s (defaults; access.lync_module_path, access.admin_scripts_path).\n", access.DefaultLyncModulePath, access.DefaultAdminScriptsPath)
	fmt.Fprintf(&b, "Rules checked:\n")
	for _, r := range rbacRules {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCredentials(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tKIND\tCREDENTIAL")
	for _, c := range access.Credentials() {
		name := c.Name
		if c.Kind == access.Group && !strings.EqualFold(c.Group, c.Name) {
			name += " (AD group " + c.Group + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Key, c.Kind, name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\nAD groups come from the membership export; the others only from an operator's attested: list.\n")
	return err
}
