//go:build unix

package peers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone reports whether process pid has exited (or is a zombie waiting to
// be reaped by whoever inherited it).
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false // alive, and no /proc to say it is a zombie
	}
	// pid (comm) STATE ...
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

// Stopping a peer stops its children too: SIGTERM goes to its process
// group, not only to the process started, so a child of a shell (or a
// worker of Kamailio) does not outlive the test when the process started
// exits at once. (The child's output goes elsewhere: a child holding the
// log pipe keeps Wait from returning, and the group is then killed after
// stopTimeout anyway.)
func TestStopSignalsTheGroup(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	p := start(t, "sh", sh, "-c", `sleep 300 >/dev/null 2>&1 & echo $! > "$1"; wait`, "sh", pidFile)
	var child int
	for deadline := time.Now().Add(5 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if child == 0 {
		t.Fatal("the shell wrote no child PID")
	}
	t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
	p.stop()
	deadline := time.Now().Add(3 * time.Second)
	for !gone(child) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d of the stopped peer is still running", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kamailioModules asks the binary for its module path with a deadline: a
// binary that never exits costs helpTimeout, and the Debian path is used.
func TestKamailioModulesTimesOut(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "kamailio")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nsleep 300 &\nsleep 300\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	old := helpTimeout
	helpTimeout = 300 * time.Millisecond
	t.Cleanup(func() { helpTimeout = old })
	done := make(chan string, 1)
	go func() { done <- kamailioModules(bin) }()
	select {
	case got := <-done:
		if got != debianKamailioModules {
			t.Errorf("modules %q, want the Debian path", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kamailioModules did not return")
	}
}
