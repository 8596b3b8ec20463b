package assemble

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
)

var errInjected = errors.New("injected failure")

// pair is what a user sees of a package: its folder and its ZIP.
type pair struct{ folder, zip string }

func readPair(t *testing.T, out, name string) pair {
	t.Helper()
	var p pair
	if _, err := os.Stat(filepath.Join(out, name)); err == nil {
		p.folder = contentDigest(t, filepath.Join(out, name))
	}
	if b, err := os.ReadFile(filepath.Join(out, name+".zip")); err == nil {
		p.zip = string(b)
	}
	return p
}

// contentDigest is treeDigest without the folders' own times, which a
// rename into another folder may touch.
func contentDigest(t *testing.T, dir string) string {
	var b strings.Builder
	for _, line := range strings.Split(treeDigest(t, dir), "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			b.WriteString(f[0] + " " + f[1] + " " + f[3] + "\n")
		}
	}
	return b.String()
}

// tagManifests returns the signed tag manifest of the folder and the one
// inside the ZIP ("" where there is none): equal when they are one package.
func tagManifests(t *testing.T, out, name string) (folder, inZip string) {
	t.Helper()
	if b, err := os.ReadFile(filepath.Join(out, name, "tagmanifest-sha256.txt")); err == nil {
		folder = string(b)
	}
	zr, err := zip.OpenReader(filepath.Join(out, name+".zip"))
	if err != nil {
		return folder, ""
	}
	defer zr.Close()
	f, err := zr.Open(name + "/tagmanifest-sha256.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	return folder, string(b)
}

// newerSpec is the same case built a day later: every tag manifest differs.
func newerSpec(c *caseFolder) Spec {
	s := c.spec(defaultEvidence)
	s.Date = testDate.Add(24 * time.Hour)
	return s
}

// builtPackage builds a package with its ZIP, to be replaced.
func builtPackage(t *testing.T) (c *caseFolder, out string, spec Spec, old pair) {
	t.Helper()
	c = newCase(t, defaultEvidence)
	out = t.TempDir()
	spec = c.spec(defaultEvidence)
	if _, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true}); err != nil {
		t.Fatal(err)
	}
	return c, out, spec, readPair(t, out, spec.Name)
}

func isRename(op atomicfs.Op) bool {
	return op == atomicfs.OpRename || op == atomicfs.OpNoReplace || op == atomicfs.OpExchange
}

// TestForceUndoFailureKeepsOld: --force replaces a package; the new ZIP
// cannot be moved into place, and every rename that would undo the
// replacement fails too. The build it replaces must survive (the old
// install ignored the failed rename back and deleted the folder holding the
// old package), the error must say where it is, and the next command on
// the package must put it back.
func TestForceUndoFailureKeepsOld(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		c, out, spec, old := builtPackage(t)
		moved := false
		_, err := Build(context.Background(), newerSpec(c), Options{OutDir: out, Zip: true, Force: true,
			fault: func(op atomicfs.Op, from, to string) error {
				switch {
				case fallback && op == atomicfs.OpExchange:
					return errors.ErrUnsupported // a system that cannot exchange folders
				case to == spec.Name+".zip" && isRename(op):
					return errInjected // the new ZIP cannot go in
				case moved && isRename(op):
					return errors.New("injected: the undo fails too")
				case op == atomicfs.OpExchange || (op == atomicfs.OpNoReplace && to == spec.Name):
					moved = true
				}
				return nil
			}})
		if err == nil {
			t.Fatalf("fallback=%v: the build succeeded", fallback)
		}
		if !strings.Contains(err.Error(), "nothing was deleted") || !strings.Contains(err.Error(), out) {
			t.Errorf("fallback=%v: the error does not say where the previous package is kept: %v", fallback, err)
		}
		d, err := atomicfs.OpenDir(out, atomicfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var warned []string
		u, err := d.Unit(spec.Name)
		if err != nil {
			t.Fatal(err)
		}
		l, err := u.Acquire(func(m string) { warned = append(warned, m) })
		if err != nil {
			t.Fatalf("fallback=%v: recover: %v", fallback, err)
		}
		l.Unlock()
		d.Close()
		if got := readPair(t, out, spec.Name); got != old {
			t.Errorf("fallback=%v: the previous package did not survive:\nfolder %v\nzip changed: %v", fallback, got.folder == old.folder, got.zip != old.zip)
		}
		if len(warned) != 1 || !strings.Contains(warned[0], "the previous version was put back") {
			t.Errorf("fallback=%v: warnings %q", fallback, warned)
		}
		if got := listDir(t, out); len(got) != 2 {
			t.Errorf("fallback=%v: left %q", fallback, got)
		}
	}
}

