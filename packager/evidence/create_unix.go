//go:build unix

package evidence

import (
	"os"
	"syscall"

	"github.com/casepack/casepack/internal/barefd"
)

// createNew creates the file name, which must not exist, for writing
// (and reading, when readBack is set). os.OpenFile would also try to
// register a regular file with the runtime's poller, which refuses it:
// four more system calls for every copy (three fcntl and an epoll_ctl), a
// tenth of a small file's share. A descriptor handed to os.NewFile in
// blocking mode is never registered.
func createNew(name string, mode os.FileMode, readBack bool) (*os.File, error) {
	fd, err := openNew(name, mode, readBack)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// openNew creates the file name, which must not exist, for writing (and
// reading, when readBack is set: the copy is read back through it), and
// returns its bare descriptor.
func openNew(name string, mode os.FileMode, readBack bool) (int, error) {
	access := syscall.O_WRONLY
	if readBack {
		access = syscall.O_RDWR
	}
	fd, err := barefd.IgnoringEINTR2(func() (int, error) {
		return syscall.Open(name, access|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, uint32(mode.Perm()))
	})
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, nil
}
