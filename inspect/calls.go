package inspect

import (
	"net/netip"
	"slices"
	"strconv"
)

// Calls are followed by Call-ID from their first SIP message until they
// end: BYE and its final response; a final failure response to an INVITE
// that set up no dialog; the final response of an out-of-dialog request
// (OPTIONS, REGISTER, MESSAGE, PUBLISH, INFO); or no SIP and no media on its
// flows for the idle timeout. An ended call lingers for endLinger so that
// late packets still find it, then its media flows end and it is finished:
// its verdicts go into the report's aggregates and its state is released.

// Bounds on what one call keeps.
const (
	maxMethods     = 12 // method and status labels
	maxCryptoMsgs  = 8  // SDP bodies with a=crypto kept as evidence
	maxSides       = 4  // SDP senders (the latest body of each)
	maxCallRefs    = 16 // SDP bodies announcing media endpoints
	maxCallStreams = 16 // stream rows kept for the call's record
	maxProtects    = 16 // key checks kept for the call's evidence
)

// sdpRef is one SDP body of a call: who sent it, in what, and its media.
type sdpRef struct {
	sdp    *SDP
	key    FlowKey // the SIP message's flow: src is the SDP's author
	method string
	status int
	packet int64
	offer  bool
}

// mediaRef is one m= line of an SDP body of a live call.
type mediaRef struct {
	c   *call
	ref *sdpRef
	idx int
}

func (r mediaRef) media() *SDPMedia { return &r.ref.sdp.Media[r.idx] }

// protect is the outcome of checking the a=crypto keys of one SDP m= line
// against one stream its author sent.
type protect struct {
	ref    *sdpRef
	idx    int
	stream string   // the flow's 5-tuple
	lines  []string // the verification lines, as evidence
	ok     bool     // a key authenticated the stream's packets
	tried  bool     // packets were checked
}

// call is one Call-ID from its first SIP message until it ends.
type call struct {
	id      string
	seq     int64
	kind    string  // method of the first request, "" until one is seen
	key     FlowKey // flow of its first message
	first   int64
	last    int64
	lastMS  int64
	msgs    int
	methods []string
	sdes    bool
	nCrypto int
	crypto  []*sdpRef // SDP bodies with a=crypto, the first maxCryptoMsgs
	sides   []*sdpRef // the latest SDP body of each author
	refs    int       // SDP bodies registered in the endpoint index
	eps     []Endpoint
	offered bool // an offer awaits its answer

	flows    []*flow // live media flows bound to it
	streams  []Stream
	nStreams int
	protects []protect

	paths []place // signalling paths it was counted on (CAP-SIP-CLEARTEXT)

	ok2xx  bool // the INVITE was answered 2xx: a dialog exists
	ended  bool
	endMS  int64
	end    string
	sdpMsg int // SDP bodies
}

// sipNext frames and follows the SIP message at the start of b, seen in
// clear on fl, reading its headers once. n and complete are sipFrame's.
func (s *scanner) sipNext(fl *flow, b []byte, datagram bool) (n int, complete bool) {
	var m sipMsg
	body, cl, sdp, ended := sipHead(b, &m)
	n, complete = frameLen(len(b), body, cl, ended, datagram)
	if !complete || n <= 0 || !startLine(b[:n], &m) {
		return n, complete
	}
	if sdp && body < n {
		m.sdp = parseSDP(b[body:n])
	}
	s.sipMessage(fl, &m)
	return n, complete
}

// sipMessage follows one SIP message seen in clear on fl.
func (s *scanner) sipMessage(fl *flow, m *sipMsg) {
	c := s.calls[string(m.callID)]
	if c == nil {
		s.callSeq++
		c = &call{id: string(m.callID), seq: s.callSeq, key: fl.key, first: s.pktNum}
		s.calls[c.id] = c
		s.callOrder = append(s.callOrder, c)
		s.state.MaxCalls = max(s.state.MaxCalls, len(s.calls))
	}
	c.msgs++
	c.last, c.lastMS = s.pktNum, s.nowMS()
	label := m.method
	if m.status != 0 {
		label = strconv.Itoa(m.status) + " " + m.method
	}
	if len(c.methods) < maxMethods && !slices.Contains(c.methods, label) {
		c.methods = append(c.methods, label)
	}
	if m.status == 0 && c.kind == "" && m.method != "ACK" {
		c.kind = m.method
	}
	s.out.sipMessage(s, c, fl.key, m)
	if m.sdp != nil {
		s.sdpBody(c, fl.key, m)
	}
	s.callState(c, m)
}

