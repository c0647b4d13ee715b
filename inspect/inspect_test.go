package inspect

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/report"
)

const capDir = "../testdata/captures"

func inspectCapture(t *testing.T, name string, opts Options) *Result {
	t.Helper()
	res, err := InspectFile(context.Background(), filepath.Join(capDir, name), opts)
	if err != nil {
		t.Fatalf("InspectFile(%s): %v", name, err)
	}
	return res
}

// failing returns the sorted IDs of findings above Pass, with repeats.
func failing(fs []report.Finding) []string {
	var ids []string
	for _, f := range fs {
		if f.Severity > report.Pass {
			ids = append(ids, f.Check)
		}
	}
	sort.Strings(ids)
	return ids
}

func verdicts(res *Result) []string {
	var v []string
	for _, s := range res.Streams {
		v = append(v, s.Verdict)
	}
	sort.Strings(v)
	return v
}

// TestCapturesFromRealPeers runs the captures recorded from baresip and
// openssl (testdata/captures/README.md) and checks each finding is present
// where it should be and absent elsewhere.
func TestCapturesFromRealPeers(t *testing.T) {
	tests := []struct {
		file     string
		findings []string
		verdicts []string
		tls      string // "" or the MTLS state
	}{
		{"baresip-sdes-udp.pcap", []string{"CAP-SDES-KEY-EXPOSED", "CAP-SDES-KEY-EXPOSED", "CAP-SIP-CLEARTEXT"},
			[]string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
		{"baresip-sdes-udp.pcapng", []string{"CAP-SDES-KEY-EXPOSED", "CAP-SDES-KEY-EXPOSED", "CAP-SIP-CLEARTEXT"},
			[]string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
		{"baresip-rtp-udp.pcap", []string{"CAP-RTP-UNENCRYPTED", "CAP-RTP-UNENCRYPTED", "CAP-SIP-CLEARTEXT"},
			[]string{"RTCP", "RTCP", "RTP", "RTP"}, ""},
		{"baresip-dtls-srtp-udp.pcap", []string{"CAP-SIP-CLEARTEXT"}, []string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
		{"sip-tls-mtls.pcap", nil, nil, "mtls"},
		{"sip-tls-no-client-cert.pcap", []string{"CAP-TLS-NO-MTLS"}, nil, "not requested"},
		{"sip-tls-cert-requested-none-sent.pcap", []string{"CAP-TLS-NO-MTLS"}, nil, "empty"},
		{"sip-tls10-weak.pcap", []string{"CAP-TLS-NO-MTLS", "CAP-TLS-VERSION-WEAK"}, nil, "not requested"},
		// SIP over TLS 1.3 on port 25063: the keys are not exposed and the
		// media verdict comes from the wire.
		{"baresip-sdes-tls.pcap", nil, []string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := inspectCapture(t, tt.file, Options{})
			if got := failing(res.Findings); !slices.Equal(got, tt.findings) {
				t.Errorf("findings = %v, want %v", got, tt.findings)
			}
			if tt.file == "baresip-dtls-srtp-udp.pcap" {
				n := 0
				for _, st := range res.Streams {
					if strings.HasPrefix(st.UseSRTP, "SRTP_AES128_CM_HMAC_SHA1_80") {
						n++
					}
				}
				if n == 0 {
					t.Errorf("DTLS ClientHello use_srtp profiles not read: %+v", res.Streams)
				}
			}
			if tt.file == "baresip-sdes-tls.pcap" {
				if len(res.TLS) != 1 || res.TLS[0].Version != "TLS 1.3" || len(res.Calls) != 0 {
					t.Errorf("want one TLS 1.3 session and no visible call: %+v", res.TLS)
				}
				// Declared a SIP port, the TLS 1.3 session gets an info
				// finding: its certificates are encrypted.
				res := inspectCapture(t, tt.file, Options{SIPPorts: []PortRange{{25060, 25063}}})
				if got := failing(res.Findings); !slices.Equal(got, []string{CheckTLSNoMTLS}) {
					t.Errorf("with --sip-ports 25060-25063: %v", got)
				}
				for _, f := range res.Findings {
					if f.Check == CheckTLSNoMTLS && f.Severity != report.Info {
						t.Errorf("TLS 1.3 MTLS finding should be info: %+v", f)
					}
				}
			}
			if got := verdicts(res); !slices.Equal(got, tt.verdicts) {
				t.Errorf("stream verdicts = %v, want %v", got, tt.verdicts)
			}
			if tt.tls != "" {
				if len(res.TLS) != 1 {
					t.Fatalf("TLS sessions = %d, want 1", len(res.TLS))
				}
				s := res.TLS[0]
				version := "TLS 1.2"
				if strings.Contains(tt.file, "tls10") {
					version = "TLS 1.0"
				}
				if s.Version != version || s.ServerAddr != "127.0.0.1:5061" || len(s.ServerCerts) == 0 ||
					s.ServerCerts[0].DNSNames[0] != "server.voipsec.test" {
					t.Errorf("TLS session = %+v", s)
				}
				var state string
				switch {
				case s.CertRequested && s.ClientCerts > 0:
					state = "mtls"
				case s.CertRequested && s.ClientCertSeen:
					state = "empty"
				case !s.CertRequested:
					state = "not requested"
				}
				if state != tt.tls {
					t.Errorf("MTLS state %q, want %q (%+v)", state, tt.tls, s)
				}
			}
		})
	}
}

// The exposed key must be checked against the stream it protects: with
// pion/srtp it authenticates the packets, which proves the leak.
func TestExposedKeyVerified(t *testing.T) {
	res := inspectCapture(t, "baresip-sdes-udp.pcap", Options{})
	n := 0
	for _, f := range res.Findings {
		if f.Check != CheckSDESKeyExposed {
			continue
		}
		n++
		if !strings.Contains(f.Detail, "key verified (pion/srtp)") || !strings.Contains(f.Detail, "authenticates 4 of 4") {
			t.Errorf("finding not verified: %s", f.Detail)
		}
		if !strings.Contains(f.Detail, "inline:<redacted>") || !strings.Contains(f.Target, "call ") ||
			!strings.Contains(f.Summary, "at packet ") {
			t.Errorf("finding must name the call and packet and redact the key: %+v", f)
		}
	}
	if n != 2 {
		t.Fatalf("%d CAP-SDES-KEY-EXPOSED findings, want 2 (offer and answer)", n)
	}
	for _, s := range res.Streams {
		if s.Verdict == "SRTP" && !strings.HasPrefix(s.KeyCheck, "exposed key tag 1 verified") {
			t.Errorf("stream %s > %s key check %q", s.Src, s.Dst, s.KeyCheck)
		}
	}
	shown := inspectCapture(t, "baresip-sdes-udp.pcap", Options{ShowKeys: true})
	for _, f := range shown.Findings {
		if f.Check == CheckSDESKeyExposed && strings.Contains(f.Detail, "<redacted>") {
			t.Errorf("--show-keys still redacts: %s", f.Detail)
		}
	}
}

// A key that does not belong to the stream must not verify.
func TestWrongKeyDoesNotVerify(t *testing.T) {
	res := inspectCapture(t, "baresip-sdes-udp.pcap", Options{ShowKeys: true})
	var samples [][]byte
	for _, s := range res.Streams {
		if s.Verdict == "SRTP" {
			samples = s.flow.media.samples
			break
		}
	}
	key := make([]byte, 30)
	for i := range key {
		key[i] = byte(i)
	}
	kc := verifyKey(&Crypto{Suite: "AES_CM_128_HMAC_SHA1_80", Key: key}, samples)
	if kc.ok != 0 || kc.tried == 0 {
		t.Fatalf("a wrong key verified: %+v", kc)
	}
}

func TestPCAPAndPCAPNGGiveTheSameReport(t *testing.T) {
	a := inspectCapture(t, "baresip-sdes-udp.pcap", Options{})
	b := inspectCapture(t, "baresip-sdes-udp.pcapng", Options{})
	if a.Format != "pcap" || b.Format != "pcapng" {
		t.Fatalf("formats %s, %s", a.Format, b.Format)
	}
	strip := func(fs []report.Finding) []report.Finding {
		out := slices.Clone(fs)
		for i := range out {
			if out[i].Severity == report.Pass {
				out[i].Target = ""
			}
		}
		return out
	}
	if !slices.Equal(strip(a.Findings), strip(b.Findings)) {
		t.Errorf("findings differ:\npcap   %+v\npcapng %+v", a.Findings, b.Findings)
	}
	if len(a.Streams) != len(b.Streams) {
		t.Fatalf("streams differ")
	}
	for i := range a.Streams {
		x, y := a.Streams[i], b.Streams[i]
		x.flow, y.flow = nil, nil
		if x != y {
			t.Errorf("stream %d differs:\n%+v\n%+v", i, x, y)
		}
	}
	if a.Stats != b.Stats {
		t.Errorf("stats differ: %+v vs %+v", a.Stats, b.Stats)
	}
}

// A capture cut anywhere ends in an error naming the file and the offset of
// the broken record, and the findings before it are still reported.
func TestTruncatedCapture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(capDir, "baresip-sdes-udp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cut := len(data) * 2 / 3
	res, err := Inspect(context.Background(), bytes.NewReader(data[:cut]), "cut.pcap", Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want a truncation FormatError", err)
	}
	if fe.Offset <= 24 || fe.Offset >= int64(cut) || !strings.Contains(err.Error(), "cut.pcap: byte offset ") {
		t.Errorf("error %q offset %d (cut at %d)", err, fe.Offset, cut)
	}
	if res == nil || res.Err != err {
		t.Fatal("no partial result")
	}
	if got := failing(res.Findings); !slices.Contains(got, CheckSDESKeyExposed) || !slices.Contains(got, CheckSIPCleartext) {
		t.Errorf("findings before the cut are lost: %v", got)
	}
	// Every cut point: an error or a clean end, never a panic.
	for n := 0; n < len(data); n += 97 {
		_, err := Inspect(context.Background(), bytes.NewReader(data[:n]), "x", Options{})
		if n < 24 && !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: err = %v, want truncated", n, err)
		}
	}
}

func TestRandomBytesAreNotACapture(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	_, err := Inspect(context.Background(), bytes.NewReader(b), "random.bin", Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "random.bin: byte offset 0: corrupt: not a pcap or pcapng file") {
		t.Fatalf("err = %v", err)
	}
	// A valid header followed by garbage: corrupt at the first record.
	data, _ := os.ReadFile(filepath.Join(capDir, "baresip-rtp-udp.pcap"))
	bad := append(slices.Clone(data[:24]), b...)
	_, err = Inspect(context.Background(), bytes.NewReader(bad), "bad.pcap", Options{})
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "bad.pcap: byte offset 24") {
		t.Errorf("error does not name the first record: %v", err)
	}
}