// TestForcePartialRemoveAll: the old install, when the ZIP could not go in,
// removed the new folder with RemoveAll before moving the old one back; a
// RemoveAll that stopped half-way made the move back fail, and the old
// package was deleted with its holding folder. Now nothing is removed
// until the old package is back, and a clean-up that stops half-way
// leaves it intact.
func TestForcePartialRemoveAll(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		c, out, spec, old := builtPackage(t)
		_, err := Build(context.Background(), newerSpec(c), Options{OutDir: out, Zip: true, Force: true,
			fault: func(op atomicfs.Op, from, to string) error {
				switch {
				case fallback && op == atomicfs.OpExchange:
					return errors.ErrUnsupported
				case to == spec.Name+".zip" && strings.Contains(from, ".tmp-") && isRename(op):
					return errInjected // the new ZIP cannot go in
				case op == atomicfs.OpRemoveAll:
					// Remove the first file found, then fail.
					filepath.WalkDir(filepath.Join(out, from), func(p string, e os.DirEntry, err error) error {
						if err == nil && !e.IsDir() {
							os.Remove(p)
							return filepath.SkipAll
						}
						return nil
					})
					return errInjected
				}
				return nil
			}})
		if !errors.Is(err, errInjected) {
			t.Fatalf("fallback=%v: err %v", fallback, err)
		}
		if got := readPair(t, out, spec.Name); got != old {
			t.Errorf("fallback=%v: the previous package changed (folder same: %v, zip same: %v)", fallback, got.folder == old.folder, got.zip == old.zip)
		}
	}
}

// TestCrashBetweenRenames kills a --force --zip build (os.Exit in a child
// process: nothing after that instant runs) after the new folder is in
// place and before the new ZIP is. The folder and ZIP must never disagree
// (the old install left the new folder beside the old ZIP, both verifying
// "intact"), and the next build must put the pair right first.
func TestCrashBetweenRenames(t *testing.T) {
	if out := os.Getenv("CASEPACK_TEST_CRASH_OUT"); out != "" {
		c := newCase(t, defaultEvidence)
		spec := newerSpec(c)
		fallback := os.Getenv("CASEPACK_TEST_CRASH_FALLBACK") != ""
		Build(context.Background(), spec, Options{OutDir: out, Zip: true, Force: true,
			fault: func(op atomicfs.Op, from, to string) error {
				if fallback && op == atomicfs.OpExchange {
					return errors.ErrUnsupported
				}
				if op == atomicfs.OpNoReplace && to == spec.Name+".zip" {
					os.Exit(7) // killed between the folder's rename and the ZIP's
				}
				return nil
			}})
		t.Fatal("the build was not stopped")
	}
	for _, fallback := range []bool{false, true} {
		_, out, spec, old := builtPackage(t)
		cmd := crashChild(t, "TestCrashBetweenRenames", "CASEPACK_TEST_CRASH_OUT="+out)
		if fallback {
			cmd.Env = append(cmd.Env, "CASEPACK_TEST_CRASH_FALLBACK=1")
		}
		outb, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 {
			t.Fatalf("fallback=%v: the child was not stopped where intended: %v\n%s", fallback, err, outb)
		}
		folder, inZip := tagManifests(t, out, spec.Name)
		if folder == "" && !fallback {
			t.Errorf("fallback=%v: after the crash the package folder is missing", fallback)
		}
		if inZip != "" && inZip != folder {
			t.Errorf("fallback=%v: after the crash the folder and the ZIP are different packages", fallback)
		}
		// The next build on the package puts the previous pair back
		// before anything else, and says so.
		var warned []string
		_, err = Build(context.Background(), spec, Options{OutDir: out, Zip: true, Warn: func(m string) { warned = append(warned, m) }})
		if !errors.Is(err, ErrTargetExists) {
			t.Errorf("fallback=%v: a build without --force: %v, want ErrTargetExists", fallback, err)
		}
		if len(warned) == 0 || !strings.Contains(warned[0], "the previous version was put back") {
			t.Errorf("fallback=%v: warnings %q", fallback, warned)
		}
		if got := readPair(t, out, spec.Name); got != old {
			t.Errorf("fallback=%v: after recovery the pair is not the previous one (folder same: %v, zip same: %v)", fallback, got.folder == old.folder, got.zip == old.zip)
		}
		if got := listDir(t, out); len(got) != 2 {
			t.Errorf("fallback=%v: left %q", fallback, got)
		}
	}
}

