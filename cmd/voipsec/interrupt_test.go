package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A report can tell why a run ended early: its --timeout, or a signal.
func TestInterruption(t *testing.T) {
	if got := interruption(context.Background()); got != "" {
		t.Errorf("running context: %q", got)
	}
	ctx, cancel := withTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if got := interruption(ctx); got != "--timeout 1ns reached" {
		t.Errorf("timeout: %q", got)
	}
	for sig, want := range map[os.Signal]string{os.Interrupt: "SIGINT (Ctrl-C) received", syscall.SIGTERM: "SIGTERM received"} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&signalCause{sig})
		if got := interruption(ctx); got != want {
			t.Errorf("%v: %q, want %q", sig, got, want)
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if got := interruption(ctx); got != "cancelled" {
		t.Errorf("plain cancel: %q", got)
	}
}

// What was running when the run was cut, in the order it started, with
// its step when known; and how many targets never started.
func TestDescribeInterruption(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	f := newInflight(ctx)
	f.start("tls://a:5061")
	f.start("tcp://b:5060")
	f.start("udp://c:5060")
	f.step("tls://a:5061", "offer 1 of 7 sdes-80")
	f.finish("tcp://b:5060")
	if got := describeInterruption(ctx, f, 0, "target"); got != "" {
		t.Errorf("before the interruption: %q", got)
	}
	cancel(&signalCause{syscall.SIGTERM})
	// The probes returning after the interruption were cut by it.
	f.finish("udp://c:5060")
	f.finish("tls://a:5061")
	want := "SIGTERM received while probing tls://a:5061 (offer 1 of 7 sdes-80) and udp://c:5060; 2 targets not started"
	if got := describeInterruption(ctx, f, 2, "target"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// Every probe returned before the time was up: nothing was cut, even if
	// the context ended just after.
	ctx, cancel = context.WithCancelCause(context.Background())
	f = newInflight(ctx)
	f.start("tls://a:5061")
	f.finish("tls://a:5061")
	cancel(&timeoutCause{time.Second})
	if got := describeInterruption(ctx, f, 0, "target"); got != "" {
		t.Errorf("a run that completed: %q", got)
	}
}

// TestHelperVoipsec is the voipsec command when run by startVoipsec as a
// child process (VOIPSEC_HELPER_ARGS set), so tests can send it real
// signals; otherwise it only checks that the child's arguments survive the
// trip through the environment.
func TestHelperVoipsec(t *testing.T) {
	if enc := os.Getenv("VOIPSEC_HELPER_ARGS"); enc != "" {
		var args []string
		if err := json.Unmarshal([]byte(enc), &args); err != nil {
			os.Exit(99)
		}
		os.Exit(runMain(args))
	}
	cmd := helperCommand(t, "version")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "voipsec") {
		t.Fatalf("helper: %v\n%s", err, out.String())
	}
}

// helperCommand is this test binary run as `voipsec args...`.
func helperCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	enc, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperVoipsec$")
	cmd.Env = append(os.Environ(), "VOIPSEC_HELPER_ARGS="+string(enc))
	return cmd
}
