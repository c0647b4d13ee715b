package access

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// AdminRoles is the RBAC roles export: the JSON of
// Get-CsAdminRole | ConvertTo-Json.
type AdminRoles struct {
	File     string
	Encoding Encoding
	Roles    []*AdminRole // in export order
}

// AdminRole is one role of the export. The role's AD group has the role's
// name (Identity).
type AdminRole struct {
	Identity       string
	SID            string
	IsStandardRole bool
	// Template is the role the custom role was based on. Get-CsAdminRole
	// does not output it; it is read when the JSON carries one (a file of
	// planned roles written for the review).
	Template      string
	ConfigScopes  []string // "Global", "site:Site01", as exported
	UserScopes    []string // "Global", "OU:OU=Sales,DC=contoso,DC=com"
	ScriptModules []string // script or module names or paths
	Cmdlets       int      // how many cmdlets the role may run
	Line          int      // line of the role's opening brace
}

// ReadAdminRoles reads an RBAC roles export; see [ParseAdminRoles].
func ReadAdminRoles(path string) (*AdminRoles, error) {
	data, err := readExport(path)
	if err != nil {
		return nil, err
	}
	return ParseAdminRoles(path, data)
}

// ParseAdminRoles parses the JSON Get-CsAdminRole | ConvertTo-Json
// writes: an array of roles, or one object when there is one role, in
// UTF-8, UTF-8 with a BOM or UTF-16LE with a BOM (Windows PowerShell's >).
// Each role needs an Identity, which no other role of the export has (in
// any case); IsStandardRole, when missing, is true for a predefined role's
// name. A scope, script module or Identity may be a
// string or an object carrying it (in a Name, Value, Scope, Identity or
// Path member, or as its only string member). Unknown members are ignored.
// Errors carry file, line and column.
func ParseAdminRoles(file string, data []byte) (*AdminRoles, error) {
	text, enc, err := decodeText(file, data)
	if err != nil {
		return nil, err
	}
	out := &AdminRoles{File: file, Encoding: enc}
	start := skipSpace(text, 0)
	if start == len(text) {
		return nil, &ExportError{File: file, Msg: "empty: expected the JSON of Get-CsAdminRole | ConvertTo-Json"}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	switch text[start] {
	case '{':
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(file, text, 0, err)
		}
		r, err := parseRole(file, text, start, raw)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, r)
	case '[':
		if _, err := dec.Token(); err != nil {
			return nil, jsonError(file, text, 0, err)
		}
		for dec.More() {
			at := skipSpace(text, int(dec.InputOffset()))
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, jsonError(file, text, 0, err)
			}
			if raw[0] != '{' {
				line, col := lineCol(text, at)
				return nil, &ExportError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("role %d is %s, not an object", len(out.Roles)+1, jsonKind(raw))}
			}
			r, err := parseRole(file, text, at, raw)
			if err != nil {
				return nil, err
			}
			if first, dup := out.Role(r.Identity); dup {
				// Role returns the first; the second's scopes would go
				// unjudged.
				return nil, &ExportError{File: file, Line: r.Line,
					Msg: fmt.Sprintf(`role "%s" is exported twice (line %d): one role, one entry`, r.Identity, first.Line)}
			}
			out.Roles = append(out.Roles, r)
		}
		if _, err := dec.Token(); err != nil {
			return nil, jsonError(file, text, 0, err)
		}
	default:
		line, col := lineCol(text, start)
		return nil, &ExportError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("expected a JSON array or object of roles, got %q", clipText(text[start:]))}
	}
	if rest := skipSpace(text, int(dec.InputOffset())); rest < len(text) {
		line, col := lineCol(text, rest)
		return nil, &ExportError{File: file, Line: line, Column: col, Msg: "more JSON after the roles; export one ConvertTo-Json document"}
	}
	return out, nil
}

// skipSpace returns the offset of the first byte at or after off that is
// neither JSON white space nor a comma.
func skipSpace(s string, off int) int {
	for off < len(s) && strings.IndexByte(" \t\r\n,", s[off]) >= 0 {
		off++
	}
	return off
}

