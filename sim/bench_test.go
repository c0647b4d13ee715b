package sim

import (
	"context"
	"testing"
)

// BenchmarkStartClose measures starting and stopping one simulator with
// UDP, TCP and TLS listeners (PKI generation included).
func BenchmarkStartClose(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Start(context.Background(), Config{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkIdleFootprint reports goroutines per idle simulator (UDP, TCP
// and TLS listening).
func BenchmarkIdleFootprint(b *testing.B) {
	for b.Loop() {
		base := runtimeGoroutines()
		var ss []*Server
		for range 100 {
			s, err := Start(context.Background(), Config{})
			if err != nil {
				b.Fatal(err)
			}
			ss = append(ss, s)
		}
		b.ReportMetric(float64(runtimeGoroutines()-base)/100, "goroutines/sim")
		for _, s := range ss {
			s.Close()
		}
	}
}
