package inspect

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/voipsec/voipsec/report"
)

// Bounds on what a report holds, whatever the size of the capture.
const (
	// MaxListed is how many streams, calls and TLS sessions a Result lists
	// (the earliest by first packet); the others are counted.
	MaxListed = 64
	// maxPlaces is how many findings one check and outcome gives before
	// places are made coarser (place.go).
	maxPlaces = 10
	// maxPlacesHeld bounds the places one check and outcome accumulates
	// at each level; beyond it new places go to the next coarser level.
	// Any value of at least maxPlaces gives the same findings: a level
	// with more than maxPlaces places is never the one reported.
	maxPlacesHeld = 16
	maxLabels     = 12
)

// collector receives what the scan finishes (streams, calls, TLS sessions)
// and what it sees (cleartext SIP messages, SDP bodies), and keeps what the
// report needs: counts, bounded lists and one accumulator per check,
// outcome and place. Nothing in it grows with the number of calls.
type collector struct {
	o *Options

	streams listed[Stream]
	calls   listed[Call]
	tls     listed[TLSSession]
	sum     Summary

	tcpGaps, tcpOutOfOrder, tcpRetransmitted int64

	accs     map[accKey]*acc
	nPlaces  map[checkLevel]int
	sipTLS   int64 // TLS sessions on SIP ports
	sdpCount int64
	mLines   int64 // m= lines with a port (media ports check)
	rtp      int64 // streams with RTP
	tlsHello int64 // TLS sessions with a ServerHello
	records  *recordWriter
}

// Summary counts what the scan finished, by kind.
type Summary struct {
	Streams        int64            `json:"streams"`
	StreamVerdicts map[string]int64 `json:"stream_verdicts"` // SRTP, RTP, SRTCP, RTCP, DTLS, unknown
	StreamBasis    map[string]int64 `json:"stream_basis"`    // signalling, DTLS, heuristic, RTCP (how RTP streams were decided)
	Calls          int64            `json:"calls"`           // Call-IDs
	CallKinds      map[string]int64 `json:"call_kinds"`      // by the first request's method
	CallEnds       map[string]int64 `json:"call_ends"`       // BYE, final response, idle timeout, capture ended
	SIPMessages    int64            `json:"sip_messages"`    // in cleartext
	SDPBodies      int64            `json:"sdp_bodies"`
	TLSSessions    int64            `json:"tls_sessions"`
	TLSVersions    map[string]int64 `json:"tls_versions"`
	TLSEnds        map[string]int64 `json:"tls_ends"`
}

func newCollector(o *Options) *collector {
	return &collector{o: o, accs: map[accKey]*acc{}, nPlaces: map[checkLevel]int{},
		sum: Summary{StreamVerdicts: map[string]int64{}, StreamBasis: map[string]int64{}, CallKinds: map[string]int64{},
			CallEnds: map[string]int64{}, TLSVersions: map[string]int64{}, TLSEnds: map[string]int64{}}}
}

// listed keeps the n earliest items by (first packet, order of creation).
type listed[T any] struct{ h listHeap[T] }

type listItem[T any] struct {
	first, seq int64
	v          T
}

type listHeap[T any] []listItem[T] // a max-heap: the latest on top

