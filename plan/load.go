package plan

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/voipsec/voipsec/internal/suggest"
	"github.com/voipsec/voipsec/matrix"
)

// Limits against hostile or mistaken input.
const (
	// MaxFileSize bounds the plan file and every file it names (PEM).
	MaxFileSize = 1 << 20
	// maxNodes bounds how many YAML nodes one load visits, counting alias
	// expansions, so a "billion laughs" document cannot stall the loader.
	maxNodes = 100_000
)

// Load reads and validates the plan file at path. Relative paths in the
// plan (certificates, keys) are resolved against the plan's directory. A
// plan with problems returns an [ErrorList] naming file:line:col and the
// field path of each.
func Load(path string) (*Plan, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: err.Error(), Err: err}}
	}
	return Parse(path, data)
}

// Parse validates plan data as if read from file (used for error messages
// and to resolve relative paths).
func Parse(file string, data []byte) (p *Plan, err error) {
	l := &loader{p: &Plan{File: file, Dir: filepath.Dir(file), pos: map[string]pos{}}}
	defer func() {
		// The YAML library reports some malformed input by panicking
		// internally; it recovers most, and this catches the rest.
		if r := recover(); r != nil {
			p, err = nil, ErrorList{{File: file, Msg: fmt.Sprintf("malformed plan: %v", r)}}
		}
	}()
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: file, Msg: fmt.Sprintf("plan is larger than %d bytes", MaxFileSize)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{File: file, Msg: "empty plan: expected a mapping starting with voipsec_plan: 1"}}
		}
		return nil, ErrorList{yamlError(file, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ErrorList{{File: file, Line: extra.Line, Column: extra.Column, Msg: "more than one YAML document; a plan is one document"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, ErrorList{yamlError(file, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, ErrorList{{File: file, Msg: "empty plan: expected a mapping starting with voipsec_plan: 1"}}
		}
		root = root.Content[0]
	}
	l.top(root)
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	return l.p, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError turns a YAML syntax error into an *Error with its line.
func yamlError(file string, err error) *Error {
	msg := err.Error()
	e := &Error{File: file, Err: err}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	e.Msg = "YAML syntax: " + msg
	return e
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("file not found")
		}
		return nil, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return data, nil
}

type loader struct {
	p      *Plan
	errs   ErrorList
	visits int
}

func (l *loader) errAt(n *yaml.Node, path, format string, args ...any) {
	l.errAtCause(n, path, nil, format, args...)
}

func (l *loader) errAtCause(n *yaml.Node, path string, cause error, format string, args ...any) {
	if len(l.errs) >= MaxErrors {
		return
	}
	e := &Error{File: l.p.File, Path: path, Msg: fmt.Sprintf(format, args...), Err: cause}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

// node resolves aliases and counts the visit against the node budget. It
// returns nil when the budget is spent (and reports that once).
func (l *loader) node(n *yaml.Node, path string) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if depth > 100 {
			l.errAt(n, path, "alias chain too long")
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	l.visits++
	if l.visits == maxNodes {
		l.errAt(n, path, "plan too large or too deeply aliased (more than %d nodes)", maxNodes)
	}
	if l.visits >= maxNodes {
		return nil
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing (null)"
		}
		return fmt.Sprintf("the value %q", clip(n.Value))
	}
	return "something else"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// clipList joins names for a message, eliding all but the first few.
func clipList(names []string) string {
	const show = 10
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(names[:show], ", "), len(names))
}

type fieldFunc func(v *yaml.Node, path string)

// mapping walks a mapping node, calling spec[key] for each key, reporting
// unknown and duplicate keys at the key, and required keys that are missing
// at the mapping. It records the position of each value under its path.
func (l *loader) mapping(n *yaml.Node, path string, spec map[string]fieldFunc, required ...string) (seen map[string]bool, ok bool) {
	n = l.node(n, path)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		l.errAt(n, path, "expected a mapping of %s, got %s", strings.Join(keys(spec), ", "), kindName(n))
		return nil, false
	}
	seen = map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := l.node(n.Content[i], path), n.Content[i+1]
		if k == nil {
			return seen, false
		}
		if k.Kind != yaml.ScalarNode {
			l.errAt(k, path, "mapping key must be a plain name, got %s", kindName(k))
			continue
		}
		key := k.Value
		fp := join(path, key)
		f, known := spec[key]
		if !known {
			msg := fmt.Sprintf("unknown field %q (accepted: %s)", clip(key), strings.Join(keys(spec), ", "))
			if s := closestName(key, keys(spec)); s != "" {
				msg += "; did you mean " + s + "?"
			}
			l.errAt(k, fp, "%s", msg)
			continue
		}
		if seen[key] {
			l.errAt(k, fp, "field %q given twice", key)
			continue
		}
		seen[key] = true
		if vv := l.node(v, fp); vv != nil {
			l.p.pos[fp] = pos{vv.Line, vv.Column}
			f(vv, fp)
		}
	}
	for _, r := range required {
		if !seen[r] {
			l.errAt(n, join(path, r), "required field %q is missing", r)
		}
	}
	return seen, true
}

// sequence walks a list node, calling f for each item with path[i].
func (l *loader) sequence(n *yaml.Node, path string, f func(item *yaml.Node, path string, i int)) {
	n = l.node(n, path)
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.errAt(n, path, "expected a list, got %s", kindName(n))
		return
	}
	for i, it := range n.Content {
		ip := fmt.Sprintf("%s[%d]", path, i)
		it = l.node(it, ip)
		if it == nil {
			return
		}
		l.p.pos[ip] = pos{it.Line, it.Column}
		f(it, ip, i)
	}
}

