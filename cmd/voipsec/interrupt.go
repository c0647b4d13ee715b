package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// signalCause is why a run's context was cancelled by a signal.
type signalCause struct{ sig os.Signal }

func (s *signalCause) Error() string { return signalName(s.sig) + " received" }

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// timeoutCause is why a run's context ended at its --timeout.
type timeoutCause struct{ d time.Duration }

func (t *timeoutCause) Error() string { return fmt.Sprintf("--timeout %s reached", t.d) }

// signalContext returns a context cancelled, with a *signalCause, by the
// first SIGINT or SIGTERM. After that first signal the default behaviour is
// restored, so a second one ends the process at once, should tearing down
// the dialogs in flight hang.
func signalContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var once sync.Once
	stop := func() { once.Do(func() { signal.Stop(ch); cancel(nil) }) }
	go func() {
		select {
		case sig := <-ch:
			cancel(&signalCause{sig})
			signal.Stop(ch)
		case <-ctx.Done():
		}
	}()
	return ctx, stop
}

// withTimeout is context.WithTimeout whose cause names the --timeout flag,
// so a report can tell a timeout from a signal.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, &timeoutCause{d})
}

// interruption says why ctx ended ("--timeout 2s reached", "SIGTERM
// received"), or "" when it has not.
func interruption(ctx context.Context) string {
	if ctx.Err() == nil {
		return ""
	}
	cause := context.Cause(ctx)
	var sc *signalCause
	var tc *timeoutCause
	switch {
	case errors.As(cause, &sc), errors.As(cause, &tc):
		return cause.Error()
	case errors.Is(cause, context.DeadlineExceeded):
		return "deadline reached"
	}
	return "cancelled"
}

// inflight tracks what a run is doing, so an interrupted run can say
// where it was. It is safe for concurrent use.
type inflight struct {
	ctx     context.Context // the run's: what is running when it ends was cut
	mu      sync.Mutex
	seq     int
	running map[string]running // target → what it is doing
	cut     map[string]running // running when ctx ended; nil until a probe returned after that
}

type running struct {
	step  string
	order int
	since time.Time // when the step (or the probe) started
}

// newInflight returns a tracker for a run bounded by ctx.
func newInflight(ctx context.Context) *inflight {
	return &inflight{ctx: ctx, running: map[string]running{}}
}

// start records that target is being probed.
func (f *inflight) start(target string) {
	f.mu.Lock()
	f.seq++
	f.running[target] = running{order: f.seq, since: time.Now()}
	f.mu.Unlock()
}

// step records what target is doing now ("TLS handshake", "offer 1 of 7
// sdes-80").
func (f *inflight) step(target, step string) {
	f.mu.Lock()
	if r, ok := f.running[target]; ok {
		r.step, r.since = step, time.Now()
		f.running[target] = r
	}
	f.mu.Unlock()
}

// finish records that target's probe returned. The first probe to
// return after the run's context ended notes what was running then: the
// probes the interruption cut.
func (f *inflight) finish(target string) {
	f.mu.Lock()
	if f.cut == nil && f.ctx.Err() != nil {
		f.cut = maps.Clone(f.running)
	}
	delete(f.running, target)
	f.mu.Unlock()
}

// where describes what was running when the run's context ended (or now,
// before that): "while probing tls://a:5061 (offer 1 of 7 sdes-80) and
// tcp://b:5060", or "" when nothing was.
func (f *inflight) where() string {
	f.mu.Lock()
	src := f.running
	if f.cut != nil {
		src = f.cut
	}
	items := inOrder(src)
	f.mu.Unlock()
	var parts []string
	for _, it := range items {
		s := it.target
		if it.step != "" {
			s += " (" + it.step + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	return "while probing " + joinAnd(parts)
}

// runningItem is one probe in flight.
type runningItem struct {
	target string
	running
}

// inOrder lists the probes of m in the order they started.
func inOrder(m map[string]running) []runningItem {
	items := make([]runningItem, 0, len(m))
	for t, r := range m {
		items = append(items, runningItem{t, r})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].order < items[j].order })
	return items
}

// now lists what is running now, in the order it started.
func (f *inflight) now() []runningItem {
	f.mu.Lock()
	defer f.mu.Unlock()
	return inOrder(f.running)
}

// describeInterruption is the line a report states when ctx ended before
// the run did: why, and where ("--timeout 2s reached while probing tls://…
// (offer 1 of 7 sdes-80); 2 targets not started"), or "" when the run
// completed, even if ctx ended just after the last probe returned.
func describeInterruption(ctx context.Context, f *inflight, notStarted int, noun string) string {
	why := interruption(ctx)
	where := f.where()
	if why == "" || where == "" && notStarted == 0 {
		return ""
	}
	if where != "" {
		why += " " + where
	}
	if notStarted > 0 {
		why += fmt.Sprintf("; %s not started", plural(notStarted, noun))
	}
	return why
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
