package access

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Members is the group membership export: for each exported group, the
// accounts in it, with nested membership already expanded by the export
// (Get-ADGroupMember -Recursive). A group the export holds with no member
// is known to be empty; a group it does not hold at all is unknown.
type Members struct {
	File     string
	Encoding Encoding
	Groups   []*GroupMembers // in the order of their first row

	byName   map[string]*GroupMembers
	accounts map[string]bool
}

// GroupMembers is one exported group.
type GroupMembers struct {
	Name    string   // as the export's Group column writes it
	Line    int      // line of its first row
	Members []Member // in export order; empty for a group exported as empty
}

// Member is one row of the export: an account in a group.
type Member struct {
	Account           string // SamAccountName
	ObjectClass       string // "user", "computer", ... ("" when the export has no such column)
	DistinguishedName string // "" when the export has no such column
	Line              int
}

// ReadMembers reads a membership export; see [ParseMembers].
func ReadMembers(path string) (*Members, error) {
	data, err := readExport(path)
	if err != nil {
		return nil, err
	}
	return ParseMembers(path, data)
}

// ParseMembers parses a membership export as Export-Csv (or ConvertTo-Csv)
// writes it in Windows PowerShell 5.1 and PowerShell 7: an optional #TYPE
// first line, a header row, quoted or bare fields, CRLF or LF, in UTF-8,
// UTF-8 with a BOM or UTF-16LE with a BOM. The header must name Group and
// SamAccountName (any case), and no column twice; objectClass and
// distinguishedName are kept when present, other columns are ignored. A row with an empty
// SamAccountName records that its group was exported and is empty (the
// one-liner in docs/access.md, 'voipsec help access', writes one for every empty group). Group
// names compare without a DOMAIN\ prefix, so one group written with two
// different prefixes (or with and without one) is an error: two domains'
// groups would merge. file names the data in errors, which carry its line
// and column.
func ParseMembers(file string, data []byte) (*Members, error) {
	text, enc, err := decodeText(file, data)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(text, "#TYPE") {
		// Keep the line break so line numbers stay those of the file.
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i:]
		} else {
			text = ""
		}
	}
	m := &Members{File: file, Encoding: enc, byName: map[string]*GroupMembers{}, accounts: map[string]bool{}}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ExportError{File: file, Msg: "empty: expected a header row naming Group and SamAccountName"}
	}
	if err != nil {
		return nil, csvError(file, text, err)
	}
	headerLine, _ := r.FieldPos(0)
	col := map[string]int{}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.TrimSpace(h)
		k := strings.ToLower(names[i])
		if j, dup := col[k]; dup {
			if k == "" {
				continue // unnamed columns are ignored anyway
			}
			// Which of the two would be the export's? Neither, safely.
			l, c := r.FieldPos(i)
			return nil, &ExportError{File: file, Line: l, Column: runeColumn(text, l, c),
				Msg: fmt.Sprintf("the header names %s twice (fields %d and %d)", names[i], j+1, i+1)}
		}
		col[k] = i
	}
	width := len(header)
	for _, need := range []string{"Group", "SamAccountName"} {
		if _, ok := col[strings.ToLower(need)]; !ok {
			return nil, &ExportError{File: file, Line: headerLine, Column: 1,
				Msg: fmt.Sprintf("the header has no %s column (it has: %s); the export needs Group and SamAccountName (voipsec help access)", need, clipNames(names))}
		}
	}
	gi, si := col["group"], col["samaccountname"]
	oi, hasO := col["objectclass"]
	di, hasD := col["distinguishedname"]
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, text, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != width {
			return nil, &ExportError{File: file, Line: line, Column: 1,
				Msg: fmt.Sprintf("row has %d fields, the header %d", len(rec), width)}
		}
		group := strings.TrimSpace(rec[gi])
		if group == "" {
			l, c := r.FieldPos(gi)
			return nil, &ExportError{File: file, Line: l, Column: runeColumn(text, l, c), Msg: "the Group field is empty"}
		}
		g := m.byName[groupKey(group)]
		switch {
		case g == nil:
			g = &GroupMembers{Name: group, Line: line}
			m.byName[groupKey(group)] = g
			m.Groups = append(m.Groups, g)
		case !strings.EqualFold(groupDomain(group), groupDomain(g.Name)):
			// Names are compared without the DOMAIN\ prefix, so two
			// domains' Domain Admins would merge into one group.
			l, c := r.FieldPos(gi)
			return nil, &ExportError{File: file, Line: l, Column: runeColumn(text, l, c),
				Msg: fmt.Sprintf(`group "%s" is also exported as "%s" (line %d): groups of different domains, or a name with and without its domain, cannot be told apart; export each group from one domain (voipsec help access)`, group, g.Name, g.Line)}
		}
		acct := strings.TrimSpace(rec[si])
		if acct == "" {
			continue // the group was exported and is empty
		}
		mb := Member{Account: acct, Line: line}
		if hasO {
			mb.ObjectClass = strings.TrimSpace(rec[oi])
		}
		if hasD {
			mb.DistinguishedName = strings.TrimSpace(rec[di])
		}
		g.Members = append(g.Members, mb)
		m.accounts[accountKey(acct)] = true
	}
	return m, nil
}

// csvError turns a csv.Reader error on text into an ExportError.
func csvError(file, text string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg += " (a field with quotes or commas must be quoted, and its quotes doubled)"
		}
		return &ExportError{File: file, Line: pe.Line, Column: runeColumn(text, pe.Line, pe.Column), Msg: msg, Err: err}
	}
	return &ExportError{File: file, Msg: err.Error(), Err: err}
}

// runeColumn turns the 1-based byte column encoding/csv reports on a line
// of text into the 1-based column in characters, which the JSON export's
// errors and editors use.
func runeColumn(text string, line, col int) int {
	start := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[start:], '\n')
		if i < 0 {
			return col
		}
		start += i + 1
	}
	end := min(start+col-1, len(text))
	return 1 + utf8.RuneCountInString(text[start:end])
}

func clipNames(names []string) string {
	if len(names) > 8 {
		return strings.Join(names[:8], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

// Group returns the exported group called name. Names compare
// case-insensitively, ignoring white space and a DOMAIN\ prefix, so "DNS
// Admins" finds DnsAdmins and "CS Administrators" finds CSAdministrators.
func (m *Members) Group(name string) (*GroupMembers, bool) {
	g, ok := m.byName[groupKey(name)]
	return g, ok
}

// Knows reports whether the account is in any exported group.
func (m *Members) Knows(account string) bool { return m.accounts[accountKey(account)] }

// Member returns the account's row in the group.
func (g *GroupMembers) Member(account string) (Member, bool) {
	k := accountKey(account)
	for _, mb := range g.Members {
		if accountKey(mb.Account) == k {
			return mb, true
		}
	}
	return Member{}, false
}

// Accounts returns the distinct accounts in the group, in export order.
func (g *GroupMembers) Accounts() []string {
	var out []string
	seen := map[string]bool{}
	for _, mb := range g.Members {
		if k := accountKey(mb.Account); !seen[k] {
			seen[k] = true
			out = append(out, mb.Account)
		}
	}
	return out
}

// groupKey is a group name compared: lower case, no white space, no
// DOMAIN\ prefix.
func groupKey(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// groupDomain is the DOMAIN of "DOMAIN\name", or "".
func groupDomain(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return ""
}

// accountKey is an account name compared: lower case, no DOMAIN\ prefix.
func accountKey(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// AccountName returns the SamAccountName part of "DOMAIN\name" (or name).
func AccountName(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		return s[i+1:]
	}
	return s
}
