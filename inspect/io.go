package inspect

import (
	"errors"
	"io"
)

// Read-ahead: with Options.Workers > 1 a second goroutine reads the input
// into a few large buffers while the scan parses the previous one. The
// Reader takes each buffer over whole (a swap, not a copy): the bytes of a
// record cut by the end of the previous buffer are copied into the room
// kept in front of the new one.
const (
	aheadChunk = 1 << 20                   // bytes read per buffer
	aheadRoom  = MaxRecordLen + (64 << 10) // room for the cut record
	aheadBufs  = 3
)

type aheadBuf struct {
	buf []byte // data at buf[aheadRoom : aheadRoom+n]
	n   int
	err error
}

type readAhead struct {
	full chan aheadBuf
	free chan []byte
	done chan struct{}
	cur  aheadBuf
	off  int // bytes of cur already handed out by Read
	eof  error
}

// newReadAhead starts reading r. It stops at the end of r, on a read
// error, or when stop is called; the scan watches its context itself, so
// that where it stops does not depend on how far the reading got.
func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{full: make(chan aheadBuf, aheadBufs-1), free: make(chan []byte, aheadBufs), done: make(chan struct{})}
	for range aheadBufs {
		ra.free <- make([]byte, aheadRoom+aheadChunk)
	}
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := io.ReadFull(r, buf[aheadRoom:])
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			select {
			case ra.full <- aheadBuf{buf: buf, n: n, err: err}:
			case <-ra.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ra
}

// stop ends the reading goroutine (it may finish a read in progress).
func (ra *readAhead) stop() { close(ra.done) }

// next returns the next buffer with unread data: the data is
// buf[lo:hi], with at least aheadRoom bytes of room before lo.
func (ra *readAhead) next() (buf []byte, lo, hi int, err error) {
	for ra.off >= ra.cur.n {
		if ra.cur.err != nil {
			return nil, 0, 0, ra.cur.err
		}
		if ra.cur.buf != nil {
			ra.recycle(ra.cur.buf)
		}
		ra.cur, ra.off = <-ra.full, 0
	}
	lo, hi = aheadRoom+ra.off, aheadRoom+ra.cur.n
	ra.off = ra.cur.n
	buf = ra.cur.buf
	ra.cur.buf = nil // handed over: the Reader recycles it
	return buf, lo, hi, nil
}

// recycle gives a buffer back for reading.
func (ra *readAhead) recycle(b []byte) {
	if cap(b) == aheadRoom+aheadChunk {
		select {
		case ra.free <- b[:aheadRoom+aheadChunk]:
		default:
		}
	}
}

// Read copies from the buffers (the Reader reads the file header this way).
func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.off >= ra.cur.n {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.buf != nil {
			ra.recycle(ra.cur.buf)
		}
		ra.cur, ra.off = <-ra.full, 0
	}
	n := copy(p, ra.cur.buf[aheadRoom+ra.off:aheadRoom+ra.cur.n])
	ra.off += n
	return n, nil
}

// releaseFunc returns a function that drops the pages of data below an
// offset from the process (they stay in the page cache), so a mapped
// scan's resident memory does not grow with the file.
func releaseFunc(data []byte) func(from, to int64) {
	return func(from, to int64) {
		const page = 4096
		lo := (from + page - 1) &^ (page - 1)
		hi := to &^ (page - 1)
		if hi > lo && hi <= int64(len(data)) {
			dropPages(data[lo:hi])
		}
	}
}
