//go:build !unix

package main

import "io"

// terminalWidth is 0, unknown, where voipsec does not ask the terminal:
// the status line is then as wide as COLUMNS says, else 80 columns.
func terminalWidth(io.Writer) int { return 0 }
