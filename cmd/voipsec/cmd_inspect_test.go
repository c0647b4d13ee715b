package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/inspect"
)

func init() {
	// Other test files of this package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

const capturesDir = "../../testdata/captures"

func inspectUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// inspectGolden compares got with testdata/captures/golden/NAME.
func inspectGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(capturesDir, "golden", name)
	if inspectUpdate() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/voipsec -run TestInspect -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (-update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestInspectGolden runs `voipsec inspect` on each capture recorded from
// real peers and compares the whole text report with its golden file.
func TestInspectGolden(t *testing.T) {
	tests := []struct {
		file string
		code int
	}{
		{"baresip-sdes-udp.pcap", exitFindings},
		{"baresip-sdes-udp.pcapng", exitFindings},
		{"baresip-rtp-udp.pcap", exitFindings},
		{"baresip-dtls-srtp-udp.pcap", exitOK},
		{"sip-tls-mtls.pcap", exitOK},
		{"sip-tls-no-client-cert.pcap", exitFindings},
		{"sip-tls-cert-requested-none-sent.pcap", exitFindings},
		{"sip-tls10-weak.pcap", exitFindings},
		{"baresip-sdes-tls.pcap", exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, errOut, code := runVoipsec(t, "inspect", filepath.Join(capturesDir, tt.file))
			if code != tt.code || errOut != "" {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if !strings.HasPrefix(out, "voipsec inspect: ") {
				t.Errorf("report does not lead with the verdict: %q", out[:min(len(out), 80)])
			}
			inspectGolden(t, tt.file+".txt", out)
		})
	}
}

func TestInspectPCAPAndPCAPNGSameReport(t *testing.T) {
	a, _, ca := runVoipsec(t, "inspect", filepath.Join(capturesDir, "baresip-sdes-udp.pcap"))
	b, _, cb := runVoipsec(t, "inspect", filepath.Join(capturesDir, "baresip-sdes-udp.pcapng"))
	b = strings.ReplaceAll(b, "baresip-sdes-udp.pcapng (pcapng)", "baresip-sdes-udp.pcap (pcap)")
	b = strings.ReplaceAll(b, "baresip-sdes-udp.pcapng", "baresip-sdes-udp.pcap")
	if a != b || ca != cb {
		t.Errorf("pcap and pcapng reports differ:\n%s\n---\n%s", a, b)
	}
}

func TestInspectJSONAndJUnit(t *testing.T) {
	file := filepath.Join(capturesDir, "baresip-sdes-udp.pcap")
	out, _, code := runVoipsec(t, "inspect", "--format", "json", file)
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Findings []struct {
			Check, Severity, Target, Detail string
		}
		Data struct {
			Captures []struct {
				Format  string
				Streams []struct {
					Verdict, Suite, SSRC, How string
					KeyCheck                  string `json:"key_check"`
					Packets                   int
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(doc.Data.Captures) != 1 || len(doc.Data.Captures[0].Streams) != 4 {
		t.Fatalf("stream table missing from JSON data: %+v", doc.Data)
	}
	srtp := 0
	for _, s := range doc.Data.Captures[0].Streams {
		if s.Verdict == "SRTP" && s.Suite == "AES_CM_128_HMAC_SHA1_80" && s.Packets > 50 && strings.Contains(s.KeyCheck, "verified") {
			srtp++
		}
	}
	if srtp != 2 {
		t.Errorf("want two SRTP streams in JSON: %+v", doc.Data.Captures[0].Streams)
	}
	if strings.Contains(out, "inline:") && !strings.Contains(out, "inline:\\u003credacted\\u003e") && !strings.Contains(out, "inline:<redacted>") {
		t.Errorf("JSON leaks a key")
	}

	out, _, code = runVoipsec(t, "inspect", "--format", "junit", file)
	if code != exitFindings {
		t.Fatalf("junit exit %d", code)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Tests    int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("junit: %v\n%s", err, out)
	}
	// One testcase per finding: cleartext SIP, the exposed keys of the
	// call's path, no clear RTP; the TLS checks have nothing to judge.
	if suites.Failures != 1 || suites.Tests != 3 {
		t.Errorf("junit failures=%d tests=%d, want 1 and 3", suites.Failures, suites.Tests)
	}
}

func TestInspectShowKeysAndPorts(t *testing.T) {
	file := filepath.Join(capturesDir, "baresip-sdes-udp.pcap")
	// -v: the whole evidence, where the redaction note is its last line.
	out, _, _ := runVoipsec(t, "inspect", "-v", file)
	if !strings.Contains(out, "inline:<redacted>") || !strings.Contains(out, "--show-keys prints them") {
		t.Errorf("key not redacted by default")
	}
	out, _, _ = runVoipsec(t, "inspect", "-v", "--show-keys", file)
	if strings.Contains(out, "inline:<redacted>") || !strings.Contains(out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") {
		t.Errorf("--show-keys does not print the key")
	}
	out, _, _ = runVoipsec(t, "inspect", "--media-ports", "60000-64000", file)
	if !strings.Contains(out, "WARN  MEDIA-PORT-OUT-OF-RANGE  media stays in the declared port range\n") ||
		!strings.Contains(out, "        2 m= lines outside 60000-64000 (ports 30000, 30022)") {
		t.Errorf("--media-ports: %s", out)
	}
	_, errOut, code := runVoipsec(t, "inspect", "--media-ports", "64000-60000", file)
	if code != exitError || !strings.Contains(errOut, "--media-ports") {
		t.Errorf("bad range: exit %d %q", code, errOut)
	}
	_, errOut, code = runVoipsec(t, "inspect")
	if code != exitError || !strings.Contains(errOut, "no capture file") || !strings.Contains(errOut, "hint:") {
		t.Errorf("no file: exit %d %q", code, errOut)
	}
}

func TestInspectStdinAndJobs(t *testing.T) {
	file := filepath.Join(capturesDir, "baresip-rtp-udp.pcap")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := runVoipsec(t, "inspect", file)
	got, _, code := runVoipsecEnv(t, nil, string(data), "inspect", "-")
	if code != exitFindings || strings.ReplaceAll(got, "\n- (pcap)", "\n"+file+" (pcap)") != strings.ReplaceAll(want, "  "+file+"\n", "  -\n") {
		t.Errorf("stdin report differs:\n%s\n---\n%s", got, want)
	}
	got, _, _ = runVoipsec(t, "inspect", "-j", "2", file)
	if got != want {
		t.Errorf("-j 2 report differs:\n%s\n---\n%s", got, want)
	}
}

// A truncated capture ends in exit 2 with the file and byte offset named,
// and the findings before the damage are still reported; random bytes give
// a clear error, never a panic.
func TestInspectBrokenFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(capturesDir, "baresip-sdes-udp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(cut, data[:len(data)/2+7], 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runVoipsec(t, "inspect", cut)
	if code != exitError || !strings.Contains(errOut, "cut.pcap: byte offset ") || !strings.Contains(errOut, "truncated") {
		t.Errorf("exit %d stderr %q", code, errOut)
	}
	if !strings.Contains(out, "CAP-SDES-KEY-EXPOSED") || !strings.Contains(out, "CAP-SIP-CLEARTEXT") {
		t.Errorf("findings before the cut are not reported:\n%s", out)
	}
	junk := filepath.Join(dir, "junk.pcap")
	if err := os.WriteFile(junk, []byte("this is not a capture at all, just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runVoipsec(t, "inspect", junk)
	if code != exitError || !strings.Contains(errOut, "junk.pcap: byte offset 0: corrupt: not a pcap or pcapng file") {
		t.Errorf("exit %d stderr %q", code, errOut)
	}
	_, errOut, code = runVoipsec(t, "inspect", filepath.Join(dir, "missing.pcap"))
	if code != exitError || !strings.Contains(errOut, "missing.pcap") {
		t.Errorf("exit %d stderr %q", code, errOut)
	}
}

// bigCapture writes a capture of at least size bytes: the records of a real
// call, repeated.
func bigCapture(t *testing.T, size int) string {
	t.Helper()
	one, err := os.ReadFile(filepath.Join(capturesDir, "baresip-rtp-udp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	capture := bytes.NewBuffer(append([]byte{}, one[:24]...))
	for capture.Len() < size {
		capture.Write(one[24:])
	}
	file := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(file, capture.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// The progress line appears on a terminal when asked (auto needs a file of
// 256 MiB or more) and never on a pipe.
func TestInspectProgress(t *testing.T) {
	old := progressInterval
	progressInterval = time.Millisecond
	t.Cleanup(func() { progressInterval = old })
	file := bigCapture(t, 24<<20)
	runTTY := func(args ...string) string {
		var out, errb bytes.Buffer
		e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
			IsTerminal: func(w io.Writer) bool { return w == io.Writer(&errb) }}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run(ctx, append([]string{"inspect", "--format", "json", "-o", os.DevNull}, args...), e)
		return errb.String()
	}
	if got := runTTY("--progress", "always", "-j", "1", file); !strings.Contains(got, "inspect "+file+": ") || !strings.Contains(got, "kpkt/s, ETA") {
		t.Errorf("no progress line on a terminal: %q", got)
	}
	if got := runTTY(file); strings.Contains(got, "kpkt/s") {
		t.Errorf("progress for a small file under auto: %q", got)
	}
}

// The TLS line of the stream table counts client certificates in English,
// and says how the session ended.
func TestInspectTLSLineCertificateCount(t *testing.T) {
	for n, want := range map[int]string{1: "client sent 1 certificate; completed\n", 3: "client sent 3 certificates; completed\n"} {
		var b bytes.Buffer
		writeStreamTables(&b, []*inspect.Result{{File: "x.pcap", Format: "pcap", Summary: inspect.Summary{TLSSessions: 1},
			TLS: []inspect.TLSSession{{ClientAddr: "a", ServerAddr: "b", Version: "TLS 1.2", CipherSuite: "S", ClientCerts: n, End: "completed"}}}}, true)
		if !strings.HasSuffix(b.String(), want) {
			t.Errorf("%d certificates: %q, want it to end %q", n, b.String(), want)
		}
	}
}

// An interrupted inspect says so at the top of the report, with the byte
// offset and file it reached, never exits 0, and does not end in a
// "context canceled" error line; the files it did not reach are
// inconclusive.
func TestInspectInterrupted(t *testing.T) {
	file := bigCapture(t, 8<<20)
	var out, errb bytes.Buffer
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false }}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	second := filepath.Join(capturesDir, "sip-tls-mtls.pcap")
	code := run(ctx, []string{"inspect", "--progress", "never", file, second}, e)
	lines := strings.Split(out.String(), "\n")
	if code == exitOK || code == exitError || errb.Len() != 0 {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "interrupted: interrupt signal received at byte offset ") ||
		!strings.Contains(lines[1], " of "+file+" (16384 packets read); not read: "+second) {
		t.Errorf("report does not say where it stopped:\n%s", out.String())
	}
	if strings.Contains(out.String(), "PASS ") || !strings.Contains(out.String(), "not run: the run was interrupted before this file was read") {
		t.Errorf("passes or unread files not inconclusive:\n%s", out.String())
	}
}

// --calls-jsonl writes every finished call as one JSON object per line,
// keys redacted, beside the usual report.
func TestInspectCallsJSONL(t *testing.T) {
	records := filepath.Join(t.TempDir(), "calls.jsonl")
	out, errOut, code := runVoipsec(t, "inspect", "--calls-jsonl", records, filepath.Join(capturesDir, "baresip-sdes-udp.pcap"))
	if code != exitFindings || errOut != "" || !strings.Contains(out, "CAP-SDES-KEY-EXPOSED") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	b, err := os.ReadFile(records)
	if err != nil {
		t.Fatal(err)
	}
	var calls []inspect.CallRecord
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r inspect.CallRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if r.Record == "call" {
			calls = append(calls, r)
		}
	}
	if len(calls) != 1 {
		t.Fatalf("%d call records, want 1:\n%s", len(calls), b)
	}
	c := calls[0]
	if c.CallID != "d01832fa50ebfc51" || c.End != "BYE" || c.StreamsTotal != 4 || len(c.Media) != 1 ||
		c.Media[0].SRTPNegotiated == nil || !*c.Media[0].SRTPNegotiated || c.Media[0].OfferLevel != "required" ||
		strings.Count(c.ExposedKeys, "key verified (pion/srtp)") != 2 || !strings.Contains(c.ExposedKeys, "inline:<redacted>") {
		t.Errorf("call record %+v", c)
	}
	_, errOut, code = runVoipsec(t, "inspect", "--calls-jsonl", "-", filepath.Join(capturesDir, "baresip-sdes-udp.pcap"))
	if code != exitError || !strings.Contains(errOut, "--calls-jsonl") {
		t.Errorf("--calls-jsonl -: exit %d %q", code, errOut)
	}
}
