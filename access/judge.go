package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/voipsec/voipsec/report"
)

// Review is what the access checks judge: the exports (the facts) and the
// plan's access section (the expectations).
type Review struct {
	// Members is the group membership export. Required.
	Members *Members
	// Roles is the RBAC roles export; nil when the plan names none, and the
	// RBAC checks then do not run.
	Roles *AdminRoles
	// Operators are the people the plan gives tasks to.
	Operators []Operator
	// SetupDelegationGroup is the group the setup delegation wizard gave
	// the permissions Domain Admins would otherwise need to deploy or
	// activate a server; "" when the wizard was not used.
	SetupDelegationGroup string
	// MaxCSAdministrators is how many members of the CsAdministrator
	// role's group are acceptable; 0 means [DefaultMaxCSAdministrators].
	MaxCSAdministrators int
	// ScriptPaths are the folders a role's scripts and modules may live
	// in; nil means [DefaultLyncModulePath] and [DefaultAdminScriptsPath].
	ScriptPaths []string
}

// Operator is a person the plan gives deployment tasks to.
type Operator struct {
	Account  string // SamAccountName or DOMAIN\name, as the plan writes it
	Tasks    []*Task
	Sites    []string // the sites their work is limited to (RBAC config scope)
	UserOUs  []string // the OUs of the users their work is limited to (RBAC user scope)
	Attested []Credential
	// Where findings about the operator point (nil: nowhere): the
	// operator, each of Tasks, and their sites or OUs.
	At      *report.Location
	TasksAt []*report.Location
	ScopeAt *report.Location
}

// OperatorTarget is the finding target of an operator.
func OperatorTarget(account string) string { return "operator " + account }

// RoleTarget is the finding target of an RBAC role.
func RoleTarget(identity string) string { return "RBAC role " + identity }

// Judge runs the access checks over the review and returns their
// findings, passing ones included: for each operator, CRED-MISSING for
// each task, CRED-EXCESS, and RBAC-GLOBAL-SCOPE when their work is
// limited to sites or OUs; with an RBAC export, RBAC-CSADMIN-BROAD once,
// RBAC-ROLE-INVALID for each custom role and RBAC-SCRIPT-PATH for each role
// with script modules. It reads nothing but the review.
func Judge(r *Review) []report.Finding {
	var out []report.Finding
	for i := range r.Operators {
		o := &r.Operators[i]
		e := r.evidence(o)
		for j, t := range o.Tasks {
			out = append(out, locate(e.missing(t), at(o.TasksAt, j)))
		}
		out = append(out, locateAll(e.excess(), o.At)...)
		if r.Roles != nil && (len(o.Sites) > 0 || len(o.UserOUs) > 0) {
			out = append(out, locate(e.globalScope(), o.ScopeAt))
		}
	}
	if r.Roles != nil {
		out = append(out, r.csAdministrators())
		for _, role := range r.Roles.Roles {
			if !role.IsStandardRole {
				out = append(out, r.roleValid(role))
			}
			if len(role.ScriptModules) > 0 {
				out = append(out, r.scriptPaths(role))
			}
		}
	}
	return out
}

func at(locs []*report.Location, i int) *report.Location {
	if i < len(locs) {
		return locs[i]
	}
	return nil
}

func locate(f report.Finding, l *report.Location) report.Finding {
	if l != nil {
		f.Location = l
	}
	return f
}

func locateAll(fs []report.Finding, l *report.Location) []report.Finding {
	for i := range fs {
		fs[i] = locate(fs[i], l)
	}
	return fs
}

// operatorEvidence is what the exports and the plan show about one
// operator.
type operatorEvidence struct {
	r        *Review
	o        *Operator
	target   string
	attested map[Credential]bool
}

func (r *Review) evidence(o *Operator) *operatorEvidence {
	e := &operatorEvidence{r: r, o: o, target: OperatorTarget(o.Account), attested: map[Credential]bool{}}
	for _, c := range o.Attested {
		e.attested[c] = true
	}
	return e
}

