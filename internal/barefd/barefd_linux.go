package barefd

import (
	"errors"
	"io"
	"io/fs"
	"syscall"
)

// File is a file opened by Open. It is a value so that a caller can keep
// it inside its own struct without another allocation a file; an open
// File must not be copied. It is not safe for concurrent use.
type File struct {
	fd   int
	name string
}

// Open opens name to read it: read-only, close-on-exec, and without
// blocking (O_NONBLOCK: a FIFO or a device put in a file's place does not
// wait for a writer). The caller checks what kind of file it is.
//
// Reading it leaves its access time as it was, where the system allows
// (KeepingAccessTime).
func Open(name string) (File, error) {
	return KeepingAccessTime(func(noatime int) (File, error) {
		fd, err := IgnoringEINTR2(func() (int, error) {
			return syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|noatime, 0)
		})
		if err != nil {
			return File{fd: -1, name: name}, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return File{fd: fd, name: name}, nil
	})
}

// KeepingAccessTime opens a file to read so that reading it leaves its
// access time as it was: open is called with noatime = O_NOATIME, and,
// when the system refuses that (EPERM), once more with noatime = 0. Under
// relatime, most systems' default, the first read of a file in a day, or
// since it last changed, dates its access anew: a build of 20,000 photos
// acquired before today rewrote 20,000 of the case's inodes — the
// evidence's own times changed by packaging it, and inodes for the
// journal to commit and the build's syncfs (internal/atomicfs) to write
// back with the package. The system allows O_NOATIME only to a file's
// owner (or root), so a refusal says something of that one file alone:
// the next file is asked for again (a case folder may hold colleagues'
// files beside the user's own; a long-running casepack serve builds
// many cases). A refused open costs one failed system call.
//
// It is the one policy for opening evidence and case files to read:
// File's Open and internal/source's Open use it.
func KeepingAccessTime[T any](open func(noatime int) (T, error)) (T, error) {
	f, err := open(syscall.O_NOATIME)
	if errors.Is(err, syscall.EPERM) {
		return open(0)
	}
	return f, err
}

// Fd is the descriptor, for a caller's own fstat; -1 once closed.
func (f *File) Fd() int { return f.fd }

// Name is the name the file was opened by.
func (f *File) Name() string { return f.name }

// Read reads into p with one read(2); it returns io.EOF at the end.
func (f *File) Read(p []byte) (int, error) { return read(f.fd, f.name, p, -1) }

// ReadAt reads len(p) bytes at off of the file name, open through fd,
// with pread(2), as io.ReaderAt does (io.EOF when the file ends before):
// a caller that created and wrote the file through a descriptor it still
// holds, open to read and write, reads it back as the file system holds
// it without opening it again or looking its path up, and without moving
// the descriptor's own offset (packager/evidence's small copies).
func ReadAt(fd int, name string, p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		n, err := read(fd, name, p[done:], off+int64(done))
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// read reads into p from fd (open on name): at off with pread(2), or,
// when off is negative, where the descriptor stands with read(2). A
// signal's interruption is retried; the end of the file is io.EOF.
func read(fd int, name string, p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := IgnoringEINTR2(func() (int, error) {
		if off < 0 {
			return syscall.Read(fd, p)
		}
		return syscall.Pread(fd, p, off)
	})
	switch {
	case err != nil:
		return 0, &fs.PathError{Op: "read", Path: name, Err: err}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Close closes the descriptor; closing a closed File does nothing.
func (f *File) Close() error {
	if f.fd < 0 {
		return nil
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// ModeType is the kind of file the stat mode m names, as os.Lstat reads
// it: 0 for a regular file, fs.ModeIrregular for a kind fs.FileMode has
// no bit for.
func ModeType(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}
