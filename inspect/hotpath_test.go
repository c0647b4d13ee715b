package inspect

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
)

// TestDistinctBytes checks the flag-table count against a map, over
// lengths and alphabets from constant to uniformly random.
func TestDistinctBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 600; n++ {
		p := make([]byte, n%300)
		alphabet := 1 + n%257
		for i := range p {
			p[i] = byte(r.IntN(alphabet))
		}
		want := map[byte]bool{}
		for _, b := range p {
			want[b] = true
		}
		if got := distinctBytes(p); got != len(want) {
			t.Fatalf("distinctBytes(%d bytes over %d values) = %d, want %d", len(p), alphabet, got, len(want))
		}
	}
}

// TestFlowKeySame checks the word-wise key comparison against ==, for keys
// that differ in one byte of any field.
func TestFlowKeySame(t *testing.T) {
	var base Frame
	data := []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x13, 0xc4, 0x13, 0xc5, 0, 8, 0, 0}
	if decode(&base, LinkRaw, data) != decodedTransport {
		t.Fatal("decode failed")
	}
	if got := base.Key.Src.AddrPort().String(); got != "10.0.0.1:5060" {
		t.Fatalf("src = %s", got)
	}
	k := base.Key
	if !k.same(&base.Key) {
		t.Fatal("key differs from itself")
	}
	variants := []func(*FlowKey){
		func(k *FlowKey) { k.Src.Addr[0] ^= 1 },
		func(k *FlowKey) { k.Src.Addr[9] ^= 1 },
		func(k *FlowKey) { k.Src.Addr[15] ^= 1 },
		func(k *FlowKey) { k.Dst.Addr[3] ^= 1 },
		func(k *FlowKey) { k.Dst.Addr[12] ^= 1 },
		func(k *FlowKey) { k.Src.Port ^= 0x100 },
		func(k *FlowKey) { k.Dst.Port ^= 1 },
		func(k *FlowKey) { k.Proto = protoTCP },
	}
	for i, v := range variants {
		o := k
		v(&o)
		if o.same(&k) || k.same(&o) || (o == k) {
			t.Errorf("variant %d: keys compare equal", i)
		}
	}
}

// TestMappedWalkMatchesReader: the in-place record walk used for mapped
// pcap files gives the same result as the streaming reader, for a whole
// capture, one cut inside a record, and one with a record longer than
// MaxRecordLen but within the snap length (which the walk hands to Next).
func TestMappedWalkMatchesReader(t *testing.T) {
	whole := genCapture(t, capgen.Config{Size: 3 << 20, Seed: 9, Calls: 24})
	// A 300000-byte UDP datagram record appended after the generated ones,
	// with the file's snap length raised to admit it.
	big := slices.Clone(whole)
	binary.LittleEndian.PutUint32(big[16:], 1<<20)
	const n = 300000
	pkt := make([]byte, n)
	copy(pkt, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0xff, 0xff, 0, 0, 0, 0, 64, 17, 0, 0, 10, 9, 9, 9, 10, 9, 9, 8, 0x30, 0x39, 0x30, 0x3a, 0, 0})
	big = binary.LittleEndian.AppendUint32(big, 1)
	big = binary.LittleEndian.AppendUint32(big, 0)
	big = binary.LittleEndian.AppendUint32(big, n)
	big = binary.LittleEndian.AppendUint32(big, n)
	big = append(big, pkt...)
	big = append(big, whole[24:24+4096]...) // and some ordinary records after it
	cases := map[string][]byte{"whole": whole, "cut": whole[:len(whole)-7], "long record": big[:len(big)-5]}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			streamed, errS := Inspect(context.Background(), bytes.NewReader(data), "x", Options{})
			mapped, errM := inspectBytes(context.Background(), "x", data, Options{})
			if (errS == nil) != (errM == nil) || (errS != nil && errS.Error() != errM.Error()) {
				t.Fatalf("errors differ: streamed %v, mapped %v", errS, errM)
			}
			if name != "whole" && errS == nil {
				t.Fatal("a cut capture gave no error")
			}
			if streamed.Stats != mapped.Stats {
				t.Errorf("stats differ:\nstreamed %+v\nmapped   %+v", streamed.Stats, mapped.Stats)
			}
			if name == "long record" && mapped.Stats.Packets <= int64(len(cases["whole"])/1000) {
				t.Errorf("only %d packets: the walk stopped at the long record", mapped.Stats.Packets)
			}
			firstDiff(t, "streams", streamed.Streams, mapped.Streams)
			firstDiff(t, "findings", streamed.Findings, mapped.Findings)
		})
	}
}

// TestHotFieldsShareALine: the fields every media packet touches stay in
// the first 64 bytes of flow and mediaStats, and the sizes keep the
// allocator's size classes aligned to 64 bytes.
func TestHotFieldsShareALine(t *testing.T) {
	var fl flow
	var m mediaStats
	if s := unsafe.Sizeof(fl); s != 128 {
		t.Errorf("flow is %d bytes, want 128", s)
	}
	if s := unsafe.Sizeof(m); s != 256 {
		t.Errorf("mediaStats is %d bytes, want 256", s)
	}
	for name, end := range map[string]uintptr{
		"flow.lastMS":          unsafe.Offsetof(fl.lastMS) + 4,
		"flow.packets":         unsafe.Offsetof(fl.packets) + 4,
		"flow.media":           unsafe.Offsetof(fl.media) + 8,
		"flow.bytes":           unsafe.Offsetof(fl.bytes) + 8,
		"mediaStats.nsamples":  unsafe.Offsetof(m.nsamples) + 1,
		"mediaStats.randomish": unsafe.Offsetof(m.randomish) + 8,
	} {
		if end > 64 {
			t.Errorf("%s ends at byte %d, beyond the first cache line", name, end)
		}
	}
}

// TestPlainRTPKind: the inlined RTP test agrees with Demux for every first
// and second byte and the lengths around the limits.
func TestPlainRTPKind(t *testing.T) {
	for b0 := range 256 {
		for b1 := range 256 {
			for _, n := range []int{0, 1, 2, 7, 8, 11, 12, 13, 172} {
				p := make([]byte, n)
				if n > 0 {
					p[0] = byte(b0)
				}
				if n > 1 {
					p[1] = byte(b1)
				}
				if plainRTPKind(p) != (Demux(p) == MediaRTP) {
					t.Fatalf("bytes %d %d, length %d: plainRTPKind %v, Demux %v", b0, b1, n, plainRTPKind(p), Demux(p))
				}
			}
		}
	}
}
