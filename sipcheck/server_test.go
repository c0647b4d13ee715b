package sipcheck

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/srtpcheck"
	"github.com/voipsec/voipsec/tlsprobe"
)

// fakeEdge is a plain in-process sipgo server: answers OPTIONS, and INVITE
// according to policy, counting what it received so tests can check the
// probe cleaned up its dialogs.
type fakeEdge struct {
	policy   string // "required", "optional", "rejected", "488", "silent", "redirect", "hostile"
	redirect string // Contact for "redirect"
	suites   []srtpcheck.Suite
	noMedia  bool
	wrongKey bool
	badFP    bool // answer with the fingerprint of another certificate
	hold     bool // answer with c=0.0.0.0: nowhere to send media
	wg       sync.WaitGroup
	stop     context.Context // canceled at cleanup: ends calls' media

	udp, tcp, tls string

	invites, acks, byes, cancels atomic.Int32
	mu                           sync.Mutex
	lastFrom, lastRURI           string
	bodies                       []string
}

func startEdge(t *testing.T, policy string, tlsConf *tls.Config) *fakeEdge {
	t.Helper()
	stop, cancel := context.WithCancel(context.Background())
	e := &fakeEdge{policy: policy, stop: stop}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("fake-edge"),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(discard)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(discard)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		e.mu.Lock()
		policy := e.policy
		e.mu.Unlock()
		if policy == "silent" {
			return
		}
		if policy == "forbidden" {
			tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
			return
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Server", "FakeEdge/1.0"))
		res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
		res.AppendHeader(sip.NewHeader("Supported", "timer"))
		tx.Respond(res)
	})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) { e.onInvite(req, tx) })
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { e.acks.Add(1) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		e.byes.Add(1)
		tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		e.cancels.Add(1)
		tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.udp, e.tcp = pc.LocalAddr().String(), ln.Addr().String()
	go srv.ServeUDP(pc)
	go srv.ServeTCP(ln)
	if tlsConf != nil {
		tl, err := tls.Listen("tcp", "127.0.0.1:0", tlsConf)
		if err != nil {
			t.Fatal(err)
		}
		e.tls = tl.Addr().String()
		go srv.ServeTLS(tl)
		t.Cleanup(func() { tl.Close() })
	}
	t.Cleanup(func() {
		cancel()
		e.wg.Wait()
		pc.Close()
		ln.Close()
		srv.Close()
		ua.Close()
	})
	return e
}

// set changes the edge's behaviour safely while it serves.
func (e *fakeEdge) set(f func(*fakeEdge)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(e)
}

func (e *fakeEdge) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	e.invites.Add(1)
	e.mu.Lock()
	if f := req.From(); f != nil {
		e.lastFrom = f.Address.String()
	}
	e.lastRURI = req.Recipient.String()
	c := fakeEdge{policy: e.policy, redirect: e.redirect, suites: e.suites, noMedia: e.noMedia, wrongKey: e.wrongKey, badFP: e.badFP, hold: e.hold}
	e.mu.Unlock()
	body := req.Body()
	switch c.policy {
	case "silent":
		return
	case "ringing":
		tx.Respond(sip.NewResponseFromRequest(req, 180, "Ringing", nil))
		return // never answers; the probe must CANCEL
	case "488":
		tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
		return
	case "forbidden":
		tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
		return
	case "redirect":
		res := sip.NewResponseFromRequest(req, 302, "Moved Temporarily", nil)
		res.AppendHeader(&sip.ContactHeader{Address: mustURI(c.redirect)})
		tx.Respond(res)
		return
	case "hostile":
		e.reply(req, tx, 200, "OK", hostileSDP)
		return
	}
	level, err := matrix.ParseEncryptionLevel(c.policy)
	if err != nil {
		panic(err)
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		e.reply(req, tx, 500, "Server Error", "")
		return
	}
	n, err := srtpcheck.Answer(body, srtpcheck.AnswerConfig{Policy: level, Addr: pc.LocalAddr().(*net.UDPAddr).AddrPort(), Suites: c.suites})
	if err != nil {
		pc.Close()
		e.reply(req, tx, 488, "Encryption Levels not compatible", "")
		return
	}
	answer := string(n.SDP)
	if c.badFP && n.DTLS {
		other, err := selfsign.GenerateSelfSigned()
		if err != nil {
			panic(err)
		}
		real := srtpcheck.CertificateFingerprint(n.Certificate.Certificate[0]).String()
		answer = strings.Replace(answer, real, srtpcheck.CertificateFingerprint(other.Certificate[0]).String(), 1)
	}
	if c.hold {
		answer = strings.ReplaceAll(answer, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0")
	}
	e.reply(req, tx, 200, "OK", answer)
	e.wg.Add(1)
	go func() { // media for the call, bounded
		defer e.wg.Done()
		defer pc.Close()
		ctx, cancel := context.WithTimeout(e.stop, 3*time.Second)
		defer cancel()
		if c.noMedia {
			return
		}
		cfg := srtpcheck.MediaConfig{Conn: pc, Remote: net.UDPAddrFromAddrPort(n.Remote), PayloadType: n.PayloadType, Duration: 1500 * time.Millisecond}
		if n.DTLS {
			sess, err := srtpcheck.DTLSHandshake(ctx, pc, cfg.Remote, srtpcheck.DTLSConfig{Certificate: *n.Certificate, Client: n.DTLSClient, RemoteFingerprints: n.RemoteFingerprints})
			if err != nil {
				return
			}
			defer sess.Close()
			keys := sess.Keys
			cfg.Conn, cfg.Keys = sess.MediaConn(), &keys
		} else if n.Secure {
			keys := n.Keys
			if c.wrongKey {
				keys.SendKey = make([]byte, len(keys.SendKey))
			}
			cfg.Keys = &keys
		}
		srtpcheck.RunMedia(ctx, cfg)
	}()
}

