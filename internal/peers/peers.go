package peers

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
)

// TB is the part of testing.TB the starters use.
type TB interface {
	interop.TB
	Logf(format string, args ...any)
	Cleanup(func())
	TempDir() string
	Failed() bool
}

// readyTimeout bounds how long a starter waits for its peer to answer.
// Generous: CI machines are busy.
const readyTimeout = 15 * time.Second

// stopTimeout is how long a peer's process group gets to exit after
// SIGTERM before the starter kills it.
const stopTimeout = 5 * time.Second

// errExited: the peer process ended before it was ready.
var errExited = errors.New("peer exited before it was ready")

// logBuffer is a bytes.Buffer safe for the process writing and the test
// reading, bounded so that a chatty peer cannot fill memory.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

const maxLog = 1 << 20

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := maxLog - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// String returns the log, its middle cut when long.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	if len(b) > 8000 {
		return string(b[:3000]) + "\n[...]\n" + string(b[len(b)-5000:])
	}
	return string(b)
}

// process is a started peer, stopped by PID (its own process group) when
// the test ends.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	log  *logBuffer
}

// start runs bin with args in its own process group and registers the
// cleanup that stops it: SIGTERM to the group, then SIGKILL to the group
// after stopTimeout. The log is shown when the test failed.
func start(t TB, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{}), log: &logBuffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	ownGroup(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.log.String())
		}
	})
	return p
}

func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = terminateGroup(p.cmd.Process)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		_ = killGroup(p.cmd.Process)
		<-p.done
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// FreePort returns a loopback port that was free a moment ago for UDP and
// TCP, with the next TCP port free too (baresip binds SIP/TLS there): for
// a peer that binds both, or a destination where nothing listens.
func FreePort(t interop.TB) int {
	t.Helper()
	for range 50 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		c.Close()
		if err != nil || port == 65535 {
			if l != nil {
				l.Close()
			}
			continue
		}
		l.Close()
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+1))
		if err != nil {
			continue
		}
		l2.Close()
		return port
	}
	t.Fatalf("no free UDP+TCP port on 127.0.0.1")
	return 0
}

// rtpRange picks a 200-port RTP range between 20000 and 39999, different
// for each call in this process and likely different across processes;
// baresip retries another port of its range when one is taken.
var rtpNext = struct {
	sync.Mutex
	n int
}{n: rand.IntN(100)}

func rtpRange() (int, int) {
	rtpNext.Lock()
	defer rtpNext.Unlock()
	base := 20000 + 200*(rtpNext.n%100)
	rtpNext.n++
	return base, base + 199
}

// sipPing sends one OPTIONS over UDP to addr and reports whether any SIP
// response came back within wait.
func sipPing(addr string, wait time.Duration) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	local := c.LocalAddr().String()
	id := strconv.FormatUint(rand.Uint64(), 36)
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";rport;branch=z9hG4bK" + id + "\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:peers@" + local + ">;tag=" + id + "\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: " + id + "@peers\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	return err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 "))
}

// awaitSIP waits until addr answers an OPTIONS over UDP, at most
// readyTimeout, or until the process exits.
func awaitSIP(p *process, addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if sipPing(addr, 300*time.Millisecond) {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s on %s: %w", p.name, addr, errExited)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s on %s did not answer OPTIONS within %s", p.name, addr, readyTimeout)
}

// awaitTCP waits until addr accepts a TCP connection, at most readyTimeout.
func awaitTCP(p *process, addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s on %s: %w", p.name, addr, errExited)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening on %s after %s", p.name, addr, readyTimeout)
}

// writeFile writes a file into dir, failing the test on error.
func writeFile(t TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// firstExisting returns the first of dirs that holds file, or "".
func firstExisting(file string, dirs ...string) string {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, file)); err == nil {
			return d
		}
	}
	return ""
}

// binary finds a peer's executable, skipping or failing (VOIPSEC_INTEROP=1)
// without it.
func peerBinary(t TB, name string, paths ...string) string {
	t.Helper()
	return interop.Binary(t, name, paths...)
}

func hostPort(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func quoteCfg(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }
