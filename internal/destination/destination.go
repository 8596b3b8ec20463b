// Package destination decides where a casepack command may write: never
// inside the case folder it reads nor inside any other case folder (a
// folder holding a case file: its evidence is there), never inside a
// package (its manifests and signatures would stop matching), and never
// over an existing file or folder unless the user said --force. Every
// command that writes checks its output paths here before it reads or
// writes anything else; only the commands whose job is to change a case
// (evidence add) or a package (sign) write into one.
package destination

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/casepack/casepack/schema/caseform"
)

// Reasons a destination is refused; an *Error wraps one of them.
var (
	ErrInsideCase    = errors.New("destination: inside the case folder")
	ErrInsidePackage = errors.New("destination: inside a package")
	ErrExists        = errors.New("destination: already exists")
)

// PlaceHint is what to do about a destination inside a case folder or a
// package.
const PlaceHint = "write somewhere else, outside the case folder and outside any package"

// Error says why casepack will not write to Path.
type Error struct {
	Path   string
	Folder string // the case folder or package Path is inside
	Err    error  // ErrInsideCase, ErrInsidePackage or ErrExists
}

func (e *Error) Error() string {
	switch e.Err {
	case ErrInsideCase:
		return fmt.Sprintf("%s is inside the case folder %s: casepack never writes into a case folder", e.Path, e.Folder)
	case ErrInsidePackage:
		return fmt.Sprintf("%s is inside the package %s: a package is never changed in place (its manifests and signatures would no longer match)", e.Path, e.Folder)
	default:
		return fmt.Sprintf("%s already exists", e.Path)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Place refuses a destination inside caseDir (when caseDir is not ""),
// inside a package folder (a folder holding bagit.txt) or inside any case
// folder (a folder holding a case file), the destination itself included.
func Place(dst, caseDir string) error {
	if caseDir != "" && Inside(dst, caseDir) {
		return &Error{Path: dst, Folder: caseDir, Err: ErrInsideCase}
	}
	// A package first: it holds the case data too (data/case/case.json).
	if pkg := PackageOf(dst); pkg != "" {
		return &Error{Path: dst, Folder: pkg, Err: ErrInsidePackage}
	}
	if c := CaseOf(dst); c != "" {
		return &Error{Path: dst, Folder: c, Err: ErrInsideCase}
	}
	return nil
}

// PlaceCaseFile is Place for a case file being written (convert -o): it
// may go at the top of a case folder, where a case file belongs (a case
// converted into its own folder), and nowhere else inside one (over an
// evidence file that happens to be JSON, say), nor inside a package.
func PlaceCaseFile(dst string) error {
	if pkg := PackageOf(dst); pkg != "" {
		return &Error{Path: dst, Folder: pkg, Err: ErrInsidePackage}
	}
	dir := filepath.Dir(dst)
	if !isCaseFileName(filepath.Base(dst)) || !isCaseFolder(resolve(dir)) {
		return Place(dst, "")
	}
	// The folder is a case folder; it must not sit inside another.
	if c := CaseOf(filepath.Dir(resolve(dir))); c != "" {
		return &Error{Path: dst, Folder: c, Err: ErrInsideCase}
	}
	return nil
}

// New refuses an existing dst unless replace is set; with replace, only a
// regular file may be replaced (a folder or anything else is refused too:
// it is not what the command writes).
func New(dst string, replace bool) error {
	fi, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !replace || !fi.Mode().IsRegular() {
		return &Error{Path: dst, Err: ErrExists}
	}
	return nil
}

// Inside reports whether path p is the folder dir or below it, comparing
// absolute paths with symbolic links resolved as far as they exist (so a
// path that does not exist yet compares right, and a link into dir counts
// as inside).
func Inside(p, dir string) bool {
	rel, err := filepath.Rel(resolve(dir), resolve(p))
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// PackageOf returns the package folder p is in (p itself or its nearest
// ancestor holding bagit.txt), or "".
func PackageOf(p string) string {
	for cur := resolve(p); ; cur = filepath.Dir(cur) {
		if fi, err := os.Stat(filepath.Join(cur, "bagit.txt")); err == nil && fi.Mode().IsRegular() {
			return cur
		}
		if cur == filepath.Dir(cur) {
			return ""
		}
	}
}

// CaseOf returns the case folder p is in (p itself or its nearest
// ancestor holding a case file: case.json, case.yaml, case.yml or
// case.xlsx), or "".
func CaseOf(p string) string {
	for cur := resolve(p); ; cur = filepath.Dir(cur) {
		if isCaseFolder(cur) {
			return cur
		}
		if cur == filepath.Dir(cur) {
			return ""
		}
	}
}

func isCaseFolder(dir string) bool {
	for _, names := range caseform.FileNames {
		for _, n := range names {
			if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
				return true
			}
		}
	}
	return false
}

func isCaseFileName(name string) bool {
	for _, names := range caseform.FileNames {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}

// resolve makes p absolute and resolves symbolic links in its longest
// existing prefix.
func resolve(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	rest := ""
	for cur := a; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		if cur == filepath.Dir(cur) {
			return a
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}