func (e *fakeEdge) reply(req *sip.Request, tx sip.ServerTransaction, code int, reason, body string) {
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	res := sip.NewResponseFromRequest(req, code, reason, b)
	if code/100 == 2 {
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: 5999}})
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	tx.Respond(res)
}

var hostileSDP = "v=0\r\nc=IN IP4 999.1.1.1\r\nm=audio 99999999 RTP/SAVP 0\r\na=crypto:x\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 notinline\r\n" +
	strings.Repeat("a=x-junk:"+strings.Repeat("A", 200)+"\r\n", 40)

func mustURI(s string) sip.Uri {
	var u sip.Uri
	if err := sip.ParseUri(s, &u); err != nil {
		panic(err)
	}
	return u
}

func mustTarget(t *testing.T, s string) Target {
	t.Helper()
	tg, err := ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// testPolicy is what a test declares of the probed edge. The tests judge a
// plain SIP edge held to mutual TLS (as tlsprobe always judged it before
// roles), with the declared levels, TLS signalling when expectTLS, and
// Client Authentication when the level means mutual TLS.
type testPolicy struct {
	declared  matrix.Declared
	expectTLS bool
}

func (p testPolicy) expect(r *Result) Expect {
	mtls := p.declared.VoipSecurity != nil && p.declared.VoipSecurity.Transport().MutualTLS
	return Expect{
		Role:     matrix.Expectations{Role: matrix.RoleSIPEdge, MutualTLS: true, ClientAuthEKU: mtls, TLS: p.expectTLS},
		Declared: p.declared,
		WarnDays: tlsprobe.DefaultWarnDays,
		Now:      r.Started,
	}
}

// judged is what Judge finds in r under p, redirect targets included.
func judged(r *Result, p testPolicy) []report.Finding { return Judge(r, p.expect(r)) }

// findings maps each check of r's findings, judged with no declared
// policy, to its worst severity (by report.Severity.Rank: fail,
// inconclusive, warn, info, pass).
func findings(r *Result) map[string]string {
	return worst(judged(r, testPolicy{}))
}

func worst(fs []report.Finding) map[string]string {
	out := map[string]string{}
	sev := map[string]report.Severity{}
	for _, f := range fs {
		if prev, ok := sev[f.Check]; !ok || f.Severity.Rank() > prev.Rank() {
			sev[f.Check] = f.Severity
			out[f.Check] = f.Severity.String()
		}
	}
	return out
}

func dump(r *Result) string { return dumpFindings(judged(r, testPolicy{})) }

func dumpFindings(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s: %s | %s", f.Severity, f.Check, f.Target, f.Summary, f.Detail)
		if f.Hint != "" {
			fmt.Fprintf(&b, " | hint: %s", f.Hint)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func resolveLiteral(t Target) ([]netip.Addr, error) {
	r, err := t.Resolve(context.Background(), nil)
	return r.Addrs, err
}
