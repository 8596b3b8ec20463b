package atomicfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsTrash(t *testing.T) {
	for name, want := range map[string]bool{
		".PKG.trash-0123456789ab":         true,
		".A.B_c.trash-abcdefabcdef":       true,
		"PKG.trash-0123456789ab":          false, // not hidden
		".PKG.trash-0123456789":           false, // short
		".PKG.trash-0123456789AB":         false, // not ours (upper case)
		".trash-0123456789ab":             false, // no unit
		".PKG.tmp-0123456789ab":           false,
		".PKG.old-0123456789ab":           false,
		".PKG.trash-0123456789ab/x":       false,
		".PKG.trash-0123456789ab.bak":     false,
		".PKG.trash-0123456789abcdef0123": false,
	} {
		if got := IsTrash(name); got != want {
			t.Errorf("IsTrash(%q) = %v, want %v", name, got, want)
		}
	}
}

// Trash renames an entry to a trash name in one step; EmptyTrash removes
// the trash nobody holds and leaves what a helper holds, and the user's
// files.
func TestTrash(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tmp, err := d.MkdirTemp("PKG")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, tmp, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	held, err := d.Trash(tmp, "PKG")
	if err != nil {
		t.Fatal(err)
	}
	if !IsTrash(held) || !strings.HasPrefix(held, ".PKG.trash-") {
		t.Fatalf("Trash named it %q", held)
	}
	if _, err := os.Lstat(filepath.Join(dir, tmp)); !os.IsNotExist(err) {
		t.Fatalf("%s still there after Trash: %v", tmp, err)
	}
	loose, err := d.MkdirTemp("PKG")
	if err != nil {
		t.Fatal(err)
	}
	if loose, err = d.Trash(loose, "PKG"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f := HoldTrash(filepath.Join(dir, held))
	if f == nil {
		t.Fatal("HoldTrash: could not hold a trash entry")
	}
	if HoldTrash(filepath.Join(dir, held)) != nil {
		t.Error("HoldTrash held an entry already held")
	}
	d.EmptyTrash()
	if _, err := os.Lstat(filepath.Join(dir, held)); err != nil {
		t.Errorf("EmptyTrash removed an entry a helper holds: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, loose)); !os.IsNotExist(err) {
		t.Errorf("EmptyTrash left %s: %v", loose, err)
	}
	f.Close()
	d.EmptyTrash()
	if _, err := os.Lstat(filepath.Join(dir, held)); !os.IsNotExist(err) {
		t.Errorf("EmptyTrash left %s once let go: %v", held, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("EmptyTrash removed a user's file: %v", err)
	}
}
