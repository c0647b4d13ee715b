package inspect

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"time"

	"github.com/voipsec/voipsec/tlswire"
)

// CertInfo is what the report shows of one certificate seen in a TLS ≤ 1.2
// handshake.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// TLSSession is one TLS connection seen in the capture, as far as its
// plaintext handshake shows it.
type TLSSession struct {
	Client, Server Endpoint `json:"-"`
	ClientAddr     string   `json:"client"`
	ServerAddr     string   `json:"server"`
	FirstPacket    int64    `json:"first_packet"`

	ClientHello      bool       `json:"client_hello"`
	OfferedMax       string     `json:"offered_max_version,omitempty"`
	OfferedSuites    int        `json:"offered_suites,omitempty"`
	SNI              string     `json:"sni,omitempty"`
	ServerHello      bool       `json:"server_hello"`
	Version          string     `json:"version,omitempty"`
	VersionCode      uint16     `json:"-"`
	CipherSuite      string     `json:"cipher_suite,omitempty"`
	ServerCerts      []CertInfo `json:"server_certificates,omitempty"`
	CertRequested    bool       `json:"certificate_requested"`
	CANames          int        `json:"ca_names,omitempty"`
	ClientCertSeen   bool       `json:"client_certificate_message"`
	ClientCerts      int        `json:"client_certificates"`
	Alerts           []string   `json:"alerts,omitempty"`
	ApplicationData  int64      `json:"application_data_records"`
	LostSync         bool       `json:"lost_sync,omitempty"` // a gap broke record framing
	PacketClientCert int64      `json:"-"`
}

// tlsState tracks one TLS connection (both directions).
type tlsState struct {
	TLSSession
	clientKey  FlowKey
	haveClient bool
	encrypted  [2]bool // ChangeCipherSpec seen, per direction (0 client, 1 server)
	asm        [2]tlswire.HandshakeAssembler
}

// tlsFor returns the connection state shared by fl and its reverse flow.
func (s *scanner) tlsFor(fl *flow) *tlsState {
	if rev := s.flows[fl.key.reverse()]; rev != nil && rev.tls != nil {
		return rev.tls
	}
	st := &tlsState{}
	st.FirstPacket = s.pktNum
	s.tlsSess = append(s.tlsSess, st)
	return st
}

// dir returns 0 for the client's direction, 1 for the server's.
func (st *tlsState) dir(k FlowKey) int {
	if st.haveClient && k == st.clientKey {
		return 0
	}
	if st.haveClient {
		return 1
	}
	return -1
}

func (st *tlsState) setClient(k FlowKey) {
	if !st.haveClient {
		st.clientKey, st.haveClient = k, true
		st.Client, st.Server = k.Src, k.Dst
	}
}

// tlsStream takes whole records out of the direction's buffer and follows
// the plaintext handshake with the shared TLS decoders.
func (s *scanner) tlsStream(fl *flow, d *tcpDir) {
	st := fl.tls
	if st == nil {
		st = s.tlsFor(fl)
		fl.tls = st
	}
	b := d.buf
	var rec tlswire.Record
	for len(b) > 0 {
		n, err := rec.DecodeFromBytes(b)
		if err == tlswire.ErrTruncated {
			break
		}
		if err != nil {
			// Not a record boundary: after a gap, look for the next
			// plausible header; otherwise this is not TLS any more.
			st.LostSync = true
			i := 1
			for ; i+5 <= len(b); i++ {
				if tlswire.LooksLikeRecord(b[i:]) && b[i+2] <= 4 && int(b[i+3])<<8|int(b[i+4]) <= tlswire.MaxRecordLength {
					break
				}
			}
			b = b[min(i, len(b)):]
			continue
		}
		s.tlsRecord(fl, st, &rec, d)
		b = b[n:]
		if d.done {
			b = nil
		}
	}
	d.buf = append(d.buf[:0], b...)
}

func (s *scanner) tlsRecord(fl *flow, st *tlsState, rec *tlswire.Record, d *tcpDir) {
	dir := st.dir(fl.key)
	switch rec.ContentType {
	case tlswire.RecordChangeCipherSpec:
		if dir >= 0 {
			st.encrypted[dir] = true
		}
	case tlswire.RecordAlert:
		var a tlswire.Alert
		if (dir < 0 || !st.encrypted[dir]) && a.DecodeFromBytes(rec.Fragment) == nil && len(st.Alerts) < 8 {
			st.Alerts = append(st.Alerts, a.String())
		}
	case tlswire.RecordApplicationData:
		st.ApplicationData++
		// Past the handshake: from here this direction is only counted.
		d.done = true
		d.buf = d.buf[:0]
	case tlswire.RecordHandshake:
		if dir >= 0 && st.encrypted[dir] {
			return
		}
		if st.VersionCode == tlswire.VersionTLS13 && dir == 1 {
			return // after ServerHello everything is encrypted
		}
		ai := 0
		if dir == 1 {
			ai = 1
		}
		a := &st.asm[ai]
		if a.Write(rec.Fragment) != nil {
			a.Reset()
			return
		}
		var hs tlswire.Handshake
		for {
			ok, err := a.Next(&hs)
			if err != nil {
				a.Reset()
				return
			}
			if !ok {
				return
			}
			s.tlsHandshake(fl, st, &hs)
			if st.VersionCode == tlswire.VersionTLS13 && st.dir(fl.key) == 1 {
				a.Reset()
				return
			}
		}
	}
}

func (s *scanner) tlsHandshake(fl *flow, st *tlsState, hs *tlswire.Handshake) {
	switch hs.Type {
	case tlswire.ClientHelloType:
		var ch tlswire.ClientHello
		if ch.DecodeFromBytes(hs.Body) != nil {
			return
		}
		st.setClient(fl.key)
		st.ClientHello = true
		st.OfferedMax = tlswire.VersionName(ch.MaxVersion())
		st.OfferedSuites = ch.CipherSuites.Len()
		st.SNI = string(ch.ServerName)
	case tlswire.ServerHelloType:
		var sh tlswire.ServerHello
		if sh.DecodeFromBytes(hs.Body) != nil {
			return
		}
		st.setClient(fl.key.reverse())
		st.ServerHello = true
		st.VersionCode = sh.NegotiatedVersion()
		st.Version = tlswire.VersionName(st.VersionCode)
		st.CipherSuite = cipherSuiteName(sh.CipherSuite)
	case tlswire.CertificateType:
		var c tlswire.Certificate
		if c.DecodeFromBytes(hs.Body, st.VersionCode == tlswire.VersionTLS13) != nil {
			return
		}
		if st.dir(fl.key) == 0 {
			st.ClientCertSeen = true
			st.ClientCerts = c.Count
			st.PacketClientCert = s.pktNum
			return
		}
		st.ServerCerts = st.ServerCerts[:0]
		for _, der := range c.Certificates {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				st.ServerCerts = append(st.ServerCerts, CertInfo{Subject: "(unparsable certificate)"})
				continue
			}
			st.ServerCerts = append(st.ServerCerts, CertInfo{
				Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
				DNSNames: cert.DNSNames, NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
			})
		}
	case tlswire.CertificateRequestType:
		var r tlswire.CertificateRequest
		st.CertRequested = true
		if r.DecodeFromBytes(hs.Body, st.VersionCode) == nil {
			st.CANames = len(r.CANames)
		}
	}
}

// cipherSuiteName names a suite with crypto/tls's table, else 0x%04X.
func cipherSuiteName(id uint16) string {
	return strings.TrimSpace(tls.CipherSuiteName(id))
}
