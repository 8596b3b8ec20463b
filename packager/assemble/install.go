package assemble

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/casepack/casepack/internal/atomicfs"
)

// ErrNotReplaceable is returned when --force would replace something that is
// not a package.
var ErrNotReplaceable = errors.New("packager: not a package, so it is not replaced")

// ErrBusy matches the error Build returns when another casepack command (a
// build, a co-sign) is writing the same package in the same folder.
var ErrBusy = atomicfs.ErrBusy

// outFolder is the folder a build writes into, held for the build.
type outFolder struct {
	d       *atomicfs.Dir
	unit    *atomicfs.Unit
	unlock  func()
	created atomicfs.Created
	temps   []string // temporary entries to remove if the build fails
	keep    bool     // a failed publish holds old entries in temps: keep them
}

// openOut creates the output folder (recording which folders it made),
// takes the package's lock, recovers an interrupted replacement, reports
// leftovers and checks the targets.
func openOut(outDir string, spec *Spec, opt *Options) (o *outFolder, err error) {
	// Refuse early, before touching the folder at all; again below, once
	// the package is locked and put right.
	if !atomicfs.Pending(outDir, spec.Name) {
		if err := checkTargets(outDir, spec.Name, opt); err != nil {
			return nil, err
		}
	}
	o = &outFolder{}
	if o.created, err = atomicfs.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("packager: create output folder: %w", err)
	}
	defer func() {
		if err != nil {
			o.close(err)
		}
	}()
	if o.d, err = atomicfs.OpenDir(outDir, atomicfs.Options{Fault: opt.fault}); err != nil {
		return o, fmt.Errorf("packager: %w", err)
	}
	if o.unit, err = o.d.Unit(spec.Name); err != nil {
		return o, fmt.Errorf("packager: %w", err)
	}
	l, err := o.unit.Acquire(opt.Warn)
	if err != nil {
		return o, fmt.Errorf("packager: %w", err)
	}
	o.unlock = func() { l.Unlock() }
	if opt.Warn != nil {
		warnLeftovers(o.d, o.unit, spec.Name, opt.Warn)
	}
	if err := checkTargets(outDir, spec.Name, opt); err != nil {
		return o, err
	}
	return o, nil
}

// checkTargets refuses what the build may not replace: without Force, any
// existing package folder or ZIP of that name (a ZIP left beside a new
// folder would disagree with it, so it counts even without Zip); with
// Force, anything that is not a package.
func checkTargets(outDir, name string, opt *Options) error {
	for _, t := range []string{name, name + ".zip"} {
		p := filepath.Join(outDir, t)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("packager: %w", err)
		}
		if !opt.Force {
			return fmt.Errorf("%s: %w (use --force to replace it)", p, ErrTargetExists)
		}
		// --force replaces a package, never anything else that happens to
		// have its name: a folder without bagit.txt, or a folder where the
		// ZIP goes, may be someone's work.
		if err := replaceable(p, fi, t != name); err != nil {
			return err
		}
	}
	return nil
}

// replaceable says whether an existing target may be replaced: a package
// folder (it holds bagit.txt) or a regular file where the ZIP goes.
func replaceable(p string, fi os.FileInfo, isZip bool) error {
	if isZip {
		if fi.Mode().IsRegular() {
			return nil
		}
		return fmt.Errorf("%s: %w (it is not a file)", p, ErrNotReplaceable)
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(p, "bagit.txt")); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: %w (it holds no bagit.txt)", p, ErrNotReplaceable)
}

// warnLeftovers names the hidden entries that an earlier command killed
// outright (SIGKILL, power loss) could not clean up, each for what it is.
func warnLeftovers(d *atomicfs.Dir, u *atomicfs.Unit, name string, warn func(string)) {
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
		if _, err := d.Lstat(name); err != nil {
			warn(fmt.Sprintf("%s: holds an earlier version of %s (%s) that a build stopped while replacing it; %s is missing: to get it back, move %s to %s",
				l.Path, name, strings.Join(l.Entries, ", "), d.Join(name), filepath.Join(l.Path, l.Entries[0]), d.Join(name)))
			continue
		}
		warn(fmt.Sprintf("%s: holds an earlier version of %s (%s) that a build replaced but was stopped before deleting; the current package is %s: delete this once you no longer need the earlier one",
			l.Path, name, strings.Join(l.Entries, ", "), d.Join(name)))
	}
}

// mkdirTemp creates the temporary package folder.
func (o *outFolder) mkdirTemp(name string) (string, error) {
	t, err := o.d.MkdirTemp(name)
	if err != nil {
		return "", fmt.Errorf("packager: create temporary folder: %w", err)
	}
	o.temps = append(o.temps, t)
	return o.d.Join(t), nil
}

// publish puts the verified folder (and ZIP) in place as one unit; without
// a new ZIP, the earlier package's ZIP goes with it, since it would no
// longer match the folder.
func (o *outFolder) publish(name, tmp, tmpZip string, force bool) error {
	changes := []atomicfs.Change{
		{New: filepath.Base(tmp), Target: name, Replace: force},
		{New: tmpZip, Target: name + ".zip", Replace: force},
	}
	err := o.unit.Publish(changes...)
	var ie *atomicfs.IncompleteError
	if errors.As(err, &ie) {
		// The temporary names may hold the previous package now: keep
		// everything for the next build to put back.
		o.keep = true
		return fmt.Errorf("packager: replace %s: %w; the next build of this package puts the previous one back", o.d.Join(name), err)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w (it appeared during the build; use --force to replace it)", o.d.Join(name), ErrTargetExists)
	}
	if err != nil {
		return fmt.Errorf("packager: move the package into place: %w", err)
	}
	return nil
}

// close ends the build: on failure it removes the temporary entries and
// the folders the build created; then it lets the package go.
func (o *outFolder) close(err error) {
	if err != nil && o.d != nil && !o.keep {
		for _, t := range o.temps {
			o.d.RemoveAll(t)
		}
	}
	if o.unlock != nil {
		o.unlock()
	}
	if o.d != nil {
		o.d.Close()
	}
	if err != nil && !o.keep {
		o.created.Remove()
	}
}