// group is the evidence of membership of an AD group by name.
func (e *operatorEvidence) group(name string) (Holding, Member, *GroupMembers) {
	g, ok := e.r.Members.Group(name)
	if !ok {
		return Unknown, Member{}, nil
	}
	if mb, ok := g.Member(e.o.Account); ok {
		return Holds, mb, g
	}
	return Lacks, Member{}, g
}

// holding is the evidence for one credential, without delegation.
func (e *operatorEvidence) holding(c Credential) Holding {
	info := c.Info()
	if info.Kind.Visible() {
		h, _, _ := e.group(info.Group)
		return h
	}
	if e.attested[c] {
		return Attested
	}
	return Unknown
}

// delegates reports whether, on task t, the setup delegation group stands
// in for Domain Admins.
func (e *operatorEvidence) delegates(t *Task) bool {
	return t.Delegable && e.r.SetupDelegationGroup != ""
}

// delegation is the evidence of membership of the setup delegation group.
func (e *operatorEvidence) delegation() Holding {
	h, _, _ := e.group(e.r.SetupDelegationGroup)
	return h
}

// holdingFor is the evidence for a credential as task t needs it: on a
// delegable task, the setup delegation group stands in for Domain Admins.
// without, when not zero, is a credential taken away (what-if for
// CRED-EXCESS).
func (e *operatorEvidence) holdingFor(t *Task, without Credential) func(Credential) Holding {
	return e.holdingIn(t, without, nil)
}

// delegationAtom names the setup delegation group among the pieces of
// unknown evidence (a [world]'s keys and an [evidenceHint]'s atoms); every
// other atom is a credential.
const delegationAtom Credential = 0

// world resolves unknown evidence one way: each credential it holds, and
// the setup delegation group under [delegationAtom], is held or lacked as
// it says. Evidence that is not unknown is never changed.
type world map[Credential]Holding

// holdingIn is holdingFor in the world w.
func (e *operatorEvidence) holdingIn(t *Task, without Credential, w world) func(Credential) Holding {
	resolve := func(atom Credential, h Holding) Holding {
		if r, ok := w[atom]; ok && h == Unknown {
			return r
		}
		return h
	}
	return func(c Credential) Holding {
		h := Lacks
		if c != without {
			h = resolve(c, e.holding(c))
		}
		if c == DomainAdmins && e.delegates(t) {
			h = max(h, resolve(delegationAtom, e.delegation()))
		}
		return h
	}
}

// unknownAtoms is the evidence task t depends on that nothing shows: the
// credentials its need names whose evidence is unknown, and the setup
// delegation group when it stands in for Domain Admins and is not exported.
func (e *operatorEvidence) unknownAtoms(t *Task) []Credential {
	var atoms []Credential
	for _, c := range t.Need.Credentials() {
		if e.holding(c) == Unknown {
			atoms = append(atoms, c)
		}
	}
	if t.Need.Mentions(DomainAdmins) && e.delegates(t) && e.delegation() == Unknown {
		atoms = append(atoms, delegationAtom)
	}
	return atoms
}

// describe is the evidence for c in words, for a finding's detail.
func (e *operatorEvidence) describe(c Credential) string {
	info := c.Info()
	if info.Kind.Visible() {
		return e.describeGroup(c.String(), info.Group)
	}
	if e.attested[c] {
		return fmt.Sprintf("%s: attested by the plan (%s; AD cannot show it)", c, info.Kind)
	}
	return fmt.Sprintf("%s: AD cannot show it (%s) and the plan does not attest it", c, info.Kind)
}

func (e *operatorEvidence) describeGroup(what, group string) string {
	h, mb, g := e.group(group)
	label := what
	if !strings.EqualFold(what, group) {
		label = fmt.Sprintf("%s (group %s)", what, group)
	}
	switch h {
	case Holds:
		return fmt.Sprintf("%s: member, %s:%d", label, e.r.Members.File, mb.Line)
	case Lacks:
		return fmt.Sprintf("%s: not a member (group exported at %s:%d)", label, e.r.Members.File, g.Line)
	}
	return fmt.Sprintf("%s: the group is not in the export", label)
}

