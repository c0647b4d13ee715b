package inspect

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
)

func genCapture(t testing.TB, cfg capgen.Config) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := capgen.Generate(&b, cfg); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Every pcap byte order and timestamp unit, and pcapng with two interfaces
// of different link types and timestamp resolutions, read the same traffic.
func TestReaderVariants(t *testing.T) {
	base := capgen.Config{Seed: 7, Calls: 12, CallLen: 300}
	variants := []struct {
		name string
		cfg  func(c capgen.Config) capgen.Config
	}{
		{"pcap-le-us", func(c capgen.Config) capgen.Config { return c }},
		{"pcap-be-us", func(c capgen.Config) capgen.Config { c.BigEndian = true; return c }},
		{"pcap-le-ns", func(c capgen.Config) capgen.Config { c.Nanosecond = true; return c }},
		{"pcap-be-ns", func(c capgen.Config) capgen.Config { c.BigEndian, c.Nanosecond = true, true; return c }},
		{"pcapng-2-interfaces", func(c capgen.Config) capgen.Config { c.PCAPNG = true; return c }},
	}
	var want []string
	var wantPackets int64
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			data := genCapture(t, v.cfg(base))
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			p, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if p.Timestamp/1000 != 1_700_000_000*1e6 || p.OrigLen != len(p.Data) {
				t.Errorf("first packet ts %d origlen %d caplen %d", p.Timestamp, p.OrigLen, len(p.Data))
			}
			links := map[uint16]int{}
			var last int64
			for {
				p, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				links[p.LinkType]++
				if p.Timestamp/1000 < last/1000 { // interface 0 has µs resolution
					t.Fatalf("timestamps go back: %d after %d (link %d)", p.Timestamp, last, p.LinkType)
				}
				last = p.Timestamp
			}
			if v.name == "pcapng-2-interfaces" && (links[LinkEthernet] == 0 || links[LinkLinuxSLL2] == 0) {
				t.Errorf("link types seen %v, want Ethernet and Linux SLL2", links)
			}
			res, err := Inspect(context.Background(), bytes.NewReader(data), v.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := verdicts(res)
			if i == 0 {
				want, wantPackets = got, res.Stats.Packets
				if res.Stats.VLAN == 0 || res.Stats.IPv6 == 0 || len(res.TLS) == 0 {
					t.Errorf("generator lacks VLAN, IPv6 or TLS: %+v", res.Stats)
				}
				return
			}
			if !slices.Equal(got, want) || res.Stats.Packets != wantPackets {
				t.Errorf("%s: %d packets, verdicts %v; want %d, %v", v.name, res.Stats.Packets, got, wantPackets, want)
			}
		})
	}
}

