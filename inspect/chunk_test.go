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

// A parallel scan's first range starts at the first packet: for pcapng
// after the section and interface blocks, which the ranges inherit instead
// of reading again (a range that reads one makes the whole file be scanned
// a second time, sequentially).
func TestFirstPacketSkipsHeaderBlocks(t *testing.T) {
	for _, ng := range []bool{false, true} {
		data := genCapture(t, capgen.Config{Size: 64 << 10, Seed: 3, Calls: 2, PCAPNG: ng})
		fresh, err := NewReaderBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		first, err := fresh.Next()
		if err != nil {
			t.Fatal(err)
		}
		head, err := NewReaderBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		start, ok := head.firstPacket()
		if !ok || int64(start) != first.Offset {
			t.Fatalf("pcapng=%v: firstPacket = %d, %v; the first packet is at %d", ng, start, ok, first.Offset)
		}
		r := head.rangeReader(data, start, len(data))
		n := int64(0)
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if r.headerBlocks != 0 || n != countAll(t, fresh) {
			t.Errorf("pcapng=%v: range from the first packet read %d header blocks and %d packets", ng, r.headerBlocks, n)
		}
	}
}

// countAll reads r to the end and returns how many packets it read in all.
func countAll(t *testing.T, r *Reader) int64 {
	t.Helper()
	for {
		if _, err := r.Next(); err == io.EOF {
			return r.Packets()
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

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

// A TLS connection whose TCP stream has a hole is reported with LostSync;
// one without is not.
func TestTLSLostSyncOnGap(t *testing.T) {
	rec := tlswire.AppendClientHello(nil, tlswire.VersionTLS12, []uint16{0xc02f}, "", nil)
	for _, gap := range []bool{false, true} {
		s := newScanner(&Options{})
		seq := uint32(1000)
		segs := [][]byte{tcpSeg(40000, 5061, seq-1, tcpSYN, nil), tcpSeg(40000, 5061, seq, 0x18, rec)}
		next := seq + uint32(len(rec))
		if gap {
			next += 100
		}
		segs = append(segs, tcpSeg(40000, 5061, next, 0x18, rec))
		for _, sg := range segs {
			p := Packet{Data: sg, OrigLen: len(sg), LinkType: LinkRaw}
			s.packet(&p)
		}
		for _, fl := range s.flows {
			s.finishTCP(fl)
		}
		if len(s.tlsSess) != 1 || !s.tlsSess[0].ClientHello || s.tlsSess[0].LostSync != gap {
			t.Errorf("gap=%v: sessions %+v, want one with a ClientHello and LostSync=%v", gap, s.tlsSess, gap)
		}
	}
}

// A read error in the middle of a stream is reported as one, naming the
// input and the offset, not as a corrupt capture; the packets before it
// are kept.
func TestReadErrorNamed(t *testing.T) {
	data := genCapture(t, capgen.Config{Size: 64 << 10, Seed: 4, Calls: 2})
	broken := errors.New("device gone")
	r := io.MultiReader(bytes.NewReader(data[:len(data)/2]), iotest.ErrReader(broken))
	res, err := Inspect(context.Background(), r, "eth0.pcap", Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, broken) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated) ||
		fe.File != "eth0.pcap" || strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), "eth0.pcap: byte offset ") {
		t.Fatalf("err = %v, want a read error naming eth0.pcap", err)
	}
	if res == nil || res.Stats.Packets == 0 {
		t.Errorf("packets before the read error lost: %+v", res)
	}
}
