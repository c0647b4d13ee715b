package tlsprobe

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/voipsec/voipsec/tlswire"
)

// enumVersions are the versions enumeration tries, oldest first.
var enumVersions = []uint16{tlswire.VersionSSL30, tlswire.VersionTLS10, tlswire.VersionTLS11, tlswire.VersionTLS12, tlswire.VersionTLS13}

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
// internal is the first recovered panic, if any.
func (p *prober) enumerate(ctx context.Context) (_ []Version, internal string) {
	sem := make(chan struct{}, p.cfg.Concurrency)
	out := make([]Version, len(enumVersions))
	var key []byte
	if k, err := ecdh.X25519().GenerateKey(rand.Reader); err == nil {
		key = k.PublicKey().Bytes()
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for i, v := range enumVersions {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					msg := fmt.Sprintf("tlsprobe: internal error enumerating %s: %v", tlswire.VersionName(v), r)
					out[i] = Version{ID: v, Version: tlswire.VersionName(v), Incomplete: true, Error: msg}
					mu.Lock()
					if internal == "" {
						internal = msg
					}
					mu.Unlock()
				}
			}()
			out[i] = p.enumerateVersion(ctx, v, key, sem)
		})
	}
	wg.Wait()
	return out, internal
}

func (p *prober) enumerateVersion(ctx context.Context, v uint16, key []byte, sem chan struct{}) Version {
	res := Version{ID: v, Version: tlswire.VersionName(v)}
	offered := suitesFor(v)
	picked, err := p.preference(ctx, v, offered, key, sem)
	// cut is the error that left the version undecided, if any: an ending
	// that is not the server's refusal.
	var cut error
	if len(picked) == 0 && len(offered) > maxHelloSuites && choked(err) {
		// Some servers drop a ClientHello with hundreds of suites instead of
		// answering it (testssl.sh offers at most 128 for this reason):
		// find the accepted suites chunk by chunk, then order them.
		var accepted []uint16
		for chunk := range slices.Chunk(offered, maxHelloSuites) {
			got, cerr := p.preference(ctx, v, slices.Clone(chunk), key, sem)
			accepted = append(accepted, got...)
			if cut == nil && !refusal(cerr) {
				cut = cerr
			}
		}
		if len(accepted) > 0 {
			picked, err = p.preference(ctx, v, accepted, key, sem)
		}
	}
	if cut == nil && !refusal(err) {
		cut = err
	}
	if cut != nil {
		res.Incomplete = true
		if outcome(ctx, "enumeration", cut).Status == StatusInterrupted {
			res.Error = "interrupted before the server answered"
		} else {
			res.Error = describe("ClientHello", cut)
		}
		if len(picked) > 0 {
			res.Error = fmt.Sprintf("%d suites seen, then %s", len(picked), res.Error)
		}
	}
	if len(picked) == 0 {
		if err != nil && !res.Incomplete {
			res.Error = describe("ClientHello", err)
		}
		return res
	}
	res.Accepted = true
	for _, id := range picked {
		s := Suite{ID: id, Name: tlswire.CipherSuiteName(id)}
		if cs := tlswire.LookupCipherSuite(id); cs != nil {
			s.Insecure, s.Weakness = cs.Insecure, cs.Weakness
		}
		res.Suites = append(res.Suites, s)
	}
	return res
}

// refusal reports whether err, which ended a chain of ClientHellos, is the
// server's refusal of what the last hello offered: an alert, a ServerHello
// of another version or of a suite not offered, or a close (FIN or RST) in
// answer to the hello, which is how Schannel refuses a disabled version.
// nil (the chain ran out of suites) is no refusal to report, and no gap.
// A timeout, a connection that could not be opened, bytes that are not TLS
// or that do not parse, and the caller's context ending are not the
// server's answer: what the hello would have shown is unknown.
func refusal(err error) bool {
	if err == nil || errors.Is(err, errWrongVersion) || errors.Is(err, errNotOffered) {
		return true
	}
	var ce *connectError
	if errors.As(err, &ce) {
		return false
	}
	st, _ := classify(err)
	return st == StatusAlert || st == StatusClosed
}

// connectError is a failure to open the connection a ClientHello goes on.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// maxHelloSuites is the largest suite list offered when a server chokes on
// the full one: 128 on the wire with the renegotiation SCSV.
const maxHelloSuites = 127

// choked reports whether a failed first ClientHello looks like the server
// choking on the hello's size rather than refusing the version.
func choked(err error) bool {
	if errors.Is(err, errWrongVersion) || errors.Is(err, errNotOffered) {
		return false // it parsed the hello and answered with a ServerHello
	}
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
	done      bool     // ServerHelloDone seen: the flight is complete
}

