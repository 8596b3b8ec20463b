// Package atomicfs owns every change casepack makes to a folder it writes
// into: a file or folder appears there complete or not at all, what it
// replaces stays in place until the replacement is, and a crash at any
// instant leaves the old or the new content, never a mixture of the two
// and never neither.
//
// A file is written to a temporary file beside its target, synced, renamed
// onto the target (or, when it must not replace anything, beside it in one
// step that fails if the target exists) and the folder is synced: write,
// fsync, rename, fsync the parent ([Dir.Create], [File.Commit],
// [WriteFile]). Entries that must change together — a package folder and
// its ZIP, a workbook and its CSV folder — are published by a [Unit], which
// records the change in a journal before anything moves, keeps what it
// replaces aside until every new entry is in place, and undoes a failure
// (or, at the next start, a crash) from what it finds on disk.
//
// Every operation goes through a [Dir], an open folder: names are resolved
// inside it (an [os.Root]), so a planted symbolic link cannot send a write
// elsewhere, and a test can make any single step fail ([Options.Fault]).
package atomicfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
)

// Op names one step atomicfs takes, for [Options.Fault].
type Op string

// The steps a fault can be injected into.
const (
	OpCreate    Op = "create"    // create a temporary file or folder
	OpWrite     Op = "write"     // write into a temporary file (each Write)
	OpSync      Op = "sync"      // fsync a file or the folder
	OpRename    Op = "rename"    // rename within the folder (replacing what was there)
	OpNoReplace Op = "noreplace" // rename that fails if the target exists
	OpExchange  Op = "exchange"  // swap two entries in one step
	OpRemove    Op = "remove"    // remove one entry (a folder only if empty)
	OpRemoveAll Op = "removeall" // remove an entry and everything below it
)

// Options tune a [Dir].
type Options struct {
	// Fault, when set, is called before each step atomicfs takes in the
	// folder, with the names involved (to is "" for single-name steps). A
	// non-nil error fails that step as if the system had returned it, so
	// tests can show that every failure leaves the old content in place.
	// It may also act itself, e.g. remove part of a folder to model a
	// RemoveAll that stopped half-way, or panic to model a crash at that
	// instant (nothing after it runs).
	Fault func(op Op, from, to string) error
}

// Dir is an open folder atomicfs writes into.
type Dir struct {
	path  string
	root  *os.Root
	f     *os.File // the folder itself: fsync, and the renames os.Root lacks
	fault func(op Op, from, to string) error
}

// OpenDir opens the folder at path (which must exist).
func OpenDir(path string, opt Options) (*Dir, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return newDir(path, root, opt)
}

// Sub opens the folder name inside d; it cannot lead outside d, even
// through a symbolic link.
func (d *Dir) Sub(name string) (*Dir, error) {
	sub, err := d.root.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	return newDir(d.Join(name), sub, Options{Fault: d.fault})
}

// FS reads the folder (confined to it like every other operation), never
// waiting on a FIFO or device in it (see internal/source).
func (d *Dir) FS() fs.FS { return source.RootFS(d.root) }

// Mkdir creates the folder name (mode 0755, exactly) and syncs d, so the
// new folder survives a crash along with what is later written in it.
func (d *Dir) Mkdir(name string) error {
	if err := d.check(OpCreate, name, ""); err != nil {
		return err
	}
	if err := d.root.Mkdir(name, 0o755); err != nil {
		return err
	}
	if err := d.root.Chmod(name, 0o755); err != nil {
		d.root.Remove(name)
		return err
	}
	return d.Sync()
}

func newDir(path string, root *os.Root, opt Options) (*Dir, error) {
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	return &Dir{path: path, root: root, f: f, fault: opt.Fault}, nil
}

// Close releases the folder.
func (d *Dir) Close() error {
	err := d.f.Close()
	if rerr := d.root.Close(); err == nil {
		err = rerr
	}
	return err
}

// Path returns the folder's path as given to OpenDir.
func (d *Dir) Path() string { return d.path }

// Join returns the path of name inside the folder.
func (d *Dir) Join(name string) string { return filepath.Join(d.path, filepath.FromSlash(name)) }

// Lstat describes name inside the folder without following a final
// symbolic link.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) { return d.root.Lstat(name) }

// Remove removes name (a folder only if it is empty).
func (d *Dir) Remove(name string) error {
	if err := d.check(OpRemove, name, ""); err != nil {
		return err
	}
	return d.root.Remove(name)
}

// RemoveAll removes name and everything below it.
func (d *Dir) RemoveAll(name string) error {
	if err := d.check(OpRemoveAll, name, ""); err != nil {
		return err
	}
	return d.root.RemoveAll(name)
}

