package matrix

import (
	"strings"
	"testing"
)

// The offers and answers of domain.md §1.3: what each offer asks for, and
// whether each offer/answer pair keys SRTP.
func TestMediaLineOfferLevel(t *testing.T) {
	for _, c := range []struct {
		name string
		m    MediaLine
		want EncryptionLevel
	}{
		{"plain AVP", MediaLine{Proto: "RTP/AVP", Port: 5004}, Rejected},
		{"SAVP with SDES", MediaLine{Proto: "RTP/SAVP", Port: 5004, Crypto: 1}, Required},
		{"MS-SDPEXT optional: AVP with crypto", MediaLine{Proto: "RTP/AVP", Port: 5004, Crypto: 2}, Optional},
		{"DTLS-SRTP", MediaLine{Proto: "UDP/TLS/RTP/SAVP", Port: 5004, Fingerprint: true}, Required},
		{"TCP media AVP with crypto", MediaLine{Proto: "TCP/RTP/AVP", Port: 5004, Crypto: 1}, Optional},
		{"MS-SDPEXT optional: AVP with a=cryptoscale only", MediaLine{Proto: "RTP/AVP", Port: 5004, Scale: 1}, Optional},
		{"a=encryption:required on AVP with crypto", MediaLine{Proto: "RTP/AVP", Port: 5004, Crypto: 1, Encryption: "required"}, Required},
		{"a=encryption:rejected on SAVP", MediaLine{Proto: "RTP/SAVP", Port: 5004, Crypto: 1, Encryption: "rejected"}, Rejected},
		{"a=encryption:optional, upper case", MediaLine{Proto: "RTP/AVP", Port: 5004, Encryption: "Optional"}, Optional},
	} {
		if got := c.m.OfferLevel(); got != c.want {
			t.Errorf("%s: OfferLevel = %s, want %s", c.name, got, c.want)
		}
	}
}

// TestMediaLineKeysSRTP: SDES keys, or DTLS-SRTP with a fingerprint, key
// SRTP; a policy or a profile alone does not; the port plays no part.
func TestMediaLineKeysSRTP(t *testing.T) {
	for _, c := range []struct {
		name string
		m    MediaLine
		want bool
	}{
		{"SAVP with SDES", MediaLine{Proto: "RTP/SAVP", Port: 5004, Crypto: 1}, true},
		{"an offer's line before it has a port", MediaLine{Proto: "RTP/SAVP", Crypto: 1}, true},
		{"MS-SDPEXT optional: AVP with crypto", MediaLine{Proto: "RTP/AVP", Crypto: 1}, true},
		{"DTLS-SRTP with a fingerprint", MediaLine{Proto: "UDP/TLS/RTP/SAVP", Fingerprint: true}, true},
		{"DTLS-SRTP without a fingerprint", MediaLine{Proto: "UDP/TLS/RTP/SAVP", Port: 5004}, false},
		{"SAVP without a key", MediaLine{Proto: "RTP/SAVP", Port: 5004}, false},
		{"a=encryption:required alone", MediaLine{Proto: "RTP/AVP", Port: 5004, Encryption: "required"}, false},
		{"a=cryptoscale only", MediaLine{Proto: "RTP/AVP", Port: 5004, Scale: 1}, false},
		{"plain AVP", MediaLine{Proto: "RTP/AVP", Port: 5004}, false},
	} {
		if got := c.m.KeysSRTP(); got != c.want {
			t.Errorf("%s: KeysSRTP = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSRTPNegotiated(t *testing.T) {
	avp := MediaLine{Proto: "RTP/AVP", Port: 5004}
	avpCrypto := MediaLine{Proto: "RTP/AVP", Port: 5004, Crypto: 1}
	savp := MediaLine{Proto: "RTP/SAVP", Port: 6000, Crypto: 1}
	savpNoKey := MediaLine{Proto: "RTP/SAVP", Port: 6000}
	dtls := MediaLine{Proto: "UDP/TLS/RTP/SAVP", Port: 6000, Fingerprint: true}
	dtlsNoFP := MediaLine{Proto: "UDP/TLS/RTP/SAVP", Port: 6000}
	refused := MediaLine{Proto: "RTP/SAVP", Port: 0, Crypto: 1}
	encReq := MediaLine{Proto: "RTP/AVP", Port: 6000, Encryption: "required"}
	for _, c := range []struct {
		name          string
		offer, answer MediaLine
		want          bool
	}{
		{"plain offer, plain answer", avp, avp, false},
		{"SDES offer, SDES answer", savp, savp, true},
		{"MS optional offer, SAVP+crypto answer", avpCrypto, savp, true},
		{"MS optional offer, AVP+crypto answer", avpCrypto, avpCrypto, true},
		{"MS optional offer, plain AVP answer (declined)", avpCrypto, avp, false},
		{"plain offer, answer with a crypto line of its own", avp, avpCrypto, false},
		{"SDES offer, SAVP answer without a key", savp, savpNoKey, false},
		{"SDES offer, port 0 answer", savp, refused, false},
		{"DTLS offer, DTLS answer", dtls, dtls, true},
		{"DTLS offer, answer without fingerprint", dtls, dtlsNoFP, false},
		{"DTLS offer, SDES answer", dtls, savp, false},
		{"a=encryption:required without keys on both sides", encReq, encReq, false},
		{"a=cryptoscale only on both sides keys no plain SRTP", MediaLine{Proto: "RTP/AVP", Port: 5004, Scale: 1}, MediaLine{Proto: "RTP/SAVP", Port: 6000, Scale: 1}, false},
	} {
		if got := SRTPNegotiated(c.offer, c.answer); got != c.want {
			t.Errorf("%s: SRTPNegotiated = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Role
		mtls bool
	}{
		{"um", RoleUM, true}, {"Mediation-Internal", RoleMediationInternal, true}, {"mediation_external", RoleMediationExternal, false},
		{"gateway", RoleGateway, false}, {"sip-edge", RoleSIPEdge, false}, {"internal", RoleMediationInternal, true},
	} {
		got, err := ParseRole(c.in)
		if err != nil || got != c.want || got.Expect().MutualTLS != c.mtls || got.Expect().Role != got {
			t.Errorf("ParseRole(%q) = %v, %v (MTLS %v)", c.in, got, err, got.Expect().MutualTLS)
		}
		if back, _ := ParseRole(got.String()); back != got {
			t.Errorf("%s does not round-trip", got)
		}
	}
	if _, err := ParseRole("pbx"); err == nil || !strings.Contains(err.Error(), "mediation-internal") {
		t.Errorf("unknown role error does not list the roles: %v", err)
	}
	if r, why := AssumeRole(5061); r != RoleMediationInternal || why != "port 5061" {
		t.Errorf("AssumeRole(5061) = %s, %s", r, why)
	}
	if r, _ := AssumeRole(5060); r != RoleSIPEdge {
		t.Errorf("AssumeRole(5060) = %s", r)
	}
	if n := AssumedRoleNote(RoleMediationInternal, "port 5061"); n != "assumed role mediation-internal: port 5061; --role to change" {
		t.Errorf("note %q", n)
	}
}
