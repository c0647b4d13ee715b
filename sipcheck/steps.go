package sipcheck

import (
	"fmt"
	"strings"

	"github.com/voipsec/voipsec/tlsprobe"
)

// The outcomes of finished steps as [Config.Progress] reports them: what
// was seen, in a few words, without judging it.

// tlsWords is the TLS step's outcome: "TLS 1.2,
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; client certificate required,
// accepted; 2 versions accepted", or why no handshake completed.
func tlsWords(tr *tlsprobe.Result) string {
	if tr == nil {
		return "not run"
	}
	if tr.Handshake == nil {
		if e := tr.Steps.Handshake.Error; e != "" {
			return e
		}
		return string(tr.Status)
	}
	parts := []string{tr.Handshake.Version + ", " + tr.Handshake.CipherSuite}
	if m := tr.MTLS; m != nil {
		switch {
		case !m.CertificateRequested:
			parts = append(parts, "no client certificate requested")
		case m.AcceptedWithoutClientCert != nil && !*m.AcceptedWithoutClientCert:
			parts = append(parts, "client certificate required")
		default:
			parts = append(parts, "client certificate requested")
		}
		if a := m.ClientCertAccepted; a != nil {
			if *a {
				parts[len(parts)-1] += ", ours accepted"
			} else {
				parts[len(parts)-1] += ", ours refused"
			}
		}
	}
	if len(tr.Versions) > 0 {
		n := 0
		for _, v := range tr.Versions {
			if v.Accepted {
				n++
			}
		}
		parts = append(parts, plural(n, "version")+" accepted")
	}
	return strings.Join(parts, "; ")
}

// words is an OPTIONS answer's outcome: "200 OK in 2.1 ms", "no answer in
// time", "connection refused".
func (o OptionsResult) words() string {
	switch {
	case o.Code != 0:
		return fmt.Sprintf("%d %s in %.1f ms", o.Code, o.Reason, o.RTTMillis)
	case o.Error != "":
		return o.Error
	}
	return string(o.Status)
}

// words is an offer's outcome with its answer: "200 OK (RTP/SAVP port
// 40000, AES_CM_128_HMAC_SHA1_80)", "488 Not Acceptable Here".
func (o OfferResult) words() string {
	return strings.TrimPrefix(o.Evidence(), o.Name+" → ")
}

// words is a media window's outcome: "sent 15, received 31, authenticated
// 31, failed 0", or what went wrong.
func (m *MediaResult) words() string {
	switch {
	case m == nil:
		return "not run"
	case m.Error != "":
		return m.Error
	case m.Interrupted && m.Received == 0:
		return "interrupted"
	}
	return fmt.Sprintf("sent %d, received %d, authenticated %d, failed %d", m.Sent, m.Received, m.Authenticated, m.Failed)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
