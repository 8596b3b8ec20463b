//go:build unix

package annex

import "syscall"

// cpuTime is the process's CPU time so far, user and system, in
// microseconds: a benchmark's work on a machine shared with other
// people's load, which its wall time is not.
func cpuTime() (user, sys float64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	us := func(tv syscall.Timeval) float64 { return float64(tv.Sec)*1e6 + float64(tv.Usec) }
	return us(ru.Utime), us(ru.Stime)
}
