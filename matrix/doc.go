// Package matrix holds voipsec's rules: the Exchange UM dial plan's
// [VoipSecurity] level, the OCS/Lync client [EncryptionLevel], which pairs
// work together, what each level implies for signalling transport and media,
// and the evaluation of declared against observed facts into findings.
//
// # The rules
//
//	VoipSecurity  Mutual TLS  SRTP      client levels that work
//	Unsecured     disabled    disabled  none: OCS requires MTLS to Exchange UM
//	SIPSecured    required    disabled  rejected, optional
//	Secured       required    required  optional, required
//
// [Evaluate] decides one pair, [Cells] returns all nine, and [Compare] turns a
// declaration and an [Observation] of a live endpoint into findings.
package matrix
