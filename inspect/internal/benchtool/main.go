// Command benchtool is the helper of scripts/bench-inspect.sh:
//
//	benchtool gen -size 1GiB [-profile trunk|media-heavy] [-pcapng] [-seed N] FILE   write a deterministic capture
//	benchtool readloop FILE                            the machine's limit: read and touch every byte
//	benchtool gopacket FILE                            the gopacket pcapgo + DecodingLayerParser baseline
//
// readloop and gopacket print one line: "bytes packets seconds".
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/voipsec/voipsec/inspect/internal/capgen"
	"github.com/voipsec/voipsec/inspect/internal/gpbaseline"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: benchtool gen|readloop|gopacket [flags] FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suf) {
			s, mult = strings.TrimSuffix(s, suf), m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

func run(cmd string, args []string) error {
	switch cmd {
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ContinueOnError)
		size := fs.String("size", "64MiB", "capture size")
		ng := fs.Bool("pcapng", false, "write pcapng")
		seed := fs.Uint64("seed", 1, "seed")
		callLen := fs.Int("calllen", 0, "media-heavy: RTP packets per call direction (0: 1500; large: the same calls all along)")
		profile := fs.String("profile", capgen.ProfileMedia, "capture shape: "+capgen.ProfileMedia+" or "+capgen.ProfileTrunk)
		calls := fs.Int("calls", 0, "concurrent calls (0: 256 media-heavy, 600 trunk)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		n, err := parseSize(*size)
		if err != nil {
			return fmt.Errorf("-size: %w", err)
		}
		f, err := os.Create(fs.Arg(0))
		if err != nil {
			return err
		}
		cfg := capgen.Config{Profile: *profile, Size: n, Seed: *seed, PCAPNG: *ng, Calls: *calls, CallLen: *callLen}
		if cfg.Profile == capgen.ProfileMedia && cfg.Calls == 0 {
			cfg.Calls = 256
		}
		st, err := capgen.GenerateStats(f, cfg)
		if err != nil {
			f.Close()
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d bytes, %d packets (%.1f%% media), %.0f s of capture; %d calls (%d set up in it, at most %d at once), %d TLS connections, %d OPTIONS/REGISTER\n",
			st.ProfileSelected, st.Bytes, st.Packets, 100*float64(st.MediaPackets)/float64(max(st.Packets, 1)), st.CaptureSeconds,
			st.Calls, st.CallsSetUp, st.MaxLiveCalls, st.TLSConnections, st.TransactionsBg)
		return f.Close()
	case "readloop":
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		start := time.Now()
		buf := make([]byte, 1<<20)
		var sum uint64
		var total int64
		for {
			n, err := f.Read(buf)
			b := buf[:n]
			for len(b) >= 8 {
				sum += binary.LittleEndian.Uint64(b)
				b = b[8:]
			}
			for _, c := range b {
				sum += uint64(c)
			}
			total += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		fmt.Printf("%d 0 %.6f %d\n", total, time.Since(start).Seconds(), sum&1)
		return nil
	case "gopacket":
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, 1<<20)
		head, _ := br.Peek(4)
		ng := len(head) == 4 && binary.LittleEndian.Uint32(head) == 0x0a0d0d0a
		start := time.Now()
		c, err := gpbaseline.Run(br, ng)
		if err != nil {
			return err
		}
		fmt.Printf("%d %d %.6f rtp=%d flows=%d sip=%d calls=%d streams srtp=%d rtp=%d unknown=%d tls=%d certs=%d\n", c.Bytes, c.Packets,
			time.Since(start).Seconds(), c.RTP, c.Flows, c.SIP, c.Calls, c.SRTPStreams, c.RTPStreams, c.UnknownStreams, c.TLSSessions, c.CertsParsed)
		return nil
	}
	return fmt.Errorf("unknown command %q", cmd)
}