func keys(spec map[string]fieldFunc) []string {
	out := make([]string, 0, len(spec))
	for k := range spec {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// closestName returns the accepted name closest to s, if it is close.
func closestName(s string, accepted []string) string {
	best, _ := suggest.Closest(s, accepted, 2)
	return best
}

// scalar returns the text of a scalar node, reporting other kinds.
func (l *loader) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errAt(n, path, "expected %s, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (l *loader) str(n *yaml.Node, path string, dst *string) {
	if s, ok := l.scalar(n, path, "a string"); ok {
		if strings.TrimSpace(s) == "" {
			l.errAt(n, path, "must not be empty")
			return
		}
		*dst = s
	}
}

func (l *loader) boolean(n *yaml.Node, path string) (bool, bool) {
	s, ok := l.scalar(n, path, "true or false")
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	l.errAt(n, path, "expected true or false, got %q", clip(s))
	return false, false
}

func (l *loader) integer(n *yaml.Node, path string, lo, hi int) (int, bool) {
	s, ok := l.scalar(n, path, "a number")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		l.errAt(n, path, "expected a whole number from %d to %d, got %q", lo, hi, clip(s))
		return 0, false
	}
	return v, true
}

func (l *loader) port(n *yaml.Node, path string) (int, bool) { return l.integer(n, path, 1, 65535) }

// portRange parses "60000-64000" or a single port.
func (l *loader) portRange(n *yaml.Node, path string) *PortRange {
	s, ok := l.scalar(n, path, "a port range like 60000-64000")
	if !ok {
		return nil
	}
	from, to, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		to = from
	}
	a, errA := strconv.Atoi(strings.TrimSpace(from))
	b, errB := strconv.Atoi(strings.TrimSpace(to))
	if errA != nil || errB != nil || a < 1 || b > 65535 || a > b {
		l.errAt(n, path, "expected a port range FROM-TO with 1 <= FROM <= TO <= 65535, got %q", clip(s))
		return nil
	}
	return &PortRange{From: a, To: b}
}

func (l *loader) voipSecurity(n *yaml.Node, path string) (matrix.VoipSecurity, bool) {
	return parseEnum(l, n, path, "a VoIPSecurity level", matrix.ParseVoipSecurity)
}

