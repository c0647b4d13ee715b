//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeCommand is one command of a README command block.
type readmeCommand struct {
	line int    // where it starts in README.md
	text string // as written, continuation lines joined
	run  string // what the test runs: the voipsec command without its comment
	skip string // why it is not run, if it is not
}

// readmeNeeds marks a command that needs the reader's own servers or
// files: "# needs your server", "# needs your capture".
var readmeNeeds = regexp.MustCompile(`#\s*needs\b`)

// readmeCommands extracts the commands of the README's ``` blocks. Only
// voipsec commands are run ("voipsec ...", and "go run ./cmd/voipsec ..."
// as the built binary); go install, go vet and go test are CI's own steps.
func readmeCommands(t *testing.T, text string) []readmeCommand {
	t.Helper()
	var out []readmeCommand
	in := false
	var cur *readmeCommand
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "```") {
			in = !in
			continue
		}
		if !in {
			continue
		}
		if cur != nil {
			cur.text += "\n" + l
		} else {
			if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
				continue
			}
			cur = &readmeCommand{line: i + 1, text: l}
		}
		if strings.HasSuffix(strings.TrimRight(l, " "), "\\") {
			continue // continued on the next line
		}
		c := *cur
		cur = nil
		joined := strings.Join(strings.Fields(strings.ReplaceAll(c.text, "\\\n", " ")), " ")
		cmd := joined
		if i := strings.Index(cmd, " #"); i >= 0 {
			cmd = strings.TrimSpace(cmd[:i])
		}
		switch {
		case readmeNeeds.MatchString(joined):
			c.skip = "marked: " + strings.TrimSpace(joined[strings.Index(joined, "#"):])
		case strings.HasPrefix(cmd, "go run ./cmd/voipsec "):
			c.run = "voipsec " + strings.TrimPrefix(cmd, "go run ./cmd/voipsec ")
		case strings.HasPrefix(cmd, "voipsec "):
			c.run = cmd
		default:
			c.skip = "not a voipsec command (CI runs it)"
		}
		out = append(out, c)
	}
	return out
}

// TestREADMECommands runs every voipsec command of README.md's command
// blocks, in order, against the built binary in an empty folder, the way a
// reader of a fresh clone would type them; a command that exits 2 (usage or
// operational error) fails the test. A simulator, which runs until Ctrl-C,
// gets SIGINT once it says it is ready.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds voipsec and runs the README's commands")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, string(readme))
	bin := buildVoipsec(t)
	dir := t.TempDir()
	ran := 0
	for _, c := range cmds {
		if c.skip != "" {
			t.Logf("README.md:%d: not run, %s: %s", c.line, c.skip, c.text)
			continue
		}
		ran++
		code, out := runREADMECommand(t, bin, dir, c.run)
		t.Logf("README.md:%d: %s: exit %d", c.line, c.run, code)
		if code == exitError || code < 0 {
			t.Errorf("README.md:%d: %q exits %d:\n%s", c.line, c.run, code, out)
		}
	}
	if ran < 6 {
		t.Errorf("ran %d README commands; the parser lost some", ran)
	}
}

// TestREADMECommandParsing pins what the extractor runs and skips.
func TestREADMECommandParsing(t *testing.T) {
	text := "text\n```\ngo run ./cmd/voipsec demo    # comment\ngo vet ./...\n\nvoipsec probe a:5061 \\\n    --voip-security Secured   # needs your server\n```\n" +
		"```\nvoipsec check --offline p.yaml\n```\nvoipsec not-in-a-block\n"
	var got []string
	for _, c := range readmeCommands(t, text) {
		got = append(got, c.run+"|"+c.skip)
	}
	want := []string{"voipsec demo|", "|not a voipsec command (CI runs it)", "|marked: # needs your server", "voipsec check --offline p.yaml|"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// buildVoipsec builds the command into a temporary folder.
func buildVoipsec(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "voipsec")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runREADMECommand runs one command line with sh in dir, the built binary
// first on PATH, bounded in time; -1 means it did not finish. A simulate
// without --duration is interrupted once ready, as a person would.
func runREADMECommand(t *testing.T, bin, dir, line string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	untilCtrlC := strings.HasPrefix(line, "voipsec simulate") && !strings.Contains(line, "--duration")
	script := line
	if untilCtrlC {
		script = "exec " + line // the signal goes to voipsec, not to a shell waiting for it
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stderr strings.Builder
	cmd.Stderr = &stderr
	var stdout strings.Builder
	var pipe io.ReadCloser
	if untilCtrlC {
		var err error
		if pipe, err = cmd.StdoutPipe(); err != nil {
			t.Fatal(err)
		}
	} else {
		cmd.Stdout = &stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if untilCtrlC {
		ready := make(chan bool, 1)
		done := make(chan struct{})
		var piped strings.Builder // the reader's own until done
		go func() {
			defer close(done)
			sc := bufio.NewScanner(pipe)
			said := false
			for sc.Scan() {
				piped.WriteString(sc.Text() + "\n")
				if !said && strings.HasPrefix(sc.Text(), "ready") {
					said = true
					ready <- true
				}
			}
			_, _ = io.Copy(io.Discard, pipe) // a line too long for the scanner: drain the rest
			if !said {
				ready <- false
			}
		}()
		select {
		case ok := <-ready:
			if ok {
				_ = syscall.Kill(cmd.Process.Pid, syscall.SIGINT)
			}
		case <-ctx.Done():
		}
		// Wait closes the pipe: every read must be done first (os/exec),
		// and the output is read only once the reader has returned. The
		// process ends after SIGINT, or is killed at ctx's end, so the
		// pipe reaches EOF.
		<-done
		stdout.WriteString(piped.String())
	}
	err := cmd.Wait()
	out := stdout.String() + stderr.String()
	if ctx.Err() != nil {
		return -1, out + "\n(timed out)"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out
}
