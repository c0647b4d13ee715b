// Package gpbaseline is the benchmark baseline for the inspect core: the
// same classification written the usual way with
// github.com/gopacket/gopacket, so that a speed ratio compares like with
// like. It is not used by voipsec itself.
//
// What it does, per packet: the pcapgo reader (or NgReader) with
// ZeroCopyReadPacketData; a DecodingLayerParser over Ethernet, 802.1Q,
// Linux SLL2, IPv4, IPv6, UDP and TCP; a flow map keyed by gopacket's
// network and transport Flows. Per flow, what the core decides:
//
//   - SIP over UDP, and over TCP reassembled in order per direction: the
//     start line, Call-ID, CSeq and Content-Type headers, and the SDP body
//     (c=, m=, a=crypto, a=fingerprint, a=rtcp-mux, a=rtcp, a=encryption),
//     kept per call and per announced media endpoint;
//   - TLS on TCP: records and handshake messages (the project's tlswire
//     decoders), every certificate parsed with crypto/x509, whether a
//     CertificateRequest and a client Certificate were sent, plaintext
//     alerts;
//   - UDP media by RFC 7983 first byte: STUN, DTLS, RTP and RTCP, with the
//     core's RTP evidence (SSRC, payload type, frame and frame+tag lengths,
//     the byte entropy of one payload in 16) and SRTCP trailers;
//   - after the scan, a verdict per media flow: SRTP or RTP from the SDP
//     that announced its endpoint, else from the wire evidence.
//
// It keeps every flow and call until the end, like most tools written this
// way, and produces counts, not a report.
package gpbaseline

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/voipsec/voipsec/tlswire"
)

// Counts is what the baseline tallies.
type Counts struct {
	Packets, Bytes, UDP, TCP, RTP, RTCP, STUN, DTLS, SIP, Flows int64
	Calls                                                       int64 // distinct Call-IDs
	SRTPStreams, RTPStreams, UnknownStreams                     int64
	TLSSessions, CertsParsed, CertRequests, ClientCerts         int64
	Alerts                                                      int64
}

type flowKey struct{ net, tr gopacket.Flow }

type tlsConn struct {
	client                           flowKey
	haveClient, serverHello, certReq bool
	clientCert                       int
	encrypted                        [2]bool
	asm                              [2]tlswire.HandshakeAssembler
	version                          uint16
}

type flow struct {
	key            flowKey
	packets, bytes int64
	role           int
	// media
	rtp, rtcp, stun, dtls, fixed, tagged, sampled, random, rtcpE int64
	ssrc                                                         uint32
	pt                                                           uint8
	// TCP
	synced bool
	next   uint32
	buf    []byte
	tls    *tlsConn
}

const (
	roleUnknown = iota
	roleSIP
	roleTLS
	roleMedia
	roleOther
)

type packetSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

type state struct {
	c         Counts
	flows     map[flowKey]*flow
	calls     map[string]bool
	endpoints map[netip.AddrPort]bool // announced media endpoint: SRTP asked for
}

// Run reads a pcap or pcapng stream and classifies it.
func Run(r io.Reader, pcapng bool) (Counts, error) {
	st := &state{flows: map[flowKey]*flow{}, calls: map[string]bool{}, endpoints: map[netip.AddrPort]bool{}}
	var src packetSource
	var first layers.LinkType
	if pcapng {
		ng, err := pcapgo.NewNgReader(r, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return st.c, fmt.Errorf("gpbaseline: %w", err)
		}
		src, first = ng, ng.LinkType()
	} else {
		pr, err := pcapgo.NewReader(r)
		if err != nil {
			return st.c, fmt.Errorf("gpbaseline: %w", err)
		}
		src, first = pr, pr.LinkType()
	}
	var (
		eth     layers.Ethernet
		dot1q   layers.Dot1Q
		sll2    layers.LinuxSLL2
		ip4     layers.IPv4
		ip6     layers.IPv6
		udp     layers.UDP
		tcp     layers.TCP
		payload gopacket.Payload
	)
	// One parser per link type: pcapng interfaces may differ.
	ethParser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &dot1q, &ip4, &ip6, &udp, &tcp, &payload)
	sllParser := gopacket.NewDecodingLayerParser(layers.LayerTypeLinuxSLL2, &sll2, &ip4, &ip6, &udp, &tcp, &payload)
	ethParser.IgnoreUnsupported = true
	sllParser.IgnoreUnsupported = true
	var ifaceLinks []layers.LinkType
	if ng, ok := src.(*pcapgo.NgReader); ok {
		for i := 0; i < ng.NInterfaces(); i++ {
			ifc, _ := ng.Interface(i)
			ifaceLinks = append(ifaceLinks, ifc.LinkType)
		}
	}
	decoded := make([]gopacket.LayerType, 0, 8)
	for {
		data, ci, err := src.ZeroCopyReadPacketData()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return st.c, err
		}
		st.c.Packets++
		st.c.Bytes += int64(len(data))
		parser := ethParser
		link := first
		if len(ci.AncillaryData) > 0 {
			if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				link = lt
			}
		} else if ci.InterfaceIndex < len(ifaceLinks) {
			link = ifaceLinks[ci.InterfaceIndex]
		}
		if link == layers.LinkTypeLinuxSLL2 {
			parser = sllParser
		}
		if err := parser.DecodeLayers(data, &decoded); err != nil && len(decoded) == 0 {
			continue
		}
		var key flowKey
		var app []byte
		isUDP, isTCP := false, false
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				key.net = ip4.NetworkFlow()
			case layers.LayerTypeIPv6:
				key.net = ip6.NetworkFlow()
			case layers.LayerTypeUDP:
				isUDP, app = true, udp.Payload
				key.tr = udp.TransportFlow()
			case layers.LayerTypeTCP:
				isTCP, app = true, tcp.Payload
				key.tr = tcp.TransportFlow()
			}
		}
		if !isUDP && !isTCP {
			continue
		}
		fl := st.flows[key]
		if fl == nil {
			fl = &flow{key: key}
			st.flows[key] = fl
		}
		fl.packets++
		fl.bytes += int64(len(app))
		if isUDP {
			st.c.UDP++
			st.udp(fl, app)
		} else {
			st.c.TCP++
			st.tcp(fl, &tcp, app)
		}
	}
	st.finish()
	return st.c, nil
}

