package peers

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The packages that start processes build and vet on Windows too: what is
// Unix-only (process groups, kill) sits behind build tags.
func TestVetsOnWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles; -short skips it")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(gobin, "vet", ".", "../browser")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64")
	cmd.Dir, _ = filepath.Abs(".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=windows go vet: %v\n%s", err, out)
	}
}
