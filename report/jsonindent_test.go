package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomJSONValue builds nested maps, slices, strings with quotes,
// backslashes, HTML and non-ASCII characters, numbers, booleans and nulls,
// including empty objects and arrays.
func randomJSONValue(r *rand.Rand, depth int) any {
	k := r.IntN(9)
	if depth > 4 {
		k = r.IntN(5)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return r.NormFloat64() * 1e6
	case 3, 4:
		return randomJSONString(r)
	case 5, 6:
		m := map[string]any{}
		for range r.IntN(5) {
			m[randomJSONString(r)] = randomJSONValue(r, depth+1)
		}
		return m
	default:
		s := []any{}
		for range r.IntN(5) {
			s = append(s, randomJSONValue(r, depth+1))
		}
		return s
	}
}

func randomJSONString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString([]string{"a", "\"", "\\", "<", ">", "&", "é", "\n", "\t", "{", "}", "[", "]", ",", ":", " ", "\u2028", "\x01"}[r.IntN(18)])
	}
	return b.String()
}

// TestAppendIndentCompactMatchesEncoder: the fast indenter gives the
// Encoder's bytes for random documents and for a report.
func TestAppendIndentCompactMatchesEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	docs := []any{
		map[string]any{}, []any{}, "x", 1.5, nil,
		jsonReport{Schema: SchemaVersion, Findings: []Finding{New("SIP-NO-RESPONSE", "a<b>&c", "summary \"quoted\"").WithDetail("x\\y")}},
	}
	// What else json.Marshal can be handed in Report.Data: raw and
	// custom-marshalled JSON with white space (Marshal compacts both),
	// invalid UTF-8, json.Number, exponent floats, deep nesting.
	deep := any("x")
	for range 60 {
		deep = []any{map[string]any{"k": deep, "e": []any{}}}
	}
	docs = append(docs,
		json.RawMessage(" { \"a\" : [ 1 , { } , [ ] , \"x \\\" ,:{}[]\" ] ,\n\t\"b\":null } "),
		map[string]any{"m": spacedMarshaler{}, "r": json.RawMessage("[ ]")},
		[]any{"\xff\xfe", "a\x00b", json.Number("-1.5e-300"), 1e21, 1e-7, -0.0},
		deep,
	)
	for range 3000 {
		docs = append(docs, randomJSONValue(r, 0))
	}
	for _, ind := range []struct{ prefix, indent string }{{"", "  "}, {"", "\t"}, {"> ", "    "}} {
		for i, v := range docs {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent(ind.prefix, ind.indent)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got := appendIndentCompact(nil, append(b, '\n'), ind.prefix, ind.indent)
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("document %d, prefix %q indent %q:\ngot  %q\nwant %q", i, ind.prefix, ind.indent, got, want.Bytes())
			}
		}
	}
}

// spacedMarshaler returns indented JSON from MarshalJSON, as a hand-written
// marshaler may.
type spacedMarshaler struct{}

func (spacedMarshaler) MarshalJSON() ([]byte, error) {
	return []byte("{\n  \"x\": [ 1, 2 ],\n  \"y\": { }\n}"), nil
}

// BenchmarkIndent compares the one-pass indenter with json.Indent on the
// compact JSON of a report with 20,000 findings.
func BenchmarkIndent(b *testing.B) {
	var findings []Finding
	for i := range 20000 {
		findings = append(findings, New("CAP-RTP-UNENCRYPTED", "udp 10.0.0.1:40000 -> 10.0.0.2:50000",
			"media stream in clear RTP").WithDetail("stream %d: \"quoted\" <html> & more", i))
	}
	src, err := json.Marshal(jsonReport{Schema: SchemaVersion, Findings: findings})
	if err != nil {
		b.Fatal(err)
	}
	src = append(src, '\n')
	b.Run("appendIndentCompact", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		var dst []byte
		for b.Loop() {
			dst = appendIndentCompact(dst[:0], src, "", "  ")
		}
	})
	b.Run("json.Indent", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		var dst bytes.Buffer
		for b.Loop() {
			dst.Reset()
			if err := json.Indent(&dst, src, "", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
