package inspect

import (
	"io"
	"testing"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
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