// callState follows the end of a call (see the top of this file).
func (s *scanner) callState(c *call, m *sipMsg) {
	if m.status == 0 {
		if c.ended && m.method != "ACK" {
			// A request after the end: a REGISTER answered 401 and sent
			// again, a new transaction on the same Call-ID.
			c.ended, c.end = false, ""
			s.lingerFlows(c, false)
		}
		return
	}
	switch {
	case m.status < 200:
	case m.method == "BYE":
		s.endCall(c, "BYE")
	case m.method == "INVITE":
		if m.status < 300 {
			c.ok2xx = true
		} else if !c.ok2xx {
			s.endCall(c, "final response "+strconv.Itoa(m.status))
		}
	case m.method == c.kind && outOfDialog(c.kind):
		s.endCall(c, "final response "+strconv.Itoa(m.status)+" to "+c.kind)
	}
}

// outOfDialog reports whether a request of this method ends with its final
// response (RFC 3261 §8; MESSAGE RFC 3428, PUBLISH RFC 3903).
func outOfDialog(method string) bool {
	switch method {
	case "OPTIONS", "REGISTER", "MESSAGE", "PUBLISH", "INFO":
		return true
	}
	return false
}

func (s *scanner) endCall(c *call, why string) {
	if c.ended {
		return
	}
	c.ended, c.end, c.endMS = true, why, s.nowMS()
	s.lingerFlows(c, true)
}

// lingerFlows gives the media flows of an ended call the short timeout
// (on), or the normal one again.
func (s *scanner) lingerFlows(c *call, on bool) {
	for _, fl := range c.flows {
		if on {
			fl.flags |= flowLinger
		} else {
			fl.flags &^= flowLinger
		}
	}
}

// sdpBody records an SDP body of c sent on key: offer or answer, the media
// endpoints it announces (binding the flows that use them), exposed keys,
// and the media ports it asks for.
func (s *scanner) sdpBody(c *call, key FlowKey, m *sipMsg) {
	ref := &sdpRef{sdp: m.sdp, key: key, method: m.method, status: m.status, packet: s.pktNum}
	// RFC 3264 §4: a request body is an offer (ACK carries the answer to
	// an offer in a 2xx); a response body answers a pending offer, or is
	// the offer itself when the request had none.
	switch {
	case m.status == 0 && m.method != "ACK":
		ref.offer, c.offered = true, true
	case m.status != 0 && !c.offered:
		ref.offer, c.offered = true, true
	default:
		c.offered = false
	}
	c.sdpMsg++
	crypto := false
	for j := range m.sdp.Media {
		if len(m.sdp.Media[j].Crypto) > 0 {
			crypto = true
		}
	}
	if crypto {
		c.sdes = true
		c.nCrypto++
		if len(c.crypto) < maxCryptoMsgs {
			c.crypto = append(c.crypto, ref)
		}
	}
	replaced := false
	for i, o := range c.sides {
		if o.key.Src == key.Src {
			c.sides[i], replaced = ref, true
		}
	}
	if !replaced {
		if len(c.sides) >= maxSides {
			c.sides = c.sides[1:]
		}
		c.sides = append(c.sides, ref)
	}
	s.out.sdp(s, c, ref)
	if c.refs >= maxCallRefs {
		return
	}
	c.refs++
	for j := range m.sdp.Media {
		md := &m.sdp.Media[j]
		if md.Port == 0 || !md.Conn.IsValid() {
			continue
		}
		mr := mediaRef{c: c, ref: ref, idx: j}
		ep := Endpoint{Addr: md.Conn.As16(), Port: md.Port}
		s.announce(ep, mr)
		if !md.RTCPMux && md.RTCPPort != md.Port {
			ep.Port = md.RTCPPort
			s.announce(ep, mr)
		}
	}
}