// taskEvidence is the detail of a task's finding: what it needs and the
// evidence for each credential.
func (e *operatorEvidence) taskEvidence(t *Task) string {
	var parts []string
	for _, c := range t.Need.Credentials() {
		parts = append(parts, e.describe(c))
		if c == DomainAdmins && t.Delegable && e.r.SetupDelegationGroup != "" {
			parts = append(parts, e.describeGroup("setup delegation group", e.r.SetupDelegationGroup))
		}
	}
	return fmt.Sprintf("%s needs %s. Evidence: %s.", t.ID, t.Need, strings.Join(parts, "; "))
}

// taskLabel is `ID "Name"`, quoted without escapes: the source's no-break
// spaces stay as they are.
func taskLabel(t *Task) string { return fmt.Sprintf(`%s "%s"`, t.ID, t.Name()) }

// missing judges CRED-MISSING for one task.
func (e *operatorEvidence) missing(t *Task) report.Finding {
	h := e.holdingFor(t, 0)
	v := t.Need.Eval(h)
	short := t.Need.Short(h)
	who := e.o.Account
	var f report.Finding
	switch v {
	case Holds:
		f = report.Passed("CRED-MISSING", e.target, fmt.Sprintf("%s holds what %s needs", who, taskLabel(t)))
	case Attested:
		f = report.Newf("CRED-MISSING", e.target, "%s holds what %s needs only by the plan's word for %s", who, taskLabel(t), e.shortNames(t, short)).
			WithSeverity(report.Info)
	case Unknown:
		f = report.CouldNotTell("CRED-MISSING", e.target,
			fmt.Sprintf("cannot tell whether %s has %s for %s", who, e.shortNames(t, short), taskLabel(t)),
			e.evidenceHint(e.shortAtoms(t, short)))
	default:
		f = report.Newf("CRED-MISSING", e.target, "%s lacks %s for %s", who, e.shortNames(t, short), taskLabel(t))
	}
	f.Detail = e.taskEvidence(t)
	if t.Reading != "" {
		f.Detail += " Reading of the source: " + t.Reading + "."
	}
	if v == Lacks {
		if !e.r.Members.Knows(who) {
			f.Detail += fmt.Sprintf(" %s is in no group of %s: check the account name (SamAccountName or DOMAIN\\name).", who, e.r.Members.File)
		}
		if t.Delegable && t.Need.Mentions(DomainAdmins) && e.r.SetupDelegationGroup == "" {
			f.Detail += " If the setup delegation wizard gave a group Domain Admins' deployment permissions, name it in access.setup_delegation_group."
		}
	}
	f.Ref = t.Ref()
	return f
}

// shortNames renders the shortfalls of task t in words: "Domain Admins",
// "Domain Admins or RTCUniversalServerAdmins", and where the setup
// delegation group stands in for Domain Admins, "Domain Admins or the
// setup delegation group NAME".
func (e *operatorEvidence) shortNames(t *Task, s []Shortfall) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = x.Need.String()
		if !e.delegates(t) || !x.Need.Mentions(DomainAdmins) {
			continue
		}
		if x.Need.Op == Has {
			parts[i] += " or the setup delegation group " + e.r.SetupDelegationGroup
		} else {
			parts[i] += " (or, for Domain Admins, the setup delegation group " + e.r.SetupDelegationGroup + ")"
		}
	}
	return strings.Join(parts, " and ")
}

