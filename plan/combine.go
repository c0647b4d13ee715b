package plan

import (
	"strings"

	"github.com/voipsec/voipsec/report"
)

// Combine returns the static and live findings of one run with one result
// per check and target: where the plan's declaration (static) and the
// probe's observation (live) judged the same check of the same component —
// GW-NO-TLS from the declared transport and from the cleartext answer, a
// TLS-CERT-* check of the plan's certificate file and of the certificate
// served — the worse of the two stands ([joinFindings]), and the other's summary
// joins its evidence. Live findings of one check and target are joined
// the same way: a UM call router's and the worker its 302 led to are
// probes of one plan endpoint. Findings that appear once are kept as they
// are, in order: static first, then live. Combine(nil, live) is the live
// findings alone, one result per check and target.
func Combine(static, live []report.Finding) []report.Finding {
	type key struct{ check, target string }
	at := make(map[key]int, len(static))
	out := make([]report.Finding, 0, len(static)+len(live))
	for _, f := range static {
		k := key{f.Check, f.Target}
		if _, dup := at[k]; !dup {
			at[k] = len(out)
		}
		out = append(out, f)
	}
	for _, f := range live {
		k := key{f.Check, f.Target}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, f)
			continue
		}
		out[i] = joinFindings(out[i], f)
	}
	return out
}

// joinFindings is the one result of two findings of the same check and target: the
// one that weighs more ([weight]; b, the later observation, on a tie), with
// the other's summary added to its evidence.
func joinFindings(a, b report.Finding) report.Finding {
	keep, other := b, a
	if weight(a.Severity) > weight(b.Severity) {
		keep, other = a, b
	}
	if other.Summary != "" && !strings.Contains(keep.Detail, other.Summary) {
		also := other.Severity.String() + ": " + other.Summary
		if other.Location != nil && (keep.Location == nil || *other.Location != *keep.Location) {
			also += " (at " + other.Location.String() + ")"
		}
		if keep.Detail != "" {
			keep.Detail += "\n"
		}
		keep.Detail += "also " + also
	}
	return keep
}

// weight orders what stands when two results of one check meet: a decided
// problem (fail, then warn) over an undecided result, which is not hidden
// by a decided info or pass. An inconclusive observation must not hide a
// warning the plan's own files prove, nor turn a --fail-on warn run's
// exit status from 1 into 3. (Unlike [report.Severity.Rank], which orders
// findings for display and puts inconclusive above warn.)
func weight(s report.Severity) int {
	switch s {
	case report.Fail:
		return 4
	case report.Warn:
		return 3
	case report.Inconclusive:
		return 2
	case report.Info:
		return 1
	}
	return 0
}
