package access

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// checkExportError fails the test unless err is nil or an *ExportError
// with a line: only a file with nothing in it is wrong as a whole.
func checkExportError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ee *ExportError
	if !errors.As(err, &ee) {
		t.Fatalf("error %T %v", err, err)
	}
	if ee.Line < 1 && !strings.HasPrefix(ee.Msg, "empty") {
		t.Fatalf("error without a line: %v", err)
	}
}

// Any bytes either parse or fail with an *ExportError naming a line;
// nothing panics.
func FuzzParseMembers(f *testing.F) {
	seedExports(f, "*.csv")
	f.Add([]byte("Group,SamAccountName\n\"a\"\"b\",\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMembers("f.csv", data)
		checkExportError(t, err)
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
	f.Add([]byte("[\r\n {\"Identity\": \"a\"},"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAdminRoles("f.json", data)
		checkExportError(t, err)
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
