package matrix

import (
	"errors"
	"testing"

	"github.com/voipsec/voipsec/report"
)

func TestEvaluateAllCells(t *testing.T) {
	tests := []struct {
		v     VoipSecurity
		e     EncryptionLevel
		ok    bool
		check string
	}{
		{Unsecured, Rejected, false, "UM-VOIPSEC-UNSECURED"},
		{Unsecured, Optional, false, "UM-VOIPSEC-UNSECURED"},
		{Unsecured, Required, false, "UM-VOIPSEC-UNSECURED"},
		{SIPSecured, Rejected, true, "UM-ENCRYPTION-INCOMPATIBLE"},
		{SIPSecured, Optional, true, "UM-ENCRYPTION-INCOMPATIBLE"},
		{SIPSecured, Required, false, "UM-ENCRYPTION-INCOMPATIBLE"},
		{Secured, Rejected, false, "UM-ENCRYPTION-INCOMPATIBLE"},
		{Secured, Optional, true, "UM-ENCRYPTION-INCOMPATIBLE"},
		{Secured, Required, true, "UM-ENCRYPTION-INCOMPATIBLE"},
	}
	if got := len(Cells()); got != len(tests) {
		t.Fatalf("Cells() has %d cells, want %d", got, len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.v.String()+"/"+tt.e.String(), func(t *testing.T) {
			got := Evaluate(tt.v, tt.e)
			if got.Compatible != tt.ok || got.Check != tt.check {
				t.Errorf("Evaluate = compatible %v check %s, want %v %s", got.Compatible, got.Check, tt.ok, tt.check)
			}
			if got.Reason == "" || got.Ref == "" {
				t.Errorf("verdict without reason or reference: %+v", got)
			}
			if c := Cells()[i]; c != got {
				t.Errorf("Cells()[%d] = %+v, want %+v", i, c, got)
			}
			f := got.Finding("")
			wantSev := report.Fail
			if tt.ok {
				wantSev = report.Pass
			}
			if f.Severity != wantSev || f.Check != tt.check {
				t.Errorf("Finding = %s %s, want %s %s", f.Severity, f.Check, wantSev, tt.check)
			}
		})
	}
}

func TestParseVoipSecurity(t *testing.T) {
	tests := []struct {
		in   string
		want VoipSecurity
	}{
		{"Unsecured", Unsecured}, {"unsecured", Unsecured}, {"UNSECURED", Unsecured},
		{"SIPSecured", SIPSecured}, {"sipsecured", SIPSecured}, {"sip-secured", SIPSecured},
		{"SIP_Secured", SIPSecured}, {"SIP Secured", SIPSecured}, {" SipSecured ", SIPSecured},
		{"Secured", Secured}, {"secured", Secured}, {"SECURED", Secured},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVoipSecurity(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseVoipSecurity(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			var back VoipSecurity
			if err := back.UnmarshalText([]byte(got.String())); err != nil || back != got {
				t.Fatalf("round trip of %v: %v, %v", got, back, err)
			}
		})
	}
	for _, bad := range []string{"", "secure", "tls", "SIPSecuredX", "mtls"} {
		_, err := ParseVoipSecurity(bad)
		var uv *UnknownValueError
		if !errors.As(err, &uv) || len(uv.Accepted) != 3 {
			t.Errorf("ParseVoipSecurity(%q) error = %v, want *UnknownValueError listing 3 values", bad, err)
		}
	}
}