func clipText(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// jsonError turns a decoding error into an ExportError at its line; base
// is the offset of the decoded value in text (for errors whose offset is
// relative to it).
func jsonError(file, text string, base int, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := -1
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		// A Decoder's offsets are not those of the text; the whole text
		// unmarshalled gives the offset after the bad byte.
		var v any
		if e2 := json.Unmarshal([]byte(text), &v); errors.As(e2, &se) {
			off = max(int(se.Offset)-1, 0)
		}
		msg = "JSON syntax: " + se.Error()
	case errors.As(err, &te):
		// Offset is after the value; point at its member's name.
		end := min(base+int(te.Offset), len(text))
		off = end
		name := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		if i := strings.LastIndex(strings.ToLower(text[base:end]), `"`+strings.ToLower(name)+`"`); i >= 0 {
			off = base + i
		}
		msg = fmt.Sprintf("%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// A Decoder returns io.EOF when the text ends between tokens
		// (an array never closed), io.ErrUnexpectedEOF inside a value.
		off = len(text)
		msg = "JSON ends early: the file is cut short"
	}
	if off < 0 {
		return &ExportError{File: file, Msg: msg, Err: err}
	}
	line, col := lineCol(text, off)
	return &ExportError{File: file, Line: line, Column: col, Msg: msg, Err: err}
}

type rawRole struct {
	Identity       json.RawMessage
	SID            json.RawMessage
	IsStandardRole *bool
	Template       json.RawMessage
	Cmdlets        json.RawMessage
	ConfigScopes   json.RawMessage
	UserScopes     json.RawMessage
	ScriptModules  json.RawMessage
}

// parseRole decodes one role object that starts at offset at in text.
func parseRole(file, text string, at int, raw json.RawMessage) (*AdminRole, error) {
	line, _ := lineCol(text, at)
	fail := func(format string, args ...any) error {
		return &ExportError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var rr rawRole
	if err := json.Unmarshal(raw, &rr); err != nil {
		return nil, jsonError(file, text, at, err)
	}
	r := &AdminRole{Line: line}
	var err error
	if r.Identity, err = textOf(rr.Identity); err != nil || r.Identity == "" {
		if err == nil {
			err = errors.New("missing or empty")
		}
		return nil, fail("role Identity: %v", err)
	}
	if r.SID, err = textOf(rr.SID); err != nil {
		return nil, fail("role %s: SID: %v", r.Identity, err)
	}
	if r.Template, err = textOf(rr.Template); err != nil {
		return nil, fail("role %s: Template: %v", r.Identity, err)
	}
	if rr.IsStandardRole != nil {
		r.IsStandardRole = *rr.IsStandardRole
	} else {
		_, r.IsStandardRole = PredefinedRole(r.Identity)
	}
	lists := []struct {
		name string
		raw  json.RawMessage
		dst  *[]string
	}{
		{"ConfigScopes", rr.ConfigScopes, &r.ConfigScopes},
		{"UserScopes", rr.UserScopes, &r.UserScopes},
		{"ScriptModules", rr.ScriptModules, &r.ScriptModules},
	}
	for _, l := range lists {
		if *l.dst, err = textList(l.raw); err != nil {
			return nil, fail("role %s: %s: %v", r.Identity, l.name, err)
		}
	}
	var cmdlets []json.RawMessage
	if len(rr.Cmdlets) > 0 && string(rr.Cmdlets) != "null" {
		if rr.Cmdlets[0] == '[' {
			if err := json.Unmarshal(rr.Cmdlets, &cmdlets); err != nil {
				return nil, fail("role %s: Cmdlets: %v", r.Identity, err)
			}
		} else {
			cmdlets = []json.RawMessage{rr.Cmdlets}
		}
	}
	r.Cmdlets = len(cmdlets)
	return r, nil
}

// textList reads null, one string or object, or an array of them.
func textList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	items := []json.RawMessage{raw}
	if raw[0] == '[' {
		items = nil
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	}
	var out []string
	for i, it := range items {
		s, err := textOf(it)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// textKeys are the members of an object that carry its text, in the
// order they are tried.
var textKeys = []string{"Name", "Value", "Scope", "Identity", "Path"}

// textOf reads a JSON string, or an object carrying one; null is "".
func textOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", err
		}
		strs := map[string]string{}
		for k, v := range obj {
			var s string
			if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
				strs[strings.ToLower(k)] = strings.TrimSpace(s)
			}
		}
		for _, k := range textKeys {
			if s, ok := strs[strings.ToLower(k)]; ok {
				return s, nil
			}
		}
		if len(strs) == 1 {
			for _, s := range strs {
				return s, nil
			}
		}
		return "", fmt.Errorf("an object with no %s string member", strings.Join(textKeys, ", "))
	}
	return "", fmt.Errorf("expected a string or an object, got %s", jsonKind(raw))
}

func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// Role returns the exported role called identity (case-insensitive).
func (a *AdminRoles) Role(identity string) (*AdminRole, bool) {
	for _, r := range a.Roles {
		if strings.EqualFold(strings.TrimSpace(r.Identity), strings.TrimSpace(identity)) {
			return r, true
		}
	}
	return nil, false
}

// Global reports whether the role has a global scope: every predefined
// role does, and so does a custom role with no scope other than Global
// (one assigned directly, not scoped). A scope that does not parse is not
// Global.
func (r *AdminRole) Global() bool {
	if r.IsStandardRole {
		return true
	}
	for _, s := range append(append([]string{}, r.ConfigScopes...), r.UserScopes...) {
		if sc, err := ParseScope(s); err != nil || sc.Kind != GlobalScope {
			return false
		}
	}
	return true
}
