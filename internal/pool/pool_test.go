package pool

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func TestEachRunsEveryJobBounded(t *testing.T) {
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[int]bool{}
	started := Each(context.Background(), 50, 3, func(i int) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		running.Add(-1)
	})
	if len(seen) != 50 || peak.Load() > 3 {
		t.Fatalf("%d jobs ran, at most %d at once", len(seen), peak.Load())
	}
	for i, s := range started {
		if !s {
			t.Errorf("job %d not marked started", i)
		}
	}
}

// Once the context ends, no job starts; the ones running finish.
func TestEachStopsStartingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	started := Each(ctx, 10, 2, func(i int) {
		ran.Add(1)
		if i == 3 {
			cancel()
		}
	})
	n := 0
	for _, s := range started {
		if s {
			n++
		}
	}
	if int(ran.Load()) != n || n < 4 || n > 6 || started[9] {
		t.Fatalf("%d ran, %d marked started: %v", ran.Load(), n, started)
	}
	if got := Each(ctx, 5, 2, func(int) { t.Error("job started on an ended context") }); got[0] {
		t.Error("marked started")
	}
}

func TestEachNothing(t *testing.T) {
	if got := Each(context.Background(), 0, 4, func(int) { t.Error("called") }); len(got) != 0 {
		t.Fatal(got)
	}
}

// Every call is either started or skipped, never both, and the skipped
// ones are counted.
func TestEachOrSkip(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	ran, skipped := map[int]bool{}, map[int]bool{}
	n := EachOrSkip(ctx, 10, 1, func(i int) {
		mu.Lock()
		ran[i] = true
		mu.Unlock()
		if i == 2 {
			cancel()
		}
	}, func(i int) { skipped[i] = true })
	if n != len(skipped) || len(ran)+len(skipped) != 10 || len(skipped) < 6 {
		t.Fatalf("ran %v, skipped %v (%d)", ran, skipped, n)
	}
	for i := range skipped {
		if ran[i] {
			t.Errorf("job %d both ran and was skipped", i)
		}
	}
}
