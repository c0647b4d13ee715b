package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The embedded example is the example the plan tests load.
func TestExamplePlanIsTheTestdataExample(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "testdata", "plans", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if ExamplePlan != string(want) {
		t.Fatal("docs/example-plan.yaml differs from testdata/plans/example.yaml, which 'voipsec demo --write-plan' should write: cp testdata/plans/example.yaml docs/example-plan.yaml")
	}
}

// ExamplePlanFiles lists exactly the files the example names.
func TestExamplePlanFiles(t *testing.T) {
	var named []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:ca|client_certificate|client_key|certificate):\s*(\S+)`).FindAllStringSubmatch(ExamplePlan, -1) {
		named = append(named, m[1])
	}
	slices.Sort(named)
	files := slices.Sorted(slices.Values(ExamplePlanFiles))
	if !slices.Equal(named, files) {
		t.Errorf("example plan names %v, ExamplePlanFiles lists %v", named, files)
	}
}

func TestPlanIsEmbedded(t *testing.T) {
	if !strings.HasPrefix(Plan, "# The voipsec plan") {
		t.Errorf("Plan starts %.40q", Plan)
	}
}
