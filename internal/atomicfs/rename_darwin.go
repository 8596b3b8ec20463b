package atomicfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

type renameFlag uint32

const (
	renameNoReplace renameFlag = unix.RENAME_EXCL
	renameExchange  renameFlag = unix.RENAME_SWAP
)

// renameat is renameatx_np(2) inside the folder dir; a file system without
// the flag answers ENOTSUP or EINVAL: errors.ErrUnsupported.
func renameat(dir *os.File, from, to string, how renameFlag) error {
	fd := int(dir.Fd())
	err := barefd.IgnoringEINTR(func() error {
		if err := injected("renameatx_np"); err != nil {
			return err
		}
		return unix.RenameatxNp(fd, from, fd, to, uint32(how))
	})
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENOSYS) {
		return errors.ErrUnsupported
	}
	return err
}
