package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/voipsec/voipsec/report"
)

// PortRange is an inclusive range of UDP/TCP ports.
type PortRange struct{ Lo, Hi uint16 }

// ParsePortRanges parses "60000-64000" or "5060,5061,5065-5068".
func ParsePortRanges(s string) ([]PortRange, error) {
	var out []PortRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		l, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		if err != nil || l == 0 {
			return nil, fmt.Errorf("inspect: bad port %q in %q", lo, s)
		}
		h := l
		if isRange {
			if h, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 16); err != nil || h < l {
				return nil, fmt.Errorf("inspect: bad port range %q", part)
			}
		}
		out = append(out, PortRange{uint16(l), uint16(h)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("inspect: empty port list %q", s)
	}
	return out, nil
}

func inRanges(rs []PortRange, p uint16) bool {
	for _, r := range rs {
		if p >= r.Lo && p <= r.Hi {
			return true
		}
	}
	return false
}

func rangesString(rs []PortRange) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		if r.Lo == r.Hi {
			fmt.Fprintf(&b, "%d", r.Lo)
		} else {
			fmt.Fprintf(&b, "%d-%d", r.Lo, r.Hi)
		}
	}
	return b.String()
}

// DefaultSIPPorts are the ports on which a TLS session is taken to carry
// SIP: 5060/5061 (RFC 3261), Exchange UM 5065-5068, Lync 5070-5072.
var DefaultSIPPorts = []PortRange{{5060, 5061}, {5065, 5068}, {5070, 5072}}

// Options control a scan.
type Options struct {
	MediaPorts []PortRange // media must use these ports; nil: not checked
	SIPPorts   []PortRange // TLS on these ports is SIP; nil: DefaultSIPPorts
	ShowKeys   bool        // print SDES keys in findings
	Workers    int         // parallel workers for a file; <= 1: one
	MaxFlows   int         // per worker; 0: DefaultMaxFlows
	Progress   *Progress   // updated during the scan when set
}

func (o *Options) isSIPPort(p uint16) bool {
	if o.SIPPorts == nil {
		return inRanges(DefaultSIPPorts, p)
	}
	return inRanges(o.SIPPorts, p)
}

// Result is the outcome of inspecting one capture.
type Result struct {
	File    string       `json:"file"`
	Format  string       `json:"format"` // pcap or pcapng
	Stats   Stats        `json:"stats"`
	Streams []Stream     `json:"streams"`
	Calls   []Call       `json:"calls"`
	TLS     []TLSSession `json:"tls_sessions"`
	TCPGaps int64        `json:"tcp_gaps"` // holes skipped in SIP/TLS streams
	// TCP segments that arrived ahead of a hole, and already-seen ones
	TCPOutOfOrder    int64            `json:"tcp_out_of_order"`
	TCPRetransmitted int64            `json:"tcp_retransmitted"`
	Findings         []report.Finding `json:"-"`
	// Err is the read error that ended the scan early (a *FormatError);
	// everything above covers the packets before it.
	Err error `json:"-"`
}

// Stream is one row of the per-stream table: one direction of a media flow.
type Stream struct {
	Transport    string `json:"transport"`
	Src          string `json:"src"`
	Dst          string `json:"dst"`
	SSRC         string `json:"ssrc,omitempty"`
	SSRCs        int    `json:"ssrcs,omitempty"`
	PayloadType  int    `json:"payload_type"`
	Codec        string `json:"codec,omitempty"`
	Packets      int64  `json:"packets"`
	Bytes        int64  `json:"bytes"`
	RTP          int64  `json:"rtp"`
	RTCP         int64  `json:"rtcp"`
	STUN         int64  `json:"stun,omitempty"`
	DTLS         int64  `json:"dtls,omitempty"`
	Verdict      string `json:"verdict"` // SRTP, RTP, SRTCP, RTCP, unknown
	Suite        string `json:"suite,omitempty"`
	How          string `json:"how"`
	CallID       string `json:"call_id,omitempty"`
	NegotiatedAt int64  `json:"negotiated_at_packet,omitempty"`
	KeyCheck     string `json:"key_check,omitempty"`
	UseSRTP      string `json:"dtls_use_srtp,omitempty"` // profiles offered in a DTLS ClientHello
	FirstPacket  int64  `json:"first_packet"`

	key     FlowKey
	flow    *flow
	srtpNeg bool // SDP negotiated SRTP
}

// Call is one SIP dialog (by Call-ID).
type Call struct {
	CallID      string   `json:"call_id"`
	Transport   string   `json:"transport"`
	Messages    int      `json:"messages"`
	FirstPacket int64    `json:"first_packet"`
	Methods     []string `json:"methods"`
	SDES        bool     `json:"sdes_keys"`
}

