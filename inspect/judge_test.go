package inspect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// CAP-TLS-NO-MTLS is judged from the facts of one session: what the server
// asked for, what the client sent, and how the session ended.
func TestJudgeMTLS(t *testing.T) {
	v12, v13 := tlswire.VersionTLS12, tlswire.VersionTLS13
	tests := []struct {
		name string
		s    TLSSession
		want uint8
	}{
		{"TLS 1.3 hides certificates", TLSSession{VersionCode: v13, End: "encrypted handshake (TLS 1.3)"}, outTLS13},
		{"no request, flight done", TLSSession{VersionCode: v12, ServerFlightDone: true, End: "completed"}, outNotRequested},
		{"no request, then reset", TLSSession{VersionCode: v12, ServerFlightDone: true, End: "reset by client before the handshake completed"}, outNotRequested},
		{"server flight not seen", TLSSession{VersionCode: v12, End: "cut off (capture ended) before the handshake completed"}, outNoServerFlight},
		{"requested, cert sent, completed", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, ClientCerts: 2, End: "completed"}, outMTLS},
		{"requested, none sent, completed", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, End: "completed"}, outNoneSent},
		{"foreign cert refused", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, ClientCerts: 1,
			alertFrom: "server", alertDesc: 48, End: "fatal alert unknown_ca from server"}, outRefused},
		{"missing cert refused", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true,
			alertFrom: "server", alertDesc: 40, End: "fatal alert handshake_failure from server"}, outRefused},
		{"client refused the server", TLSSession{VersionCode: v12, CertRequested: true,
			alertFrom: "client", alertDesc: 48, End: "fatal alert unknown_ca from client"}, outIncomplete},
		{"server aborted otherwise", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, ClientCerts: 1,
			alertFrom: "server", alertDesc: 80, End: "fatal alert internal_error from server"}, outIncomplete},
		{"requested, cert sent, reset", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, ClientCerts: 1,
			End: "reset by client before the handshake completed"}, outIncomplete},
		{"requested, cert sent, cut off", TLSSession{VersionCode: v12, CertRequested: true, ClientCertSeen: true, ClientCerts: 1,
			End: "cut off (capture ended) before the handshake completed"}, outIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := judgeMTLS(&tt.s); got != tt.want {
				t.Errorf("judgeMTLS = %d, want %d", got, tt.want)
			}
		})
	}
}

// How a session ended, from its facts: an alert decides, then completion,
// then a reset, then the end of the connection or of the capture.
func TestTLSEndState(t *testing.T) {
	st := func(f func(s *tlsState)) *tlsState {
		s := &tlsState{}
		s.ClientHello, s.ServerHello, s.VersionCode = true, true, tlswire.VersionTLS12
		f(s)
		return s
	}
	tests := []struct {
		s    *tlsState
		want string
	}{
		{st(func(s *tlsState) { s.encrypted = [2]bool{true, true} }), "completed"},
		{st(func(s *tlsState) { s.encrypted = [2]bool{true, true}; s.resetBy = "client" }), "completed"},
		{st(func(s *tlsState) { s.alertFrom, s.alertDesc = "server", 48; s.encrypted[0] = true }), "fatal alert unknown_ca from server"},
		{st(func(s *tlsState) { s.resetBy = "client" }), "reset by client before the handshake completed"},
		{st(func(s *tlsState) { s.finPacket = 9 }), "closed before the handshake completed"},
		{st(func(s *tlsState) {}), "cut off (idle timeout) before the handshake completed"},
		{st(func(s *tlsState) { s.VersionCode = tlswire.VersionTLS13; s.encrypted = [2]bool{true, true} }), "encrypted handshake (TLS 1.3)"},
		{st(func(s *tlsState) { s.ClientHello, s.ServerHello = false, false; s.finPacket = 3 }), "handshake not in the capture (the connection was open before it)"},
	}
	for _, tt := range tests {
		if got, _ := tt.s.endState("idle timeout"); got != tt.want {
			t.Errorf("%+v: end %q, want %q", tt.s.TLSSession, got, tt.want)
		}
	}
}

