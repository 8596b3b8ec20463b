//go:build unix

package barefd

import "syscall"

// IgnoringEINTR makes the system call call and makes it again for as long
// as a signal interrupts it (EINTR), as Go's os package makes its own
// (its ignoringEINTR): the runtime signals its own threads (preemption),
// and on a network or FUSE file system a call can come back EINTR even
// though Go installs its handlers with SA_RESTART. A call made raw
// (syscall.Stat, unix.Fstat…) is not retried unless its caller asks, and
// an interrupted stat would tell a caller that an untouched evidence file
// changed. It is the one retry for every such call in casepack.
//
// Not for close(2): on Linux the descriptor is gone even when close
// returns EINTR, and closing it again could close another file's. A
// read or write that moved some bytes before the signal returns their
// count, not EINTR: the caller continues it, it does not start it again.
func IgnoringEINTR(call func() error) error {
	for {
		if err := call(); err != syscall.EINTR {
			return err
		}
	}
}

// IgnoringEINTR2 is IgnoringEINTR for a call that returns a value too (a
// descriptor, a count of bytes).
func IgnoringEINTR2[T any](call func() (T, error)) (T, error) {
	for {
		v, err := call()
		if err != syscall.EINTR {
			return v, err
		}
	}
}
