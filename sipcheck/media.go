package sipcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
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
	m.offer, err = srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: kind, Addr: addr})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("sipcheck: build %s offer: %w", kind, err)
	}
	return m, nil
}

func (m *mediaLeg) close() { m.conn.Close() }

// exchange sends and receives SRTP for d against the answer: SDES keys
// straight from the answer, or a DTLS-SRTP handshake (bounded by timeout)
// checked against the answer's a=fingerprint first.
func (m *mediaLeg) exchange(ctx context.Context, a *Answer, d, timeout time.Duration) *MediaResult {
	an := a.analysis
	out := &MediaResult{Suite: a.Suite, MKI: a.MKI}
	switch {
	case !an.Remote.IsValid() || an.Remote.Port() == 0:
		out.Error = "the answer gives no address to send media to"
		return out
	case an.Remote.Addr().IsUnspecified():
		out.Remote = an.Remote.String()
		out.Error = "the answer puts media on hold (c=" + an.Remote.Addr().String() + "): no address to send media to"
		return out
	}
	out.Remote = an.Remote.String()
	remote := net.UDPAddrFromAddrPort(an.Remote)
	cfg := srtpcheck.MediaConfig{Conn: m.conn, Remote: remote, PayloadType: an.PayloadType, Duration: d}
	if an.DTLS {
		hctx, cancel := context.WithTimeout(ctx, timeout)
		sess, err := srtpcheck.DTLSHandshake(hctx, m.conn, remote, srtpcheck.DTLSConfig{
			Certificate: *m.offer.Certificate, Client: an.DTLSClient, RemoteFingerprints: an.Fingerprints})
		cancel()
		if err != nil {
			out.Error = "DTLS handshake: " + describeMedia(err)
			var local *srtpcheck.LocalError
			if errors.As(err, &local) {
				out.Local = true
			} else {
				out.FingerprintMismatch = errors.Is(err, srtpcheck.ErrFingerprintMismatch)
				out.HandshakeFailed = true
			}
			return out
		}
		defer sess.Close()
		out.DTLSHandshake = true
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
	out.Ran = err == nil || c.Sent > 0 || c.Received > 0
	if err != nil {
		// RunMedia fails only on this host (srtpcheck.LocalError).
		out.Error, out.Local = describeMedia(err), true
	}
	return out
}
