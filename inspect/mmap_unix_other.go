//go:build unix && !linux

package inspect

func madviseSequential([]byte) error { return nil }

func dropPages([]byte) {}
