package sipcheck

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/voipsec/voipsec/srtpcheck"
)

// FuzzAnswer feeds arbitrary SDP answers to the probe's answer handling for
// every offer kind: it must never panic, and what it reports must be
// consistent (a secure answer is accepted; no key material in the summary).
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\r\n",
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n",
		"v=0\r\nc=IN IP6 ::1\r\nm=audio 4000 UDP/TLS/RTP/SAVP 0\r\na=fingerprint:sha-256 AB:CD\r\na=setup:active\r\n",
		hostileSDP,
		"",
	} {
		f.Add(s)
	}
	offers := map[Offer]*srtpcheck.Offer{}
	addr := netip.MustParseAddrPort("127.0.0.1:40000")
	for _, k := range Offers {
		o, err := srtpcheck.NewOffer(srtpcheck.OfferConfig{Kind: k, Addr: addr})
		if err != nil {
			f.Fatal(err)
		}
		offers[k] = o
	}
	f.Fuzz(func(t *testing.T, body string) {
		for k, o := range offers {
			a := analyze(o, []byte(body))
			if a.Secure() && a.Port == 0 {
				t.Fatalf("%s: secure answer on port 0", k)
			}
			if a.Secure() && a.Plain() {
				t.Fatalf("%s: answer both secure and plain", k)
			}
			for _, c := range a.Crypto {
				if strings.Contains(c, "inline:") && !strings.Contains(c, "inline:<redacted>") {
					t.Fatalf("%s: key material in the report summary %q", k, c)
				}
			}
			a.weak() // must not panic on any answer
		}
	})
}