func TestParseEncryptionLevel(t *testing.T) {
	tests := []struct {
		in   string
		want EncryptionLevel
	}{
		{"rejected", Rejected}, {"Rejected", Rejected}, {"DoNotSupportEncryption", Rejected},
		{"donotsupportencryption", Rejected}, {"do-not-support-encryption", Rejected}, {"NotSupported", Rejected},
		{"optional", Optional}, {"OPTIONAL", Optional}, {"SupportEncryption", Optional}, {"support-encryption", Optional},
		{"required", Required}, {"Required", Required}, {"RequireEncryption", Required}, {"require_encryption", Required},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEncryptionLevel(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseEncryptionLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "encrypted", "RequiredEncryption", "yes"} {
		if _, err := ParseEncryptionLevel(bad); err == nil {
			t.Errorf("ParseEncryptionLevel(%q) accepted", bad)
		}
	}
	for _, e := range EncryptionLevels {
		got, err := ParseEncryptionLevel(e.ServerSetting())
		if err != nil || got != e {
			t.Errorf("ServerSetting %q does not parse back to %v", e.ServerSetting(), e)
		}
	}
}

func TestLevelImplications(t *testing.T) {
	tests := []struct {
		v         VoipSecurity
		transport string
		port      int
		mtls      bool
		srtp      bool
	}{
		{Unsecured, "tcp", 5060, false, false},
		{SIPSecured, "tls", 5061, true, false},
		{Secured, "tls", 5061, true, true},
	}
	for _, tt := range tests {
		tr := tt.v.Transport()
		if tr.Name != tt.transport || tr.Port != tt.port || tr.MutualTLS != tt.mtls || tt.v.SRTP() != tt.srtp {
			t.Errorf("%v implies %+v srtp=%v, want %s %d mtls=%v srtp=%v", tt.v, tr, tt.v.SRTP(), tt.transport, tt.port, tt.mtls, tt.srtp)
		}
		if (tt.v.Media() == Required) != tt.srtp {
			t.Errorf("%v.Media() = %v", tt.v, tt.v.Media())
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestCompare(t *testing.T) {
	const target = "tls://um01:5061"
	tests := []struct {
		name string
		d    Declared
		o    Observation
		want map[string]report.Severity // check → severity; absent checks must not appear
	}{
		{
			name: "secured endpoint enforcing everything",
			d:    Declared{VoipSecurity: ptr(Secured), Encryption: ptr(Required)},
			o:    Observation{TLS: true, ClientCertAsked: ptr(true), MTLSRequired: ptr(true), CleartextAccepted: ptr(false), Effective: ptr(Required)},
			want: map[string]report.Severity{"UM-MTLS-NOT-ENFORCED": report.Pass, "UM-SRTP-MISMATCH": report.Pass, "UM-ENCRYPTION-INCOMPATIBLE": report.Pass},
		},
		{
			name: "secured endpoint taking plain RTP",
			d:    Declared{VoipSecurity: ptr(Secured)},
			o:    Observation{TLS: true, MTLSRequired: ptr(true), Effective: ptr(Optional), Evidence: "plain RTP/AVP offer answered 200 RTP/AVP"},
			want: map[string]report.Severity{"UM-MTLS-NOT-ENFORCED": report.Pass, "UM-SRTP-MISMATCH": report.Fail},
		},
		{
			name: "SIPSecured endpoint without client certificate",
			d:    Declared{VoipSecurity: ptr(SIPSecured)},
			o:    Observation{TLS: true, ClientCertAsked: ptr(false), MTLSRequired: ptr(false), Effective: ptr(Optional)},
			want: map[string]report.Severity{"UM-MTLS-NOT-ENFORCED": report.Fail, "UM-SRTP-MISMATCH": report.Pass},
		},
		{
			name: "SIPSecured endpoint requiring SRTP",
			d:    Declared{VoipSecurity: ptr(SIPSecured)},
			o:    Observation{Effective: ptr(Required)},
			want: map[string]report.Severity{"UM-SRTP-MISMATCH": report.Fail},
		},
		{
			name: "cleartext SIP answered under SIPSecured",
			d:    Declared{VoipSecurity: ptr(SIPSecured)},
			o:    Observation{CleartextAccepted: ptr(true), MTLSRequired: ptr(true)},
			want: map[string]report.Severity{"UM-MTLS-NOT-ENFORCED": report.Fail},
		},
		{
			name: "unsecured declared",
			d:    Declared{VoipSecurity: ptr(Unsecured), Encryption: ptr(Optional)},
			o:    Observation{},
			want: map[string]report.Severity{"UM-VOIPSEC-UNSECURED": report.Fail},
		},
		{
			name: "incompatible declared pair",
			d:    Declared{VoipSecurity: ptr(SIPSecured), Encryption: ptr(Required)},
			o:    Observation{},
			want: map[string]report.Severity{"UM-ENCRYPTION-INCOMPATIBLE": report.Fail},
		},
		{
			name: "client level only, edge weaker",
			d:    Declared{Encryption: ptr(Required)},
			o:    Observation{Effective: ptr(Optional)},
			want: map[string]report.Severity{"UM-SRTP-MISMATCH": report.Fail},
		},
		{
			name: "nothing observed, nothing declared",
			want: map[string]report.Severity{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Target = target
			got := Compare(tt.d, tt.o)
			seen := map[string]report.Severity{}
			for _, f := range got {
				if f.Target != target {
					t.Errorf("finding %s has target %q", f.Check, f.Target)
				}
				if _, dup := seen[f.Check]; dup {
					t.Errorf("check %s reported twice", f.Check)
				}
				seen[f.Check] = f.Severity
			}
			if len(seen) != len(tt.want) {
				t.Errorf("got checks %v, want %v", seen, tt.want)
			}
			for id, sev := range tt.want {
				if s, ok := seen[id]; !ok || s != sev {
					t.Errorf("%s = %v (present %v), want %v", id, s, ok, sev)
				}
			}
		})
	}
}
