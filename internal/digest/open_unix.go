//go:build unix

package digest

import (
	"os"
	"syscall"

	"github.com/casepack/casepack/internal/barefd"
)

// Open opens the file name, which the caller wrote itself, to be read and
// hashed. os.Open would first switch a regular file to non-blocking mode
// to offer it to the runtime's poller, which refuses it, and switch it
// back: four fcntl and an epoll_ctl for every file, as much as reading a
// small photo costs. Opened non-blocking from the start, it costs the one
// refused epoll_ctl; and should anything have put a FIFO in the file's
// place, reading it gives its bytes so far instead of waiting for a
// writer (the digest then tells the difference). Files of unknown kind
// are internal/source's.
func Open(name string) (*os.File, error) {
	fd, err := barefd.IgnoringEINTR2(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}
