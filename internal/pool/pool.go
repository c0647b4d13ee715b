// Package pool runs a bounded number of jobs at once, and starts none once
// the caller's context has ended: the worker pool of `voipsec probe` and of
// the plan's live checks.
package pool

import (
	"context"
	"sync"
)

// Each calls f(i) for every i in [0, n), at most workers at a time, in
// order of i, and returns when every call it started has returned. Once
// ctx has ended it starts no more calls; started[i] says whether f(i) was
// called. f must derive its own deadlines from ctx.
func Each(ctx context.Context, n, workers int, f func(i int)) (started []bool) {
	started = make([]bool, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f(i)
			}
		}()
	}
dispatch:
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- i:
			started[i] = true
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
	return started
}

// EachOrSkip is Each, then, in order of i, skip(i) for every call Each did
// not start because ctx had ended: where a caller records the work that
// never began (a probe interrupted before it started). It returns how many
// were skipped.
func EachOrSkip(ctx context.Context, n, workers int, f, skip func(i int)) (skipped int) {
	for i, ok := range Each(ctx, n, workers, f) {
		if !ok {
			skip(i)
			skipped++
		}
	}
	return skipped
}
