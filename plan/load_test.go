package plan

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/internal/plantest"
	"github.com/voipsec/voipsec/matrix"
)

const plansDir = "../testdata/plans"

// headerValue returns the text after "# key: " on a comment line of the
// plan's header.
func headerValue(t *testing.T, file, key string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "# "+key+": "); ok {
			return v
		}
	}
	t.Fatalf("%s: no '# %s:' header", file, key)
	return ""
}

// Every malformed plan in testdata/plans/invalid fails to load with its
// first error exactly at the file:line:col and field path its header names.
func TestInvalidPlans(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(plansDir, "invalid", "*.yaml"))
	if len(files) < 15 {
		t.Fatalf("only %d invalid plans", len(files))
	}
	for _, src := range files {
		t.Run(filepath.Base(src), func(t *testing.T) {
			want := headerValue(t, src, "error")
			path := plantest.Stage(t, src)
			wantFirstError(t, path, path+":"+strings.ReplaceAll(want, "PLANDIR", filepath.Dir(path)))
		})
	}
}

func TestLoadReportsAllProblems(t *testing.T) {
	data := []byte(`voipsec_plan: 1
policy:
  client_encryption: sometimes
media:
  ports: nope
mediation_servers:
  - fqdn: med01.contoso.com
    internal: {address: "not an address"}
    external: {address: 10.0.0.2, transport: carrier-pigeon}
    colour: blue
`)
	_, err := Parse("mem.yaml", data)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	wantPrefixes := []string{
		"mem.yaml:3:22: policy.client_encryption: unknown encryption level",
		"mem.yaml:5:10: media.ports: expected a port range",
		"mem.yaml:8:25: mediation_servers[0].internal.address: bad address",
		"mem.yaml:9:46: mediation_servers[0].external.transport: unknown transport",
		"mem.yaml:10:5: mediation_servers[0].colour: unknown field \"colour\"",
	}
	if len(list) != len(wantPrefixes) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(wantPrefixes), err)
	}
	for i, w := range wantPrefixes {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d\n got: %s\nwant: %s…", i, list[i], w)
		}
	}
	var lvl *matrix.UnknownValueError
	if !errors.As(err, &lvl) {
		t.Errorf("errors.As(*matrix.UnknownValueError) failed on %v", err)
	}
}

func TestLoadMissingPlanFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.HasSuffix(err.Error(), "nope.yaml: file not found") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("directory: err = %v", err)
	}
}

func TestLoadLimits(t *testing.T) {
	// A billion-laughs document is refused by the node budget, quickly.
	var b strings.Builder
	b.WriteString("voipsec_plan: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, err := Parse("laughs.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("billion laughs loaded")
	}
	big := make([]byte, MaxFileSize+1)
	if _, err := Parse("big.yaml", big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized plan: %v", err)
	}
}

// The complete example in testdata/plans/example.yaml loads with every
// value where docs/plan.md says it goes.
func TestExamplePlan(t *testing.T) {
	path := plantest.Stage(t, filepath.Join(plansDir, "example.yaml"))
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Contoso pre-cutover" || len(p.DialPlans) != 1 || len(p.UMServers) != 1 || len(p.MediationServers) != 1 {
		t.Fatalf("plan = %+v", p)
	}
	if d := p.DialPlans[0]; d.Name != "Contoso-Secured" || d.VoipSecurity != matrix.Secured {
		t.Errorf("dial plan = %+v", d)
	}
	if *p.Policy.ClientEncryption != matrix.Required || *p.Policy.ServerMediaEncryption != matrix.Required {
		t.Errorf("policy = %+v", p.Policy)
	}
	if *p.Media.Ports != (PortRange{60000, 64000}) || !p.IPsec.Enabled || *p.IPsec.Exception != (PortRange{60000, 64000}) {
		t.Errorf("media %v ipsec %+v", p.Media.Ports, p.IPsec)
	}
	if p.Trust.KeyPair == nil || p.Trust.Roots() == nil || len(p.Trust.CA.Certs) != 1 {
		t.Errorf("trust = %+v", p.Trust)
	}
	u := p.UMServers[0]
	if u.FQDN != "um01.contoso.com" || u.Endpoint.URL() != "tls://10.0.10.5:5061" || *u.Endpoint.Expect.MinTLS != tls.VersionTLS12 ||
		!*u.Endpoint.Expect.MTLSRequired || *u.Endpoint.Expect.Encryption != matrix.Required || u.Certificate == nil {
		t.Errorf("UM server = %+v", u)
	}
	m := p.MediationServers[0]
	if m.Internal.URL() != "tls://10.0.20.5:5061" || m.External.URL() != "tls://10.0.30.5:5060" ||
		m.Gateway == nil || m.Gateway.URL() != "tls://10.0.30.1:5060" || m.Gateway.Server != "gw01.contoso.com" {
		t.Errorf("mediation = %+v", m)
	}
	// The numbers to call: the dial plan's pilot number at its UM server,
	// each edge's and the gateway's call_to.
	for i, want := range []string{"+14255550100", "+14255550199", "sip:+14255550142@contoso.com", "+14255550199"} {
		if got, _ := p.CallTo(p.Endpoints()[i]); got != want {
			t.Errorf("endpoint %d calls %q, want %q", i, got, want)
		}
	}
	if got := len(p.Endpoints()); got != 4 {
		t.Errorf("%d endpoints, want 4", got)
	}
	// Locations point at the values.
	for path, want := range map[string]string{
		"exchange_um.dial_plans[0].voip_security": ":29:22",
		"mediation_servers[0].gateway.transport":  ":64:18",
		"mediation_servers[0].internal":           ":47:7",
		"no.such.path":                            "",
	} {
		loc := p.Location(path).String()
		if want == "" {
			if loc != path0(p) {
				t.Errorf("Location(%s) = %s, want the file alone", path, loc)
			}
			continue
		}
		if !strings.HasSuffix(loc, want) {
			t.Errorf("Location(%s) = %s, want …%s", path, loc, want)
		}
	}
}

