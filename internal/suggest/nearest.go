package suggest

import (
	"sort"
	"strings"
	"unicode"
)

// Nearest returns up to n candidates nearest to s, best first, for names
// too long for [Closest] (task names of a dozen words): it compares word by
// word, so each word of s counts by the edit distance to the nearest word
// of the candidate. Candidates that share too little with s, or are much
// farther than the best, are left out; the result may be empty.
func Nearest(s string, candidates []string, n int) []string {
	q := words(s)
	if len(q) == 0 || n <= 0 {
		return nil
	}
	type scored struct {
		c        string
		cost     float64 // 0: every word of s is in c; 1: none is near
		coverage float64 // how much of c the words of s account for
		i        int
	}
	var out []scored
	for i, c := range candidates {
		cw := words(c)
		if len(cw) == 0 {
			continue
		}
		var miss, total int
		used := 0
		for _, w := range q {
			best := len(w)
			for _, x := range cw {
				if d := Distance(w, x); d < best {
					best = d
				}
			}
			if best <= len(w)/3 {
				used++
			}
			miss += best
			total += len(w)
		}
		cost := float64(miss) / float64(total)
		if cost > 0.5 {
			continue
		}
		out = append(out, scored{c: c, cost: cost, coverage: float64(used) / float64(len(cw)), i: i})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].cost != out[j].cost {
			return out[i].cost < out[j].cost
		}
		return out[i].coverage > out[j].coverage
	})
	// Keep only the candidates about as near as the best: one clear
	// match is better alone than beside three vague ones.
	const margin = 0.15
	for i := range out {
		if out[i].cost > out[0].cost+margin {
			out = out[:i]
			break
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	res := make([]string, len(out))
	for i, o := range out {
		res[i] = o.c
	}
	return res
}

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
