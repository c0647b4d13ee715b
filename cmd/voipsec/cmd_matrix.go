package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
)

type matrixOptions struct {
	VoipSecurity string
	Encryption   string
	out          outputOptions

	voip *matrix.VoipSecurity
	enc  *matrix.EncryptionLevel
}

func (o *matrixOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.VoipSecurity, "voip-security", "", "UM dial plan `level`: Unsecured, SIPSecured, Secured")
	f.StringVar(&o.Encryption, "encryption", "", "client encryption `level`: rejected, optional, required (or RequireEncryption, SupportEncryption, DoNotSupportEncryption)")
	o.out.AddFlags(f)
}

func (o *matrixOptions) Validate(args []string) error {
	if len(args) > 0 {
		return usagef("matrix takes no arguments, got %q", args[0])
	}
	if o.VoipSecurity != "" {
		v, err := matrix.ParseVoipSecurity(o.VoipSecurity)
		if err != nil {
			return usagef("--voip-security: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		o.voip = &v
	}
	if o.Encryption != "" {
		e, err := matrix.ParseEncryptionLevel(o.Encryption)
		if err != nil {
			return usagef("--encryption: %s", strings.TrimPrefix(err.Error(), "matrix: "))
		}
		o.enc = &e
	}
	return o.out.Validate()
}

func init() {
	register(&command{
		Name:  "matrix",
		Short: "the UM VoIPSecurity × client encryption level compatibility matrix",
		Usage: "voipsec matrix [--voip-security LEVEL] [--encryption LEVEL] [flags]",
		Long: `Without flags, prints all nine combinations of the Exchange UM dial plan's
VoIPSecurity and the OCS/Lync client encryption level, with the verdict and the
reason for each; this reference view always exits 0.

With both --voip-security and --encryption, evaluates that one pair and exits 1
when the pair cannot work. With only one of them, prints that row or column.

Levels are read case-insensitively in the forms administrators type:
SIPSecured, sipsecured, sip-secured; rejected, optional, required; and the
OCS/Lync media setting DoNotSupportEncryption, SupportEncryption,
RequireEncryption.

Examples:
  voipsec matrix
  voipsec matrix --voip-security Secured --encryption RequireEncryption
  voipsec matrix --voip-security sip-secured --encryption required --format junit > matrix.xml
  voipsec matrix --format json`,
		Flags: func(f *pflag.FlagSet) any {
			o := &matrixOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*matrixOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, _ []string) (int, error) {
			return runMatrix(e, opts.(*matrixOptions))
		},
	})
}

func runMatrix(e *env, o *matrixOptions) (int, error) {
	var cells []matrix.Verdict
	for _, c := range matrix.Cells() {
		if o.voip != nil && c.VoipSecurity != *o.voip {
			continue
		}
		if o.enc != nil && c.Encryption != *o.enc {
			continue
		}
		cells = append(cells, c)
	}
	single := o.voip != nil && o.enc != nil
	r := &report.Report{Command: "matrix", Data: map[string]any{"cells": cells}, Matrix: matrixCells("", cells...)}
	for _, p := range []struct{ name, v string }{{"dial plan VoIPSecurity", o.VoipSecurity}, {"client encryption level", o.Encryption}} {
		if p.v == "" {
			p.v = "all"
		}
		r.Params = append(r.Params, report.Param{Name: p.name, Value: p.v})
	}
	for _, c := range cells {
		f := c.Finding("")
		if !single && !c.Compatible {
			// The reference view documents; it does not judge a deployment.
			f.Severity = report.Info
		}
		r.Findings = append(r.Findings, f)
	}
	if !single {
		// The reference view is a table to read, not a list of findings.
		return o.out.emit(e, r, func(w io.Writer) { writeMatrixGrid(w, cells) })
	}
	return o.out.emit(e, r)
}

// matrixCells turns matrix verdicts into the report's plain cells (report
// cannot import matrix), all applying to forWhat ("dial plan X"; may be
// empty).
func matrixCells(forWhat string, vs ...matrix.Verdict) []report.MatrixCell {
	out := make([]report.MatrixCell, len(vs))
	for i, v := range vs {
		out[i] = report.MatrixCell{For: forWhat, VoipSecurity: v.VoipSecurity.String(), Encryption: v.Encryption.String(),
			Works: v.Compatible, Reason: v.Reason, Check: v.Check}
	}
	return out
}

// planMatrix returns the matrix cells a plan selects: each dial plan's
// VoIPSecurity against the clients' encryption level, and against the
// server media encryption when the plan gives a different one.
func planMatrix(p *plan.Plan) []report.MatrixCell {
	var out []report.MatrixCell
	for _, d := range p.DialPlans {
		var levels []matrix.EncryptionLevel
		for _, l := range []*matrix.EncryptionLevel{p.Policy.ClientEncryption, p.Policy.ServerMediaEncryption} {
			if l != nil && !slices.Contains(levels, *l) {
				levels = append(levels, *l)
			}
		}
		for _, l := range levels {
			out = append(out, matrixCells("dial plan "+d.Name, matrix.Evaluate(d.VoipSecurity, l))...)
		}
	}
	return out
}

// writeMatrixGrid prints the cells as a grid, dial plan levels down, client
// levels across.
func writeMatrixGrid(w io.Writer, cells []matrix.Verdict) {
	// The cells are a row-major slice of the grid (matrix.Cells, filtered):
	// its rows and columns are the distinct levels in order.
	var rows []matrix.VoipSecurity
	var cols []matrix.EncryptionLevel
	for _, c := range cells {
		if len(rows) == 0 || rows[len(rows)-1] != c.VoipSecurity {
			rows = append(rows, c.VoipSecurity)
		}
		if len(rows) == 1 {
			cols = append(cols, c.Encryption)
		}
	}
	fmt.Fprintln(w, "Dial plan VoIPSecurity (rows) × client encryption level (columns):")
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprint(tw, "  \t")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s (%s)\t", c, c.ServerSetting())
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		t := r.Transport()
		name := strings.ToUpper(t.Name)
		if t.MutualTLS {
			name = "MTLS"
		}
		fmt.Fprintf(tw, "  %s [%s %d, %s]\t", r, name, t.Port, mediaName(r))
		for _, c := range cols {
			if matrix.Evaluate(r, c).Compatible {
				fmt.Fprint(tw, "works\t")
			} else {
				fmt.Fprint(tw, "FAILS\t")
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nWhy:")
	for _, c := range cells {
		verdict := "works"
		if !c.Compatible {
			verdict = "FAILS"
		}
		fmt.Fprintf(w, "  %-10s × %-8s %s: %s [%s]\n", c.VoipSecurity, c.Encryption, verdict, c.Reason, c.Check)
	}
	fmt.Fprintln(w, "\nCheck one pair: voipsec matrix --voip-security LEVEL --encryption LEVEL (exits 1 when it fails)")
}

func mediaName(v matrix.VoipSecurity) string {
	if v.SRTP() {
		return "SRTP"
	}
	return "RTP"
}