func path0(p *Plan) string { return p.File }

func TestDefaults(t *testing.T) {
	p, err := Parse("d.yaml", []byte(`voipsec_plan: 1
mediation_servers:
  - fqdn: med01.contoso.com
    internal: {address: "::1"}
    external: {address: med01-ext.contoso.com, transport: tls}
    gateway: {address: 192.0.2.1, transport: tcp}
`))
	if err != nil {
		t.Fatal(err)
	}
	m := p.MediationServers[0]
	if m.Internal.URL() != "tls://[::1]:5061" || m.External.URL() != "tls://med01-ext.contoso.com:5060" || m.Gateway.URL() != "tcp://192.0.2.1:5060" {
		t.Errorf("defaults: %s %s %s", m.Internal.URL(), m.External.URL(), m.Gateway.URL())
	}
}

// An unknown dial plan among many declared ones names the first few and
// how many there are, not every one of them in every error.
func TestUnknownDialPlanAmongMany(t *testing.T) {
	p, err := Parse("many.yaml", []byte(manyDialPlans(12, 3)))
	if p != nil || err == nil {
		t.Fatal("plan with unknown dial plans loaded")
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	want := `many.yaml:20:20: exchange_um.servers[0].dial_plans[0]: unknown dial plan "x0" (declared in exchange_um.dial_plans: d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, … (12 in all))`
	if list[0].Error() != want {
		t.Errorf("got  %s\nwant %s", list[0], want)
	}
}

// manyDialPlans is a plan declaring declared dial plans and one UM server
// naming unknown others.
func manyDialPlans(declared, unknown int) string {
	var b strings.Builder
	b.WriteString("voipsec_plan: 1\nexchange_um:\n  dial_plans:\n")
	for i := range declared {
		fmt.Fprintf(&b, "    - {name: d%d, voip_security: Secured}\n", i)
	}
	b.WriteString("  servers:\n    - fqdn: um.example.com\n      address: 10.0.0.1\n      transport: tls\n      dial_plans: [")
	for i := range unknown {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "x%d", i)
	}
	b.WriteString("]\n")
	return b.String()
}

// Files lists every file a plan names, by field, with the path resolved
// against the plan's folder: what a report must not be written over.
func TestFiles(t *testing.T) {
	path := plantest.Stage(t, filepath.Join(plansDir, "example.yaml"))
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	pki := filepath.Join(filepath.Dir(path), "pki")
	want := []FileRef{
		{"trust.ca", filepath.Join(pki, "ca.pem")},
		{"trust.client_certificate", filepath.Join(pki, "probe.pem")},
		{"trust.client_key", filepath.Join(pki, "probe-key.pem")},
		{"exchange_um.servers[0].certificate", filepath.Join(pki, "um01.pem")},
		{"mediation_servers[0].certificate", filepath.Join(pki, "med01.pem")},
	}
	if got := p.Files(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Files() =\n%v\nwant\n%v", got, want)
	}
	dir := filepath.Join(plansDir, "access")
	p, err = Load(filepath.Join(dir, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want = []FileRef{
		{"access.group_members", filepath.Join(dir, "ad", "group-members.csv")},
		{"access.admin_roles", filepath.Join(dir, "ad", "admin-roles.json")},
	}
	if got := p.Files(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("access plan: Files() =\n%v\nwant\n%v", got, want)
	}
}