func (st *state) udp(fl *flow, app []byte) {
	if len(app) == 0 {
		return
	}
	if fl.role == roleSIP || (fl.role == roleUnknown && isSIPStart(app)) {
		fl.role = roleSIP
		st.sipMessage(app)
		return
	}
	fl.role = roleMedia
	switch b := app[0]; {
	case b <= 3:
		st.c.STUN++
		fl.stun++
	case b >= 20 && b <= 63:
		st.c.DTLS++
		fl.dtls++
	case b >= 128 && b <= 191 && len(app) >= 12:
		if app[1] >= 192 && app[1] <= 223 {
			st.c.RTCP++
			fl.rtcp++
			if len(app) >= 8+14 && app[len(app)-14]&0x80 != 0 {
				fl.rtcpE++
			}
			return
		}
		st.c.RTP++
		fl.rtp++
		fl.ssrc = uint32(app[8])<<24 | uint32(app[9])<<16 | uint32(app[10])<<8 | uint32(app[11])
		fl.pt = app[1] & 0x7f
		n := 12 + int(app[0]&0x0f)*4
		if n > len(app) {
			return
		}
		p := app[n:]
		switch len(p) % 80 {
		case 0:
			fl.fixed++
		case 10, 4, 11, 5:
			fl.tagged++
		}
		if seq := uint16(app[2])<<8 | uint16(app[3]); seq%16 == 0 && len(p) >= 32 {
			fl.sampled++
			var seen [256]bool
			distinct := 0
			for _, x := range p[:min(len(p), 256)] {
				if !seen[x] {
					seen[x] = true
					distinct++
				}
			}
			if distinct*4 > min(len(p), 256)*2 {
				fl.random++
			}
		}
	}
}

func isSIPStart(b []byte) bool {
	line, _, _ := bytes.Cut(b[:min(len(b), 256)], []byte("\n"))
	return bytes.HasPrefix(line, []byte("SIP/2.0 ")) || bytes.HasSuffix(bytes.TrimSpace(line), []byte(" SIP/2.0"))
}