// udpPacket builds an IPv4 or IPv6 UDP packet.
func udpPacket(v6 bool, sp, dp uint16, payload []byte) []byte {
	l4 := binary.BigEndian.AppendUint16(nil, sp)
	l4 = binary.BigEndian.AppendUint16(l4, dp)
	l4 = binary.BigEndian.AppendUint16(l4, uint16(8+len(payload)))
	l4 = append(l4, 0, 0)
	l4 = append(l4, payload...)
	if v6 {
		h := []byte{0x60, 0, 0, 0, byte(len(l4) >> 8), byte(len(l4)), 17, 64}
		h = append(h, make([]byte, 32)...)
		h[8+15], h[24+15] = 1, 2
		return append(h, l4...)
	}
	h := []byte{0x45, 0, byte((20 + len(l4)) >> 8), byte(20 + len(l4)), 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	return append(h, l4...)
}

func TestDecodeLinkTypes(t *testing.T) {
	rtp := []byte{0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff}
	v4 := udpPacket(false, 4000, 5000, rtp)
	v6 := udpPacket(true, 4000, 5000, rtp)
	eth := func(tags []uint16, typ uint16, ip []byte) []byte {
		b := make([]byte, 12)
		for _, tg := range tags {
			b = binary.BigEndian.AppendUint16(b, tg)
			b = append(b, 0, 100)
		}
		b = binary.BigEndian.AppendUint16(b, typ)
		return append(b, ip...)
	}
	sll := append(make([]byte, 14), 0x08, 0x00)
	sll2 := append([]byte{0x86, 0xdd}, make([]byte, 18)...)
	tests := []struct {
		name  string
		link  uint16
		data  []byte
		v6    bool
		vlans int
	}{
		{"ethernet", LinkEthernet, eth(nil, 0x0800, v4), false, 0},
		{"802.1Q", LinkEthernet, eth([]uint16{0x8100}, 0x0800, v4), false, 1},
		{"QinQ", LinkEthernet, eth([]uint16{0x88a8, 0x8100}, 0x86dd, v6), true, 2},
		{"linux-sll", LinkLinuxSLL, append(sll, v4...), false, 0},
		{"linux-sll2", LinkLinuxSLL2, append(sll2, v6...), true, 0},
		{"raw-101-v4", LinkRaw, v4, false, 0},
		{"raw-101-v6", LinkRaw, v6, true, 0},
		{"ipv4-228", LinkIPv4, v4, false, 0},
		{"ipv6-229", LinkIPv6, v6, true, 0},
		{"null-le", LinkNull, append([]byte{2, 0, 0, 0}, v4...), false, 0},
		{"null-be-v6", LinkNull, append([]byte{0, 0, 0, 30}, v6...), true, 0},
		{"loop", LinkLoop, append([]byte{0, 0, 0, 2}, v4...), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Frame
			if st := decode(&f, tt.link, tt.data); st != decodedTransport {
				t.Fatalf("status %d", st)
			}
			if f.IPv6 != tt.v6 || f.VLANs != tt.vlans || f.Key.Src.Port != 4000 || f.Key.Dst.Port != 5000 || !bytes.Equal(f.Payload, rtp) {
				t.Errorf("frame %+v", f)
			}
		})
	}
}

func TestDecodeIPDetails(t *testing.T) {
	var f Frame
	// IPv4 with 4 bytes of options.
	v4 := udpPacket(false, 1, 2, []byte("x"))
	opt := append([]byte{0x46}, v4[1:20]...)
	opt[3] += 4
	opt = append(opt, 1, 1, 1, 0)
	opt = append(opt, v4[20:]...)
	if st := decode(&f, LinkRaw, opt); st != decodedTransport || !f.IPOptions || string(f.Payload) != "x" {
		t.Errorf("IPv4 options: status %d %+v", st, f)
	}
	// IPv4 fragment (MF set).
	frag := slices.Clone(v4)
	frag[6] = 0x20
	if st := decode(&f, LinkRaw, frag); st != decodedFragment {
		t.Errorf("IPv4 fragment: status %d", st)
	}
	// IPv6 with hop-by-hop and destination options before UDP.
	v6 := udpPacket(true, 1, 2, []byte("y"))
	ext := slices.Clone(v6[:40])
	ext[6] = 0                                 // hop-by-hop
	ext = append(ext, 60, 0, 0, 0, 0, 0, 0, 0) // next: dest opts, 8 bytes
	ext = append(ext, 17, 0, 0, 0, 0, 0, 0, 0) // next: UDP
	ext = append(ext, v6[40:]...)
	binary.BigEndian.PutUint16(ext[4:], uint16(len(ext)-40))
	if st := decode(&f, LinkRaw, ext); st != decodedTransport || string(f.Payload) != "y" {
		t.Errorf("IPv6 extension headers: status %d %+v", st, f)
	}
	fr6 := slices.Clone(v6[:40])
	fr6[6] = 44
	fr6 = append(fr6, 17, 0, 0, 1, 0, 0, 0, 1)
	fr6 = append(fr6, v6[40:]...)
	if st := decode(&f, LinkRaw, fr6); st != decodedFragment {
		t.Errorf("IPv6 fragment: status %d", st)
	}
	// Snapped headers never panic and say truncated.
	for n := range len(v4) - 1 {
		if n < 28 {
			if st := decode(&f, LinkRaw, v4[:n]); st != decodedTruncated && n > 0 {
				t.Errorf("IPv4 cut at %d: status %d", n, st)
			}
		}
	}
}

