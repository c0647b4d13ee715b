//go:build !unix

package inspect

import "os"

func mapFile(*os.File) ([]byte, func(), bool) { return nil, nil, false }

func dropPages([]byte) {}
