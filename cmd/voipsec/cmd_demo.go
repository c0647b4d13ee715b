package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/docs"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sim"
)

// demoOptions are the flags of `voipsec demo`; none is needed.
type demoOptions struct {
	Keep      bool
	WritePlan string
	out       outputOptions
	prog      progressOptions

	fs *pflag.FlagSet
}

func (o *demoOptions) AddFlags(f *pflag.FlagSet) {
	o.fs = f
	f.BoolVar(&o.Keep, "keep", true, "keep the demo's plan and certificates in their temporary folder")
	f.StringVar(&o.WritePlan, "write-plan", "", "write the example plan of a Contoso deployment with a throwaway PKI into `dir`, and exit")
	o.prog.AddFlags(f)
	o.out.sarif = true
	o.out.AddFlags(f)
}

// Validate checks the flags before simulators start or files are written.
func (o *demoOptions) Validate(args []string) error {
	if len(args) > 0 {
		return usagef("demo takes no arguments, got %q", args[0])
	}
	if o.WritePlan == "" {
		if err := o.prog.Validate(); err != nil {
			return err
		}
		// The demo's failures are deliberate, so its exit status does not
		// follow them and a threshold would have no effect.
		if o.fs.Changed("fail-on") {
			return withHint(fmt.Errorf("--fail-on has no effect on the demo: its gateway leg fails on purpose and it exits 0 when it ran to the end"),
				"'voipsec demo --write-plan DIR' writes a plan; 'voipsec check --fail-on ...' judges it")
		}
		return o.out.Validate()
	}
	// --write-plan writes files and runs nothing: a report flag would
	// have no effect.
	var ignored []string
	o.fs.Visit(func(f *pflag.Flag) {
		if f.Name != "write-plan" {
			ignored = append(ignored, "--"+f.Name)
		}
	})
	if len(ignored) > 0 {
		return withHint(fmt.Errorf("--write-plan writes the example plan and runs no check: %s would have no effect", strings.Join(ignored, ", ")),
			"run 'voipsec demo --write-plan DIR' on its own, then 'voipsec check' on the plan")
	}
	return checkOutputDir("--write-plan", o.WritePlan, append([]string{"plan.yaml"}, docs.ExamplePlanFiles...))
}

// demoMediaSeconds is the media window per accepted SRTP answer; tests
// that do not look at media set it to 0.
var demoMediaSeconds = 0.4

// demoTempDir is where the demo's folder is created ("" = the system's
// temporary directory); tests point it at t.TempDir().
var demoTempDir = ""

// demoNames are the FQDNs the demo's plan gives its simulated servers; the
// simulators' certificate carries all of them.
var demoNames = []string{"um01.demo.voipsec.test", "med01.demo.voipsec.test", "gw01.demo.voipsec.test", "localhost", "127.0.0.1"}

// demoEndpoint is one simulator listener.
type demoEndpoint struct {
	Addr      string // IP address
	Port      int
	Transport string // udp, tcp, tls
}

// demoTopology is what startDemoSims started.
type demoTopology struct {
	UM, Internal, External, Gateway demoEndpoint
}

// writeDemoPlan writes the plan of the simulated deployment (and the probe's
// trust material) into dir and returns the plan's path.
func writeDemoPlan(dir string, pki *testpki.PKI, topo demoTopology) (string, error) {
	if err := testpki.WriteCertPEM(filepath.Join(dir, testpki.CAFile), pki.CA.Raw); err != nil {
		return "", err
	}
	if err := testpki.WritePair(filepath.Join(dir, testpki.ProbeCertFile), filepath.Join(dir, testpki.ProbeKeyFile), pki.Client); err != nil {
		return "", err
	}
	ep := func(e demoEndpoint, indent string) string {
		return fmt.Sprintf("address: %s\n%sport: %d\n%stransport: %s", e.Addr, indent, e.Port, indent, e.Transport)
	}
	text := `# voipsec demo plan: the simulators 'voipsec demo' started on the loopback
# interface. The format: 'voipsec help plan'. Change the addresses, names and
# certificates to your own servers and run: voipsec check plan.yaml
voipsec_plan: 1
name: voipsec demo (simulators on loopback)

trust:
  ca: ca.pem                       # the simulators' throwaway CA
  client_certificate: probe.pem    # presented to edges that require mutual TLS
  client_key: probe-key.pem

policy:
  client_encryption: required      # Lync/OCS clients require encryption
  server_media_encryption: RequireEncryption

exchange_um:
  dial_plans:
    - name: Demo-Secured
      voip_security: Secured       # mutual TLS signalling, SRTP media
  servers:
    - fqdn: ` + demoNames[0] + `
      ` + ep(topo.UM, "      ") + `
      dial_plans: [Demo-Secured]

mediation_servers:
  - fqdn: ` + demoNames[1] + `
    internal:                      # toward the pool: mutual TLS, SRTP
      ` + ep(topo.Internal, "      ") + `
      expect: {mtls_required: true, encryption: required}
    external:                      # toward the gateway
      ` + ep(topo.External, "      ") + `
    gateway:                       # deliberately plain: GW-NO-TLS fails
      fqdn: ` + demoNames[2] + `
      ` + ep(topo.Gateway, "      ") + `
`
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("write demo plan: %w", err)
	}
	return path, nil
}

