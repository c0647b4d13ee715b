package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/inspect/internal/gpbaseline"
)

var (
	benchOnce sync.Once
	benchData []byte
	trunkOnce sync.Once
	trunkData []byte
)

// trunkCapture is a 64 MiB capture of the trunk profile: 600 concurrent
// calls, signalling a tenth of the packets, a third of it over TLS.
func trunkCapture(b *testing.B) []byte {
	trunkOnce.Do(func() {
		var buf bytes.Buffer
		if _, err := capgen.Generate(&buf, capgen.Config{Profile: capgen.ProfileTrunk, Size: 64 << 20, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		trunkData = buf.Bytes()
	})
	return trunkData
}

// BenchmarkInspectTrunk is the whole scan of the trunk-profile capture.
func BenchmarkInspectTrunk(b *testing.B) {
	data := trunkCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		res, err := inspectBytes(context.Background(), "bench", data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		pk = res.Stats.Packets
	}
	reportPackets(b, pk)
}

// BenchmarkGopacketBaselineTrunk is the trunk capture through the gopacket
// baseline.
func BenchmarkGopacketBaselineTrunk(b *testing.B) {
	data := trunkCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		c, err := gpbaseline.Run(bytes.NewReader(data), false)
		if err != nil {
			b.Fatal(err)
		}
		pk = c.Packets
	}
	reportPackets(b, pk)
}

// benchCapture is a 64 MiB generated capture: 256 concurrent G.711 calls,
// mostly SRTP, with SIP, RTCP, STUN, DTLS, TLS, VLAN and IPv6 frames.
func benchCapture(b *testing.B) []byte {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		if _, err := capgen.Generate(&buf, capgen.Config{Size: 64 << 20, Seed: 1, Calls: 256}); err != nil {
			b.Fatal(err)
		}
		benchData = buf.Bytes()
	})
	return benchData
}

func reportPackets(b *testing.B, packets int64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(packets)/float64(b.N), "ns/pkt")
}

// BenchmarkInspect is the whole scan: read, decode, classify, flow table,
// verdicts and findings.
func BenchmarkInspect(b *testing.B) {
	data := benchCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		res, err := Inspect(context.Background(), bytes.NewReader(data), "bench", Options{})
		if err != nil {
			b.Fatal(err)
		}
		pk = res.Stats.Packets
	}
	reportPackets(b, pk)
}

// BenchmarkInspectMapped is the scan of a capture held in memory, as a
// mapped file is read: records are parsed in place, one worker.
func BenchmarkInspectMapped(b *testing.B) {
	data := benchCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		res, err := inspectBytes(context.Background(), "bench", data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		pk = res.Stats.Packets
	}
	reportPackets(b, pk)
}

// BenchmarkReader is record reading alone.
func BenchmarkReader(b *testing.B) {
	data := benchCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		pk = 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			pk++
		}
	}
	reportPackets(b, pk)
}

// BenchmarkGopacketBaseline is the same capture through gopacket's pcapgo
// reader and DecodingLayerParser (inspect/internal/gpbaseline).
func BenchmarkGopacketBaseline(b *testing.B) {
	data := benchCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		c, err := gpbaseline.Run(bytes.NewReader(data), false)
		if err != nil {
			b.Fatal(err)
		}
		pk = c.Packets
	}
	reportPackets(b, pk)
}

// BenchmarkInspectFile scans the capture named by VOIPSEC_BENCH_FILE (as
// scripts/bench-inspect.sh makes it) with 1 and 2 workers.
func BenchmarkInspectFile(b *testing.B) {
	path := os.Getenv("VOIPSEC_BENCH_FILE")
	if path == "" {
		b.Skip("VOIPSEC_BENCH_FILE not set")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.SetBytes(fi.Size())
			var pk int64
			for b.Loop() {
				res, err := InspectFile(context.Background(), path, Options{Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				pk = res.Stats.Packets
			}
			reportPackets(b, pk)
		})
	}
}
