package capgen

import (
	"bytes"
	"testing"
)

// The trunk profile is deterministic and has the shape its doc promises:
// media about 90 % of packets, calls set up and ended in the capture, TLS
// connections, and the number of calls in progress near the concurrency.
func TestTrunkProfile(t *testing.T) {
	cfg := Config{Profile: ProfileTrunk, Seconds: 6, Seed: 7, Calls: 120, MeanCallSeconds: 5}
	var a, b bytes.Buffer
	st, err := GenerateStats(&a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateStats(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same config gave different bytes")
	}
	share := float64(st.MediaPackets) / float64(st.Packets)
	if share < 0.85 || share > 0.95 {
		t.Errorf("media is %.1f%% of packets, want about 90%%", 100*share)
	}
	if st.CallsSetUp < 60 || st.TLSConnections < 100 || st.TransactionsBg < 100 {
		t.Errorf("too few calls set up, TLS connections or transactions: %+v", st)
	}
	if st.MaxLiveCalls < 100 || st.MaxLiveCalls > 200 {
		t.Errorf("at most %d calls at once, want about 120", st.MaxLiveCalls)
	}
	if st.Bytes != int64(a.Len()) || st.CaptureSeconds < 5.9 {
		t.Errorf("stats %+v for %d bytes", st, a.Len())
	}
}
