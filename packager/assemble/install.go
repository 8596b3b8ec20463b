package assemble

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/reaper"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/sign"
)

// ErrNotReplaceable is returned when --force would replace something that is
// not a package.
var ErrNotReplaceable = errors.New("not a package, so it is not replaced")

// ErrBusy matches the error Build returns when another casepack command (a
// build, a co-sign) is writing the same package in the same folder.
var ErrBusy = atomicfs.ErrBusy

// BusyHint is what to do about ErrBusy.
const BusyHint = "wait for the other command to finish, then run this one again"

// outFolder is the folder a build writes into, held for the build.
type outFolder struct {
	d    *atomicfs.Dir
	unit *atomicfs.Unit
	name string // the package's name: its folder, and its ZIP with .zip
	// replacing: an earlier package (folder or ZIP) is there, to be
	// replaced (--force). Until the new one is in place, that path names
	// the earlier package's files, which a failure leaves intact.
	replacing bool
	unlock    func()
	created   atomicfs.Created
	temps     []string // temporary entries to remove if the build fails
	keep      bool     // a failed publish holds old entries in temps: keep them
}

// openOut creates the output folder (recording which folders it made),
// takes the package's lock, recovers an interrupted replacement, reports
// leftovers and checks the targets.
func openOut(outDir string, spec *Spec, opt *Options) (o *outFolder, err error) {
	// Refuse early, before touching the folder at all; again below, once
	// the package is locked and put right.
	if !atomicfs.Pending(outDir, spec.Name) {
		if err := checkTargets(outDir, spec, opt); err != nil {
			return nil, err
		}
	}
	o = &outFolder{name: spec.Name}
	if o.created, err = atomicfs.MkdirAll(outDir, 0o755); err != nil {
		return nil, fault.IO(outDir, err)
	}
	defer func() {
		if err != nil {
			o.close(err)
		}
	}()
	if o.d, err = atomicfs.OpenDir(outDir, atomicfs.Options{Fault: opt.fault}); err != nil {
		return o, fault.IO(outDir, err)
	}
	if o.unit, err = o.d.Unit(spec.Name); err != nil {
		return o, fault.IO(outDir, err)
	}
	l, err := o.unit.Acquire(opt.Warn)
	if errors.Is(err, atomicfs.ErrBusy) {
		return o, fault.New(fault.Operational, err, BusyHint)
	}
	if err != nil {
		return o, fault.IO(outDir, err)
	}
	o.unlock = func() { l.Unlock() }
	if opt.Warn != nil {
		warnLeftovers(o.unit, spec.Name, opt.Warn)
	}
	if err := checkTargets(outDir, spec, opt); err != nil {
		return o, err
	}
	for _, t := range spec.targets() {
		if _, err := o.d.Lstat(t); err == nil {
			o.replacing = true
		}
	}
	return o, nil
}

// errPath is how an error names name, an entry of the output folder being
// written ("PKG/data/x.pdf", "PKG.zip"): by its path, unless the build is
// replacing a package. That path then holds the earlier package's file,
// which is intact: naming it would tell the user it is the one that failed
// (a full disk during --force named the old package's submission.pdf), so
// the error names the file within the new version ("data/x.pdf") and
// notReplaced names the package and says the earlier one is unchanged.
func (o *outFolder) errPath(name string) string {
	if !o.replacing {
		return o.d.Join(name)
	}
	if name == o.name {
		return ""
	}
	return filepath.FromSlash(strings.TrimPrefix(name, o.name+"/"))
}

// NotReplacedError is a --force build that failed while writing the new
// version of a package: the earlier package is still there, unchanged.
type NotReplacedError struct {
	Target string // the package folder
	Err    error
}

func (e *NotReplacedError) Error() string {
	return fmt.Sprintf("%s: the new version could not be written (%v); the package already there is unchanged", e.Target, e.Err)
}

func (e *NotReplacedError) Unwrap() error { return e.Err }

// notReplacedFullHint is what to do when the disk filled up during --force.
const notReplacedFullHint = "the disk is full: --force keeps the package already there until the new one is complete, so it needs room for both; free some space or build into another folder. Nothing was left behind."

