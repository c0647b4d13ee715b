// Command voipsec validates the media security of OCS 2007 R2 / Lync /
// Exchange UM voice deployments. See README.md and docs/.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(runMain(os.Args[1:])) }

// runMain is the process around run: SIGINT and SIGTERM cancel the run
// with their name as the cause (interrupt.go), and the commands report
// what they had not finished.
func runMain(args []string) int {
	ctx, stop := signalContext(context.Background())
	defer stop()
	return run(ctx, args, newEnv())
}
