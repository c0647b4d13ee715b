package inspect

import (
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

// Link types (LINKTYPE_* values from the tcpdump.org registry) that the
// decoder understands.
const (
	LinkNull      uint16 = 0   // BSD loopback: 4-byte host-order address family
	LinkEthernet  uint16 = 1   // Ethernet II, with 802.1Q / 802.1ad tags
	LinkRaw       uint16 = 101 // raw IPv4 or IPv6, version in the first nibble
	LinkLoop      uint16 = 108 // OpenBSD loopback: 4-byte network-order family
	LinkLinuxSLL  uint16 = 113 // Linux cooked capture v1
	LinkIPv4      uint16 = 228 // raw IPv4
	LinkIPv6      uint16 = 229 // raw IPv6
	LinkLinuxSLL2 uint16 = 276 // Linux cooked capture v2
)

// Named limits against hostile input.
const (
	// MaxRecordLen bounds one captured packet (pcap incl_len, pcapng
	// captured length). Larger values are reported as corruption.
	MaxRecordLen = 256 << 10
	// MaxBlockLen bounds one pcapng block of any type.
	MaxBlockLen = 16 << 20
	// maxInterfaces bounds the interfaces of one pcapng section.
	maxInterfaces = 1 << 16

	readChunk = 1 << 20 // bytes asked of the underlying reader at a time
)

// Packet is one captured packet. Data references the [Reader]'s buffer and
// is valid only until the next call to [Reader.Next]; copy it to keep it.
type Packet struct {
	Data      []byte // captured bytes (caplen of them)
	OrigLen   int    // length on the wire
	Timestamp int64  // nanoseconds since the Unix epoch
	LinkType  uint16 // LINKTYPE_* of the interface it was captured on
	Interface int    // pcapng interface index; 0 for pcap
	Offset    int64  // byte offset of the record (pcap) or block (pcapng)
}

type iface struct {
	linkType uint16
	snapLen  uint32
	// timestamp units to ns: ns = units*mul/div, or (units*mul)>>shift
	mul, div uint64
	shift    uint
	offsetNS int64
}

func (i *iface) ns(units uint64) int64 {
	if i.shift > 0 {
		hi, lo := bits.Mul64(units, 1e9)
		if i.shift >= 64 {
			return int64(hi>>(i.shift-64)) + i.offsetNS
		}
		return int64(lo>>i.shift|hi<<(64-i.shift)) + i.offsetNS
	}
	if i.div > 1 {
		return int64(units/i.div) + i.offsetNS
	}
	return int64(units*i.mul) + i.offsetNS
}

// Reader reads pcap and pcapng captures from any io.Reader with one reused
// buffer. It is not safe for concurrent use.
type Reader struct {
	r     io.Reader
	buf   []byte
	start int   // first unread byte in buf
	end   int   // end of valid data in buf
	base  int64 // input offset of buf[0]
	eof   bool
	fixed bool  // buf is the whole input (NewReaderBytes): never written
	rerr  error // read error other than EOF

	ng        bool
	be        bool // pcap: big-endian headers; pcapng: current section big-endian
	pcapIface iface
	ifaces    []iface

	packets int64
	// section and interface blocks read (pcapng)
	headerBlocks int

	ahead    *readAhead           // buffers read by another goroutine (Options.Workers > 1)
	release  func(from, to int64) // drops mapped pages behind the scan
	released int64                // offset released up to
}

// NewReader reads the file header and returns a Reader positioned at the
// first packet. The format (pcap in either byte order with micro- or
// nanosecond timestamps, or pcapng) is detected from the magic number.
func NewReader(r io.Reader) (*Reader, error) {
	return newReader(&Reader{r: r, buf: make([]byte, readChunk+64<<10)})
}

// NewReaderBytes reads a capture held in memory (or mapped from a file)
// without copying it: packets alias data, which must not change.
func NewReaderBytes(data []byte) (*Reader, error) {
	return newReader(&Reader{buf: data, end: len(data), eof: true, fixed: true})
}

func newReader(rd *Reader) (*Reader, error) {
	if err := rd.fill(4); err != nil {
		return nil, err
	}
	magicLE := binary.LittleEndian.Uint32(rd.buf[rd.start:])
	switch magicLE {
	case 0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1:
		return rd, rd.pcapHeader()
	case 0x0a0d0d0a:
		rd.ng = true
		return rd, nil // the SHB is read by Next like any block
	}
	return nil, corruptAt(0, "not a pcap or pcapng file (magic %02x)", rd.buf[rd.start:rd.start+4])
}

// Offset returns the input offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.base + int64(r.start) }

// Packets returns how many packets Next has returned.
func (r *Reader) Packets() int64 { return r.packets }

// IsPCAPNG reports whether the input is pcapng.
func (r *Reader) IsPCAPNG() bool { return r.ng }

// fill makes n bytes available at buf[start:], reading and compacting as
// needed. It returns a truncation error when the input ends first.
func (r *Reader) fill(n int) error {
	if r.end-r.start >= n {
		return nil
	}
	if r.fixed {
		return io.ErrUnexpectedEOF
	}
	if r.ahead != nil {
		return r.fillAhead(n)
	}
	if r.start > 0 {
		copy(r.buf, r.buf[r.start:r.end])
		r.end -= r.start
		r.base += int64(r.start)
		r.start = 0
	}
	if n > len(r.buf) {
		nb := make([]byte, n+readChunk)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for r.end < n {
		if r.eof {
			if r.rerr != nil {
				return &FormatError{Offset: r.base + int64(r.end), Reason: "read: " + r.rerr.Error(), Err: r.rerr}
			}
			return io.ErrUnexpectedEOF
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		if err != nil {
			r.eof = true
			if !errors.Is(err, io.EOF) {
				r.rerr = err
			}
		}
	}
	return nil
}

// fillAhead is fill over the read-ahead buffers: the Reader takes the next
// buffer over and copies the bytes it still needs from the current one
// into the room in front of the new data.
func (r *Reader) fillAhead(n int) error {
	for r.end-r.start < n {
		if r.eof {
			if r.rerr != nil {
				return &FormatError{Offset: r.base + int64(r.end), Reason: "read: " + r.rerr.Error(), Err: r.rerr}
			}
			return io.ErrUnexpectedEOF
		}
		buf, lo, hi, err := r.ahead.next()
		if err != nil {
			r.eof = true
			if !errors.Is(err, io.EOF) {
				r.rerr = err
			}
			continue
		}
		tail := r.buf[r.start:r.end]
		at := r.base + int64(r.end) // input offset of buf[lo]
		old := r.buf
		if len(tail) <= lo {
			copy(buf[lo-len(tail):], tail)
			r.buf, r.start, r.end, r.base = buf, lo-len(tail), hi, at-int64(lo)
		} else {
			// A block larger than the room: one buffer of its own.
			nb := make([]byte, len(tail)+hi-lo, len(tail)+hi-lo+aheadChunk)
			copy(nb, tail)
			copy(nb[len(tail):], buf[lo:hi])
			r.ahead.recycle(buf)
			r.buf, r.start, r.end, r.base = nb, 0, len(nb), at-int64(len(tail))
		}
		r.ahead.recycle(old)
	}
	return nil
}

func (r *Reader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *Reader) pcapHeader() error {
	if err := r.fill(24); err != nil {
		return truncatedAt(0, "pcap file header needs 24 bytes")
	}
	h := r.buf[r.start : r.start+24]
	magic := binary.LittleEndian.Uint32(h)
	r.be = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1
	nano := magic == 0xa1b23c4d || magic == 0x4d3cb2a1
	if v := r.u16(h[4:]); v != 2 {
		return corruptAt(4, "pcap major version %d, want 2", v)
	}
	r.pcapIface = iface{linkType: uint16(r.u32(h[20:])), snapLen: r.u32(h[16:]), mul: 1000}
	if nano {
		r.pcapIface.mul = 1
	}
	r.start += 24
	return nil
}

// Next returns the next packet, or io.EOF at the clean end of the input. A
// truncated or corrupt input gives a [*FormatError]; packets returned before
// it remain valid.
func (r *Reader) Next() (Packet, error) {
	if r.ng {
		return r.nextNG()
	}
	off := r.Offset()
	if r.fixed && !r.be && r.end-r.start >= 16 {
		// Fast path: the whole input is in memory, little-endian headers.
		h := r.buf[r.start : r.start+16]
		capLen := binary.LittleEndian.Uint32(h[8:])
		if n := 16 + int(capLen); capLen <= MaxRecordLen && r.end-r.start >= n {
			p := Packet{
				Data:      r.buf[r.start+16 : r.start+n : r.start+n],
				OrigLen:   int(binary.LittleEndian.Uint32(h[12:])),
				Timestamp: int64(binary.LittleEndian.Uint32(h))*1e9 + int64(uint64(binary.LittleEndian.Uint32(h[4:]))*r.pcapIface.mul),
				LinkType:  r.pcapIface.linkType,
				Offset:    off,
			}
			r.start += n
			r.packets++
			return p, nil
		}
	}
	if err := r.fill(16); err != nil {
		if r.end == r.start && r.rerr == nil {
			return Packet{}, io.EOF
		}
		return Packet{}, r.fillErr(err, off, "pcap record header needs 16 bytes, %d left", r.end-r.start)
	}
	h := r.buf[r.start : r.start+16]
	sec, frac := r.u32(h), r.u32(h[4:])
	capLen, origLen := r.u32(h[8:]), r.u32(h[12:])
	if limit := min(max(MaxRecordLen, r.pcapIface.snapLen), MaxBlockLen); capLen > limit {
		return Packet{}, corruptAt(off, "record length %d exceeds limit %d", capLen, limit)
	}
	n := 16 + int(capLen)
	if err := r.fill(n); err != nil {
		return Packet{}, r.fillErr(err, off, "record of %d bytes cut short, %d left", capLen, r.end-r.start-16)
	}
	p := Packet{
		Data:      r.buf[r.start+16 : r.start+n : r.start+n],
		OrigLen:   int(origLen),
		Timestamp: int64(sec)*1e9 + int64(uint64(frac)*r.pcapIface.mul),
		LinkType:  r.pcapIface.linkType,
		Offset:    off,
	}
	r.start += n
	r.packets++
	return p, nil
}

func (r *Reader) fillErr(err error, off int64, format string, args ...any) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.Offset = off
		return fe
	}
	return truncatedAt(off, format, args...)
}

// pcapng block types.
const (
	blockSHB = 0x0a0d0d0a
	blockIDB = 0x00000001
	blockPB  = 0x00000002 // obsolete Packet Block
	blockSPB = 0x00000003
	blockEPB = 0x00000006
)

func (r *Reader) nextNG() (Packet, error) {
	for {
		off := r.Offset()
		if err := r.fill(12); err != nil {
			if r.end == r.start && r.rerr == nil {
				return Packet{}, io.EOF
			}
			return Packet{}, r.fillErr(err, off, "pcapng block header needs 12 bytes, %d left", r.end-r.start)
		}
		h := r.buf[r.start:]
		if binary.LittleEndian.Uint32(h) == blockSHB {
			// The byte order of a section comes from its own SHB.
			switch binary.LittleEndian.Uint32(h[8:]) {
			case 0x1a2b3c4d:
				r.be = false
			case 0x4d3c2b1a:
				r.be = true
			default:
				return Packet{}, corruptAt(off+8, "pcapng byte-order magic %02x", h[8:12])
			}
		}
		typ, blen := r.u32(h), r.u32(h[4:])
		if blen < 12 || blen%4 != 0 || blen > MaxBlockLen {
			return Packet{}, corruptAt(off+4, "pcapng block length %d (type 0x%x)", blen, typ)
		}
		if err := r.fill(int(blen)); err != nil {
			return Packet{}, r.fillErr(err, off, "pcapng block of %d bytes cut short, %d left", blen, r.end-r.start)
		}
		b := r.buf[r.start : r.start+int(blen)]
		if r.u32(b[blen-4:]) != blen {
			return Packet{}, corruptAt(off+int64(blen)-4, "pcapng trailing block length %d, header says %d", r.u32(b[blen-4:]), blen)
		}
		body := b[8 : blen-4]
		r.start += int(blen)
		switch typ {
		case blockSHB:
			if len(body) < 16 {
				return Packet{}, corruptAt(off, "pcapng section header too short")
			}
			if v := r.u16(body[4:]); v != 1 {
				return Packet{}, corruptAt(off+12, "pcapng major version %d, want 1", v)
			}
			r.ifaces = r.ifaces[:0]
			r.headerBlocks++
		case blockIDB:
			r.headerBlocks++
			if len(body) < 8 {
				return Packet{}, corruptAt(off, "pcapng interface description too short")
			}
			if len(r.ifaces) >= maxInterfaces {
				return Packet{}, corruptAt(off, "more than %d interfaces", maxInterfaces)
			}
			r.ifaces = append(r.ifaces, r.parseIDB(body))
		case blockEPB, blockPB:
			if len(body) < 20 {
				return Packet{}, corruptAt(off, "pcapng packet block too short")
			}
			var id uint32
			if typ == blockEPB {
				id = r.u32(body)
			} else {
				id = uint32(r.u16(body))
			}
			if int(id) >= len(r.ifaces) {
				return Packet{}, corruptAt(off+8, "packet on interface %d, only %d described", id, len(r.ifaces))
			}
			ifc := &r.ifaces[id]
			ts := uint64(r.u32(body[4:]))<<32 | uint64(r.u32(body[8:]))
			capLen, origLen := r.u32(body[12:]), r.u32(body[16:])
			if uint64(capLen) > uint64(len(body)-20) {
				return Packet{}, corruptAt(off+20, "captured length %d exceeds block", capLen)
			}
			r.packets++
			return Packet{
				Data:      body[20 : 20+capLen : 20+capLen],
				OrigLen:   int(origLen),
				Timestamp: ifc.ns(ts),
				LinkType:  ifc.linkType,
				Interface: int(id),
				Offset:    off,
			}, nil
		case blockSPB:
			if len(body) < 4 {
				return Packet{}, corruptAt(off, "pcapng simple packet block too short")
			}
			if len(r.ifaces) == 0 {
				return Packet{}, corruptAt(off, "simple packet block before any interface description")
			}
			ifc := &r.ifaces[0]
			origLen := int(r.u32(body))
			capLen := min(origLen, len(body)-4)
			if ifc.snapLen > 0 {
				capLen = min(capLen, int(ifc.snapLen))
			}
			r.packets++
			return Packet{Data: body[4 : 4+capLen : 4+capLen], OrigLen: origLen, LinkType: ifc.linkType, Offset: off}, nil
		}
		// Other blocks (name resolution, statistics, custom) are skipped.
	}
}

func (r *Reader) parseIDB(body []byte) iface {
	ifc := iface{linkType: r.u16(body), snapLen: r.u32(body[4:]), mul: 1000} // default 10^-6
	opts := body[8:]
	for len(opts) >= 4 {
		code, l := r.u16(opts), int(r.u16(opts[2:]))
		if code == 0 || 4+l > len(opts) {
			break
		}
		v := opts[4 : 4+l]
		switch {
		case code == 9 && l >= 1: // if_tsresol
			exp := uint(v[0] & 0x7f)
			ifc.mul, ifc.div, ifc.shift = 1, 1, 0
			if v[0]&0x80 != 0 {
				ifc.shift = min(exp, 127)
				if exp == 0 {
					ifc.mul, ifc.shift = 1e9, 0
				}
			} else if exp <= 9 {
				ifc.mul = pow10(9 - exp)
			} else {
				ifc.div = pow10(min(exp-9, 19))
			}
		case code == 14 && l >= 8: // if_tsoffset, seconds
			if r.be {
				ifc.offsetNS = int64(binary.BigEndian.Uint64(v)) * 1e9
			} else {
				ifc.offsetNS = int64(binary.LittleEndian.Uint64(v)) * 1e9
			}
		}
		opts = opts[4+(l+3)&^3:]
	}
	return ifc
}

func pow10(n uint) uint64 {
	v := uint64(1)
	for range n {
		v *= 10
	}
	return v
}
