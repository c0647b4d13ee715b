package sipcheck

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
	"github.com/voipsec/voipsec/internal/peers"
	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// needBinary finds an interop peer: a skip without it, a failure under
// VOIPSEC_INTEROP=1 (CI).
func needBinary(t *testing.T, name string) string {
	t.Helper()
	return interop.Binary(t, name)
}

// startSIPp runs a SIPp UAS scenario from testdata/sipp on loopback, bounded
// by its own -timeout and killed (by PID) at cleanup. It returns the target.
func startSIPp(t *testing.T, scenario, transport string) Target {
	t.Helper()
	bin := needBinary(t, "sipp")
	path, err := filepath.Abs(filepath.Join("..", "testdata", "sipp", scenario))
	if err != nil {
		t.Fatal(err)
	}
	mode := "u1"
	if transport == TCP {
		mode = "t1"
	}
	port := peers.FreePort(t)
	cmd := exec.Command(bin, "-sf", path, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", mode,
		"-aa", "-nostdin", "-timeout", "30s", "-timeout_error")
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	tg := mustTarget(t, "sip:127.0.0.1:"+strconv.Itoa(port)+";transport="+transport)
	waitOptions(t, tg, done)
	return tg
}

// waitOptions waits until the peer answers OPTIONS, at most 15 s, or fails
// when the peer process exits first.
func waitOptions(t *testing.T, tg Target, exited <-chan struct{}) {
	t.Helper()
	if err := awaitOptions(tg, exited); err != nil {
		t.Fatal(err)
	}
}

// errExited: the peer process ended before it answered.
var errExited = errors.New("peer exited before answering OPTIONS")

func awaitOptions(tg Target, exited <-chan struct{}) error {
	a, err := newAgent(tg, &Config{}, nil, "")
	if err != nil {
		return err
	}
	defer a.close()
	deadline := time.Now().Add(15 * time.Second) // generous: CI machines are busy
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		o := a.options(ctx, tg)
		cancel()
		if o.Code != 0 { // any SIP answer: baresip says 404 to a Request-URI without user
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s: %w", tg, errExited)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s: peer did not answer OPTIONS within 15 s", tg)
}

func TestInteropSIPp(t *testing.T) {
	cases := []struct {
		scenario  string
		transport string
		effective *matrix.EncryptionLevel
		want      map[string]string
		check     func(t *testing.T, r *Result)
	}{
		{"uas-crypto.xml", UDP, ptr(matrix.Required),
			map[string]string{"SDES-OVER-CLEARTEXT": "fail", "SRTP-NOT-SUPPORTED": "pass", "SRTP-NO-MEDIA": "warn"}, nil},
		{"uas-ms-encryption.xml", TCP, ptr(matrix.Required),
			map[string]string{"SDES-OVER-CLEARTEXT": "fail", "SRTP-NOT-SUPPORTED": "pass"},
			func(t *testing.T, r *Result) {
				for _, o := range r.Offers {
					if o.Offer == srtpcheck.OfferMSOptional && (o.Answer == nil || o.Answer.Encryption != "required" || !o.Answer.MKI || !o.Secure) {
						t.Errorf("Microsoft answer not understood: %+v", o.Answer)
					}
				}
			}},
		{"uas-plain.xml", UDP, ptr(matrix.Rejected),
			map[string]string{"SRTP-NOT-SUPPORTED": "fail"}, nil},
		// 488 to every offer, the plain one included: a codec or profile
		// mismatch, not an SRTP verdict.
		{"uas-488.xml", UDP, nil,
			map[string]string{"SRTP-NOT-SUPPORTED": "inconclusive"},
			func(t *testing.T, r *Result) {
				for _, o := range r.Offers {
					if o.Code != 488 {
						t.Errorf("%s: %d, want 488", o.Offer, o.Code)
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			t.Parallel()
			tg := startSIPp(t, c.scenario, c.transport)
			cfg := Config{Timeout: 3 * time.Second, MediaDuration: 300 * time.Millisecond}
			r := ProbeEndpoint(testCtx(t, 30*time.Second), tg, cfg)
			if (r.Effective == nil) != (c.effective == nil) || (r.Effective != nil && *r.Effective != *c.effective) {
				t.Fatalf("effective %v, want %v\n%s\n%s", r.Effective, c.effective, r.Evidence, dump(r))
			}
			f := findings(r)
			for id, sev := range c.want {
				if f[id] != sev {
					t.Errorf("%s = %q, want %q", id, f[id], sev)
				}
			}
			for _, o := range r.Offers {
				if o.Code/100 == 2 && o.Cleanup != "ack+bye" {
					t.Errorf("%s: answered dialog cleaned up with %q", o.Offer, o.Cleanup)
				}
				if o.Error != "" {
					t.Errorf("%s: %s", o.Offer, o.Error)
				}
			}
			if c.check != nil {
				c.check(t, r)
			}
			if t.Failed() {
				t.Log(r.Evidence + "\n" + dump(r))
			}
		})
	}
}
