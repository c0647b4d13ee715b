package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/voipsec/voipsec/inspect"
	"github.com/voipsec/voipsec/report"
)

// inspectOptions are the flags of `voipsec inspect`.
type inspectOptions struct {
	out        outputOptions
	MediaPorts string
	SIPPorts   string
	ShowKeys   bool
	Jobs       int
	Progress   string
	Idle       time.Duration
	Records    string
	IO         string

	mediaPorts []inspect.PortRange
	sipPorts   []inspect.PortRange
}

func (o *inspectOptions) AddFlags(f *pflag.FlagSet) {
	o.out.AddFlags(f)
	f.StringVar(&o.MediaPorts, "media-ports", "", "report media outside this port `range` (e.g. 60000-64000 or 49152-57500,60000-64000)")
	f.StringVar(&o.SIPPorts, "sip-ports", "5060-5061,5065-5068,5070-5072", "TLS on these `ports` is taken to carry SIP (for CAP-TLS-NO-MTLS)")
	f.BoolVar(&o.ShowKeys, "show-keys", false, "print exposed SDES keys in the findings (they are redacted by default)")
	f.IntVarP(&o.Jobs, "jobs", "j", 0, "goroutines per input: `n` >= 2 reads ahead in a second one where the input is read (--io read, standard input, pipes); 0: 2 with more than one CPU. The report is the same")
	f.StringVar(&o.Progress, "progress", "auto", "progress bar on stderr: auto (terminal and file over 256 MiB), always, never")
	f.DurationVar(&o.Idle, "idle-timeout", inspect.DefaultIdleTimeout, "a flow, or a call whose flows have all ended, ends after this long without a packet (capture time)")
	f.StringVar(&o.Records, "calls-jsonl", "", "also write every finished call, and every stream and TLS session outside a call, to `file` as JSON Lines")
	f.StringVar(&o.IO, "io", inspect.IOMap, "how a file is read: mmap (mapped, the faster here) or read (a reused buffer)")
}

func (o *inspectOptions) Validate(args []string) error {
	if err := o.out.Validate(); err != nil {
		return err
	}
	if len(args) == 0 {
		return withHint(fmt.Errorf("no capture file given"), "voipsec inspect capture.pcap (use - for standard input)")
	}
	if o.MediaPorts != "" {
		r, err := inspect.ParsePortRanges(o.MediaPorts)
		if err != nil {
			return usagef("--media-ports: %v", err)
		}
		o.mediaPorts = r
	}
	r, err := inspect.ParsePortRanges(o.SIPPorts)
	if err != nil {
		return usagef("--sip-ports: %v", err)
	}
	o.sipPorts = r
	if o.Jobs < 0 {
		return usagef("--jobs: %d is negative", o.Jobs)
	}
	switch o.Progress {
	case "auto", "always", "never":
	default:
		return usagef("--progress: unknown value %q (accepted: auto, always, never)", o.Progress)
	}
	if o.Idle <= 0 {
		return usagef("--idle-timeout: %v is not a positive duration", o.Idle)
	}
	if o.IO != inspect.IORead && o.IO != inspect.IOMap {
		return usagef("--io: unknown value %q (accepted: read, mmap)", o.IO)
	}
	if o.Records == "-" {
		return usagef("--calls-jsonl: name a file (standard output carries the report)")
	}
	// An output file that is one of the inputs would be overwritten.
	for _, in := range args {
		for flag, out := range map[string]string{"--output": o.out.Output, "--calls-jsonl": o.Records} {
			if in != "-" && samePath(in, out) {
				return withHint(fmt.Errorf("%s %s is a capture being read: writing would overwrite it", flag, out), "write to another file")
			}
		}
	}
	if o.Records != "" && samePath(o.Records, o.out.Output) {
		return usagef("--calls-jsonl and --output name the same file %s", o.Records)
	}
	return nil
}

