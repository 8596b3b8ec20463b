package verify

import (
	"archive/zip"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/bag"
)

// MaxEntrySize is the largest uncompressed size a ZIP entry may declare.
// Nothing in an evidence package is a petabyte; a header that says so is a
// lie meant to exhaust whoever believes it.
const MaxEntrySize = 1 << 40

// maxDeflateRatio bounds how many bytes deflate can produce per compressed
// byte (the format's own limit is about 1032:1), with slack for headers.
const maxDeflateRatio = 1100

// Package is an opened package: a folder or a ZIP read in place.
type Package struct {
	path     string
	kind     string // "folder" or "zip"
	name     string // the package's top folder name
	fsys     fs.FS
	closer   io.Closer
	findings []finding.Finding // problems found while opening (ZIP entries refused)
}

// ErrNotPackage is returned by Open for something that is neither a folder
// nor a ZIP file.
var ErrNotPackage = errors.New("not a package folder or .zip")

// Open opens a package folder or a .zip file for reading. A folder is
// confined with os.Root, so no path in it can lead outside. A ZIP is read in
// place: its entries are vetted (see MaxEntrySize and the CP-ZIP-UNSAFE
// finding) and exposed through FS without extracting anything; refused
// entries are left out of FS and reported by Verify.
func Open(p string) (*Package, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fault.IO(p, err)
	}
	if fi.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, fault.IO(p, err)
		}
		return &Package{path: p, kind: "folder", name: filepath.Base(filepath.Clean(p)), fsys: root.FS(), closer: root}, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", p, ErrNotPackage)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fault.IO(p, err)
	}
	pkg, err := openZip(f, fi.Size(), p)
	if err != nil {
		f.Close()
		return nil, err
	}
	pkg.closer = f
	return pkg, nil
}

// FS returns the package's files, rooted at its top folder.
func (p *Package) FS() fs.FS { return p.fsys }

// Path returns the path the package was opened from.
func (p *Package) Path() string { return p.path }

// Name returns the package's folder name (the ZIP's top folder).
func (p *Package) Name() string { return p.name }

// IsZip reports whether the package is a ZIP file.
func (p *Package) IsZip() bool { return p.kind == "zip" }

// Close releases the folder or ZIP file.
func (p *Package) Close() error {
	if p.closer == nil {
		return nil
	}
	return p.closer.Close()
}

func openZip(r io.ReaderAt, size int64, name string) (*Package, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// ErrInsecurePath still returns a usable reader: such names are
		// vetted below and reported, which says more than refusing all.
		return nil, fmt.Errorf("%s: %w: %s", name, ErrNotPackage, fault.Describe(err))
	}
	pkg := &Package{path: name, kind: "zip"}
	unsafe := func(entry, msg string) {
		pkg.findings = append(pkg.findings, finding.Finding{Code: finding.ZipUnsafe, Severity: finding.Error, Path: entry, Message: msg})
	}

	type entry struct {
		f     *zip.File
		clean string
		dir   bool
		top   string
	}
	var entries []entry
	for _, f := range zr.File {
		clean := strings.TrimSuffix(f.Name, "/")
		if err := bag.CheckPath(clean); err != nil {
			unsafe(f.Name, "entry name refused: "+pathReason(err))
			continue
		}
		mode := f.Mode()
		dir := strings.HasSuffix(f.Name, "/") || mode.IsDir()
		switch {
		case mode&fs.ModeSymlink != 0:
			unsafe(f.Name, "entry is a symbolic link; links are not followed")
			continue
		case !dir && !mode.IsRegular():
			unsafe(f.Name, fmt.Sprintf("entry is not a regular file (%v)", mode.Type()))
			continue
		case dir && (f.UncompressedSize64 != 0 || !strings.HasSuffix(f.Name, "/")):
			unsafe(f.Name, "entry is marked as a folder but is not an empty entry ending in /")
			continue
		}
		if msg := sizeLie(f); msg != "" {
			unsafe(f.Name, msg)
			continue
		}
		top, _, _ := strings.Cut(clean, "/")
		entries = append(entries, entry{f: f, clean: clean, dir: dir, top: top})
	}
	if len(entries) == 0 && len(pkg.findings) == 0 {
		return nil, fmt.Errorf("%s: %w: the ZIP has no entries", name, ErrNotPackage)
	}

	// The top folder is the one holding bagit.txt; if that is not unique,
	// the first entry's. Everything else is outside the package.
	var tops []string
	for _, e := range entries {
		if !e.dir && e.clean == e.top+"/bagit.txt" && !slices.Contains(tops, e.top) {
			tops = append(tops, e.top)
		}
	}
	switch {
	case len(tops) == 1:
		pkg.name = tops[0]
	case len(entries) > 0:
		pkg.name = entries[0].top
	}

	zfs := &zipFS{files: map[string]*zip.File{}, dirs: map[string]map[string]bool{".": {}}}
	seen := map[string]string{} // collision key -> first entry
	for _, e := range entries {
		if e.top != pkg.name {
			unsafe(e.f.Name, fmt.Sprintf("entry is outside the package's top folder %q (a package ZIP has exactly one top folder)", pkg.name))
			continue
		}
		if e.clean == pkg.name {
			if !e.dir {
				unsafe(e.f.Name, "top-level entry is a file, not the package folder")
			}
			continue
		}
		rel := strings.TrimPrefix(e.clean, pkg.name+"/")
		key := bag.CollisionKey(rel)
		if first, dup := seen[key]; dup {
			if first == e.f.Name {
				unsafe(e.f.Name, "duplicate entry: the ZIP holds two entries with this name")
			} else {
				unsafe(e.f.Name, fmt.Sprintf("entry collides with %q on case-insensitive or normalising filesystems", first))
			}
			continue
		}
		seen[key] = e.f.Name
		if e.dir {
			if _, isFile := zfs.files[rel]; isFile {
				unsafe(e.f.Name, "entry is both a file and a folder")
				continue
			}
			zfs.addDir(rel)
			continue
		}
		if zfs.isDir(rel) || zfs.hasFileAncestor(rel) {
			unsafe(e.f.Name, "entry is both a file and a folder")
			continue
		}
		zfs.files[rel] = e.f
		zfs.addDir(path.Dir(rel))
		zfs.dirs[path.Dir(rel)][path.Base(rel)] = true
	}
	// Findings name paths inside the package relative to its top folder,
	// like every other finding; entries outside it keep their stored name.
	for i := range pkg.findings {
		if rel, ok := strings.CutPrefix(pkg.findings[i].Path, pkg.name+"/"); ok && rel != "" {
			pkg.findings[i].Path = rel
		}
	}
	pkg.fsys = zfs
	return pkg, nil
}

