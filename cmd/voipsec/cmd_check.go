package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
)

// checkOptions are the flags of `voipsec check`.
type checkOptions struct {
	Offline     bool
	StepTimeout time.Duration
	Timeout     time.Duration
	Jobs        int

	media mediaOptions
	out   outputOptions
	prog  progressOptions
	path  string
	flags *pflag.FlagSet
}

func (o *checkOptions) AddFlags(f *pflag.FlagSet) {
	o.flags = f
	f.BoolVar(&o.Offline, "offline", false, "static checks only: probe no endpoint")
	f.IntVarP(&o.Jobs, "jobs", "j", plan.DefaultConcurrency, "probe at most `n` endpoints at once")
	o.media.AddFlags(f, 1)
	f.DurationVar(&o.StepTimeout, "step-timeout", 5*time.Second, "`duration` limit of each network step (handshake, SIP transaction)")
	f.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "overall `duration` limit of the live checks")
	o.prog.AddFlags(f)
	o.out.sarif = true
	o.out.AddFlags(f)
}

func (o *checkOptions) Validate(args []string) error {
	if err := o.out.Validate(); err != nil {
		return err
	}
	if err := o.prog.Validate(); err != nil {
		return err
	}
	switch len(args) {
	case 0:
		return withHint(errors.New("check needs a plan file"), "voipsec check plan.yaml ('voipsec help plan' is the format; 'voipsec demo --write-plan DIR' writes an example)")
	case 1:
		o.path = args[0]
	default:
		return usagef("check takes one plan file, got %d arguments", len(args))
	}
	if samePath(o.path, o.out.Output) {
		return withHint(fmt.Errorf("--output %s is the plan file: the report would overwrite it", o.out.Output), "write the report to another file")
	}
	if o.Offline {
		// The live checks' flags would have no effect.
		for _, f := range []string{"media-seconds", "step-timeout", "timeout", "jobs", "progress"} {
			if o.flags != nil && o.flags.Changed(f) {
				return withHint(fmt.Errorf("--%s has no effect with --offline, which probes no endpoint", f), "leave out --offline to run the live checks, or --"+f)
			}
		}
	}
	if o.Jobs < 1 {
		return usagef("-j/--jobs must be at least 1, got %d", o.Jobs)
	}
	if o.Timeout <= 0 || o.StepTimeout <= 0 {
		return usagef("--timeout and --step-timeout must be positive")
	}
	return o.media.Validate()
}

// checkNow is the clock certificates in the plan are judged by; tests pin it.
var checkNow = time.Now

// runCheck loads the plan, runs the static checks and (unless offline) the
// live ones, and renders the report. A plan that does not load prints every
// problem as file:line:col and exits 2.
func runCheck(ctx context.Context, e *env, o *checkOptions) (int, error) {
	p, code, err := loadPlan(e, "check", o.path, planHint, &o.out)
	if p == nil {
		return code, err
	}
	r, unprobed := checkReport(ctx, e, p, o)
	return o.out.emitUnprobed(e, "check", r, unprobed)
}

// planHint is where a plan's format is described: in the binary.
const planHint = "the plan format: voipsec help plan"

// checkReport runs the plan's static checks and, unless offline, its live
// ones, showing what it does on stderr (--progress), and returns the
// report with the run's parameters and the matrix cells the plan selects.
// When the live checks ran to the end and no endpoint could be probed at
// all, unprobed lists them, for [outputOptions.emitUnprobed].
func checkReport(ctx context.Context, e *env, p *plan.Plan, o *checkOptions) (r *report.Report, unprobed []targetError) {
	findings := plan.Static(p, checkNow())
	suite := p.SuiteFunc()
	data := map[string]any{"plan": p.File, "live": !o.Offline}
	if p.Name != "" {
		data["name"] = p.Name
	}
	var interrupted string
	if !o.Offline {
		ctx, cancel := withTimeout(ctx, o.Timeout)
		defer cancel()
		track := newInflight(ctx)
		prog := newProgress(e, o.prog.Progress, "checking", "endpoint", len(p.Endpoints()), track)
		live, results := plan.Live(ctx, p, plan.LiveOptions{
			Timeout:       o.StepTimeout,
			MediaDuration: o.media.Duration(),
			Concurrency:   o.Jobs,
			OnStart:       func(ep plan.Endpoint) { prog.start(ep.Target()) },
			OnStep:        func(ep plan.Endpoint, s sipcheck.Step) { prog.step(ep.Target(), s) },
			OnDone:        func(ep plan.Endpoint) { prog.finish(ep.Target()) },
		})
		prog.close()
		findings = plan.Combine(findings, live)
		var probes []any
		var errs []targetError
		notStarted := 0
		for _, r := range results {
			if r.Probe != nil {
				probes = append(probes, map[string]any{"component": suite(r.Endpoint.Target()), "probe": r.Probe})
			}
			if r.NotStarted {
				notStarted++
			}
			if r.Err != nil {
				errs = append(errs, newTargetError(r.Probe, r.Endpoint.Target(), p.Location(r.Endpoint.Path()+".address")))
			}
		}
		data["probes"] = probes
		if len(errs) > 0 {
			data["errors"] = errs
		}
		interrupted = describeInterruption(ctx, track, notStarted, "endpoint")
		if len(errs) > 0 && len(errs) == len(results) && interrupted == "" {
			unprobed = errs
		}
	}
	p.Sort(findings)
	return &report.Report{Command: "check", Findings: findings, Data: data, Suite: suite, Interrupted: interrupted,
		Params: o.params(p), Matrix: planMatrix(p)}, unprobed
}

