package access

import (
	"encoding/json"
	"strings"
)

// Op is how a [Need] combines its parts.
type Op uint8

const (
	// Has is one credential.
	Has Op = iota + 1
	// AllOf needs every part: the source's "A and B", or several lines
	// listed for one procedure.
	AllOf
	// AnyOf needs at least one part: the source's "A or B".
	AnyOf
)

// Need is what a task requires, as a formula over credentials shaped like
// the sentence in the source: "Domain Admins, or RTCUniversalServerAdmins
// and local Administrators" is AnyOf(Has(Domain Admins),
// AllOf(Has(RTCUniversalServerAdmins), Has(local Administrators))).
type Need struct {
	Op    Op
	Cred  Credential // Op Has
	Parts []Need     // Op AllOf, AnyOf
	// For is the source's own qualifier of the credential, e.g. "to
	// configure Mediation Server".
	For string
}

func has(c Credential) Need { return Need{Op: Has, Cred: c} }

// hasFor is has with the source's qualifier.
func hasFor(c Credential, why string) Need { return Need{Op: Has, Cred: c, For: why} }

func allOf(parts ...Need) Need { return Need{Op: AllOf, Parts: parts} }

func anyOf(parts ...Need) Need { return Need{Op: AnyOf, Parts: parts} }

// Credentials returns every credential the need mentions, once each, in
// the order they appear.
func (n Need) Credentials() []Credential {
	var out []Credential
	seen := map[Credential]bool{}
	n.walk(func(c Credential) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	})
	return out
}

func (n Need) walk(f func(Credential)) {
	if n.Op == Has {
		f(n.Cred)
		return
	}
	for _, p := range n.Parts {
		p.walk(f)
	}
}

// Mentions reports whether the need names c anywhere.
func (n Need) Mentions(c Credential) bool {
	found := false
	n.walk(func(x Credential) { found = found || x == c })
	return found
}

// String renders the need in words: "RTCUniversalServerAdmins and Domain
// Admins", "Domain Admins or (RTCUniversalServerAdmins and local
// Administrators)". An empty AllOf (nothing needed) is "no specific
// credential".
func (n Need) String() string {
	switch n.Op {
	case Has:
		s := n.Cred.String()
		if n.For != "" {
			s += " (" + n.For + ")"
		}
		return s
	case AllOf, AnyOf:
		if len(n.Parts) == 0 {
			return "no specific credential"
		}
		word := " and "
		if n.Op == AnyOf {
			word = " or "
		}
		parts := make([]string, len(n.Parts))
		for i, p := range n.Parts {
			parts[i] = p.String()
			if p.Op != Has && len(p.Parts) > 1 && p.Op != n.Op {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, word)
	}
	return "?"
}

// MarshalJSON writes the need as nested objects: {"credential": KEY,
// "name": NAME, "for": QUALIFIER} for one credential, {"all": [...]} and
// {"any": [...]} for the combinations.
func (n Need) MarshalJSON() ([]byte, error) {
	switch n.Op {
	case Has:
		return json.Marshal(struct {
			Credential Credential `json:"credential"`
			Name       string     `json:"name"`
			Kind       string     `json:"kind"`
			For        string     `json:"for,omitempty"`
		}{n.Cred, n.Cred.String(), n.Cred.Info().Kind.String(), n.For})
	case AnyOf:
		return json.Marshal(struct {
			Any []Need `json:"any"`
		}{n.Parts})
	}
	parts := n.Parts
	if parts == nil {
		parts = []Need{}
	}
	return json.Marshal(struct {
		All []Need `json:"all"`
	}{parts})
}

// Holding is how far the evidence shows that an operator holds a
// credential, or meets a need. The order matters: AllOf takes the least of
// its parts, AnyOf the greatest.
type Holding uint8

const (
	// Lacks: the evidence shows the operator does not hold it (an exported
	// group they are not in).
	Lacks Holding = iota
	// Unknown: the evidence cannot tell (a right AD does not show and the
	// plan does not attest, or a group missing from the export).
	Unknown
	// Attested: the plan says the operator holds it; nothing voipsec reads
	// can confirm it.
	Attested
	// Holds: the export shows it.
	Holds
)

var holdingNames = [...]string{Lacks: "lacks", Unknown: "unknown", Attested: "attested", Holds: "holds"}

func (h Holding) String() string {
	if int(h) < len(holdingNames) {
		return holdingNames[h]
	}
	return "holding(?)"
}

// Eval judges the need with holding as the evidence for each credential,
// in three-valued (four, with attestations) logic: AllOf is the least of
// its parts, AnyOf the greatest. An empty AllOf holds.
func (n Need) Eval(holding func(Credential) Holding) Holding {
	switch n.Op {
	case Has:
		return holding(n.Cred)
	case AllOf:
		h := Holds
		for _, p := range n.Parts {
			h = min(h, p.Eval(holding))
		}
		return h
	case AnyOf:
		h := Lacks
		for _, p := range n.Parts {
			h = max(h, p.Eval(holding))
		}
		return h
	}
	return Lacks
}

// Short returns the parts of the need that decide its verdict under
// holding when the verdict is not Holds: for AllOf, the parts that are as
// weak as the whole (what is lacking, or unknown, or only attested); for
// AnyOf, what the one best alternative lacks, or the whole choice when
// several alternatives are equally short. It explains a verdict ("lacks
// Domain Admins").
func (n Need) Short(holding func(Credential) Holding) []Shortfall {
	got := n.Eval(holding)
	if got == Holds {
		return nil
	}
	switch n.Op {
	case AllOf:
		var out []Shortfall
		for _, p := range n.Parts {
			if p.Eval(holding) == got {
				out = append(out, p.Short(holding)...)
			}
		}
		return out
	case AnyOf:
		// Only one alternative left short: name what that one lacks.
		var open []Need
		for _, p := range n.Parts {
			if p.Eval(holding) == got {
				open = append(open, p)
			}
		}
		if len(open) == 1 {
			return open[0].Short(holding)
		}
	}
	return []Shortfall{{Need: n, Holding: got}}
}

// Shortfall is a part of a need the evidence does not show as held.
type Shortfall struct {
	Need    Need
	Holding Holding
}
