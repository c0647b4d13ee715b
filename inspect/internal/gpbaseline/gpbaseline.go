// Package gpbaseline is the benchmark baseline for the inspect core: the
// same job written the usual way with github.com/gopacket/gopacket — the
// pcapgo reader with ZeroCopyReadPacketData, a DecodingLayerParser over
// Ethernet, 802.1Q, Linux SLL, IPv4, IPv6, UDP and TCP, a flow map keyed by
// gopacket's endpoint hash, and the RFC 7983 first-byte demux with per-flow
// RTP counters. It is not used by voipsec itself.
package gpbaseline

import (
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Counts is what the baseline tallies.
type Counts struct {
	Packets, Bytes, UDP, TCP, RTP, RTCP, STUN, DTLS, SIP, Flows int64
}

type flowStats struct {
	packets, bytes, rtp int64
	ssrc                uint32
}

type packetSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// Run reads a pcap or pcapng stream and counts.
func Run(r io.Reader, pcapng bool) (Counts, error) {
	var c Counts
	var src packetSource
	var first layers.LinkType
	if pcapng {
		ng, err := pcapgo.NewNgReader(r, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return c, fmt.Errorf("gpbaseline: %w", err)
		}
		src, first = ng, ng.LinkType()
	} else {
		pr, err := pcapgo.NewReader(r)
		if err != nil {
			return c, fmt.Errorf("gpbaseline: %w", err)
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
	flows := map[uint64]*flowStats{}
	for {
		data, ci, err := src.ZeroCopyReadPacketData()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return c, err
		}
		c.Packets++
		c.Bytes += int64(len(data))
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
		var netFlow gopacket.Flow
		var app []byte
		isUDP := false
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				netFlow = ip4.NetworkFlow()
			case layers.LayerTypeIPv6:
				netFlow = ip6.NetworkFlow()
			case layers.LayerTypeUDP:
				c.UDP++
				isUDP = true
				app = udp.Payload
			case layers.LayerTypeTCP:
				c.TCP++
				app = tcp.Payload
			}
		}
		if app == nil {
			continue
		}
		var key uint64
		if isUDP {
			key = netFlow.FastHash() ^ udp.TransportFlow().FastHash()
		} else {
			key = netFlow.FastHash() ^ tcp.TransportFlow().FastHash()
		}
		fs := flows[key]
		if fs == nil {
			fs = &flowStats{}
			flows[key] = fs
		}
		fs.packets++
		fs.bytes += int64(len(app))
		if len(app) == 0 {
			continue
		}
		switch b := app[0]; {
		case b <= 3:
			c.STUN++
		case b >= 20 && b <= 63:
			c.DTLS++
		case b >= 128 && b <= 191 && len(app) >= 12:
			if app[1] >= 192 && app[1] <= 223 {
				c.RTCP++
			} else {
				c.RTP++
				fs.rtp++
				fs.ssrc = uint32(app[8])<<24 | uint32(app[9])<<16 | uint32(app[10])<<8 | uint32(app[11])
			}
		case b == 'I' || b == 'S' || b == 'A' || b == 'B':
			c.SIP++
		}
	}
	c.Flows = int64(len(flows))
	return c, nil
}
