package verify

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
)

// TestFolderFS: the folder-by-folder FS is an fs.FS by the standard
// library's own checks, and gives what the package folder's os.Root gives
// for every name: the same bytes, the same listings, and an error where the
// Root refuses (a link out of the folder, a link through a folder out and
// back, a missing name), over more folders than it keeps open, from
// several goroutines at once.
func TestFolderFS(t *testing.T) {
	tmp := t.TempDir()
	pkg := filepath.Join(tmp, "pkg")
	outside := filepath.Join(tmp, "outside")
	mk := func(name, data string) {
		t.Helper()
		p := filepath.Join(pkg, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ln := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(pkg, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"bagit.txt", "data/a.txt"}
	mk("bagit.txt", "top")
	mk("data/a.txt", "a")
	mk("data/same.txt", "same name in data")
	mk("data/evidence/same.txt", "same name in evidence")
	names = append(names, "data/same.txt", "data/evidence/same.txt")
	for i := range maxOpenFolders * 3 {
		n := fmt.Sprintf("data/evidence/EV-%04d/file-%d.bin", i, i)
		mk(n, fmt.Sprint("bytes of ", i))
		// The same name in every folder: a file from the wrong folder
		// would read wrong.
		same := fmt.Sprintf("data/evidence/EV-%04d/same.txt", i)
		mk(same, fmt.Sprint("same name in ", i))
		names = append(names, same, n)
	}
	mk("data/deep/x/y/z/file.txt", "deep")
	names = append(names, "data/deep/x/y/z/file.txt")
	if err := os.MkdirAll(filepath.Join(outside, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	probes := append(slices.Clone(names), "data/evidence/inside-link.txt", "data/out-link", "data/out-folder/secret.txt",
		"data/evidence/up-and-back/x/y/z/file.txt", "data/deep/x/escape.txt", "data/deep/x/y/z/escape-folder/secret.txt", "data/missing.txt", "data/evidence/EV-0000/missing",
		"nothing/at/all", "../pkg/bagit.txt", "/etc/passwd", "data//a.txt", "data/./a.txt")

	root, err := os.OpenRoot(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	ref := root.FS()
	root2, err := os.OpenRoot(pkg)
	if err != nil {
		t.Fatal(err)
	}
	ffs := newFolderFS(root2)
	defer ffs.Close()

	if err := fstest.TestFS(ffs, names...); err != nil {
		t.Fatal(err)
	}

	// Links, which fstest cannot walk (some lead nowhere it may go).
	ln("../a.txt", "data/evidence/inside-link.txt")                  // stays inside
	ln(filepath.Join(outside, "secret.txt"), "data/out-link")        // leads out
	ln(filepath.Join(outside, "folder"), "data/out-folder")          // a folder outside
	ln("../../data/deep", "data/evidence/up-and-back")               // out of its folder, inside the package
	ln("../../../../outside/secret.txt", "data/deep/x/escape.txt")   // out of the package by ..
	ln("../../../../../../outside", "data/deep/x/y/z/escape-folder") // a folder out of the package by ..

	read := func(fsys fs.FS, name string) (string, error) {
		f, err := fsys.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		return string(b), err
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range probes {
				name := probes[(i+g*7)%len(probes)] // each goroutine in its own order
				want, werr := read(ref, name)
				got, gerr := read(ffs, name)
				if (werr == nil) != (gerr == nil) || got != want {
					t.Errorf("%s: got %q, %v; os.Root gives %q, %v", name, got, gerr, want, werr)
				}
				if werr != nil && gerr != nil && werr.Error() != gerr.Error() {
					t.Errorf("%s: error %q; os.Root's is %q", name, gerr, werr)
				}
			}
		})
	}
	wg.Wait()

	for _, dir := range []string{".", "data", "data/evidence", "data/evidence/EV-0001", "data/evidence/EV-0107", "data/deep/x", "data/out-folder", "data/evidence/up-and-back/x", "data/deep/x/y/z/escape-folder", "data/missing"} {
		want, werr := fs.ReadDir(ref, dir)
		got, gerr := ffs.ReadDir(dir)
		if (werr == nil) != (gerr == nil) || len(got) != len(want) {
			t.Errorf("ReadDir(%s): %d entries, %v; os.Root gives %d, %v", dir, len(got), gerr, len(want), werr)
			continue
		}
		for i := range want {
			wi, err1 := want[i].Info()
			gi, err2 := got[i].Info()
			if want[i].Name() != got[i].Name() || want[i].Type() != got[i].Type() || (err1 == nil) != (err2 == nil) ||
				err1 == nil && (wi.Size() != gi.Size() || wi.Mode() != gi.Mode()) {
				t.Errorf("ReadDir(%s)[%d]: %v; os.Root gives %v", dir, i, got[i], want[i])
			}
		}
	}
}
