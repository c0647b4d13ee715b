package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/plantest"
	"github.com/voipsec/voipsec/matrix"
)

// Flags that contradict each other are refused before anything is sent,
// with a usage error naming both, never silently ignored.
func TestFlagConflicts(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("plan.yaml", []byte("voipsec_plan: 1\nmediation_servers:\n  - fqdn: med01\n    internal: {address: 10.0.0.1}\n    external: {address: 10.0.0.2}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "probe-key.pem")
	cases := []struct {
		args []string
		want string
	}{
		// TLS flags when no target can be TLS.
		{[]string{"probe", "--cert", "probe.pem", "--key", "probe-key.pem", "udp://gw01:5060"}, "--cert is for TLS, but the target udp://gw01:5060 names UDP or TCP"},
		{[]string{"probe", "--enumerate", "tcp://gw01:5060", "sip:gw02;transport=udp"}, "--enumerate is for TLS, but every target (tcp://gw01:5060, sip:gw02;transport=udp) names UDP or TCP"},
		{[]string{"probe", "--server-name", "gw01.contoso.com", "--ca", "ca.pem", "tcp://gw01:5060"}, "--ca is for TLS"},
		// The edges of one Mediation Server are two listeners.
		{[]string{"probe", "--internal", "tls://med01:5061", "--external", "tcp://MED01:5061"}, "--internal tls://med01:5061 and --external tcp://MED01:5061 are the same host and port"},
		{[]string{"probe", "tls://med01:5061", "med01:5061"}, `tls://med01:5061 is given twice (as "tls://med01:5061" and "med01:5061")`},
		// A role that requires what the declared level says the edge does not do.
		{[]string{"probe", "--role", "um", "--voip-security", "Unsecured", "um01:5060"}, "--role um contradicts --voip-security Unsecured: the role requires mutual TLS; VoIPSecurity Unsecured signals over TCP without TLS"},
		{[]string{"probe", "--role", "mediation-internal", "--voip-security", "SIPSecured", "med01:5061"}, "--role mediation-internal contradicts --voip-security SIPSecured: the role requires SRTP media; VoIPSecurity SIPSecured carries plain RTP"},
		{[]string{"probe", "--role", "mediation-internal", "--encryption", "rejected", "med01:5061"}, "--role mediation-internal contradicts --encryption rejected: the role requires SRTP media"},
		{[]string{"probe", "--role", "gateway", "--voip-security", "Unsecured", "gw01:5060"}, "--role gateway contradicts --voip-security Unsecured: the role requires TLS signalling"},
		{[]string{"probe", "--internal", "med01:5061", "--external", "med01:5060", "--voip-security", "SIPSecured"}, "--internal (role mediation-internal) contradicts --voip-security SIPSecured"},
		// The report must not overwrite an input.
		{[]string{"probe", "--cert", "probe.pem", "--key", key, "-o", "probe-key.pem", "tls://med01:5061"}, "--output probe-key.pem is the --key file: the report would overwrite it"},
		{[]string{"check", "-o", "./plan.yaml", "plan.yaml"}, "--output ./plan.yaml is the plan file: the report would overwrite it"},
		// --offline runs no live check: their flags would have no effect.
		{[]string{"check", "--offline", "--timeout", "5m", "plan.yaml"}, "--timeout has no effect with --offline"},
		{[]string{"check", "--offline", "--step-timeout", "1s", "plan.yaml"}, "--step-timeout has no effect with --offline"},
		{[]string{"check", "--offline", "--media-seconds", "2", "plan.yaml"}, "--media-seconds has no effect with --offline"},
		{[]string{"check", "--offline", "-j", "8", "plan.yaml"}, "--jobs has no effect with --offline"},
		{[]string{"check", "--offline", "--progress", "always", "plan.yaml"}, "--progress has no effect with --offline"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runVoipsec(t, c.args...)
			if code != exitError || out != "" || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "voipsec: hint: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, c.want)
			}
		})
	}
	// Not contradictions: a target without a transport may speak TLS, and a
	// gateway may meet a level that asks for more than its role.
	for _, args := range [][]string{
		{"probe", "--enumerate", "--step-timeout", "1s", "127.0.0.1:1"},
		{"probe", "--role", "gateway", "--voip-security", "Secured", "--step-timeout", "1s", "sip:127.0.0.1:1;transport=tcp"},
	} {
		out, errOut, code := runVoipsec(t, args...)
		if strings.Contains(errOut, "is for TLS") || strings.Contains(errOut, "contradicts") || !strings.Contains(out+errOut, "127.0.0.1:1") {
			t.Errorf("%v: exit %d %q, want it probed", args, code, errOut)
		}
	}
}

