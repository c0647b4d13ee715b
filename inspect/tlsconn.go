package inspect

import (
	"crypto/x509"
	"time"

	"github.com/voipsec/voipsec/tlswire"
)

// maxCertCache bounds the distinct certificates kept parsed; beyond it a
// certificate is parsed each time it is seen.
const maxCertCache = 4096

// CertInfo is what the report shows of one certificate seen in a TLS ≤ 1.2
// handshake. It is shared by every session that carried the same DER.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// TLSSession is one TLS connection seen in the capture, as far as its
// plaintext handshake shows it, and how it ended.
type TLSSession struct {
	Client, Server Endpoint `json:"-"`
	ClientAddr     string   `json:"client"`
	ServerAddr     string   `json:"server"`
	FirstPacket    int64    `json:"first_packet"`

	ClientHello     bool        `json:"client_hello"`
	OfferedMax      string      `json:"offered_max_version,omitempty"`
	OfferedSuites   int         `json:"offered_suites,omitempty"`
	SNI             string      `json:"sni,omitempty"`
	ServerHello     bool        `json:"server_hello"`
	Version         string      `json:"version,omitempty"`
	VersionCode     uint16      `json:"-"`
	CipherSuite     string      `json:"cipher_suite,omitempty"`
	ServerCerts     []*CertInfo `json:"server_certificates,omitempty"`
	CertRequested   bool        `json:"certificate_requested"`
	CANames         int         `json:"ca_names,omitempty"`
	ClientCertSeen  bool        `json:"client_certificate_message"`
	ClientCerts     int         `json:"client_certificates"`
	Alerts          []string    `json:"alerts,omitempty"`
	ApplicationData int64       `json:"application_data_records"`
	LostSync        bool        `json:"lost_sync,omitempty"` // a gap broke record framing
	// End says how the session ended: "completed" (TLS ≤ 1.2: both sides
	// changed cipher spec), "fatal alert unknown_ca from server", "reset
	// by client before the handshake completed", "closed before the
	// handshake completed", "encrypted handshake (TLS 1.3)", or "cut off
	// (capture ended)" and the like when the capture holds no end.
	End       string `json:"end"`
	EndPacket int64  `json:"end_packet,omitempty"`

	PacketClientCert int64 `json:"-"`
	ServerFlightDone bool  `json:"-"` // ServerHelloDone seen: the server said all it would ask
	alertFrom        string
	alertDesc        uint8
	alertPacket      int64
	key              FlowKey // client to server, for places
}

// tlsState tracks one TLS connection (both directions).
type tlsState struct {
	TLSSession
	seq         int64
	clientKey   FlowKey
	haveClient  bool
	encrypted   [2]bool // ChangeCipherSpec seen, per direction (0 client, 1 server)
	asm         [2]tlswire.HandshakeAssembler
	flows       int // live flows (directions) using it
	done        bool
	resetBy     string
	resetPacket int64
	finPacket   int64
	firstKey    FlowKey
}

