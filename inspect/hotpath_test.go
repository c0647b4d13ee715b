package inspect

import (
	"math/rand/v2"
	"testing"
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
