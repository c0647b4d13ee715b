package inspect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/voipsec/voipsec/matrix"
)

// How a flow ended.
const (
	endIdle    = iota // no packet for its timeout
	endClosed         // TCP FIN from both sides, or RST
	endCapture        // the capture ended (or the scan was interrupted)
)

// sweep ends the flows and calls that have been quiet for their timeout
// and finishes the calls whose end has passed, in creation order, so that
// the order of finished records does not depend on map iteration. It runs
// once a second of capture time; what it releases is what keeps the scan's
// memory bounded by what is live.
func (s *scanner) sweep() {
	s.nextSweep = s.now + sweepEvery
	now := int64(s.tsMSNow())
	keep := s.flowOrder[:0]
	for _, fl := range s.flowOrder {
		if fl.flags&flowDead == 0 {
			d := now - int64(fl.lastMS)
			if d > s.idleMS || d > s.lingerMS && fl.flags&flowLinger != 0 {
				s.finishFlow(fl, endIdle)
			}
		}
		if fl.flags&flowDead != 0 {
			s.release(fl)
			continue
		}
		keep = append(keep, fl)
	}
	clear(s.flowOrder[len(keep):])
	s.flowOrder = keep
	ckeep := s.callOrder[:0]
	for _, c := range s.callOrder {
		if len(c.flows) == 0 {
			switch {
			case c.ended && now-c.endMS >= s.lingerMS:
				s.finishCall(c)
				continue
			case !c.ended && now-c.lastMS > s.idleMS:
				c.end = "idle timeout"
				s.state.CallsIdle++
				s.finishCall(c)
				continue
			}
		}
		ckeep = append(ckeep, c)
	}
	clear(s.callOrder[len(ckeep):])
	s.callOrder = ckeep
}

// tsMSNow is the capture clock in ms after the first packet.
func (s *scanner) tsMSNow() uint32 { return uint32(s.now / 1e6) }

// Bounds on the free lists: a burst of flows ending at once should not
// keep their memory for the rest of the scan. Flows are small and churn
// fast (a UDP SIP flow lives a few seconds); media, reassembly and TLS
// state are larger and turn over with calls and connections.
const (
	maxFree      = 1024
	maxFreeHeavy = 256
)

// release returns a finished flow's memory for reuse.
func (s *scanner) release(fl *flow) {
	if fl.media != nil && len(s.freeMedia) < maxFreeHeavy {
		s.freeMedia = append(s.freeMedia, fl.media)
	}
	if fl.tcp != nil && len(s.freeTCP) < maxFreeHeavy {
		s.freeTCP = append(s.freeTCP, fl.tcp)
	}
	if len(s.freeFlows) < maxFree {
		*fl = flow{}
		s.freeFlows = append(s.freeFlows, fl)
	}
}

// finishFlow ends fl: its verdict is reached and handed to the collector,
// and it leaves the flow table (its memory is released by the next sweep).
func (s *scanner) finishFlow(fl *flow, how int) {
	if fl.flags&flowDead != 0 {
		return
	}
	fl.flags |= flowDead
	if s.flows[fl.key] == fl {
		delete(s.flows, fl.key)
	}
	if slot := &s.cache[fl.key.slot()]; *slot == fl {
		*slot = nil
	}
	s.unwait(fl)
	switch {
	case fl.call != nil && fl.call.ended:
		s.state.FlowsWithCall++
	case how == endIdle:
		s.state.FlowsIdle++
	case how == endClosed:
		s.state.FlowsClosed++
	}
	if fl.tcp != nil {
		s.finishTCP(fl)
	}
	if fl.tls != nil {
		s.tlsFlowDone(fl.tls, how)
	}
	if fl.media != nil {
		s.finishMedia(fl)
	}
	if c := fl.call; c != nil {
		for i, f := range c.flows {
			if f == fl {
				c.flows = append(c.flows[:i], c.flows[i+1:]...)
				break
			}
		}
	}
}

// finishAll ends everything still live at the end of the capture (or of an
// interrupted scan), in creation order.
func (s *scanner) finishAll(why string) {
	for _, fl := range s.flowOrder {
		s.finishFlow(fl, endCapture)
	}
	s.flowOrder = nil
	for _, c := range s.callOrder {
		if !c.ended {
			c.end = why
		}
		s.finishCall(c)
	}
	s.callOrder = nil
}

// finishMedia reaches the verdict of a media flow, checks the exposed keys
// of its call against it, and hands the stream row on.
func (s *scanner) finishMedia(fl *flow) {
	m := fl.media
	if m.rtp == 0 && m.rtcp == 0 && m.dtls == 0 {
		return
	}
	st := Stream{
		Transport: fl.key.Transport(), Src: fl.key.Src.String(), Dst: fl.key.Dst.String(),
		Packets: int64(fl.packets), Bytes: fl.bytes, RTP: m.rtp, RTCP: m.rtcp, STUN: m.stun, DTLS: m.dtls,
		PayloadType: -1, FirstPacket: fl.first, key: fl.key,
	}
	if m.rtp > 0 {
		st.SSRC = fmt.Sprintf("0x%08X", m.ssrc)
		st.SSRCs = m.ssrcs
		st.PayloadType = int(m.pt)
		st.Codec = staticCodec(m.pt)
	}
	var neg, peer *negotiation
	if fl.call != nil {
		neg = &negotiation{ref: fl.ref, idx: int(fl.idx)}
		if fl.flags&flowRecv != 0 {
			if p := fl.call.peerOf(fl.ref, int(fl.idx)); p != nil {
				peer = &negotiation{ref: p, idx: int(fl.idx)}
			}
		}
		st.CallID = fl.call.id
		st.NegotiatedAt = fl.ref.packet
		if c, ok := neg.media().RTPMap[strconv.Itoa(int(m.pt))]; ok && m.rtp > 0 {
			st.Codec = c
		}
	}
	dtlsHere := m.dtls > 0 || fl.flags&flowRevDTLS != 0
	if rev := s.flows[fl.key.reverse()]; rev != nil && rev.media != nil && rev.media.dtls > 0 {
		dtlsHere = true
	}
	classifyStream(&st, m, neg, peer, dtlsHere)
	if m.srtpProfiles != nil {
		st.UseSRTP = profilesString(m.srtpProfiles)
	}
	if c := fl.call; c != nil && c.sdes && m.nsamples > 0 {
		s.checkKeys(c, fl, &st)
	}
	if c := fl.call; c != nil {
		c.nStreams++
		if len(c.streams) < maxCallStreams {
			c.streams = append(c.streams, st)
		}
	}
	s.out.stream(&st)
}