// sipUDP is a SIP message between 10.0.0.1:5060 (a) and 10.0.0.2:5060.
func sipUDP(fromA bool, msg string) []byte {
	if fromA {
		return udpPacket(false, 5060, 5060, []byte(msg))
	}
	p := udpPacket(false, 5060, 5060, []byte(msg))
	copy(p[12:16], []byte{10, 0, 0, 2})
	copy(p[16:20], []byte{10, 0, 0, 1})
	return p
}

func sipText(first, callID, cseq string) string {
	return first + "\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: " + callID +
		"\r\nCSeq: " + cseq + "\r\nContent-Length: 0\r\n\r\n"
}

// records scans raw packets with a records stream and returns the call
// records by Call-ID, in the order they were written.
func records(t *testing.T, o Options, pkts ...[]byte) ([]CallRecord, *Result) {
	t.Helper()
	var b bytes.Buffer
	o.Records = &b
	res := feed(t, &o, pkts...)
	var calls []CallRecord
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r CallRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("record %q: %v", sc.Text(), err)
		}
		if r.Record == "call" {
			calls = append(calls, r)
		}
	}
	return calls, res
}

// A call ends on BYE and its answer, on a final failure to its INVITE, or
// with the final response to an out-of-dialog request; a REGISTER sent
// again after a 401 continues the same one.
func TestCallEnds(t *testing.T) {
	calls, res := records(t, Options{},
		sipUDP(true, sipText("INVITE sip:b@x SIP/2.0", "bye", "1 INVITE")),
		sipUDP(false, sipText("SIP/2.0 200 OK", "bye", "1 INVITE")),
		sipUDP(true, sipText("ACK sip:b@x SIP/2.0", "bye", "1 ACK")),
		sipUDP(true, sipText("BYE sip:b@x SIP/2.0", "bye", "2 BYE")),
		sipUDP(false, sipText("SIP/2.0 200 OK", "bye", "2 BYE")),
		sipUDP(true, sipText("INVITE sip:b@x SIP/2.0", "busy", "1 INVITE")),
		sipUDP(false, sipText("SIP/2.0 486 Busy Here", "busy", "1 INVITE")),
		sipUDP(true, sipText("OPTIONS sip:b@x SIP/2.0", "ping", "1 OPTIONS")),
		sipUDP(false, sipText("SIP/2.0 200 OK", "ping", "1 OPTIONS")),
		sipUDP(true, sipText("REGISTER sip:x SIP/2.0", "reg", "1 REGISTER")),
		sipUDP(false, sipText("SIP/2.0 401 Unauthorized", "reg", "1 REGISTER")),
		sipUDP(true, sipText("REGISTER sip:x SIP/2.0", "reg", "2 REGISTER")),
		sipUDP(false, sipText("SIP/2.0 200 OK", "reg", "2 REGISTER")),
		sipUDP(true, sipText("INVITE sip:b@x SIP/2.0", "open", "1 INVITE")),
	)
	want := map[string]string{"bye": "BYE", "busy": "final response 486", "ping": "final response 200 to OPTIONS",
		"reg": "final response 200 to REGISTER", "open": "capture ended"}
	if len(calls) != len(want) || res.Summary.Calls != int64(len(want)) {
		t.Fatalf("%d call records, summary %d, want %d: %+v", len(calls), res.Summary.Calls, len(want), calls)
	}
	for _, c := range calls {
		if c.End != want[c.CallID] {
			t.Errorf("call %s ended %q, want %q", c.CallID, c.End, want[c.CallID])
		}
		if c.CallID == "reg" && c.Messages != 4 {
			t.Errorf("REGISTER after 401 started another call: %+v", c)
		}
	}
}

