package verify

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/internal/treefs"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
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
	folder   *folderFS // a package folder on this system, read with internal/beneath where the system allows it (folderwalk.go)
	closer   io.Closer
	findings []finding.Finding // problems found while opening (ZIP entries refused)
}

// ErrNotPackage is returned by Open for something that is neither a folder
// nor a ZIP file.
var ErrNotPackage = errors.New("not a package folder or .zip")

// ErrDamagedZip is returned by Open for a file that starts as a ZIP but
// whose table of contents (at its end) is missing or unreadable: most often
// a copy or download cut short.
var ErrDamagedZip = errors.New("a damaged or incomplete ZIP")

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
		// Files are opened without blocking and only regular ones are
		// read: a FIFO listed in a manifest is a finding, not a hang.
		ffs := newFolderFS(root)
		return &Package{path: p, kind: "folder", name: filepath.Base(filepath.Clean(p)), fsys: ffs, closer: ffs, folder: ffs}, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", p, ErrNotPackage)
	}
	f, err := source.Open(p)
	if errors.Is(err, source.ErrNotRegular) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotPackage)
	}
	if err != nil {
		return nil, fault.IO(p, err)
	}
	pkg, err := openZip(f, f.Info().Size(), p)
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
	if errors.Is(err, zip.ErrFormat) {
		// A ZIP's table of contents is at its end: a copy cut short
		// starts like a ZIP and has none.
		head := make([]byte, 4)
		if _, rerr := r.ReadAt(head, 0); rerr == nil && string(head) == "PK\x03\x04" {
			return nil, fmt.Errorf("%s: %w", name, ErrDamagedZip)
		}
	}
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

	entriesByPath := map[string]*zip.File{}
	zfs := treefs.New(func(name string) (io.ReadCloser, error) { return entriesByPath[name].Open() })
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
			if zfs.IsFile(rel) {
				unsafe(e.f.Name, "entry is both a file and a folder")
				continue
			}
			zfs.AddDir(rel)
			continue
		}
		if zfs.IsDir(rel) || zfs.HasFileAncestor(rel) {
			unsafe(e.f.Name, "entry is both a file and a folder")
			continue
		}
		entriesByPath[rel] = e.f
		zfs.AddFile(rel, int64(e.f.UncompressedSize64), e.f.Modified)
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