func runDemo(ctx context.Context, e *env, o *demoOptions) (int, error) {
	if o.WritePlan != "" {
		if err := writeExamplePlan(e.Stdout, o.WritePlan); err != nil {
			return exitError, err
		}
		return exitOK, nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp(demoTempDir, "voipsec-demo-")
	if err != nil {
		return exitError, fmt.Errorf("demo folder: %w", err)
	}
	if !o.Keep {
		defer os.RemoveAll(dir)
	}
	pki, err := testpki.NewWithOptions(testpki.Options{Hosts: demoNames, Organization: "voipsec demo", Validity: 365 * 24 * time.Hour})
	if err != nil {
		return exitError, fmt.Errorf("demo certificates: %w", err)
	}
	topo, stop, err := startDemoSims(ctx, pki)
	if err != nil {
		return exitError, fmt.Errorf("start simulators: %w", err)
	}
	defer stop()
	path, err := writeDemoPlan(dir, pki, topo)
	if err != nil {
		return exitError, err
	}
	p, err := plan.Load(path)
	if err != nil {
		return exitError, fmt.Errorf("demo plan: %w", err)
	}
	co := &checkOptions{StepTimeout: 2 * time.Second, Timeout: 30 * time.Second, Jobs: 4,
		media: mediaOptions{Seconds: demoMediaSeconds}, out: o.out, prog: o.prog}
	r, unprobed := checkReport(ctx, e, p, co)
	r.Params = append(r.Params, report.Param{Name: "simulators", Value: strings.Join(topo.targets(), ", ")})
	code, err := o.out.emitUnprobed(e, "demo", r, unprobed)
	if err != nil {
		return code, err
	}
	// Two lines on what this was: on stdout after a text report, on stderr
	// when stdout carries a machine format.
	w := e.Stdout
	if o.out.format != report.FormatText || o.out.toFile() {
		w = e.Stderr
	}
	writeDemoExplanation(w, path, o.Keep)
	// The demo's failures are deliberate (the gateway leg is plain on
	// purpose): a demo that ran to the end exits 0, while the report's
	// verdict still describes the simulated deployment. An interrupted demo
	// exits as its check does (1 or 3, never 0), and one that could probe no
	// endpoint exits 2.
	if r.Interrupted == "" && code != exitError {
		code = exitOK
	}
	return code, nil
}

// targets are the simulators' listeners as probe targets.
func (t demoTopology) targets() []string {
	var out []string
	for _, ep := range []demoEndpoint{t.UM, t.Internal, t.External, t.Gateway} {
		out = append(out, ep.Transport+"://"+net.JoinHostPort(ep.Addr, strconv.Itoa(ep.Port)))
	}
	return out
}

func writeDemoExplanation(w io.Writer, path string, kept bool) {
	fmt.Fprintln(w, "\nThis was 'voipsec check' against simulators on loopback; the gateway leg is plain TCP on purpose.")
	if kept {
		fmt.Fprintf(w, "Your servers: edit a copy of %s ('voipsec help plan'), then: voipsec check plan.yaml\n", path)
		return
	}
	fmt.Fprintln(w, "Your servers: 'voipsec demo --write-plan DIR' writes a plan to edit ('voipsec help plan'), then: voipsec check DIR/plan.yaml")
}

// writeExamplePlan writes docs.ExamplePlan to dir/plan.yaml and the
// certificates it names into dir/pki, from a throwaway CA, checks that the
// plan loads, and says what it wrote.
func writeExamplePlan(w io.Writer, dir string) error {
	pkiDir := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pkiDir, 0o755); err != nil {
		return writeError("--write-plan", dir, err)
	}
	pki, err := testpki.NewWithOptions(testpki.Options{Hosts: []string{"um01.contoso.com", "med01.contoso.com"}, Organization: "voipsec example (throwaway)"})
	if err != nil {
		return fmt.Errorf("example certificates: %w", err)
	}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	for _, host := range []string{"um01", "med01"} {
		c, err := pki.Issue(testpki.IssueOptions{CommonName: host + ".contoso.com", Hosts: []string{host + ".contoso.com"}, EKUs: both})
		if err != nil {
			return fmt.Errorf("example certificates: %w", err)
		}
		if err := testpki.WriteCertPEM(filepath.Join(pkiDir, host+".pem"), c.Certificate[0]); err != nil {
			return writeError("--write-plan", dir, err)
		}
	}
	if err := testpki.WriteCertPEM(filepath.Join(pkiDir, testpki.CAFile), pki.CA.Raw); err != nil {
		return writeError("--write-plan", dir, err)
	}
	if err := testpki.WritePair(filepath.Join(pkiDir, testpki.ProbeCertFile), filepath.Join(pkiDir, testpki.ProbeKeyFile), pki.Client); err != nil {
		return writeError("--write-plan", dir, err)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(planPath, []byte(docs.ExamplePlan), 0o644); err != nil {
		return writeError("--write-plan", dir, err)
	}
	if _, err := plan.Load(planPath); err != nil {
		return fmt.Errorf("the example plan does not load: %w", err)
	}
	var names []string
	for _, f := range docs.ExamplePlanFiles {
		names = append(names, path.Base(f))
	}
	fmt.Fprintf(w, "wrote the example plan of a Contoso deployment and a throwaway PKI:\n  %s\n  %s (%s)\n",
		planPath, pkiDir, strings.Join(names, ", "))
	fmt.Fprintf(w, "static rules, no network: voipsec check --offline %s\n", planPath)
	fmt.Fprintf(w, "the format: voipsec help plan\n")
	return nil
}

func init() {
	register(&command{
		Name:  "demo",
		Short: "start simulators in-process and run a full check against them",
		Usage: "voipsec demo [flags]",
		Long: `Starts a small simulated deployment on the loopback interface: an Exchange UM
server at VoIPSecurity Secured, a Mediation Server internal edge that requires
mutual TLS, its external edge, and a gateway leg that is deliberately plain.
It writes their plan (with a throwaway CA and probe certificate) to a
temporary folder, runs 'voipsec check' against it and prints the report.

No flags are needed and nothing leaves the machine. The output flags work as
for 'check' (but --fail-on: the failures are deliberate). Exit status: 0 when
the demo ran to the end, whatever its deliberate findings; interrupted, as the
check it runs (1, or 3 when no failure was found yet, never 0); 2 when it
cannot start or no simulator could be probed.

--write-plan DIR starts nothing: it writes the example plan of a Contoso
deployment (DIR/plan.yaml) with the certificates it names (DIR/pki/), from a
throwaway CA, to read, edit and check ('voipsec check --offline DIR/plan.yaml').

Examples:
  voipsec demo
  voipsec demo --format html -o demo.html          # the report for a change ticket
  voipsec demo --format sarif -o demo.sarif        # what check's SARIF looks like
  voipsec demo --keep=false                        # remove the plan folder afterwards
  voipsec demo --write-plan contoso                # an example plan to start from
`,
		Flags: func(f *pflag.FlagSet) any {
			o := &demoOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*demoOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, _ []string) (int, error) {
			return runDemo(ctx, e, opts.(*demoOptions))
		},
	})
}

// startDemoSims starts the demo's four simulators sharing pki: the UM at
// Secured on 127.0.0.1, the Mediation Server internal edge (mutual TLS
// required, SRTP) on 127.0.0.1, its external edge (TLS) on 127.0.0.2 and a
// plain TCP gateway on 127.0.0.3. Where the system cannot listen on
// 127.0.0.2/3 (macOS has only 127.0.0.1), they fall back to 127.0.0.1, and
// the report then shows EDGE-SHARED-ADDRESS as well.
func startDemoSims(ctx context.Context, pki *testpki.PKI) (demoTopology, func(), error) {
	var servers []*sim.Server
	stop := func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	start := func(listen string, c sim.Config, transport string) (demoEndpoint, error) {
		c.PKI = pki
		c.MaxCallDuration = 20 * time.Second
		c.AckTimeout = 5 * time.Second
		var s *sim.Server
		var err error
		for _, addr := range []string{listen, "127.0.0.1"} {
			c.Listen = addr
			if s, err = sim.Start(ctx, c); err == nil {
				break
			}
		}
		if err != nil {
			return demoEndpoint{}, fmt.Errorf("%s simulator: %w", c.Role, err)
		}
		servers = append(servers, s)
		host, port, err := net.SplitHostPort(s.Addr(transport))
		if err != nil {
			return demoEndpoint{}, fmt.Errorf("%s simulator address %q: %w", c.Role, s.Addr(transport), err)
		}
		n, _ := strconv.Atoi(port)
		return demoEndpoint{Addr: host, Port: n, Transport: transport}, nil
	}
	var topo demoTopology
	var err error

	um := sim.Config{}
	um.Preset(matrix.Secured)
	um.ApplyRole(sim.RoleUM, false)
	if topo.UM, err = start("127.0.0.1", um, sim.TLS); err != nil {
		stop()
		return topo, nil, err
	}
	in := sim.Config{Encryption: matrix.Required}
	in.ApplyRole(sim.RoleMediationInternal, false)
	if topo.Internal, err = start("127.0.0.1", in, sim.TLS); err != nil {
		stop()
		return topo, nil, err
	}
	ex := sim.Config{Encryption: matrix.Optional, Transports: []string{sim.TLS}}
	ex.ApplyRole(sim.RoleMediationGateway, false)
	if topo.External, err = start("127.0.0.2", ex, sim.TLS); err != nil {
		stop()
		return topo, nil, err
	}
	gw := sim.Config{Encryption: matrix.Rejected, Transports: []string{sim.TCP}, ServerName: "voipsec-sim (gateway)"}
	gw.ApplyRole(sim.RoleMediationGateway, false)
	if topo.Gateway, err = start("127.0.0.3", gw, sim.TCP); err != nil {
		stop()
		return topo, nil, err
	}
	return topo, stop, nil
}
