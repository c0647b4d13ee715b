package sipcheck

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more of this package's parallel tests run at once than the
// default GOMAXPROCS: they mostly wait (SIP timeouts, media windows), so on
// a 2-core machine the default would serialise the waiting. An explicit
// -test.parallel still wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "6")
	}
	os.Exit(m.Run())
}
