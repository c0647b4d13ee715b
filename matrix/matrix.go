package matrix

import (
	"fmt"

	"github.com/voipsec/voipsec/report"
)

// Verdict is the evaluation of one dial plan level against one client level.
type Verdict struct {
	VoipSecurity VoipSecurity    `json:"voip_security"`
	Encryption   EncryptionLevel `json:"encryption"`
	Compatible   bool            `json:"compatible"`
	Check        string          `json:"check"`  // catalog ID that decides the cell
	Reason       string          `json:"reason"` // why, in one sentence
	Ref          string          `json:"ref"`
}

// Evaluate decides whether a UM dial plan at v can serve clients at e.
func Evaluate(v VoipSecurity, e EncryptionLevel) Verdict {
	out := Verdict{VoipSecurity: v, Encryption: e, Check: "UM-ENCRYPTION-INCOMPATIBLE"}
	c, _ := report.Lookup(out.Check)
	out.Ref = c.Ref
	switch v {
	case Unsecured:
		c, _ := report.Lookup("UM-VOIPSEC-UNSECURED")
		out.Check, out.Ref = c.ID, c.Ref
		out.Reason = "Unsecured signals over TCP without mutual TLS; OCS requires MTLS to Exchange UM, so no client level works"
	case SIPSecured:
		switch e {
		case Rejected:
			out.Compatible = true
			out.Reason = "mutual TLS signalling, plain RTP media: clients that reject encryption offer RTP/AVP and UM answers RTP"
		case Optional:
			out.Compatible = true
			out.Reason = "mutual TLS signalling; clients offer RTP/AVP with a=crypto and UM answers plain RTP"
		case Required:
			out.Reason = "SIPSecured carries plain RTP, clients that require encryption get 488 Encryption Levels not compatible"
		}
	case Secured:
		switch e {
		case Rejected:
			out.Reason = "Secured requires SRTP, clients that reject encryption offer plain RTP and the call fails with 488"
		case Optional:
			out.Compatible = true
			out.Reason = "mutual TLS signalling; clients offer RTP/AVP with a=crypto and UM answers RTP/SAVP (SRTP)"
		case Required:
			out.Compatible = true
			out.Reason = "mutual TLS signalling and SRTP media on both sides"
		}
	}
	return out
}

// Cells returns the nine verdicts, dial plan level major.
func Cells() []Verdict {
	out := make([]Verdict, 0, 9)
	for _, v := range VoipSecurities {
		for _, e := range EncryptionLevels {
			out = append(out, Evaluate(v, e))
		}
	}
	return out
}

// Target names the matrix cell as a finding target.
func (v Verdict) Target() string {
	return fmt.Sprintf("dial-plan=%s client=%s", v.VoipSecurity, v.Encryption)
}

// Finding returns the verdict as a finding: a failure of its check when the
// pair is incompatible, a pass otherwise.
func (v Verdict) Finding(target string) report.Finding {
	if target == "" {
		target = v.Target()
	}
	var f report.Finding
	if v.Compatible {
		f = report.Passed(v.Check, target, fmt.Sprintf("%s dial plan works with %s clients", v.VoipSecurity, v.Encryption))
	} else {
		f = report.New(v.Check, target, fmt.Sprintf("%s dial plan does not work with %s clients", v.VoipSecurity, v.Encryption))
	}
	f.Detail = v.Reason
	f.Ref = v.Ref
	return f
}
