package inspect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/report"
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

// inspectGen inspects a generated capture held in memory.
func inspectGen(t *testing.T, cfg capgen.Config, o Options) *Result {
	t.Helper()
	res, err := Inspect(context.Background(), bytes.NewReader(genCapture(t, cfg)), "gen.pcap", o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestLiveStateBounded proves the bound: a trunk capture twice as long at
// the same concurrency finishes about twice the calls and streams, while
// the most calls, flows and TLS connections held at once do not grow.
func TestLiveStateBounded(t *testing.T) {
	cfg := capgen.Config{Profile: capgen.ProfileTrunk, Calls: 30, MeanCallSeconds: 4, Seed: 21, Seconds: 20}
	short := inspectGen(t, cfg, Options{IdleTimeout: 10 * time.Second})
	cfg.Seconds = 40
	long := inspectGen(t, cfg, Options{IdleTimeout: 10 * time.Second})
	if long.Summary.Calls < short.Summary.Calls*17/10 || long.Summary.Streams < short.Summary.Streams*17/10 {
		t.Fatalf("the long capture should finish about twice the calls and streams: %d/%d calls, %d/%d streams",
			short.Summary.Calls, long.Summary.Calls, short.Summary.Streams, long.Summary.Streams)
	}
	for name, c := range map[string][2]int{
		"calls": {short.State.MaxCalls, long.State.MaxCalls},
		"flows": {short.State.MaxFlows, long.State.MaxFlows},
		"TLS":   {short.State.MaxTLS, long.State.MaxTLS},
	} {
		if c[1] > c[0]*5/4+2 {
			t.Errorf("most %s held at once grew from %d to %d with the length of the capture", name, c[0], c[1])
		}
	}
	// And it follows the concurrency, not what was seen: the long capture
	// finished many more flows than it ever held at once.
	if ended := long.State.FlowsIdle + long.State.FlowsClosed + long.State.FlowsWithCall; ended < 2*int64(long.State.MaxFlows) {
		t.Errorf("%d flows ended before the end of the capture, at most %d held at once", ended, long.State.MaxFlows)
	}
}

// Every way of reading gives the same result as a mapped file: read(2) in
// one goroutine or with a reader ahead, pcap or pcapng.
func TestReadPathsGiveTheSameResult(t *testing.T) {
	cfg := capgen.Config{Profile: capgen.ProfileTrunk, Calls: 40, MeanCallSeconds: 5, Seed: 22, Seconds: 8}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "trunk.pcap")
	ng := filepath.Join(dir, "trunk.pcapng")
	if err := os.WriteFile(pcap, genCapture(t, cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.PCAPNG = true
	if err := os.WriteFile(ng, genCapture(t, cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := InspectFile(context.Background(), pcap, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want.Summary.Calls == 0 || want.Summary.TLSSessions == 0 || len(want.Findings) < 5 {
		t.Fatalf("generated capture too thin: %+v", want.Summary)
	}
	for name, c := range map[string]struct {
		file string
		o    Options
	}{
		"read":              {pcap, Options{Workers: 1, IO: IORead}},
		"read ahead":        {pcap, Options{Workers: 2, IO: IORead}},
		"mapped, -j 2":      {pcap, Options{Workers: 2}},
		"pcapng":            {ng, Options{Workers: 1}},
		"pcapng read ahead": {ng, Options{Workers: 3, IO: IORead}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := InspectFile(context.Background(), c.file, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if got.Stats.Packets != want.Stats.Packets {
				t.Fatalf("%d packets, want %d", got.Stats.Packets, want.Stats.Packets)
			}
			firstDiff(t, "findings", stripFile(want.Findings, pcap), stripFile(got.Findings, c.file))
			firstDiff(t, "streams", want.Streams, got.Streams)
			firstDiff(t, "calls", want.Calls, got.Calls)
			firstDiff(t, "TLS", want.TLS, got.TLS)
			if !reflect.DeepEqual(want.Summary, got.Summary) || want.State != got.State {
				t.Errorf("summary or state differ:\n%+v %+v\n%+v %+v", want.Summary, want.State, got.Summary, got.State)
			}
		})
	}
}

// stripFile blanks the file name in the targets of file-level findings.
func stripFile(fs []report.Finding, file string) []report.Finding {
	out := slices.Clone(fs)
	for i := range out {
		if out[i].Target == file {
			out[i].Target = ""
		}
	}
	return out
}
