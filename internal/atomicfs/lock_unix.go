//go:build unix

package atomicfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

// tryLock takes an exclusive lock on f without waiting; errBusy when
// another process holds it. The system releases it when the process ends,
// however it ends, so a killed command never leaves a stale lock.
func tryLock(f *os.File) error {
	fd := int(f.Fd())
	err := barefd.IgnoringEINTR(func() error {
		if err := injected("flock"); err != nil {
			return err
		}
		return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	})
	if errors.Is(err, unix.EWOULDBLOCK) {
		return errBusy
	}
	return err
}

// lockFileRemovable: the lock file can be removed while held, and a
// process that locked a removed file notices (lockedFileCurrent), so no
// lock file is left behind.
const lockFileRemovable = true