func (h listHeap[T]) Len() int { return len(h) }
func (h listHeap[T]) Less(i, j int) bool {
	if h[i].first != h[j].first {
		return h[i].first > h[j].first
	}
	return h[i].seq > h[j].seq
}
func (h listHeap[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *listHeap[T]) Push(x any)   { *h = append(*h, x.(listItem[T])) }
func (h *listHeap[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// wants reports whether an item at (first, seq) would be kept.
func (l *listed[T]) wants(first, seq int64) bool {
	if len(l.h) < MaxListed {
		return true
	}
	top := l.h[0]
	return first < top.first || first == top.first && seq < top.seq
}

func (l *listed[T]) add(first, seq int64, v T) {
	if !l.wants(first, seq) {
		return
	}
	heap.Push(&l.h, listItem[T]{first, seq, v})
	if len(l.h) > MaxListed {
		heap.Pop(&l.h)
	}
}

// sorted returns the kept items, earliest first.
func (l *listed[T]) sorted() []T {
	items := slices.Clone(l.h)
	sort.Slice(items, func(i, j int) bool {
		if items[i].first != items[j].first {
			return items[i].first < items[j].first
		}
		return items[i].seq < items[j].seq
	})
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// Outcomes: one finding per check, outcome and place.
const (
	outFail uint8 = iota
	outNegotiatedClear
	outNotRequested
	outNoneSent
	outIncomplete
	outNoServerFlight
	outTLS13
	outRefused
	outMTLS
)

type accKey struct {
	check string
	out   uint8
	p     place
}

type checkLevel struct {
	check string
	out   uint8
	level uint8
}

// acc accumulates one check's outcome at one place.
type acc struct {
	check       string
	out         uint8
	p           place
	n, n2       int64 // the check's unit (messages, calls, streams, sessions) and a second count
	first, last int64 // packet numbers
	labels      []label
	ex          []example
	k           [4]int64 // check-specific counts
}

type label struct {
	s     string
	first int64
}

type example struct {
	first, seq int64
	text       string
}

// accFor returns the accumulator for a check and outcome at p, or at a
// coarser place when too many are held at p's level.
func (c *collector) accFor(check string, out uint8, p place) *acc {
	for {
		k := accKey{check, out, p}
		if a := c.accs[k]; a != nil {
			return a
		}
		cl := checkLevel{check, out, p.level}
		if c.nPlaces[cl] < maxPlacesHeld || p.level == maxLevel {
			c.nPlaces[cl]++
			a := &acc{check: check, out: out, p: p, first: -1}
			c.accs[k] = a
			return a
		}
		p = p.coarser(p.level + 1)
	}
}

func (a *acc) span(first, last int64) {
	if a.first < 0 || first < a.first {
		a.first = first
	}
	a.last = max(a.last, last)
}

func (a *acc) label(s string, first int64) {
	for i := range a.labels {
		if a.labels[i].s == s {
			a.labels[i].first = min(a.labels[i].first, first)
			return
		}
	}
	a.labels = append(a.labels, label{s, first})
	if len(a.labels) > maxLabels {
		sort.SliceStable(a.labels, func(i, j int) bool { return a.labels[i].first < a.labels[j].first })
		a.labels = a.labels[:maxLabels]
	}
}

// wants reports whether an example at (first, seq) would be kept among
// the k earliest; keep adds it.
func (a *acc) wants(first, seq int64, k int) bool {
	if len(a.ex) < k {
		return true
	}
	last := a.ex[len(a.ex)-1]
	return first < last.first || first == last.first && seq < last.seq
}

func (a *acc) keep(e example, k int) {
	if !a.wants(e.first, e.seq, k) {
		return
	}
	i := sort.Search(len(a.ex), func(i int) bool {
		x := a.ex[i]
		return x.first > e.first || x.first == e.first && x.seq > e.seq
	})
	a.ex = slices.Insert(a.ex, i, e)
	if len(a.ex) > k {
		a.ex = a.ex[:k]
	}
}

// merge folds b into a (both at a's place).
func (a *acc) merge(b *acc, k int) {
	a.n += b.n
	a.n2 += b.n2
	if b.first >= 0 {
		a.span(b.first, b.last)
	}
	for _, l := range b.labels {
		a.label(l.s, l.first)
	}
	for _, e := range b.ex {
		a.keep(e, k)
	}
	for i := range a.k {
		a.k[i] += b.k[i]
	}
}

// Examples kept per finding.
const (
	exCallIDs = 8
	exSDES    = 1
	exDefault = 3
)

func examplesFor(check string) int {
	switch check {
	case CheckSIPCleartext:
		return exCallIDs
	case CheckSDESKeyExposed:
		return exSDES
	}
	return exDefault
}

// sipMessage counts a cleartext SIP message of c seen on k.
func (c *collector) sipMessage(s *scanner, cl *call, k FlowKey, m *sipMsg) {
	c.sum.SIPMessages++
	a := c.accFor(CheckSIPCleartext, outFail, c.o.sipPlace(k))
	a.n++
	a.span(s.pktNum, s.pktNum)
	lbl := m.method
	if m.status != 0 {
		lbl = strconv.Itoa(m.status)
	}
	a.label(lbl, s.pktNum)
	if !slices.Contains(cl.paths, a.p) && len(cl.paths) < 4 {
		// The call counts once on each path that carried it.
		cl.paths = append(cl.paths, a.p)
		a.n2++
		if cl.id != "" && a.wants(cl.first, cl.seq, exCallIDs) {
			a.keep(example{cl.first, cl.seq, cl.id}, exCallIDs)
		}
	}
}

// sdp counts an SDP body and checks the media ports it asks for.
func (c *collector) sdp(s *scanner, cl *call, ref *sdpRef) {
	c.sum.SDPBodies++
	c.sdpCount++
	if c.o.MediaPorts == nil {
		return
	}
	for j := range ref.sdp.Media {
		md := &ref.sdp.Media[j]
		if md.Port == 0 {
			continue // a refused stream asks for no port (RFC 3264 §6)
		}
		c.mLines++
		if inRanges(c.o.MediaPorts, md.Port) {
			continue
		}
		a := c.accFor(CheckMediaPort, outFail, sdpPlace(md.Conn))
		a.n++
		a.span(ref.packet, ref.packet)
		a.label(fmt.Sprint(md.Port), ref.packet)
		if a.wants(ref.packet, int64(j), exDefault) {
			kind := "offer"
			if !ref.offer {
				kind = "answer"
			}
			a.keep(example{ref.packet, int64(j), fmt.Sprintf("m=%s %d %s in the %s in %s at packet %d (call %s)",
				md.Type, md.Port, md.Proto, kind, msgName(ref), ref.packet, cl.id)}, exDefault)
		}
	}
}

// msgName is "INVITE" or "200 response to INVITE".
func msgName(r *sdpRef) string {
	if r.status != 0 {
		return fmt.Sprintf("%d response to %s", r.status, r.method)
	}
	return r.method
}

// stream takes a finished stream row.
func (c *collector) stream(st *Stream) {
	c.sum.Streams++
	c.sum.StreamVerdicts[st.Verdict]++
	if st.RTP > 0 {
		c.rtp++
		c.sum.StreamBasis[streamBasis(st.How)]++
	}
	c.streams.add(st.FirstPacket, st.FirstPacket, *st)
	if c.records != nil && st.CallID == "" {
		c.records.stream(st)
	}
	if st.Verdict != "RTP" {
		return
	}
	out := outFail
	if st.srtpNeg {
		out = outNegotiatedClear
	}
	a := c.accFor(CheckRTPUnencrypted, out, mediaPlace(st.key))
	a.n++
	a.n2 += st.RTP
	a.span(st.FirstPacket, st.FirstPacket)
	if st.CallID != "" {
		a.k[0]++
	}
	if a.wants(st.FirstPacket, st.FirstPacket, exDefault) {
		a.keep(example{st.FirstPacket, st.FirstPacket, streamExample(st)}, exDefault)
	}
}

func streamBasis(how string) string {
	switch {
	case strings.HasPrefix(how, "signalling:") && !strings.Contains(how, "is not in the capture"):
		return "signalling"
	case strings.Contains(how, "DTLS handshake"):
		return "DTLS"
	}
	return "heuristic"
}

func streamExample(st *Stream) string {
	s := fmt.Sprintf("%s %s > %s: %d RTP packets, SSRC %s, PT %d; ", st.Transport, st.Src, st.Dst, st.RTP, st.SSRC, st.PayloadType)
	if st.CallID != "" {
		s += "call " + st.CallID + "; "
	}
	return s + st.How
}

// call takes a finished call: its row, its record and its exposed keys.
func (c *collector) call(s *scanner, cl *call) {
	c.sum.Calls++
	kind := cl.kind
	if kind == "" {
		kind = "(no request seen)"
	}
	c.sum.CallKinds[kind]++
	c.sum.CallEnds[endClass(cl.end)]++
	if c.calls.wants(cl.first, cl.seq) || c.records != nil {
		row := callRow(c.o, cl)
		c.calls.add(cl.first, cl.seq, row)
		if c.records != nil {
			c.records.call(c.o, cl, row)
		}
	}
	if cl.nCrypto == 0 {
		return
	}
	// One finding per signalling path that carried a key; the call counts
	// once on each.
	var seen []place
	for _, ref := range cl.crypto {
		p := c.o.sipPlace(ref.key)
		a := c.accFor(CheckSDESKeyExposed, outFail, p)
		first := !slices.Contains(seen, a.p)
		if first {
			seen = append(seen, a.p)
			a.n++
			switch v := cl.keyVerdict(); v {
			case keyVerified:
				a.k[0]++
			case keyFailed:
				a.k[1]++
			default:
				a.k[2]++
			}
			if a.wants(cl.first, cl.seq, exSDES) {
				a.keep(example{cl.first, cl.seq, sdesEvidence(cl, c.o.ShowKeys)}, exSDES)
			}
			a.label(cl.id, cl.first)
		}
		a.n2++
		a.span(ref.packet, ref.packet)
	}
}

// endClass groups call ends for the summary.
func endClass(end string) string {
	if strings.HasPrefix(end, "final response") {
		return "final response"
	}
	return end
}

type keyOutcome int

const (
	keyUnchecked keyOutcome = iota
	keyVerified
	keyFailed
)

func (cl *call) keyVerdict() keyOutcome {
	v := keyUnchecked
	for _, p := range cl.protects {
		switch {
		case p.ok:
			return keyVerified
		case p.tried:
			v = keyFailed
		}
	}
	return v
}

// sdesEvidence is the evidence of one call's exposed keys: each SDP body
// with a=crypto, its attribute lines and what each key protects, checked.
func sdesEvidence(cl *call, show bool) string {
	var b strings.Builder
	for _, ref := range cl.crypto {
		fmt.Fprintf(&b, "call %s: %s at packet %d (%s)\n", cl.id, msgName(ref), ref.packet, ref.key)
		for j := range ref.sdp.Media {
			md := &ref.sdp.Media[j]
			if len(md.Crypto) == 0 {
				continue
			}
			for i := range md.Crypto {
				b.WriteString("  " + cryptoLine(&md.Crypto[i], show) + "\n")
			}
			sender := Endpoint{Addr: md.Conn.As16(), Port: md.Port}
			desc := fmt.Sprintf("%s stream sent from %s", md.Type, sender)
			var lines []string
			for _, p := range cl.protects {
				if p.ref == ref && p.idx == j {
					desc = fmt.Sprintf("%s stream %s", md.Type, p.stream)
					lines = append(lines, p.lines...)
				}
			}
			b.WriteString("  " + desc + "\n")
			if len(lines) == 0 {
				b.WriteString("    key not verified: no SRTP packets of this stream in the capture\n")
			}
			for _, l := range lines {
				b.WriteString("  " + l + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// tlsSession takes a finished TLS session.
func (c *collector) tlsSession(t *TLSSession, seq int64) {
	c.sum.TLSSessions++
	c.sum.TLSEnds[tlsEndClass(t.End)]++
	if t.ServerHello {
		c.sum.TLSVersions[t.Version]++
	}
	c.tls.add(t.FirstPacket, seq, *t)
	if c.records != nil {
		c.records.tls(t)
	}
	if !t.ServerHello {
		return
	}
	c.tlsHello++
	p := tlsPlace(t.key)
	if weakVersion(t) {
		a := c.accFor(CheckTLSVersionWeak, outFail, p)
		a.n++
		a.span(t.FirstPacket, t.FirstPacket)
		a.label(t.Version, t.FirstPacket)
		if a.wants(t.FirstPacket, seq, exDefault) {
			a.keep(example{t.FirstPacket, seq, fmt.Sprintf("session %s > %s at packet %d: client offered up to %s; suite %s",
				t.ClientAddr, t.ServerAddr, t.FirstPacket, t.OfferedMax, t.CipherSuite)}, exDefault)
		}
	}
	if !c.o.isSIPPort(t.Server.Port) && !c.o.isSIPPort(t.Client.Port) {
		return
	}
	c.sipTLS++
	out := judgeMTLS(t)
	a := c.accFor(CheckTLSNoMTLS, out, p)
	a.n++
	a.span(t.FirstPacket, max(t.FirstPacket, t.EndPacket))
	a.label(t.Version, t.FirstPacket)
	switch out {
	case outRefused, outIncomplete:
		a.label(t.End, t.FirstPacket)
	}
	a.k[0] += int64(t.ClientCerts)
	if a.wants(t.FirstPacket, seq, exDefault) {
		a.keep(example{t.FirstPacket, seq, fmt.Sprintf("session %s > %s at packet %d: %s; %s",
			t.ClientAddr, t.ServerAddr, t.FirstPacket, tlsDetail(t), t.End)}, exDefault)
	}
}

func tlsEndClass(end string) string {
	switch {
	case strings.HasPrefix(end, "fatal alert"):
		return "fatal alert"
	case strings.HasPrefix(end, "reset"):
		return "reset"
	case strings.HasPrefix(end, "cut off"):
		return "cut off"
	}
	return end
}

// findings turns the accumulators into findings: per check, outcome and
// place, at the finest level that gives at most maxPlaces places.
func (c *collector) findings(file string) []report.Finding {
	var out []report.Finding
	byCheck := map[string][]*acc{}
	for _, a := range c.accs {
		byCheck[a.check] = append(byCheck[a.check], a)
	}
	emit := func(check string, outs ...uint8) int {
		n := 0
		for _, o := range outs {
			var as []*acc
			for _, a := range byCheck[check] {
				if a.out == o {
					as = append(as, a)
				}
			}
			for _, a := range fold(as) {
				out = append(out, c.finding(a))
				n++
			}
		}
		return n
	}
	s := &c.sum
	switch {
	case emit(CheckSIPCleartext, outFail) > 0:
	case c.sipTLS > 0:
		out = append(out, report.Passed(CheckSIPCleartext, file, "no cleartext SIP in the capture").
			WithDetail("SIP seen only inside TLS: %s on SIP ports", plural(c.sipTLS, "session")))
	}
	switch {
	case emit(CheckSDESKeyExposed, outFail) > 0:
	case c.sdpCount > 0:
		out = append(out, report.Passed(CheckSDESKeyExposed, file, "no a=crypto key in cleartext SIP").
			WithDetail("%s in cleartext SIP, none with a=crypto", plural(c.sdpCount, "SDP body")))
	}
	switch {
	case emit(CheckRTPUnencrypted, outNegotiatedClear, outFail) > 0:
	case c.rtp > 0:
		out = append(out, report.Passed(CheckRTPUnencrypted, file, "no clear RTP stream").
			WithDetail("%s: %d SRTP, %d undecided", plural(c.rtp, "RTP stream"), s.StreamVerdicts["SRTP"], s.StreamVerdicts["unknown"]))
	}
	emit(CheckTLSNoMTLS, outNotRequested, outNoneSent, outIncomplete, outNoServerFlight, outTLS13, outRefused, outMTLS)
	switch {
	case emit(CheckTLSVersionWeak, outFail) > 0:
	case c.tlsHello > 0:
		out = append(out, report.Passed(CheckTLSVersionWeak, file, "no deprecated TLS version negotiated").
			WithDetail("%s negotiated a version", plural(c.tlsHello, "TLS session")))
	}
	if c.o.MediaPorts != nil {
		switch {
		case emit(CheckMediaPort, outFail) > 0:
		case c.mLines > 0:
			out = append(out, report.Passed(CheckMediaPort, file, "all media inside "+rangesString(c.o.MediaPorts)).
				WithDetail("%s with a port in SDP offers and answers; %s", plural(c.mLines, "m= line"), mediaPortRule))
		}
	}
	if len(out) == 0 {
		out = append(out, report.CouldNotTell(CheckSIPCleartext, file,
			"nothing to judge: no SIP, no RTP stream and no TLS session in the capture",
			"capture on the interface that carries the signalling and media, or name the SIP ports with --sip-ports"))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() > out[j].Severity.Rank() })
	return out
}

const mediaPortRule = "rule: a non-zero m= port in an SDP answer, or offer (both sides of a captured call are deployment endpoints), outside --media-ports"

// fold coarsens the places of one check and outcome until at most
// maxPlaces remain, then folds the latest beyond that into one. Places are
// coarsened a group at a time (a group is what coarsening keeps: a server
// and its port, or the transport for media), the group with the most
// places first, so that a server with thousands of clients is grouped by
// subnet while the paths between a few servers keep their hosts.
func fold(as []*acc) []*acc {
	if len(as) == 0 {
		return nil
	}
	level := map[place]uint8{} // by group
	groups := []place{}
	for _, a := range as {
		g := a.p.coarser(maxLevel)
		if _, ok := level[g]; !ok {
			level[g] = 0
			groups = append(groups, g)
		}
	}
	names := make(map[place]string, len(groups))
	for _, g := range groups {
		names[g] = g.String()
	}
	sort.Slice(groups, func(i, j int) bool { return names[groups[i]] < names[groups[j]] })
	merge := func() ([]*acc, map[place]int) {
		by := map[place]*acc{}
		var order []place
		per := map[place]int{}
		for _, a := range as {
			g := a.p.coarser(maxLevel)
			p := a.p.coarser(level[g])
			m := by[p]
			if m == nil {
				m = &acc{check: a.check, out: a.out, p: p, first: -1}
				by[p] = m
				order = append(order, p)
				per[g]++
			}
			m.merge(a, examplesFor(a.check))
		}
		out := make([]*acc, 0, len(order))
		for _, p := range order {
			out = append(out, by[p])
		}
		return out, per
	}
	folded, per := merge()
	for len(folded) > maxPlaces {
		var pick place
		most := 1
		for _, g := range groups {
			if level[g] < maxLevel && per[g] > most {
				pick, most = g, per[g]
			}
		}
		if most == 1 {
			break // nothing coarser would help
		}
		level[pick]++
		folded, per = merge()
	}
	sort.Slice(folded, func(i, j int) bool {
		if folded[i].first != folded[j].first {
			return folded[i].first < folded[j].first
		}
		return folded[i].p.String() < folded[j].p.String()
	})
	if len(folded) > maxPlaces {
		rest := folded[maxPlaces-1:]
		other := &acc{check: rest[0].check, out: rest[0].out, p: rest[0].p, first: -1}
		other.p.otherCount = len(rest)
		for _, a := range rest {
			other.merge(a, examplesFor(a.check))
		}
		folded = append(folded[:maxPlaces-1], other)
	}
	return folded
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ay") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func labels(a *acc) string {
	ls := slices.Clone(a.labels)
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].first < ls[j].first })
	var s []string
	for _, l := range ls {
		s = append(s, l.s)
	}
	return strings.Join(s, ", ")
}

func exampleTexts(a *acc) []string {
	var s []string
	for _, e := range a.ex {
		s = append(s, e.text)
	}
	return s
}

// span is "at packet 7" or "packets 7 to 93".
func spanText(a *acc) string {
	if a.first == a.last {
		return fmt.Sprintf("at packet %d", a.first)
	}
	return fmt.Sprintf("first at packet %d, last at %d", a.first, a.last)
}

// examplesHead introduces the examples of a finding with more than fit.
func examplesHead(n int64, shown int, unit string) string {
	if n <= int64(shown) {
		return ""
	}
	return fmt.Sprintf("examples (the first %d of %s):", shown, plural(n, unit))
}

// finding writes one accumulator as a finding.
func (c *collector) finding(a *acc) report.Finding {
	target := a.p.String()
	ex := exampleTexts(a)
	switch a.check {
	case CheckSIPCleartext:
		f := report.Newf(CheckSIPCleartext, target, "%s in cleartext (%s), %s", plural(a.n, "SIP message"), labels(a), spanText(a))
		ids := strings.Join(ex, ", ")
		if len(ex) == 0 {
			return f
		}
		if a.n2 > int64(len(ex)) {
			return f.WithDetail("Call-IDs (the first %d of %d): %s", len(ex), a.n2, ids)
		}
		return f.WithDetail("Call-IDs: %s", ids)
	case CheckSDESKeyExposed:
		var f report.Finding
		if a.n == 1 {
			f = report.Newf(CheckSDESKeyExposed, target, "SDES keys in cleartext SIP: call %s, %s with a=crypto, %s",
				a.labels[0].s, plural(a.n2, "message"), spanText(a))
		} else {
			f = report.Newf(CheckSDESKeyExposed, target, "SDES keys in cleartext SIP: %s, %s with a=crypto, %s",
				plural(a.n, "call"), plural(a.n2, "message"), spanText(a))
		}
		kc := fmt.Sprintf("key check: %d of %s verified with pion/srtp (the leak is real)", a.k[0], plural(a.n, "call"))
		if a.k[1] > 0 {
			kc += fmt.Sprintf(", %d did not verify", a.k[1])
		}
		if a.k[2] > 0 {
			kc += fmt.Sprintf(", %d with no SRTP packets of theirs in the capture", a.k[2])
		}
		d := []string{kc}
		if h := examplesHead(a.n, len(ex), "call"); h != "" {
			d = append(d, h)
		}
		d = append(d, ex...)
		if !c.o.ShowKeys {
			d = append(d, "keys redacted; --show-keys prints them")
		}
		return f.WithDetail("%s", strings.Join(d, "\n"))
	case CheckRTPUnencrypted:
		what := "clear RTP"
		if a.out == outNegotiatedClear {
			what = "SRTP negotiated but clear RTP on the wire"
		}
		f := report.Newf(CheckRTPUnencrypted, target, "%s: %s, %d RTP packets, first stream at packet %d",
			what, plural(a.n, "stream"), a.n2, a.first)
		if a.n == 1 {
			f.Summary = fmt.Sprintf("%s: 1 stream, %d RTP packets, at packet %d", what, a.n2, a.first)
		}
		return f.WithDetail("%s", strings.Join(withHead(examplesHead(a.n, len(ex), "stream"), ex), "\n"))
	case CheckTLSVersionWeak:
		f := report.Newf(CheckTLSVersionWeak, target, "%s negotiated (packet %d)", labels(a), a.first)
		if a.n > 1 {
			f.Summary = fmt.Sprintf("%s negotiated in %s, %s", labels(a), plural(a.n, "session"), spanText(a))
		}
		return f.WithDetail("%s", strings.Join(withHead(examplesHead(a.n, len(ex), "session"), ex), "\n"))
	case CheckTLSNoMTLS:
		return mtlsFinding(a, target, ex)
	case CheckMediaPort:
		f := report.Newf(CheckMediaPort, target, "%s outside %s (ports %s), %s",
			plural(a.n, "m= line"), rangesString(c.o.MediaPorts), labels(a), spanText(a))
		return f.WithDetail("%s", strings.Join(append([]string{mediaPortRule}, withHead(examplesHead(a.n, len(ex), "m= line"), ex)...), "\n"))
	}
	panic("inspect: no finding for " + a.check)
}

func withHead(head string, ex []string) []string {
	if head == "" {
		return ex
	}
	return append([]string{head}, ex...)
}
