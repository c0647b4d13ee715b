package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/voipsec/voipsec/report"
)

// PortRange is an inclusive range of UDP/TCP ports.
type PortRange struct{ Lo, Hi uint16 }

// ParsePortRanges parses "60000-64000" or "5060,5061,5065-5068".
func ParsePortRanges(s string) ([]PortRange, error) {
	var out []PortRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		l, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		if err != nil || l == 0 {
			return nil, fmt.Errorf("inspect: bad port %q in %q", lo, s)
		}
		h := l
		if isRange {
			if h, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 16); err != nil || h < l {
				return nil, fmt.Errorf("inspect: bad port range %q", part)
			}
		}
		out = append(out, PortRange{uint16(l), uint16(h)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("inspect: empty port list %q", s)
	}
	return out, nil
}

func inRanges(rs []PortRange, p uint16) bool {
	for _, r := range rs {
		if p >= r.Lo && p <= r.Hi {
			return true
		}
	}
	return false
}

func rangesString(rs []PortRange) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		if r.Lo == r.Hi {
			fmt.Fprintf(&b, "%d", r.Lo)
		} else {
			fmt.Fprintf(&b, "%d-%d", r.Lo, r.Hi)
		}
	}
	return b.String()
}

// DefaultSIPPorts are the ports on which a TLS session is taken to carry
// SIP: 5060/5061 (RFC 3261), Exchange UM 5065-5068, Lync 5070-5072.
var DefaultSIPPorts = []PortRange{{5060, 5061}, {5065, 5068}, {5070, 5072}}

// Options control a scan.
type Options struct {
	MediaPorts []PortRange // media must use these ports; nil: not checked
	SIPPorts   []PortRange // TLS on these ports is SIP; nil: DefaultSIPPorts
	ShowKeys   bool        // print SDES keys in findings
	// Workers is the number of goroutines for one input: 1 reads and scans
	// in one; 2 or more read the input ahead in a second. The scan itself
	// is one ordered pass, so every value gives the same result.
	Workers  int
	MaxFlows int       // flows held at once; 0: DefaultMaxFlows
	Progress *Progress // updated during the scan when set
	// IdleTimeout ends a flow, and a call whose flows have all ended,
	// after this long without a packet, in capture time; 0:
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// IO is how a regular file is read: IOMap (the default, "") or IORead.
	IO string
	// Records, when set, receives every finished call, and every stream
	// and TLS session outside a call seen in the capture, as JSON Lines,
	// written as they finish (CallRecord, StreamRecord, TLSRecord).
	Records io.Writer
}

// I/O paths for a regular file (Options.IO). scripts/bench-inspect.sh
// measures both on the scan of each profile; on the 2-core machines the
// project is measured on, mapping won (1 GiB, median of 9 interleaved runs:
// trunk 0.77 s mapped, 0.94 s read; media-heavy 0.46 s and 0.57 s), so it
// is the default. A walk over the records alone favours reading, because
// it touches a few bytes of each page; the scan reads all of them, and the
// copy into a buffer then costs more than the page faults.
const (
	// IOMap maps the file and parses the page cache in place, dropping the
	// pages behind the scan so that resident memory stays bounded.
	IOMap = "mmap"
	// IORead reads the file through one reused buffer with read(2), as
	// standard input and pipes are; with Workers > 1 a second goroutine
	// reads ahead.
	IORead = "read"
)

func (o *Options) isSIPPort(p uint16) bool {
	if o.SIPPorts == nil {
		return inRanges(DefaultSIPPorts, p)
	}
	return inRanges(o.SIPPorts, p)
}

// Result is the outcome of inspecting one capture. Its size does not grow
// with the capture: streams, calls and TLS sessions are listed up to
// MaxListed (the earliest), counted in Summary, and every one is in the
// Records stream when asked for.
type Result struct {
	File    string       `json:"file"`
	Format  string       `json:"format"` // pcap or pcapng
	Stats   Stats        `json:"stats"`
	Summary Summary      `json:"summary"`
	Streams []Stream     `json:"streams"`      // the first MaxListed by first packet
	Calls   []Call       `json:"calls"`        // the first MaxListed
	TLS     []TLSSession `json:"tls_sessions"` // the first MaxListed
	TCPGaps int64        `json:"tcp_gaps"`     // holes skipped in SIP/TLS streams
	// TCP segments that arrived ahead of a hole, and already-seen ones
	TCPOutOfOrder    int64            `json:"tcp_out_of_order"`
	TCPRetransmitted int64            `json:"tcp_retransmitted"`
	State            StateStats       `json:"state"`
	Findings         []report.Finding `json:"-"`
	// Err is the read error that ended the scan early (a *FormatError) or
	// the interruption (an *InterruptedError); everything above covers
	// the packets before it.
	Err error `json:"-"`
}

// Stream is one row of the per-stream table: one direction of a media flow.
type Stream struct {
	Transport    string `json:"transport"`
	Src          string `json:"src"`
	Dst          string `json:"dst"`
	SSRC         string `json:"ssrc,omitempty"`
	SSRCs        int    `json:"ssrcs,omitempty"`
	PayloadType  int    `json:"payload_type"`
	Codec        string `json:"codec,omitempty"`
	Packets      int64  `json:"packets"`
	Bytes        int64  `json:"bytes"`
	RTP          int64  `json:"rtp"`
	RTCP         int64  `json:"rtcp"`
	STUN         int64  `json:"stun,omitempty"`
	DTLS         int64  `json:"dtls,omitempty"`
	Verdict      string `json:"verdict"` // SRTP, RTP, SRTCP, RTCP, DTLS, unknown
	Suite        string `json:"suite,omitempty"`
	How          string `json:"how"`
	CallID       string `json:"call_id,omitempty"`
	NegotiatedAt int64  `json:"negotiated_at_packet,omitempty"`
	KeyCheck     string `json:"key_check,omitempty"`
	UseSRTP      string `json:"dtls_use_srtp,omitempty"` // profiles offered in a DTLS ClientHello
	FirstPacket  int64  `json:"first_packet"`

	key     FlowKey
	srtpNeg bool // SDP negotiated SRTP
}