// shortAtoms is the unknown evidence behind the shortfalls of task t:
// the credentials whose evidence is unknown and, where it stands in for
// Domain Admins, the setup delegation group when it is not exported.
func (e *operatorEvidence) shortAtoms(t *Task, short []Shortfall) []Credential {
	var atoms []Credential
	for _, s := range short {
		for _, c := range s.Need.Credentials() {
			if e.holding(c) == Unknown && !slices.Contains(atoms, c) {
				atoms = append(atoms, c)
			}
			if c == DomainAdmins && e.delegates(t) && e.delegation() == Unknown && !slices.Contains(atoms, delegationAtom) {
				atoms = append(atoms, delegationAtom)
			}
		}
	}
	return atoms
}

// evidenceHint says what would decide the unknown evidence atoms: the
// groups to add to the membership export, the rights to attest.
func (e *operatorEvidence) evidenceHint(atoms []Credential) string {
	var groups, names, keys []string
	for _, c := range atoms {
		if c == delegationAtom {
			groups = append(groups, e.r.SetupDelegationGroup)
			continue
		}
		if info := c.Info(); info.Kind.Visible() {
			groups = append(groups, info.Group)
		} else {
			names, keys = append(names, info.Name), append(keys, info.Key)
		}
	}
	var hints []string
	if len(groups) > 0 {
		hints = append(hints, exportGroupsHint(groups...))
	}
	if len(keys) > 0 {
		hints = append(hints, fmt.Sprintf("AD cannot show %s: confirm it outside AD, then list it under the operator's attested: [%s]", strings.Join(names, "; "), strings.Join(keys, ", ")))
	}
	return strings.Join(hints, "; ")
}

// helpAccess is where hints send the reader: the binary carries
// docs/access.md, the one-liners that write the exports included.
const helpAccess = "'voipsec help access' has the one-liner"

// exportGroupsHint is the hint for groups missing from the membership
// export.
func exportGroupsHint(groups ...string) string {
	return fmt.Sprintf("add the group %s to the membership export (%s)", strings.Join(groups, ", "), helpAccess)
}

// necessity is whether a task needs a credential the operator holds.
type necessity uint8

const (
	notNeeded necessity = iota
	needed
	undecided
)

// needs judges whether task t needs the credential c, which the operator
// holds: whether, taken away, it leaves the task unmet where it was met.
// Evidence that nothing shows (a group not exported, a right not attested,
// the setup delegation group) is tried both ways: c is needed when the
// task, met with it, is unmet without it however the unknowns fall; not
// needed when the task stays met without it however they fall; otherwise
// undecided, and atoms are the unknowns that decide it. A need met by the
// plan's word (attested) counts as met, as in CRED-MISSING.
func (e *operatorEvidence) needs(t *Task, c Credential) (n necessity, atoms []Credential) {
	all := e.unknownAtoms(t)
	if len(all) > maxUnknownAtoms {
		return undecided, all
	}
	met := func(h Holding) bool { return h >= Attested }
	// outcome of one world: -1 the task is unmet even with c, else whether
	// it needs c (notNeeded or needed).
	outcome := make([]int, 1<<len(all))
	saw := map[int]bool{}
	for bits := range outcome {
		w := world{}
		for i, a := range all {
			w[a] = Lacks
			if bits&(1<<i) != 0 {
				w[a] = Holds
			}
		}
		switch {
		case !met(t.Need.Eval(e.holdingIn(t, 0, w))):
			outcome[bits] = -1
		case met(t.Need.Eval(e.holdingIn(t, c, w))):
			outcome[bits] = int(notNeeded)
		default:
			outcome[bits] = int(needed)
		}
		saw[outcome[bits]] = true
	}
	switch {
	case saw[int(needed)] && saw[int(notNeeded)]:
	case saw[int(needed)]:
		return needed, nil
	default:
		return notNeeded, nil
	}
	// The unknowns that decide: flipping one turns a world where c is
	// needed into one where it is not.
	for i, a := range all {
		for bits, o := range outcome {
			if p := outcome[bits^(1<<i)]; o >= 0 && p >= 0 && o != p {
				atoms = append(atoms, a)
				break
			}
		}
	}
	if len(atoms) == 0 {
		atoms = all
	}
	return undecided, atoms
}

