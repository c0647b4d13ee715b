package sim

import (
	"crypto/x509"
	"log/slog"
	"os"
	"runtime"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/voipsec/voipsec/internal/testpki"
)

func runtimeGoroutines() int { return runtime.NumGoroutine() }

func goroutineDump() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func verifyOpts(p *testpki.PKI) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: p.CAPool, DNSName: "127.0.0.1"}
}

func TestMain(m *testing.M) {
	// sipgo logs some transport events to its package default logger.
	sip.SetDefaultLogger(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