// sipMessage parses one SIP message the usual way: lines, headers, SDP.
func (st *state) sipMessage(b []byte) {
	st.c.SIP++
	msg := string(b)
	head, body, _ := strings.Cut(msg, "\r\n\r\n")
	headers := map[string]string{}
	for i, line := range strings.Split(head, "\r\n") {
		if i == 0 {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if ok {
			headers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
		}
	}
	id := headers["call-id"]
	if id == "" {
		id = headers["i"]
	}
	st.calls[id] = true
	ctype := headers["content-type"]
	if !strings.HasPrefix(strings.ToLower(ctype), "application/sdp") || body == "" {
		return
	}
	var conn netip.Addr
	var cur *netip.AddrPort
	secure := false
	flush := func() {
		if cur != nil {
			st.endpoints[*cur] = secure
		}
	}
	for _, line := range strings.Split(body, "\r\n") {
		switch {
		case strings.HasPrefix(line, "c="):
			f := strings.Fields(line[2:])
			if len(f) == 3 {
				conn, _ = netip.ParseAddr(f[2])
			}
		case strings.HasPrefix(line, "m="):
			flush()
			f := strings.Fields(line[2:])
			if len(f) < 3 {
				cur = nil
				continue
			}
			port, _ := strconv.Atoi(f[1])
			ap := netip.AddrPortFrom(conn, uint16(port))
			cur, secure = &ap, strings.Contains(f[2], "SAVP")
		case strings.HasPrefix(line, "a=crypto:"), strings.HasPrefix(line, "a=fingerprint:"), line == "a=encryption:required":
			secure = true
		}
	}
	flush()
}

func (st *state) tcp(fl *flow, t *layers.TCP, app []byte) {
	if t.SYN {
		fl.synced, fl.next = true, t.Seq+1
		return
	}
	if len(app) == 0 || fl.role == roleOther {
		return
	}
	if fl.role == roleUnknown {
		switch {
		case tlswire.LooksLikeRecord(app):
			fl.role = roleTLS
			rev := st.flows[flowKey{fl.key.net.Reverse(), fl.key.tr.Reverse()}]
			if rev != nil && rev.tls != nil {
				fl.tls = rev.tls
			} else {
				fl.tls = &tlsConn{}
				st.c.TLSSessions++
			}
		case isSIPStart(app) || t.SrcPort == 5060 || t.DstPort == 5060:
			fl.role = roleSIP
		default:
			fl.role = roleOther
			return
		}
	}
	if !fl.synced {
		fl.synced, fl.next = true, t.Seq
	}
	if t.Seq != fl.next {
		return // out of order or retransmitted: dropped
	}
	fl.next += uint32(len(app))
	fl.buf = append(fl.buf, app...)
	if fl.role == roleTLS {
		st.tlsRecords(fl)
		return
	}
	for {
		end := bytes.Index(fl.buf, []byte("\r\n\r\n"))
		if end < 0 {
			return
		}
		n := end + 4
		if i := bytes.Index(bytes.ToLower(fl.buf[:end]), []byte("content-length:")); i >= 0 {
			v, _, _ := bytes.Cut(fl.buf[i+15:end], []byte("\r\n"))
			cl, _ := strconv.Atoi(string(bytes.TrimSpace(v)))
			n += cl
		}
		if n > len(fl.buf) {
			return
		}
		st.sipMessage(fl.buf[:n])
		fl.buf = fl.buf[n:]
	}
}

func (st *state) tlsRecords(fl *flow) {
	tc := fl.tls
	var rec tlswire.Record
	for len(fl.buf) > 0 {
		n, err := rec.DecodeFromBytes(fl.buf)
		if err != nil {
			if !errors.Is(err, tlswire.ErrTruncated) {
				fl.buf = nil
			}
			return
		}
		dir := 1
		if tc.haveClient && tc.client == fl.key {
			dir = 0
		}
		switch rec.ContentType {
		case tlswire.RecordChangeCipherSpec:
			tc.encrypted[dir] = true
		case tlswire.RecordAlert:
			if !tc.encrypted[dir] {
				st.c.Alerts++
			}
		case tlswire.RecordHandshake:
			if !tc.encrypted[dir] && !(tc.version == tlswire.VersionTLS13 && dir == 1) {
				st.handshake(fl, tc, dir, rec.Fragment)
			}
		}
		fl.buf = fl.buf[n:]
	}
}

func (st *state) handshake(fl *flow, tc *tlsConn, dir int, frag []byte) {
	a := &tc.asm[dir]
	if a.Write(frag) != nil {
		a.Reset()
		return
	}
	var hs tlswire.Handshake
	for {
		ok, err := a.Next(&hs)
		if err != nil || !ok {
			return
		}
		switch hs.Type {
		case tlswire.ClientHelloType:
			tc.client, tc.haveClient = fl.key, true
		case tlswire.ServerHelloType:
			var sh tlswire.ServerHello
			if sh.DecodeFromBytes(hs.Body) == nil {
				tc.serverHello, tc.version = true, sh.NegotiatedVersion()
			}
		case tlswire.CertificateType:
			var c tlswire.Certificate
			if c.DecodeFromBytes(hs.Body, tc.version == tlswire.VersionTLS13) != nil {
				continue
			}
			if tc.haveClient && tc.client == fl.key {
				tc.clientCert = c.Count
				st.c.ClientCerts += int64(c.Count)
			}
			for _, der := range c.Certificates {
				if _, err := x509.ParseCertificate(der); err == nil {
					st.c.CertsParsed++
				}
			}
		case tlswire.CertificateRequestType:
			tc.certReq = true
			st.c.CertRequests++
		}
	}
}

// finish reaches a verdict for every media flow.
func (st *state) finish() {
	st.c.Flows = int64(len(st.flows))
	st.c.Calls = int64(len(st.calls))
	for _, fl := range st.flows {
		if fl.role != roleMedia || fl.rtp == 0 {
			continue
		}
		addr, _ := netip.AddrFromSlice(fl.key.net.Dst().Raw())
		port := fl.key.tr.Dst().Raw()
		ap := netip.AddrPortFrom(addr.Unmap(), uint16(port[0])<<8|uint16(port[1]))
		secure, known := st.endpoints[ap]
		switch {
		case known && secure, !known && (fl.tagged*2 > fl.rtp || fl.random*2 > fl.sampled && fl.sampled > 0):
			st.c.SRTPStreams++
		case known || fl.fixed*2 > fl.rtp:
			st.c.RTPStreams++
		default:
			st.c.UnknownStreams++
		}
	}
}
