package source

import (
	"io"
	"io/fs"
	"syscall"
	"time"
)

// FD is a regular file opened by OpenFD: a bare descriptor, never an
// *os.File. os.OpenFile offers every file it opens to the runtime's poller,
// which refuses a regular file: one more system call for every file,
// a tenth of what reading a small photo costs, where a build reads tens of
// thousands of them. FD reads with plain read(2); it is not safe for
// concurrent use.
type FD struct {
	fd    int
	path  string
	first syscall.Stat_t // fstat right after opening
}

// OpenFD is Open for a caller that reads the file whole at once (a small
// evidence file): the same guarantees — it never blocks, anything but a
// regular file is a *NotRegularError, Unchanged tells whether the file
// changed — through a bare descriptor.
func OpenFD(path string) (*FD, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|nonblock, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := &FD{fd: fd, path: path}
	if err := syscall.Fstat(fd, &f.first); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if f.first.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, &NotRegularError{Path: path, Mode: fileMode(f.first.Mode)}
	}
	return f, nil
}

// Size is the file's size when it was opened.
func (f *FD) Size() int64 { return f.first.Size }

// Read reads from the file; it returns io.EOF at the end.
func (f *FD) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.path, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Unchanged is File.Unchanged: whether the file changed since it was
// opened (its size, modification or status-change time) or the path now
// names another file.
func (f *FD) Unchanged() error {
	var now syscall.Stat_t
	if err := syscall.Fstat(f.fd, &now); err != nil {
		return &fs.PathError{Op: "stat", Path: f.path, Err: err}
	}
	if err := compare(f.path, f.first.Size, now.Size, mtime(&f.first), mtime(&now), now.Ctim == f.first.Ctim); err != nil {
		return err
	}
	var cur syscall.Stat_t
	if err := syscall.Stat(f.path, &cur); err != nil || cur.Dev != f.first.Dev || cur.Ino != f.first.Ino {
		return &ChangedError{Path: f.path, What: replaced}
	}
	return nil
}

// Close releases the descriptor.
func (f *FD) Close() error {
	if f.fd < 0 {
		return nil
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.path, Err: err}
	}
	return nil
}

// fileMode is the kind of file a stat mode names, as fs.FileMode says it.
func fileMode(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}

func mtime(st *syscall.Stat_t) time.Time { return time.Unix(st.Mtim.Sec, st.Mtim.Nsec) }