// Without --role, a role the port suggests but the declared level
// contradicts gives way to one the level allows, and says why.
func TestAssumeRole(t *testing.T) {
	level := func(v matrix.VoipSecurity) matrix.Declared { return matrix.Declared{VoipSecurity: &v} }
	rejected := matrix.Rejected
	for _, c := range []struct {
		port     int
		declared matrix.Declared
		role     matrix.Role
		why      string
	}{
		{5061, matrix.Declared{}, matrix.RoleMediationInternal, "port 5061"},
		{5061, level(matrix.Secured), matrix.RoleMediationInternal, "port 5061"},
		{5061, level(matrix.SIPSecured), matrix.RoleUM, "port 5061 and --voip-security SIPSecured"},
		{5061, matrix.Declared{Encryption: &rejected}, matrix.RoleUM, "port 5061 and --encryption rejected"},
		{5061, level(matrix.Unsecured), matrix.RoleSIPEdge, "port 5061 and --voip-security Unsecured"},
		{5060, level(matrix.Unsecured), matrix.RoleSIPEdge, "port 5060"},
	} {
		role, why := assumeRole(c.port, c.declared)
		if role != c.role || why != c.why {
			t.Errorf("port %d, %+v: %s (%s), want %s (%s)", c.port, c.declared, role, why, c.role, c.why)
		}
	}
}

// -o never replaces an input: not the plan (check and roles), nor a file
// the plan names (its CA, client certificate and key, a server's
// certificate, an access export). The refusal comes before any work, and
// the file is untouched.
func TestOutputNeverOverwritesPlanFiles(t *testing.T) {
	example := plantest.Stage(t, filepath.Join(plansDir, "example.yaml"))
	pki := filepath.Join(filepath.Dir(example), "pki")
	accessPlan := stageAccessPlan(t, "example.yaml") // the working directory is now its folder
	cases := []struct {
		args []string
		file string // must stay as it is
		want string
	}{
		{[]string{"roles", "-o", accessPlan, accessPlan}, accessPlan, "--output example.yaml is the plan file: the report would overwrite it"},
		{[]string{"roles", "--format", "sarif", "-o", "ad/group-members.csv", accessPlan}, "ad/group-members.csv", "--output ad/group-members.csv is the plan's access.group_members file"},
		{[]string{"roles", "-o", "./ad/admin-roles.json", accessPlan}, "ad/admin-roles.json", "is the plan's access.admin_roles file"},
		{[]string{"check", "--offline", "-o", "ad/group-members.csv", accessPlan}, "ad/group-members.csv", "is the plan's access.group_members file"},
		{[]string{"check", "--offline", "-o", filepath.Join(pki, "ca.pem"), example}, filepath.Join(pki, "ca.pem"), "is the plan's trust.ca file"},
		{[]string{"check", "--offline", "-o", filepath.Join(pki, "probe.pem"), example}, filepath.Join(pki, "probe.pem"), "is the plan's trust.client_certificate file"},
		{[]string{"check", "--format", "junit", "-o", filepath.Join(pki, "probe-key.pem"), example}, filepath.Join(pki, "probe-key.pem"), "is the plan's trust.client_key file"},
		{[]string{"check", "--offline", "-o", filepath.Join(pki, "um01.pem"), example}, filepath.Join(pki, "um01.pem"), "is the plan's exchange_um.servers[0].certificate file"},
		{[]string{"check", "--offline", "-o", filepath.Join(pki, "med01.pem"), example}, filepath.Join(pki, "med01.pem"), "is the plan's mediation_servers[0].certificate file"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			before, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			out, errOut, code := runVoipsec(t, c.args...)
			if code != exitError || out != "" || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "voipsec: hint: write the report to another file") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, c.want)
			}
			if after, _ := os.ReadFile(c.file); string(after) != string(before) {
				t.Errorf("%s was changed", c.file)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refused only after %v: before any work", d)
			}
		})
	}
}
