package tlsprobe_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/voipsec/voipsec/internal/testpki"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/tlsprobe"
)

// Probe a SIP edge that requests but does not require a client certificate,
// then judge it as a mutual-TLS edge: MTLS-NOT-REQUIRED fails, and without
// --enumerate the version and suite checks cannot be decided beyond the
// negotiated session.
func ExampleProbe() {
	pki, _ := testpki.NewWithOptions(testpki.Options{Validity: 400 * 24 * time.Hour})
	ln, _ := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{pki.Server},
		ClientAuth:   tls.VerifyClientCertIfGiven, // requested, not required
		ClientCAs:    pki.CAPool,
	})
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				if _, err := c.Read(buf); err == nil {
					_, _ = c.Write([]byte("SIP/2.0 200 OK\r\nServer: example\r\nContent-Length: 0\r\n\r\n"))
				}
				_, _ = c.Read(buf)
			}(c)
		}
	}()

	res := tlsprobe.Probe(context.Background(), ln.Addr().String(), tlsprobe.Config{
		ServerName: "localhost",
		RootCAs:    pki.CAPool,
		ClientCert: &pki.Client,
		Timeout:    2 * time.Second,
	})
	fmt.Println("requested:", res.MTLS.CertificateRequested, "accepted without cert:", *res.MTLS.AcceptedWithoutClientCert)
	fmt.Println(res.MTLS.Evidence[0]) // TLS 1.3: the verdict comes after the handshake

	findings := tlsprobe.Judge(res, tlsprobe.Expect{
		MutualTLS:     true, // from the role table: matrix.RoleMediationInternal.Expect()
		ClientAuthEKU: true,
		WarnDays:      tlsprobe.DefaultWarnDays,
		Now:           time.Now(),
	})
	for _, f := range findings {
		if f.Severity != report.Pass {
			fmt.Println(f.Severity, f.Check)
		}
	}
	// Output:
	// requested: true accepted without cert: true
	// without client certificate: SIP response received
	// fail MTLS-NOT-REQUIRED
}