// InspectFile scans the capture at path ("-" is standard input is not
// handled here; use [Inspect]). With opts.Workers > 1 the file is read by
// that many workers, each following its share of the conversations.
func InspectFile(ctx context.Context, path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	workers := max(opts.Workers, 1)
	// A regular file is mapped and parsed in place, each worker populating
	// the window ahead of it and dropping the one behind; anything else is
	// read through the Reader's one buffer.
	data, unmap, mapped := mapFile(f)
	if !mapped {
		return Inspect(ctx, f, path, opts) // a pipe or device: one pass
	}
	defer unmap()
	res, err := inspectChunks(ctx, path, data, opts, workers)
	if err != nil && res == nil {
		return nil, headerErr(err, path)
	}
	return res, err
}

// headerErr names the input in an error that came before the first packet:
// a bad file header, or an input too short to hold one.
func headerErr(err error, name string) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.File = name
		return fe
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &FormatError{File: name, Reason: "empty or too short for a capture header", Err: ErrTruncated}
	}
	return fmt.Errorf("inspect: %s: %w", name, err)
}

func formatName(r *Reader) string {
	if r.IsPCAPNG() {
		return "pcapng"
	}
	return "pcap"
}

// Inspect scans one capture read from r; name labels it in errors and
// findings. A truncated or corrupt capture returns the partial Result with
// a *FormatError (also in Result.Err).
func Inspect(ctx context.Context, r io.Reader, name string, opts Options) (*Result, error) {
	rd, err := NewReader(r)
	if err != nil {
		return nil, headerErr(err, name)
	}
	s := newScanner(&opts)
	err = s.run(ctx, rd, opts.Progress)
	res := mergeScanners(&opts, name, formatName(rd), []*scanner{s})
	return res, res.setErr(err, name)
}

func (res *Result) setErr(err error, name string) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.File = name
	}
	res.Err = err
	return err
}

// sdpRef points at one m= section of one SIP message.
type sdpRef struct {
	msg   *SIPMessage
	media *SDPMedia
	index int // m= line index
}

