package sipcheck

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// mediaLeg is the local RTP socket of one offer and, once answered, the
// media exchange over it.
type mediaLeg struct {
	kind Offer
	conn *net.UDPConn
	port int
}

func newMediaLeg(local netip.Addr, kind Offer) (*mediaLeg, error) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0)))
	if err != nil {
		return nil, fmt.Errorf("sipcheck: open media socket: %w", err)
	}
	return &mediaLeg{kind: kind, conn: c, port: c.LocalAddr().(*net.UDPAddr).Port}, nil
}

func (m *mediaLeg) close() { m.conn.Close() }

func (m *mediaLeg) offer() ([]byte, error) {
	local := m.conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	return offerSDP(m.kind, local, m.port, "")
}

// exchange runs media against the answer (wired to srtpcheck).
func (m *mediaLeg) exchange(ctx context.Context, a *Answer, d, timeout time.Duration) *MediaResult {
	return nil // no media until srtpcheck's exchange is wired in

}