// Sync makes the folder's entries (creations, renames, removals) durable.
// A file system that cannot sync a folder is not an error: the renames are
// still done, only their durability is the system's.
func (d *Dir) Sync() error {
	if err := d.check(OpSync, ".", ""); err != nil {
		return err
	}
	if err := d.f.Sync(); err != nil && !syncUnsupported(err) {
		return fault.IO(d.path, err)
	}
	return nil
}

func syncUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || runtime.GOOS == "windows"
}

func (d *Dir) check(op Op, from, to string) error {
	if d.fault == nil {
		return nil
	}
	if err := d.fault(op, from, to); err != nil {
		if to != "" {
			return &os.LinkError{Op: string(op), Old: d.Join(from), New: d.Join(to), Err: err}
		}
		return &fs.PathError{Op: string(op), Path: d.Join(from), Err: err}
	}
	return nil
}

func (d *Dir) rename(from, to string) error {
	if err := d.check(OpRename, from, to); err != nil {
		return err
	}
	return d.root.Rename(from, to)
}

// renameNoReplace renames from to to in one step that fails with an error
// matching fs.ErrExist when to exists.
func (d *Dir) renameNoReplace(from, to string) error {
	if err := d.check(OpNoReplace, from, to); err != nil {
		return err
	}
	err := d.renameat(from, to, renameNoReplace)
	if !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	// A hard link fails if the name is taken, in one step; folders
	// cannot be linked, but a folder cannot be renamed onto a non-empty
	// one either.
	fi, err := d.root.Lstat(from)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		if err := d.root.Link(from, to); err == nil {
			return d.root.Remove(from)
		} else if errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	if _, err := d.root.Lstat(to); err == nil {
		return &os.LinkError{Op: "rename", Old: d.Join(from), New: d.Join(to), Err: fs.ErrExist}
	}
	return d.root.Rename(from, to)
}

// exchange swaps two entries in one step; errors.ErrUnsupported where the
// system or file system cannot.
func (d *Dir) exchange(a, b string) error {
	if err := d.check(OpExchange, a, b); err != nil {
		return err
	}
	return d.renameat(a, b, renameExchange)
}

func (d *Dir) renameat(from, to string, how renameFlag) error {
	if !filepath.IsLocal(from) || !filepath.IsLocal(to) {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: os.ErrInvalid}
	}
	err := renameat(d.f, from, to, how)
	runtime.KeepAlive(d.f)
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return &os.LinkError{Op: "rename", Old: d.Join(from), New: d.Join(to), Err: err}
	}
	return err
}

// tempName returns a fresh hidden name beside target: ".TARGET.KIND-RANDOM".
func tempName(target, kind string) string {
	var b [6]byte
	rand.Read(b[:])
	return "." + strings.TrimPrefix(target, ".") + "." + kind + "-" + hex.EncodeToString(b[:])
}

// checkName refuses a target that is not a single name inside the folder.
func checkName(name string) error {
	if name == "" || name == "." || !filepath.IsLocal(name) || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%q is not a name inside the folder", name)
	}
	return nil
}

// MkdirTemp creates an empty folder (mode 0755) beside target under a
// fresh hidden name and returns that name. It becomes target through
// [Unit.Publish].
func (d *Dir) MkdirTemp(target string) (string, error) {
	if err := checkName(target); err != nil {
		return "", err
	}
	return d.mkdirFresh(target, "tmp")
}

