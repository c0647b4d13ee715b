package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
)

// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the
// subset code-scanning tools read: one run, the tool's rules from the
// catalog, one result per finding with a physical location where the
// finding has one (a plan line).
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// SARIFBaseID is the uriBaseId of relative artifact locations: the
	// directory the command ran in, normally the repository root.
	SARIFBaseID = "SRCROOT"
	toolURI     = "https://github.com/voipsec/voipsec"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

// sarifInvocation is stated only for an interrupted run: it did not
// execute successfully (SARIF 2.1.0 §3.20.14), and a notification says
// where it stopped (§3.20.21).
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Kind       string          `json:"kind"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// sarifLevel maps a severity to a SARIF result kind and level: failures
// are errors, warnings warnings, info notes, passing checks results of
// kind "pass" (level "none") so consumers see every check that ran, and
// inconclusive checks kind "open" (level "none"): SARIF 2.1.0 §3.27.9, the
// tool could not determine whether the rule was satisfied.
func sarifLevel(s Severity) (kind, level string) {
	switch s {
	case Inconclusive:
		return "open", "none"
	case Fail:
		return "fail", "error"
	case Warn:
		return "fail", "warning"
	case Info:
		return "informational", "note"
	}
	return "pass", "none"
}

// sarifURI turns a finding's file into an artifact location: absolute
// paths become file:// URIs; relative ones stay relative to [SARIFBaseID].
func sarifURI(file string) sarifArtifact {
	slash := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		if !strings.HasPrefix(slash, "/") {
			slash = "/" + slash // C:/x → /C:/x
		}
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: slash}).String()}
	}
	slash = strings.TrimPrefix(slash, "./")
	return sarifArtifact{URI: (&url.URL{Path: slash}).String(), URIBaseID: SARIFBaseID}
}

// WriteSARIF writes r as a SARIF 2.1.0 log with one run. The rules are the
// catalog entries of the checks that appear; each finding is a result whose
// physical location is the finding's [Location] (a plan line) and whose
// logical location is its target. An interrupted run has an invocation
// that did not execute successfully, with a notification saying where it
// stopped.
func WriteSARIF(w io.Writer, r *Report) error {
	ids := map[string]bool{}
	for _, f := range r.Findings {
		ids[f.Check] = true
	}
	order := make([]string, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	sort.Strings(order)
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(order))
	for i, id := range order {
		index[id] = i
		c, ok := Lookup(id)
		if !ok {
			c = Check{ID: id, Title: id, Why: id, Fix: id, Severity: Fail}
		}
		_, level := sarifLevel(c.Severity)
		rule := sarifRule{
			ID:                   c.ID,
			Name:                 ruleName(c.ID),
			ShortDescription:     sarifText{Text: sentence(c.Title)},
			FullDescription:      sarifText{Text: c.Why},
			Help:                 sarifText{Text: c.Fix},
			DefaultConfiguration: sarifRuleConf{Level: level},
			Properties:           map[string]any{"area": c.Area},
		}
		if c.Ref != "" {
			rule.Properties["ref"] = c.Ref
		}
		rules = append(rules, rule)
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		kind, level := sarifLevel(f.Severity)
		msg := sentence(f.Summary)
		if f.Detail != "" {
			msg += " Evidence: " + sentence(f.Detail)
		}
		if f.Hint != "" {
			msg += " Hint: " + sentence(f.Hint)
		}
		res := sarifResult{
			RuleID:    f.Check,
			RuleIndex: index[f.Check],
			Kind:      kind,
			Level:     level,
			Message:   sarifText{Text: msg},
			Properties: map[string]any{
				"severity": f.Severity.String(),
				"target":   f.Target,
			},
		}
		if f.Ref != "" {
			res.Properties["ref"] = f.Ref
		}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Target, Kind: "resource"}}}
		if f.Location != nil && f.Location.File != "" {
			ph := &sarifPhysical{ArtifactLocation: sarifURI(f.Location.File)}
			if f.Location.Line > 0 {
				ph.Region = &sarifRegion{StartLine: f.Location.Line, StartColumn: f.Location.Column}
			}
			loc.PhysicalLocation = ph
		}
		res.Locations = []sarifLocation{loc}
		results = append(results, res)
	}
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "voipsec", Version: r.Version, InformationURI: toolURI, Rules: rules}},
		Results: results,
	}
	if r.Interrupted != "" {
		run.Invocations = []sarifInvocation{{ExecutionSuccessful: false, ToolExecutionNotifications: []sarifNotification{{
			Level:   "error",
			Message: sarifText{Text: interruptedText(r)},
		}}}}
	}
	doc := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// ruleName is the check ID in PascalCase ("GW-NO-TLS" → "GwNoTls"), the
// form SARIF rule names take.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	return b.String()
}

// sentence ends s with a full stop, as SARIF messages should.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}