// rawHello sends one hand-written ClientHello for version v offering suites
// and returns the suite the server chose at exactly that version. With a
// non-nil flight (TLS <= 1.2 only) it reads on to ServerHelloDone and keeps
// the Certificate and CertificateRequest.
func (p *prober) rawHello(ctx context.Context, v uint16, suites []uint16, key []byte, flight *serverFlight) (uint16, error) {
	conn, done, err := p.dial(ctx)
	if err != nil {
		return 0, &connectError{err}
	}
	defer done()
	defer conn.Close()
	if _, err := conn.Write(tlswire.AppendClientHello(nil, v, suites, p.sni(), key)); err != nil {
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
		rec tlswire.Record
		hs  tlswire.Handshake
		sh  tlswire.ServerHello
		asm tlswire.HandshakeAssembler
		al  tlswire.Alert
		crt tlswire.Certificate
		cr  tlswire.CertificateRequest
		got uint16 // the chosen suite, once the ServerHello is in
	)
	tmp := make([]byte, 4096)
	for {
		n, rerr := conn.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			used, err := rec.DecodeFromBytes(buf)
			if errors.Is(err, tlswire.ErrTruncated) {
				break
			}
			if err != nil {
				return 0, &PlaintextError{FirstBytes: append([]byte(nil), first(buf, 16)...)}
			}
			switch rec.ContentType {
			case tlswire.RecordAlert:
				if al.DecodeFromBytes(rec.Fragment) != nil {
					return 0, fmt.Errorf("read alert: %w", tlswire.ErrMalformed)
				}
				return 0, &AlertError{Description: al.Description, Text: tlswire.AlertName(al.Description)}
			case tlswire.RecordHandshake:
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
						case tlswire.CertificateType:
							if err := crt.DecodeFromBytes(hs.Body, false); err != nil {
								return got, fmt.Errorf("parse Certificate: %w", err)
							}
							for _, c := range crt.Certificates {
								flight.certs = append(flight.certs, slices.Clone(c))
							}
						case tlswire.CertificateRequestType:
							if err := cr.DecodeFromBytes(hs.Body, v); err != nil {
								return got, fmt.Errorf("parse CertificateRequest: %w", err)
							}
							flight.requested = true
							for _, n := range cr.CANames {
								flight.caNames = append(flight.caNames, slices.Clone(n))
							}
						case tlswire.ServerHelloDoneType:
							flight.done = true
							return got, nil
						}
						continue
					}
					if hs.Type != tlswire.ServerHelloType {
						return 0, fmt.Errorf("%w (message type %d)", errNoHello, hs.Type)
					}
					if err := sh.DecodeFromBytes(hs.Body); err != nil {
						return 0, fmt.Errorf("parse ServerHello: %w", err)
					}
					if nv := sh.NegotiatedVersion(); nv != v {
						return 0, fmt.Errorf("%w: %s", errWrongVersion, tlswire.VersionName(nv))
					}
					if !slices.Contains(suites, sh.CipherSuite) {
						return 0, fmt.Errorf("%w: %s", errNotOffered, tlswire.CipherSuiteName(sh.CipherSuite))
					}
					if flight == nil || v >= tlswire.VersionTLS13 {
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
			return 0, fmt.Errorf("read ServerHello: %w", tlswire.ErrTooLarge)
		}
		if rerr != nil {
			if got != 0 {
				return got, nil
			}
			if len(buf) > 0 && !tlswire.LooksLikeRecord(buf) && len(buf) >= 3 {
				return 0, &PlaintextError{FirstBytes: append([]byte(nil), first(buf, 16)...)}
			}
			return 0, fmt.Errorf("read ServerHello: %w", rerr)
		}
	}
}

// rawChain fills what crypto/tls could not observe (the chain, the
// CertificateRequest) from a raw TLS <= 1.2 handshake: it offers the newest
// accepted version's preferred suite and reads the plaintext flight up to
// ServerHelloDone.
func (p *prober) rawChain(ctx context.Context, res *Result) {
	for i := len(res.Versions) - 1; i >= 0 && ctx.Err() == nil; i-- {
		v := res.Versions[i]
		if !v.Accepted || v.ID >= tlswire.VersionTLS13 || len(v.Suites) == 0 {
			continue
		}
		var fl serverFlight
		if _, err := p.rawHello(ctx, v.ID, []uint16{v.Suites[0].ID}, nil, &fl); err != nil || len(fl.certs) == 0 {
			continue
		}
		if len(res.Chain) == 0 {
			observeChain(fl.certs, p.serverName, p.cfg.RootCAs, res)
			res.ChainFrom = "raw " + v.Version + " handshake"
		}
		if res.MTLS == nil && fl.done {
			m := &MTLS{CertificateRequested: fl.requested}
			for _, dn := range fl.caNames {
				m.CANames = append(m.CANames, dnString(dn))
			}
			m.Evidence = append(m.Evidence, "CertificateRequest facts read from a raw "+v.Version+" handshake")
			res.MTLS = m
		}
		return
	}
}
