package sipcheck

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Interim SDP handling until srtpcheck's offer builder and answer analyser
// are wired in: enough to classify answers by profile and security lines.

// Answer is what the probe needs to know about an SDP answer.
type Answer struct {
	Profile     string   `json:"profile,omitempty"`     // m= line transport profile
	Port        int      `json:"port,omitempty"`        // m= port; 0 means the stream was refused
	Addr        string   `json:"addr,omitempty"`        // c= address
	Crypto      []string `json:"crypto,omitempty"`      // "tag suite [MKI v:len] [params]" without keys
	Encryption  string   `json:"encryption,omitempty"`  // a=encryption value
	Fingerprint string   `json:"fingerprint,omitempty"` // a=fingerprint (hash + value)
	Setup       string   `json:"setup,omitempty"`       // a=setup
	Suite       string   `json:"suite,omitempty"`       // chosen SDES suite
	Problems    []string `json:"problems,omitempty"`    // malformed or hostile content
	HasKeys     bool     `json:"carries_sdes_keys"`     // a=crypto with inline keys was present
}

// Secure reports whether the answer accepted SRTP: SAVP with a crypto line,
// or UDP/TLS/RTP/SAVP with a fingerprint, on a non-zero port.
func (a *Answer) Secure() bool {
	if a == nil || a.Port == 0 {
		return false
	}
	p := strings.ToUpper(a.Profile)
	switch {
	case strings.Contains(p, "TLS") && strings.HasSuffix(p, "SAVP"):
		return a.Fingerprint != ""
	case strings.HasSuffix(p, "SAVP"):
		return len(a.Crypto) > 0
	}
	return false
}

// Plain reports an RTP/AVP answer without crypto on a live port.
func (a *Answer) Plain() bool {
	return a != nil && a.Port != 0 && strings.HasSuffix(strings.ToUpper(a.Profile), "/AVP") && len(a.Crypto) == 0
}

// parseAnswer reads the first audio section of an SDP answer. It never
// fails: problems are recorded for the report.
func parseAnswer(b []byte) *Answer {
	a := &Answer{}
	if len(b) == 0 {
		a.Problems = append(a.Problems, "empty SDP body")
		return a
	}
	if len(b) > maxBody {
		a.Problems = append(a.Problems, "SDP larger than 16 KiB, truncated")
		b = b[:maxBody]
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4096), maxBody)
	inAudio, seenAudio, lines := false, false, 0
	for sc.Scan() {
		lines++
		if lines > 512 {
			a.Problems = append(a.Problems, "more than 512 SDP lines")
			break
		}
		l := strings.TrimRight(sc.Text(), "\r")
		if len(l) < 2 || l[1] != '=' {
			continue
		}
		v := l[2:]
		switch l[0] {
		case 'm':
			if seenAudio {
				inAudio = false
				continue
			}
			f := strings.Fields(v)
			if len(f) >= 3 && f[0] == "audio" {
				inAudio, seenAudio = true, true
				p, err := strconv.Atoi(f[1])
				if err != nil || p < 0 || p > 65535 {
					a.Problems = append(a.Problems, "bad m= port "+clip(f[1], 16))
				}
				a.Port, a.Profile = p, clip(f[2], 32)
			}
		case 'c':
			f := strings.Fields(v)
			if len(f) == 3 && (a.Addr == "" || inAudio) {
				if ip, err := netip.ParseAddr(f[2]); err == nil {
					a.Addr = ip.String()
				} else {
					a.Problems = append(a.Problems, "bad c= address "+clip(f[2], 64))
				}
			}
		case 'a':
			name, val, _ := strings.Cut(v, ":")
			if !inAudio && name != "fingerprint" && name != "setup" && name != "encryption" {
				continue
			}
			switch strings.ToLower(name) {
			case "crypto":
				f := strings.Fields(val)
				if len(f) < 3 || !strings.HasPrefix(f[2], "inline:") {
					a.Problems = append(a.Problems, "malformed a=crypto")
					continue
				}
				a.HasKeys = true
				desc := f[0] + " " + clip(f[1], 40)
				if parts := strings.Split(f[2], "|"); len(parts) == 3 {
					desc += " MKI " + clip(parts[2], 16)
				}
				if len(f) > 3 {
					desc += " " + clip(strings.Join(f[3:], " "), 80)
				}
				if len(a.Crypto) < 8 {
					a.Crypto = append(a.Crypto, desc)
				}
				if a.Suite == "" {
					a.Suite = clip(f[1], 40)
				}
			case "encryption":
				a.Encryption = clip(val, 16)
			case "fingerprint":
				a.Fingerprint = clip(val, 200)
			case "setup":
				a.Setup = clip(val, 16)
			}
		}
	}
	if !seenAudio {
		a.Problems = append(a.Problems, "no audio media section")
	}
	return a
}

// offerSDP builds the offer body. Keys come from crypto/rand and are never
// printed.
func offerSDP(kind Offer, local netip.Addr, port int, fingerprint string) ([]byte, error) {
	ipv := "IP4"
	if local.Is6() {
		ipv = "IP6"
	}
	key := func() (string, error) {
		k := make([]byte, 30)
		if _, err := rand.Read(k); err != nil {
			return "", fmt.Errorf("sipcheck: key from crypto/rand: %w", err)
		}
		return base64.StdEncoding.EncodeToString(k), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=voipsec 1 1 IN %s %s\r\ns=voipsec probe\r\nc=IN %s %s\r\nt=0 0\r\n", ipv, local, ipv, local)
	profile := "RTP/AVP"
	switch kind {
	case OfferSDES:
		profile = "RTP/SAVP"
	case OfferDTLS:
		profile = "UDP/TLS/RTP/SAVP"
	}
	fmt.Fprintf(&b, "m=audio %d %s 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n", port, profile)
	switch kind {
	case OfferSDES:
		k1, err := key()
		if err != nil {
			return nil, err
		}
		k2, err := key()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:%s\r\n", k1, k2)
	case OfferMSOptional, OfferMSRequired, OfferMSOptionalA:
		k, err := key()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31|1:1\r\n", k)
		if kind == OfferMSRequired {
			b.WriteString("a=encryption:required\r\n")
		} else if kind == OfferMSOptionalA {
			b.WriteString("a=encryption:optional\r\n")
		}
	case OfferDTLS:
		fmt.Fprintf(&b, "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\n", fingerprint)
	}
	return []byte(b.String()), nil
}
