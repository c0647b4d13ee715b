package srtpcheck

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// Counters are the packet counts of one media exchange.
type Counters struct {
	Sent          uint64 `json:"sent"`
	Received      uint64 `json:"received"`      // RTP packets from the peer (not echoes)
	Authenticated uint64 `json:"authenticated"` // SRTP packets that decrypted and authenticated with the peer's key
	Failed        uint64 `json:"failed"`        // SRTP packets that did not
	Echoed        uint64 `json:"echoed"`        // our own packets sent back to us
	RTCP          uint64 `json:"rtcp"`          // RTCP/SRTCP packets received (rtcp-mux)
	RTCPAuth      uint64 `json:"rtcp_authenticated"`
	Other         uint64 `json:"other"` // STUN, DTLS or junk on the media port
}

// OnlyEchoed reports that everything the peer sent back was our own media.
func (c Counters) OnlyEchoed() bool { return c.Echoed > 0 && c.Received == 0 }

// Meter holds live counters that other goroutines may read while media runs.
type Meter struct {
	sent, received, auth, failed, echoed, rtcp, rtcpAuth, other atomic.Uint64
}

// Counters returns a snapshot.
func (m *Meter) Counters() Counters {
	if m == nil {
		return Counters{}
	}
	return Counters{Sent: m.sent.Load(), Received: m.received.Load(), Authenticated: m.auth.Load(),
		Failed: m.failed.Load(), Echoed: m.echoed.Load(), RTCP: m.rtcp.Load(), RTCPAuth: m.rtcpAuth.Load(),
		Other: m.other.Load()}
}

// MediaConfig is one media exchange.
type MediaConfig struct {
	// Conn is the local media socket, owned by the caller (for DTLS-SRTP,
	// [DTLSSession.MediaConn]).
	Conn net.PacketConn
	// Remote is where to send; nil sends to the source of the first
	// received RTP packet (symmetric RTP), or not at all.
	Remote net.Addr
	// Keys keys SRTP; nil exchanges plain RTP.
	Keys *Keys
	// PayloadType: 0 PCMU (default) or 8 PCMA.
	PayloadType uint8
	// Duration of sending, 50 packets a second (default 1 s). Reception
	// continues for Linger afterwards (default 300 ms).
	Duration time.Duration
	Linger   time.Duration
	// Interval between packets (default 20 ms, RFC 3551 G.711 ptime).
	Interval time.Duration
	// NoSend only receives (fault "no media" on the simulator side).
	NoSend bool
	// UntilBye, if non-nil, keeps the exchange running past Duration until
	// it is closed (the simulator sends for the whole call); Duration then
	// bounds the call.
	UntilBye <-chan struct{}
	// Meter, if non-nil, receives live counts.
	Meter *Meter
	// SSRC of our stream; 0 picks a random one.
	SSRC uint32
}

const maxPacket = 1500

