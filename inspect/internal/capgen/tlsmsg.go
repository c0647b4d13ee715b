package capgen

import "encoding/binary"

// TLS and DTLS message builders for the trunk profile. The structure of
// every message is real (RFC 5246, RFC 8446, RFC 6347, RFC 5764); keys,
// randoms and signatures are pseudo-random bytes, and everything after
// ChangeCipherSpec is random bytes of the right length.

const (
	tlsV10 = 0x0301
	tlsV12 = 0x0303
	tlsV13 = 0x0304
)

func be16(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }
func be24(b []byte, v int) []byte { return append(b, byte(v>>16), byte(v>>8), byte(v)) }

// record wraps a fragment in a TLS record header.
func tlsRecord(b []byte, typ byte, version int, frag []byte) []byte {
	b = append(b, typ)
	b = be16(b, version)
	b = be16(b, len(frag))
	return append(b, frag...)
}

// handshake wraps a body in a handshake message header.
func handshake(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = be24(b, len(body))
	return append(b, body...)
}

func ext(b []byte, typ int, data []byte) []byte {
	b = be16(b, typ)
	b = be16(b, len(data))
	return append(b, data...)
}

func (g *gen) random(n int) []byte {
	b := make([]byte, n)
	g.r.fill(b)
	return b
}

// clientHello is a ClientHello body for version v with SNI.
func (g *gen) clientHello(v int, sni string) []byte {
	legacy := min(v, tlsV12)
	b := be16(nil, legacy)
	b = append(b, g.random(32)...)
	if v == tlsV13 {
		b = append(b, 32)
		b = append(b, g.random(32)...)
	} else {
		b = append(b, 0)
	}
	var suites []int
	switch v {
	case tlsV13:
		suites = []int{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030}
	case tlsV12:
		suites = []int{0xc02c, 0xc030, 0xc02b, 0xc02f, 0xc028, 0xc027, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff}
	default:
		suites = []int{0xc014, 0xc013, 0x0035, 0x002f, 0x000a, 0x00ff}
	}
	b = be16(b, 2*len(suites))
	for _, s := range suites {
		b = be16(b, s)
	}
	b = append(b, 1, 0)
	var e []byte
	name := []byte(sni)
	sn := append([]byte{0}, be16(nil, len(name))...)
	sn = append(sn, name...)
	e = ext(e, 0, append(be16(nil, len(sn)), sn...))
	e = ext(e, 10, []byte{0, 6, 0, 0x1d, 0, 0x17, 0, 0x18})
	e = ext(e, 11, []byte{1, 0})
	if v >= tlsV12 {
		e = ext(e, 13, []byte{0, 8, 4, 1, 5, 1, 8, 4, 4, 3})
	}
	e = ext(e, 23, nil) // extended_master_secret
	e = ext(e, 0xff01, []byte{0})
	if v == tlsV13 {
		e = ext(e, 43, []byte{4, 3, 4, 3, 3})
		ks := be16(nil, 0x1d)
		ks = be16(ks, 32)
		ks = append(ks, g.random(32)...)
		e = ext(e, 51, append(be16(nil, len(ks)), ks...))
		e = ext(e, 45, []byte{1, 1})
	}
	b = be16(b, len(e))
	return handshake(nil, 1, append(b, e...))
}

func (g *gen) serverHello(v, suite int) []byte {
	b := be16(nil, min(v, tlsV12))
	b = append(b, g.random(32)...)
	b = append(b, 32)
	b = append(b, g.random(32)...)
	b = be16(b, suite)
	b = append(b, 0)
	var e []byte
	if v == tlsV13 {
		e = ext(e, 43, []byte{3, 4})
		ks := be16(nil, 0x1d)
		ks = be16(ks, 32)
		e = ext(e, 51, append(ks, g.random(32)...))
	} else {
		e = ext(e, 0xff01, []byte{0})
		e = ext(e, 23, nil)
	}
	b = be16(b, len(e))
	return handshake(nil, 2, append(b, e...))
}

