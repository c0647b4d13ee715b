//go:build unix

package peers

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup puts the command in a new process group, so that signals to
// the group reach every process the peer starts.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminateGroup asks the process group p leads to exit: SIGTERM.
func terminateGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGTERM) }

// killGroup kills the process group p leads.
func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