// announce adds ep to the endpoint index and binds the live media flows
// that were waiting for it.
func (s *scanner) announce(ep Endpoint, mr mediaRef) {
	s.endpoints[ep] = append(s.endpoints[ep], mr)
	mr.c.eps = append(mr.c.eps, ep)
	waiting := s.waiting[ep]
	if len(waiting) == 0 {
		return
	}
	// Copy: binding edits the waiting lists.
	for _, fl := range slices.Clone(waiting) {
		switch {
		case fl.key.Dst == ep && fl.flags&flowRecv == 0:
			s.bind(fl, mr, true)
		case fl.key.Src == ep && fl.call == nil:
			s.bind(fl, mr, false)
		}
	}
}

// lookupEndpoint returns the m= line that most recently announced ep.
func (s *scanner) lookupEndpoint(ep Endpoint) (mediaRef, bool) {
	refs := s.endpoints[ep]
	if len(refs) == 0 {
		return mediaRef{}, false
	}
	return refs[len(refs)-1], true
}

// bindFlow binds a new media flow to the SDP that announced where it goes
// (its receiver), else where it comes from; a flow not bound to a
// receiver's SDP waits in the index for one.
func (s *scanner) bindFlow(fl *flow) {
	if mr, ok := s.lookupEndpoint(fl.key.Dst); ok {
		s.bind(fl, mr, true)
		return
	}
	if mr, ok := s.lookupEndpoint(fl.key.Src); ok {
		s.bind(fl, mr, false)
		s.wait(fl, fl.key.Dst)
		return
	}
	s.wait(fl, fl.key.Dst)
	s.wait(fl, fl.key.Src)
}

func (s *scanner) wait(fl *flow, ep Endpoint) {
	s.waiting[ep] = append(s.waiting[ep], fl)
	fl.flags |= flowWaiting
}

func (s *scanner) unwait(fl *flow) {
	if fl.flags&flowWaiting == 0 {
		return
	}
	fl.flags &^= flowWaiting
	for _, ep := range [2]Endpoint{fl.key.Dst, fl.key.Src} {
		w := s.waiting[ep]
		for i := 0; i < len(w); i++ {
			if w[i] == fl {
				w = append(w[:i], w[i+1:]...)
				i--
			}
		}
		if len(w) == 0 {
			delete(s.waiting, ep)
		} else {
			s.waiting[ep] = w
		}
	}
}

// bind ties fl to the call and m= line of mr; recv says mr announced the
// flow's destination.
func (s *scanner) bind(fl *flow, mr mediaRef, recv bool) {
	if fl.call != nil {
		old := fl.call
		old.flows = slices.DeleteFunc(old.flows, func(f *flow) bool { return f == fl })
	}
	fl.call, fl.ref, fl.idx = mr.c, mr.ref, int16(mr.idx)
	mr.c.flows = append(mr.c.flows, fl)
	if mr.c.ended {
		fl.flags |= flowLinger
	} else {
		fl.flags &^= flowLinger
	}
	if recv {
		fl.flags |= flowRecv
		s.unwait(fl)
	}
}

// peerOf returns the latest SDP body of r's call from another author with
// an m= line at idx: the other side of the negotiation.
func (c *call) peerOf(r *sdpRef, idx int) *sdpRef {
	var best *sdpRef
	for _, o := range c.sides {
		if o.key.Src == r.key.Src || idx >= len(o.sdp.Media) {
			continue
		}
		if best == nil || o.packet > best.packet {
			best = o
		}
	}
	return best
}

// forget removes c's endpoints from the index.
func (s *scanner) forget(c *call) {
	for _, ep := range c.eps {
		refs := s.endpoints[ep]
		refs = slices.DeleteFunc(refs, func(r mediaRef) bool { return r.c == c })
		if len(refs) == 0 {
			delete(s.endpoints, ep)
		} else {
			s.endpoints[ep] = refs
		}
	}
	c.eps = nil
}

// announced reports whether the m= line md announces endpoint ep.
func announced(md *SDPMedia, ep Endpoint) bool {
	return md.Port != 0 && md.Conn.IsValid() && md.Port == ep.Port && md.Conn.As16() == ep.Addr
}

// addrOf returns the address of an endpoint, IPv4 unmapped.
func addrOf(e Endpoint) netip.Addr { return netip.AddrFrom16(e.Addr).Unmap() }