// TestCrashInFallbackGap kills a --force build where folders cannot be
// exchanged, in the one gap that path has: the old folder moved aside, the
// new one not yet renamed in. The package folder is then missing; a reader
// (verify, inspect, sign: atomicfs.Settle, as packager's openPackage calls
// it) puts the previous package back at once rather than only explaining
// the gap, so the folder is never seen missing.
func TestCrashInFallbackGap(t *testing.T) {
	if out := os.Getenv("CASEPACK_TEST_GAP_OUT"); out != "" {
		c := newCase(t, defaultEvidence)
		spec := newerSpec(c)
		Build(context.Background(), spec, Options{OutDir: out, Zip: true, Force: true,
			fault: func(op atomicfs.Op, from, to string) error {
				if op == atomicfs.OpExchange {
					return errors.ErrUnsupported
				}
				if op == atomicfs.OpNoReplace && to == spec.Name {
					os.Exit(7) // killed between the old folder's rename and the new one's
				}
				return nil
			}})
		t.Fatal("the build was not stopped")
	}
	_, out, spec, old := builtPackage(t)
	cmd := crashChild(t, "TestCrashInFallbackGap", "CASEPACK_TEST_GAP_OUT="+out)
	outb, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("the child was not stopped where intended: %v\n%s", err, outb)
	}
	if _, err := os.Lstat(filepath.Join(out, spec.Name)); !errors.Is(err, fs.ErrNotExist) || !atomicfs.Pending(out, spec.Name) {
		t.Fatalf("the crash did not leave the gap (folder: %v, journal: %v)", err, atomicfs.Pending(out, spec.Name))
	}
	rec, err := atomicfs.Settle(out, spec.Name, time.Second)
	if err != nil || rec != atomicfs.RolledBack {
		t.Fatalf("Settle = %v, %v; want RolledBack", rec, err)
	}
	if got := readPair(t, out, spec.Name); got != old {
		t.Errorf("after Settle the pair is not the previous one (folder same: %v, zip same: %v)", got.folder == old.folder, got.zip == old.zip)
	}
	if got := listDir(t, out); len(got) != 2 {
		t.Errorf("left %q", got)
	}
}

// TestForceDropsStaleZip: --force without --zip replaces the package the
// earlier --zip build made as a whole: its ZIP would describe another
// package than the new folder, so it goes too. Without --force a ZIP alone
// is refused, for the same reason.
func TestForceDropsStaleZip(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	spec := c.spec(defaultEvidence)
	if _, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), newerSpec(c), Options{OutDir: out, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, out); len(got) != 1 || got[0] != spec.Name {
		t.Errorf("left %q, want only the new folder", got)
	}
	must(t, os.RemoveAll(filepath.Join(out, spec.Name)))
	must(t, os.WriteFile(filepath.Join(out, spec.Name+".zip"), []byte("an earlier ZIP"), 0o644))
	if _, err := Build(context.Background(), spec, Options{OutDir: out}); !errors.Is(err, ErrTargetExists) {
		t.Errorf("a folder beside an earlier ZIP: err %v, want ErrTargetExists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, spec.Name+".zip")); !bytes.Equal(b, []byte("an earlier ZIP")) {
		t.Error("the ZIP changed")
	}
}

