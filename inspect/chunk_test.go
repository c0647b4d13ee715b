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
