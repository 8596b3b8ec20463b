// Package source opens the files casepack reads — case data, evidence, keys,
// certificates, trust files, templates, a package's files — so that no input
// can make a command hang or change under it unnoticed. A file is opened
// without blocking (O_NONBLOCK: a FIFO or a device does not wait for a
// writer) and anything but a regular file is refused before a byte is read;
// File.Unchanged tells whether the file changed while it was read. Reading
// leaves a file's access time as it was where the system allows (Linux's
// O_NOATIME, internal/barefd's KeepingAccessTime): packaging evidence does
// not change the evidence's own times.
//
// It is a leaf: it imports only the standard library and internal/barefd
// (itself a leaf).
package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrNotRegular matches a *NotRegularError.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is returned for a path that names a FIFO, a device, a
// socket or a folder where a file is read.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string { return e.Path + ": " + e.Reason() }

// Reason is the error without the path, for a caller that names the file
// its own way.
func (e *NotRegularError) Reason() string {
	return fmt.Sprintf("is %s, not a regular file; casepack reads only files", kind(e.Mode))
}

// Is makes errors.Is(err, ErrNotRegular) hold.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a file"
}

// ErrChanged matches a *ChangedError.
var ErrChanged = errors.New("changed while it was read")

// ChangedError is returned by Unchanged for a file that changed while it
// was read: what was read may match neither its old nor its new content.
type ChangedError struct {
	Path string
	What string // "its size", "its modification time", "it was replaced"…
}

func (e *ChangedError) Error() string { return e.Path + ": " + e.Reason() }

// Reason is the error without the path (see NotRegularError.Reason).
func (e *ChangedError) Reason() string {
	return fmt.Sprintf("changed while casepack was reading it (%s); what was read cannot be trusted", e.What)
}

// Is makes errors.Is(err, ErrChanged) hold.
func (e *ChangedError) Is(target error) bool { return target == ErrChanged }

// File is an input file opened by Open.
type File struct {
	*os.File
	path  string
	first fs.FileInfo // fstat right after opening
}

// Open opens the regular file at path for reading without ever blocking;
// anything else is a *NotRegularError (closed again before any read).
func Open(path string) (*File, error) {
	f, err := openRead(func(noatime int) (*os.File, error) { return os.OpenFile(path, os.O_RDONLY|nonblock|noatime, 0) })
	if err != nil {
		return nil, err
	}
	return check(f, path)
}

// OpenIn is Open for name inside root (confined to it).
func OpenIn(root *os.Root, name, path string) (*File, error) {
	f, err := openRead(func(noatime int) (*os.File, error) { return root.OpenFile(name, os.O_RDONLY|nonblock|noatime, 0) })
	if err != nil {
		return nil, err
	}
	return check(f, path)
}

func check(f *os.File, path string) (*File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return &File{File: f, path: path, first: fi}, nil
}

// Info is what the file was when it was opened.
func (f *File) Info() fs.FileInfo { return f.first }

// Unchanged reports (as a *ChangedError) whether the file changed since it
// was opened: its size, modification or status-change time, or, for the
// path, which file it names (replaced by another). The path is looked at
// first, as FD.Unchanged does (which looks at nothing else): a file
// replaced is said to be, though putting another in its place changes the
// status-change time of the one read too.
func (f *File) Unchanged() error {
	if cur, err := os.Stat(f.path); err != nil || !os.SameFile(cur, f.first) {
		return &ChangedError{Path: f.path, What: replaced}
	}
	now, err := f.Stat()
	if err != nil {
		return err
	}
	return compare(f.path, f.first.Size(), now.Size(), f.first.ModTime(), now.ModTime(), sameCtime(now, f.first))
}

// compare says how a file at path changed between two looks at it (its
// size, modification time, and whether its status-change time is the
// same): what Unchanged reports, whichever way the file was opened.
func compare(path string, size0, size1 int64, mtime0, mtime1 time.Time, sameCtime bool) error {
	changed := func(what string) error { return &ChangedError{Path: path, What: what} }
	switch {
	case size1 != size0:
		return changed(fmt.Sprintf("its size went from %d to %d bytes", size0, size1))
	case !mtime1.Equal(mtime0):
		return changed("its modification time moved from " + mtime0.Format(time.RFC3339Nano) + " to " + mtime1.Format(time.RFC3339Nano))
	case !sameCtime:
		return changed("it was written to or its attributes changed")
	}
	return nil
}

// replaced is what Unchanged says of a path that names another file now.
const replaced = "another file was put in its place"

// ReadFile reads the regular file at path, at most limit bytes (a longer
// file is an error: casepack reads whole only small files).
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, limit)
}

func readAll(r io.Reader, path string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB, too large for what it should be", path, limit>>20)
	}
	return b, nil
}

// FS is an fs.FS over a folder whose Open never blocks and opens only
// folders and regular files, like Open. The folder is confined with
// os.Root: no name leads outside it.
type FS struct {
	root *os.Root
}

// DirFS returns the FS of the folder dir.
func DirFS(dir string) (*FS, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &FS{root: r}, nil
}

// RootFS returns the FS of an open root (Close closes it).
func RootFS(root *os.Root) *FS { return &FS{root: root} }

// Close releases the folder.
func (s *FS) Close() error { return s.root.Close() }

// Open implements fs.FS.
func (s *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := openRead(func(noatime int) (*os.File, error) { return s.root.OpenFile(name, os.O_RDONLY|nonblock|noatime, 0) })
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		f.Close()
		// Not wrapped in a *fs.PathError: the error names the file in full.
		return nil, &NotRegularError{Path: filepath.Join(s.root.Name(), filepath.FromSlash(name)), Mode: fi.Mode()}
	}
	return f, nil
}

// ReadFile implements fs.ReadFileFS through Open.
func (s *FS) ReadFile(name string) ([]byte, error) {
	f, err := s.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// ReadDir implements fs.ReadDirFS (listing a folder cannot block).
func (s *FS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(s.root.FS(), name) }

// Stat implements fs.StatFS (stat cannot block).
func (s *FS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(s.root.FS(), name) }
