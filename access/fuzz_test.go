package access

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seedExports adds the fixture exports matching pattern to the corpus.
func seedExports(f *testing.F, pattern string) {
	files, _ := filepath.Glob(exportFile(pattern))
	if len(files) == 0 {
		f.Fatalf("no seed files %s", pattern)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// Any bytes either parse or fail with an *ExportError; nothing panics.
func FuzzParseMembers(f *testing.F) {
	seedExports(f, "*.csv")
	f.Add([]byte("Group,SamAccountName\n\"a\"\"b\",\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMembers("f.csv", data)
		var ee *ExportError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("error %T %v", err, err)
		}
		if err == nil {
			for _, g := range m.Groups {
				if g2, ok := m.Group(g.Name); !ok || g2 != g {
					t.Fatalf("group %q not found by its own name", g.Name)
				}
			}
		}
	})
}

func FuzzParseAdminRoles(f *testing.F) {
	seedExports(f, "*.json")
	f.Add([]byte(`{"Identity": {"Name": "x"}, "ConfigScopes": "site:a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAdminRoles("f.json", data)
		var ee *ExportError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("error %T %v", err, err)
		}
		if err == nil {
			for _, r := range a.Roles {
				if r.Identity == "" || r.Line < 1 {
					t.Fatalf("role %+v", r)
				}
				r.Global()
			}
		}
	})
}
