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

// Probe a SIP edge that requests but does not require a client certificate:
// the result lists every check, MTLS-NOT-REQUIRED failing.
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
		SIPOptions: true,
		Timeout:    2 * time.Second,
	})
	fmt.Println("requested:", res.MTLS.CertificateRequested, "accepted without cert:", *res.MTLS.AcceptedWithoutClientCert)
	for _, f := range res.Findings {
		if f.Severity != report.Pass {
			fmt.Println(f.Severity, f.Check, "-", f.Summary)
		}
	}
	fmt.Println("SIP:", res.SIP.Status, res.SIP.Server)
	// Output:
	// requested: true accepted without cert: true
	// fail MTLS-NOT-REQUIRED - server accepts a connection without a client certificate
	// SIP: 200 example
}
