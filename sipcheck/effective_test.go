package sipcheck

import (
	"strings"
	"testing"

	"github.com/voipsec/voipsec/matrix"
)

// TestEffective runs the derivation over the answerer matrix of domain.md
// §1.6 and every way an edge can leave the evidence incomplete: only
// evaluated offers (a usable 2xx answer, a 488/606 refusal) count.
func TestEffective(t *testing.T) {
	lvl := func(l matrix.EncryptionLevel) *matrix.EncryptionLevel { return &l }
	const udp = UDP
	cases := []struct {
		name   string
		offers []OfferResult
		want   *matrix.EncryptionLevel
		reason string // a part of the reason when want is nil
	}{
		{"required: SRTP taken, plain 488", policy("required", udp), lvl(matrix.Required), ""},
		{"required: plain 606", replace(policy("required", udp), answered(plain, 606, "Not Acceptable", udp)), lvl(matrix.Required), ""},
		{"required: plain answered with port 0", replace(policy("required", udp), declined(plain, udp)), lvl(matrix.Required), ""},
		{"optional: everything taken", policy("optional", udp), lvl(matrix.Optional), ""},
		{"optional: only the MS offer keyed", replace(replace(policy("optional", udp), answered(sdes80, 488, "Not Acceptable Here", udp)), answered(sdes32, 488, "Not Acceptable Here", udp)), lvl(matrix.Optional), ""},
		{"rejected: plain taken, SRTP refused or declined", policy("rejected", udp), lvl(matrix.Rejected), ""},

		{"unknown: plain unanswered", replace(policy("required", udp), silent(plain, udp)), nil, "plain RTP offer got no answer"},
		{"unknown: plain busy", replace(policy("required", udp), answered(plain, 486, "Busy Here", udp)), nil, "486 Busy Here"},
		{"unknown: plain 503", replace(policy("required", udp), answered(plain, 503, "Service Unavailable", udp)), nil, "503 Service Unavailable"},
		{"unknown: plain not sent", only(policy("required", udp), sdes80, msOpt), nil, "no plain RTP offer was sent"},
		{"unknown: plain interrupted", replace(policy("required", udp), cut(plain, udp)), nil, "was interrupted"},
		{"unknown: 488 to everything, plain included", everyStatus(488, "Not Acceptable Here", udp), nil, "codec or profile mismatch"},
		{"unknown: 606 to everything", everyStatus(606, "Not Acceptable", udp), nil, "codec or profile mismatch"},
		{"unknown: 488 to everything but an SRTP offer's 404", replace(everyStatus(488, "Not Acceptable Here", udp), answered(sdes80, 404, "Not Found", udp)), nil, "1 × 404 Not Found"},
		{"unknown: every INVITE 404", everyStatus(404, "Not Found", udp), nil, "every INVITE got 404 Not Found"},
		{"unknown: every INVITE 403", everyStatus(403, "Forbidden", udp), nil, "every INVITE got 403 Forbidden"},
		{"unknown: every INVITE 408", everyStatus(408, "Request Timeout", udp), nil, "408"},
		{"unknown: every INVITE 5xx", everyStatus(503, "Service Unavailable", udp), nil, "503"},
		{"unknown: nothing answered", every(silent, udp), nil, "every INVITE got no answer"},
		{"unknown: transport errors", every(broken, udp), nil, "closed the connection"},
		{"unknown: interrupted", every(cut, udp), nil, "interrupted"},
		{"unknown: 2xx without a usable answer", every(unusable, udp), nil, "no offer was evaluated"},
		{"unknown: SRTP keyed for a tag not offered", replace(replace(policy("rejected", udp), wrongTag(sdes80, udp)), wrongTag(sdes32, udp)), nil, "plain RTP is accepted, but"},
		{"unknown: plain taken, an SRTP offer 404", replace(policy("rejected", udp), answered(dtls, 404, "Not Found", udp)), nil, "the dtls-srtp offer got 404 Not Found"},
		{"unknown: SRTP taken, plain 403", replace(policy("optional", udp), answered(plain, 403, "Forbidden", udp)), nil, "403 Forbidden"},
		{"unknown: no offer", nil, nil, "no offer was sent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := Effective(c.offers)
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("Effective = %v (%s), want %v", got, reason, c.want)
			}
			if got != nil && reason != "" {
				t.Errorf("a derived level carries a reason: %q", reason)
			}
			if c.want == nil && !strings.Contains(reason, c.reason) {
				t.Errorf("reason %q, want it to say %q", reason, c.reason)
			}
		})
	}
}