func init() {
	register(&command{
		Name:  "inspect",
		Short: "inspect pcap/pcapng captures: cleartext SIP, exposed SDES keys, RTP vs SRTP, MTLS",
		Usage: "voipsec inspect [flags] FILE... (- reads standard input)",
		Long: `Reads pcap or pcapng captures (files, or - for standard input) and reports:
  CAP-SIP-CLEARTEXT       SIP over UDP or TCP
  CAP-SDES-KEY-EXPOSED    a=crypto keys in cleartext SIP; the key is checked
                          against the stream's SRTP authentication tags
  CAP-RTP-UNENCRYPTED     media in clear RTP, also where SRTP was negotiated
  CAP-TLS-NO-MTLS         TLS on a SIP port without a client certificate
  CAP-TLS-VERSION-WEAK    SSL 3.0, TLS 1.0 or 1.1 negotiated
  MEDIA-PORT-OUT-OF-RANGE an SDP m= port (offer or answer) outside --media-ports
A finding is one per check, outcome and place a person acts on (a signalling
path, a pair of media hosts, a TLS server and its clients), with counts, the
first and last packet and a few examples; places are grouped by subnet when
there are many. A check with nothing to judge in the capture is left out.
The text report leads with the verdict, then the findings, then the first
streams and TLS sessions (5-tuple, SSRC, packets, RTP or SRTP and how that
was decided). Flows and calls end after --idle-timeout without packets (or
on BYE, FIN/RST), so memory follows the calls in progress, not the length of
the capture; --calls-jsonl writes every call as it ends.

Examples:
  voipsec inspect call.pcapng
  voipsec inspect --media-ports 60000-64000 --format junit -o inspect.xml *.pcap
  voipsec inspect trunk.pcap --calls-jsonl calls.jsonl
  tcpdump -i eth0 -w - udp | voipsec inspect -`,
		Flags: func(f *pflag.FlagSet) any {
			o := &inspectOptions{}
			o.AddFlags(f)
			return o
		},
		Validate: func(opts any, args []string) error { return opts.(*inspectOptions).Validate(args) },
		Run: func(ctx context.Context, e *env, opts any, args []string) (int, error) {
			return runInspect(ctx, e, opts.(*inspectOptions), args)
		},
	})
}

func runInspect(ctx context.Context, e *env, o *inspectOptions, args []string) (int, error) {
	jobs := o.Jobs
	if jobs == 0 {
		jobs = min(runtime.NumCPU(), 2)
	}
	var records io.Writer
	if o.Records != "" {
		f, err := os.Create(o.Records)
		if err != nil {
			return exitError, fmt.Errorf("--calls-jsonl: %w", err)
		}
		defer f.Close()
		records = f
	}
	rep := &report.Report{Command: "inspect"}
	var results []*inspect.Result
	var readErrs []error
	for i, name := range args {
		opts := inspect.Options{MediaPorts: o.mediaPorts, SIPPorts: o.sipPorts, ShowKeys: o.ShowKeys, Workers: jobs,
			Progress: &inspect.Progress{}, IdleTimeout: o.Idle, IO: o.IO, Records: records}
		stop := o.startProgress(e, name, opts.Progress)
		var res *inspect.Result
		var err error
		if name == "-" {
			res, err = inspect.Inspect(ctx, e.Stdin, "-", opts)
		} else {
			res, err = inspect.InspectFile(ctx, name, opts)
		}
		stop()
		if res == nil {
			return exitError, err
		}
		results = append(results, res)
		rep.Findings = append(rep.Findings, res.Findings...)
		var ie *inspect.InterruptedError
		if errors.As(err, &ie) {
			// Say where it stopped; what was not read is not judged.
			rep.Interrupted = fmt.Sprintf("%v at byte offset %d of %s (%s read)", ie.Cause, ie.Offset, name, plural(int(ie.Packets), "packet"))
			if rest := args[i+1:]; len(rest) > 0 {
				rep.Interrupted += "; not read: " + strings.Join(rest, ", ")
				for _, f := range rest {
					rep.Findings = append(rep.Findings, notRead(f)...)
				}
			}
			break
		}
		if err != nil {
			readErrs = append(readErrs, err)
		}
	}
	rep.Data = map[string]any{"captures": results}
	rep.Params = o.params(args)
	// The default text sums up each capture; -v adds its stream and TLS
	// session tables.
	rep.Text = func(w io.Writer) { writeStreamTables(w, results, false) }
	rep.VerboseText = func(w io.Writer) { writeStreamTables(w, results, true) }
	code, err := o.out.emit(e, rep)
	if err != nil {
		return code, err
	}
	if len(readErrs) > 0 {
		// The report above covers the packets before the damage.
		return exitError, errors.Join(readErrs...)
	}
	return code, nil
}

