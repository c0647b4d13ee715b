//go:build linux

package inspect

import "syscall"

func madviseSequential(b []byte) error { return syscall.Madvise(b, syscall.MADV_SEQUENTIAL) }

// dropPages unmaps pages already read from a file mapping; they stay in the
// page cache and fault back in if read again.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }

// madvPopulateRead is MADV_POPULATE_READ (Linux 5.14): fault a range in
// with one call. Older kernels return EINVAL and the scan faults pages in
// one by one instead.
const madvPopulateRead = 22

func populatePages(b []byte) { _ = syscall.Madvise(b, madvPopulateRead) }
