package tlswire

import (
	"crypto/rand"
	"strings"
)

// AppendClientHello appends a ClientHello record (RFC 5246 §7.4.1.2, RFC 8446
// §4.1.2). SSL 3.0 hellos carry no extensions; TLS 1.3 hellos carry
// supported_versions and, when key is a 32-byte X25519 public key, a
// key_share. Every suite in suites is offered, whether or not Go implements
// it; the random and the TLS 1.3 session ID come from crypto/rand.
func AppendClientHello(dst []byte, v uint16, suites []uint16, serverName string, key []byte) []byte {
	u16 := func(b []byte, x uint16) []byte { return append(b, byte(x>>8), byte(x)) }
	var body []byte
	legacy := min(v, VersionTLS12)
	body = u16(body, legacy)
	var random [32]byte
	_, _ = rand.Read(random[:])
	body = append(body, random[:]...)
	if v == VersionTLS13 {
		var sid [32]byte // middlebox compatibility mode (RFC 8446 §D.4)
		_, _ = rand.Read(sid[:])
		body = append(body, 32)
		body = append(body, sid[:]...)
	} else {
		body = append(body, 0)
	}
	n := len(suites)
	if v != VersionTLS13 {
		n++ // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3)
	}
	body = u16(body, uint16(2*n))
	for _, s := range suites {
		body = u16(body, s)
	}
	if v != VersionTLS13 {
		body = u16(body, 0x00FF)
	}
	body = append(body, 1, 0) // null compression
	if v > VersionSSL30 {
		var ext []byte
		addExt := func(typ uint16, data []byte) {
			ext = u16(ext, typ)
			ext = u16(ext, uint16(len(data)))
			ext = append(ext, data...)
		}
		if serverName != "" {
			name := []byte(strings.TrimSuffix(serverName, "."))
			entry := append([]byte{0}, u16(nil, uint16(len(name)))...)
			entry = append(entry, name...)
			addExt(ExtServerName, append(u16(nil, uint16(len(entry))), entry...))
		}
		groups := []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101}
		g := u16(nil, uint16(2*len(groups)))
		for _, x := range groups {
			g = u16(g, x)
		}
		addExt(ExtSupportedGroups, g)
		addExt(ExtECPointFormats, []byte{1, 0})
		if v >= VersionTLS12 {
			algs := []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808,
				0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0402, 0x0201, 0x0203, 0x0202}
			a := u16(nil, uint16(2*len(algs)))
			for _, x := range algs {
				a = u16(a, x)
			}
			addExt(ExtSignatureAlgorithms, a)
		}
		if v == VersionTLS13 {
			addExt(ExtSupportedVersions, []byte{2, 3, 4})
			if len(key) == 32 {
				ks := u16(nil, 0x001d)
				ks = u16(ks, 32)
				ks = append(ks, key...)
				addExt(ExtKeyShare, append(u16(nil, uint16(len(ks))), ks...))
			}
			addExt(45, []byte{1, 1}) // psk_key_exchange_modes: psk_dhe_ke
		}
		body = u16(body, uint16(len(ext)))
		body = append(body, ext...)
	}
	recVersion := VersionTLS10
	if v == VersionSSL30 {
		recVersion = VersionSSL30
	}
	hsLen := len(body)
	dst = append(dst, RecordHandshake)
	dst = u16(dst, recVersion)
	dst = u16(dst, uint16(hsLen+4))
	dst = append(dst, ClientHelloType, byte(hsLen>>16), byte(hsLen>>8), byte(hsLen))
	return append(dst, body...)
}
