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
// served — the worse of the two by [report.Severity.Rank] stands (the live
// one on a tie, being observed), and the other's summary joins its
// evidence. Findings that appear in only one list are kept as they are, in
// order: static first, then live.
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
		i, ok := at[key{f.Check, f.Target}]
		if !ok {
			out = append(out, f)
			continue
		}
		s := out[i]
		keep, other := f, s
		if s.Severity.Rank() > f.Severity.Rank() {
			keep, other = s, f
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
		out[i] = keep
	}
	return out
}