func (l *loader) encryption(n *yaml.Node, path string) *matrix.EncryptionLevel {
	if e, ok := parseEnum(l, n, path, "an encryption level", matrix.ParseEncryptionLevel); ok {
		return &e
	}
	return nil
}

// parseEnum decodes a scalar with one of matrix's level parsers, naming the
// accepted values when it is not one of them.
func parseEnum[T any](l *loader, n *yaml.Node, path, what string, parse func(string) (T, error)) (T, bool) {
	var zero T
	s, ok := l.scalar(n, path, what)
	if !ok {
		return zero, false
	}
	v, err := parse(s)
	if err != nil {
		var u *matrix.UnknownValueError
		if errors.As(err, &u) {
			l.errAtCause(n, path, err, "unknown %s %q (accepted: %s)", u.What, clip(s), strings.Join(u.Accepted, ", "))
		} else {
			l.errAtCause(n, path, err, "%v", err)
		}
		return zero, false
	}
	return v, true
}

var tlsVersions = map[string]uint16{
	"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13,
}

func (l *loader) tlsVersion(n *yaml.Node, path string) *uint16 {
	s, ok := l.scalar(n, path, "a TLS version")
	if !ok {
		return nil
	}
	k := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "tls"), "v")
	k = strings.TrimSpace(k)
	if v, ok := tlsVersions[k]; ok {
		return &v
	}
	l.errAt(n, path, "unknown TLS version %q (accepted: 1.0, 1.1, 1.2, 1.3)", clip(s))
	return nil
}

// callTo reads a number to call (call_to, pilot_number): a SIP user part
// or a full SIP URI, kept as written (trimmed).
func (l *loader) callTo(n *yaml.Node, path string) string {
	s, ok := l.scalar(n, path, "a number or SIP URI to call")
	if !ok {
		return ""
	}
	if err := checkCallTo(s); err != nil {
		l.errAtCause(n, path, err, "%v", err)
		return ""
	}
	return strings.TrimSpace(s)
}

func (l *loader) transport(n *yaml.Node, path string) (Transport, bool) {
	s, ok := l.scalar(n, path, "a transport")
	if !ok {
		return "", false
	}
	for _, t := range Transports {
		if strings.EqualFold(strings.TrimSpace(s), string(t)) {
			return t, true
		}
	}
	l.errAt(n, path, "unknown transport %q (accepted: udp, tcp, tls)", clip(s))
	return "", false
}

// address accepts an IP address or a DNS host name.
func (l *loader) address(n *yaml.Node, path string) (string, bool) {
	s, ok := l.scalar(n, path, "an IP address or host name")
	if !ok {
		return "", false
	}
	if ip := net.ParseIP(s); ip != nil {
		return s, true
	}
	if host, port, err := net.SplitHostPort(s); err == nil && port != "" {
		l.errAt(n, path, "bad address %q: give the host (%s) here and the port in the port field", clip(s), clip(host))
		return "", false
	}
	if !validHostname(s) {
		l.errAt(n, path, "bad address %q: not an IP address or a DNS host name", clip(s))
		return "", false
	}
	return s, true
}

func (l *loader) fqdn(n *yaml.Node, path string) (string, bool) {
	s, ok := l.scalar(n, path, "a DNS name")
	if !ok {
		return "", false
	}
	if !validHostname(s) || net.ParseIP(s) != nil {
		l.errAt(n, path, "bad FQDN %q: not a DNS host name", clip(s))
		return "", false
	}
	return s, true
}

// validHostname reports whether s is a DNS host name (RFC 1123 labels).
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// file resolves a path in the plan and reads it, reporting missing and
// unreadable files at the node.
func (l *loader) file(n *yaml.Node, path string) (string, []byte, bool) {
	s, ok := l.scalar(n, path, "a file path")
	if !ok {
		return "", nil, false
	}
	p := s
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.p.Dir, p)
	}
	data, err := readLimited(p)
	if err != nil {
		l.errAtCause(n, path, err, "%s: %v", p, err)
		return "", nil, false
	}
	return p, data, true
}

