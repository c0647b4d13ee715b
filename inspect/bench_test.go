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
	benchData map[string][]byte
)

// benchCapture returns a 64 MiB generated capture of a capgen profile:
// media-heavy (256 concurrent G.711 calls, mostly SRTP, with SIP, RTCP,
// STUN, DTLS, TLS, VLAN and IPv6 frames) or trunk (600 concurrent calls,
// signalling a tenth of the packets, a third of it over TLS).
func benchCapture(b *testing.B, profile string) []byte {
	benchOnce.Do(func() {
		benchData = map[string][]byte{}
		for _, cfg := range []capgen.Config{
			{Profile: capgen.ProfileMedia, Size: 64 << 20, Seed: 1, Calls: 256},
			{Profile: capgen.ProfileTrunk, Size: 64 << 20, Seed: 1},
		} {
			var buf bytes.Buffer
			if _, err := capgen.Generate(&buf, cfg); err != nil {
				b.Fatal(err)
			}
			benchData[cfg.Profile] = buf.Bytes()
		}
	})
	return benchData[profile]
}

// benchScan runs scan over a capture of the profile and reports bytes,
// allocations and ns per packet.
func benchScan(b *testing.B, profile string, scan func(data []byte) (packets int64, err error)) {
	data := benchCapture(b, profile)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var pk int64
	for b.Loop() {
		n, err := scan(data)
		if err != nil {
			b.Fatal(err)
		}
		pk = n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pk)/float64(b.N), "ns/pkt")
}

func scanStream(data []byte) (int64, error) {
	res, err := Inspect(context.Background(), bytes.NewReader(data), "bench", Options{})
	return res.Stats.Packets, err
}

func scanInPlace(data []byte) (int64, error) {
	res, err := inspectBytes(context.Background(), "bench", data, Options{})
	return res.Stats.Packets, err
}

func scanGopacket(data []byte) (int64, error) {
	c, err := gpbaseline.Run(bytes.NewReader(data), false)
	return c.Packets, err
}

// BenchmarkInspect is the whole scan of the media-heavy capture read as a
// stream: read, decode, classify, flow table, verdicts and findings.
func BenchmarkInspect(b *testing.B) { benchScan(b, capgen.ProfileMedia, scanStream) }

// BenchmarkInspectMapped is the scan of the media-heavy capture held in
// memory, as a mapped file is read: records are parsed in place.
func BenchmarkInspectMapped(b *testing.B) { benchScan(b, capgen.ProfileMedia, scanInPlace) }

// BenchmarkInspectTrunk is the scan of the trunk capture held in memory.
func BenchmarkInspectTrunk(b *testing.B) { benchScan(b, capgen.ProfileTrunk, scanInPlace) }

// BenchmarkGopacketBaseline is the media-heavy capture through gopacket's
// pcapgo reader and DecodingLayerParser (inspect/internal/gpbaseline).
func BenchmarkGopacketBaseline(b *testing.B) { benchScan(b, capgen.ProfileMedia, scanGopacket) }

// BenchmarkGopacketBaselineTrunk is the trunk capture through the gopacket
// baseline, which does the same per-flow classification.
func BenchmarkGopacketBaselineTrunk(b *testing.B) { benchScan(b, capgen.ProfileTrunk, scanGopacket) }

// BenchmarkReader is record reading alone.
func BenchmarkReader(b *testing.B) {
	benchScan(b, capgen.ProfileMedia, func(data []byte) (int64, error) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return 0, err
		}
		for {
			if _, err := r.Next(); errors.Is(err, io.EOF) {
				return r.Packets(), nil
			} else if err != nil {
				return 0, err
			}
		}
	})
}

// BenchmarkInspectFile scans the capture named by VOIPSEC_BENCH_FILE (as
// scripts/bench-inspect.sh makes it), mapped and read, with 1 and 2
// goroutines.
func BenchmarkInspectFile(b *testing.B) {
	path := os.Getenv("VOIPSEC_BENCH_FILE")
	if path == "" {
		b.Skip("VOIPSEC_BENCH_FILE not set")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{IOMap, IORead} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("io=%s/workers=%d", mode, w), func(b *testing.B) {
				b.SetBytes(fi.Size())
				var pk int64
				for b.Loop() {
					res, err := InspectFile(context.Background(), path, Options{Workers: w, IO: mode})
					if err != nil {
						b.Fatal(err)
					}
					pk = res.Stats.Packets
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pk)/float64(b.N), "ns/pkt")
			})
		}
	}
}
