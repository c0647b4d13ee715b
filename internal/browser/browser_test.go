package browser

import (
	"net/url"
	"path/filepath"
	"testing"
)

// A file's URL names that file whatever characters its path holds: a
// space, '#' (a fragment otherwise), '?' (a query), '%' (an escape).
func TestFileURL(t *testing.T) {
	for _, name := range []string{"report.html", "my report.html", "run#2.html", "a?b.html", "100%.html", "Zürich.html"} {
		path := filepath.Join(t.TempDir(), name)
		u, err := fileURL(path)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatalf("%s: %q does not parse: %v", name, u, err)
		}
		p := parsed.Path
		if len(p) > 2 && p[2] == ':' {
			p = p[1:] // /C:/x on Windows
		}
		if parsed.Scheme != "file" || parsed.Fragment != "" || parsed.RawQuery != "" || filepath.FromSlash(p) != path {
			t.Errorf("%s: %q names %q (fragment %q, query %q)", name, u, parsed.Path, parsed.Fragment, parsed.RawQuery)
		}
	}
}
