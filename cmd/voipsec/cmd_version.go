package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func init() {
	register(&command{
		Name:   "version",
		Short:  "print the version and VCS revision",
		Usage:  "voipsec version",
		NoExit: true,
		Run: func(ctx context.Context, e *env, _ any, args []string) (int, error) {
			if len(args) > 0 {
				return exitError, usagef("version takes no arguments, got %q", args[0])
			}
			fmt.Fprintln(e.Stdout, "voipsec "+versionLine())
			return exitOK, nil
		},
	})
}

// version is the module version from build info ("(devel)" from a checkout).
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}

func versionLine() string {
	s := version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return s
	}
	var rev, when, dirty string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			when = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += fmt.Sprintf(" (%s%s %s)", rev, dirty, when)
	}
	return s + " " + bi.GoVersion
}
