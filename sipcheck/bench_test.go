package sipcheck

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// BenchmarkProbe200Simulators probes 200 simulator instances on loopback
// with a worker pool, every offer and a real SRTP media window per accepted
// answer, and reports wall time per sweep, peak heap and the
// process's maximum RSS (simulators included: they run in-process).
//
//	go test -run '^$' -bench Probe200 -benchtime 1x ./sipcheck
func BenchmarkProbe200Simulators(b *testing.B) {
	for _, tc := range []struct {
		name      string
		transport string
		jobs      int
		offers    int           // offer dialogs at once per target
		media     time.Duration // per accepted SRTP answer
	}{
		{"udp", UDP, 64, 8, time.Second},
		{"tls-mtls", TLS, 64, 8, time.Second},
		{"udp-cli-defaults-j200", UDP, 200, 1, 2 * time.Second}, // voipsec probe -j 200, default offers and media
	} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 200
			jobs := tc.jobs
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			targets := make([]Target, n)
			sims := make([]*sim.Server, n)
			for i := range targets {
				cfg := sim.Config{PKI: simPKI, Encryption: matrix.Optional, MaxCallDuration: 10 * time.Second, AckTimeout: 3 * time.Second}
				if tc.transport == TLS {
					cfg.Preset(matrix.Secured)
				} else {
					cfg.Transports = []string{sim.UDP, sim.TCP}
				}
				s, err := sim.Start(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				sims[i] = s
				t, err := ParseTarget("sip:" + s.Addr(tc.transport) + ";transport=" + tc.transport)
				if err != nil {
					b.Fatal(err)
				}
				targets[i] = t
			}
			defer func() {
				for _, s := range sims {
					s.Close()
				}
			}()
			cfg := Config{Timeout: 5 * time.Second, MediaDuration: tc.media, OfferConcurrency: tc.offers,
				ClientCert: &simPKI.Client, RootCAs: simPKI.CAPool}
			var peakHeap atomic.Uint64
			stop := make(chan struct{})
			var mon sync.WaitGroup
			mon.Add(1)
			go func() { // sample the heap while the sweep runs
				defer mon.Done()
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peakHeap.Load() {
						peakHeap.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			}()
			b.ResetTimer()
			var failed atomic.Int32
			for range b.N {
				var wg sync.WaitGroup
				next := make(chan int)
				for range jobs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range next {
							r := ProbeEndpoint(ctx, targets[i], cfg)
							if r.Effective == nil || *r.Effective != matrix.Optional && tc.transport == UDP {
								failed.Add(1)
							}
							if tc.transport == TLS && (r.Effective == nil || *r.Effective != matrix.Required) {
								failed.Add(1)
							}
						}
					}()
				}
				for i := range targets {
					next <- i
				}
				close(next)
				wg.Wait()
			}
			b.StopTimer()
			close(stop)
			mon.Wait()
			if f := failed.Load(); f > 0 {
				b.Errorf("%d of %d probes did not derive the simulator's level", f, n*b.N)
			}
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MiB")
			b.ReportMetric(float64(n), "targets")
		})
	}
}