// checkKeys verifies the a=crypto keys of c's SDP bodies that announced
// fl's source (the stream a key protects is what the SDP's author sends)
// against fl's kept packets.
func (s *scanner) checkKeys(c *call, fl *flow, st *Stream) {
	for _, ref := range c.crypto {
		for j := range ref.sdp.Media {
			md := &ref.sdp.Media[j]
			if len(md.Crypto) == 0 || !announced(md, fl.key.Src) {
				continue
			}
			p := protect{ref: ref, idx: j, stream: fl.key.String()}
			p.lines, p.ok, p.tried = verifyStream(md, fl.media, st)
			if len(c.protects) < maxProtects {
				c.protects = append(c.protects, p)
			}
		}
	}
}

// finishCall hands a call that ended (or was cut off) to the collector and
// releases it.
func (s *scanner) finishCall(c *call) {
	for len(c.flows) > 0 {
		s.finishFlow(c.flows[0], endCapture)
	}
	s.forget(c)
	if s.calls[c.id] == c {
		delete(s.calls, c.id)
	}
	s.out.call(s, c)
}

// negotiation is one m= line of one SDP body.
type negotiation struct {
	ref *sdpRef
	idx int
}

func (n *negotiation) media() *SDPMedia { return &n.ref.sdp.Media[n.idx] }

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

// describeSDP says where an m= line was seen: "RTP/SAVP in INVITE, packet 1,
// 1 a=crypto".
func describeSDP(n *negotiation) string {
	what := n.ref.method
	if n.ref.status != 0 {
		what = strconv.Itoa(n.ref.status) + " (" + n.ref.method + ")"
	}
	md := n.media()
	s := fmt.Sprintf("%s in %s, packet %d", md.Proto, what, n.ref.packet)
	if k := countCrypto(md, false); k > 0 {
		s += fmt.Sprintf(", %d a=crypto", k)
	}
	if md.Fingerprint != "" {
		s += ", a=fingerprint"
	}
	if md.Encryption != "" {
		s += ", a=encryption:" + md.Encryption
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

// srtpNegotiated applies matrix's one definition to the offer and answer
// among neg and peer: both sides key SRTP the same way (SDES on both, or
// DTLS-SRTP with fingerprints on both) and the answer accepted the stream.
func srtpNegotiated(neg, peer *negotiation) bool {
	offer, answer := neg, peer
	if !neg.ref.offer && peer.ref.offer || neg.ref.offer == peer.ref.offer && peer.ref.packet < neg.ref.packet {
		offer, answer = peer, neg
	}
	return matrix.SRTPNegotiated(offer.media().line(), answer.media().line())
}

// classifyStream decides RTP vs SRTP for one stream (domain.md §5.4):
// signalling first, then the wire evidence. With both sides of the
// negotiation in the capture, SRTP is what matrix.SRTPNegotiated says; with
// one side only, the wire decides and the SDP is quoted as context.
func classifyStream(st *Stream, m *mediaStats, neg, peer *negotiation, dtls bool) {
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
	if neg != nil && peer != nil {
		secure := srtpNegotiated(neg, peer)
		st.srtpNeg = secure
		how := "signalling: " + describeSDP(neg) + "; other side: " + describeSDP(peer)
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
	prefix := "no SDP in the capture"
	if neg != nil {
		prefix = "signalling: " + describeSDP(neg) + ", the other side's SDP is not in the capture"
	}
	switch {
	case dtls:
		st.Verdict, st.How = "SRTP", prefix+"; DTLS handshake on this 5-tuple (DTLS-SRTP); wire: "+wire
		if m.srtpProfiles != nil {
			st.How += "; use_srtp " + profilesString(m.srtpProfiles)
		}
	case tagged:
		st.Verdict, st.How = "SRTP", prefix+"; heuristic: "+wire
	case fixedFrame(m.pt) > 0 && random:
		st.Verdict, st.How = "SRTP", prefix+"; heuristic: "+wire
	case clear:
		st.Verdict, st.How = "RTP", prefix+"; heuristic: "+wire
	default:
		st.Verdict, st.How = "unknown", prefix+" and the payload does not decide it: "+wire
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

func chosenSuite(neg, peer *negotiation) string {
	for _, r := range []*negotiation{neg, peer} {
		if r == nil {
			continue
		}
		for _, c := range r.media().Crypto {
			if !c.Scale {
				return c.Suite
			}
		}
	}
	if neg.media().Fingerprint != "" {
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