// tcpSeg builds an IPv4 TCP segment on 5060.
func tcpSeg(sp, dp uint16, seq uint32, flags byte, payload []byte) []byte {
	l4 := binary.BigEndian.AppendUint16(nil, sp)
	l4 = binary.BigEndian.AppendUint16(l4, dp)
	l4 = binary.BigEndian.AppendUint32(l4, seq)
	l4 = append(l4, 0, 0, 0, 0, 5<<4, flags, 0xff, 0xff, 0, 0, 0, 0)
	l4 = append(l4, payload...)
	h := []byte{0x45, 0, byte((20 + len(l4)) >> 8), byte(20 + len(l4)), 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	return append(h, l4...)
}

const sipOptions = "OPTIONS sip:um@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\nCall-ID: tcp-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"

func TestTCPReassembly(t *testing.T) {
	msg := func(i int) []byte {
		return []byte(bytes.ReplaceAll([]byte(sipOptions), []byte("%d"), []byte{byte('0' + i)}))
	}
	// run scans the segments and returns the scanner, before the end of
	// the capture finishes its flows, and the Call-IDs of the messages read.
	run := func(segs [][]byte) (*scanner, []string) {
		s := newScanner(&Options{}, "tcp")
		for _, sg := range segs {
			p := Packet{Data: sg, OrigLen: len(sg), LinkType: LinkRaw}
			s.packet(&p)
		}
		for _, fl := range s.flows {
			for len(fl.tcp.ooo) > 0 {
				s.tcpSkipGap(fl, fl.tcp)
			}
		}
		var ids []string
		for _, c := range s.callOrder {
			for range c.msgs {
				ids = append(ids, c.id)
			}
		}
		return s, ids
	}
	m1, m2 := msg(1), msg(2)
	a, b, c := m1[:30], m1[30:70], m1[70:]
	seq := uint32(1000)
	syn := tcpSeg(40000, 5060, seq-1, tcpSYN, nil)
	segA := tcpSeg(40000, 5060, seq, 0x18, a)
	segB := tcpSeg(40000, 5060, seq+30, 0x18, b)
	segC := tcpSeg(40000, 5060, seq+70, 0x18, c)
	segM2 := tcpSeg(40000, 5060, seq+uint32(len(m1)), 0x18, m2)

	t.Run("in-order", func(t *testing.T) {
		_, msgs := run([][]byte{syn, segA, segB, segC, segM2})
		if len(msgs) != 2 || msgs[0] != "tcp-1" || msgs[1] != "tcp-2" {
			t.Fatalf("messages %+v", msgs)
		}
	})
	t.Run("out-of-order-and-retransmitted", func(t *testing.T) {
		s, msgs := run([][]byte{syn, segC, segA, segA, segB, segM2})
		if len(msgs) != 2 || msgs[0] != "tcp-1" {
			t.Fatalf("messages %+v", msgs)
		}
		for _, fl := range s.flows {
			if fl.tcp.outOfOrder != 1 || fl.tcp.retrans != 1 || fl.tcp.gaps != 0 {
				t.Errorf("counters %+v", *fl.tcp)
			}
		}
	})
	t.Run("gap-reported-and-resynchronised", func(t *testing.T) {
		s, msgs := run([][]byte{syn, segA, segC, segM2})
		if len(msgs) != 1 || msgs[0] != "tcp-2" {
			t.Fatalf("after the gap, want only tcp-2: %+v", msgs)
		}
		for _, fl := range s.flows {
			if fl.tcp.gaps != 1 || fl.tcp.gapBytes != 40 {
				t.Errorf("gap counters %+v", *fl.tcp)
			}
		}
	})
}

// TestHotPathZeroAlloc proves that reading, decoding, classifying and
// looking up the flow of a packet allocates nothing in steady state.
func TestHotPathZeroAlloc(t *testing.T) {
	for _, tc := range []struct{ ng, mapped bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		ng := tc
		data := genCapture(t, capgen.Config{Size: 4 << 20, Seed: 3, Calls: 32, PCAPNG: tc.ng})
		s := newScanner(&Options{}, "alloc")
		var r *Reader
		var err error
		if tc.mapped {
			r, err = NewReaderBytes(data) // what InspectFile uses over a mapping
		} else {
			r, err = NewReader(bytes.NewReader(data))
		}
		if err != nil {
			t.Fatal(err)
		}
		// Warm up: the first half creates every flow and parses the SIP.
		for r.Offset() < int64(len(data)/2) {
			p, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			s.packet(&p)
		}
		allocs := testing.AllocsPerRun(5000, func() {
			p, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			s.packet(&p)
		})
		if allocs != 0 {
			t.Errorf("%+v: %.3f allocations per packet, want 0", ng, allocs)
		}
		if s.stats.Packets < 5000 {
			t.Fatal("too few packets")
		}
	}
}

// pcapngSection writes a section with one raw-IP interface holding pkts.
func pcapngSection(pkts ...[]byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0x0a0d0d0a)
	b = le.AppendUint32(b, 28)
	b = le.AppendUint32(b, 0x1a2b3c4d)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0)
	b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	b = le.AppendUint32(b, 28)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 20)
	b = le.AppendUint16(b, LinkRaw)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 20)
	for _, p := range pkts {
		pad := (4 - len(p)%4) % 4
		total := uint32(32 + len(p) + pad)
		b = le.AppendUint32(b, 6)
		b = le.AppendUint32(b, total)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, uint32(len(p)))
		b = le.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
		b = append(b, make([]byte, pad)...)
		b = le.AppendUint32(b, total)
	}
	return b
}