func certificateMsg(chain [][]byte) []byte {
	var list []byte
	for _, c := range chain {
		list = be24(list, len(c))
		list = append(list, c...)
	}
	return handshake(nil, 11, append(be24(nil, len(list)), list...))
}

func (g *gen) serverKeyExchange(v int) []byte {
	b := []byte{3, 0, 0x17, 65, 4}
	b = append(b, g.random(64)...)
	if v == tlsV12 {
		b = be16(b, 0x0804)
	}
	b = be16(b, 256)
	return handshake(nil, 12, append(b, g.random(256)...))
}

// certificateRequest names the CAs whose DER subjects are in cas.
func certificateRequest(v int, cas [][]byte) []byte {
	b := []byte{2, 1, 64} // rsa_sign, ecdsa_sign
	if v == tlsV12 {
		b = append(b, 0, 8, 4, 1, 5, 1, 8, 4, 4, 3)
	}
	var names []byte
	for _, n := range cas {
		names = be16(names, len(n))
		names = append(names, n...)
	}
	b = be16(b, len(names))
	return handshake(nil, 13, append(b, names...))
}

func (g *gen) clientKeyExchange(suite int) []byte {
	if suite == 0x002f { // static RSA: the encrypted premaster secret
		return handshake(nil, 16, append(be16(nil, 256), g.random(256)...))
	}
	return handshake(nil, 16, append([]byte{65, 4}, g.random(64)...))
}

func (g *gen) certificateVerify(v int) []byte {
	var b []byte
	if v == tlsV12 {
		b = be16(b, 0x0804)
	}
	b = be16(b, 256)
	return handshake(nil, 15, append(b, g.random(256)...))
}

// dtlsRecord wraps a fragment in a DTLS 1.2 record header (RFC 6347 §4.1).
func dtlsRecord(b []byte, typ byte, epoch int, seq uint64, frag []byte) []byte {
	b = append(b, typ, 0xfe, 0xfd)
	b = be16(b, epoch)
	b = append(b, byte(seq>>40), byte(seq>>32), byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq))
	b = be16(b, len(frag))
	return append(b, frag...)
}

// dtlsHandshake wraps a body in an unfragmented DTLS handshake header.
func dtlsHandshake(typ byte, msgSeq int, body []byte) []byte {
	b := []byte{typ}
	b = be24(b, len(body))
	b = be16(b, msgSeq)
	b = be24(b, 0)
	b = be24(b, len(body))
	return append(b, body...)
}

func (g *gen) dtlsClientHello() []byte {
	b := []byte{0xfe, 0xfd}
	b = append(b, g.random(32)...)
	b = append(b, 0, 0)                         // session id, cookie
	b = append(b, 0, 4, 0xc0, 0x2b, 0xc0, 0x0a) // two suites
	b = append(b, 1, 0)
	var e []byte
	e = ext(e, 14, []byte{0, 4, 0, 1, 0, 2, 0}) // use_srtp: _80, _32, no MKI
	e = ext(e, 10, []byte{0, 4, 0, 0x1d, 0, 0x17})
	e = ext(e, 23, nil)
	b = be16(b, len(e))
	return dtlsHandshake(1, 0, append(b, e...))
}

// stun is a STUN binding request (with ICE attributes) or success response.
func (g *gen) stun(response bool) []byte {
	b := make([]byte, 20, 100)
	typ := uint16(0x0001)
	if response {
		typ = 0x0101
	}
	binary.BigEndian.PutUint16(b, typ)
	binary.BigEndian.PutUint32(b[4:], 0x2112A442)
	g.r.fill(b[8:20])
	attr := func(t uint16, v []byte) {
		b = binary.BigEndian.AppendUint16(b, t)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	if response {
		attr(0x0020, g.random(8)) // XOR-MAPPED-ADDRESS
	} else {
		attr(0x0006, []byte("a1b2c3d4:e5f6a7b8")) // USERNAME
		attr(0x0024, g.random(4))                 // PRIORITY
		attr(0x802a, g.random(8))                 // ICE-CONTROLLING
	}
	attr(0x0008, g.random(20)) // MESSAGE-INTEGRITY
	attr(0x8028, g.random(4))  // FINGERPRINT
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)-20))
	return b
}
