package barefd

import (
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
func Open(name string) (File, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		switch err {
		case nil:
			return File{fd: fd, name: name}, nil
		case syscall.EINTR:
			continue
		}
		return File{fd: -1, name: name}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
}

// Fd is the descriptor, for a caller's own fstat; -1 once closed.
func (f *File) Fd() int { return f.fd }

// Name is the name the file was opened by.
func (f *File) Name() string { return f.name }

// Read reads into p with one read(2); it returns io.EOF at the end.
func (f *File) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
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
