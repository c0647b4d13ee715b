//go:build !amd64

package inspect

// prefetch is a hint on amd64 (prefetch_amd64.s) and nothing elsewhere.
func prefetch(*byte) {}
