package inspect

import (
	"net/netip"
	"strconv"
)

// A place is where a person acts on a finding: a signalling path, a pair of
// media hosts, a TLS server and its clients, the host that announced media
// ports. Findings are one per check, outcome and place, with counts and
// examples, not one per message, call or stream.
//
// Each place can be made coarser, so that a capture with thousands of
// clients still gives a report that fits on a screen (collect.go picks the
// finest level with at most maxPlaces places per check and outcome):
//
//	level 0  the hosts themselves (SIP and TLS with the server port)
//	level 1  clients by /24 (IPv6 /64); a server side stays exact
//	level 2  clients by /16 (IPv6 /48)
//	level 3  any client
//
// Which side is the client: for SIP and TLS the side whose port is not a
// SIP port when the other's is (for TCP without a SIP port on either side,
// the higher port); for media, both sides are coarsened alike; for an SDP
// place, the one host.
type place struct {
	kind       uint8
	proto      uint8
	level      uint8
	coarseA    bool // side a may be coarsened (a client)
	coarseB    bool
	a, b       netip.Prefix
	portA      uint16 // 0: none shown
	portB      uint16
	otherCount int // an "other places" place: how many it stands for
}

const (
	placeSIP = iota
	placeMedia
	placeTLS
	placeSDP
	maxLevel = 3
)

func host(e Endpoint) netip.Prefix {
	a := addrOf(e)
	return netip.PrefixFrom(a, a.BitLen())
}

// sipPlace is the signalling path of a SIP message on k.
func (o *Options) sipPlace(k FlowKey) place {
	p := place{kind: placeSIP, proto: k.Proto, a: host(k.Src), b: host(k.Dst), portA: k.Src.Port, portB: k.Dst.Port}
	sa, sb := o.isSIPPort(k.Src.Port), o.isSIPPort(k.Dst.Port)
	switch {
	case sa && !sb:
		p.coarseB = true
	case sb && !sa:
		p.coarseA = true
	case !sa && !sb:
		if k.Proto == protoTCP {
			p.coarseA = k.Src.Port > k.Dst.Port
			p.coarseB = !p.coarseA
		} else {
			p.coarseA, p.coarseB = true, true
		}
	}
	if k.Proto == protoTCP {
		// A TCP client's port is ephemeral: one place for all its connections.
		if p.coarseA && !p.coarseB {
			p.portA = 0
		} else if p.coarseB && !p.coarseA {
			p.portB = 0
		}
	}
	return p.ordered()
}

// mediaPlace is the pair of hosts of a media stream.
func mediaPlace(k FlowKey) place {
	p := place{kind: placeMedia, proto: k.Proto, a: host(k.Src), b: host(k.Dst), coarseA: true, coarseB: true}
	return p.ordered()
}

// tlsPlace is a TLS server endpoint and the host of its client.
func tlsPlace(k FlowKey) place {
	return place{kind: placeTLS, proto: protoTCP, a: host(k.Src), b: host(k.Dst), portB: k.Dst.Port, coarseA: true}
}

// sdpPlace is the host that announced media in an SDP body.
func sdpPlace(a netip.Addr) place {
	a = a.Unmap()
	return place{kind: placeSDP, a: netip.PrefixFrom(a, a.BitLen()), coarseA: true}
}

// ordered puts the sides of a symmetric place in address order.
func (p place) ordered() place {
	if c := p.a.Addr().Compare(p.b.Addr()); c > 0 || c == 0 && p.portA > p.portB {
		p.a, p.b = p.b, p.a
		p.portA, p.portB = p.portB, p.portA
		p.coarseA, p.coarseB = p.coarseB, p.coarseA
	}
	return p
}

// coarser returns p at level l (l >= p.level).
func (p place) coarser(l uint8) place {
	if l <= p.level {
		return p
	}
	p.level = l
	if p.coarseA {
		p.a, p.portA = mask(p.a, l), 0
	}
	if p.coarseB {
		p.b, p.portB = mask(p.b, l), 0
	}
	if p.kind == placeMedia || p.kind == placeSIP && p.coarseA && p.coarseB {
		return p.ordered()
	}
	return p
}

func mask(pr netip.Prefix, l uint8) netip.Prefix {
	bits := [...][2]int{{32, 128}, {24, 64}, {16, 48}, {0, 0}}[l]
	b := bits[0]
	if pr.Addr().Is6() {
		b = bits[1]
	}
	m, _ := pr.Addr().Prefix(b)
	return m
}

func protoName(p uint8) string {
	switch p {
	case protoUDP:
		return "udp"
	case protoTCP:
		return "tcp"
	}
	return "ip" + strconv.Itoa(int(p))
}

func side(pr netip.Prefix, port uint16) string {
	s := pr.Addr().String()
	if pr.Bits() != pr.Addr().BitLen() {
		s = pr.String()
	}
	if port != 0 {
		if pr.Addr().Is6() {
			s = "[" + s + "]"
		}
		s += ":" + strconv.Itoa(int(port))
	}
	return s
}

// String is the finding target: "udp 10.0.0.1:5060 <-> 10.0.0.2:5060",
// "tcp 10.0.0.7 <-> 10.0.0.2:5060", "media udp 10.0.0.1 <-> 10.0.1.0/24",
// "tls 10.0.0.7 > 10.0.0.2:5061", "sdp from 10.0.0.1".
func (p place) String() string {
	if p.otherCount > 0 {
		kind := [...]string{"signalling paths", "media host pairs", "TLS server and client pairs", "SDP hosts"}[p.kind]
		return strconv.Itoa(p.otherCount) + " other " + kind
	}
	switch p.kind {
	case placeSIP:
		return protoName(p.proto) + " " + side(p.a, p.portA) + " <-> " + side(p.b, p.portB)
	case placeMedia:
		return "media " + protoName(p.proto) + " " + side(p.a, 0) + " <-> " + side(p.b, 0)
	case placeTLS:
		return "tls " + side(p.a, 0) + " > " + side(p.b, p.portB)
	}
	return "sdp from " + side(p.a, 0)
}