// notRead is what an interrupted run says of a file it did not reach:
// every capture check on it is inconclusive.
func notRead(file string) []report.Finding {
	var out []report.Finding
	for _, id := range []string{inspect.CheckSIPCleartext, inspect.CheckSDESKeyExposed, inspect.CheckRTPUnencrypted,
		inspect.CheckTLSNoMTLS, inspect.CheckTLSVersionWeak} {
		out = append(out, report.CouldNotTell(id, file, "not run: the run was interrupted before this file was read",
			"run again and let it finish"))
	}
	return out
}

// progressInterval is how often the progress line is redrawn.
var progressInterval = 250 * time.Millisecond

// startProgress prints bytes, packets/s and ETA on stderr while a large file
// is read, when stderr is a terminal (or --progress always).
func (o *inspectOptions) startProgress(e *env, name string, p *inspect.Progress) (stop func()) {
	if o.Progress == "never" || name == "-" {
		return func() {}
	}
	fi, err := os.Stat(name)
	if err != nil {
		return func() {}
	}
	size := fi.Size()
	if o.Progress == "auto" && (!e.IsTerminal(e.Stderr) || size < 256<<20) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintf(e.Stderr, "\r%s\r", strings.Repeat(" ", 78))
				return
			case <-t.C:
				b, n := p.Bytes.Load(), p.Packets.Load()
				el := time.Since(start).Seconds()
				pct := float64(b) / float64(max(size, 1)) * 100
				eta := "?"
				if b > 0 {
					eta = (time.Duration(el*float64(size-b)/float64(b)) * time.Second).Round(time.Second).String()
				}
				fmt.Fprintf(e.Stderr, "\rinspect %s: %5.1f%% %d/%d MiB, %.0f kpkt/s, ETA %s   ",
					name, pct, b>>20, size>>20, float64(n)/el/1000, eta)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// plural writes "1 call", "2 calls".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// textRows is how many streams and TLS sessions the text report lists
// per capture; JSON lists inspect.MaxListed, --calls-jsonl every one.
const textRows = 10

// writeStreamTables writes the first streams and TLS sessions of each
// capture, and what the others add up to.
// params are the run's parameters for the report (HTML shows them).
func (o *inspectOptions) params(files []string) []report.Param {
	ps := []report.Param{{Name: "captures", Value: strings.Join(files, ", ")}}
	if o.MediaPorts != "" {
		ps = append(ps, report.Param{Name: "media ports", Value: o.MediaPorts})
	}
	ps = append(ps, report.Param{Name: "SIP ports", Value: o.SIPPorts},
		report.Param{Name: "idle timeout (capture time)", Value: o.Idle.String()},
		report.Param{Name: "keys", Value: map[bool]string{false: "redacted", true: "shown (--show-keys)"}[o.ShowKeys]})
	if o.Records != "" {
		ps = append(ps, report.Param{Name: "every call", Value: o.Records + " (JSON Lines)"})
	}
	return ps
}

// writeStreamTables writes each capture's summary line and the counts of
// its streams and TLS sessions; with detail, the tables of the first
// streams and TLS sessions too.
func writeStreamTables(w io.Writer, results []*inspect.Result, detail bool) {
	for i, r := range results {
		sum := &r.Summary
		if i > 0 {
			fmt.Fprintln(w) // the report puts the first section after a blank line
		}
		// A call is a Call-ID of a session (an INVITE, or the rest of one
		// whose start is not in the capture); OPTIONS, REGISTER and the
		// like are counted apart.
		calls, other := sum.Calls, int64(0)
		for _, kind := range []string{"OPTIONS", "REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "PUBLISH"} {
			other += sum.CallKinds[kind]
		}
		calls -= other
		fmt.Fprintf(w, "%s (%s): %s, %s, %s, %s, %s",
			r.File, r.Format, plural(int(r.Stats.Packets), "packet"), plural(int(r.Stats.Bytes), "byte"),
			plural(int(calls), "call"), plural(int(sum.Streams), "media stream"), plural(int(sum.TLSSessions), "TLS session"))
		if other > 0 {
			fmt.Fprintf(w, ", %s", plural(int(other), "other SIP transaction"))
		}
		if r.Stats.Fragments > 0 || r.TCPGaps > 0 || r.TCPOutOfOrder > 0 || r.Stats.Malformed > 0 {
			fmt.Fprintf(w, "; %d IP fragments (not reassembled), %d TCP gaps, %d TCP segments out of order, %d malformed",
				r.Stats.Fragments, r.TCPGaps, r.TCPOutOfOrder, r.Stats.Malformed)
		}
		if r.Stats.FlowsDropped > 0 {
			fmt.Fprintf(w, "; %d packets of flows over the flow-table limit", r.Stats.FlowsDropped)
		}
		fmt.Fprintln(w)
		if !detail {
			if sum.Streams > 0 {
				fmt.Fprintf(w, "  streams: %s\n", counts(sum.StreamVerdicts))
			}
			if sum.TLSSessions > 0 {
				fmt.Fprintf(w, "  TLS sessions: %s; ended: %s\n", counts(sum.TLSVersions), counts(sum.TLSEnds))
			}
			continue
		}
		if int(sum.Streams) > min(len(r.Streams), textRows) {
			fmt.Fprintf(w, "  streams: %s\n", counts(sum.StreamVerdicts))
		}
		if len(r.Streams) > 0 {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  STREAM\tSSRC\tPKTS\tBYTES\tMEDIA\tSUITE\tHOW")
			for _, s := range r.Streams[:min(len(r.Streams), textRows)] {
				suite := s.Suite
				if suite == "" {
					suite = "-"
				}
				how := s.How
				if s.UseSRTP != "" {
					how += "; DTLS use_srtp " + s.UseSRTP
				}
				if s.KeyCheck != "" {
					how += "; " + s.KeyCheck
				}
				ssrc := s.SSRC
				if ssrc == "" {
					ssrc = "-"
				}
				fmt.Fprintf(tw, "  %s %s > %s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Transport, s.Src, s.Dst, ssrc, s.Packets, s.Bytes, s.Verdict, suite, how)
			}
			tw.Flush()
			if n := int(sum.Streams) - min(len(r.Streams), textRows); n > 0 {
				fmt.Fprintf(w, "  ... %s more (--format json lists the first %d, --calls-jsonl every one)\n", plural(n, "stream"), inspect.MaxListed)
			}
		}
		if int(sum.TLSSessions) > min(len(r.TLS), textRows) {
			fmt.Fprintf(w, "  TLS sessions: %s; ended: %s\n", counts(sum.TLSVersions), counts(sum.TLSEnds))
		}
		for _, t := range r.TLS[:min(len(r.TLS), textRows)] {
			mtls := "no client certificate"
			switch {
			case t.Version == "TLS 1.3":
				mtls = "client certificate not visible (TLS 1.3)"
			case t.ClientCerts > 0:
				mtls = "client sent " + plural(t.ClientCerts, "certificate")
			case t.CertRequested:
				mtls = "certificate requested, none sent"
			}
			v := t.Version
			if v == "" {
				v = "no ServerHello"
			}
			fmt.Fprintf(w, "  TLS %s > %s: %s %s, %s; %s\n", t.ClientAddr, t.ServerAddr, v, t.CipherSuite, mtls, t.End)
		}
		if n := int(sum.TLSSessions) - min(len(r.TLS), textRows); n > 0 {
			fmt.Fprintf(w, "  ... %s more\n", plural(n, "TLS session"))
		}
	}
}

// counts writes "SRTP 12, RTP 3" in name order.
func counts(m map[string]int64) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}