// notReplaced says, of a failure to read or write while replacing a
// package, that the earlier one is unchanged. Findings (an evidence file
// that is not the declared one), a failed check of what was written and an
// interruption keep their own words; an undo that failed
// (atomicfs.IncompleteError) says itself where the earlier package is.
func (o *outFolder) notReplaced(err error) error {
	var ioe *fault.IOError
	if err == nil || !o.replacing || o.keep || errors.Is(err, context.Canceled) || !errors.As(err, &ioe) {
		return err
	}
	nr := &NotReplacedError{Target: o.d.Join(o.name), Err: err}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fault.New(fault.Operational, nr, notReplacedFullHint)
	}
	return nr
}

// checkTargets refuses what the build may not replace: without Force, any
// existing target (Spec.targets); with Force, anything that is not a
// package, its ZIP or a file beside it.
func checkTargets(outDir string, spec *Spec, opt *Options) error {
	name := spec.Name
	for _, t := range spec.targets() {
		p := filepath.Join(outDir, t)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fault.IO(p, err)
		}
		if !opt.Force {
			if t != name && t != name+".zip" {
				// A letter left beside no package (or beside the
				// earlier version a stopped build moved aside).
				return &existsError{p}
			}
			return fmt.Errorf("%s: %w (use --force to replace it)", p, ErrTargetExists)
		}
		// --force replaces a package, never anything else that happens to
		// have its name: a folder without bagit.txt, or a folder where the
		// ZIP goes, may be someone's work.
		switch {
		case t == name || t == name+".zip":
			if err := replaceable(p, fi, t != name); err != nil {
				return err
			}
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s: %w (it is not a file)", p, ErrNotReplaceable)
		}
	}
	return nil
}

// existsError is ErrTargetExists for a file beside the package.
type existsError struct{ path string }

func (e *existsError) Error() string        { return e.path + ": already exists (use --force to replace it)" }
func (e *existsError) Is(target error) bool { return target == ErrTargetExists }

// replaceable says whether an existing target may be replaced: a package
// folder holding nothing but what its manifests list (and signatures), or
// a package ZIP. Anything else may be someone's work.
func replaceable(p string, fi os.FileInfo, isZip bool) error {
	if isZip {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %w (it is not a file)", p, ErrNotReplaceable)
		}
		if err := isPackageZip(p); err != nil {
			return fmt.Errorf("%s: %w (%v)", p, ErrNotReplaceable, err)
		}
		return nil
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %w (it holds no bagit.txt)", p, ErrNotReplaceable)
	}
	if fi, err := os.Lstat(filepath.Join(p, "bagit.txt")); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (it holds no bagit.txt)", p, ErrNotReplaceable)
	}
	foreign, err := foreignFile(p)
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", p, ErrNotReplaceable, err)
	}
	if foreign != "" {
		return fmt.Errorf("%s: %w: it holds %s, which is not part of the package", p, ErrNotReplaceable, foreign)
	}
	return nil
}

// foreignFile returns the first file in the package folder dir that the
// package does not consist of: not bagit.txt, a manifest, a file a
// manifest lists, or a signature file in signatures/. "" when none.
func foreignFile(dir string) (string, error) {
	listed := map[string]bool{"bagit.txt": true}
	root, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range root {
		n := e.Name()
		alg, ok := strings.CutPrefix(n, "tagmanifest-")
		if !ok {
			alg, ok = strings.CutPrefix(n, "manifest-")
		}
		alg, isTxt := strings.CutSuffix(alg, ".txt")
		if !ok || !isTxt || !e.Type().IsRegular() {
			continue
		}
		listed[n] = true
		if err := listManifest(filepath.Join(dir, n), alg, listed); err != nil {
			return "", err
		}
	}
	var foreign string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		sig, inSigs := strings.CutPrefix(rel, sign.SignaturesDir+"/")
		ok := listed[rel] || (inSigs && sign.IsSignatureFile(sig))
		if !ok || !d.Type().IsRegular() {
			foreign = rel
			return filepath.SkipAll
		}
		return nil
	})
	return foreign, err
}

// listManifest adds every path a manifest lists, reading it line by line
// (a manifest can list millions of files).
func listManifest(name, alg string, listed map[string]bool) error {
	f, err := source.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		entries, _ := bag.ScanManifest(alg, sc.Bytes())
		for _, e := range entries {
			listed[e.Path] = true
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", filepath.Base(name), err)
	}
	return nil
}

