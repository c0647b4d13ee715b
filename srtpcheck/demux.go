package srtpcheck

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// demux splits one UDP socket into a DTLS side and an RTP side by the first
// byte of each datagram (RFC 7983 §7: 20–63 DTLS, 128–191 RTP/RTCP). It
// owns one reader goroutine, which stops on Close; the socket stays open.
type demux struct {
	pc        net.PacketConn
	dtls, rtp *subConn
	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

type datagram struct {
	b    []byte
	from net.Addr
}

const demuxQueue = 64

func newDemux(pc net.PacketConn) *demux {
	d := &demux{pc: pc, done: make(chan struct{})}
	d.dtls = &subConn{d: d, in: make(chan datagram, demuxQueue), closed: make(chan struct{})}
	d.rtp = &subConn{d: d, in: make(chan datagram, demuxQueue), closed: make(chan struct{})}
	d.wg.Add(1)
	go d.loop()
	return d
}

func (d *demux) loop() {
	defer d.wg.Done()
	// Leave the caller's socket without the deadline used to stop us.
	defer func() { _ = d.pc.SetReadDeadline(time.Time{}) }()
	buf := make([]byte, maxPacket)
	for {
		select {
		case <-d.done:
			return
		default:
		}
		_ = d.pc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, from, err := d.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				d.Close()
				return
			}
			continue
		}
		if n == 0 {
			continue
		}
		var dst *subConn
		switch b := buf[0]; {
		case b >= 20 && b <= 63:
			dst = d.dtls
		case b >= 128 && b <= 191:
			dst = d.rtp
		default:
			continue
		}
		pkt := datagram{b: append([]byte(nil), buf[:n]...), from: from}
		select {
		case dst.in <- pkt:
		default: // queue full: drop, as a congested socket would
		}
	}
}

func (d *demux) Close() {
	d.closeOnce.Do(func() {
		close(d.done)
		_ = d.pc.SetReadDeadline(time.Now())
	})
}

// subConn is one side of a demux, a net.PacketConn.
type subConn struct {
	d         *demux
	in        chan datagram
	closed    chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	deadline  time.Time
	changed   chan struct{} // closed when the deadline changes
}

func (s *subConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		s.mu.Lock()
		dl, changed := s.deadline, s.changed
		if changed == nil {
			changed = make(chan struct{})
			s.changed = changed
		}
		s.mu.Unlock()
		var timeout <-chan time.Time
		var t *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, nil, os.ErrDeadlineExceeded
			}
			t = time.NewTimer(d)
			timeout = t.C
		}
		select {
		case p := <-s.in:
			stopTimer(t)
			return copy(b, p.b), p.from, nil
		case <-s.closed:
			stopTimer(t)
			return 0, nil, net.ErrClosed
		case <-s.d.done:
			stopTimer(t)
			return 0, nil, net.ErrClosed
		case <-timeout:
			return 0, nil, os.ErrDeadlineExceeded
		case <-changed: // SetReadDeadline interrupts a blocked read
			stopTimer(t)
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

func (s *subConn) WriteTo(b []byte, to net.Addr) (int, error) {
	select {
	case <-s.closed:
		return 0, net.ErrClosed
	default:
	}
	return s.d.pc.WriteTo(b, to)
}

func (s *subConn) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

func (s *subConn) LocalAddr() net.Addr { return s.d.pc.LocalAddr() }

func (s *subConn) SetDeadline(t time.Time) error { return s.SetReadDeadline(t) }

func (s *subConn) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	s.deadline = t
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	s.mu.Unlock()
	return nil
}

func (s *subConn) SetWriteDeadline(time.Time) error { return nil }