func (l *loader) certFile(n *yaml.Node, path string) *CertFile {
	cf, _ := l.certFileData(n, path)
	return cf
}

// certFileData is certFile that also returns the PEM it read, for a key
// pair loaded from the same bytes the certificates were checked in.
func (l *loader) certFileData(n *yaml.Node, path string) (*CertFile, []byte) {
	p, data, ok := l.file(n, path)
	if !ok {
		return nil, nil
	}
	cf := &CertFile{Path: p}
	for rest := data; len(rest) > 0; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			l.errAtCause(n, path, err, "%s: certificate %d: %v", p, len(cf.Certs)+1, err)
			return nil, nil
		}
		cf.Certs = append(cf.Certs, c)
	}
	if len(cf.Certs) == 0 {
		l.errAt(n, path, "%s: no PEM certificate in the file", p)
		return nil, nil
	}
	return cf, data
}

// top is the plan's root mapping.
func (l *loader) top(n *yaml.Node) {
	p := l.p
	_, ok := l.mapping(n, "", map[string]fieldFunc{
		"voipsec_plan": func(v *yaml.Node, path string) {
			if got, ok := l.integer(v, path, 0, 1<<30); ok && got != SchemaVersion {
				l.errAt(v, path, "unsupported plan version %d (this voipsec reads version %d)", got, SchemaVersion)
			}
		},
		"name":              func(v *yaml.Node, path string) { l.str(v, path, &p.Name) },
		"trust":             l.trust,
		"policy":            l.policy,
		"media":             l.media,
		"ipsec":             l.ipsec,
		"exchange_um":       l.exchangeUM,
		"mediation_servers": l.mediationServers,
		"access":            l.access, // plan/access.go
	}, "voipsec_plan")
	if !ok {
		return
	}
	// Cross-references need every section loaded. The declared names are
	// collected once: a plan may name tens of thousands of dial plans.
	declared := make(map[string]bool, len(p.DialPlans))
	names := make([]string, 0, len(p.DialPlans))
	for _, d := range p.DialPlans {
		declared[d.Name] = true
		names = append(names, d.Name)
	}
	for i, u := range p.UMServers {
		for j, name := range u.DialPlans {
			if declared[name] || len(l.errs) >= MaxErrors {
				continue
			}
			ip := fmt.Sprintf("exchange_um.servers[%d].dial_plans[%d]", i, j)
			ps := p.pos[ip]
			at := &yaml.Node{Line: ps.line, Column: ps.col}
			if len(names) == 0 {
				l.errAt(at, ip, "unknown dial plan %q (exchange_um.dial_plans declares none)", clip(name))
			} else {
				l.errAt(at, ip, "unknown dial plan %q (declared in exchange_um.dial_plans: %s)", clip(name), clipList(names))
			}
		}
	}
	// Work that was skipped is not a pass: a plan with nothing to check
	// would otherwise "pass" every run. Only when it loaded cleanly, since
	// a section with errors is left out of the plan.
	if len(l.errs) == 0 && !p.declaresChecks() {
		l.errAt(n, "", "the plan declares nothing to check: add exchange_um, mediation_servers, media and ipsec, or trust certificates (docs/plan.md)")
	}
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i], l.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	if len(l.errs) >= MaxErrors {
		l.errs = append(l.errs, &Error{File: p.File, Msg: fmt.Sprintf("more than %d errors; fix these first", MaxErrors)})
	}
}