func TestMediaPortRange(t *testing.T) {
	res := inspectCapture(t, "baresip-rtp-udp.pcap", Options{MediaPorts: []PortRange{{60000, 64000}}})
	n := 0
	for _, f := range res.Findings {
		if f.Check == CheckMediaPort && f.Severity > report.Pass {
			n++
			if !strings.Contains(f.Summary, "outside 60000-64000") {
				t.Errorf("summary %q", f.Summary)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d MEDIA-PORT-OUT-OF-RANGE, want 4 (two RTP and two RTCP streams)", n)
	}
	res = inspectCapture(t, "baresip-rtp-udp.pcap", Options{MediaPorts: []PortRange{{30000, 30029}}})
	if slices.Contains(failing(res.Findings), CheckMediaPort) {
		t.Errorf("in-range media flagged")
	}
}

// A parallel scan splits the file into ranges; TCP streams crossing a range
// boundary are replayed in order. Every capture must give exactly the
// sequential result.
func TestParallelGivesTheSameResult(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(capDir, "*.pcap*"))
	for i, cfg := range []capgen.Config{{Size: 3 << 20, Seed: 5, Calls: 40}, {Size: 3 << 20, Seed: 6, Calls: 40, PCAPNG: true}} {
		name := filepath.Join(dir, fmt.Sprintf("gen%d.pcap", i))
		if err := os.WriteFile(name, genCapture(t, cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	strip := func(r *Result) *Result {
		c := *r
		c.Streams = slices.Clone(r.Streams)
		for i := range c.Streams {
			c.Streams[i].flow = nil
		}
		return &c
	}
	for _, file := range files {
		one, err := InspectFile(context.Background(), file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/j%d", filepath.Base(file), w), func(t *testing.T) {
				par, err := InspectFile(context.Background(), file, Options{Workers: w})
				if err != nil {
					t.Fatal(err)
				}
				a, b := strip(one), strip(par)
				firstDiff(t, "findings", a.Findings, b.Findings)
				firstDiff(t, "streams", a.Streams, b.Streams)
				if !reflect.DeepEqual(a.TLS, b.TLS) || !reflect.DeepEqual(a.Calls, b.Calls) || a.Stats != b.Stats || a.TCPGaps != b.TCPGaps {
					t.Errorf("TLS, calls or stats differ:\n%+v %+v\n%+v %+v", a.TLS, a.Stats, b.TLS, b.Stats)
				}
			})
		}
	}
}

func firstDiff[T any](t *testing.T, what string, a, b []T) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d sequential, %d parallel", what, len(a), len(b))
	}
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Errorf("%s[%d] differs:\nsequential %+v\nparallel   %+v", what, i, a[i], b[i])
			return
		}
	}
}

