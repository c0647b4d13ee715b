package plan

import (
	"errors"
	"strings"
	"testing"
)

// wantFirstError loads the plan at path and checks that it fails with an
// ErrorList whose first problem starts with want.
func wantFirstError(t *testing.T, path, want string) {
	t.Helper()
	p, err := Load(path)
	if err == nil {
		t.Fatalf("loaded %+v, want error %q", p, want)
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T %v is not an ErrorList", err, err)
	}
	if got := list[0].Error(); !strings.HasPrefix(got, want) {
		t.Errorf("first error\n got: %s\nwant: %s", got, want)
	}
}
