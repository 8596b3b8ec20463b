// Package beneath owns reading a folder tree with as few system calls as
// the system allows, confined to the tree: on Linux a folder is listed
// with three calls (openat2, getdents64 until it returns nothing, close),
// entry types taken from the listing, and a file is opened, checked and
// read with four (openat2, fstat, read, close), where os.Root opens every
// folder on a file's way, offers each file to the runtime's poller and
// stats every entry it lists. A package of tens of thousands of small
// files (photos, documents) otherwise costs more in system calls than in
// hashing.
//
// Every path is resolved from the top folder with RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS: no path leads outside the tree and no symbolic link
// is followed. Callers use it where it is quicker and do whatever fails
// again through their os.Root, so every error they report is the Root's;
// elsewhere Open returns nil.
//
// It is a leaf: it imports only the standard library, golang.org/x/sys and
// internal/barefd (itself a leaf).
package beneath

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// ErrNotRegular is returned for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

var eof = io.EOF

// Entry is one entry of a folder's listing.
type Entry struct {
	Name string
	Type fs.FileMode // fs.FileMode.Type bits
	Info Info        // a regular file's, when List read it
}

// Info is what lstat says of a regular file: its size (-1 when not read)
// and modification time.
type Info struct {
	Size            int64
	ModSec, ModNsec int64
}

// ModTime is the modification time.
func (i Info) ModTime() time.Time { return time.Unix(i.ModSec, i.ModNsec) }