// withoutSIP rewrites a pcap capture without its SIP packets, so the media
// must be classified from the wire alone.
func withoutSIP(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(capDir, name))
	if err != nil {
		t.Fatal(err)
	}
	out := slices.Clone(data[:24])
	r, err := NewReaderBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	for {
		off := r.Offset()
		p, err := r.Next()
		if err != nil {
			break
		}
		if decode(&f, p.LinkType, p.Data) == decodedTransport && f.Key.Proto == protoUDP && looksSIP(f.Payload) {
			continue
		}
		out = append(out, data[off:off+16+int64(len(p.Data))]...)
	}
	return out
}

// Without the negotiating SDP, the verdict comes from the payload length
// (frame plus tag), the byte entropy and DTLS on the 5-tuple.
func TestHeuristicVerdictsWithoutSDP(t *testing.T) {
	tests := []struct {
		file, want, how string
	}{
		{"baresip-sdes-udp.pcap", "SRTP", "no SDP in the capture; heuristic"},
		{"baresip-rtp-udp.pcap", "RTP", "no SDP in the capture; heuristic"},
		{"baresip-dtls-srtp-udp.pcap", "SRTP", "DTLS handshake on this 5-tuple"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := Inspect(context.Background(), bytes.NewReader(withoutSIP(t, tt.file)), tt.file, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Calls) != 0 {
				t.Fatalf("SIP left in the capture")
			}
			n := 0
			for _, s := range res.Streams {
				if s.RTP == 0 {
					continue
				}
				n++
				if s.Verdict != tt.want || !strings.Contains(s.How, tt.how) {
					t.Errorf("%s > %s: %s (%s), want %s by %q", s.Src, s.Dst, s.Verdict, s.How, tt.want, tt.how)
				}
			}
			if n != 2 {
				t.Errorf("%d RTP streams, want 2", n)
			}
			clear := slices.Contains(failing(res.Findings), CheckRTPUnencrypted)
			if clear != (tt.want == "RTP") {
				t.Errorf("CAP-RTP-UNENCRYPTED present=%v for %s", clear, tt.want)
			}
		})
	}
}