// tlsFor returns the connection state shared by fl and its reverse flow.
func (s *scanner) tlsFor(fl *flow) *tlsState {
	if rev := s.flows[fl.key.reverse()]; rev != nil && rev.tls != nil && !rev.tls.done {
		rev.tls.flows++
		return rev.tls
	}
	s.tlsSeq++
	var st *tlsState
	if n := len(s.freeTLS); n > 0 {
		st = s.freeTLS[n-1]
		s.freeTLS = s.freeTLS[:n-1]
		asm := st.asm
		asm[0].Reset()
		asm[1].Reset()
		*st = tlsState{asm: asm}
	} else {
		st = &tlsState{}
	}
	st.seq, st.flows, st.firstKey = s.tlsSeq, 1, fl.key
	st.FirstPacket = s.pktNum
	s.liveTLS++
	s.state.MaxTLS = max(s.state.MaxTLS, s.liveTLS)
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

// tlsFlowDone drops one direction's hold on the session and finishes it
// when neither is left.
func (s *scanner) tlsFlowDone(st *tlsState, how int) {
	st.flows--
	if st.flows > 0 || st.done {
		return
	}
	why := "capture ended"
	switch how {
	case endIdle:
		why = "idle timeout"
	case endCapture:
		why = s.endWhy
	}
	s.finishTLS(st, why)
}

func (s *scanner) finishTLS(st *tlsState, why string) {
	st.done = true
	s.liveTLS--
	if st.haveClient {
		st.ClientAddr, st.ServerAddr = st.Client.String(), st.Server.String()
		st.key = st.clientKey
	} else {
		st.ClientAddr, st.ServerAddr = st.firstKey.Src.String(), st.firstKey.Dst.String()
		st.key = st.firstKey
	}
	st.End, st.EndPacket = st.endState(why)
	s.out.tlsSession(&st.TLSSession, st.seq)
	// The collector copied the session (its slices stay with the copy);
	// the assemblers' buffers are reused.
	if len(s.freeTLS) < maxFreeHeavy {
		s.freeTLS = append(s.freeTLS, st)
	}
}

// endState says how the session ended (see TLSSession.End).
func (st *tlsState) endState(why string) (string, int64) {
	tls13 := st.VersionCode == tlswire.VersionTLS13
	switch {
	case st.alertFrom != "":
		return "fatal alert " + tlswire.AlertName(st.alertDesc) + " from " + st.alertFrom, st.alertPacket
	case !tls13 && st.encrypted[0] && st.encrypted[1]:
		return "completed", 0
	case st.resetBy != "" && (st.ClientHello || st.ServerHello):
		return "reset by " + st.resetBy + " before the handshake completed", st.resetPacket
	case tls13 && st.ServerHello:
		return "encrypted handshake (TLS 1.3)", 0
	case !st.ClientHello && !st.ServerHello:
		return "handshake not in the capture (the connection was open before it)", 0
	case st.finPacket != 0:
		return "closed before the handshake completed", st.finPacket
	}
	return "cut off (" + why + ") before the handshake completed", 0
}

// tlsStream reads whole records from b, following the plaintext handshake
// with the shared TLS decoders, and returns what must be held: the start of
// a record whose content is read and is not complete yet. A record whose
// content is not read (application data, anything after ChangeCipherSpec)
// is passed over as it arrives (d.skip).
func (s *scanner) tlsStream(fl *flow, d *tcpDir, b []byte) []byte {
	st := fl.tls
	if st == nil {
		st = s.tlsFor(fl)
		fl.tls = st
	}
	var rec tlswire.Record
	for len(b) > 0 {
		n, err := rec.DecodeFromBytes(b)
		if err == tlswire.ErrTruncated {
			if len(b) >= 5 && !st.readsContent(fl.key, b[0]) {
				// Count it now and pass over the rest as it arrives.
				s.tlsRecordHeader(fl, st, b[0], d)
				d.skip = 5 + int(b[3])<<8 | int(b[4]) - len(b)
				if d.skip < 0 {
					d.skip = 0
				}
				return nil
			}
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
			return nil
		}
	}
	return b
}

// readsContent reports whether a record of type typ on flow k is decoded
// (plaintext handshake, alert, change cipher spec) rather than counted.
func (st *tlsState) readsContent(k FlowKey, typ byte) bool {
	dir := st.dir(k)
	switch typ {
	case tlswire.RecordChangeCipherSpec:
		return true
	case tlswire.RecordAlert, tlswire.RecordHandshake:
		if dir >= 0 && st.encrypted[dir] {
			return false
		}
		return !(st.VersionCode == tlswire.VersionTLS13 && dir == 1 && typ == tlswire.RecordHandshake)
	}
	return false
}

// tlsRecordHeader counts a record that is passed over.
func (s *scanner) tlsRecordHeader(fl *flow, st *tlsState, typ byte, d *tcpDir) {
	if typ == tlswire.RecordApplicationData {
		st.ApplicationData++
		// Past the handshake: from here this direction is only counted.
		d.done = true
	}
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
		if (dir < 0 || !st.encrypted[dir]) && a.DecodeFromBytes(rec.Fragment) == nil {
			if len(st.Alerts) < 8 {
				st.Alerts = append(st.Alerts, a.String())
			}
			if a.Level == 2 && st.alertFrom == "" {
				st.alertFrom, st.alertDesc, st.alertPacket = "server", a.Description, s.pktNum
				if dir == 0 {
					st.alertFrom = "client"
				}
			}
		}
	case tlswire.RecordApplicationData:
		s.tlsRecordHeader(fl, st, rec.ContentType, d)
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
			st.ServerCerts = append(st.ServerCerts, s.certInfo(der))
		}
	case tlswire.CertificateRequestType:
		var r tlswire.CertificateRequest
		st.CertRequested = true
		if r.DecodeFromBytes(hs.Body, st.VersionCode) == nil {
			st.CANames = len(r.CANames)
		}
	case tlswire.ServerHelloDoneType:
		st.ServerFlightDone = true
	}
}

var unparsable = &CertInfo{Subject: "(unparsable certificate)"}

// certInfo parses a certificate once per distinct DER.
func (s *scanner) certInfo(der []byte) *CertInfo {
	if ci, ok := s.certs[string(der)]; ok {
		return ci
	}
	ci := unparsable
	if cert, err := x509.ParseCertificate(der); err == nil {
		ci = &CertInfo{Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
			DNSNames: cert.DNSNames, NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC()}
	}
	if len(s.certs) < maxCertCache {
		s.certs[string(der)] = ci
	}
	return ci
}

// cipherSuiteName names a suite with the IANA table, else 0x%04X.
func cipherSuiteName(id uint16) string { return tlswire.CipherSuiteName(id) }
