package access

import (
	"strings"
	"unicode"

	"github.com/voipsec/voipsec/internal/suggest"
)

// LookupTask finds a task by its short ID ("SE-5", "evpbx-1a") or by its
// name as [Task.Name] writes it, "Section / Procedure" or "Section /
// Procedure / Step", compared case-insensitively with any run of spaces
// (the source's no-break spaces included) equal to one space and spaces
// around "/" ignored. A procedure name alone is accepted when exactly one
// section has it. Otherwise the error is an [*UnknownTaskError] naming the
// closest tasks.
func LookupTask(name string) (*Task, error) {
	if t, ok := TaskByID(name); ok {
		return t, nil
	}
	n := normName(name)
	for _, t := range tasks {
		if normName(t.Name()) == n {
			return t, nil
		}
	}
	if !strings.Contains(n, "/") || sectionOf(n) == nil {
		var same []*Task
		for _, t := range tasks {
			if t.Step == "" && normName(t.Procedure) == n {
				same = append(same, t)
			}
		}
		switch len(same) {
		case 1:
			return same[0], nil
		case 0:
		default:
			return nil, &UnknownTaskError{Name: name, Closest: same, Ambiguous: true}
		}
	}
	pool := tasks
	if s := sectionOf(n); s != nil {
		pool = nil
		for _, t := range tasks {
			if t.Section == s {
				pool = append(pool, t)
			}
		}
	}
	names := make([]string, len(pool))
	byName := make(map[string]*Task, len(pool))
	for i, t := range pool {
		names[i] = t.Name()
		byName[names[i]] = t
	}
	e := &UnknownTaskError{Name: name}
	for _, c := range suggest.Nearest(name, names, 3) {
		e.Closest = append(e.Closest, byName[c])
	}
	return nil, e
}

// sectionOf returns the section a normalised "section/..." name starts
// with, or nil.
func sectionOf(n string) *Section {
	head, _, _ := strings.Cut(n, "/")
	for _, s := range table1 {
		if normName(s.Name) == head {
			return s
		}
	}
	return nil
}

// normName lower-cases s, turns every run of white space (no-break spaces
// included) into one space, and drops the spaces around "/".
func normName(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace)
	s = strings.Join(f, " ")
	parts := strings.Split(s, "/")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, "/")
}
