// Package testpki generates throwaway X.509 PKIs for tests and for the
// simulator's --gen-certs: a CA, a server certificate (serverAuth and
// clientAuth EKUs, SANs for 127.0.0.1, ::1 and localhost), a client
// certificate, and the broken variants negative tests need (expired, wrong
// name, lacking clientAuth, untrusted).
//
// Keys come from crypto/rand and live only in memory unless
// [PKI.WriteFiles] is called. Nothing here imports package testing, so the
// simulator can use it at run time; [NewT] accepts any testing.TB.
//
// # Usage
//
//	p := testpki.NewT(t)
//	srv := &tls.Config{Certificates: []tls.Certificate{p.Server}, ClientCAs: p.CAPool}
//	cli := &tls.Config{RootCAs: p.CAPool, Certificates: []tls.Certificate{p.Client}}
package testpki
