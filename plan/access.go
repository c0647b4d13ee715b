package plan

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/voipsec/voipsec/access"
	"github.com/voipsec/voipsec/report"
)

// Access is the plan's access section: who performs which deployment
// task, what their work is limited to, and the exports that show what
// they hold (docs/access.md). A plan may hold only this section.
type Access struct {
	GroupMembers string // resolved path of the group membership export (access.group_members)
	AdminRoles   string // resolved path of the RBAC roles export (access.admin_roles); "" when not given
	// Review is the exports, read, and the operators with their tasks,
	// ready for [access.Judge]; operators' findings point at their plan
	// lines.
	Review access.Review
}

// AccessChecks runs only the access checks (deployment credentials and
// RBAC least privilege) over the plan's access section: what `voipsec
// roles PLAN` reports. [Static] includes them. A plan without an access
// section has none.
func AccessChecks(p *Plan) []report.Finding {
	if p.Access == nil {
		return nil
	}
	return access.Judge(&p.Access.Review)
}

// accessComponents are the access section's finding targets, in report
// order: operators, then RBAC roles.
func (p *Plan) accessComponents() []string {
	if p.Access == nil {
		return nil
	}
	var out []string
	for _, o := range p.Access.Review.Operators {
		out = append(out, access.OperatorTarget(o.Account))
	}
	if roles := p.Access.Review.Roles; roles != nil {
		out = append(out, access.RoleTarget(access.CsAdministrator))
		for _, r := range roles.Roles {
			out = append(out, access.RoleTarget(r.Identity))
		}
	}
	return out
}

// accessSuites names the JUnit suites of the access section's targets:
// "access/operator/ACCOUNT", "access/role/IDENTITY".
func (p *Plan) accessSuites(add func(target, suite string)) {
	if p.Access == nil {
		return
	}
	for _, o := range p.Access.Review.Operators {
		add(access.OperatorTarget(o.Account), "access/operator/"+o.Account)
	}
	add(access.RoleTarget(access.CsAdministrator), "access/role/"+access.CsAdministrator)
	if roles := p.Access.Review.Roles; roles != nil {
		for _, r := range roles.Roles {
			add(access.RoleTarget(r.Identity), "access/role/"+r.Identity)
		}
	}
}

// access loads the access section.
func (l *loader) access(n *yaml.Node, path string) {
	a := &Access{}
	r := &a.Review
	var lyncPath, scriptsPath string
	var limitedAt []string // field paths of operators' sites and user_ous
	errs := len(l.errs)
	seen, ok := l.mapping(n, path, map[string]fieldFunc{
		"group_members": func(v *yaml.Node, fp string) {
			a.GroupMembers, r.Members = readExportAt(l, v, fp, access.ReadMembers)
		},
		"admin_roles": func(v *yaml.Node, fp string) {
			a.AdminRoles, r.Roles = readExportAt(l, v, fp, access.ReadAdminRoles)
		},
		"setup_delegation_group": func(v *yaml.Node, fp string) { l.str(v, fp, &r.SetupDelegationGroup) },
		"max_cs_administrators": func(v *yaml.Node, fp string) {
			if n, ok := l.integer(v, fp, 1, 1000); ok {
				r.MaxCSAdministrators = n
			}
		},
		"lync_module_path":   func(v *yaml.Node, fp string) { lyncPath = l.windowsFolder(v, fp) },
		"admin_scripts_path": func(v *yaml.Node, fp string) { scriptsPath = l.windowsFolder(v, fp) },
		"operators": func(v *yaml.Node, fp string) {
			accounts := map[string]string{}
			l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
				o, ok := l.operator(it, ip, accounts)
				if !ok {
					return
				}
				if len(o.Sites) > 0 || len(o.UserOUs) > 0 {
					limitedAt = append(limitedAt, ip)
				}
				r.Operators = append(r.Operators, o)
			})
		},
	}, "group_members")
	if !ok {
		return
	}
	// What the section lacks as a whole is only worth saying once its
	// fields are right (a misspelt "operators" is the problem, not that
	// nothing is left to check).
	if !seen["admin_roles"] && len(l.errs) == errs {
		for _, k := range []string{"max_cs_administrators", "lync_module_path", "admin_scripts_path"} {
			if seen[k] {
				l.errAt(l.at(join(path, k)), join(path, k), "%s applies to the RBAC roles: name the Get-CsAdminRole export in access.admin_roles", k)
			}
		}
		for _, ip := range limitedAt {
			l.errAt(l.at(ip), ip, "sites and user_ous are judged against the RBAC roles: name the Get-CsAdminRole export in access.admin_roles")
		}
		if !seen["operators"] {
			l.errAt(n, path, "access declares nothing to check: list operators, or name the RBAC roles export in admin_roles")
		}
	}
	if seen["lync_module_path"] || seen["admin_scripts_path"] {
		r.ScriptPaths = []string{access.DefaultLyncModulePath, access.DefaultAdminScriptsPath}
		if lyncPath != "" {
			r.ScriptPaths[0] = lyncPath
		}
		if scriptsPath != "" {
			r.ScriptPaths[1] = scriptsPath
		}
	}
	// Operators' findings point at their plan lines.
	for i := range r.Operators {
		o := &r.Operators[i]
		ip := fmt.Sprintf("%s.operators[%d]", path, i)
		o.At = l.p.Location(ip + ".account")
		for j := range o.Tasks {
			o.TasksAt = append(o.TasksAt, l.p.Location(fmt.Sprintf("%s.tasks[%d]", ip, j)))
		}
		if len(o.Sites) > 0 {
			o.ScopeAt = l.p.Location(ip + ".sites")
		} else if len(o.UserOUs) > 0 {
			o.ScopeAt = l.p.Location(ip + ".user_ous")
		}
	}
	if r.Members != nil {
		l.p.Access = a
	}
}

