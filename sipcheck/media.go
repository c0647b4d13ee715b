package sipcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/voipsec/voipsec/srtpcheck"
)

// mediaLeg is the local RTP socket of one offer and, once answered, the
// media exchange over it.
type mediaLeg struct {
	kind  Offer
	conn  *net.UDPConn
	offer *srtpcheck.Offer
}

func newMediaLeg(local netip.Addr, kind Offer) (*mediaLeg, error) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		return nil, fmt.Errorf("sipcheck: open media socket: %w", err)
	}
	m := &mediaLeg{kind: kind, conn: c}
	addr := netip.AddrPortFrom(local, uint16(c.LocalAddr().(*net.UDPAddr).Port))
	if kind == srtpcheck.OfferSDES32 {
		m.offer, err = weakFirstOffer(addr)
	} else {
		m.offer, err = srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: kind, Addr: addr})
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("sipcheck: build %s offer: %w", kind, err)
	}
	return m, nil
}

// weakFirstOffer is the sdes-32 offer as Teams makes it (domain.md §1.4,
// TEAMS-DR): RTP/SAVP with AES_CM_128_HMAC_SHA1_32 first (tag 1) and
// AES_CM_128_HMAC_SHA1_80 second (tag 2). An edge that picks _32 although
// _80 was on offer is SRTP-WEAK-SUITE; one that picks _80 is not.
func weakFirstOffer(addr netip.AddrPort) (*srtpcheck.Offer, error) {
	o, err := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: srtpcheck.OfferSDES80, Addr: addr})
	if err != nil {
		return nil, err
	}
	if len(o.Crypto) != 1 {
		return nil, fmt.Errorf("sipcheck: sdes-80 offer has %d crypto lines, want 1", len(o.Crypto))
	}
	weak, err := srtpcheck.NewCrypto(1, srtpcheck.AES128CMHMACSHA1_32, 0)
	if err != nil {
		return nil, err
	}
	strong := o.Crypto[0]
	line := "a=crypto:" + strong.Value() + "\r\n"
	if !strings.Contains(string(o.SDP), line) {
		return nil, fmt.Errorf("sipcheck: sdes-80 offer lacks its crypto line")
	}
	strong.Tag = 2
	o.SDP = []byte(strings.Replace(string(o.SDP), line, "a=crypto:"+weak.Value()+"\r\na=crypto:"+strong.Value()+"\r\n", 1))
	o.Crypto = []srtpcheck.Crypto{weak, strong}
	o.Kind = srtpcheck.OfferSDES32
	return o, nil
}

func (m *mediaLeg) close() { m.conn.Close() }

// exchange sends and receives SRTP for d against the answer: SDES keys
// straight from the answer, or a DTLS-SRTP handshake (bounded by timeout)
// checked against the answer's a=fingerprint first.
func (m *mediaLeg) exchange(ctx context.Context, a *Answer, d, timeout time.Duration) *MediaResult {
	an := a.analysis
	out := &MediaResult{Remote: an.Remote.String(), Suite: a.Suite, MKI: a.MKI}
	if !an.Remote.IsValid() || an.Remote.Port() == 0 || an.Remote.Addr().IsUnspecified() {
		out.Error = "answer has no usable media address"
		return out
	}
	remote := net.UDPAddrFromAddrPort(an.Remote)
	cfg := srtpcheck.MediaConfig{Conn: m.conn, Remote: remote, PayloadType: an.PayloadType, Duration: d}
	if an.DTLS {
		hctx, cancel := context.WithTimeout(ctx, timeout)
		sess, err := dtlsHandshake(hctx, m.conn, remote, srtpcheck.DTLSConfig{
			Certificate: *m.offer.Certificate, Client: an.DTLSClient, RemoteFingerprints: an.Fingerprints})
		cancel()
		if err != nil {
			out.Error = "DTLS handshake: " + clip(err.Error(), 300)
			out.FingerprintMismatch = errors.Is(err, srtpcheck.ErrFingerprintMismatch)
			out.HandshakeFailed = true
			return out
		}
		defer sess.Close()
		keys := sess.Keys
		out.Suite = keys.Suite.String()
		cfg.Conn, cfg.Keys = sess.MediaConn(), &keys
	} else {
		keys := an.Keys
		cfg.Keys = &keys
	}
	start := time.Now()
	c, err := srtpcheck.RunMedia(ctx, cfg)
	out.Seconds = time.Since(start).Seconds()
	out.Sent, out.Received, out.Authenticated, out.Failed, out.Echoed = int(c.Sent), int(c.Received), int(c.Authenticated), int(c.Failed), int(c.Echoed)
	if err != nil {
		out.Error = clip(err.Error(), 300)
	}
	return out
}

// dtlsHandshake bounds srtpcheck.DTLSHandshake by ctx even if the handshake
// itself does not return on cancellation: closing the socket it reads from
// unblocks it. The socket is then unusable, which is fine, as the media leg
// is over.
func dtlsHandshake(ctx context.Context, pc net.PacketConn, remote net.Addr, cfg srtpcheck.DTLSConfig) (*srtpcheck.DTLSSession, error) {
	type result struct {
		s   *srtpcheck.DTLSSession
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := srtpcheck.DTLSHandshake(ctx, pc, remote, cfg)
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
	}
	pc.Close()
	select {
	case r := <-ch:
		if r.s != nil {
			r.s.Close()
		}
		if r.err != nil && errors.Is(r.err, srtpcheck.ErrFingerprintMismatch) {
			return nil, r.err
		}
	case <-time.After(cleanupTimeout):
	}
	return nil, fmt.Errorf("sipcheck: DTLS handshake: %w", ctx.Err())
}