// Quiet for longer than the idle timeout, in capture time, a flow ends;
// the next packet on its 5-tuple starts another.
func TestIdleTimeoutEndsFlows(t *testing.T) {
	rtp := func(seq uint16) []byte {
		p := make([]byte, 172)
		p[0], p[1], p[2], p[3] = 0x80, 0, byte(seq>>8), byte(seq)
		return udpPacket(false, 40000, 40002, p)
	}
	s := newScanner(&Options{IdleTimeout: 5 * time.Second}, "x")
	for i, at := range []int64{0, 1, 2, 9, 10} { // seconds: a 7 s hole after the third
		p := Packet{Data: rtp(uint16(i)), OrigLen: 214, LinkType: LinkRaw, Timestamp: 1_700_000_000e9 + at*1e9}
		s.packet(&p)
	}
	res := s.result("x", "pcap", nil)
	if len(res.Streams) != 2 || res.Streams[0].RTP != 3 || res.Streams[1].RTP != 2 || res.State.FlowsIdle != 1 {
		t.Errorf("streams %+v, state %+v; want one of 3 packets ended idle and one of 2", res.Streams, res.State)
	}
}

// The records stream has every finished call, and every stream and TLS
// session that belongs to no call, exactly once.
func TestRecordsHaveEverything(t *testing.T) {
	data := genCapture(t, capgen.Config{Profile: capgen.ProfileTrunk, Calls: 20, MeanCallSeconds: 3, Seed: 23, Seconds: 8})
	var b bytes.Buffer
	res, err := Inspect(context.Background(), bytes.NewReader(data), "trunk.pcap", Options{Records: &b})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	streams := int64(0)
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Record       string
			File         string
			StreamsTotal int `json:"streams_total"`
			ExposedKeys  string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		counts[r.Record]++
		if r.File != "trunk.pcap" {
			t.Fatalf("record names %q", r.File)
		}
		switch r.Record {
		case "call":
			streams += int64(r.StreamsTotal)
		case "stream":
			streams++
		}
		if strings.Contains(sc.Text(), "inline:") && !strings.Contains(sc.Text(), "inline:\\u003credacted\\u003e") {
			t.Fatalf("a record shows a key: %s", sc.Text())
		}
	}
	if counts["call"] != res.Summary.Calls || counts["tls_session"] != res.Summary.TLSSessions || streams != res.Summary.Streams {
		t.Errorf("records %v with %d streams; summary %d calls, %d TLS sessions, %d streams",
			counts, streams, res.Summary.Calls, res.Summary.TLSSessions, res.Summary.Streams)
	}
	if counts["call"] == 0 || counts["tls_session"] == 0 {
		t.Errorf("records %v", counts)
	}
}

// An interrupted scan says where it stopped and reports what it read, with
// no pass: a pass on the packets read says nothing of the rest.
func TestInterruptedScan(t *testing.T) {
	data := genCapture(t, capgen.Config{Size: 6 << 20, Seed: 24, Calls: 16})
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	for _, workers := range []int{1, 2} {
		res, err := Inspect(ctx, bytes.NewReader(data), "cut.pcap", Options{Workers: workers})
		var ie *InterruptedError
		if !errors.As(err, &ie) || ie.File != "cut.pcap" || ie.Offset <= 24 || ie.Offset >= int64(len(data)) || ie.Packets != 16384 ||
			!strings.Contains(err.Error(), "interrupt signal received") {
			t.Fatalf("workers %d: err = %v, want an interruption after the first 16384 packets", workers, err)
		}
		if res == nil || res.Stats.Packets != ie.Packets || res.Err != err {
			t.Fatalf("workers %d: result %+v", workers, res)
		}
		for _, f := range res.Findings {
			if f.Severity == report.Pass {
				t.Errorf("workers %d: a pass from a partial scan: %+v", workers, f)
			}
		}
		if report.ExitCode(res.Findings, report.Fail) == report.ExitPass {
			t.Errorf("workers %d: an interrupted scan exits 0", workers)
		}
	}
}
