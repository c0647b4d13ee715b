package tlsprobe

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/voipsec/voipsec/inspect"
	"github.com/voipsec/voipsec/report"
)

// enumVersions are the versions enumeration tries, oldest first.
var enumVersions = []uint16{inspect.VersionSSL30, inspect.VersionTLS10, inspect.VersionTLS11, inspect.VersionTLS12, inspect.VersionTLS13}

// maxServerFlight bounds the bytes read before the ServerHello arrives.
const maxServerFlight = 64 << 10

var (
	errWrongVersion = errors.New("tlsprobe: server chose another version")
	errNotOffered   = errors.New("tlsprobe: server chose a suite that was not offered")
	errNoHello      = errors.New("tlsprobe: server answered without a ServerHello")
)

// enumerate finds the accepted versions and, for each, the accepted suites
// in server preference order. Versions run concurrently; the handshakes of
// all of them share a bound of cfg.Concurrency.
func (p *prober) enumerate(ctx context.Context) []Version {
	sem := make(chan struct{}, p.cfg.Concurrency)
	out := make([]Version, len(enumVersions))
	var key []byte
	if k, err := ecdh.X25519().GenerateKey(rand.Reader); err == nil {
		key = k.PublicKey().Bytes()
	}
	var wg sync.WaitGroup
	for i, v := range enumVersions {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					out[i].Error = fmt.Sprintf("internal error: %v", r)
				}
			}()
			out[i] = p.enumerateVersion(ctx, v, key, sem)
		})
	}
	wg.Wait()
	return out
}

func (p *prober) enumerateVersion(ctx context.Context, v uint16, key []byte, sem chan struct{}) Version {
	res := Version{ID: v, Version: inspect.TLSVersionName(v)}
	offered := suitesFor(v)
	picked, err := p.preference(ctx, v, offered, key, sem)
	if len(picked) == 0 && len(offered) > maxHelloSuites && choked(err) {
		// Some servers drop a ClientHello with hundreds of suites instead of
		// answering it (testssl.sh offers at most 128 for this reason):
		// find the accepted suites chunk by chunk, then order them.
		var accepted []uint16
		for chunk := range slices.Chunk(offered, maxHelloSuites) {
			got, _ := p.preference(ctx, v, slices.Clone(chunk), key, sem)
			accepted = append(accepted, got...)
		}
		if len(accepted) > 0 {
			picked, err = p.preference(ctx, v, accepted, key, sem)
		}
	}
	if len(picked) == 0 {
		if err != nil {
			res.Error = describe("ClientHello", err)
		}
		return res
	}
	res.Accepted = true
	for _, id := range picked {
		s := Suite{ID: id, Name: CipherSuiteName(id)}
		if cs := LookupCipherSuite(id); cs != nil {
			s.Insecure, s.Weakness = cs.Insecure, cs.Weakness
		}
		res.Suites = append(res.Suites, s)
	}
	return res
}

// maxHelloSuites is the largest suite list offered when a server chokes on
// the full one: 128 on the wire with the renegotiation SCSV.
const maxHelloSuites = 127

// choked reports whether a failed first ClientHello looks like the server
// choking on the hello's size rather than refusing the version.
func choked(err error) bool {
	st, ev := classify(err)
	switch st {
	case StatusClosed, StatusError:
		return true
	case StatusAlert:
		d := ev.(*AlertError).Description
		return d == 50 || d == 47 || d == 22 || d == 80 // decode_error, illegal_parameter, record_overflow, internal_error
	}
	return false
}

// preference offers suites, removes the one the server picks and offers
// again until the server refuses: the picks in server preference order, and
// the error that ended the chain.
func (p *prober) preference(ctx context.Context, v uint16, offered []uint16, key []byte, sem chan struct{}) ([]uint16, error) {
	var picked []uint16
	for range len(offered) + 1 {
		if len(offered) == 0 {
			return picked, nil
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return picked, ctx.Err()
		}
		suite, err := p.rawHello(ctx, v, offered, key, nil)
		<-sem
		if err != nil {
			return picked, err
		}
		picked = append(picked, suite)
		offered = slices.DeleteFunc(offered, func(id uint16) bool { return id == suite })
	}
	return picked, nil
}

// serverFlight collects what a TLS <= 1.2 server sends after its
// ServerHello, when rawHello is asked to read on.
type serverFlight struct {
	certs     [][]byte // DER, copied
	requested bool     // CertificateRequest seen
	caNames   [][]byte // copied
}

// rawHello sends one hand-written ClientHello for version v offering suites
// and returns the suite the server chose at exactly that version. With a
// non-nil flight (TLS <= 1.2 only) it reads on to ServerHelloDone and keeps
// the Certificate and CertificateRequest.
func (p *prober) rawHello(ctx context.Context, v uint16, suites []uint16, key []byte, flight *serverFlight) (uint16, error) {
	conn, done, err := p.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	defer conn.Close()
	if _, err := conn.Write(appendClientHello(nil, v, suites, p.sni(), key)); err != nil {
		return 0, fmt.Errorf("write ClientHello: %w", err)
	}
	return readServerHello(conn, v, suites, flight)
}

