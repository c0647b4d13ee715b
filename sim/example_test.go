package sim_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/voipsec/voipsec/matrix"
	"github.com/voipsec/voipsec/sim"
)

// Start a simulator that requires SRTP, as an OCS Mediation Server with
// EncryptionLevel RequireEncryption would, and ask it for OPTIONS over UDP.
func ExampleStart() {
	s, err := sim.Start(context.Background(), sim.Config{Encryption: matrix.Required, Transports: []string{sim.UDP}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	conn, _ := net.Dial("udp", s.UDPAddr)
	defer conn.Close()
	fmt.Fprintf(conn, "OPTIONS sip:med@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-example\r\n"+
		"From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:med@127.0.0.1>\r\nCall-ID: example-1\r\n"+
		"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", s.UDPAddr, conn.LocalAddr())
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 2048)
	n, err := conn.Read(buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	fmt.Println(status)
	// Output: SIP/2.0 200 OK
}
