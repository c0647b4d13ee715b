// Command gencatalog writes docs/checks.md from the check catalog in package
// report. Run it with `go generate ./report`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/voipsec/voipsec/report"
)

func main() {
	out := flag.String("o", "docs/checks.md", "output `file`")
	flag.Parse()
	var b bytes.Buffer
	if err := report.WriteCatalogMarkdown(&b); err != nil {
		fmt.Fprintln(os.Stderr, "gencatalog:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gencatalog:", err)
		os.Exit(1)
	}
}