// readServerHello reads the server's answer to a ClientHello of version v
// offering suites: the chosen suite, or the alert or non-TLS bytes it sent.
// The reader's deadline bounds it.
func readServerHello(conn io.Reader, v uint16, suites []uint16, flight *serverFlight) (uint16, error) {
	var (
		buf = make([]byte, 0, 8192)
		rec inspect.TLSRecord
		hs  inspect.TLSHandshake
		sh  inspect.TLSServerHello
		asm inspect.TLSHandshakeAssembler
		al  inspect.TLSAlert
		crt inspect.TLSCertificate
		cr  inspect.TLSCertificateRequest
		got uint16 // the chosen suite, once the ServerHello is in
	)
	tmp := make([]byte, 4096)
	for {
		n, rerr := conn.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			used, err := rec.DecodeFromBytes(buf)
			if errors.Is(err, inspect.ErrTLSTruncated) {
				break
			}
			if err != nil {
				return 0, &PlaintextError{FirstBytes: append([]byte(nil), first(buf, 16)...)}
			}
			switch rec.ContentType {
			case inspect.TLSRecordAlert:
				if al.DecodeFromBytes(rec.Fragment) != nil {
					return 0, fmt.Errorf("read alert: %w", inspect.ErrTLSMalformed)
				}
				return 0, &AlertError{Description: al.Description, Text: inspect.TLSAlertName(al.Description)}
			case inspect.TLSRecordHandshake:
				if err := asm.Write(rec.Fragment); err != nil {
					return 0, fmt.Errorf("read ServerHello: %w", err)
				}
				for {
					ok, err := asm.Next(&hs)
					if err != nil {
						return 0, fmt.Errorf("read ServerHello: %w", err)
					}
					if !ok {
						break
					}
					if got != 0 {
						switch hs.Type {
						case inspect.TLSCertificateType:
							if err := crt.DecodeFromBytes(hs.Body, false); err != nil {
								return got, fmt.Errorf("parse Certificate: %w", err)
							}
							for _, c := range crt.Certificates {
								flight.certs = append(flight.certs, slices.Clone(c))
							}
						case inspect.TLSCertificateRequestType:
							if err := cr.DecodeFromBytes(hs.Body, v); err != nil {
								return got, fmt.Errorf("parse CertificateRequest: %w", err)
							}
							flight.requested = true
							for _, n := range cr.CANames {
								flight.caNames = append(flight.caNames, slices.Clone(n))
							}
						case inspect.TLSServerHelloDoneType:
							return got, nil
						}
						continue
					}
					if hs.Type != inspect.TLSServerHelloType {
						return 0, fmt.Errorf("%w (message type %d)", errNoHello, hs.Type)
					}
					if err := sh.DecodeFromBytes(hs.Body); err != nil {
						return 0, fmt.Errorf("parse ServerHello: %w", err)
					}
					if nv := sh.NegotiatedVersion(); nv != v {
						return 0, fmt.Errorf("%w: %s", errWrongVersion, inspect.TLSVersionName(nv))
					}
					if !slices.Contains(suites, sh.CipherSuite) {
						return 0, fmt.Errorf("%w: %s", errNotOffered, CipherSuiteName(sh.CipherSuite))
					}
					if flight == nil || v >= inspect.VersionTLS13 {
						return sh.CipherSuite, nil
					}
					got = sh.CipherSuite
				}
			default:
				if got != 0 {
					return got, nil // ChangeCipherSpec of a resumption: nothing more in clear
				}
				return 0, fmt.Errorf("%w (record type %d)", errNoHello, rec.ContentType)
			}
			buf = buf[used:]
		}
		if len(buf) > maxServerFlight {
			return 0, fmt.Errorf("read ServerHello: %w", inspect.ErrTLSTooLarge)
		}
		if rerr != nil {
			if got != 0 {
				return got, nil
			}
			if len(buf) > 0 && !inspect.LooksLikeTLSRecord(buf) && len(buf) >= 3 {
				return 0, &PlaintextError{FirstBytes: append([]byte(nil), first(buf, 16)...)}
			}
			return 0, fmt.Errorf("read ServerHello: %w", rerr)
		}
	}
}

