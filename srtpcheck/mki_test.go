package srtpcheck

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"
)

// TestMKIPlacement checks the SRTP packet layout with the Microsoft 1-byte
// MKI (inline:KEY|2^31|1:1): header, encrypted payload, then the MKI 0x01,
// then the 10-byte auth tag (RFC 3711 §3.1; domain.md §1.4, AST-825).
func TestMKIPlacement(t *testing.T) {
	c, err := NewCrypto(1, AES128CMHMACSHA1_80, 1)
	if err != nil {
		t.Fatal(err)
	}
	send, err := newContext(c.Suite, c.Key, c.Salt, c.MKIBytes(), false)
	if err != nil {
		t.Fatal(err)
	}
	hdr := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 7, Timestamp: 1120, SSRC: 0xCAFEBABE}
	plain, _ := hdr.Marshal()
	plain = append(plain, tone(0)...)
	pkt, err := send.EncryptRTP(nil, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := 12 + 160 + 1 + 10; len(pkt) != want {
		t.Fatalf("packet %d bytes, want %d", len(pkt), want)
	}
	if pkt[len(pkt)-11] != 0x01 {
		t.Fatalf("MKI byte %#x, want 0x01 before the tag", pkt[len(pkt)-11])
	}
	if bytes.Equal(pkt[12:172], plain[12:]) {
		t.Fatal("payload not encrypted")
	}
	// A receiver keyed with the MKI authenticates it; one without an MKI
	// (a WebRTC-tuned stack, RFC 8827) does not.
	recv, _ := newContext(c.Suite, c.Key, c.Salt, c.MKIBytes(), true)
	out, err := recv.DecryptRTP(nil, pkt, nil)
	if err != nil || !bytes.Equal(out, plain) {
		t.Fatalf("decrypt with MKI: %v", err)
	}
	noMKI, _ := newContext(c.Suite, c.Key, c.Salt, nil, true)
	if _, err := noMKI.DecryptRTP(nil, pkt, nil); err == nil {
		t.Fatal("MKI packet authenticated by a context without MKI")
	}
	// _32: 4-byte tag.
	c32, _ := NewCrypto(1, AES128CMHMACSHA1_32, 0)
	s32, _ := newContext(c32.Suite, c32.Key, c32.Salt, nil, false)
	p32, _ := s32.EncryptRTP(nil, plain, nil)
	if len(p32) != 12+160+4 {
		t.Fatalf("_32 packet %d bytes", len(p32))
	}
}

// TestG711Tone checks the µ-law encoder against ITU-T G.711 reference
// points (0 → 0xFF, full scale → 0x80/0x00) and that the tone is not silence.
func TestG711Tone(t *testing.T) {
	for _, c := range []struct {
		in   int16
		want byte
	}{{0, 0xFF}, {32767, 0x80}, {-32768, 0x00}, {-1, 0x7F}} {
		if got := linearToULaw(c.in); got != c.want {
			t.Errorf("ulaw(%d) = %#x, want %#x", c.in, got, c.want)
		}
	}
	if got := linearToALaw(0); got != 0xD5 {
		t.Errorf("alaw(0) = %#x, want 0xD5", got)
	}
	distinct := map[byte]bool{}
	for _, b := range tone(0) {
		distinct[b] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("tone has %d distinct codes", len(distinct))
	}
}

func BenchmarkParse(b *testing.B) {
	body := []byte(sfbOffer)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProtect measures the send path of one 20 ms G.711 packet.
func BenchmarkProtect(b *testing.B) {
	c, _ := NewCrypto(1, AES128CMHMACSHA1_80, 1)
	send, _ := newContext(c.Suite, c.Key, c.Salt, c.MKIBytes(), false)
	hdr := rtp.Header{Version: 2, SSRC: 1}
	plain, _ := hdr.Marshal()
	plain = append(plain, tone(0)...)
	out := make([]byte, 0, maxPacket)
	b.ReportAllocs()
	for b.Loop() {
		hdr.SequenceNumber++
		var err error
		if out, err = send.EncryptRTP(out[:0], plain, nil); err != nil {
			b.Fatal(err)
		}
	}
}
