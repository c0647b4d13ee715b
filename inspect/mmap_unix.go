//go:build unix

package inspect

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only, so the reader parses the page cache
// in place instead of copying it. ok is false when the file cannot be mapped
// (a pipe, a device, an empty file); the caller then reads it.
func mapFile(f *os.File) (data []byte, unmap func(), ok bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || int64(int(fi.Size())) != fi.Size() {
		return nil, nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	_ = madviseSequential(b)
	return b, func() { _ = syscall.Munmap(b) }, true
}
