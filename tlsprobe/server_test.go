package tlsprobe

import (
	"bufio"
	"crypto/tls"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// sipMode says how a test server answers SIP after the handshake.
type sipMode int

const (
	sip200    sipMode = iota // 200 OK with a Server header
	sip403                   // 403 Forbidden
	sipSilent                // reads the request, never answers
)

// newTLSServer starts an in-process TLS server on 127.0.0.1:0 (httptest
// style) and returns its address. It stops in t.Cleanup and waits for its
// goroutines.
func newTLSServer(t testing.TB, conf *tls.Config, mode sipMode) string {
	t.Helper()
	return newRawServer(t, func(c net.Conn) {
		tc := tls.Server(c, conf)
		if err := tc.Handshake(); err != nil {
			return
		}
		r := bufio.NewReader(tc)
		for {
			// Read one request header.
			var head strings.Builder
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				head.WriteString(line)
				if line == "\r\n" {
					break
				}
			}
			var resp string
			switch mode {
			case sip200:
				resp = "SIP/2.0 200 OK\r\nServer: voipsec-test/1\r\nContent-Length: 0\r\n\r\n"
			case sip403:
				resp = "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\nSIP/2.0 403 Forbidden\r\nServer: voipsec-test/1\r\nContent-Length: 0\r\n\r\n"
			case sipSilent:
				continue
			}
			if _, err := tc.Write([]byte(resp)); err != nil {
				return
			}
		}
	})
}

// newRawServer accepts TCP connections and runs handle on each with a 10 s
// deadline; Cleanup closes the listener and every open conn and waits.
func newRawServer(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					_ = c.Close()
				}()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// checkGoroutines fails the test if goroutines started during it are still
// running 2 s after it (and its other cleanups) ended. Call it first.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}