// sizeLie explains why an entry's declared sizes cannot be true, or "".
func sizeLie(f *zip.File) string {
	u, c := f.UncompressedSize64, f.CompressedSize64
	switch {
	case u > MaxEntrySize:
		return fmt.Sprintf("entry declares %d bytes, more than the %d bytes casepack accepts", u, uint64(MaxEntrySize))
	case f.Method == zip.Store && u != c:
		return fmt.Sprintf("stored entry declares %d bytes but holds %d", u, c)
	case f.Method == zip.Deflate && u > c*maxDeflateRatio+1024:
		return fmt.Sprintf("entry declares %d bytes from %d compressed bytes, more than deflate can produce", u, c)
	case f.Method != zip.Store && f.Method != zip.Deflate:
		return fmt.Sprintf("entry uses compression method %d; only stored and deflated entries are read", f.Method)
	}
	return ""
}

func pathReason(err error) string {
	var pe *bag.PathError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return err.Error()
}

// zipFS is a read-only fs.FS over the vetted entries of a ZIP, relative to
// its top folder. Folders missing from the ZIP are implied by file paths.
type zipFS struct {
	files map[string]*zip.File
	dirs  map[string]map[string]bool // folder -> child names
}

func (z *zipFS) isDir(p string) bool { _, ok := z.dirs[p]; return ok }

func (z *zipFS) hasFileAncestor(p string) bool {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if _, ok := z.files[d]; ok {
			return true
		}
	}
	return false
}

func (z *zipFS) addDir(p string) {
	for p != "." {
		if _, ok := z.dirs[p]; ok {
			return
		}
		z.dirs[p] = map[string]bool{}
		parent := path.Dir(p)
		if _, ok := z.dirs[parent]; !ok {
			z.addDir(parent)
		}
		z.dirs[parent][path.Base(p)] = true
		p = parent
	}
}

func (z *zipFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f, ok := z.files[name]; ok {
		rc, err := f.Open()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &zipFile{ReadCloser: rc, info: zipInfo{name: path.Base(name), size: int64(f.UncompressedSize64), mod: f.Modified}}, nil
	}
	if _, ok := z.dirs[name]; ok {
		var es []fs.DirEntry
		for child := range z.dirs[name] {
			full := path.Join(name, child)
			if f, ok := z.files[full]; ok {
				es = append(es, fs.FileInfoToDirEntry(zipInfo{name: child, size: int64(f.UncompressedSize64), mod: f.Modified}))
			} else {
				es = append(es, fs.FileInfoToDirEntry(zipInfo{name: child, dir: true}))
			}
		}
		slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		return &zipDir{info: zipInfo{name: path.Base(name), dir: true}, entries: es}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type zipInfo struct {
	name string
	size int64
	dir  bool
	mod  time.Time
}

func (i zipInfo) Name() string       { return i.name }
func (i zipInfo) Size() int64        { return i.size }
func (i zipInfo) ModTime() time.Time { return i.mod }
func (i zipInfo) IsDir() bool        { return i.dir }
func (i zipInfo) Sys() any           { return nil }
func (i zipInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

type zipFile struct {
	io.ReadCloser
	info zipInfo
}

func (f *zipFile) Stat() (fs.FileInfo, error) { return f.info, nil }

type zipDir struct {
	info    zipInfo
	entries []fs.DirEntry
	off     int
}

func (d *zipDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *zipDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *zipDir) Close() error { return nil }
func (d *zipDir) ReadDir(n int) ([]fs.DirEntry, error) {
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
