package inspect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IP protocol numbers the decoder follows.
const (
	protoTCP = 6
	protoUDP = 17
)

// Frame is one packet decoded down to its transport payload. Payload
// references the packet's data: copy it before the data is reused.
type Frame struct {
	VLANs int  // 802.1Q / 802.1ad tags seen
	IPv6  bool //
	// Key holds the addresses, the IP protocol (protoTCP, protoUDP or
	// another) and, for UDP and TCP, the ports.
	Key       FlowKey
	Fragment  bool // an IPv4 or IPv6 fragment: counted, not reassembled
	IPOptions bool // IPv4 header longer than 20 bytes
	// TCP only
	Seq   uint32
	Flags uint8 // TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10)

	Payload []byte
}

// decodeStatus says how far decoding got.
type decodeStatus uint8

const (
	decodedTransport   decodeStatus = iota // UDP or TCP payload in Frame
	decodedNotIP                           // ARP, LLDP, ... : ignored
	decodedFragment                        // IP fragment: counted
	decodedOtherIP                         // IP but neither UDP nor TCP (ICMP, ESP, ...)
	decodedTruncated                       // snapped or malformed header
	decodedUnknownLink                     // link type not supported
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
)

// decode fills f from a packet captured on linkType. It does not allocate.
func decode(f *Frame, linkType uint16, data []byte) decodeStatus {
	f.VLANs = 0
	f.Fragment = false
	f.IPOptions = false
	// The common case first: untagged Ethernet, IPv4 without options or
	// fragmentation, UDP, nothing snapped. Anything else takes the general
	// path below, which gives the same result for these frames.
	if linkType == LinkEthernet && len(data) >= 14+28 && binary.BigEndian.Uint16(data[12:]) == 0x0800 &&
		data[14] == 0x45 && data[14+9] == protoUDP {
		b := data[14:]
		total := int(binary.BigEndian.Uint16(b[2:]))
		if total >= 28 && total <= len(b) && binary.BigEndian.Uint16(b[6:])&0x3fff == 0 {
			b = b[:total]
			f.IPv6 = false
			binary.LittleEndian.PutUint64(f.Key.Src.Addr[:8], 0)
			binary.LittleEndian.PutUint64(f.Key.Src.Addr[8:], 0xffff<<16|uint64(binary.LittleEndian.Uint32(b[12:]))<<32)
			binary.LittleEndian.PutUint64(f.Key.Dst.Addr[:8], 0)
			binary.LittleEndian.PutUint64(f.Key.Dst.Addr[8:], 0xffff<<16|uint64(binary.LittleEndian.Uint32(b[16:]))<<32)
			f.Key.Proto = protoUDP
			u := b[20:28]
			f.Key.Src.Port = binary.BigEndian.Uint16(u)
			f.Key.Dst.Port = binary.BigEndian.Uint16(u[2:])
			ul := int(binary.BigEndian.Uint16(u[4:]))
			p := b[28:]
			if ul >= 8 && ul-8 < len(p) {
				p = p[:ul-8]
			}
			f.Payload = p
			return decodedTransport
		}
	}
	var ethType uint16
	switch linkType {
	case LinkEthernet:
		if len(data) < 14 {
			return decodedTruncated
		}
		ethType = binary.BigEndian.Uint16(data[12:])
		data = data[14:]
		for ethType == 0x8100 || ethType == 0x88a8 || ethType == 0x9100 {
			if len(data) < 4 || f.VLANs >= 8 {
				return decodedTruncated
			}
			f.VLANs++
			ethType = binary.BigEndian.Uint16(data[2:])
			data = data[4:]
		}
	case LinkLinuxSLL:
		if len(data) < 16 {
			return decodedTruncated
		}
		ethType = binary.BigEndian.Uint16(data[14:])
		data = data[16:]
	case LinkLinuxSLL2:
		if len(data) < 20 {
			return decodedTruncated
		}
		ethType = binary.BigEndian.Uint16(data)
		data = data[20:]
	case LinkRaw, LinkIPv4, LinkIPv6:
		if len(data) < 1 {
			return decodedTruncated
		}
		switch data[0] >> 4 {
		case 4:
			ethType = 0x0800
		case 6:
			ethType = 0x86dd
		default:
			return decodedNotIP
		}
	case LinkNull, LinkLoop:
		if len(data) < 4 {
			return decodedTruncated
		}
		// The family is in host order for DLT_NULL; accept either order.
		fam := binary.LittleEndian.Uint32(data)
		if fam > 0xffff {
			fam = binary.BigEndian.Uint32(data)
		}
		data = data[4:]
		switch fam {
		case 2:
			ethType = 0x0800
		case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, Darwin
			ethType = 0x86dd
		default:
			return decodedNotIP
		}
	default:
		return decodedUnknownLink
	}
	switch ethType {
	case 0x0800:
		return decodeIPv4(f, data)
	case 0x86dd:
		return decodeIPv6(f, data)
	}
	return decodedNotIP
}