// RunMedia sends G.711 audio as SRTP (or RTP) and authenticates what it
// receives until the send window and linger end or ctx is done. It returns
// the counters; the error, a [*LocalError], is non-nil only when the
// exchange could not run on this host (unusable keys, a packet that could
// not be built), never for what the peer sent.
func RunMedia(ctx context.Context, cfg MediaConfig) (Counters, error) {
	if cfg.Conn == nil {
		return Counters{}, &LocalError{Step: "run media", Err: errors.New("nil connection")}
	}
	if cfg.Duration <= 0 {
		cfg.Duration = time.Second
	}
	if cfg.Linger <= 0 {
		cfg.Linger = 300 * time.Millisecond
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 20 * time.Millisecond
	}
	meter := cfg.Meter
	if meter == nil {
		meter = &Meter{}
	}
	ssrc := cfg.SSRC
	for ssrc == 0 {
		var b [4]byte
		_, _ = rand.Read(b[:])
		ssrc = binary.BigEndian.Uint32(b[:])
	}
	var sendCtx, recvCtx, echoCtx *srtp.Context
	if cfg.Keys != nil {
		var err error
		if sendCtx, err = newContext(cfg.Keys.Suite, cfg.Keys.SendKey, cfg.Keys.SendSalt, cfg.Keys.SendMKI, false); err != nil {
			return Counters{}, &LocalError{Step: "set up the SRTP send context", Err: err}
		}
		if recvCtx, err = newContext(cfg.Keys.Suite, cfg.Keys.RecvKey, cfg.Keys.RecvSalt, cfg.Keys.RecvMKI, true); err != nil {
			return Counters{}, &LocalError{Step: "set up the SRTP receive context", Err: err}
		}
		if echoCtx, err = newContext(cfg.Keys.Suite, cfg.Keys.SendKey, cfg.Keys.SendSalt, cfg.Keys.SendMKI, false); err != nil {
			return Counters{}, &LocalError{Step: "set up the SRTP echo context", Err: err}
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		remoteMu sync.Mutex
		remote   = cfg.Remote
	)
	getRemote := func() net.Addr { remoteMu.Lock(); defer remoteMu.Unlock(); return remote }

	var wg sync.WaitGroup
	sendDone := make(chan struct{})
	var sendErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(sendDone)
		if cfg.NoSend {
			waitWindow(ctx, cfg)
			return
		}
		sendErr = sendLoop(ctx, cfg, ssrc, sendCtx, getRemote, meter)
	}()

	// Receive until the send window has ended plus linger, or ctx.
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-sendDone:
			t := time.NewTimer(cfg.Linger)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
		close(stop)
	}()

	buf := make([]byte, maxPacket)
	dec := make([]byte, maxPacket)
	var hdr rtp.Header
	for {
		select {
		case <-stop:
			wg.Wait()
			return meter.Counters(), sendErr
		default:
		}
		_ = cfg.Conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, from, err := cfg.Conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				cancel()
				wg.Wait()
				return meter.Counters(), sendErr
			}
			continue // ICMP-induced errors on some platforms
		}
		pkt := buf[:n]
		if n < 2 || pkt[0] < 128 || pkt[0] > 191 {
			meter.other.Add(1) // RFC 7983 demux: not RTP/RTCP
			continue
		}
		if pkt[1] >= 192 && pkt[1] <= 223 { // RFC 5761 §4: RTCP packet types 192–223
			meter.rtcp.Add(1)
			if recvCtx != nil {
				if _, err := recvCtx.DecryptRTCP(dec[:0], pkt, nil); err == nil {
					meter.rtcpAuth.Add(1)
				}
			}
			continue
		}
		if _, err := hdr.Unmarshal(pkt); err != nil {
			meter.other.Add(1)
			continue
		}
		if getRemote() == nil && from != nil {
			remoteMu.Lock()
			remote = from
			remoteMu.Unlock()
		}
		if hdr.SSRC == ssrc {
			// Our own SSRC: an echo if it authenticates with our key.
			if echoCtx == nil {
				meter.echoed.Add(1)
				continue
			}
			if _, err := echoCtx.DecryptRTP(dec[:0], pkt, nil); err == nil {
				meter.echoed.Add(1)
				continue
			}
		}
		meter.received.Add(1)
		if recvCtx == nil {
			continue
		}
		if _, err := recvCtx.DecryptRTP(dec[:0], pkt, nil); err != nil {
			meter.failed.Add(1)
		} else {
			meter.auth.Add(1)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func waitWindow(ctx context.Context, cfg MediaConfig) {
	t := time.NewTimer(cfg.Duration)
	defer t.Stop()
	if cfg.UntilBye != nil {
		select {
		case <-cfg.UntilBye:
		case <-t.C:
		case <-ctx.Done():
		}
		return
	}
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func sendLoop(ctx context.Context, cfg MediaConfig, ssrc uint32, sc *srtp.Context, remote func() net.Addr, meter *Meter) error {
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	seq := binary.BigEndian.Uint16(seed[:2])
	ts := uint32(binary.BigEndian.Uint16(seed[2:])) << 8
	payload := tone(cfg.PayloadType)
	hdr := rtp.Header{Version: 2, PayloadType: cfg.PayloadType, SSRC: ssrc, Marker: true}
	plain := make([]byte, 0, maxPacket)
	out := make([]byte, 0, maxPacket)
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	end := time.NewTimer(cfg.Duration)
	defer end.Stop()
	bye := cfg.UntilBye
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-end.C:
			return nil
		case <-bye:
			return nil
		case <-tick.C:
		}
		to := remote()
		if to == nil {
			continue
		}
		hdr.SequenceNumber, hdr.Timestamp = seq, ts
		n, err := hdr.MarshalTo(plain[:cap(plain)])
		if err != nil {
			return &LocalError{Step: "marshal an RTP header", Err: err}
		}
		plain = append(plain[:n], payload...)
		pkt := plain
		if sc != nil {
			if out, err = sc.EncryptRTP(out[:0], plain, nil); err != nil {
				return &LocalError{Step: "encrypt RTP", Err: err}
			}
			pkt = out
		}
		if _, err := cfg.Conn.WriteTo(pkt, to); err == nil {
			meter.sent.Add(1)
		} else if errors.Is(err, net.ErrClosed) {
			return nil
		}
		hdr.Marker = false
		seq++
		ts += 160
	}
}

// newContext builds a pion/srtp context; an MKI enables the
// MasterKeyIndicator option so it is written before the auth tag on send
// and expected on receive (RFC 3711 §3.1).
func newContext(s Suite, key, salt, mki []byte, replay bool) (*srtp.Context, error) {
	p, ok := s.Profile()
	if !ok {
		return nil, fmt.Errorf("%w: %v", errNoProfile, s)
	}
	var opts []srtp.ContextOption
	if len(mki) > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(mki))
	}
	if replay {
		opts = append(opts, srtp.SRTPReplayProtection(128), srtp.SRTCPReplayProtection(128))
	}
	return srtp.CreateContext(key, salt, p, opts...)
}
