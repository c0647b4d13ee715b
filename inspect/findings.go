package inspect

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlswire"
)

// Capture check IDs (report/catalog.go, area "capture").
const (
	CheckSDESKeyExposed = "CAP-SDES-KEY-EXPOSED"
	CheckRTPUnencrypted = "CAP-RTP-UNENCRYPTED"
	CheckTLSNoMTLS      = "CAP-TLS-NO-MTLS"
	CheckTLSVersionWeak = "CAP-TLS-VERSION-WEAK"
	CheckSIPCleartext   = "CAP-SIP-CLEARTEXT"
	CheckMediaPort      = "MEDIA-PORT-OUT-OF-RANGE"
)

// conversation names both directions of a flow the same way.
func conversation(k FlowKey) string {
	a, b := k.Src.String(), k.Dst.String()
	if b < a {
		a, b = b, a
	}
	return k.Transport() + " " + a + " <-> " + b
}

func findings(o *Options, res *Result, msgs []SIPMessage, flows []*flow, all map[FlowKey]*flow) []report.Finding {
	var out []report.Finding
	file := res.File

	// CAP-SIP-CLEARTEXT: one finding per SIP conversation seen in clear.
	type sipConv struct {
		name    string
		n       int
		first   int64
		methods []string
		calls   []string
	}
	convs := map[string]*sipConv{}
	var convOrder []string
	for i := range msgs {
		m := &msgs[i]
		name := conversation(m.Flow)
		c := convs[name]
		if c == nil {
			c = &sipConv{name: name, first: m.Packet}
			convs[name] = c
			convOrder = append(convOrder, name)
		}
		c.n++
		label := m.Method
		if m.Status != 0 {
			label = fmt.Sprint(m.Status)
		}
		if !slices.Contains(c.methods, label) && len(c.methods) < 12 {
			c.methods = append(c.methods, label)
		}
		if m.CallID != "" && !slices.Contains(c.calls, m.CallID) && len(c.calls) < 8 {
			c.calls = append(c.calls, m.CallID)
		}
	}
	for _, name := range convOrder {
		c := convs[name]
		out = append(out, report.Newf(CheckSIPCleartext, name,
			"%d SIP messages in cleartext (%s), first at packet %d", c.n, strings.Join(c.methods, ", "), c.first).
			WithDetail("Call-IDs: %s", strings.Join(c.calls, ", ")))
	}
	if len(convOrder) == 0 {
		out = append(out, report.Passed(CheckSIPCleartext, file, "no cleartext SIP in the capture"))
	}

	// CAP-SDES-KEY-EXPOSED: every cleartext SIP message carrying a=crypto.
	exposed := 0
	rowOf := make(map[*flow]int, len(res.Streams)) // a flow's stream row (resolve makes at most one)
	for i := range res.Streams {
		rowOf[res.Streams[i].flow] = i
	}
	bySrc := map[Endpoint][]*flow{}
	for _, fl := range flows {
		if fl.media != nil && fl.key.Proto == protoUDP {
			bySrc[fl.key.Src] = append(bySrc[fl.key.Src], fl)
		}
	}
	for i := range msgs {
		m := &msgs[i]
		if m.SDP == nil {
			continue
		}
		var lines []string
		var protects []string
		for j := range m.SDP.Media {
			md := &m.SDP.Media[j]
			if len(md.Crypto) == 0 {
				continue
			}
			sender := Endpoint{Addr: md.Conn.As16(), Port: md.Port}
			for _, c := range md.Crypto {
				lines = append(lines, cryptoLine(&c, o.ShowKeys))
			}
			desc := fmt.Sprintf("%s stream sent from %s", md.Type, sender)
			// The stream this key protects is what the SDP's author sends:
			// the flow from its announced address (symmetric RTP).
			var verified []string
			for _, fl := range bySrc[sender] {
				desc = fmt.Sprintf("%s stream %s", md.Type, fl.key)
				row, ok := rowOf[fl]
				if !ok {
					row = -1
				}
				verified = append(verified, verifyStream(md, fl, res, row)...)
			}
			protects = append(protects, desc)
			if len(verified) > 0 {
				protects = append(protects, verified...)
			} else {
				protects = append(protects, "  key not verified: no SRTP packets of this stream in the capture")
			}
		}
		if len(lines) == 0 {
			continue
		}
		exposed++
		what := m.Method
		if m.Status != 0 {
			what = fmt.Sprintf("%d response to %s", m.Status, m.Method)
		}
		f := report.Newf(CheckSDESKeyExposed, "call "+m.CallID,
			"SDES key in cleartext SIP %s at packet %d (%s)", what, m.Packet, m.Flow)
		detail := append([]string{}, lines...)
		detail = append(detail, protects...)
		if !o.ShowKeys {
			detail = append(detail, "keys redacted; --show-keys prints them")
		}
		out = append(out, f.WithDetail("%s", strings.Join(detail, "\n")))
	}
	if exposed == 0 {
		out = append(out, report.Passed(CheckSDESKeyExposed, file, "no a=crypto key in cleartext SIP"))
	}

	// CAP-RTP-UNENCRYPTED: streams in clear RTP.
	clear := 0
	for i := range res.Streams {
		st := &res.Streams[i]
		if st.Verdict != "RTP" {
			continue
		}
		clear++
		summary := fmt.Sprintf("clear RTP: %d packets, SSRC %s, PT %d", st.RTP, st.SSRC, st.PayloadType)
		if st.srtpNeg {
			summary = fmt.Sprintf("SRTP negotiated but clear RTP on the wire: %d packets, SSRC %s", st.RTP, st.SSRC)
		}
		d := st.How
		if st.CallID != "" {
			d = "call " + st.CallID + "; " + d
		}
		out = append(out, report.New(CheckRTPUnencrypted, st.key.String(), summary).WithDetail("%s", d))
	}
	if clear == 0 {
		out = append(out, report.Passed(CheckRTPUnencrypted, file, "no clear RTP stream"))
	}

	// TLS: versions and mutual TLS on SIP ports.
	weak, nomtls := 0, 0
	for _, t := range res.TLS {
		if !t.ServerHello {
			continue
		}
		target := "tls " + t.ClientAddr + " > " + t.ServerAddr
		if tlswire.VersionDeprecated(t.VersionCode) {
			weak++
			out = append(out, report.Newf(CheckTLSVersionWeak, target, "%s negotiated (packet %d)", t.Version, t.FirstPacket).
				WithDetail("client offered up to %s; suite %s", t.OfferedMax, t.CipherSuite))
		}
		if !o.isSIPPort(t.Server.Port) && !o.isSIPPort(t.Client.Port) {
			continue
		}
		switch {
		case t.VersionCode == tlswire.VersionTLS13:
			nomtls++
			out = append(out, report.New(CheckTLSNoMTLS, target,
				"TLS 1.3: certificates are encrypted, mutual TLS cannot be judged from the capture").WithSeverity(report.Info))
		case !t.CertRequested:
			nomtls++
			out = append(out, report.Newf(CheckTLSNoMTLS, target, "server did not request a client certificate (%s)", t.Version).
				WithDetail("%s", tlsDetail(&t)))
		case !t.ClientCertSeen || t.ClientCerts == 0:
			nomtls++
			out = append(out, report.Newf(CheckTLSNoMTLS, target, "client certificate requested, client sent none (%s)", t.Version).
				WithDetail("%s", tlsDetail(&t)))
		default:
			out = append(out, report.Passed(CheckTLSNoMTLS, target,
				fmt.Sprintf("mutual TLS: server requested a certificate, client sent %d", t.ClientCerts)).WithDetail("%s", tlsDetail(&t)))
		}
	}
	if weak == 0 {
		out = append(out, report.Passed(CheckTLSVersionWeak, file, "no deprecated TLS version negotiated"))
	}
	if nomtls == 0 && len(res.TLS) == 0 {
		out = append(out, report.Passed(CheckTLSNoMTLS, file, "no TLS session on a SIP port"))
	}

	// MEDIA-PORT-OUT-OF-RANGE.
	if o.MediaPorts != nil {
		bad := 0
		for i := range res.Streams {
			st := &res.Streams[i]
			if st.RTP == 0 && st.RTCP == 0 {
				continue
			}
			var ports []string
			for _, p := range []uint16{st.key.Src.Port, st.key.Dst.Port} {
				if !inRanges(o.MediaPorts, p) {
					ports = append(ports, fmt.Sprint(p))
				}
			}
			if len(ports) > 0 {
				bad++
				out = append(out, report.Newf(CheckMediaPort, st.key.String(), "media on port %s, outside %s",
					strings.Join(ports, " and "), rangesString(o.MediaPorts)))
			}
		}
		if bad == 0 {
			out = append(out, report.Passed(CheckMediaPort, file, "all media inside "+rangesString(o.MediaPorts)))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
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

// verifyStream checks each a=crypto key of md against the kept packets of fl
// and records the outcome on the flow's stream row, res.Streams[row] (none
// when row is -1).
func verifyStream(md *SDPMedia, fl *flow, res *Result, row int) []string {
	var out []string
	samples := fl.media.samples
	if len(samples) == 0 {
		return nil
	}
	for _, c := range md.Crypto {
		if c.Scale {
			continue
		}
		kc := verifyKey(&c, samples)
		var s string
		switch {
		case kc.ok > 0:
			s = fmt.Sprintf("  key verified (pion/srtp): tag %d authenticates %d of %d captured SRTP packets of this stream (packets %s) - the leak is real",
				c.Tag, kc.ok, kc.tried, packetList(fl.media.sampleNums))
		case kc.err != "":
			s = fmt.Sprintf("  key tag %d not verified: %s", c.Tag, kc.err)
		}
		if s == "" {
			continue
		}
		out = append(out, s)
		if row >= 0 && (kc.ok > 0 || res.Streams[row].KeyCheck == "") {
			if kc.ok > 0 {
				res.Streams[row].KeyCheck = fmt.Sprintf("exposed key tag %d verified on %d/%d packets", c.Tag, kc.ok, kc.tried)
			} else {
				res.Streams[row].KeyCheck = "exposed key did not verify"
			}
		}
		if kc.ok > 0 {
			break
		}
	}
	return out
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
