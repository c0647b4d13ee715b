package inspect

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// This file runs after the scan, never on the hot path: it checks an
// exposed SDES key against the authentication tags of the SRTP packets the
// scan kept, using pion/srtp.

// srtpProfile maps an RFC 4568 §6.2 / RFC 6188 suite name to pion's profile.
func srtpProfile(suite string) (srtp.ProtectionProfile, bool) {
	switch strings.ToUpper(suite) {
	case "AES_CM_128_HMAC_SHA1_80":
		return srtp.ProtectionProfileAes128CmHmacSha1_80, true
	case "AES_CM_128_HMAC_SHA1_32":
		return srtp.ProtectionProfileAes128CmHmacSha1_32, true
	case "AES_256_CM_HMAC_SHA1_80", "AES_CM_256_HMAC_SHA1_80":
		return srtp.ProtectionProfileAes256CmHmacSha1_80, true
	case "AES_256_CM_HMAC_SHA1_32", "AES_CM_256_HMAC_SHA1_32":
		return srtp.ProtectionProfileAes256CmHmacSha1_32, true
	case "AEAD_AES_128_GCM":
		return srtp.ProtectionProfileAeadAes128Gcm, true
	case "AEAD_AES_256_GCM":
		return srtp.ProtectionProfileAeadAes256Gcm, true
	}
	return 0, false
}

// keyCheck is the outcome of checking one key against one stream.
type keyCheck struct {
	tried, ok int
	err       string
}

// verifyKey decrypts the stream's kept packets with the SDES key c. A
// packet that decrypts has passed its HMAC check, which proves the key is
// the one protecting the stream.
func verifyKey(c *Crypto, samples [][]byte) keyCheck {
	var kc keyCheck
	prof, ok := srtpProfile(c.Suite)
	if !ok {
		kc.err = "suite " + c.Suite + " not supported by the verifier"
		return kc
	}
	kl, err1 := prof.KeyLen()
	sl, err2 := prof.SaltLen()
	if err1 != nil || err2 != nil || len(c.Key) != kl+sl {
		kc.err = fmt.Sprintf("key is %d bytes, suite needs %d", len(c.Key), kl+sl)
		return kc
	}
	var opts []srtp.ContextOption
	if c.MKILen > 0 && c.MKILen <= 8 {
		mki := make([]byte, 8)
		binary.BigEndian.PutUint64(mki, c.MKI)
		opts = append(opts, srtp.MasterKeyIndicator(mki[8-c.MKILen:]))
	}
	// No replay protection: a failed packet leaves the context unchanged.
	ctx, err := srtp.CreateContext(c.Key[:kl], c.Key[kl:], prof, opts...)
	if err != nil {
		kc.err = err.Error()
		return kc
	}
	out := make([]byte, 0, maxSampleLen) // decrypted packets are not kept
	for _, p := range samples {
		var h rtp.Header
		kc.tried++
		if _, err := ctx.DecryptRTP(out[:0], p, &h); err == nil {
			kc.ok++
		} else if kc.err == "" {
			kc.err = err.Error()
		}
	}
	return kc
}
