// Package browser renders HTML in a real browser, headless Chromium, for
// the tests of voipsec's HTML report: the DOM Chromium builds from a file
// (what a person's browser would show, scripts run) and the PDF it prints.
//
// Chromium runs with the network cut off (every host resolves to nothing,
// and the proxy is a closed port), its background services off, a fresh
// profile, and a deadline; it is killed by process group when the deadline
// passes. A missing Chromium skips the test, or fails it under
// VOIPSEC_INTEROP=1 (internal/interop).
package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/voipsec/voipsec/internal/interop"
)

// Timeout bounds one Chromium run.
const Timeout = 90 * time.Second

// Chromium returns the path of Chromium (Debian's package installs
// /usr/bin/chromium), or ends the test the way internal/interop decides.
func Chromium(t interop.TB) string {
	t.Helper()
	return interop.Binary(t, "chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
}

// flags are Chromium's command line for one offline, headless run.
func flags(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio",
		// No network: names resolve to nothing and the proxy refuses.
		"--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:1",
		"--user-data-dir=" + profile,
	}
}

// DumpDOM loads the HTML file at path and returns the DOM Chromium built,
// serialized.
func DumpDOM(ctx context.Context, chromium, path string) (string, error) {
	u, err := fileURL(path)
	if err != nil {
		return "", err
	}
	out, err := run(ctx, chromium, "--dump-dom", u)
	if err != nil {
		return "", err
	}
	if !strings.Contains(out, "<html") {
		return "", fmt.Errorf("browser: chromium dumped no DOM for %s: %.200q", path, out)
	}
	return out, nil
}

// fileURL is the file: URL of path, escaped: a '#', '?', '%' or space in
// the path stays part of it.
func fileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	slash := filepath.ToSlash(abs)
	if !strings.HasPrefix(slash, "/") {
		slash = "/" + slash // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: slash}).String(), nil
}

// run starts Chromium in a process group of its own with a fresh profile
// and returns its standard output. The whole group is killed when ctx or
// Timeout ends, and once Chromium has exited, so no renderer outlives it.
func run(ctx context.Context, chromium string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	profile, err := os.MkdirTemp("", "voipsec-chromium-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, chromium, append(flags(profile), args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = profile
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	killGroup(cmd)
	if ctx.Err() != nil {
		return "", fmt.Errorf("browser: chromium did not finish within %s", Timeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("browser: chromium exited with %v: %s", ee, tail(stderr.String()))
		}
		return "", fmt.Errorf("browser: run chromium: %w", err)
	}
	return stdout.String(), nil
}

// tail is the end of Chromium's diagnostics, for an error message.
func tail(s string) string {
	if len(s) > 1000 {
		s = "…" + s[len(s)-1000:]
	}
	return s
}

// PrintToPDF loads the HTML file at path and prints it to pdf, as a person
// printing the page would.
func PrintToPDF(ctx context.Context, chromium, path, pdf string) error {
	u, err := fileURL(path)
	if err != nil {
		return err
	}
	if _, err := run(ctx, chromium, "--no-pdf-header-footer", "--print-to-pdf="+pdf, u); err != nil {
		return err
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		return fmt.Errorf("browser: chromium wrote no PDF %s: %v", pdf, err)
	}
	return nil
}
