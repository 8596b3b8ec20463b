package verify

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/casepack/casepack/internal/failfs"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
)

// TestUnreadableIsNotDamage: a file of a package folder the verifier
// cannot read (permission denied, an I/O error) says nothing about the
// package: CP-BAG-UNREADABLE, which CannotRead reports so that verify
// says "cannot read" (exit 1) rather than that the package failed (exit 4,
// as it did). A file gone since it was listed, or no longer a regular
// file, is the package's problem; and damage found elsewhere still fails
// the package.
func TestUnreadableIsNotDamage(t *testing.T) {
	const payload = "data/evidence/EV-0001/a.txt"
	tests := []struct {
		name     string
		err      error
		tamper   bool
		code     finding.Code
		onlyRead bool // CannotRead(report) lists the file
	}{
		{"permission denied", syscall.EACCES, false, finding.BagUnreadable, true},
		{"disk error", syscall.EIO, false, finding.BagUnreadable, true},
		{"removed while verifying", syscall.ENOENT, false, finding.BagMissing, false},
		{"a link swapped in", syscall.ELOOP, false, finding.BagPathUnsafe, false},
		{"permission denied, and a file changed", syscall.EACCES, true, finding.BagUnreadable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := smallBag(t)
			if tt.tamper {
				b := files["data/evidence/EV-0002/b.bin"]
				b[0] ^= 0xff
			}
			dir := writeBag(t, files)
			pkg := &Package{path: dir, kind: "folder", name: "PKG", fsys: failfs.FS{FS: os.DirFS(dir), Name: payload, Err: tt.err}}
			rep, err := Verify(context.Background(), pkg, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !hasFinding(rep, tt.code, payload) {
				t.Errorf("findings %+v, want %s on %s", rep.Findings, tt.code, payload)
			}
			if rep.Intact() {
				t.Error("the report says intact")
			}
			got := CannotRead(rep)
			if tt.onlyRead != (len(got) > 0) {
				t.Errorf("CannotRead = %+v, want it to list the file: %v", got, tt.onlyRead)
			}
			if len(got) > 0 && (got[0].Path != payload || got[0].Message != "cannot be read: "+fault.Describe(tt.err)) {
				t.Errorf("CannotRead = %+v", got)
			}
		})
	}
}

// TestCasepackManifestReadError: casepack/manifest.json that fails to
// read part way (a disk error; it is read through a buffer) is
// CP-BAG-UNREADABLE, which says nothing about the package, never a
// manifest that cannot be parsed (CP-CASEPACK-MANIFEST).
func TestCasepackManifestReadError(t *testing.T) {
	for _, after := range []int{0, 100, 70 << 10} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			files := smallBag(t)
			// Long enough that a failure after 70 KiB falls inside it.
			files[bag.CasepackManifestPath] = bytes.Replace(files[bag.CasepackManifestPath], []byte(`"evidence"`),
				[]byte(`"padding": "`+strings.Repeat("x", 80<<10)+`", "evidence"`), 1)
			dir := writeBag(t, retag(t, files))
			fsys := brokenFS{FS: os.DirFS(dir), name: bag.CasepackManifestPath, after: after}
			pkg := &Package{path: dir, kind: "folder", name: "PKG", fsys: fsys}
			rep, err := Verify(context.Background(), pkg, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			got := CannotRead(rep)
			if len(got) != 1 || got[0].Path != bag.CasepackManifestPath || hasFinding(rep, finding.CasepackManifest, bag.CasepackManifestPath) {
				t.Errorf("findings %+v", rep.Findings)
			}
		})
	}
}

// brokenFS is fsys with reads of name failing with EIO after its first
// after bytes.
type brokenFS struct {
	fs.FS
	name  string
	after int
}

func (b brokenFS) Open(name string) (fs.File, error) {
	f, err := b.FS.Open(name)
	if err != nil || name != b.name {
		return f, err
	}
	return &brokenFile{File: f, left: b.after}, nil
}

type brokenFile struct {
	fs.File
	left int
}

func (f *brokenFile) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, &fs.PathError{Op: "read", Path: "manifest.json", Err: syscall.EIO}
	}
	n, err := f.File.Read(p[:min(len(p), f.left)])
	f.left -= n
	return n, err
}