// params are the run's parameters, for the HTML report.
func (o *checkOptions) params(p *plan.Plan) []report.Param {
	ps := []report.Param{{Name: "plan file", Value: p.File}}
	if p.Name != "" {
		ps = append(ps, report.Param{Name: "plan name", Value: p.Name})
	}
	if o.Offline {
		return append(ps, report.Param{Name: "checks", Value: "static only (--offline): no endpoint probed"})
	}
	return append(ps,
		report.Param{Name: "checks", Value: fmt.Sprintf("static and live: %d endpoints probed, %d at once", len(p.Endpoints()), o.Jobs)},
		report.Param{Name: "media", Value: o.media.Param()},
		report.Param{Name: "time limits", Value: fmt.Sprintf("%s per network step, %s for the live checks", o.StepTimeout, o.Timeout)})
}

func init() {
	register(&command{
		Name:  "check",
		Short: "check a deployment plan statically and live, for CI before cutover",
		Usage: "voipsec check [flags] PLAN",
		Long: `Reads PLAN, a YAML file describing the deployment ('voipsec help plan'), and checks it:

  - static rules, no network: no dial plan Unsecured; every dial plan works
    with the client and server encryption levels; the gateway leg uses TLS;
    the Mediation Server's internal and external edges have different
    addresses; IPsec excepts a small media port range; the certificates the
    plan names are valid, trusted and carry the servers' names;
  - live, unless --offline: every endpoint is probed concurrently (TLS and
    mutual TLS, versions and suites, SIP OPTIONS, INVITE offers to the
    endpoint's call_to or its dial plan's pilot_number, SRTP media) and judged
    once against its role and what the plan declares.

Every finding names the plan line it comes from. A plan that does not load
(or declares nothing to check) prints each problem as FILE:LINE:COL: FIELD:
what is wrong, and exits 2.

A check that could not be decided is inconclusive, with what to change: an
endpoint that did not route the number called (add call_to), one that could
not be reached (its own error, listed in the report), or a run cut short by
--timeout, Ctrl-C or SIGTERM. An interrupted run tears down its calls, still
writes its report, says where it stopped, and exits 1 or 3, never 0. When no
endpoint could be probed at all, the report is written and the run exits 2,
as probe does, unless a static check fails (1).

Output: the verdict first, then per component what needs attention with its
evidence and plan line, a line per component saying how many checks passed,
and what to do next (-v adds the passing checks); --format json, junit (a
test suite per component, a test case per check, passing ones too), sarif
(SARIF 2.1.0, locations on the plan's lines) or html (one page for a change
ticket). On a terminal, stderr shows what the live checks are doing
(--progress). --offline with a live-check flag, or -o naming the plan or a
file it names (its CA, a certificate, a key, an access export), is refused.

Examples:
  voipsec check plans/prod.yaml
  voipsec check --offline --format sarif -o voipsec.sarif plans/prod.yaml
  voipsec check --format junit -o voipsec-junit.xml --timeout 10m plans/prod.yaml
  voipsec check --fail-on warn --media-seconds 2 plans/prod.yaml
`,
		Flags: func(f *pflag.FlagSet) any {
			o := &checkOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*checkOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, _ []string) (int, error) {
			return runCheck(ctx, e, opts.(*checkOptions))
		},
	})
}
