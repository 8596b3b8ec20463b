// Package treefs owns one read-only fs.FS built from a list of files: each
// file has a slash-separated path, a size and a time, its folders are
// implied by the paths, and its bytes come from a function when it is
// opened. It is how a package that is not a folder on disk is walked and
// read like one: a ZIP's vetted entries (packager/verify), an archive's
// stored objects (packager/archive).
package treefs

import (
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// FS is the tree. Add files and folders first, then read; it is not safe
// to add while reading.
type FS struct {
	open  func(name string) (io.ReadCloser, error)
	files map[string]file
	dirs  map[string]map[string]bool // folder -> child names
}

type file struct {
	size int64
	mod  time.Time
}

// New returns an empty tree whose files open through open (called with the
// file's path in the tree).
func New(open func(name string) (io.ReadCloser, error)) *FS {
	return &FS{open: open, files: map[string]file{}, dirs: map[string]map[string]bool{".": {}}}
}

// AddFile adds the file p (a valid fs path the caller has vetted) and its
// folders.
func (t *FS) AddFile(p string, size int64, mod time.Time) {
	t.files[p] = file{size: size, mod: mod}
	t.AddDir(path.Dir(p))
	t.dirs[path.Dir(p)][path.Base(p)] = true
}

// AddDir adds the folder p and its parents.
func (t *FS) AddDir(p string) {
	for p != "." {
		if _, ok := t.dirs[p]; ok {
			return
		}
		t.dirs[p] = map[string]bool{}
		parent := path.Dir(p)
		t.AddDir(parent)
		t.dirs[parent][path.Base(p)] = true
		p = parent
	}
}

// IsDir reports whether p is a folder of the tree.
func (t *FS) IsDir(p string) bool { _, ok := t.dirs[p]; return ok }

// IsFile reports whether p is a file of the tree.
func (t *FS) IsFile(p string) bool { _, ok := t.files[p]; return ok }

// HasFileAncestor reports whether a folder on p's path is a file already.
func (t *FS) HasFileAncestor(p string) bool {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if _, ok := t.files[d]; ok {
			return true
		}
	}
	return false
}

// Size returns the size of file p (false when p is not a file).
func (t *FS) Size(p string) (int64, bool) {
	f, ok := t.files[p]
	return f.size, ok
}

// Open opens a file (its bytes stream from the open function) or a folder.
func (t *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f, ok := t.files[name]; ok {
		rc, err := t.open(name)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &openFile{ReadCloser: rc, info: info{name: path.Base(name), size: f.size, mod: f.mod}}, nil
	}
	children, ok := t.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	var es []fs.DirEntry
	for child := range children {
		full := path.Join(name, child)
		if f, ok := t.files[full]; ok {
			es = append(es, fs.FileInfoToDirEntry(info{name: child, size: f.size, mod: f.mod}))
		} else {
			es = append(es, fs.FileInfoToDirEntry(info{name: child, dir: true}))
		}
	}
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return &openDir{info: info{name: path.Base(name), dir: true}, entries: es}, nil
}

type info struct {
	name string
	size int64
	dir  bool
	mod  time.Time
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.size }
func (i info) ModTime() time.Time { return i.mod }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }
func (i info) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

type openFile struct {
	io.ReadCloser
	info info
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }

type openDir struct {
	info    info
	entries []fs.DirEntry
	off     int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *openDir) Close() error { return nil }
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}
