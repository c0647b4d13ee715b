package inspect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
)

// seedCaptures adds the head of each real capture and small generated ones
// in every format.
func seedCaptures(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(capDir, "*.pcap*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b[:min(len(b), 6000)])
		}
	}
	for _, cfg := range []capgen.Config{
		{Calls: 2, CallLen: 3, Seed: 1},
		{Calls: 2, CallLen: 3, Seed: 2, PCAPNG: true},
		{Calls: 2, CallLen: 3, Seed: 3, BigEndian: true, Nanosecond: true},
	} {
		var b bytes.Buffer
		if _, err := capgen.Generate(&b, cfg); err == nil {
			f.Add(b.Bytes()[:min(b.Len(), 8000)])
		}
	}
}

// FuzzReader feeds arbitrary bytes to the pcap/pcapng reader and the whole
// scan: it must end in io.EOF or a *FormatError, never panic, and never
// return a packet outside its input.
func FuzzReader(f *testing.F) {
	seedCaptures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err == nil {
			for i := 0; i < 10000; i++ {
				p, err := r.Next()
				if err != nil {
					var fe *FormatError
					if !errors.Is(err, io.EOF) && !errors.As(err, &fe) {
						t.Fatalf("error %v is neither EOF nor a FormatError", err)
					}
					break
				}
				if len(p.Data) > len(data) || p.Offset < 0 || p.Offset >= int64(len(data)) {
					t.Fatalf("packet of %d bytes at %d from %d input bytes", len(p.Data), p.Offset, len(data))
				}
			}
		}
		rb, err := NewReaderBytes(data)
		if err == nil {
			for i := 0; i < 10000; i++ {
				if _, err := rb.Next(); err != nil {
					break
				}
			}
		}
		// The streaming reader and the in-place walk over the same bytes
		// (what a mapped file gets) see the same packets and damage.
		// (InspectFile words a bad file header itself: only results compare.)
		streamed, errS := Inspect(context.Background(), bytes.NewReader(data), "fuzz", Options{})
		mapped, errM := inspectBytes(context.Background(), "fuzz", data, Options{})
		if (streamed == nil) != (mapped == nil) {
			t.Fatalf("only one read a capture header: streamed %v, mapped %v", errS, errM)
		}
		if streamed == nil {
			return
		}
		if (errS == nil) != (errM == nil) || (errS != nil && errS.Error() != errM.Error()) {
			t.Fatalf("errors differ: streamed %v, mapped %v", errS, errM)
		}
		if streamed.Stats != mapped.Stats {
			t.Fatalf("stats differ: streamed %+v, mapped %+v", streamed.Stats, mapped.Stats)
		}
	})
}

// FuzzSIP feeds arbitrary bytes to the SIP/SDP scanner, both as a datagram
// and as a TCP stream split in two.
func FuzzSIP(f *testing.F) {
	f.Add([]byte("INVITE sip:bob@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 160\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\na=rtcp-mux\r\n"), 40)
	f.Add([]byte("SIP/2.0 200 OK\r\ni: y\r\nc: application/sdp\r\nl: 90\r\n\r\nv=0\r\nc=IN IP6 ::1\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 0 UDP/TLS/RTP/SAVP 0\r\na=setup:active\r\na=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:AAAA|2^31|1:1\r\n"), 7)
	if b, err := os.ReadFile(filepath.Join(capDir, "baresip-sdes-udp.pcap")); err == nil {
		if i := bytes.Index(b, []byte("INVITE ")); i >= 0 {
			f.Add(b[i:min(len(b), i+1200)], 100)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		_ = looksSIP(data)
		_ = sipPrefix(data)
		if n, ok := sipFrame(data, true); ok && (n < 0 || n > len(data)) {
			t.Fatalf("frame length %d of %d", n, len(data))
		}
		if m, ok := parseSIP(data); ok && m.sdp != nil {
			for _, md := range m.sdp.Media {
				for _, c := range md.Crypto {
					if !strings.Contains(c.Line, "inline:<redacted>") && !strings.Contains(strings.ToLower(c.Line), "<redacted>") {
						t.Fatalf("key not redacted: %q", c.Line)
					}
				}
			}
		}
		// As a TCP stream in two segments.
		s := newScanner(&Options{}, "fuzz")
		fl := &flow{role: roleSIP}
		d := &tcpDir{synced: true}
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		s.tcpAppend(fl, d, data[:split])
		s.tcpAppend(fl, d, data[split:])
		if len(d.buf) > MaxTCPBuffer {
			t.Fatalf("buffer %d over limit", len(d.buf))
		}
	})
}

// FuzzMedia feeds arbitrary datagrams to the RFC 7983 demux and the
// RTP/RTCP/SRTP/SRTCP/DTLS classifier, then reaches a verdict.
func FuzzMedia(f *testing.F) {
	f.Add([]byte{0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff}, 1)
	f.Add([]byte{0x80, 0xcc, 0x00, 0x03, 0x4d, 0x77, 0x2a, 0x21, 0x38, 0xda, 0xa6, 0x9e, 0xca, 0xbb, 0xd5, 0x19, 0x80, 0, 0, 1, 0x53, 0x84, 0xc0, 0x87, 0x49, 0x08, 0xc8, 0xc3, 0x48, 0xfb}, 3)
	f.Add([]byte{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1)
	f.Add([]byte{0x90, 0x08, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0, 1, 2, 3}, 2)
	var b bytes.Buffer
	_, _ = capgen.Generate(&b, capgen.Config{Calls: 16, CallLen: 2, Seed: 9})
	if r, err := NewReader(&b); err == nil {
		var fr Frame
		for i := 0; i < 200; i++ {
			p, err := r.Next()
			if err != nil {
				break
			}
			if decode(&fr, p.LinkType, p.Data) == decodedTransport && fr.Key.Proto == protoUDP && len(fr.Payload) > 0 && fr.Payload[0] < 0x41 {
				f.Add(bytes.Clone(fr.Payload), 2) // STUN and DTLS ClientHello
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, repeat int) {
		_ = Demux(data)
		var h RTPHeader
		if ParseRTPHeader(&h, data) && h.HeaderLen > len(data) {
			t.Fatalf("header length %d of %d", h.HeaderLen, len(data))
		}
		_ = rtcpPlainLength(data)
		_, _, _ = srtcpIndex(data, 1)
		_ = dtlsUseSRTP(data)
		s := newScanner(&Options{}, "fuzz")
		fl := &flow{media: &mediaStats{}}
		for range 1 + repeat&7 {
			s.mediaPacket(fl, data)
		}
		var st Stream
		classifyStream(&st, fl.media, nil, nil, false)
		if st.Verdict == "" {
			t.Fatal("no verdict")
		}
	})
}
