package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func init() {
	// Other test files of this package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// golden compares got with testdata/NAME and rewrites it under -update
// (run with -run to rewrite only the goldens of the tests you mean).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/voipsec -run '%s' -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/voipsec -run '%s' -update to accept):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// demoVariable are the parts of a demo report that change from run to
// run: the temporary folder, ephemeral ports, round-trip times, media
// packet counts.
var demoVariable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`/\S*voipsec-demo-[0-9]+/`), "DEMO/"},
	{regexp.MustCompile(`(127\.0\.0\.[0-9]):[0-9]+`), "$1:PORT"},
	{regexp.MustCompile(`port [0-9]+([,)])`), "port PORT$1"},
	{regexp.MustCompile(`in [0-9]+(\.[0-9]+)? ms`), "in N ms"},
	// Media counters of -v evidence depend on timing.
	{regexp.MustCompile(`for [0-9.]+s: sent [0-9]+, received [0-9]+, authenticated [0-9]+`), "for Ns: sent N, received N, authenticated N"},
}

func normalizeDemo(s string) string {
	for _, v := range demoVariable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}