// maxUnknownAtoms bounds the worlds [operatorEvidence.needs] tries (2^n).
// No need of Table 1 names more than five credentials.
const maxUnknownAtoms = 10

// excess judges CRED-EXCESS: each forest or domain administrator group the
// operator holds must be needed by one of their tasks ([operatorEvidence.needs]);
// otherwise no task needs it.
func (e *operatorEvidence) excess() []report.Finding {
	var out []report.Finding
	var none, unknown []string
	for i := range credentials {
		info := &credentials[i]
		if !info.Privileged {
			continue
		}
		c := info.Credential
		switch e.holding(c) {
		case Lacks:
			none = append(none, c.String())
			continue
		case Unknown:
			unknown = append(unknown, info.Group)
			continue
		}
		var needing, open []*Task
		var atoms []Credential
		var byWord []string
		delegableOnly := true
		for _, t := range e.o.Tasks {
			switch n, a := e.needs(t, c); n {
			case needed:
				needing = append(needing, t)
				delegableOnly = delegableOnly && t.Delegable
			case undecided:
				open = append(open, t)
				delegableOnly = delegableOnly && t.Delegable
				for _, x := range a {
					if !slices.Contains(atoms, x) {
						atoms = append(atoms, x)
					}
				}
			default:
				// Met without c only by the plan's word: say so.
				without := e.holdingFor(t, c)
				if t.Need.Eval(without) == Attested && t.Need.Eval(e.holdingFor(t, 0)) == Holds {
					byWord = append(byWord, fmt.Sprintf("%s is met by the plan's word for %s", t.ID, e.shortNames(t, t.Need.Short(without))))
				}
			}
		}
		evidence := e.describe(c)
		var f report.Finding
		switch {
		case len(needing) == 0 && len(open) > 0:
			f = report.CouldNotTell("CRED-EXCESS", e.target,
				fmt.Sprintf("cannot tell whether %s needs %s for %s", e.o.Account, c, taskIDs(open)),
				e.evidenceHint(atoms))
			var parts []string
			for _, t := range open {
				parts = append(parts, e.taskEvidence(t))
			}
			f.Detail = fmt.Sprintf("Evidence: %s. Without it, whether these tasks are met depends on what the exports and the plan do not show: %s", evidence, strings.Join(parts, " "))
		case len(needing) == 0:
			f = report.Newf("CRED-EXCESS", e.target, "%s holds %s, which none of their tasks needs", e.o.Account, c)
			f.Detail = fmt.Sprintf("Evidence: %s. Their tasks: %s.", evidence, taskIDs(e.o.Tasks))
			if len(byWord) > 0 {
				f.Detail += " Without it, " + strings.Join(byWord, "; ") + "."
			}
			if c == DomainAdmins {
				f.Detail += " " + delegationNote
			}
		case c == DomainAdmins && delegableOnly && e.r.SetupDelegationGroup == "":
			f = report.Newf("CRED-EXCESS", e.target, "%s needs Domain Admins only to deploy or activate servers (%s): the setup delegation wizard can delegate that", e.o.Account, taskIDs(needing)).
				WithSeverity(report.Info)
			f.Detail = fmt.Sprintf("Evidence: %s. %s", evidence, delegationNote)
		default:
			f = report.Passed("CRED-EXCESS", e.target, fmt.Sprintf("%s needs %s for %s", e.o.Account, c, taskIDs(needing)))
			f.Detail = "Evidence: " + evidence + "."
		}
		f.Ref = refTable1Note
		out = append(out, f)
	}
	if len(unknown) > 0 {
		f := report.CouldNotTell("CRED-EXCESS", e.target,
			fmt.Sprintf("cannot tell whether %s holds %s: not in the membership export", e.o.Account, strings.Join(unknown, ", ")),
			exportGroupsHint(unknown...))
		f.Ref = refTable1Note
		out = append(out, f)
	}
	if len(out) == 0 {
		f := report.Passed("CRED-EXCESS", e.target, fmt.Sprintf("%s holds none of %s", e.o.Account, strings.Join(none, ", ")))
		f.Ref = refTable1Note
		out = append(out, f)
	}
	return out
}

