//go:build !unix

package peers

import (
	"os"
	"os/exec"
)

// Without Unix process groups a peer is stopped alone: the interop tests
// that start peers run on Linux.

func ownGroup(cmd *exec.Cmd) {}

func terminateGroup(p *os.Process) error { return p.Kill() }

func killGroup(p *os.Process) error { return p.Kill() }
