package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/internal/printable"
	"github.com/voipsec/voipsec/sipcheck"
)

// progressOptions is the --progress flag of the commands that probe
// (probe, check, demo); inspect has its own, with the same values.
type progressOptions struct {
	Progress string
}

func (o *progressOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Progress, "progress", "auto", "show what the run is doing on stderr: `when` is auto (stderr is a terminal), always (also to a file or pipe: a line per finished step or target) or never")
}

func (o *progressOptions) Validate() error {
	switch o.Progress {
	case "auto", "always", "never":
		return nil
	}
	return withHint(fmt.Errorf("--progress: unknown value %q (accepted: auto, always, never)", o.Progress), "")
}

// progressTick is how often the status line is redrawn, so that a step
// waiting for a timeout still shows its time going.
var progressTick = 250 * time.Millisecond

// progress shows on stderr what a run is doing. It is the one place that
// draws it, for probe, check and demo:
//
//   - on a terminal, a status line redrawn in place: the step each target
//     is at (TLS handshake, OPTIONS, offer 3 of 7 with its media window)
//     and for how long, and with several targets how many are done;
//   - with one target, a line per step as it ends, saying what came of it,
//     the way testssl.sh prints as it goes;
//   - with --progress always and stderr not a terminal (a CI log), no
//     status line, but those lines, and with several targets one line per
//     target done.
//
// The status line is cleared, with spaces rather than an escape sequence
// (Windows consoles), before any other line and when the run ends. Nothing
// is shown with --progress never, nor by default when stderr is not a
// terminal. It is safe for concurrent use.
type progress struct {
	w      io.Writer
	live   bool // redraw a status line in place
	lines  bool // print each finished step (one target) or target (several)
	verb   string
	noun   string
	total  int
	width  int
	track  *inflight
	stopCh chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	done    int
	printed bool   // a line was printed: the report is set apart from it
	heading string // the probe whose steps are being printed
	drawn   int    // columns of the status line on screen
	closed  bool
}

// newProgress starts the display of a run of total targets ("probing",
// "target"), which track follows. mode is --progress.
func newProgress(e *env, mode, verb, noun string, total int, track *inflight) *progress {
	p := &progress{w: e.Stderr, verb: verb, noun: noun, total: total, track: track, width: termWidth(e)}
	term := e.IsTerminal(e.Stderr)
	switch {
	case mode == "never" || total == 0:
	case term && e.Getenv("TERM") != "dumb":
		p.live, p.lines = true, total == 1
	case term || mode == "always":
		p.lines = true
	}
	if p.live {
		p.stopCh = make(chan struct{})
		p.wg.Add(1)
		go p.tick()
	}
	return p
}

// termWidth is the width of the terminal stderr writes to: COLUMNS when
// set (an override: shells rarely export it), else what the terminal says,
// else 80. Under 20 columns, 80 is assumed: the value is wrong.
func termWidth(e *env) int {
	if n, err := strconv.Atoi(e.Getenv("COLUMNS")); err == nil && n >= 20 {
		return n
	}
	if e.TermWidth != nil {
		if n := e.TermWidth(e.Stderr); n >= 20 {
			return n
		}
	}
	return 80
}

func (p *progress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-p.stopCh:
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

// start records that target's probe started.
func (p *progress) start(target string) {
	p.track.start(target)
	p.mu.Lock()
	p.redraw()
	p.mu.Unlock()
}

// step records a step of target's probe: as it starts, what the target is
// doing; as it ends, with one target, a line saying what came of it.
func (p *progress) step(target string, s sipcheck.Step) {
	if !s.Done {
		p.track.step(target, s.String())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.Done && p.lines && p.total == 1 {
		if s.Target != p.heading {
			// The first step, or a probe of another target: a redirect's,
			// or the same port over TLS.
			p.heading = s.Target
			p.println(p.verb + " " + s.Target)
		}
		label := "  " + s.String()
		if s.Kind == sipcheck.StepMedia {
			label = "      media"
			if s.Window > 0 {
				label += " (" + s.Window.String() + ")"
			}
		}
		p.println(label + ": " + s.Outcome)
	}
	p.redraw()
}

// finish records that target's probe returned.
func (p *progress) finish(target string) {
	p.track.finish(target)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.lines && !p.live && p.total > 1 {
		p.println(fmt.Sprintf("%s: %d of %d %ss done: %s", p.verb, p.done, p.total, p.noun, target))
	}
	p.redraw()
}

// close stops the display and clears the status line. The run's report
// comes after it.
func (p *progress) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.clear()
	if p.printed {
		fmt.Fprintln(p.w)
	}
	p.mu.Unlock()
	if p.stopCh != nil {
		close(p.stopCh)
		p.wg.Wait()
	}
}

// println prints a line above the status line. Text that came off the
// network is made printable.
func (p *progress) println(s string) {
	p.clear()
	fmt.Fprintln(p.w, printable.String(s))
	p.printed = true
}

// clear removes the status line.
func (p *progress) clear() {
	if p.drawn > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawn)+"\r")
		p.drawn = 0
	}
}

// redraw draws the status line: with one target, its step and for how
// long; with several, how many are done and each running target's step.
// It is cut to the terminal's width, so that it never wraps.
func (p *progress) redraw() {
	if !p.live || p.closed {
		return
	}
	now := time.Now()
	running := p.track.now()
	var b strings.Builder
	if p.total == 1 {
		for _, r := range running {
			if r.step == "" {
				fmt.Fprintf(&b, "%s %s", p.verb, r.target)
			} else {
				fmt.Fprintf(&b, "  %s", r.step)
			}
			fmt.Fprintf(&b, " … %s", elapsed(now.Sub(r.since)))
		}
	} else {
		// The step first: when the line is cut, long names go, not what
		// is happening.
		fmt.Fprintf(&b, "%s: %d of %d %ss done", p.verb, p.done, p.total, p.noun)
		for _, r := range running {
			step := r.step
			if step == "" {
				step = "starting"
			}
			fmt.Fprintf(&b, " · %s, %s: %s", step, elapsed(now.Sub(r.since)), r.target)
		}
	}
	line := cut(printable.String(b.String()), p.width-1)
	p.clear()
	fmt.Fprint(p.w, line)
	p.drawn = utf8.RuneCountInString(line)
}

// elapsed is a duration as a person reads it on a status line: "0.4s",
// "12s", "2m05s".
func elapsed(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// cut shortens s to at most n runes, ending in "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
