package sim

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
	"github.com/voipsec/voipsec/internal/peers"
	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/matrix"
)

// needBinary finds an interop peer: a skip without it, a failure under
// VOIPSEC_INTEROP=1 (CI).
func needBinary(t *testing.T, name string) string {
	t.Helper()
	return interop.Binary(t, name)
}

type baresipRun struct {
	Log     string
	Decoded []int16 // audio baresip decoded from our SRTP
}

// runBaresip renders testdata/baresip into a temp dir and has baresip call
// addr with mediaenc, quitting after secs seconds.
func runBaresip(t *testing.T, bin, addr, mediaEnc string, secs int) baresipRun {
	t.Helper()
	return runBaresipTLS(t, bin, "sip:um@"+addr, mediaEnc, secs, nil, false, false)
}

// runBaresipTLS dials target; with pki it trusts the PKI's CA and, when
// withCert, presents the PKI's client certificate.
// A refused TLS connection leaves baresip 1.0 waiting on its INVITE
// transaction past -t; with mayHang the test then kills it (bounded).
func runBaresipTLS(t *testing.T, bin, target, mediaEnc string, secs int, pki *testpki.PKI, withCert, mayHang bool) baresipRun {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "snd"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := map[string]string{"Dir": dir, "ModulePath": peers.BaresipModules(t), "MediaEnc": mediaEnc}
	if pki != nil {
		files, err := pki.WriteFiles(filepath.Join(dir, "pki"))
		if err != nil {
			t.Fatal(err)
		}
		data["CA"] = files.CA
		if withCert {
			// baresip reads certificate and key from one PEM file.
			cert, _ := os.ReadFile(files.ClientCert)
			key, _ := os.ReadFile(files.ClientKey)
			bundle := filepath.Join(dir, "client-bundle.pem")
			if err := os.WriteFile(bundle, append(cert, key...), 0o600); err != nil {
				t.Fatal(err)
			}
			data["Cert"] = bundle
		}
	}
	for _, name := range []string{"config", "accounts"} {
		tmpl, err := template.ParseFiles(filepath.Join("..", "testdata", "baresip", name+".tmpl"))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, data); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tone.wav"), peers.ToneWAV(440, 10*time.Second), 0o644); err != nil {
		t.Fatal(err)
	}
	limit := time.Duration(secs+10) * time.Second
	if mayHang {
		limit = time.Duration(secs+2) * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", dir, "-e", "/dial "+target, "-t", itoa(secs))
	cmd.Stdin = nil
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil && !mayHang {
		t.Fatalf("baresip did not quit in time: %v\n%s", err, out)
	}
	r := baresipRun{Log: string(out)}
	dumps, _ := filepath.Glob(filepath.Join(dir, "snd", "*-dec.wav"))
	if len(dumps) == 1 {
		b, err := os.ReadFile(dumps[0])
		if err != nil {
			t.Fatal(err)
		}
		r.Decoded = wavSamples(b)
	}
	return r
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestInteropBaresip has a real baresip call the simulator in srtp,
// srtp-mand and dtls_srtp modes and checks authenticated SRTP both ways:
// the simulator authenticates baresip's packets (counters), and baresip
// decodes the simulator's tone (it drops packets that fail SRTP
// authentication, as the wrong-key control case shows). A plain offer to a
// required simulator gets 488.
func TestInteropBaresip(t *testing.T) {
	bin := needBinary(t, "baresip")
	cases := []struct {
		name, mediaEnc string
		faults         []Fault
		status         int
		dtls, audio    bool
	}{
		{name: "srtp", mediaEnc: "srtp", status: 200, audio: true},
		{name: "srtp-mand", mediaEnc: "srtp-mand", status: 200, audio: true},
		{name: "dtls_srtp", mediaEnc: "dtls_srtp", status: 200, dtls: true, audio: true},
		{name: "srtp-wrong-key", mediaEnc: "srtp", faults: []Fault{FaultWrongKey}, status: 200},
		{name: "plain-to-required", mediaEnc: "", status: 488},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, Config{Encryption: matrix.Required, Transports: []string{UDP}, Faults: c.faults,
				MaxCallDuration: 15 * time.Second})
			r := runBaresip(t, bin, s.UDPAddr, c.mediaEnc, 3)
			calls := s.Calls()
			if len(calls) != 1 {
				t.Fatalf("simulator saw %d calls\n%s", len(calls), r.Log)
			}
			st := waitEnded(t, s, calls[0].CallID)
			if st.Status != c.status {
				t.Fatalf("status %d, want %d (%s)\n%s", st.Status, c.status, st.Err, r.Log)
			}
			if c.status == 488 {
				if !strings.Contains(r.Log, "488 Encryption Levels not compatible") {
					t.Fatalf("baresip did not see the 488:\n%s", r.Log)
				}
				return
			}
			// baresip → simulator: every packet authenticated with baresip's key.
			if !st.Secure || st.DTLS != c.dtls || st.Media.Authenticated < 20 || st.Media.Failed != 0 || st.Media.Sent < 20 {
				t.Fatalf("simulator stats %+v\n%s", st, r.Log)
			}
			if c.dtls && (!strings.Contains(r.Log, "verified sha-256 fingerprint OK") || !strings.Contains(r.Log, "DTLS-SRTP complete")) {
				t.Fatalf("baresip DTLS log:\n%s", r.Log)
			}
			// simulator → baresip: decoded tone only when SRTP authenticated.
			failures := strings.Count(r.Log, "failed to decrypt")
			level := rms(r.Decoded)
			if c.audio {
				if failures != 0 || len(r.Decoded) < 8000/2 || level < 1000 {
					t.Fatalf("baresip decoded %d samples (rms %.0f), %d decrypt failures\n%s", len(r.Decoded), level, failures, r.Log)
				}
				t.Logf("sim: sent %d authenticated %d; baresip decoded %.1fs of tone (rms %.0f)",
					st.Media.Sent, st.Media.Authenticated, float64(len(r.Decoded))/8000, level)
			} else if failures == 0 || level > 100 {
				t.Fatalf("wrong key not detected by baresip: %d failures, rms %.0f", failures, level)
			}
		})
	}
}