// TestConcurrentBuildRefused: a second build of the same package while one
// holds it stops at once and says why.
func TestConcurrentBuildRefused(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	spec := c.spec(defaultEvidence)
	d, err := atomicfs.OpenDir(out, atomicfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := d.Unit(spec.Name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := u.Acquire(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), spec, Options{OutDir: out, Zip: true, Force: true})
	l.Unlock()
	var be *atomicfs.BusyError
	if !errors.As(err, &be) || !errors.Is(err, ErrBusy) || be.PID != os.Getpid() {
		t.Fatalf("err %v, want a BusyError naming this process", err)
	}
	if !strings.Contains(err.Error(), "another casepack command (process ") {
		t.Errorf("message %q", err)
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left %q", got)
	}
}

// TestEvidenceChangedDuringBuild: an evidence file (no declared digest)
// rewritten while the build copies it would be packaged with a digest that
// matches neither its old nor its new content, and verify "intact". The
// build fails naming the file, and leaves nothing.
func TestEvidenceChangedDuringBuild(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	video := c.files["EV-0001"]
	changed := false
	_, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out, Workers: 1,
		Progress: func(p digest.Progress) {
			if !changed && p.Path == video && !p.FileDone {
				changed = true
				time.Sleep(10 * time.Millisecond) // let the file's times move
				f, err := os.OpenFile(video, os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
					return
				}
				f.WriteAt([]byte("edited"), 0)
				f.Close()
			}
		}})
	if !changed {
		t.Fatal("the progress callback never saw the video")
	}
	if !errors.Is(err, source.ErrChanged) || !strings.Contains(err.Error(), video) {
		t.Fatalf("err %v, want the video named as changed while read", err)
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left %q", got)
	}
}

// TestForceFailureNamesNoOldFile: a --force build whose disk fills up while
// it writes the new version (here the new ZIP) must not name a file of the
// earlier package, which is intact: the error names the package, says it
// is unchanged, names the file within the new version, and the hint says
// that --force needs room for both versions. The earlier package is as it
// was. Without --force replacing anything, the error names the ZIP where
// it was to be.
func TestForceFailureNamesNoOldFile(t *testing.T) {
	full := func(op atomicfs.Op, from, to string) error {
		if op == atomicfs.OpWrite && strings.Contains(from, ".zip.tmp-") {
			return syscall.ENOSPC
		}
		return nil
	}
	c, out, spec, old := builtPackage(t)
	_, err := Build(context.Background(), newerSpec(c), Options{OutDir: out, Zip: true, Force: true, fault: full})
	var nr *NotReplacedError
	if !errors.As(err, &nr) || nr.Target != filepath.Join(out, spec.Name) {
		t.Fatalf("err = %v, want a NotReplacedError naming %s", err, filepath.Join(out, spec.Name))
	}
	msg := err.Error()
	want := filepath.Join(out, spec.Name) + ": the new version could not be written (" + spec.Name + ".zip: the disk is full); the package already there is unchanged"
	if msg != want {
		t.Errorf("message\n%s\nwant\n%s", msg, want)
	}
	if h := fault.HintOf(err); !strings.Contains(h, "needs room for both") {
		t.Errorf("hint %q does not say --force needs room for both versions", h)
	}
	if fault.ClassOf(err) != fault.Operational {
		t.Errorf("class %v, want operational", fault.ClassOf(err))
	}
	if got := readPair(t, out, spec.Name); got != old {
		t.Error("the earlier package changed")
	}

	// A first build: nothing is replaced, the ZIP is named where it goes.
	c = newCase(t, defaultEvidence)
	out = t.TempDir()
	_, err = Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: out, Zip: true, fault: full})
	if errors.As(err, &nr) || err == nil || err.Error() != filepath.Join(out, spec.Name+".zip")+": the disk is full" {
		t.Errorf("first build: err = %v, want %s: the disk is full", err, filepath.Join(out, spec.Name+".zip"))
	}
}

// letterSpec is spec with a file beside the package that names the digest
// of its tag manifest, as the covering letter does.
func letterSpec(spec Spec) Spec {
	spec.Beside = []Beside{{Suffix: ".letter.txt", Write: func(ctx context.Context, w io.Writer, pkg string, res *Result) error {
		_, err := io.WriteString(w, "tag manifest SHA-256 "+res.TagManifestSHA256+"\n")
		return err
	}}}
	return spec
}

// trio is a package's folder, ZIP and the file beside them.
type trio struct {
	pair
	letter string
}

func readTrio(t *testing.T, out, name string) trio {
	b, _ := os.ReadFile(filepath.Join(out, name+".letter.txt"))
	return trio{readPair(t, out, name), string(b)}
}

