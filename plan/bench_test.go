package plan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/voipsec/voipsec/internal/plantest"
)

// BenchmarkLoadAndStatic loads the complete example (with its certificate
// files) and runs the static checks: the cost of `check --offline`.
func BenchmarkLoadAndStatic(b *testing.B) {
	path := plantest.Stage(b, filepath.Join(plansDir, "example.yaml"))
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p, err := Parse(path, data)
		if err != nil {
			b.Fatal(err)
		}
		if len(Static(p, plantest.Now)) == 0 {
			b.Fatal("no findings")
		}
	}
}

// BenchmarkParseUnknownDialPlans is a hostile plan: thousands of declared
// dial plans and tens of thousands of unknown references (it took 18 s when
// each reference searched and listed every declared plan).
func BenchmarkParseUnknownDialPlans(b *testing.B) {
	data := []byte(manyDialPlans(10_000, 40_000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("many.yaml", data); err == nil {
			b.Fatal("loaded")
		}
	}
}