func (d *Dir) mkdirFresh(target, kind string) (string, error) {
	for range 10 {
		name := tempName(target, kind)
		if err := d.check(OpCreate, name, ""); err != nil {
			return "", err
		}
		err := d.root.Mkdir(name, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		// The umask may have narrowed the mode; a package is read by others.
		if err := d.root.Chmod(name, 0o755); err != nil {
			d.root.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("no free temporary name beside %s", d.Join(target))
}

// FileOptions tune [Dir.Create].
type FileOptions struct {
	// Perm is the file's final mode, exactly (the umask does not narrow
	// it); 0 means 0644.
	Perm fs.FileMode
	// Replace lets Commit replace an existing target. Without it, Create
	// and Commit fail with an error matching fs.ErrExist when the target
	// exists, and nothing is written.
	Replace bool
	// ModTime, when set, becomes the file's modification time.
	ModTime time.Time
}

// File is a temporary file that becomes its target on Commit.
type File struct {
	d       *Dir
	f       *os.File
	name    string // the temporary name in d
	target  string
	opt     FileOptions
	sealed  bool
	removed bool
}

// Create starts a file that will become target: it writes to a hidden
// temporary file beside it. Call Commit to put it in place (or Seal and
// publish it with a [Unit]); Abort removes it, and is harmless after Commit.
func (d *Dir) Create(target string, opt FileOptions) (*File, error) {
	if err := checkName(target); err != nil {
		return nil, err
	}
	if opt.Perm == 0 {
		opt.Perm = 0o644
	}
	if !opt.Replace {
		if _, err := d.root.Lstat(target); err == nil {
			return nil, &fs.PathError{Op: "create", Path: d.Join(target), Err: fs.ErrExist}
		}
	}
	for range 10 {
		name := tempName(target, "tmp")
		if err := d.check(OpCreate, name, ""); err != nil {
			return nil, err
		}
		f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &File{d: d, f: f, name: name, target: target, opt: opt}, nil
	}
	return nil, fmt.Errorf("no free temporary name beside %s", d.Join(target))
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.sealed {
		return 0, fmt.Errorf("write %s: the file is sealed", f.d.Join(f.name))
	}
	if err := f.d.check(OpWrite, f.name, ""); err != nil {
		return 0, err
	}
	return f.f.Write(p)
}

// Name returns the temporary file's path.
func (f *File) Name() string { return f.d.Join(f.name) }

// TempName returns the temporary file's name inside its folder (for
// [Change.New]).
func (f *File) TempName() string { return f.name }

// Seal makes the temporary file durable with its final mode and time and
// closes it; it stays under its temporary name, ready for [Unit.Publish].
func (f *File) Seal() error { return f.SealIn(nil) }

// SealIn is Seal, except that the file's bytes are left for t to make
// durable when t syncs the whole way (one syncfs), has not synced yet and
// lies on the file system that holds f: t's Sync, which must then run and
// succeed before f is put in place, writes them with the rest of that
// file system and reports their failure too. The fsync it saves is not
// cheap: on a file system busy writing back a tree (a package's evidence,
// an early syncfs started by Tree.Flush), a small file's fsync waits for
// that write-back. With a nil t, or any other t, it is Seal.
func (f *File) SealIn(t *Tree) error {
	if f.sealed {
		return nil
	}
	f.sealed = true
	var err error
	covered := t.covers(f.f)
	if !covered {
		err = f.d.check(OpSync, f.name, "")
	}
	if err == nil {
		err = f.f.Chmod(f.opt.Perm)
	}
	if err == nil && !covered {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !f.opt.ModTime.IsZero() {
		err = f.d.root.Chtimes(f.name, f.opt.ModTime, f.opt.ModTime)
	}
	if err != nil {
		return fault.IO(f.d.Join(f.target), err)
	}
	return nil
}

// Commit seals the file and puts it in place: it replaces the target when
// Replace is set, else fails (error matching fs.ErrExist) if the target
// appeared meanwhile. The folder is synced. On failure the temporary file
// is removed and the target is as it was, except when only that last sync
// fails: the file is then in place, and the error says its durability is
// not assured.
func (f *File) Commit() error {
	if err := f.Seal(); err != nil {
		f.Abort()
		return err
	}
	var err error
	if f.opt.Replace {
		err = f.d.rename(f.name, f.target)
	} else {
		err = f.d.renameNoReplace(f.name, f.target)
	}
	if err != nil {
		f.Abort()
		return fault.IO(f.d.Join(f.target), err)
	}
	f.removed = true // it is the target now
	return f.d.Sync()
}

// Abort removes the temporary file. It does nothing after Commit.
func (f *File) Abort() {
	if f.removed {
		return
	}
	f.removed = true
	if !f.sealed {
		f.sealed = true
		f.f.Close()
	}
	f.d.root.Remove(f.name)
}

// WriteFile writes the file at path crash-safely: write calls w with the
// temporary file, then Commit puts it in place. On any failure the target
// is unchanged and no temporary file is left.
func WriteFile(path string, opt FileOptions, write func(w io.Writer) error) error {
	d, err := OpenDir(filepath.Dir(path), Options{})
	if err != nil {
		return fault.IO(path, err)
	}
	defer d.Close()
	f, err := d.Create(filepath.Base(path), opt)
	if err != nil {
		return fault.IO(path, err)
	}
	if err := write(f); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// Created lists the folders [MkdirAll] made, outermost first.
type Created []string

// MkdirAll creates the folder path and any missing parents (mode perm) and
// returns the ones it made, so that a command that fails can remove
// exactly those and nothing a user had.
func MkdirAll(path string, perm fs.FileMode) (Created, error) {
	var missing []string
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return nil, &fs.PathError{Op: "mkdir", Path: p, Err: errors.New("not a folder")}
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, p)
		if parent := filepath.Dir(p); parent == p {
			break
		}
	}
	var made Created
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], perm)
		if errors.Is(err, fs.ErrExist) {
			continue // made by someone else meanwhile: not ours
		}
		if err != nil {
			made.Remove()
			return nil, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// Remove removes the folders, innermost first, each only while empty: what
// anyone put there since is kept, and so are the folders holding it.
func (c Created) Remove() {
	for i := len(c) - 1; i >= 0; i-- {
		if os.Remove(c[i]) != nil {
			return
		}
	}
}
