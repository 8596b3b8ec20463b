//go:build linux

package verify

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/casepack/casepack/internal/beneath"
	"github.com/casepack/casepack/internal/failfs"
	"github.com/casepack/casepack/packager/finding"
)

// verifyBoth verifies the package folder dir three times, listed and
// read with internal/beneath (folderwalk.go), its system calls made raw
// and as Go makes them, and through its fs.FS, wrapped by wrap when set,
// and fails unless the reports are identical: every finding, in the same
// order, the same counts. It returns the report.
func verifyBoth(t *testing.T, dir string, opt Options, wrap func(*Package)) *Report {
	t.Helper()
	var reps [3]*Report
	for i, folder := range []bool{true, true, false} {
		raw := i == 0
		beneath.RawCalls = &raw
		pkg, err := Open(dir)
		beneath.RawCalls = nil
		if err != nil {
			t.Fatal(err)
		}
		if pkg.folder == nil {
			t.Fatal("a package folder opened without its folder reader")
		}
		if wrap != nil {
			wrap(pkg)
		}
		if !folder {
			pkg.folder = nil
		}
		reps[i], err = Verify(context.Background(), pkg, opt)
		pkg.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, how := range []string{"with Go's system calls", "through the fs.FS"} {
		if !reflect.DeepEqual(reps[0], reps[i+1]) {
			t.Errorf("listed with raw system calls:\n%+v\n%s:\n%+v", reps[0], how, reps[i+1])
		}
	}
	return reps[0]
}

// TestFolderWalkMatchesFS: a package folder listed and read with
// internal/beneath gives exactly the report of the fs.FS walk, for an intact
// package and for every way of tampering with one the walk must see: a
// changed, missing, renamed or added file (also in a folder of its own
// and deep down), a link or a named pipe in the payload, colliding names,
// a forged manifest line.
func TestFolderWalkMatchesFS(t *testing.T) {
	const a, b = "data/evidence/EV-0001/a.txt", "data/evidence/EV-0002/b.bin"
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		code   finding.Code // a finding the report must hold ("" when intact)
		path   string
	}{
		{"intact", func(*testing.T, string) {}, "", ""},
		{"changed file", func(t *testing.T, dir string) { write(t, dir, a, "changed\n") }, finding.BagModified, a},
		{"missing file", func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, b))) }, finding.BagMissing, b},
		{"renamed file", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, a), filepath.Join(dir, "data/evidence/EV-0001/renamed.txt")))
		}, finding.BagExtra, "data/evidence/EV-0001/renamed.txt"},
		{"file added beside evidence", func(t *testing.T, dir string) { write(t, dir, "data/evidence/EV-0001/added.txt", "x") },
			finding.BagExtra, "data/evidence/EV-0001/added.txt"},
		{"file added deep in a new folder", func(t *testing.T, dir string) { write(t, dir, "data/evidence/EV-0009/x/y/z.txt", "x") },
			finding.BagExtra, "data/evidence/EV-0009/x/y/z.txt"},
		{"tag file added", func(t *testing.T, dir string) { write(t, dir, "notes.txt", "x") }, finding.BagExtra, "notes.txt"},
		{"link to a payload file", func(t *testing.T, dir string) {
			must(t, os.Symlink("a.txt", filepath.Join(dir, "data/evidence/EV-0001/link.txt")))
		}, finding.BagPathUnsafe, "data/evidence/EV-0001/link.txt"},
		{"file replaced by a link out of the package", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, b)))
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, b)))
		}, finding.BagPathUnsafe, b},
		{"folder replaced by a link out of the package", func(t *testing.T, dir string) {
			must(t, os.RemoveAll(filepath.Join(dir, "data/evidence/EV-0002")))
			must(t, os.Symlink(t.TempDir(), filepath.Join(dir, "data/evidence/EV-0002")))
		}, finding.BagPathUnsafe, "data/evidence/EV-0002"},
		{"named pipe in the payload", func(t *testing.T, dir string) {
			must(t, syscall.Mkfifo(filepath.Join(dir, "data/evidence/EV-0001/pipe"), 0o644))
		}, finding.BagPathUnsafe, "data/evidence/EV-0001/pipe"},
		{"names that collide", func(t *testing.T, dir string) { write(t, dir, "data/evidence/EV-0001/A.txt", "x") },
			finding.BagPathCollision, "data/evidence/EV-0001/a.txt"},
		{"forged manifest line", func(t *testing.T, dir string) {
			files := smallBag(t)
			m := files["manifest-sha256.txt"]
			m[0] ^= 1
			write(t, dir, "manifest-sha256.txt", string(m))
		}, finding.BagModified, "manifest-sha256.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeBag(t, smallBag(t))
			tt.tamper(t, dir)
			rep := verifyBoth(t, dir, Options{Workers: 2}, nil)
			switch {
			case tt.code == "" && (!rep.Intact() || rep.Files == 0):
				t.Errorf("intact package: %+v", rep)
			case tt.code != "" && !hasFinding(rep, tt.code, tt.path):
				t.Errorf("findings %+v, want %s on %s", rep.Findings, tt.code, tt.path)
			}
		})
	}
	t.Run("every digest", func(t *testing.T) {
		dir := writeBag(t, smallBag(t))
		write(t, dir, b, "changed")
		if rep := verifyBoth(t, dir, Options{Workers: 2, EveryDigest: true}, nil); !hasFinding(rep, finding.BagModified, b) {
			t.Errorf("findings %+v", rep.Findings)
		}
	})
}

