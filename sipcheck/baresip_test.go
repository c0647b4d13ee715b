package sipcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/peers"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/srtpcheck"
)

// baresipTarget is the UDP target of a running baresip.
func baresipTarget(t *testing.T, b *peers.Baresip) Target {
	return mustTarget(t, "sip:"+b.Addr+";transport=udp")
}

// TestInteropBaresip calls a real baresip, as its user, in each mediaenc:
// the effective level, authenticated media both ways for the offers it
// keys, and clean dialogs.
func TestInteropBaresip(t *testing.T) {
	cases := []struct {
		mediaenc string
		want     matrix.EncryptionLevel
		media    []Offer // offers whose media must authenticate
	}{
		{"srtp-mand", matrix.Required, []Offer{srtpcheck.OfferSDES80}},
		{"srtp", matrix.Optional, []Offer{srtpcheck.OfferSDES80, srtpcheck.OfferMSOptional}},
		{"dtls_srtp", matrix.Required, []Offer{srtpcheck.OfferDTLS}},
		{"", matrix.Rejected, nil},
	}
	for _, c := range cases {
		name := c.mediaenc
		if name == "" {
			name = "no-encryption"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := peers.StartBaresip(t, peers.BaresipConfig{MediaEnc: c.mediaenc})
			cfg := Config{Timeout: 3 * time.Second, MediaDuration: 500 * time.Millisecond, To: b.User}
			start := time.Now()
			r := ProbeEndpoint(testCtx(t, 60*time.Second), baresipTarget(t, b), cfg)
			t.Logf("probe of baresip (%s): %.1fs", name, time.Since(start).Seconds())
			if r.Effective == nil || *r.Effective != c.want {
				t.Fatalf("effective %v (%s), want %v\n%s", r.Effective, r.EffectiveReason, c.want, r.Evidence)
			}
			for _, want := range c.media {
				var m *MediaResult
				for _, o := range r.Offers {
					if o.Offer == want {
						m = o.Media
					}
				}
				if m == nil || m.Authenticated == 0 || m.Failed != 0 || m.Sent == 0 {
					t.Errorf("%s: media %+v, want authenticated packets both ways\n%s", want, m, r.Evidence)
				}
			}
			f := worst(Judge(r, liveExpect(matrix.RoleSIPEdge)))
			if c.want == matrix.Rejected {
				if f["SRTP-NOT-SUPPORTED"] != "fail" {
					t.Errorf("no-encryption callee: SRTP-NOT-SUPPORTED = %q", f["SRTP-NOT-SUPPORTED"])
				}
			} else if f["SRTP-MEDIA-AUTH-FAILED"] != "pass" || f["SRTP-NOT-SUPPORTED"] != "pass" {
				t.Errorf("SRTP-MEDIA-AUTH-FAILED = %q, SRTP-NOT-SUPPORTED = %q", f["SRTP-MEDIA-AUTH-FAILED"], f["SRTP-NOT-SUPPORTED"])
			}
			for _, o := range r.Offers {
				if o.Code/100 == 2 && (o.Cleanup != "ack+bye" || o.Error != "") {
					t.Errorf("%s: cleanup %q error %q", o.Offer, o.Cleanup, o.Error)
				}
			}
		})
	}
}

// TestInteropBaresipUnknownUser: baresip called without --to gets the
// unroutable default user and answers 404 to every INVITE: nothing about
// SRTP is decided, and the hint names --to.
func TestInteropBaresipUnknownUser(t *testing.T) {
	t.Parallel()
	b := peers.StartBaresip(t, peers.BaresipConfig{MediaEnc: "srtp-mand"})
	cfg := Config{Timeout: 3 * time.Second, MediaDuration: 300 * time.Millisecond}
	r := ProbeEndpoint(testCtx(t, 60*time.Second), baresipTarget(t, b), cfg)
	for _, o := range r.Offers {
		if o.Code != 404 {
			t.Fatalf("%s: %s, want 404 for an unknown user\n%s", o.Name, o.Evidence(), r.Evidence)
		}
	}
	e := liveExpect(matrix.RoleSIPEdge)
	e.Declared.Encryption = ptr(matrix.Required)
	fs := Judge(r, e)
	got := worst(fs)
	for _, id := range []string{"SRTP-NOT-SUPPORTED", "SRTP-NOT-REQUIRED", "UM-SRTP-MISMATCH"} {
		if got[id] != "inconclusive" {
			t.Errorf("%s = %q, want inconclusive", id, got[id])
		}
	}
	for _, f := range fs {
		if f.Check == "SRTP-NOT-SUPPORTED" && (!strings.Contains(f.Summary, "every INVITE got 404 Not Found") || !strings.Contains(f.Hint, "--to")) {
			t.Errorf("SRTP-NOT-SUPPORTED: %q, hint %q", f.Summary, f.Hint)
		}
	}
	if code := report.ExitCode(fs, report.Fail); code != report.ExitInconclusive {
		t.Errorf("exit %d, want %d (inconclusive)\n%s", code, report.ExitInconclusive, dumpFindings(fs))
	}
}
