package inspect

// prefetch asks the CPU to bring the four cache lines from p into the
// cache without waiting for them (PREFETCHT0): a plain load of data ahead
// would hold up the instructions behind it until memory answers.
//
//go:noescape
func prefetch(p *byte)
