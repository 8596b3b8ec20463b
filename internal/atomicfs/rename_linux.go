package atomicfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

type renameFlag uint

const (
	renameNoReplace renameFlag = unix.RENAME_NOREPLACE
	renameExchange  renameFlag = unix.RENAME_EXCHANGE
)

// renameat is renameat2(2) inside the folder dir. A kernel or file system
// without the flag answers EINVAL or ENOSYS: errors.ErrUnsupported, so the
// caller falls back.
func renameat(dir *os.File, from, to string, how renameFlag) error {
	fd := int(dir.Fd())
	err := barefd.IgnoringEINTR(func() error {
		if err := injected("renameat2"); err != nil {
			return err
		}
		return unix.Renameat2(fd, from, fd, to, uint(how))
	})
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return errors.ErrUnsupported
	}
	return err
}
