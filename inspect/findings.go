package inspect

import (
	"fmt"
	"strings"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// Capture check IDs (report/catalog.go, area "capture").
//
// Every capture check is reported only when the capture holds what it
// judges; a check with nothing to judge is left out, never passed:
// CAP-SIP-CLEARTEXT needs SIP (in clear, or TLS on a SIP port),
// CAP-SDES-KEY-EXPOSED an SDP body in cleartext SIP, CAP-RTP-UNENCRYPTED an
// RTP stream, CAP-TLS-VERSION-WEAK a TLS session that reached a
// ServerHello, CAP-TLS-NO-MTLS such a session on a SIP port, and
// MEDIA-PORT-OUT-OF-RANGE (with --media-ports) an SDP m= line with a port.
// A capture in which none applies gives one inconclusive finding.
const (
	CheckSDESKeyExposed = "CAP-SDES-KEY-EXPOSED"
	CheckRTPUnencrypted = "CAP-RTP-UNENCRYPTED"
	CheckTLSNoMTLS      = "CAP-TLS-NO-MTLS"
	CheckTLSVersionWeak = "CAP-TLS-VERSION-WEAK"
	CheckSIPCleartext   = "CAP-SIP-CLEARTEXT"
	CheckMediaPort      = "MEDIA-PORT-OUT-OF-RANGE"
)

func weakVersion(t *TLSSession) bool { return tlswire.VersionDeprecated(t.VersionCode) }

// refusesCertificate reports whether a fatal alert says the server would
// not take the client's certificate, or the lack of one (RFC 5246 §7.2.2,
// RFC 8446 §6.2).
func refusesCertificate(d uint8) bool {
	switch d {
	case 40, 41, 42, 43, 44, 45, 46, 48, 49, 51, 116:
		// handshake_failure, no_certificate, bad_certificate,
		// unsupported_certificate, certificate_revoked, certificate_expired,
		// certificate_unknown, unknown_ca, access_denied, decrypt_error,
		// certificate_required
		return true
	}
	return false
}

// judgeMTLS decides CAP-TLS-NO-MTLS for one session that reached a
// ServerHello, from the facts of its handshake and how it ended:
//
//   - TLS 1.3 hides the certificates: info, not judged;
//   - a server that finished its first flight (ServerHelloDone) without a
//     CertificateRequest does not require mutual TLS: fail;
//   - a server that asked for a certificate and then refused the client's
//     (fatal unknown_ca, bad_certificate, ...) or its absence (fatal
//     handshake_failure, certificate_required) enforces mutual TLS: pass;
//   - a completed handshake after a request: pass when the client sent a
//     certificate, fail when it sent none and the server went on;
//   - anything else (reset, cut off, an alert from the client, the server's
//     flight not in the capture) is not a completed mutual-TLS session and
//     decides nothing: inconclusive.
func judgeMTLS(t *TLSSession) uint8 {
	switch {
	case t.VersionCode == tlswire.VersionTLS13:
		return outTLS13
	case !t.CertRequested && t.ServerFlightDone:
		return outNotRequested
	case !t.CertRequested:
		return outNoServerFlight
	case t.alertFrom == "server" && refusesCertificate(t.alertDesc) && t.ClientCertSeen:
		return outRefused
	case t.End != "completed":
		return outIncomplete
	case t.ClientCerts > 0:
		return outMTLS
	}
	return outNoneSent
}

// mtlsFinding writes a CAP-TLS-NO-MTLS accumulator.
func mtlsFinding(a *acc, target string, ex []string) report.Finding {
	one := a.n == 1
	in := fmt.Sprintf(" in %s (%s), %s", plural(a.n, "session"), labels(a), spanText(a))
	var f report.Finding
	switch a.out {
	case outNotRequested:
		if one {
			f = report.Newf(CheckTLSNoMTLS, target, "server did not request a client certificate (%s)", labels(a))
		} else {
			f = report.New(CheckTLSNoMTLS, target, "server did not request a client certificate"+in)
		}
	case outNoneSent:
		if one {
			f = report.Newf(CheckTLSNoMTLS, target, "client certificate requested, client sent none (%s)", labels(a))
		} else {
			f = report.New(CheckTLSNoMTLS, target, "client certificate requested, client sent none and the server went on,"+in)
		}
	case outMTLS:
		if one {
			f = report.Passed(CheckTLSNoMTLS, target, fmt.Sprintf("mutual TLS: server requested a certificate, client sent %d", a.k[0]))
		} else {
			f = report.Passed(CheckTLSNoMTLS, target, "mutual TLS: server requested a certificate and the client sent one,"+in)
		}
	case outRefused:
		f = report.Passed(CheckTLSNoMTLS, target, "mutual TLS enforced: the server refused the client's certificate,"+in)
	case outTLS13:
		f = report.New(CheckTLSNoMTLS, target, "TLS 1.3: certificates are encrypted, mutual TLS cannot be judged from the capture").
			WithSeverity(report.Info)
		if !one {
			f.Summary += fmt.Sprintf(" (%s)", plural(a.n, "session"))
		}
	case outNoServerFlight:
		f = report.CouldNotTell(CheckTLSNoMTLS, target,
			"the server's first flight is not in the capture, so whether it asks for a client certificate is not known:"+in,
			"capture whole TLS handshakes: start the capture before the connections open")
	default:
		f = report.CouldNotTell(CheckTLSNoMTLS, target,
			"certificate requested but the handshake did not complete, so this is not a completed mutual-TLS session:"+in,
			"capture whole TLS handshakes: start the capture before the connections open and stop it after they end")
	}
	return f.WithDetail("%s", strings.Join(withHead(examplesHead(a.n, len(ex), "session"), ex), "\n"))
}

func cryptoLine(c *Crypto, show bool) string {
	attr := "a=crypto:"
	if c.Scale {
		attr = "a=cryptoscale:"
	}
	line := c.Line
	if show {
		line = strings.Replace(line, "<redacted>", c.KeyText, 1)
	}
	s := attr + line
	var kp []string
	if c.Lifetime != "" {
		kp = append(kp, "lifetime "+c.Lifetime)
	}
	if c.MKILen > 0 {
		kp = append(kp, fmt.Sprintf("MKI %d (%d byte)", c.MKI, c.MKILen))
	}
	if len(kp) > 0 {
		s += " [" + strings.Join(kp, ", ") + "]"
	}
	return s
}

// verifyStream checks each a=crypto key of md against the kept packets of
// a stream its author sent, and records the outcome on its row. It
// returns the evidence lines, whether a key authenticated the packets, and
// whether any was checked.
func verifyStream(md *SDPMedia, m *mediaStats, st *Stream) (lines []string, ok, tried bool) {
	if len(m.samples) == 0 {
		return nil, false, false
	}
	for i := range md.Crypto {
		c := &md.Crypto[i]
		if c.Scale {
			continue
		}
		kc := verifyKey(c, m.samples)
		var s string
		switch {
		case kc.ok > 0:
			s = fmt.Sprintf("  key verified (pion/srtp): tag %d authenticates %d of %d captured SRTP packets of this stream (packets %s) - the leak is real",
				c.Tag, kc.ok, kc.tried, packetList(m.sampleNums))
		case kc.err != "":
			s = fmt.Sprintf("  key tag %d not verified: %s", c.Tag, kc.err)
		}
		if s == "" {
			continue
		}
		tried = true
		lines = append(lines, s)
		if kc.ok > 0 || st.KeyCheck == "" {
			if kc.ok > 0 {
				st.KeyCheck = fmt.Sprintf("exposed key tag %d verified on %d/%d packets", c.Tag, kc.ok, kc.tried)
			} else {
				st.KeyCheck = "exposed key did not verify"
			}
		}
		if kc.ok > 0 {
			return lines, true, true
		}
	}
	return lines, false, tried
}

func packetList(ns []int64) string {
	var b strings.Builder
	for i, n := range ns {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}

func tlsDetail(t *TLSSession) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("version %s, suite %s", t.Version, t.CipherSuite))
	if t.SNI != "" {
		parts = append(parts, "SNI "+t.SNI)
	}
	if len(t.ServerCerts) > 0 {
		c := t.ServerCerts[0]
		parts = append(parts, fmt.Sprintf("server certificate %s (SANs %s; valid %s to %s)", c.Subject,
			strings.Join(c.DNSNames, ","), c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02")))
	}
	if t.CertRequested {
		parts = append(parts, fmt.Sprintf("CertificateRequest with %d CA names", t.CANames))
	} else {
		parts = append(parts, "no CertificateRequest")
	}
	if t.ClientCertSeen {
		parts = append(parts, fmt.Sprintf("client Certificate message with %d certificates", t.ClientCerts))
	}
	return strings.Join(parts, "; ")
}
