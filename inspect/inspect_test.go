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
	"regexp"
	"slices"
	"sort"
	"strconv"
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
		// One finding per check, outcome and place: the offer's and the
		// answer's key share the call's signalling path, the two clear
		// streams its pair of media hosts.
		{"baresip-sdes-udp.pcap", []string{"CAP-SDES-KEY-EXPOSED", "CAP-SIP-CLEARTEXT"},
			[]string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
		{"baresip-sdes-udp.pcapng", []string{"CAP-SDES-KEY-EXPOSED", "CAP-SIP-CLEARTEXT"},
			[]string{"SRTCP", "SRTCP", "SRTP", "SRTP"}, ""},
		{"baresip-rtp-udp.pcap", []string{"CAP-RTP-UNENCRYPTED", "CAP-SIP-CLEARTEXT"},
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
// pion/srtp it authenticates the packets, which proves the leak. The one
// finding for the call's signalling path keeps the call's evidence: both
// messages, each key and its verification.
func TestExposedKeyVerified(t *testing.T) {
	res := inspectCapture(t, "baresip-sdes-udp.pcap", Options{})
	n := 0
	for _, f := range res.Findings {
		if f.Check != CheckSDESKeyExposed {
			continue
		}
		n++
		if strings.Count(f.Detail, "key verified (pion/srtp)") != 2 || strings.Count(f.Detail, "authenticates 4 of 4") != 2 {
			t.Errorf("offer and answer keys not both verified: %s", f.Detail)
		}
		for _, want := range []string{"INVITE at packet 1 (udp 127.0.0.1:25060 > 127.0.0.1:25062)",
			"200 response to INVITE at packet 5 (udp 127.0.0.1:25062 > 127.0.0.1:25060)", "inline:<redacted>", "1 of 1 call verified"} {
			if !strings.Contains(f.Detail, want) {
				t.Errorf("evidence lacks %q: %s", want, f.Detail)
			}
		}
		if f.Target != "udp 127.0.0.1:25060 <-> 127.0.0.1:25062" || !strings.Contains(f.Summary, "call d01832fa50ebfc51") ||
			!strings.Contains(f.Summary, "first at packet 1, last at 5") {
			t.Errorf("finding must name the path, the call and its packets: %+v", f)
		}
	}
	if n != 1 {
		t.Fatalf("%d CAP-SDES-KEY-EXPOSED findings, want 1 (the call's signalling path)", n)
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
	data, err := os.ReadFile(filepath.Join(capDir, "baresip-sdes-udp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReaderBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	s := newScanner(&Options{}, "x")
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		s.packet(&p)
	}
	var samples [][]byte
	for _, fl := range s.flowOrder {
		if fl.media != nil && fl.media.rtp > 50 {
			samples = fl.media.samples
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

// MEDIA-PORT-OUT-OF-RANGE means what it means live: a non-zero m= port in
// an SDP answer, or offer (both sides of a captured call are deployment
// endpoints), outside the declared range; one finding per host that
// announced such ports, with the rule in its evidence.
func TestMediaPortRange(t *testing.T) {
	res := inspectCapture(t, "baresip-rtp-udp.pcap", Options{MediaPorts: []PortRange{{60000, 64000}}})
	n := 0
	for _, f := range res.Findings {
		if f.Check == CheckMediaPort && f.Severity > report.Pass {
			n++
			if f.Target != "sdp from 127.0.0.1" || !strings.Contains(f.Summary, "2 m= lines outside 60000-64000 (ports 30002, 30028)") ||
				!strings.Contains(f.Detail, "m=audio 30002 RTP/AVP in the offer in INVITE at packet 1") ||
				!strings.Contains(f.Detail, "m=audio 30028 RTP/AVP in the answer in 200 response to INVITE at packet 4") ||
				!strings.Contains(f.Detail, "rule: a non-zero m= port in an SDP answer, or offer") {
				t.Errorf("finding %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d MEDIA-PORT-OUT-OF-RANGE, want 1 (the host that announced the offer's and the answer's ports)", n)
	}
	res = inspectCapture(t, "baresip-rtp-udp.pcap", Options{MediaPorts: []PortRange{{30000, 30029}}})
	if slices.Contains(failing(res.Findings), CheckMediaPort) {
		t.Errorf("in-range media flagged")
	}
}

// With -j 2 or 3 the file is read ahead in a second goroutine into buffers
// the scan takes over; records cut by a buffer's end are carried over.
// Every capture must give exactly the result of one mapped pass.
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
	strip := func(r *Result) *Result { return r }
	for _, file := range files {
		one, err := InspectFile(context.Background(), file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/j%d", filepath.Base(file), w), func(t *testing.T) {
				par, err := InspectFile(context.Background(), file, Options{Workers: w, IO: IORead})
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

// savpCapture rewrites the plain call's SDP to RTP/SAVP, with an a=crypto
// key in both the offer and the answer when keys is set, and fixes the
// lengths it changes.
func savpCapture(t *testing.T, keys bool) []byte {
	t.Helper()
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
			head, body, ok := bytes.Cut(f.Payload, []byte("\r\n\r\n"))
			if ok && len(body) > 0 {
				body = bytes.ReplaceAll(body, []byte("RTP/AVP"), []byte("RTP/SAVP"))
				if keys {
					i := bytes.Index(body, []byte("m=audio"))
					eol := i + bytes.IndexByte(body[i:], '\n') + 1
					line := []byte("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31\r\n")
					body = slices.Concat(body[:eol], line, body[eol:])
				}
				head = regexp.MustCompile(`(?i)content-length: *[0-9]+`).ReplaceAll(head, []byte("Content-Length: "+strconv.Itoa(len(body))))
				payload := slices.Concat(head, []byte("\r\n\r\n"), body)
				hdr := len(p.Data) - len(f.Payload) // Ethernet + IPv4 + UDP
				rec = append(slices.Clone(p.Data[:hdr]), payload...)
				binary.BigEndian.PutUint16(rec[14+2:], uint16(len(rec)-14))
				binary.BigEndian.PutUint16(rec[hdr-8+4:], uint16(8+len(payload)))
			}
		}
		h := binary.LittleEndian.AppendUint32(nil, uint32(p.Timestamp/1e9))
		h = binary.LittleEndian.AppendUint32(h, uint32(p.Timestamp%1e9/1e3))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(rec)))
		h = binary.LittleEndian.AppendUint32(h, uint32(len(rec)))
		out = append(append(out, h...), rec...)
	}
	return out
}

// rtpFindings inspects data and returns its CAP-RTP-UNENCRYPTED findings.
func rtpFindings(t *testing.T, data []byte) []report.Finding {
	t.Helper()
	res, err := Inspect(context.Background(), bytes.NewReader(data), "savp.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []report.Finding
	for _, f := range res.Findings {
		if f.Check == CheckRTPUnencrypted {
			out = append(out, f)
		}
	}
	return out
}

// TestSRTPNegotiatedButClearOnTheWire rewrites the plain call's SDP to
// RTP/SAVP with a key on both sides: signalling then negotiates SRTP
// (matrix.SRTPNegotiated) while the wire carries clear G.711.
func TestSRTPNegotiatedButClearOnTheWire(t *testing.T) {
	fs := rtpFindings(t, savpCapture(t, true))
	if len(fs) != 1 || !strings.HasPrefix(fs[0].Summary, "SRTP negotiated but clear RTP on the wire: 2 streams") ||
		!strings.Contains(fs[0].Detail, "RTP/SAVP in INVITE, packet 1, 1 a=crypto") || !strings.Contains(fs[0].Detail, "clear on the wire") {
		t.Errorf("want one 'SRTP negotiated but clear' finding for both streams: %+v", fs)
	}
}

// RTP/SAVP without keys on either side negotiates nothing (a=encryption or
// a profile alone keys no SRTP): the clear streams are plain clear RTP, not
// "SRTP negotiated".
func TestSAVPWithoutKeysIsNotSRTP(t *testing.T) {
	fs := rtpFindings(t, savpCapture(t, false))
	if len(fs) != 1 || !strings.HasPrefix(fs[0].Summary, "clear RTP: 2 streams") || !strings.Contains(fs[0].Detail, "RTP/SAVP in INVITE, packet 1;") {
		t.Errorf("want one clear-RTP finding for both streams: %+v", fs)
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
