//go:build unix

package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ioCompare walks the records of a little-endian pcap file the two ways a
// scan can get at its bytes, and prints the best time of three runs of each:
// mapped (MADV_SEQUENTIAL, pages behind the walk dropped every 8 MiB, as
// inspect did) and read(2) into one reused buffer of several sizes. Each
// walk reads the record header and three bytes of every packet (its IP
// header, UDP header and SRTP trailer), as a scan does.
func ioCompare(path string) error {
	modes := []string{"mmap", "read-256KiB", "read-1MiB", "read-4MiB", "read-16MiB"}
	for _, m := range modes {
		best := time.Duration(1 << 62)
		var sys time.Duration
		for range 3 {
			var r0, r1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
			t0 := time.Now()
			if err := walkFile(m, path); err != nil {
				return err
			}
			d := time.Since(t0)
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
			if d < best {
				best, sys = d, time.Duration(r1.Stime.Nano()-r0.Stime.Nano())
			}
		}
		fmt.Printf("%-12s %.3f s (system %.3f s)\n", m, best.Seconds(), sys.Seconds())
	}
	return nil
}

var sink uint64

func walk(buf []byte) int {
	pos := 0
	for len(buf)-pos >= 16 {
		cl := int(binary.LittleEndian.Uint32(buf[pos+8:]))
		end := pos + 16 + cl
		if end > len(buf) {
			break
		}
		if p := buf[pos+16 : end]; len(p) > 60 {
			sink += uint64(p[14]) + uint64(p[40]) + uint64(p[len(p)-11])
		}
		pos = end
	}
	return pos
}

func walkFile(mode, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := int(fi.Size())
	if mode == "mmap" {
		b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			return err
		}
		defer syscall.Munmap(b)
		_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL)
		pos, rel := 24, 24
		for pos < size {
			n := walk(b[pos:min(size, pos+8<<20)])
			if n == 0 {
				if n = walk(b[pos:]); n == 0 {
					break
				}
			}
			pos += n
			if pos-rel >= 8<<20 {
				lo, hi := (rel+4095)&^4095, pos&^4095
				_ = syscall.Madvise(b[lo:hi], syscall.MADV_DONTNEED)
				rel = pos
			}
		}
		return nil
	}
	var kib int
	switch mode {
	case "read-256KiB":
		kib = 256
	case "read-1MiB":
		kib = 1024
	case "read-4MiB":
		kib = 4096
	default:
		kib = 16384
	}
	buf := make([]byte, kib<<10)
	if _, err := f.Read(buf[:24]); err != nil {
		return err
	}
	have := 0
	for {
		n, err := f.Read(buf[have:])
		have += n
		used := walk(buf[:have])
		copy(buf, buf[used:have])
		have -= used
		if err != nil || n == 0 {
			return nil
		}
	}
}
