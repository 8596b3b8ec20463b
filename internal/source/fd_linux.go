package source

import (
	"io/fs"
	"syscall"
	"time"

	"github.com/casepack/casepack/internal/barefd"
)

// FD is a regular file opened by OpenFD: a bare descriptor, never an
// *os.File (internal/barefd says why). It is not safe for concurrent use.
type FD struct {
	barefd.File                // Read and Close
	first       syscall.Stat_t // fstat right after opening
}

// OpenFD is Open for a caller that reads the file whole at once (a small
// evidence file): the same guarantees — it never blocks, anything but a
// regular file is a *NotRegularError, Unchanged tells whether the file
// changed — through a bare descriptor; and reading it leaves the file's
// access time as it was, where the system allows (barefd.Open): evidence
// packaged keeps its times.
func OpenFD(path string) (*FD, error) {
	file, err := barefd.Open(path)
	if err != nil {
		return nil, err
	}
	f := &FD{File: file}
	if err := syscall.Fstat(f.Fd(), &f.first); err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if f.first.Mode&syscall.S_IFMT != syscall.S_IFREG {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: barefd.ModeType(f.first.Mode)}
	}
	return f, nil
}

// Size is the file's size when it was opened.
func (f *FD) Size() int64 { return f.first.Size }

// Unchanged is File.Unchanged: whether the file changed since it was
// opened (its size, modification or status-change time) or the path now
// names another file.
func (f *FD) Unchanged() error {
	var now syscall.Stat_t
	if err := syscall.Fstat(f.Fd(), &now); err != nil {
		return &fs.PathError{Op: "stat", Path: f.Name(), Err: err}
	}
	if err := compare(f.Name(), f.first.Size, now.Size, mtime(&f.first), mtime(&now), now.Ctim == f.first.Ctim); err != nil {
		return err
	}
	var cur syscall.Stat_t
	if err := syscall.Stat(f.Name(), &cur); err != nil || cur.Dev != f.first.Dev || cur.Ino != f.first.Ino {
		return &ChangedError{Path: f.Name(), What: replaced}
	}
	return nil
}

// mtime uses Timespec.Unix, not its fields: they are 32 bits wide on
// 32-bit Linux (386, arm) and 64 on the rest.
func mtime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtim.Unix()) }