// TestInteropBaresipMTLS: baresip calls the simulator's TLS port with
// mutual TLS required: with its client certificate the call carries
// authenticated SRTP (SDES keys protected by TLS); without one the TLS
// handshake is refused and no call reaches the simulator.
func TestInteropBaresipMTLS(t *testing.T) {
	bin := needBinary(t, "baresip")
	pki := testpki.NewT(t)
	for _, withCert := range []bool{true, false} {
		name := "client-cert"
		if !withCert {
			name = "no-client-cert"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startSim(t, Config{Encryption: matrix.Required, Transports: []string{TLS}, MTLS: MTLSRequire, PKI: pki,
				MaxCallDuration: 15 * time.Second})
			r := runBaresipTLS(t, bin, "sip:um@"+s.TLSAddr+";transport=tls", "srtp-mand", 3, pki, withCert, !withCert)
			calls := s.Calls()
			if !withCert {
				if len(calls) != 0 || strings.Contains(r.Log, "Call established") {
					t.Fatalf("call reached the simulator without a client certificate: %+v\n%s", calls, r.Log)
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("simulator saw %d calls\n%s", len(calls), r.Log)
			}
			st := waitEnded(t, s, calls[0].CallID)
			if st.Status != 200 || st.Transport != TLS || !st.Secure || st.Media.Authenticated < 20 || st.Media.Failed != 0 {
				t.Fatalf("simulator %+v\n%s", st, r.Log)
			}
			if strings.Count(r.Log, "failed to decrypt") != 0 || len(r.Decoded) < 4000 || rms(r.Decoded) < 1000 {
				t.Fatalf("baresip decoded %d samples\n%s", len(r.Decoded), r.Log)
			}
		})
	}
}

// wavSamples returns the 16-bit samples of a WAV file's data chunk.
func wavSamples(b []byte) []int16 {
	if len(b) < 12 || string(b[:4]) != "RIFF" {
		return nil
	}
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		off += 8
		if id == "data" {
			end := min(off+size, len(b))
			if size == 0 || size == 0xFFFFFFFF { // streaming writers may leave the size unset
				end = len(b)
			}
			s := make([]int16, (end-off)/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(b[off+2*i:]))
			}
			return s
		}
		off += size + size%2
	}
	return nil
}

func rms(s []int16) float64 {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(s)))
}
