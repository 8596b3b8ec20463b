package verify

import (
	"io"
	"io/fs"
	"path"
)

// OpenFS wraps a package folder that is already an fs.FS rooted at its top
// folder (an archive's stored copy). p names it in reports. The caller owns
// fsys and closes whatever backs it.
func OpenFS(fsys fs.FS, p string) *Package {
	return &Package{path: p, kind: "folder", name: path.Base(p), fsys: fsys}
}

// OpenZipAt opens a package ZIP from random-access bytes (an archive's
// stored object) with the same vetting as Open. p names it in reports; the
// caller closes r.
func OpenZipAt(r io.ReaderAt, size int64, p string) (*Package, error) {
	return openZip(r, size, p)
}