// resolve reaches the verdicts over the (merged) scan state.
func resolve(o *Options, name, format string, stats Stats, flows []*flow, msgs []SIPMessage, sess []*tlsState) *Result {
	res := &Result{File: name, Format: format, Stats: stats}
	all := make(map[FlowKey]*flow, len(flows))
	for _, fl := range flows {
		all[fl.key] = fl
	}
	sort.Slice(flows, func(i, j int) bool {
		if flows[i].id != flows[j].id {
			return flows[i].id < flows[j].id
		}
		return flows[i].key.String() < flows[j].key.String()
	})
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Packet < msgs[j].Packet })
	sort.SliceStable(sess, func(i, j int) bool { return sess[i].FirstPacket < sess[j].FirstPacket })

	// SDP index: the endpoint each m= section announces it receives on.
	byEndpoint := map[Endpoint][]sdpRef{}
	calls := map[string]*Call{}
	var callOrder []string
	for i := range msgs {
		m := &msgs[i]
		c := calls[m.CallID]
		if c == nil {
			c = &Call{CallID: m.CallID, Transport: m.Flow.Transport(), FirstPacket: m.Packet}
			calls[m.CallID] = c
			callOrder = append(callOrder, m.CallID)
		}
		c.Messages++
		label := m.Method
		if m.Status != 0 {
			label = strconv.Itoa(m.Status) + " " + m.Method
		}
		if !slices.Contains(c.Methods, label) {
			c.Methods = append(c.Methods, label)
		}
		if m.SDP == nil {
			continue
		}
		for j := range m.SDP.Media {
			md := &m.SDP.Media[j]
			if len(md.Crypto) > 0 {
				c.SDES = true
			}
			if md.Port == 0 || !md.Conn.IsValid() {
				continue
			}
			ep := Endpoint{Addr: md.Conn.As16(), Port: md.Port}
			byEndpoint[ep] = append(byEndpoint[ep], sdpRef{msg: m, media: md, index: j})
			if !md.RTCPMux && md.RTCPPort != md.Port {
				ep.Port = md.RTCPPort
				byEndpoint[ep] = append(byEndpoint[ep], sdpRef{msg: m, media: md, index: j})
			}
		}
	}
	for _, id := range callOrder {
		res.Calls = append(res.Calls, *calls[id])
	}
	lookup := func(ep Endpoint, before int64) *sdpRef {
		refs := byEndpoint[ep]
		var best *sdpRef
		for i := range refs {
			if best == nil || refs[i].msg.Packet <= before {
				best = &refs[i]
			}
		}
		return best
	}
	byCall := map[string][]int{}
	for i := range msgs {
		if msgs[i].SDP != nil {
			byCall[msgs[i].CallID] = append(byCall[msgs[i].CallID], i)
		}
	}
	// The other side of the same call and m= line.
	peerOf := func(r *sdpRef) *sdpRef {
		var best *sdpRef
		for _, i := range byCall[r.msg.CallID] {
			m := &msgs[i]
			if m.CallID != r.msg.CallID || m.SDP == nil || m.Flow.Src == r.msg.Flow.Src || r.index >= len(m.SDP.Media) {
				continue
			}
			best = &sdpRef{msg: m, media: &m.SDP.Media[r.index], index: r.index}
		}
		return best
	}

	for _, fl := range flows {
		if fl.media == nil {
			continue
		}
		m := fl.media
		if m.rtp == 0 && m.rtcp == 0 && m.dtls == 0 {
			continue
		}
		st := Stream{
			Transport: fl.key.Transport(), Src: fl.key.Src.String(), Dst: fl.key.Dst.String(),
			Packets: fl.packets, Bytes: fl.bytes, RTP: m.rtp, RTCP: m.rtcp, STUN: m.stun, DTLS: m.dtls,
			PayloadType: -1, FirstPacket: fl.first, key: fl.key, flow: fl,
		}
		if m.rtp > 0 {
			st.SSRC = fmt.Sprintf("0x%08X", m.ssrc)
			st.SSRCs = m.ssrcs
			st.PayloadType = int(m.pt)
			st.Codec = staticCodec(m.pt)
		}
		recv := lookup(fl.key.Dst, fl.first)
		send := lookup(fl.key.Src, fl.first)
		neg := recv
		if neg == nil {
			neg = send
		}
		var peer *sdpRef
		if neg != nil {
			peer = peerOf(neg)
			if neg == send && recv == nil {
				peer = nil
			}
			st.CallID = neg.msg.CallID
			st.NegotiatedAt = neg.msg.Packet
			if c, ok := neg.media.RTPMap[strconv.Itoa(int(m.pt))]; ok && m.rtp > 0 {
				st.Codec = c
			}
		}
		dtlsHere := m.dtls > 0
		if rev := all[fl.key.reverse()]; rev != nil && rev.media != nil && rev.media.dtls > 0 {
			dtlsHere = true
		}
		classifyStream(&st, m, neg, peer, dtlsHere)
		if m.srtpProfiles != nil {
			st.UseSRTP = profilesString(m.srtpProfiles)
		}
		res.Streams = append(res.Streams, st)
	}
	for _, t := range sess {
		if t.haveClient {
			t.ClientAddr, t.ServerAddr = t.Client.String(), t.Server.String()
		}
		res.TLS = append(res.TLS, t.TLSSession)
	}
	for _, fl := range flows {
		if fl.tcp != nil {
			res.TCPGaps += fl.tcp.gaps
			res.TCPOutOfOrder += fl.tcp.outOfOrder
			res.TCPRetransmitted += fl.tcp.retrans
		}
	}
	res.Findings = findings(o, res, msgs, flows, all)
	return res
}

func staticCodec(pt uint8) string {
	switch pt {
	case 0:
		return "PCMU/8000"
	case 8:
		return "PCMA/8000"
	case 9:
		return "G722/8000"
	case 18:
		return "G729/8000"
	}
	return ""
}

func describeSDP(r *sdpRef) string {
	kind := "request"
	what := r.msg.Method
	if r.msg.Status != 0 {
		kind = "response"
		what = strconv.Itoa(r.msg.Status) + " (" + r.msg.Method + ")"
	}
	_ = kind
	s := fmt.Sprintf("%s in %s, packet %d", r.media.Proto, what, r.msg.Packet)
	if n := countCrypto(r.media, false); n > 0 {
		s += fmt.Sprintf(", %d a=crypto", n)
	}
	if r.media.Fingerprint != "" {
		s += ", a=fingerprint"
	}
	if r.media.Encryption != "" {
		s += ", a=encryption:" + r.media.Encryption
	}
	return s
}

func countCrypto(m *SDPMedia, scale bool) int {
	n := 0
	for _, c := range m.Crypto {
		if c.Scale == scale {
			n++
		}
	}
	return n
}

