package sipcheck

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
)

// hostilePeer answers SIP requests with what a broken or malicious edge
// might send. reply builds the answer from the request bytes.
func hostileTCP(t *testing.T, reply func(req []byte) []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				var req bytes.Buffer
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					req.WriteString(line)
					if line == "\r\n" {
						break
					}
				}
				if out := reply(req.Bytes()); out != nil {
					c.Write(out)
				}
				// Keep the connection open (a silent peer) until the deadline or close.
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func hostileUDP(t *testing.T, reply func(req []byte) []byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(append([]byte(nil), buf[:n]...)); out != nil {
				pc.WriteTo(out, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// header copies the named header lines of a request into a response.
func echoHeaders(req []byte, status string, extra string) []byte {
	var b strings.Builder
	b.WriteString("SIP/2.0 " + status + "\r\n")
	for _, l := range strings.Split(string(req), "\r\n") {
		low := strings.ToLower(l)
		for _, h := range []string{"via:", "from:", "to:", "call-id:", "cseq:"} {
			if strings.HasPrefix(low, h) {
				b.WriteString(l + "\r\n")
			}
		}
	}
	b.WriteString(extra)
	return []byte(b.String())
}

func TestHostilePeers(t *testing.T) {
	huge := strings.Repeat("X-Junk: "+strings.Repeat("A", 1000)+"\r\n", 100) // ~100 KB of headers
	cases := []struct {
		name  string
		tp    string
		reply func([]byte) []byte
	}{
		{"garbage-udp", UDP, func([]byte) []byte { return bytes.Repeat([]byte{0xff, 0x00, 0x13, '\n'}, 300) }},
		{"garbage-tcp", TCP, func([]byte) []byte { return bytes.Repeat([]byte("\x00\xffNOT SIP\r\n"), 500) }},
		{"silent-tcp", TCP, func([]byte) []byte { return nil }},
		{"huge-headers-tcp", TCP, func(r []byte) []byte { return echoHeaders(r, "200 OK", huge+"Content-Length: 0\r\n\r\n") }},
		{"lying-content-length-tcp", TCP, func(r []byte) []byte {
			return echoHeaders(r, "200 OK", "Content-Type: application/sdp\r\nContent-Length: 999999\r\n\r\nv=0\r\n")
		}},
		{"bad-status-udp", UDP, func(r []byte) []byte { return echoHeaders(r, "999999999999 What", "Content-Length: 0\r\n\r\n") }},
		{"no-cseq-udp", UDP, func(r []byte) []byte {
			return []byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4\r\nContent-Length: 0\r\n\r\n")
		}},
		{"redirect-loop-udp", UDP, func(r []byte) []byte {
			if bytes.HasPrefix(r, []byte("INVITE")) {
				return echoHeaders(r, "302 Moved", "Contact: <sip:127.0.0.1:1;transport=udp>\r\nContent-Length: 0\r\n\r\n")
			}
			return echoHeaders(r, "200 OK", "Content-Length: 0\r\n\r\n")
		}},
		{"redirect-to-http-udp", UDP, func(r []byte) []byte {
			if bytes.HasPrefix(r, []byte("INVITE")) {
				return echoHeaders(r, "302 Moved", "Contact: <http://evil.example/>\r\nContent-Length: 0\r\n\r\n")
			}
			return echoHeaders(r, "200 OK", "Content-Length: 0\r\n\r\n")
		}},
		{"invite-200-garbage-sdp-udp", UDP, func(r []byte) []byte {
			body := "v=0\r\nm=audio -5 RTP/SAVP\r\na=crypto:99999999999 AES_CM_128_HMAC_SHA1_80 inline:!!!|2^999|1:200\r\na=fingerprint:sha-256 ZZ\r\n"
			return echoHeaders(r, "200 OK", "Contact: <sip:127.0.0.1:9>\r\nContent-Type: application/sdp\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var addr string
			if c.tp == UDP {
				addr = hostileUDP(t, c.reply)
			} else {
				addr = hostileTCP(t, c.reply)
			}
			cfg := Config{Timeout: 700 * time.Millisecond, MediaDuration: 200 * time.Millisecond, OfferConcurrency: 8}
			start := time.Now()
			r := ProbeEndpoint(testCtx(t, 30*time.Second), mustTarget(t, "sip:"+addr+";transport="+c.tp), cfg)
			if el := time.Since(start); el > 12*time.Second {
				t.Errorf("took %v", el)
			}
			fs := Judge(r, Expect{Role: matrix.RoleSIPEdge.Expect()})
			if len(fs) == 0 {
				t.Fatalf("a hostile peer produced no finding\n%s", r.Evidence)
			}
			// A finding that needs attention, or a result that says it
			// could not tell: never a clean pass.
			flagged := false
			for _, f := range fs {
				flagged = flagged || f.Severity.AtLeast(report.Warn) || f.Severity == report.Inconclusive
			}
			if !flagged {
				t.Errorf("a hostile peer passed every check\n%s\n%s", r.Evidence, dumpFindings(fs))
			}
			// ProbeEndpoint recovers a panic into a failing finding, which
			// the checks above would accept: look for it by name.
			for x := r; x != nil; x = x.Redirect {
				if strings.Contains(x.Error, "internal error") {
					t.Errorf("%s: the probe panicked: %s", x.Name, x.Error)
				}
				for _, o := range x.Offers {
					if strings.Contains(o.Error, "internal error") {
						t.Errorf("%s: offer %s panicked: %s", x.Name, o.Name, o.Error)
					}
				}
			}
			if testing.Verbose() {
				t.Log(r.Evidence + "\n" + dumpFindings(fs))
			}
		})
	}
}

// TestOptionsUDPRetransmission: a peer that loses the first OPTIONS answers
// the RFC 3261 Timer E retransmission (T1 = 500 ms later).
func TestOptionsUDPRetransmission(t *testing.T) {
	t.Parallel()
	var seen sync.Map
	addr := hostileUDP(t, func(r []byte) []byte {
		id := ""
		for _, l := range strings.Split(string(r), "\r\n") {
			if strings.HasPrefix(strings.ToLower(l), "call-id:") {
				id = l
			}
		}
		if _, again := seen.LoadOrStore(id, true); !again {
			return nil // drop the first transmission
		}
		return echoHeaders(r, "200 OK", "Server: lossy\r\nContent-Length: 0\r\n\r\n")
	})
	cfg := Config{Timeout: 3 * time.Second, Offers: []Offer{}}
	r := ProbeEndpoint(testCtx(t, 20*time.Second), mustTarget(t, "sip:"+addr+";transport=udp"), cfg)
	o := r.Options[0]
	if o.Code != 200 || o.Server != "lossy" || o.RTTMillis < 400 {
		t.Fatalf("OPTIONS %+v: want 200 from the retransmission, RTT >= T1", o)
	}
}