// appendClientHello writes a ClientHello record (RFC 5246 §7.4.1.2, RFC 8446
// §4.1.2). SSL 3.0 hellos carry no extensions; TLS 1.3 hellos carry
// supported_versions and an X25519 key_share.
func appendClientHello(dst []byte, v uint16, suites []uint16, serverName string, key []byte) []byte {
	u16 := func(b []byte, x uint16) []byte { return append(b, byte(x>>8), byte(x)) }
	var body []byte
	legacy := min(v, inspect.VersionTLS12)
	body = u16(body, legacy)
	var random [32]byte
	_, _ = rand.Read(random[:])
	body = append(body, random[:]...)
	if v == inspect.VersionTLS13 {
		var sid [32]byte // middlebox compatibility mode (RFC 8446 §D.4)
		_, _ = rand.Read(sid[:])
		body = append(body, 32)
		body = append(body, sid[:]...)
	} else {
		body = append(body, 0)
	}
	n := len(suites)
	if v != inspect.VersionTLS13 {
		n++ // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3)
	}
	body = u16(body, uint16(2*n))
	for _, s := range suites {
		body = u16(body, s)
	}
	if v != inspect.VersionTLS13 {
		body = u16(body, 0x00FF)
	}
	body = append(body, 1, 0) // null compression
	if v > inspect.VersionSSL30 {
		var ext []byte
		addExt := func(typ uint16, data []byte) {
			ext = u16(ext, typ)
			ext = u16(ext, uint16(len(data)))
			ext = append(ext, data...)
		}
		if serverName != "" {
			name := []byte(strings.TrimSuffix(serverName, "."))
			entry := append([]byte{0}, u16(nil, uint16(len(name)))...)
			entry = append(entry, name...)
			addExt(inspect.TLSExtServerName, append(u16(nil, uint16(len(entry))), entry...))
		}
		groups := []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101}
		g := u16(nil, uint16(2*len(groups)))
		for _, x := range groups {
			g = u16(g, x)
		}
		addExt(inspect.TLSExtSupportedGroups, g)
		addExt(inspect.TLSExtECPointFormats, []byte{1, 0})
		if v >= inspect.VersionTLS12 {
			algs := []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808,
				0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0402, 0x0201, 0x0203, 0x0202}
			a := u16(nil, uint16(2*len(algs)))
			for _, x := range algs {
				a = u16(a, x)
			}
			addExt(inspect.TLSExtSignatureAlgorithms, a)
		}
		if v == inspect.VersionTLS13 {
			addExt(inspect.TLSExtSupportedVersions, []byte{2, 3, 4})
			if len(key) == 32 {
				ks := u16(nil, 0x001d)
				ks = u16(ks, 32)
				ks = append(ks, key...)
				addExt(inspect.TLSExtKeyShare, append(u16(nil, uint16(len(ks))), ks...))
			}
			addExt(45, []byte{1, 1}) // psk_key_exchange_modes: psk_dhe_ke
		}
		body = u16(body, uint16(len(ext)))
		body = append(body, ext...)
	}
	recVersion := inspect.VersionTLS10
	if v == inspect.VersionSSL30 {
		recVersion = inspect.VersionSSL30
	}
	hsLen := len(body)
	dst = append(dst, inspect.TLSRecordHandshake)
	dst = u16(dst, recVersion)
	dst = u16(dst, uint16(hsLen+4))
	dst = append(dst, inspect.TLSClientHelloType, byte(hsLen>>16), byte(hsLen>>8), byte(hsLen))
	return append(dst, body...)
}

func (p *prober) enumerationFindings(res *Result) {
	var weakVersions, weakSuites []string
	var any bool
	for _, v := range res.Versions {
		if !v.Accepted {
			continue
		}
		any = true
		if inspect.TLSVersionDeprecated(v.ID) {
			weakVersions = append(weakVersions, v.Version)
		}
		for _, s := range v.Suites {
			if s.Insecure {
				weakSuites = append(weakSuites, fmt.Sprintf("%s %s (%s)", v.Version, s.Name, s.Weakness))
			}
		}
	}
	if !any {
		return // enumeration saw nothing: TLS-HANDSHAKE-FAILED already says why
	}
	if len(weakVersions) > 0 {
		res.Findings = append(res.Findings, report.Newf("TLS-VERSION-WEAK", p.target,
			"server accepts %s", strings.Join(weakVersions, ", ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-VERSION-WEAK", p.target,
			"server accepts no deprecated protocol version"))
	}
	if len(weakSuites) > 0 {
		res.Findings = append(res.Findings, report.Newf("TLS-CIPHER-WEAK", p.target,
			"server accepts %d weak cipher suites", len(weakSuites)).WithDetail("%s", strings.Join(weakSuites, "; ")))
	} else {
		res.Findings = append(res.Findings, report.Passed("TLS-CIPHER-WEAK", p.target,
			"server accepts no weak cipher suite"))
	}
}

// rawChain fills the chain and the CertificateRequest facts from a raw
// TLS <= 1.2 handshake when crypto/tls could not complete one: it offers the
// newest accepted version's preferred suite and reads the plaintext flight.
func (p *prober) rawChain(ctx context.Context, res *Result) {
	for i := len(res.Versions) - 1; i >= 0; i-- {
		v := res.Versions[i]
		if !v.Accepted || v.ID >= inspect.VersionTLS13 || len(v.Suites) == 0 {
			continue
		}
		var fl serverFlight
		if _, err := p.rawHello(ctx, v.ID, []uint16{v.Suites[0].ID}, nil, &fl); err != nil || len(fl.certs) == 0 {
			continue
		}
		p.analyzeChain(fl.certs, res)
		if res.MTLS != nil && !res.MTLS.CertificateRequested && fl.requested {
			res.MTLS.CertificateRequested = true
			for _, dn := range fl.caNames {
				res.MTLS.CANames = append(res.MTLS.CANames, dnString(dn))
			}
			res.MTLS.Evidence = append(res.MTLS.Evidence, "CertificateRequest read from a raw "+v.Version+" handshake")
		}
		return
	}
}
