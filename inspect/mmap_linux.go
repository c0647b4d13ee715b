//go:build linux

package inspect

import "syscall"

func madviseSequential(b []byte) error { return syscall.Madvise(b, syscall.MADV_SEQUENTIAL) }

// dropPages unmaps pages already read from a file mapping; they stay in the
// page cache and fault back in if read again.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
