package inspect

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/voipsec/voipsec/matrix"
)

// recordWriter writes finished calls, and the streams and TLS sessions
// that belong to no call seen in the capture, as JSON Lines while the scan
// runs ([Options].Records). Nothing written is kept.
type recordWriter struct {
	file string
	w    *bufio.Writer
	err  error
}

func newRecordWriter(w io.Writer, file string) *recordWriter {
	return &recordWriter{file: file, w: bufio.NewWriterSize(w, 64<<10)}
}

// CallRecord is one line of the records stream for a finished call.
type CallRecord struct {
	Record string `json:"record"` // "call"
	File   string `json:"file"`
	Call
	Media        []MediaRecord `json:"media,omitempty"`
	Streams      []Stream      `json:"streams,omitempty"` // its media streams (the first 16)
	StreamsTotal int           `json:"streams_total"`
	ExposedKeys  string        `json:"exposed_keys,omitempty"` // CAP-SDES-KEY-EXPOSED evidence; keys redacted unless ShowKeys
}

// MediaRecord is one m= line of a call's latest offer and its answer, read
// with matrix's definitions.
type MediaRecord struct {
	Index          int    `json:"index"`
	Type           string `json:"type"`
	Offer          string `json:"offer"`
	Answer         string `json:"answer,omitempty"`
	OfferLevel     string `json:"offer_level"`
	SRTPNegotiated *bool  `json:"srtp_negotiated,omitempty"` // absent without an answer in the capture
}

// StreamRecord is a stream outside any call seen in the capture.
type StreamRecord struct {
	Record string `json:"record"` // "stream"
	File   string `json:"file"`
	Stream
}

// TLSRecord is one finished TLS session.
type TLSRecord struct {
	Record string `json:"record"` // "tls_session"
	File   string `json:"file"`
	TLSSession
}

func (w *recordWriter) write(v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		b = append(b, '\n')
		_, err = w.w.Write(b)
	}
	w.err = err
}

func (w *recordWriter) flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *recordWriter) stream(st *Stream) {
	w.write(StreamRecord{Record: "stream", File: w.file, Stream: *st})
}

func (w *recordWriter) tls(t *TLSSession) {
	w.write(TLSRecord{Record: "tls_session", File: w.file, TLSSession: *t})
}

func (w *recordWriter) call(o *Options, c *call, row Call) {
	r := CallRecord{Record: "call", File: w.file, Call: row, Streams: c.streams, StreamsTotal: c.nStreams}
	if c.nCrypto > 0 {
		r.ExposedKeys = sdesEvidence(c, o.ShowKeys)
	}
	r.Media = mediaRecords(c)
	w.write(r)
}

// mediaRecords reads the call's latest offer and the answer to it.
func mediaRecords(c *call) []MediaRecord {
	var offer, answer *sdpRef
	for _, r := range c.sides {
		if r.offer && (offer == nil || r.packet > offer.packet) {
			offer = r
		}
	}
	if offer == nil {
		return nil
	}
	answer = c.peerOf(offer, 0)
	var out []MediaRecord
	for j := range offer.sdp.Media {
		n := negotiation{ref: offer, idx: j}
		mr := MediaRecord{Index: j, Type: n.media().Type, Offer: describeSDP(&n), OfferLevel: n.media().line().OfferLevel().String()}
		if answer != nil && j < len(answer.sdp.Media) {
			a := negotiation{ref: answer, idx: j}
			mr.Answer = describeSDP(&a)
			neg := matrix.SRTPNegotiated(n.media().line(), a.media().line())
			mr.SRTPNegotiated = &neg
		}
		out = append(out, mr)
	}
	return out
}

// callRow is the row of a finished call.
func callRow(o *Options, c *call) Call {
	return Call{CallID: c.id, Transport: c.key.Transport(), Path: o.sipPlace(c.key).String(), Kind: c.kind, Messages: c.msgs,
		FirstPacket: c.first, LastPacket: c.last, Methods: c.methods, SDES: c.sdes, End: c.end}
}
