// Package failfs owns a file system for tests of readers: one that fails
// to open one file with a given system error, as a file without read
// permission or on a failing disk does (a test running as root cannot make
// a real file unreadable with chmod).
package failfs

import "io/fs"

// FS is fsys with every open of the file Name failing with Err.
type FS struct {
	fs.FS
	Name string
	Err  error
}

// Open opens name from the embedded FS, except Name.
func (f FS) Open(name string) (fs.File, error) {
	if name == f.Name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: f.Err}
	}
	return f.FS.Open(name)
}