// Call is one SIP Call-ID, from its first message until it ended.
type Call struct {
	CallID      string   `json:"call_id"`
	Transport   string   `json:"transport"`
	Path        string   `json:"path"`           // the signalling path of its first message
	Kind        string   `json:"kind,omitempty"` // method of its first request
	Messages    int      `json:"messages"`
	FirstPacket int64    `json:"first_packet"`
	LastPacket  int64    `json:"last_packet"`
	Methods     []string `json:"methods"`
	SDES        bool     `json:"sdes_keys"`
	// End is how it ended: "BYE", "final response 486", "final response
	// 200 to OPTIONS", "idle timeout", "capture ended" or "interrupted".
	End string `json:"end"`
}

// InspectFile scans the capture at path (use [Inspect] for standard input).
func InspectFile(ctx context.Context, path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	if opts.IO != IORead {
		if data, unmap, ok := mapFile(f); ok {
			defer unmap()
			rd, err := NewReaderBytes(data)
			if err != nil {
				return nil, headerErr(err, path)
			}
			rd.release = releaseFunc(data)
			return scan(ctx, rd, path, opts)
		}
	}
	return Inspect(ctx, f, path, opts)
}

// Inspect scans one capture read from r; name labels it in errors and
// findings. A truncated or corrupt capture returns the partial Result with
// a *FormatError (also in Result.Err); a scan stopped by ctx returns it
// with an *InterruptedError.
func Inspect(ctx context.Context, r io.Reader, name string, opts Options) (*Result, error) {
	var ra *readAhead
	if opts.Workers > 1 {
		ra = newReadAhead(r)
		defer ra.stop()
		r = ra
	}
	rd, err := NewReader(r)
	if err != nil {
		return nil, headerErr(err, name)
	}
	rd.ahead = ra
	return scan(ctx, rd, name, opts)
}

// inspectBytes scans a capture held in memory, as a mapped file is.
func inspectBytes(ctx context.Context, name string, data []byte, opts Options) (*Result, error) {
	rd, err := NewReaderBytes(data)
	if err != nil {
		return nil, headerErr(err, name)
	}
	return scan(ctx, rd, name, opts)
}

func scan(ctx context.Context, rd *Reader, name string, opts Options) (*Result, error) {
	s := newScanner(&opts, name)
	err := s.run(ctx, rd, opts.Progress)
	res := s.result(name, formatName(rd), err)
	return res, res.setErr(err, name)
}

// InterruptedError says a scan was stopped (SIGINT, SIGTERM, a deadline)
// and how far it got; the Result covers the packets before Offset.
type InterruptedError struct {
	File    string
	Offset  int64 // the byte offset reached
	Packets int64 // packets read
	Cause   error // context.Cause of the stop
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("inspect: %s: interrupted at byte offset %d after %d packets: %v", e.File, e.Offset, e.Packets, e.Cause)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

// result finishes what is live and builds the Result.
func (s *scanner) result(name, format string, err error) *Result {
	why := "capture ended"
	var ie *InterruptedError
	if errors.As(err, &ie) {
		why = "interrupted"
	}
	s.endWhy = why
	s.finishAll(why)
	c := s.out
	res := &Result{File: name, Format: format, Stats: s.stats, Summary: c.sum,
		Streams: c.streams.sorted(), Calls: c.calls.sorted(), TLS: c.tls.sorted(),
		TCPGaps: c.tcpGaps, TCPOutOfOrder: c.tcpOutOfOrder, TCPRetransmitted: c.tcpRetransmitted, State: s.state}
	res.Findings = c.findings(name)
	if ie != nil {
		// What passed on the packets read says nothing of the rest.
		for i, f := range res.Findings {
			if f.Severity == report.Pass {
				res.Findings[i] = report.CouldNotTell(f.Check, f.Target,
					fmt.Sprintf("%s in the %d bytes read, but the scan was interrupted at byte offset %d", f.Summary, ie.Offset, ie.Offset),
					"let the scan finish")
			}
		}
	}
	if c.records != nil {
		if werr := c.records.flush(); werr != nil && res.Err == nil {
			res.Err = fmt.Errorf("inspect: write records: %w", werr)
		}
	}
	return res
}

// headerErr names the input in an error that came before the first packet:
// a bad file header, or an input too short to hold one.
func headerErr(err error, name string) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.File = name
		return fe
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &FormatError{File: name, Reason: "empty or too short for a capture header", Err: ErrTruncated}
	}
	return fmt.Errorf("inspect: %s: %w", name, err)
}

func formatName(r *Reader) string {
	if r.IsPCAPNG() {
		return "pcapng"
	}
	return "pcap"
}

func (res *Result) setErr(err error, name string) error {
	if err == nil {
		return res.Err
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.File = name
	}
	var ie *InterruptedError
	if errors.As(err, &ie) {
		ie.File = name
	}
	res.Err = err
	return err
}