// TestSRTPNegotiatedButClearOnTheWire rewrites the plain call's SDP to
// RTP/SAVP: signalling then says SRTP while the wire carries clear G.711.
func TestSRTPNegotiatedButClearOnTheWire(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(capDir, "baresip-rtp-udp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	out := slices.Clone(data[:24])
	r, _ := NewReaderBytes(data)
	var f Frame
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		rec := slices.Clone(p.Data)
		if decode(&f, p.LinkType, p.Data) == decodedTransport && looksSIP(f.Payload) {
			payload := bytes.ReplaceAll(f.Payload, []byte("RTP/AVP"), []byte("RTP/SAVP"))
			hdr := len(p.Data) - len(f.Payload) // Ethernet + IPv4 + UDP
			rec = append(slices.Clone(p.Data[:hdr]), payload...)
			binary.BigEndian.PutUint16(rec[14+2:], uint16(len(rec)-14))
			binary.BigEndian.PutUint16(rec[hdr-8+4:], uint16(8+len(payload)))
		}
		h := binary.LittleEndian.AppendUint32(nil, uint32(p.Timestamp/1e9))
		h = binary.LittleEndian.AppendUint32(h, uint32(p.Timestamp%1e9/1e3))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(rec)))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(rec)))
		out = append(append(out, h...), rec...)
	}
	res, err := Inspect(context.Background(), bytes.NewReader(out), "savp-but-clear.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range res.Findings {
		if fd.Check == CheckRTPUnencrypted && strings.HasPrefix(fd.Summary, "SRTP negotiated but clear RTP on the wire") {
			n++
			if !strings.Contains(fd.Detail, "RTP/SAVP in INVITE, packet 1") || !strings.Contains(fd.Detail, "clear on the wire") {
				t.Errorf("detail %q", fd.Detail)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d 'SRTP negotiated but clear' findings, want 2: %v", n, res.Findings)
	}
}

// An input that fails before its first packet (empty, shorter than a file
// header, a wrong magic number) gives a FormatError naming it, read from a
// file (mapped) or from a stream.
func TestHeaderErrorNamesInput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		data []byte
		want error
	}{
		{nil, ErrTruncated},
		{[]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}, ErrTruncated},
		{[]byte("GET / HTTP/1.1\r\n\r\n"), ErrCorrupt},
	} {
		file := filepath.Join(dir, fmt.Sprintf("bad%d.pcap", len(c.data)))
		if err := os.WriteFile(file, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, errFile := InspectFile(context.Background(), file, Options{Workers: 2})
		_, errStream := Inspect(context.Background(), bytes.NewReader(c.data), file, Options{})
		for _, err := range []error{errFile, errStream} {
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, c.want) || fe.File != file || !strings.Contains(err.Error(), file) {
				t.Errorf("%d bytes: err = %v, want a %v FormatError naming %s", len(c.data), err, c.want, file)
			}
		}
	}
}
