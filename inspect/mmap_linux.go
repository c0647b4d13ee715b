//go:build linux

package inspect

import "syscall"

func madviseSequential(b []byte) error { return syscall.Madvise(b, syscall.MADV_SEQUENTIAL) }