func (l *loader) trust(n *yaml.Node, path string) {
	t := &l.p.Trust
	var certPEM, keyPEM []byte
	var keyNode *yaml.Node
	seen, ok := l.mapping(n, path, map[string]fieldFunc{
		"ca":                 func(v *yaml.Node, fp string) { t.CA = l.certFile(v, fp) },
		"client_certificate": func(v *yaml.Node, fp string) { t.ClientCert, certPEM = l.certFileData(v, fp) },
		"client_key": func(v *yaml.Node, fp string) {
			keyNode = v
			if p, data, ok := l.file(v, fp); ok {
				t.ClientKey, keyPEM = p, data
			}
		},
	})
	if !ok {
		return
	}
	if seen["client_certificate"] != seen["client_key"] {
		missing := "client_key"
		if !seen["client_certificate"] {
			missing = "client_certificate"
		}
		l.errAt(n, join(path, missing), "client_certificate and client_key go together; %s is missing", missing)
		return
	}
	if certPEM != nil && keyPEM != nil {
		kp, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			l.errAtCause(keyNode, join(path, "client_key"), err, "%s does not load with the client certificate: %v", t.ClientKey, err)
			return
		}
		t.KeyPair = &kp
	}
}

func (l *loader) policy(n *yaml.Node, path string) {
	po := &l.p.Policy
	l.mapping(n, path, map[string]fieldFunc{
		"client_encryption":       func(v *yaml.Node, fp string) { po.ClientEncryption = l.encryption(v, fp) },
		"server_media_encryption": func(v *yaml.Node, fp string) { po.ServerMediaEncryption = l.encryption(v, fp) },
	})
}

func (l *loader) media(n *yaml.Node, path string) {
	l.mapping(n, path, map[string]fieldFunc{
		"ports": func(v *yaml.Node, fp string) { l.p.Media.Ports = l.portRange(v, fp) },
	}, "ports")
}

func (l *loader) ipsec(n *yaml.Node, path string) {
	ip := &l.p.IPsec
	l.mapping(n, path, map[string]fieldFunc{
		"enabled": func(v *yaml.Node, fp string) {
			if b, ok := l.boolean(v, fp); ok {
				ip.Enabled = b
			}
		},
		"exception": func(v *yaml.Node, fp string) { ip.Exception = l.portRange(v, fp) },
	}, "enabled")
}

func (l *loader) exchangeUM(n *yaml.Node, path string) {
	p := l.p
	l.mapping(n, path, map[string]fieldFunc{
		"dial_plans": func(v *yaml.Node, fp string) {
			names := map[string]bool{}
			l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
				d := DialPlan{path: ip}
				var haveName, haveLevel bool
				l.mapping(it, ip, map[string]fieldFunc{
					"name": func(v *yaml.Node, fp string) {
						l.str(v, fp, &d.Name)
						if d.Name != "" && names[d.Name] {
							l.errAt(v, fp, "dial plan %q declared twice", clip(d.Name))
						}
						names[d.Name], haveName = true, d.Name != ""
					},
					"voip_security": func(v *yaml.Node, fp string) {
						d.VoipSecurity, haveLevel = l.voipSecurity(v, fp)
					},
					"pilot_number": func(v *yaml.Node, fp string) { d.PilotNumber = l.callTo(v, fp) },
				}, "name", "voip_security")
				if haveName && haveLevel {
					p.DialPlans = append(p.DialPlans, d)
				}
			})
		},
		"servers": func(v *yaml.Node, fp string) {
			l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
				u := UMServer{path: ip}
				u.Endpoint = Endpoint{Role: RoleUM, path: ip}
				ok := l.endpointFields(it, ip, &u.Endpoint, map[string]fieldFunc{
					"fqdn": func(v *yaml.Node, fp string) { u.FQDN, _ = l.fqdn(v, fp) },
					"certificate": func(v *yaml.Node, fp string) {
						u.Certificate = l.certFile(v, fp)
					},
					"dial_plans": func(v *yaml.Node, fp string) {
						l.sequence(v, fp, func(it *yaml.Node, ip string, _ int) {
							var s string
							l.str(it, ip, &s)
							if s != "" {
								u.DialPlans = append(u.DialPlans, s)
							}
						})
					},
				}, "fqdn", "dial_plans")
				u.Endpoint.Server = u.FQDN
				if ok {
					p.UMServers = append(p.UMServers, u)
				}
			})
		},
	})
}

