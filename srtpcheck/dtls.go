package srtpcheck

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"
	"github.com/pion/srtp/v3"
)

// DTLSConfig is one side of a DTLS-SRTP handshake (RFC 5763, RFC 5764).
type DTLSConfig struct {
	// Certificate is ours; its fingerprint must be the one in our SDP. A
	// zero value generates a self-signed one.
	Certificate tls.Certificate
	// Client is true when our a=setup is active (we send ClientHello).
	Client bool
	// RemoteFingerprints from the peer's SDP; the peer certificate must
	// match one of them or the handshake fails with
	// [*FingerprintMismatchError].
	RemoteFingerprints []Fingerprint
	// Suites offered in use_srtp; nil means both AES-128 profiles.
	Suites []Suite
}

// DTLSSession is a completed DTLS-SRTP handshake: the exported SRTP keys and
// the SRTP side of the demultiplexed socket.
type DTLSSession struct {
	Keys            Keys
	PeerFingerprint Fingerprint // SHA-256 of the peer certificate
	conn            *dtls.Conn
	mux             *demux
	closeOnce       sync.Once
}

// MediaConn is the socket to pass to [RunMedia]: it carries only RTP/RTCP.
func (s *DTLSSession) MediaConn() net.PacketConn { return s.mux.rtp }

// Close sends close_notify and stops the demultiplexer; the underlying
// socket stays open (the caller owns it).
func (s *DTLSSession) Close() error {
	var err error
	s.closeOnce.Do(func() {
		err = s.conn.Close()
		s.mux.Close()
		s.mux.wg.Wait()
	})
	return err
}

// DTLSHandshake runs the DTLS-SRTP handshake on pc with remote, bounded by
// ctx, verifies the peer certificate against cfg.RemoteFingerprints and
// exports the SRTP keys (label EXTRACTOR-dtls_srtp, RFC 5764 §4.2). A peer
// certificate that matches no fingerprint is a [*FingerprintMismatchError];
// a step that failed on this host is a [*LocalError]; any other error is
// the handshake failing with the peer (no answer, an alert, no SRTP
// profile) or ctx ending it.
func DTLSHandshake(ctx context.Context, pc net.PacketConn, remote net.Addr, cfg DTLSConfig) (*DTLSSession, error) {
	if len(cfg.RemoteFingerprints) == 0 {
		return nil, fmt.Errorf("srtpcheck: DTLS handshake: %w", ErrDTLSWithoutFingerprint)
	}
	cert := cfg.Certificate
	if len(cert.Certificate) == 0 {
		c, err := selfsign.GenerateSelfSigned()
		if err != nil {
			return nil, &LocalError{Step: "generate the DTLS certificate", Err: err}
		}
		cert = c
	}
	var profiles []dtls.SRTPProtectionProfile
	suites := cfg.Suites
	if suites == nil {
		suites = []Suite{AES128CMHMACSHA1_80, AES128CMHMACSHA1_32}
	}
	for _, s := range suites {
		if i := s.info(); i != nil {
			profiles = append(profiles, i.DTLSName)
		}
	}
	var (
		mu       sync.Mutex
		mismatch *FingerprintMismatchError
		peerFP   Fingerprint
	)
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("srtpcheck: DTLS peer sent no certificate")
		}
		mu.Lock()
		defer mu.Unlock()
		peerFP = CertificateFingerprint(raw[0])
		for _, fp := range cfg.RemoteFingerprints {
			if d, ok := digest(fp.Hash, raw[0]); ok && bytes.Equal(d, fp.Digest) {
				return nil
			}
		}
		mismatch = &FingerprintMismatchError{Want: cfg.RemoteFingerprints, Got: peerFP.String()}
		return mismatch
	}
	conf := &dtls.Config{
		Certificates:           []tls.Certificate{cert},
		SRTPProtectionProfiles: profiles,
		InsecureSkipVerify:     true, // self-signed: the SDP fingerprint is the trust anchor (RFC 5763 §5)
		VerifyPeerCertificate:  verify,
		ClientAuth:             dtls.RequireAnyClientCert,
		ExtendedMasterSecret:   dtls.RequestExtendedMasterSecret,
	}
	mux := newDemux(pc)
	var (
		conn *dtls.Conn
		err  error
	)
	if cfg.Client {
		conn, err = dtls.Client(mux.dtls, remote, conf)
	} else {
		conn, err = dtls.Server(mux.dtls, remote, conf)
	}
	if err != nil {
		mux.Close()
		mux.wg.Wait()
		return nil, &LocalError{Step: "set up DTLS", Err: err}
	}
	// fail ends a handshake that failed at step; local marks a failure on
	// this host rather than the peer's doing.
	fail := func(step string, err error, local bool) (*DTLSSession, error) {
		_ = conn.Close()
		mux.Close()
		mux.wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if mismatch != nil {
			return nil, mismatch
		}
		if local {
			return nil, &LocalError{Step: step, Err: err}
		}
		return nil, fmt.Errorf("srtpcheck: DTLS %s: %w", step, err)
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		return fail("handshake", err, false)
	}
	prof, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		return fail("use_srtp", errNoProfile, false)
	}
	suite := suiteFromDTLS(prof)
	p, ok := suite.Profile()
	if !ok {
		return fail("use_srtp", fmt.Errorf("%w: profile 0x%04x", errNoProfile, uint16(prof)), false)
	}
	state, ok := conn.ConnectionState()
	if !ok {
		return fail("export the DTLS-SRTP keys", errors.New("no connection state"), true)
	}
	sc := srtp.Config{Profile: p}
	if err := sc.ExtractSessionKeysFromDTLS(&state, cfg.Client); err != nil {
		return fail("export the DTLS-SRTP keys", err, true)
	}
	mu.Lock()
	fp := peerFP
	mu.Unlock()
	return &DTLSSession{
		Keys: Keys{Suite: suite,
			SendKey: sc.Keys.LocalMasterKey, SendSalt: sc.Keys.LocalMasterSalt,
			RecvKey: sc.Keys.RemoteMasterKey, RecvSalt: sc.Keys.RemoteMasterSalt},
		PeerFingerprint: fp,
		conn:            conn,
		mux:             mux,
	}, nil
}

func digest(hash string, der []byte) ([]byte, bool) {
	switch strings.ToLower(hash) {
	case "sha-1":
		s := sha1.Sum(der)
		return s[:], true
	case "sha-256":
		s := sha256.Sum256(der)
		return s[:], true
	case "sha-384":
		s := sha512.Sum384(der)
		return s[:], true
	case "sha-512":
		s := sha512.Sum512(der)
		return s[:], true
	}
	return nil, false
}
