package atomicfs

import (
	"os"
	"path/filepath"
	"strings"
)

// Trash takes name, an entry of the folder nobody wants any more (the
// temporary package of a build that was stopped), out of the way in one
// rename, to a hidden name that says what it is: ".UNIT.trash-RANDOM".
// Removing gigabytes takes the file system seconds (the unlink of a large
// file waits for its blocks to be freed); the rename is instant, so a
// command can end at once and leave the removal to a helper (see
// internal/reaper) or to the next command on the folder ([Unit.Acquire]).
// It returns the trash name.
func (d *Dir) Trash(name, unit string) (string, error) {
	if err := checkName(unit); err != nil {
		return "", err
	}
	for range 10 {
		t := tempName(unit, trashKind)
		err := d.renameNoReplace(name, t)
		if err == nil {
			return t, nil
		}
		if _, serr := d.root.Lstat(t); serr != nil {
			return "", err // not a name clash
		}
	}
	return "", &os.LinkError{Op: "rename", Old: d.Join(name), New: d.Join(unit), Err: os.ErrExist}
}

const trashKind = "trash"

// IsTrash reports whether base is a name [Dir.Trash] gives: only such
// entries are ever removed as trash.
func IsTrash(base string) bool {
	rest, ok := strings.CutPrefix(base, ".")
	if !ok {
		return false
	}
	i := strings.LastIndex(rest, "."+trashKind+"-")
	if i <= 0 {
		return false
	}
	hex := rest[i+len(trashKind)+2:]
	if len(hex) != 12 {
		return false
	}
	for _, c := range hex {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// HoldTrash opens the trash entry at path and locks it, to say that a
// process is removing it: [Dir.EmptyTrash] leaves a held entry alone. The
// lock lasts while the returned file is open, in any process that inherits
// it. It returns nil when the entry is not trash or another process holds
// it.
func HoldTrash(path string) *os.File {
	if !IsTrash(filepath.Base(path)) {
		return nil
	}
	// Only what Trash makes: a planted FIFO of that name would block open.
	if fi, err := os.Lstat(path); err != nil || !(fi.IsDir() || fi.Mode().IsRegular()) {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	if tryLock(f) != nil {
		f.Close()
		return nil
	}
	return f
}

// EmptyTrash removes the folder's trash entries that no process is
// removing: what a helper could not finish (the machine was switched off),
// or has not finished yet when it holds no lock.
func (d *Dir) EmptyTrash() {
	dir, err := d.root.Open(".")
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, n := range names {
		if !IsTrash(n) {
			continue
		}
		if f := HoldTrash(d.Join(n)); f != nil {
			d.RemoveAll(n)
			f.Close()
		}
	}
}