const (
	refTable1Note  = SourceTable1 + ", and the note above it: Domain Admins is required by default to deploy or activate a domain-joined server; the setup delegation wizard can give a specific group the subset of permissions instead (lines 7-8)"
	delegationNote = "The note above Table 1: instead of Domain Admins, the setup delegation wizard can give a specific group the subset of permissions deploying or activating a server needs."
)

func taskIDs(ts []*Task) string {
	if len(ts) == 0 {
		return "none"
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

// roleHolding is the evidence that the operator holds an exported role.
func (e *operatorEvidence) roleHolding(role *AdminRole) Holding {
	h, _, _ := e.group(role.Identity)
	return h
}

// globalScope judges RBAC-GLOBAL-SCOPE for an operator whose work is
// limited to sites or OUs.
func (e *operatorEvidence) globalScope() report.Finding {
	limit := scopeList(e.o.Sites, e.o.UserOUs)
	var held, unknown []*AdminRole
	for _, role := range e.r.Roles.Roles {
		if !role.Global() {
			continue
		}
		switch e.roleHolding(role) {
		case Holds:
			held = append(held, role)
		case Unknown:
			unknown = append(unknown, role)
		}
	}
	var f report.Finding
	switch {
	case len(held) > 0:
		names := make([]string, len(held))
		var detail []string
		for i, role := range held {
			names[i] = role.Identity
			detail = append(detail, e.describeGroup(role.Identity, role.Identity))
			if p, ok := PredefinedRole(role.Identity); ok && p.AlwaysGlobal {
				detail = append(detail, role.Identity+" is always assigned with a global scope: no scoped role can replace it, so keep it to people whose work is not limited")
			}
		}
		f = report.Newf("RBAC-GLOBAL-SCOPE", e.target, "%s, limited to %s, holds global role %s", e.o.Account, limit, strings.Join(names, ", "))
		f.Detail = "Evidence: " + strings.Join(detail, "; ") + "."
	case len(unknown) > 0:
		names := make([]string, len(unknown))
		for i, role := range unknown {
			names[i] = role.Identity
		}
		f = report.CouldNotTell("RBAC-GLOBAL-SCOPE", e.target,
			fmt.Sprintf("cannot tell whether %s holds global role %s: its group is not in the membership export", e.o.Account, strings.Join(names, ", ")),
			exportGroupsHint(names...))
	default:
		f = report.Passed("RBAC-GLOBAL-SCOPE", e.target, fmt.Sprintf("%s, limited to %s, holds no role with global scope", e.o.Account, limit))
	}
	if e.needsLocalLogon() {
		if f.Detail != "" {
			f.Detail += " "
		}
		f.Detail += "Their tasks need local rights on servers, and " + RuleRemoteOnly + "."
	}
	f.Ref = RuleGlobal
	return f
}

// needsLocalLogon reports whether any of the operator's tasks needs a
// local right on a computer.
func (e *operatorEvidence) needsLocalLogon() bool {
	for _, t := range e.o.Tasks {
		if t.Need.Mentions(LocalAdministrators) {
			return true
		}
	}
	return false
}

func scopeList(sites, ous []string) string {
	var parts []string
	for _, s := range sites {
		parts = append(parts, "site:"+s)
	}
	for _, s := range ous {
		parts = append(parts, "OU:"+s)
	}
	return strings.Join(parts, ", ")
}

func (r *Review) roleAt(role *AdminRole) *report.Location {
	return &report.Location{File: r.Roles.File, Line: role.Line}
}

// csAdministrators judges RBAC-CSADMIN-BROAD.
func (r *Review) csAdministrators() report.Finding {
	limit := r.MaxCSAdministrators
	if limit <= 0 {
		limit = DefaultMaxCSAdministrators
	}
	p, _ := PredefinedRole(CsAdministrator)
	target := RoleTarget(CsAdministrator)
	var f report.Finding
	g, ok := r.Members.Group(p.Group)
	if !ok {
		f = report.CouldNotTell("RBAC-CSADMIN-BROAD", target,
			fmt.Sprintf("cannot count the CsAdministrator role's members: the group %s is not in the membership export", p.Group),
			exportGroupsHint(p.Group))
		if role, ok := r.Roles.Role(CsAdministrator); ok {
			f.Location = r.roleAt(role)
		}
	} else {
		accts := g.Accounts()
		if len(accts) > limit {
			f = report.Newf("RBAC-CSADMIN-BROAD", target, "the CsAdministrator role's group %s has %d members, more than %d", g.Name, len(accts), limit)
		} else {
			f = report.Passed("RBAC-CSADMIN-BROAD", target, fmt.Sprintf("the CsAdministrator role's group %s has %d members, at most %d", g.Name, len(accts), limit))
		}
		f.Detail = fmt.Sprintf("Members: %s (exported at %s:%d).", orNone(accts), r.Members.File, g.Line)
		f.Location = &report.Location{File: r.Members.File, Line: g.Line}
	}
	f.Ref = RuleCsAdministrator
	return f
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// roleValid judges RBAC-ROLE-INVALID for a custom role.
func (r *Review) roleValid(role *AdminRole) report.Finding {
	target := RoleTarget(role.Identity)
	var problems []string
	for _, l := range []struct {
		name  string
		list  []string
		wrong ScopeKind
	}{{"ConfigScopes", role.ConfigScopes, OUScope}, {"UserScopes", role.UserScopes, SiteScope}} {
		for _, s := range l.list {
			sc, err := ParseScope(s)
			switch {
			case err != nil:
				reason := err.Error()
				var se *ScopeError
				if errors.As(err, &se) {
					reason = se.Reason
				}
				problems = append(problems, fmt.Sprintf("%s %q: %s", l.name, s, reason))
			case sc.Kind == l.wrong:
				problems = append(problems, fmt.Sprintf("%s %q: a %s scope in the wrong list (config scopes are site:NAME, user scopes OU:DN)", l.name, s, map[ScopeKind]string{SiteScope: "site", OUScope: "user"}[sc.Kind]))
			}
		}
	}
	if role.Template != "" {
		base, predefined := PredefinedRole(role.Template)
		_, exported := r.Roles.Role(role.Template)
		switch {
		case !predefined && !exported:
			problems = append(problems, fmt.Sprintf("template %q is neither a predefined role nor a role in the export", role.Template))
		case predefined && base.AlwaysGlobal && !role.Global():
			problems = append(problems, fmt.Sprintf("template %s is always assigned with a global scope, but the role is scoped", base.Name))
		}
	}
	groupUnknown := false
	if _, ok := r.Members.Group(role.Identity); !ok {
		if r.exportsRoleGroups() {
			problems = append(problems, fmt.Sprintf("its group %q is not in the membership export, which holds other role groups: the universal security group must exist before New-CsAdminRole", role.Identity))
		} else {
			groupUnknown = true
		}
	}
	var f report.Finding
	switch {
	case len(problems) > 0:
		f = report.Newf("RBAC-ROLE-INVALID", target, "custom role %s: %s", role.Identity, problems[0])
		if len(problems) > 1 {
			f.Summary += fmt.Sprintf(" (and %d more)", len(problems)-1)
		}
		f.Detail = "Problems: " + strings.Join(problems, "; ") + "."
	case groupUnknown:
		f = report.CouldNotTell("RBAC-ROLE-INVALID", target,
			fmt.Sprintf("cannot tell whether custom role %s's group exists: the membership export holds no RBAC role group", role.Identity),
			"export the RBAC roles' groups with the membership ("+helpAccess+")")
	default:
		f = report.Passed("RBAC-ROLE-INVALID", target, fmt.Sprintf("custom role %s: scopes %s; group exported", role.Identity, roleScopes(role)))
	}
	f.Location = r.roleAt(role)
	f.Ref = RuleScopes
	return f
}

// exportsRoleGroups reports whether the membership export holds the group
// of any role in the RBAC export: then a role group it lacks is missing
// from AD, not from the export.
func (r *Review) exportsRoleGroups() bool {
	for _, role := range r.Roles.Roles {
		if _, ok := r.Members.Group(role.Identity); ok {
			return true
		}
	}
	return false
}

func roleScopes(role *AdminRole) string {
	list := func(s []string) string {
		if len(s) == 0 {
			return "none"
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("config %s, user %s", list(role.ConfigScopes), list(role.UserScopes))
}

// scriptPaths judges RBAC-SCRIPT-PATH for a role with script modules.
func (r *Review) scriptPaths(role *AdminRole) report.Finding {
	allowed := r.ScriptPaths
	if len(allowed) == 0 {
		allowed = []string{DefaultLyncModulePath, DefaultAdminScriptsPath}
	}
	target := RoleTarget(role.Identity)
	var bad []string
	for _, m := range role.ScriptModules {
		if why := scriptOutside(m, allowed); why != "" {
			bad = append(bad, fmt.Sprintf("%q %s", m, why))
		}
	}
	var f report.Finding
	if len(bad) > 0 {
		f = report.Newf("RBAC-SCRIPT-PATH", target, "role %s runs %s", role.Identity, bad[0])
		if len(bad) > 1 {
			f.Summary += fmt.Sprintf(" (and %d more)", len(bad)-1)
		}
		f.Detail = "Outside the allowed paths: " + strings.Join(bad, "; ") + ". Allowed: " + strings.Join(allowed, "; ") + "."
	} else {
		f = report.Passed("RBAC-SCRIPT-PATH", target, fmt.Sprintf("role %s's script modules are in the allowed paths", role.Identity))
		f.Detail = "Script modules: " + strings.Join(role.ScriptModules, ", ") + ". Allowed: " + strings.Join(allowed, "; ") + "."
	}
	f.Location = r.roleAt(role)
	f.Ref = RuleScripts
	return f
}

// scriptOutside says why the script module m is outside the allowed
// folders, or "" when it is inside one. A bare name (the source's
// "testScript.ps1": one segment, no variable) is looked up in them and
// passes; an absolute path must be inside one; any other relative path is
// resolved against a current folder the export does not show, and fails.
func scriptOutside(m string, allowed []string) string {
	p := winPath(m)
	segs := strings.Split(p, `\`)
	if slices.Contains(segs, "..") {
		return "climbs out of its folder with \"..\""
	}
	abs := strings.HasPrefix(p, `\\`) || len(p) >= 3 && p[1] == ':' && p[2] == '\\'
	switch {
	case len(p) >= 2 && p[1] == ':' && !abs:
		return "is relative to a drive's current folder"
	case strings.HasPrefix(p, `\`) && !strings.HasPrefix(p, `\\`):
		return "is relative to the current drive"
	case strings.ContainsAny(p, "$%"):
		return "expands a variable ($name, $env:NAME or %NAME%), which may point anywhere"
	case strings.HasPrefix(p, "~"):
		return "starts in the home folder (~)"
	case !abs && (len(segs) > 1 || p == "."):
		return "is relative to the current folder"
	case !abs:
		return ""
	}
	for _, a := range allowed {
		a = strings.TrimSuffix(winPath(a), `\`)
		if len(p) > len(a) && strings.EqualFold(p[:len(a)], a) && p[len(a)] == '\\' {
			return ""
		}
	}
	return "is outside the Lync module path and the AdminScripts path"
}

// winPath trims quotes and spaces and writes separators as backslashes.
func winPath(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	return strings.ReplaceAll(s, "/", `\`)
}
