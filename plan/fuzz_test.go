package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// a plan it rejects must say where: an ErrorList whose errors name the file,
// and a line and column wherever they name a field.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"", "static", "invalid"} {
		files, _ := filepath.Glob(filepath.Join(plansDir, dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("voipsec_plan: 1\na: &a [*a]\n"))
	f.Add([]byte("- [a, {b: *c}]"))
	f.Add([]byte("voipsec_plan: 1\nmedia: {ports: 1-}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(filepath.Join(dir, "fuzz.yaml"), data)
		if err == nil {
			if p == nil {
				t.Fatal("nil plan and nil error")
			}
			_ = Static(p, fixedNow)
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
		}
		for _, e := range list {
			if e.File == "" || e.Msg == "" {
				t.Fatalf("error without file or message: %#v", e)
			}
			if e.Path != "" && (e.Line <= 0 || e.Column <= 0) {
				t.Fatalf("error on field %s without its line and column: %v", e.Path, e)
			}
			if !strings.HasPrefix(e.Error(), e.File+":") {
				t.Fatalf("error does not start with its file: %v", e)
			}
		}
	})
}
