package peers

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
)

// BaresipConfig is a baresip callee.
type BaresipConfig struct {
	// User is the account's user part, the number to call; default "uas".
	User string
	// MediaEnc is the account's mediaenc: "" (plain RTP), "srtp" (RTP/AVP
	// with a=crypto, the Microsoft optional form), "srtp-mand" (RTP/SAVP),
	// "srtp-mandf" or "dtls_srtp".
	MediaEnc string
	// Lifetime is how long baresip runs before it quits by itself (-t);
	// default 90 s. It is also stopped when the test ends.
	Lifetime time.Duration
}

// Baresip is a running baresip that answers every call to its user
// automatically and sends a 440 Hz tone.
type Baresip struct {
	// Addr is the SIP address, host:port, for UDP and TCP.
	Addr string
	// User is the account's user part: calls to another user get 404.
	User string
	// URI is the account's address of record, sip:User@127.0.0.1.
	URI  string
	proc *process
}

// Log returns what baresip printed so far.
func (b *Baresip) Log() string { return b.proc.log.String() }

// BaresipModules returns the directory holding baresip's srtp.so, skipping
// the test (or failing it under VOIPSEC_INTEROP=1) when there is none.
func BaresipModules(t TB) string {
	t.Helper()
	d := firstExisting("srtp.so", "/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules")
	if d == "" {
		interop.Missing(t, "baresip's modules (srtp.so)")
	}
	return d
}

// StartBaresip runs baresip as an auto-answering callee on a free loopback
// port and waits until it answers SIP. A port taken between the check and
// baresip's bind makes it exit at once: it is tried again on another port.
func StartBaresip(t TB, c BaresipConfig) *Baresip {
	t.Helper()
	bin := peerBinary(t, "baresip")
	modules := BaresipModules(t)
	if c.User == "" {
		c.User = "uas"
	}
	if c.Lifetime <= 0 {
		c.Lifetime = 90 * time.Second
	}
	var err error
	for range 3 {
		var b *Baresip
		if b, err = tryBaresip(t, bin, modules, c); err == nil {
			return b
		}
		if !errors.Is(err, errExited) {
			break
		}
	}
	t.Fatalf("baresip: %v", err)
	return nil
}

func tryBaresip(t TB, bin, modules string, c BaresipConfig) (*Baresip, error) {
	t.Helper()
	dir := t.TempDir()
	port := FreePort(t)
	lo, hi := rtpRange()
	tone := writeFile(t, dir, "tone.wav", ToneWAV(440, 10*time.Second))
	conf := fmt.Sprintf(`poll_method epoll
sip_listen 127.0.0.1:%d
sip_trans_def udp
net_interface 127.0.0.1
audio_player aubridge,nil
audio_source aufile,%s
audio_alert aubridge,nil
rtp_ports %d-%d
module_path %s
module g711.so
module aufile.so
module aubridge.so
module srtp.so
module dtls_srtp.so
module_app account.so
module_app menu.so
`, port, tone, lo, hi, modules)
	uri := "sip:" + c.User + "@127.0.0.1"
	acct := "<" + uri + ">;regint=0;answermode=auto;audio_codecs=PCMU,PCMA"
	if c.MediaEnc != "" {
		acct += ";mediaenc=" + c.MediaEnc
	}
	writeFile(t, dir, "config", []byte(conf))
	writeFile(t, dir, "accounts", []byte(acct+"\n"))
	p := start(t, "baresip", bin, "-f", dir, "-t", strconv.Itoa(int(c.Lifetime.Seconds())))
	b := &Baresip{Addr: hostPort(port), User: c.User, URI: uri, proc: p}
	if err := awaitSIP(p, b.Addr); err != nil {
		p.stop()
		return nil, err
	}
	return b, nil
}

// ToneWAV is a 16-bit mono 8 kHz WAV file of a sine tone: the audio
// baresip sends, so that a decoded stream can be told from silence.
func ToneWAV(freq float64, d time.Duration) []byte {
	n := int(d.Seconds() * 8000)
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))
	w(uint16(1))
	w(uint32(8000))
	w(uint32(16000))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	for i := 0; i < n; i++ {
		w(int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/8000)))
	}
	return b.Bytes()
}