// endpointFields walks an endpoint mapping (address, port, transport,
// expect) plus the extra fields of the kind of server it is part of.
func (l *loader) endpointFields(n *yaml.Node, path string, e *Endpoint, extra map[string]fieldFunc, required ...string) bool {
	spec := map[string]fieldFunc{
		"address": func(v *yaml.Node, fp string) { e.Address, _ = l.address(v, fp) },
		"port": func(v *yaml.Node, fp string) {
			if p, ok := l.port(v, fp); ok {
				e.Port = p
			}
		},
		"transport": func(v *yaml.Node, fp string) {
			if t, ok := l.transport(v, fp); ok {
				e.Transport = t
				if e.Role == RoleInternal && t != TLS {
					l.errAt(v, fp, "the Mediation Server internal edge is always TLS (mutual TLS), got %s", t)
				}
			}
		},
		"expect":  func(v *yaml.Node, fp string) { l.expect(v, fp, &e.Expect) },
		"call_to": func(v *yaml.Node, fp string) { e.CallTo = l.callTo(v, fp) },
	}
	for k, f := range extra {
		spec[k] = f
	}
	req := append([]string{"address"}, required...)
	if e.Role != RoleInternal {
		req = append(req, "transport")
	}
	seen, ok := l.mapping(n, path, spec, req...)
	if !ok {
		return false
	}
	if e.Role == RoleInternal && !seen["transport"] {
		e.Transport = TLS
	}
	if !seen["port"] {
		e.Port = defaultPort(e.Role, e.Transport)
	}
	return e.Address != "" && e.Transport != ""
}

// defaultPort is the listening port a role uses when the plan names none:
// 5061 for TLS, 5060 otherwise, except that the OCS 2007 R2 gateway edge
// uses 5060 for TLS as well.
func defaultPort(r Role, t Transport) int {
	if t == TLS && r != RoleExternal && r != RoleGateway {
		return 5061
	}
	return 5060
}

func (l *loader) expect(n *yaml.Node, path string, x *Expect) {
	l.mapping(n, path, map[string]fieldFunc{
		"min_tls": func(v *yaml.Node, fp string) { x.MinTLS = l.tlsVersion(v, fp) },
		"mtls_required": func(v *yaml.Node, fp string) {
			if b, ok := l.boolean(v, fp); ok {
				x.MTLSRequired = &b
			}
		},
		"encryption": func(v *yaml.Node, fp string) { x.Encryption = l.encryption(v, fp) },
	})
}

func (l *loader) mediationServers(n *yaml.Node, path string) {
	p := l.p
	l.sequence(n, path, func(it *yaml.Node, ip string, _ int) {
		m := MediationServer{path: ip}
		var okInt, okExt bool
		_, ok := l.mapping(it, ip, map[string]fieldFunc{
			"fqdn":        func(v *yaml.Node, fp string) { m.FQDN, _ = l.fqdn(v, fp) },
			"certificate": func(v *yaml.Node, fp string) { m.Certificate = l.certFile(v, fp) },
			"internal": func(v *yaml.Node, fp string) {
				m.Internal = Endpoint{Role: RoleInternal, path: fp}
				okInt = l.endpointFields(v, fp, &m.Internal, nil)
			},
			"external": func(v *yaml.Node, fp string) {
				m.External = Endpoint{Role: RoleExternal, path: fp}
				okExt = l.endpointFields(v, fp, &m.External, nil)
			},
			"gateway": func(v *yaml.Node, fp string) {
				g := &Endpoint{Role: RoleGateway, path: fp}
				if l.endpointFields(v, fp, g, map[string]fieldFunc{
					"fqdn": func(v *yaml.Node, fp string) { g.Server, _ = l.fqdn(v, fp) },
				}) {
					m.Gateway = g
				}
			},
		}, "fqdn", "internal", "external")
		if !ok || !okInt || !okExt {
			return
		}
		m.Internal.Server, m.External.Server = m.FQDN, m.FQDN
		p.MediationServers = append(p.MediationServers, m)
	})
}