// TestBesideWithThePackage: the file beside a package (the covering letter,
// which names the package's tag manifest digest) is put in place with the
// folder and the ZIP as one unit. It was written after them, outside the
// unit: a crash or a failure in between left the earlier letter beside
// the new package, naming a digest the package no longer has.
func TestBesideWithThePackage(t *testing.T) {
	if out := os.Getenv("CASEPACK_TEST_BESIDE_OUT"); out != "" {
		spec := letterSpec(newerSpec(newCase(t, defaultEvidence)))
		Build(context.Background(), spec, Options{OutDir: out, Zip: true, Force: true,
			fault: func(op atomicfs.Op, from, to string) error {
				if isRename(op) && to == spec.Name+".letter.txt" && strings.Contains(from, ".tmp-") {
					os.Exit(7) // killed once the folder and ZIP are in, before the letter
				}
				return nil
			}})
		t.Fatal("the build was not stopped")
	}
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	spec := letterSpec(c.spec(defaultEvidence))
	res, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Beside) != 1 || res.Beside[0] != filepath.Join(out, spec.Name+".letter.txt") {
		t.Fatalf("Result.Beside = %q", res.Beside)
	}
	old := readTrio(t, out, spec.Name)
	if !strings.Contains(old.letter, res.TagManifestSHA256) {
		t.Fatalf("the letter %q does not name the package's digest %s", old.letter, res.TagManifestSHA256)
	}

	// The letter cannot go in: the folder and ZIP go back too.
	newer := letterSpec(newerSpec(c))
	_, err = Build(context.Background(), newer, Options{OutDir: out, Zip: true, Force: true,
		fault: func(op atomicfs.Op, from, to string) error {
			if isRename(op) && to == spec.Name+".letter.txt" && strings.Contains(from, ".tmp-") {
				return errInjected
			}
			return nil
		}})
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	if got := readTrio(t, out, spec.Name); got != old {
		t.Errorf("after a failed letter the package changed (folder same: %v, zip same: %v, letter same: %v)", got.folder == old.folder, got.zip == old.zip, got.letter == old.letter)
	}

	// Killed at that instant: the next command puts the earlier trio back.
	cmd := crashChild(t, "TestBesideWithThePackage", "CASEPACK_TEST_BESIDE_OUT="+out)
	outb, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("the child was not stopped where intended: %v\n%s", err, outb)
	}
	var warned []string
	if _, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true, Warn: func(m string) { warned = append(warned, m) }}); !errors.Is(err, ErrTargetExists) {
		t.Errorf("a build without --force: %v, want ErrTargetExists", err)
	}
	if len(warned) == 0 || !strings.Contains(warned[0], "the previous version was put back") {
		t.Errorf("warnings %q", warned)
	}
	if got := readTrio(t, out, spec.Name); got != old {
		t.Errorf("after recovery the package is not the earlier one (folder same: %v, zip same: %v, letter same: %v)", got.folder == old.folder, got.zip == old.zip, got.letter == old.letter)
	}

	// Replaced: the letter names the new package.
	res, err = Build(context.Background(), newer, Options{OutDir: out, Zip: true, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := readTrio(t, out, spec.Name); !strings.Contains(got.letter, res.TagManifestSHA256) || got.letter == old.letter {
		t.Errorf("after --force the letter %q does not name the new package (%s)", got.letter, res.TagManifestSHA256)
	}
	if got := listDir(t, out); len(got) != 3 {
		t.Errorf("left %q", got)
	}

	// The disk fills up while the letter is written: the message names
	// the letter within the new version, never its temporary name.
	before := readTrio(t, out, spec.Name)
	_, err = Build(context.Background(), letterSpec(c.spec(defaultEvidence)), Options{OutDir: out, Zip: true, Force: true,
		fault: func(op atomicfs.Op, from, to string) error {
			if op == atomicfs.OpWrite && strings.HasPrefix(from, "."+spec.Name+".letter.txt.tmp-") {
				return syscall.ENOSPC
			}
			return nil
		}})
	if want := filepath.Join(out, spec.Name) + ": the new version could not be written (" + spec.Name + ".letter.txt: the disk is full); the package already there is unchanged"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if got := readTrio(t, out, spec.Name); got != before {
		t.Error("the package changed")
	}

	// A letter alone is not replaced without --force.
	must(t, os.RemoveAll(filepath.Join(out, spec.Name)))
	must(t, os.Remove(filepath.Join(out, spec.Name+".zip")))
	before = readTrio(t, out, spec.Name)
	if _, err := Build(context.Background(), spec, Options{OutDir: out}); !errors.Is(err, ErrTargetExists) {
		t.Errorf("beside a letter alone: err %v, want ErrTargetExists", err)
	}
	if got := readTrio(t, out, spec.Name); got != before {
		t.Error("the letter changed")
	}
}

// besideIn is letterSpec with one file beside the package per language,
// named as a package in several languages names its covering letters.
func besideIn(spec Spec, langs ...string) Spec {
	spec.Beside = nil
	for _, l := range langs {
		spec.Beside = append(spec.Beside, Beside{Suffix: ".letter." + l + ".txt", Write: func(ctx context.Context, w io.Writer, pkg string, res *Result) error {
			_, err := io.WriteString(w, l+": tag manifest SHA-256 "+res.TagManifestSHA256+"\n")
			return err
		}})
	}
	spec.BesideEarlier = []string{".letter.en.txt", ".letter.fr.txt", ".letter.txt"}
	return spec
}

// TestForceRemovesEarlierBeside: files an earlier build put beside the
// package that the new one does not write (a letter in a language no
// longer asked for) describe the package being replaced: --force removes
// them with it, in the same unit (a failure puts them back with the rest);
// without --force they are refused like a ZIP.
func TestForceRemovesEarlierBeside(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	two := besideIn(c.spec(defaultEvidence), "en", "fr")
	if _, err := Build(context.Background(), two, Options{OutDir: out, Zip: true}); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, out)
	if len(before) != 4 {
		t.Fatalf("the first build left %q", before)
	}
	enLetter, _ := os.ReadFile(filepath.Join(out, two.Name+".letter.en.txt"))

	// The earlier French letter cannot be moved aside: nothing changes.
	one := besideIn(newerSpec(c), "en")
	_, err := Build(context.Background(), one, Options{OutDir: out, Zip: true, Force: true,
		fault: func(op atomicfs.Op, from, to string) error {
			if isRename(op) && from == two.Name+".letter.fr.txt" {
				return errInjected
			}
			return nil
		}})
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	if got := listDir(t, out); !slices.Equal(got, before) {
		t.Errorf("after a failure the folder holds %q, want %q", got, before)
	}
	if b, _ := os.ReadFile(filepath.Join(out, two.Name+".letter.en.txt")); !bytes.Equal(b, enLetter) {
		t.Error("after a failure the English letter changed")
	}

	res, err := Build(context.Background(), one, Options{OutDir: out, Zip: true, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{one.Name, one.Name + ".letter.en.txt", one.Name + ".zip"}
	if got := listDir(t, out); !slices.Equal(got, want) {
		t.Errorf("after --force the folder holds %q, want %q", got, want)
	}
	if len(res.Beside) != 1 || res.Beside[0] != filepath.Join(out, one.Name+".letter.en.txt") {
		t.Errorf("Result.Beside = %q: only the files written", res.Beside)
	}

	// A letter of an earlier build alone is refused without --force.
	must(t, os.RemoveAll(filepath.Join(out, one.Name)))
	must(t, os.Remove(filepath.Join(out, one.Name+".zip")))
	if _, err := Build(context.Background(), besideIn(c.spec(defaultEvidence), "fr"), Options{OutDir: out}); !errors.Is(err, ErrTargetExists) || !strings.Contains(err.Error(), ".letter.en.txt: already exists") {
		t.Errorf("beside an earlier letter alone: err %v, want it refused by name", err)
	}
	if got := listDir(t, out); len(got) != 1 {
		t.Errorf("left %q", got)
	}
}

// TestBesideWhileChecked: the files beside the package are written while
// its folders are dated and the caller's check runs. When the check fails
// with a letter still being written, the build reports the check's
// failure, not the letter's interruption, and returns only once the
// letter has stopped: nothing is left in the output folder.
func TestBesideWhileChecked(t *testing.T) {
	c := newCase(t, defaultEvidence)
	out := t.TempDir()
	spec := c.spec(defaultEvidence)
	writing := make(chan struct{})
	stopped := make(chan struct{})
	spec.Beside = []Beside{{Suffix: ".letter.txt", Write: func(ctx context.Context, w io.Writer, pkg string, res *Result) error {
		defer close(stopped)
		close(writing)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			t.Error("the letter was not stopped when the build failed")
			_, err := io.WriteString(w, "a letter\n")
			return err
		}
	}}}
	spec.Check = func(ctx context.Context, dir string) error {
		select {
		case <-writing: // the letter is being written meanwhile
		case <-time.After(10 * time.Second):
			t.Error("the letter was not written while the package was checked")
		}
		return errInjected
	}
	_, err := Build(context.Background(), spec, Options{OutDir: out})
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v, want the check's failure", err)
	}
	select {
	case <-stopped:
	default:
		t.Error("Build returned while the letter was still being written")
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left %q", got)
	}
}