func decodeIPv4(f *Frame, b []byte) decodeStatus {
	if len(b) < 20 || b[0]>>4 != 4 {
		return decodedTruncated
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || len(b) < ihl || total < ihl {
		return decodedTruncated
	}
	if total < len(b) {
		b = b[:total] // drop Ethernet padding
	}
	f.IPv6 = false
	f.IPOptions = ihl > 20
	// IPv4-mapped IPv6 (::ffff:a.b.c.d), written as two words per address.
	binary.LittleEndian.PutUint64(f.Key.Src.Addr[:8], 0)
	binary.LittleEndian.PutUint64(f.Key.Src.Addr[8:], 0xffff<<16|uint64(binary.LittleEndian.Uint32(b[12:]))<<32)
	binary.LittleEndian.PutUint64(f.Key.Dst.Addr[:8], 0)
	binary.LittleEndian.PutUint64(f.Key.Dst.Addr[8:], 0xffff<<16|uint64(binary.LittleEndian.Uint32(b[16:]))<<32)
	f.Key.Proto = b[9]
	if fo := binary.BigEndian.Uint16(b[6:]); fo&0x3fff != 0 { // MF or offset
		f.Fragment = true
		return decodedFragment
	}
	return decodeTransport(f, b[ihl:])
}

func decodeIPv6(f *Frame, b []byte) decodeStatus {
	if len(b) < 40 || b[0]>>4 != 6 {
		return decodedTruncated
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	f.IPv6 = true
	f.Key.Src.Addr = [16]byte(b[8:24])
	f.Key.Dst.Addr = [16]byte(b[24:40])
	next := b[6]
	b = b[40:]
	if plen < len(b) && plen > 0 {
		b = b[:plen]
	}
	for range 8 { // bounded walk over extension headers
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, dest opts, mobility, HIP, shim6
			if len(b) < 8 {
				return decodedTruncated
			}
			l := (int(b[1]) + 1) * 8
			if len(b) < l {
				return decodedTruncated
			}
			next = b[0]
			b = b[l:]
		case 44: // fragment
			if len(b) < 8 {
				return decodedTruncated
			}
			f.Fragment = true
			f.Key.Proto = b[0]
			return decodedFragment
		case 51: // AH: length in 4-byte units minus 2
			if len(b) < 8 {
				return decodedTruncated
			}
			l := (int(b[1]) + 2) * 4
			if len(b) < l {
				return decodedTruncated
			}
			next = b[0]
			b = b[l:]
		default:
			f.Key.Proto = next
			return decodeTransport(f, b)
		}
	}
	return decodedTruncated
}

func decodeTransport(f *Frame, b []byte) decodeStatus {
	switch f.Key.Proto {
	case protoUDP:
		if len(b) < 8 {
			return decodedTruncated
		}
		f.Key.Src.Port = binary.BigEndian.Uint16(b)
		f.Key.Dst.Port = binary.BigEndian.Uint16(b[2:])
		ul := int(binary.BigEndian.Uint16(b[4:]))
		p := b[8:]
		if ul >= 8 && ul-8 < len(p) {
			p = p[:ul-8]
		}
		f.Payload = p
		return decodedTransport
	case protoTCP:
		if len(b) < 20 {
			return decodedTruncated
		}
		off := int(b[12]>>4) * 4
		if off < 20 || len(b) < off {
			return decodedTruncated
		}
		f.Key.Src.Port = binary.BigEndian.Uint16(b)
		f.Key.Dst.Port = binary.BigEndian.Uint16(b[2:])
		f.Seq = binary.BigEndian.Uint32(b[4:])
		f.Flags = b[13]
		f.Payload = b[off:]
		return decodedTransport
	}
	return decodedOtherIP
}

// Endpoint is an IP address and port.
type Endpoint struct {
	Addr [16]byte // IPv4 as an IPv4-mapped IPv6 address
	Port uint16
}

// AddrPort converts e to a netip.AddrPort.
func (e Endpoint) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom16(e.Addr).Unmap(), e.Port)
}

func (e Endpoint) String() string { return e.AddrPort().String() }

// FlowKey identifies one direction of a UDP or TCP conversation.
type FlowKey struct {
	Src, Dst Endpoint
	Proto    uint8
}

func (k FlowKey) reverse() FlowKey { return FlowKey{Src: k.Dst, Dst: k.Src, Proto: k.Proto} }

// Transport returns "udp" or "tcp".
func (k FlowKey) Transport() string {
	switch k.Proto {
	case protoUDP:
		return "udp"
	case protoTCP:
		return "tcp"
	}
	return fmt.Sprintf("ip%d", k.Proto)
}

func (k FlowKey) String() string {
	return k.Transport() + " " + k.Src.String() + " > " + k.Dst.String()
}

// same reports whether k and o are the same key. Field by field, the
// compiler compares the addresses as two words each and inlines it; the
// generated struct equality calls memequal.
func (k *FlowKey) same(o *FlowKey) bool {
	return k.Src.Addr == o.Src.Addr && k.Dst.Addr == o.Dst.Addr &&
		k.Src.Port == o.Src.Port && k.Dst.Port == o.Dst.Port && k.Proto == o.Proto
}

// slot picks a flow-cache slot for one direction.
func (k *FlowKey) slot() uint64 {
	a := binary.LittleEndian.Uint64(k.Src.Addr[8:])
	b := binary.LittleEndian.Uint64(k.Dst.Addr[8:])
	c := binary.LittleEndian.Uint64(k.Src.Addr[:8]) ^ binary.LittleEndian.Uint64(k.Dst.Addr[:8])<<1
	h := (a ^ b*0x9E3779B97F4A7C15 ^ c ^ uint64(k.Src.Port)<<48 ^ uint64(k.Dst.Port)<<32) * 0xC2B2AE3D27D4EB4F
	return h >> (64 - flowCacheBits)
}