// isPackageZip checks that the file at p is a ZIP whose entries all sit
// in one top folder named like the ZIP, holding bagit.txt.
func isPackageZip(p string) error {
	zr, err := zip.OpenReader(p)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return errors.New("it is not a ZIP")
	}
	if zr == nil {
		return errors.New("it is not a ZIP")
	}
	defer zr.Close()
	top := strings.TrimSuffix(filepath.Base(p), ".zip") + "/"
	bagit := false
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, top) {
			return fmt.Errorf("it holds %s, outside %s", f.Name, top)
		}
		bagit = bagit || f.Name == top+"bagit.txt"
	}
	if !bagit {
		return fmt.Errorf("it holds no %sbagit.txt", top)
	}
	return nil
}

// warnLeftovers names the hidden entries that an earlier command killed
// outright (SIGKILL, power loss) could not clean up, each for what it is.
func warnLeftovers(u *atomicfs.Unit, name string, warn func(string)) {
	left, _ := u.Leftovers()
	for _, l := range left {
		if !l.Replaced {
			warn(fmt.Sprintf("%s: left by an earlier build of %s that was stopped before it could clean up; it is not a package, and can be deleted", l.Path, name))
			continue
		}
		if len(l.Entries) == 0 {
			warn(fmt.Sprintf("%s: an empty folder left by an earlier build of %s; it can be deleted", l.Path, name))
			continue
		}
		warn(fmt.Sprintf("%s: holds an earlier version of %s (%s), moved aside by a build that was stopped while replacing it; it is not part of any new package: keep it elsewhere if you need it, otherwise delete it",
			l.Path, name, strings.Join(l.Entries, ", ")))
	}
}

// mkdirTemp creates the temporary package folder.
func (o *outFolder) mkdirTemp(name string) (string, error) {
	t, err := o.d.MkdirTemp(name)
	if err != nil {
		return "", fault.IO(o.d.Join(name), err)
	}
	o.temps = append(o.temps, t)
	return o.d.Join(t), nil
}

// publish puts the verified folder (and ZIP, and the files beside) in
// place as one unit; without a new ZIP, the earlier package's ZIP goes with
// it, since it would no longer match the folder.
func (o *outFolder) publish(name, tmp, tmpZip string, force bool, beside ...atomicfs.Change) error {
	changes := append([]atomicfs.Change{
		{New: filepath.Base(tmp), Target: name, Replace: force},
		{New: tmpZip, Target: name + ".zip", Replace: force},
	}, beside...)
	err := o.unit.Publish(changes...)
	var ie *atomicfs.IncompleteError
	if errors.As(err, &ie) {
		// The temporary names may hold the previous package now: keep
		// everything for the next build to put back.
		o.keep = true
		return fmt.Errorf("%w; the next build of this package puts the previous one back", fault.IO(o.d.Join(name), err))
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w (it appeared during the build; use --force to replace it)", o.d.Join(name), ErrTargetExists)
	}
	if err != nil {
		if o.replacing { // undone: notReplaced names the package
			return fault.IO("", err)
		}
		return fault.IO(o.d.Join(name), err)
	}
	return nil
}

// close ends the build: on failure it removes the temporary entries and
// the folders the build created; then it lets the package go.
//
// The temporary entries are first put out of the way in one rename each
// (atomicfs.Dir.Trash): removing gigabytes of copied evidence takes the
// file system seconds, and an interrupted build hands that to a helper
// (internal/reaper) so that the command ends at once. Any other failure
// removes them before Build returns.
func (o *outFolder) close(err error) {
	var trash []string
	if err != nil && o.d != nil && !o.keep {
		for _, t := range o.temps {
			if n, terr := o.d.Trash(t, o.name); terr == nil {
				trash = append(trash, o.d.Join(n))
			} else {
				o.d.RemoveAll(t)
			}
		}
	}
	if o.unlock != nil {
		o.unlock()
	}
	if o.d != nil {
		o.d.Close()
	}
	if err != nil && !o.keep {
		reaper.Remove(errors.Is(err, context.Canceled), trash, o.created)
	}
}
