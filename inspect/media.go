package inspect

import (
	"encoding/binary"
)

// MediaKind is what RFC 7983 first-byte demultiplexing makes of a datagram.
type MediaKind uint8

const (
	MediaUnknown MediaKind = iota
	MediaSTUN              // first byte 0-3
	MediaZRTP              // 16-19
	MediaDTLS              // 20-63
	MediaTURN              // 64-79: TURN ChannelData
	MediaRTP               // 128-191, second byte not 192-223
	MediaRTCP              // 128-191, second byte 192-223 (RFC 5761 §4)
)

var mediaKindNames = [...]string{"unknown", "STUN", "ZRTP", "DTLS", "TURN", "RTP", "RTCP"}

func (k MediaKind) String() string {
	if int(k) < len(mediaKindNames) {
		return mediaKindNames[k]
	}
	return "unknown"
}

// Demux classifies a UDP payload by its first byte (RFC 7983 §7, Figure 3)
// and, for RTP/RTCP, by its second byte (RFC 5761 §4).
func Demux(p []byte) MediaKind {
	if len(p) == 0 {
		return MediaUnknown
	}
	switch b := p[0]; {
	case b <= 3:
		if len(p) >= 20 {
			return MediaSTUN
		}
	case b >= 16 && b <= 19:
		return MediaZRTP
	case b >= 20 && b <= 63:
		if len(p) >= 13 {
			return MediaDTLS
		}
	case b >= 64 && b <= 79:
		if len(p) >= 4 {
			return MediaTURN
		}
	case b >= 128 && b <= 191:
		if len(p) < 8 {
			return MediaUnknown
		}
		if p[1] >= 192 && p[1] <= 223 {
			return MediaRTCP
		}
		if len(p) >= 12 {
			return MediaRTP
		}
	}
	return MediaUnknown
}

// RTPHeader is the fixed part of an RTP header plus where the payload is.
type RTPHeader struct {
	PayloadType uint8
	Marker      bool
	Seq         uint16
	Timestamp   uint32
	SSRC        uint32
	HeaderLen   int // fixed header + CSRCs + extension
	Padding     bool
}

// ParseRTPHeader decodes the RTP header of p (RFC 3550 §5.1). It reports
// false when p is too short for the header it announces.
func ParseRTPHeader(h *RTPHeader, p []byte) bool {
	if len(p) < 12 || p[0]>>6 != 2 {
		return false
	}
	n := 12 + int(p[0]&0x0f)*4
	if p[0]&0x10 != 0 {
		if len(p) < n+4 {
			return false
		}
		n += 4 + int(binary.BigEndian.Uint16(p[n+2:]))*4
	}
	if len(p) < n {
		return false
	}
	h.PayloadType = p[1] & 0x7f
	h.Marker = p[1]&0x80 != 0
	h.Seq = binary.BigEndian.Uint16(p[2:])
	h.Timestamp = binary.BigEndian.Uint32(p[4:])
	h.SSRC = binary.BigEndian.Uint32(p[8:])
	h.HeaderLen = n
	h.Padding = p[0]&0x20 != 0
	return true
}

// rtcpPlainLength reports whether p is a well-formed plain RTCP compound
// packet: its RTCP length fields add up to exactly len(p).
func rtcpPlainLength(p []byte) bool {
	for n := 0; n < 32; n++ {
		if len(p) < 4 || p[0]>>6 != 2 {
			return false
		}
		l := (int(binary.BigEndian.Uint16(p[2:])) + 1) * 4
		if l > len(p) {
			return false
		}
		p = p[l:]
		if len(p) == 0 {
			return true
		}
	}
	return false
}

// srtcpIndex reads the E bit and SRTCP index that precede an MKI of mkiLen
// bytes and a 10-byte tag (RFC 3711 §3.4). ok is false when p is too short.
func srtcpIndex(p []byte, mkiLen int) (e bool, index uint32, ok bool) {
	at := len(p) - 10 - mkiLen - 4
	if at < 8 {
		return false, 0, false
	}
	w := binary.BigEndian.Uint32(p[at:])
	return w>>31 == 1, w & 0x7fffffff, true
}

// distinctBytes counts the distinct byte values in p.
func distinctBytes(p []byte) int {
	// One flag byte per value: a store per input byte and no
	// read-modify-write chain, then the flags are summed eight at a time.
	var seen [256]byte
	for len(p) >= 8 {
		seen[p[0]], seen[p[1]], seen[p[2]], seen[p[3]] = 1, 1, 1, 1
		seen[p[4]], seen[p[5]], seen[p[6]], seen[p[7]] = 1, 1, 1, 1
		p = p[8:]
	}
	for _, b := range p {
		seen[b] = 1
	}
	var n uint64
	for i := 0; i < len(seen); i += 8 {
		n += binary.LittleEndian.Uint64(seen[i:]) * 0x0101010101010101 >> 56
	}
	return int(n)
}

// randomLooking reports whether the distinct byte values in n bytes are
// close to what uniformly random bytes give: 256·(1-(255/256)^n) on
// average. Encrypted payload passes; G.711 speech, silence and tones do not.
func randomLooking(p []byte) bool {
	n := len(p)
	if n < 32 {
		return false
	}
	if n > len(expectDistinct)-1 {
		p = p[:len(expectDistinct)-1]
		n = len(p)
	}
	return distinctBytes(p)*100 >= int(expectDistinct[n])*75
}

// expectDistinct[n] is the expected number of distinct values in n random bytes.
var expectDistinct = func() [257]float64 {
	var t [257]float64
	q := 1.0
	for n := range t {
		t[n] = 256 * (1 - q)
		q *= 255.0 / 256.0
	}
	return t
}()

// fixedFrame reports the frame size in bytes of one 10 ms block for the
// static payload types whose payload length is a fixed function of packet
// time: PCMU (0), PCMA (8), G722 (9) at 80 bytes per 10 ms.
func fixedFrame(pt uint8) int {
	switch pt {
	case 0, 8, 9:
		return 80
	}
	return 0
}