// A pcapng made of several sections with different interfaces, read
// mapped and read ahead through buffers whose ends fall anywhere in it.
func TestParallelPCAPNGSections(t *testing.T) {
	a := genCapture(t, capgen.Config{Size: 1 << 20, Seed: 11, Calls: 8, PCAPNG: true})
	sip := []byte("OPTIONS sip:um@example.net SIP/2.0\r\nCall-ID: raw-section\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	// A long raw-IP section in the middle, so that range boundaries fall
	// inside it, after its interface block.
	var raw [][]byte
	for range 20000 {
		raw = append(raw, udpPacket(false, 5060, 5060, sip))
	}
	b := pcapngSection(raw...)
	c := genCapture(t, capgen.Config{Size: 256 << 10, Seed: 12, Calls: 8, PCAPNG: true})
	data := append(append(append([]byte{}, a...), b...), c...)
	file := filepath.Join(t.TempDir(), "sections.pcapng")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	one, err := InspectFile(context.Background(), file, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range one.Calls {
		if c.CallID == "raw-section" {
			found = c.Messages
		}
	}
	if found != 20000 {
		t.Fatalf("SIP in the raw-IP section: %d messages, want 20000", found)
	}
	three, err := InspectFile(context.Background(), file, Options{Workers: 3, IO: IORead})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one.Calls[len(one.Calls)-1].Methods, three.Calls[len(three.Calls)-1].Methods) || len(one.Calls) != len(three.Calls) ||
		one.Stats != three.Stats {
		t.Errorf("parallel scan differs on a multi-section pcapng: %d vs %d calls, %+v vs %+v", len(one.Calls), len(three.Calls), one.Stats, three.Stats)
	}
}
