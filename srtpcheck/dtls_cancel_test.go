package srtpcheck

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
)

// TestDTLSHandshakeHonoursContext: a silent or junk-sending peer must not
// hold the handshake past ctx, in either role, and the demultiplexer
// goroutine must stop.
func TestDTLSHandshakeHonoursContext(t *testing.T) {
	cert, _ := selfsign.GenerateSelfSigned()
	fp := []Fingerprint{CertificateFingerprint(cert.Certificate[0])}
	for _, client := range []bool{true, false} {
		for _, junk := range []bool{false, true} {
			conn, _ := listenUDP(t)
			peer, peerAddr := listenUDP(t)
			stop := make(chan struct{})
			go func() {
				buf := make([]byte, 1500)
				for {
					select {
					case <-stop:
						return
					default:
					}
					_ = peer.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
					if n, from, err := peer.ReadFrom(buf); err == nil && junk {
						buf[0] = 22 // a DTLS handshake content type with garbage after it
						_, _ = peer.WriteTo(buf[:n], from)
					}
					if junk {
						_, _ = peer.WriteTo([]byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5}, conn.LocalAddr())
					}
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			s, err := DTLSHandshake(ctx, conn, net.UDPAddrFromAddrPort(peerAddr), DTLSConfig{Certificate: cert, Client: client, RemoteFingerprints: fp})
			took := time.Since(start)
			cancel()
			close(stop)
			if s != nil {
				s.Close()
			}
			if err == nil {
				t.Fatalf("client=%v junk=%v: handshake succeeded with no peer", client, junk)
			}
			if took > 3*time.Second {
				t.Fatalf("client=%v junk=%v: returned after %v", client, junk, took)
			}
			// The socket is still usable by its owner afterwards.
			if _, err := conn.WriteTo([]byte{0x80}, net.UDPAddrFromAddrPort(peerAddr)); err != nil {
				t.Fatalf("socket unusable after failed handshake: %v", err)
			}
		}
	}
}