// TestFolderWalkUnreadable: a file or folder internal/beneath cannot
// open is opened again through the package's fs.FS, whose error decides
// the finding: CP-BAG-UNREADABLE. For a file, CannotRead lists it alone
// (verify then says the package could not be checked, exit 1, not that
// it is damaged); a folder that cannot be listed hides its files, which
// are then missing, as through the fs.FS.
func TestFolderWalkUnreadable(t *testing.T) {
	for _, p := range []string{"data/evidence/EV-0001/a.txt", "data/evidence/EV-0002", "bag-info.txt"} {
		t.Run(p, func(t *testing.T) {
			beneath.OpenFault = func(name string) error {
				if name == p {
					return syscall.EACCES
				}
				return nil
			}
			defer func() { beneath.OpenFault = nil }()
			dir := writeBag(t, smallBag(t))
			rep := verifyBoth(t, dir, Options{Workers: 2}, func(pkg *Package) {
				pkg.fsys = failfs.FS{FS: pkg.fsys, Name: p, Err: syscall.EACCES}
			})
			if !hasFinding(rep, finding.BagUnreadable, p) {
				t.Errorf("findings %+v, want %s on %s", rep.Findings, finding.BagUnreadable, p)
			}
			if got := CannotRead(rep); filepath.Ext(p) != "" && (len(got) != 1 || got[0].Path != p) {
				t.Errorf("CannotRead = %+v; findings %+v", got, rep.Findings)
			}
		})
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte(data), 0o644))
}

// TestFolderReadOnce: verifying an intact package folder lists each
// folder once and reads each file it hashes once, tag files too (they are
// hashed beside the payload, see tagNow), and hashes no tag manifest and
// no signature (nothing lists them).
func TestFolderReadOnce(t *testing.T) {
	files := smallBag(t)
	files["signatures/a.sig"] = []byte("not checked here")
	dir := writeBag(t, files)
	var (
		mu     sync.Mutex
		opened = map[string]int{}
	)
	beneath.OpenFault = func(p string) error {
		mu.Lock()
		opened[p]++
		mu.Unlock()
		return nil
	}
	defer func() { beneath.OpenFault = nil }()
	rep := run(t, dir)
	if !rep.Intact() {
		t.Fatalf("%+v", rep.Findings)
	}
	for p, n := range opened {
		if want := map[bool]int{true: 2, false: 1}[p == "."]; n != want { // beneath.Open tries the top first
			t.Errorf("%s opened %d times, want %d", p, n, want)
		}
	}
	for p := range files {
		_, read := opened[p]
		if want := !strings.HasPrefix(p, "tagmanifest-") && !strings.HasPrefix(p, "signatures/"); read != want {
			t.Errorf("%s read: %v, want %v", p, read, want)
		}
	}
	for _, d := range []string{"data", "data/evidence", "data/evidence/EV-0001", "signatures"} {
		if opened[d] != 1 {
			t.Errorf("folder %s listed %d times", d, opened[d])
		}
	}
}
