package tlsprobe

import "github.com/voipsec/voipsec/tlswire"

// suitesFor lists the suites to offer in a ClientHello of version v.
func suitesFor(v uint16) []uint16 {
	var out []uint16
	for _, s := range tlswire.CipherSuites() {
		if v == tlswire.VersionTLS13 {
			if s.MinVersion == tlswire.VersionTLS13 {
				out = append(out, s.ID)
			}
			continue
		}
		if s.MaxVersion >= v && s.MinVersion <= v && s.MinVersion != tlswire.VersionTLS13 {
			out = append(out, s.ID)
		}
		// Suites first defined for TLS 1.0 were used with SSL 3.0 too.
		if v == tlswire.VersionSSL30 && s.MinVersion == tlswire.VersionTLS10 {
			out = append(out, s.ID)
		}
	}
	return out
}
