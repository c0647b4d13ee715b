package inspect

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
	"github.com/voipsec/voipsec/report"
)

// TestInteropLiveBaresipCall records a fresh SDES call between two baresip
// instances on loopback with the same script that made testdata/captures
// and checks the verdicts on it: the committed captures cannot go stale
// against the installed peers. It needs baresip, dumpcap (and the right to
// capture on lo), openssl and python3; without them it skips, unless
// VOIPSEC_INTEROP=1, when it fails.
func TestInteropLiveBaresipCall(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, bin := range []string{"baresip", "dumpcap", "openssl", "python3", "editcap"} {
		interop.Binary(t, bin)
	}
	if os.Geteuid() != 0 && !interop.Required() {
		t.Skip("capturing on lo needs root")
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	script, _ := filepath.Abs(filepath.Join(capDir, "make-captures.sh"))
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(), "OUT="+out, "ONLY=baresip-sdes-udp")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make-captures.sh: %v\n%s", err, b)
	}
	res, err := InspectFile(ctx, filepath.Join(out, "baresip-sdes-udp.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// One finding for the call's signalling path, with the offer's and
	// the answer's key each verified against its stream.
	verified := 0
	for _, f := range res.Findings {
		if f.Check == CheckSDESKeyExposed && f.Severity == report.Fail {
			verified += strings.Count(f.Detail, "key verified (pion/srtp)")
		}
	}
	srtp := 0
	for _, s := range res.Streams {
		if s.Verdict == "SRTP" {
			srtp++
		}
	}
	if verified != 2 || srtp != 2 {
		t.Errorf("live call: %d verified key findings, %d SRTP streams; want 2 and 2\n%+v", verified, srtp, res.Findings)
	}
}
