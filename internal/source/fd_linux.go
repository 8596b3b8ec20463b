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
	if err := fstat(f.Fd(), &f.first); err != nil {
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
// names another file. It takes one stat, of the path, where File's takes
// two (the descriptor's, then the path's): while f is open its inode
// cannot be freed, so no other file can have its device and inode
// numbers; a path that still names them names f's inode, and its stat is
// the one an fstat of f would give. Any other answer (another file, none,
// an error) is a path that no longer names what was read. One system call
// less for each small evidence file (packager/evidence's copySmall), the
// most a build makes.
func (f *FD) Unchanged() error {
	var now syscall.Stat_t
	if err := stat(f.Name(), &now); err != nil || now.Dev != f.first.Dev || now.Ino != f.first.Ino {
		return &ChangedError{Path: f.Name(), What: replaced}
	}
	return compare(f.Name(), f.first.Size, now.Size, mtime(&f.first), mtime(&now), now.Ctim == f.first.Ctim)
}

// fstat and stat are the system's, made again when a signal interrupts
// them (barefd.IgnoringEINTR): an interrupted stat in Unchanged would
// refuse an untouched evidence file as changed while it was read, and an
// interrupted fstat in OpenFD would refuse to open it.
func fstat(fd int, st *syscall.Stat_t) error {
	return barefd.IgnoringEINTR(func() error {
		if err := injected("fstat"); err != nil {
			return err
		}
		return syscall.Fstat(fd, st)
	})
}

func stat(name string, st *syscall.Stat_t) error {
	return barefd.IgnoringEINTR(func() error {
		if err := injected("stat"); err != nil {
			return err
		}
		return syscall.Stat(name, st)
	})
}

// statFault, in tests, makes the call ("fstat" or "stat") fail as the
// system would, before it is made: with EINTR, as a signal interrupts it,
// or with any other error.
var statFault func(call string) error

func injected(call string) error {
	if statFault == nil {
		return nil
	}
	return statFault(call)
}

// mtime uses Timespec.Unix, not its fields: they are 32 bits wide on
// 32-bit Linux (386, arm) and 64 on the rest.
func mtime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtim.Unix()) }
