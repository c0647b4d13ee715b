// Command voipsec validates the media security of OCS 2007 R2 / Lync /
// Exchange UM voice deployments. See README.md and docs/.
package main

import (
	"context"
	"os"
)

func main() {
	// SIGINT and SIGTERM cancel the run with their name as the cause
	// (interrupt.go); the commands report what they had not finished.
	ctx, stop := signalContext(context.Background())
	code := run(ctx, os.Args[1:], newEnv())
	stop()
	os.Exit(code)
}
