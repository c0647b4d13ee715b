package inspect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/tlswire"
)

// if_tsoffset is added whatever the interface's timestamp resolution,
// including binary resolutions finer than 2^-64 s.
func TestIfaceTimestampOffset(t *testing.T) {
	for _, c := range []struct {
		ifc   iface
		units uint64
		want  int64
	}{
		{iface{mul: 1000, offsetNS: 5e9}, 7, 5e9 + 7000},                  // microseconds
		{iface{mul: 1, div: 1000, offsetNS: 5e9}, 7000, 5e9 + 7},          // picoseconds
		{iface{mul: 1, shift: 30, offsetNS: 5e9}, 1 << 30, 5e9 + 1e9},     // 2^-30 s
		{iface{mul: 1, shift: 70, offsetNS: 5e9}, 1 << 63, 5e9 + 7812500}, // 2^-7 s,
	} {
		if got := c.ifc.ns(c.units); got != c.want {
			t.Errorf("%+v: ns(%d) = %d, want %d", c.ifc, c.units, got, c.want)
		}
	}
}

// feed runs raw IPv4 packets through a scanner and finishes the scan.
func feed(t *testing.T, o *Options, pkts ...[]byte) *Result {
	t.Helper()
	s := newScanner(o, "x")
	for _, sg := range pkts {
		p := Packet{Data: sg, OrigLen: len(sg), LinkType: LinkRaw}
		s.packet(&p)
	}
	return s.result("x", "pcap", nil)
}

// A TLS connection whose TCP stream has a hole is reported with LostSync;
// one without is not.
func TestTLSLostSyncOnGap(t *testing.T) {
	rec := tlswire.AppendClientHello(nil, tlswire.VersionTLS12, []uint16{0xc02f}, "", nil)
	for _, gap := range []bool{false, true} {
		seq := uint32(1000)
		segs := [][]byte{tcpSeg(40000, 5061, seq-1, tcpSYN, nil), tcpSeg(40000, 5061, seq, 0x18, rec)}
		next := seq + uint32(len(rec))
		if gap {
			next += 100
		}
		segs = append(segs, tcpSeg(40000, 5061, next, 0x18, rec))
		res := feed(t, &Options{}, segs...)
		if len(res.TLS) != 1 || !res.TLS[0].ClientHello || res.TLS[0].LostSync != gap {
			t.Errorf("gap=%v: sessions %+v, want one with a ClientHello and LostSync=%v", gap, res.TLS, gap)
		}
	}
}

// A read error in the middle of a stream is reported as one, naming the
// input and the offset, not as a corrupt capture; the packets before it
// are kept.
func TestReadErrorNamed(t *testing.T) {
	data := genCapture(t, capgen.Config{Size: 64 << 10, Seed: 4, Calls: 2})
	broken := errors.New("device gone")
	for _, workers := range []int{1, 2} {
		r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(broken))
		res, err := Inspect(context.Background(), r, "eth0.pcap", Options{Workers: workers})
		var fe *FormatError
		if !errors.As(err, &fe) || !errors.Is(err, broken) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated) ||
			fe.File != "eth0.pcap" || strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), "eth0.pcap: byte offset ") {
			t.Fatalf("workers %d: err = %v, want a read error naming eth0.pcap", workers, err)
		}
		if res == nil || res.Stats.Packets == 0 {
			t.Errorf("workers %d: packets before the read error lost: %+v", workers, res)
		}
	}
}
