//go:build unix

package atomicfs

// The system calls atomicfs makes itself (renameat2, flock, futimens,
// syncfs, fstatfs, fstat), not through the os package, are made again
// when a signal interrupts them, as os makes its own: each through
// barefd.IgnoringEINTR, with the fault below checked inside.

// sysFault, in tests, makes the system call named call fail as the system
// would, before it is made: with EINTR, as a signal interrupts it, or with
// any other error.
var sysFault func(call string) error

func injected(call string) error {
	if sysFault == nil {
		return nil
	}
	return sysFault(call)
}