// classifyStream decides RTP vs SRTP for one stream (domain.md §5.4):
// signalling first, then the wire evidence.
func classifyStream(st *Stream, m *mediaStats, neg, peer *sdpRef, dtls bool) {
	clear := m.sampled > 0 && m.randomish*2 < m.sampled && m.tagFrames*2 <= m.rtp
	random := m.sampled > 0 && m.randomish*2 > m.sampled
	tagged := m.tagFrames*2 > m.rtp && m.rtp > 0
	wire := wireEvidence(m)
	if m.rtp == 0 {
		switch {
		case m.rtcpE > 0 && (m.rtcpE*2 > m.rtcp || m.indexStep+2 >= m.rtcpE):
			// Some stacks send a few plain RTCP packets (NAT pinholes)
			// before SRTCP starts; an incrementing E|index decides.
			st.Verdict = "SRTCP"
			st.How = fmt.Sprintf("SRTCP trailer: E bit and incrementing index on %d of %d packets; %d plain RTCP", m.rtcpE, m.rtcp, m.rtcpPlain)
		case m.rtcp > 0 && m.rtcpPlain*2 > m.rtcp:
			st.Verdict, st.How = "RTCP", "RTCP length fields add up to the datagram: no SRTCP trailer"
		case m.dtls > 0:
			st.Verdict, st.How = "DTLS", "DTLS records only"
			if m.srtpProfiles != nil {
				st.How += ", ClientHello use_srtp " + profilesString(m.srtpProfiles)
			}
		default:
			st.Verdict, st.How = "unknown", "RTCP of unclear form"
		}
		return
	}
	if neg != nil {
		secure := neg.media.Secure() && (peer == nil || peer.media.Secure())
		st.srtpNeg = secure
		how := "signalling: " + describeSDP(neg)
		if peer != nil {
			how += "; other side: " + describeSDP(peer)
		}
		if secure {
			st.Suite = chosenSuite(neg, peer)
			if clear {
				st.Verdict = "RTP"
				st.How = how + "; but the payload is clear on the wire (" + wire + ")"
				return
			}
			st.Verdict = "SRTP"
			st.How = how + "; wire: " + wire
			return
		}
		st.Verdict = "RTP"
		st.How = how + "; wire: " + wire
		return
	}
	switch {
	case dtls:
		st.Verdict, st.How = "SRTP", "no SDP in the capture; DTLS handshake on this 5-tuple (DTLS-SRTP); wire: "+wire
		if m.srtpProfiles != nil {
			st.How += "; use_srtp " + profilesString(m.srtpProfiles)
		}
	case tagged:
		st.Verdict, st.How = "SRTP", "no SDP in the capture; heuristic: "+wire
	case fixedFrame(m.pt) > 0 && random:
		st.Verdict, st.How = "SRTP", "no SDP in the capture; heuristic: "+wire
	case clear:
		st.Verdict, st.How = "RTP", "no SDP in the capture; heuristic: "+wire
	default:
		st.Verdict, st.How = "unknown", "no SDP in the capture and the payload does not decide it: "+wire
	}
}

func wireEvidence(m *mediaStats) string {
	var parts []string
	if m.sampled > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d sampled payloads random-looking", m.randomish, m.sampled))
	}
	if ff := fixedFrame(m.pt); ff > 0 && m.rtp > 0 {
		parts = append(parts, fmt.Sprintf("%d exact %d-byte frames, %d frame+tag lengths", m.fixedFrames, ff, m.tagFrames))
	}
	if m.rtcp > 0 {
		parts = append(parts, fmt.Sprintf("RTCP %d (plain %d, SRTCP E-bit %d)", m.rtcp, m.rtcpPlain, m.rtcpE))
	}
	if len(parts) == 0 {
		return "no payload evidence"
	}
	return strings.Join(parts, ", ")
}

func chosenSuite(neg, peer *sdpRef) string {
	for _, r := range []*sdpRef{neg, peer} {
		if r == nil {
			continue
		}
		for _, c := range r.media.Crypto {
			if !c.Scale {
				return c.Suite
			}
		}
	}
	if neg.media.Fingerprint != "" {
		return "DTLS-SRTP"
	}
	return ""
}

func profilesString(ps []uint16) string {
	var names []string
	for _, p := range ps {
		switch p {
		case 1:
			names = append(names, "SRTP_AES128_CM_HMAC_SHA1_80")
		case 2:
			names = append(names, "SRTP_AES128_CM_HMAC_SHA1_32")
		case 7:
			names = append(names, "SRTP_AEAD_AES_128_GCM")
		case 8:
			names = append(names, "SRTP_AEAD_AES_256_GCM")
		default:
			names = append(names, fmt.Sprintf("0x%04X", p))
		}
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ",")
}
