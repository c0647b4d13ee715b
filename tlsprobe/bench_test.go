package tlsprobe

import (
	"crypto/tls"
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkEnumerate measures a full version and cipher-suite enumeration of
// a loopback crypto/tls server accepting TLS 1.0-1.3 with its default
// suites, for several concurrency bounds. Set VOIPSEC_BENCH_ADDR=host:port to
// enumerate an external server instead (to compare with testssl.sh on the
// same target).
func BenchmarkEnumerate(b *testing.B) {
	addr := os.Getenv("VOIPSEC_BENCH_ADDR")
	if addr == "" {
		p := longPKI(b)
		addr = newTLSServer(b, &tls.Config{Certificates: []tls.Certificate{p.Server}, MinVersion: tls.VersionTLS10}, sip200)
	}
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			pr := newProber(addr, Config{ServerName: "localhost", Timeout: 5 * time.Second, Concurrency: conc})
			var suites int
			b.ReportAllocs()
			for b.Loop() {
				suites = 0
				vs, _ := pr.enumerate(b.Context())
				for _, v := range vs {
					suites += len(v.Suites) + 1 // one refused offer ends each version
				}
			}
			b.ReportMetric(float64(suites), "handshakes/op")
		})
	}
}
