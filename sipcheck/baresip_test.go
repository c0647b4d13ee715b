package sipcheck

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/srtpcheck"
)

// startBaresip runs baresip as an auto-answering callee on loopback with
// mediaenc (empty: no encryption), bounded by -t and killed by PID at
// cleanup. rtpBase keeps parallel instances' media ports apart.
func startBaresip(t *testing.T, mediaenc string, rtpBase int) Target {
	t.Helper()
	bin := needBinary(t, "baresip")
	// baresip also binds SIP/TLS on port+1; a port taken between our check
	// and its bind makes it exit at once: try again on another port.
	var err error
	for range 3 {
		var tg Target
		if tg, err = tryBaresip(t, bin, mediaenc, rtpBase); err == nil {
			return tg
		}
		if !errors.Is(err, errExited) {
			break
		}
	}
	t.Fatal(err)
	return Target{}
}

func tryBaresip(t *testing.T, bin, mediaenc string, rtpBase int) (Target, error) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t, "udp")
	conf := fmt.Sprintf(`poll_method epoll
sip_listen 127.0.0.1:%d
sip_trans_def udp
net_interface 127.0.0.1
audio_player aubridge,nil
audio_source aufile,/usr/share/baresip/callwaiting.wav
audio_alert aubridge,nil
rtp_ports %d-%d
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module srtp.so
module dtls_srtp.so
module_app account.so
module_app menu.so
`, port, rtpBase, rtpBase+99)
	acct := "<sip:voipsec@127.0.0.1>;regint=0;answermode=auto"
	if mediaenc != "" {
		acct += ";mediaenc=" + mediaenc
	}
	for name, body := range map[string]string{"config": conf, "accounts": acct + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-f", dir, "-t", "40")
	log, err := os.Create(filepath.Join(dir, "baresip.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "baresip.log"))
			if len(b) > 3000 {
				b = append(b[:1500:1500], b[len(b)-1500:]...)
			}
			t.Logf("baresip log:\n%s", b)
		}
	})
	tg := mustTarget(t, "sip:127.0.0.1:"+strconv.Itoa(port)+";transport=udp")
	return tg, awaitOptions(tg, done)
}

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
	for i, c := range cases {
		name := c.mediaenc
		if name == "" {
			name = "no-encryption"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := startBaresip(t, c.mediaenc, 31000+200*i)
			cfg := Config{Timeout: 3 * time.Second, MediaDuration: 500 * time.Millisecond, To: "sip:voipsec@127.0.0.1"}
			r := ProbeEndpoint(testCtx(t, 60*time.Second), tg, cfg)
			if r.Effective == nil || *r.Effective != c.want {
				t.Fatalf("effective %v, want %v\n%s", r.Effective, c.want, r.Evidence)
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
			f := findings(r)
			if c.want == matrix.Rejected {
				if f["SRTP-NOT-SUPPORTED"] != "fail" {
					t.Errorf("no-encryption callee: SRTP-NOT-SUPPORTED = %q", f["SRTP-NOT-SUPPORTED"])
				}
			} else if f["SRTP-MEDIA-AUTH-FAILED"] != "pass" {
				t.Errorf("SRTP-MEDIA-AUTH-FAILED = %q\n%s", f["SRTP-MEDIA-AUTH-FAILED"], dump(r))
			}
			for _, o := range r.Offers {
				if o.Code/100 == 2 && (o.Cleanup != "ack+bye" || o.Error != "") {
					t.Errorf("%s: cleanup %q error %q", o.Offer, o.Cleanup, o.Error)
				}
			}
		})
	}
}