// at is a node standing for the position recorded for a field path, for
// errors reported after the walk.
func (l *loader) at(path string) *yaml.Node {
	ps := l.p.pos[path]
	return &yaml.Node{Line: ps.line, Column: ps.col}
}

// where names a field path and its line, for "already listed" errors.
func (l *loader) where(path string) string {
	if ps, ok := l.p.pos[path]; ok {
		return fmt.Sprintf("%s, line %d", path, ps.line)
	}
	return path
}

// readExportAt reads the export a plan field names (relative to the plan's
// folder), reporting an unreadable or malformed one at the field with the
// export's own file:line.
func readExportAt[T any](l *loader, n *yaml.Node, path string, read func(string) (T, error)) (string, T) {
	var zero T
	s, ok := l.scalar(n, path, "a file path")
	if !ok {
		return "", zero
	}
	p := s
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.p.Dir, p)
	}
	v, err := read(p)
	if err != nil {
		l.errAtCause(n, path, err, "%v", err)
		return "", zero
	}
	return p, v
}

// windowsFolder reads an absolute Windows folder: C:\... or \\server\share\....
func (l *loader) windowsFolder(n *yaml.Node, path string) string {
	s, ok := l.scalar(n, path, "a Windows folder")
	if !ok {
		return ""
	}
	p := strings.ReplaceAll(strings.TrimSpace(s), "/", `\`)
	drive := len(p) >= 3 && p[1] == ':' && p[2] == '\\' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
	if !drive && !(strings.HasPrefix(p, `\\`) && len(p) > 2) {
		l.errAt(n, path, `expected an absolute Windows folder (C:\... or \\server\share\...), got %q`, clip(s))
		return ""
	}
	return p
}

// operator loads one entry of access.operators; accounts maps the accounts
// seen so far to their field paths, to report one listed twice.
func (l *loader) operator(n *yaml.Node, path string, accounts map[string]string) (access.Operator, bool) {
	var o access.Operator
	tasks := map[*access.Task]string{}
	_, ok := l.mapping(n, path, map[string]fieldFunc{
		"account": func(v *yaml.Node, fp string) {
			var s string
			l.str(v, fp, &s)
			switch {
			case s == "":
			case strings.Contains(s, "@"):
				l.errAt(v, fp, "%q is a user principal name: give the SamAccountName (or DOMAIN\\name) the membership export lists", clip(s))
			case strings.TrimSpace(access.AccountName(s)) == "":
				l.errAt(v, fp, "%q names no account after the domain", clip(s))
			default:
				k := strings.ToLower(strings.TrimSpace(access.AccountName(s)))
				if prev, dup := accounts[k]; dup {
					l.errAt(v, fp, "operator %q is already listed (%s)", clip(s), l.where(prev))
					return
				}
				accounts[k] = fp
				o.Account = strings.TrimSpace(s)
			}
		},
		"tasks": func(v *yaml.Node, fp string) {
			l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
				var s string
				l.str(it, ip, &s)
				if s == "" {
					return
				}
				t, err := access.LookupTask(s)
				if err != nil {
					l.errAtCause(it, ip, err, "%s", taskError(err))
					return
				}
				if prev, dup := tasks[t]; dup {
					l.errAt(it, ip, "task %s is already listed (%s)", t.ID, l.where(prev))
				}
				tasks[t] = ip
				o.Tasks = append(o.Tasks, t)
			})
		},
		"sites": func(v *yaml.Node, fp string) {
			l.scopes(v, fp, access.SiteScope, &o.Sites)
		},
		"user_ous": func(v *yaml.Node, fp string) {
			l.scopes(v, fp, access.OUScope, &o.UserOUs)
		},
		"attested": func(v *yaml.Node, fp string) {
			l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
				if c, ok := l.attested(it, ip); ok {
					o.Attested = append(o.Attested, c)
				}
			})
		},
	}, "account")
	return o, ok && o.Account != ""
}

// taskError words an access.LookupTask error for the plan.
func taskError(err error) string {
	var ue *access.UnknownTaskError
	if !errors.As(err, &ue) {
		return err.Error()
	}
	names := make([]string, len(ue.Closest))
	for i, t := range ue.Closest {
		names[i] = fmt.Sprintf(`%s "%s"`, t.ID, t.Name())
	}
	if ue.Ambiguous {
		return fmt.Sprintf("task %q is in several sections (%s); name it \"section / procedure\" or by ID", clip(ue.Name), strings.Join(names, ", "))
	}
	msg := fmt.Sprintf("unknown task %q", ue.Name)
	if len(names) > 0 {
		msg += "; closest: " + strings.Join(names, ", ")
	}
	return msg + " ('voipsec roles --tasks' lists every task and its ID)"
}

// scopes reads a list of sites (kind SiteScope: "Site01" or "site:Site01")
// or of OUs (kind OUScope: "OU=Sales,DC=contoso,DC=com" or "OU:OU=...").
func (l *loader) scopes(n *yaml.Node, path string, kind access.ScopeKind, dst *[]string) {
	prefix := map[access.ScopeKind]string{access.SiteScope: "site:", access.OUScope: "OU:"}[kind]
	l.sequence(n, path, func(it *yaml.Node, ip string, _ int) {
		var s string
		l.str(it, ip, &s)
		if s == "" {
			return
		}
		v := strings.TrimSpace(s)
		if len(v) >= len(prefix) && strings.EqualFold(v[:len(prefix)], prefix) {
			v = v[len(prefix):]
		}
		sc, err := access.ParseScope(prefix + v)
		if err != nil {
			reason := strings.TrimPrefix(err.Error(), "access: ")
			var se *access.ScopeError
			if errors.As(err, &se) {
				reason = se.Reason
			}
			l.errAtCause(it, ip, err, "bad %s scope %q: %s", strings.TrimSuffix(prefix, ":"), clip(s), reason)
			return
		}
		*dst = append(*dst, sc.Value)
	})
}

// attested reads a credential key an operator attests: only credentials
// AD cannot show.
func (l *loader) attested(n *yaml.Node, path string) (access.Credential, bool) {
	s, ok := l.scalar(n, path, "a credential key")
	if !ok {
		return 0, false
	}
	outside := access.CredentialKeys(access.Local, access.External, access.Condition)
	c, err := access.ParseCredential(s)
	if err != nil {
		msg := fmt.Sprintf("unknown credential %q (accepted: %s)", clip(s), strings.Join(outside, ", "))
		if best := closestName(s, outside); best != "" {
			msg += "; did you mean " + best + "?"
		}
		l.errAtCause(n, path, err, "%s", msg)
		return 0, false
	}
	if c.Info().Kind.Visible() {
		l.errAt(n, path, "%s is the AD group %s: the membership export shows it, so it cannot be attested (attest only: %s)", c.Key(), c.Info().Group, strings.Join(outside, ", "))
		return 0, false
	}
	return c, true
}
