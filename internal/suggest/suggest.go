// Package suggest finds the accepted word closest to a mistyped one, for
// "did you mean" hints in the CLI and the plan loader.
package suggest

import "strings"

// maxLen bounds the inputs compared: a hint is for a word, not a document.
const maxLen = 64

// Distance is the Levenshtein edit distance between a and b; inputs longer
// than 64 bytes are "far" (a large number) rather than compared.
func Distance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to s (case-insensitively) within
// maxDist edits, or a candidate s is a prefix of, or of which s is a
// prefix; ok is false when nothing is close.
func Closest(s string, candidates []string, maxDist int) (best string, ok bool) {
	ls := strings.ToLower(s)
	bestD := maxDist + 1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(ls, lc)
		if ls != "" && (strings.HasPrefix(lc, ls) || strings.HasPrefix(ls, lc)) && d > 1 {
			d = 1 // "mat" for "matrix", "simulator" for "simulate"
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD <= maxDist
}
