//go:build !unix

package annex

// cpuTime is not measured here: the benchmarks report zero.
func cpuTime() (user, sys float64) { return 0, 0 }
