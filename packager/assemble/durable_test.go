package assemble

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/testtool"
)

// step is one file-system step Build took, as the fault hook saw it.
type step struct {
	op       atomicfs.Op
	from, to string
}

// recordSteps builds spec into out and returns every step, in order.
func recordSteps(t *testing.T, spec Spec, out string, perFile bool) []step {
	t.Helper()
	var mu sync.Mutex
	var steps []step
	_, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true, perFileSync: perFile,
		fault: func(op atomicfs.Op, from, to string) error {
			mu.Lock()
			steps = append(steps, step{op, from, to})
			mu.Unlock()
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

// durableEvidence is defaultEvidence and a file large enough to be copied
// and re-read with direct I/O (digest.Direct), ending in a partial block:
// the durability tests cover both ways a copy is written.
var durableEvidence = append(defaultEvidence[:len(defaultEvidence):len(defaultEvidence)],
	evSpec{"EV-0006", "long.mp4", "video/mp4", 2*digest.BufferSize + 4097, false})

// TestSyncedBeforeRename: however the bytes are flushed — one syncfs of
// the whole package, or every file and folder on its own — every sync
// happens before the rename that puts the package in place, and in the
// per-file way every file and folder of the package is synced.
func TestSyncedBeforeRename(t *testing.T) {
	for _, perFile := range []bool{false, true} {
		c := newCase(t, durableEvidence)
		spec := c.spec(durableEvidence)
		out := t.TempDir()
		steps := recordSteps(t, spec, out, perFile)

		tmp, published, lastSync := "", -1, -1
		synced := map[string]bool{}
		for i, s := range steps {
			switch {
			case s.op == atomicfs.OpCreate && tmp == "" && strings.HasPrefix(s.from, "."+spec.Name+".tmp-"):
				tmp = s.from
			case s.op == atomicfs.OpSync && tmp != "" && (s.from == tmp || strings.HasPrefix(s.from, tmp+"/")):
				lastSync = i
				synced[strings.TrimPrefix(strings.TrimPrefix(s.from, tmp), "/")] = true
			case isRename(s.op) && s.from == tmp && published < 0:
				published = i
			}
		}
		if tmp == "" || published < 0 || lastSync < 0 {
			t.Fatalf("perFile=%v: temporary folder %q, published at step %d, last sync at %d:\n%v", perFile, tmp, published, lastSync, steps)
		}
		if lastSync > published {
			t.Errorf("perFile=%v: the package was renamed into place (step %d) before its last sync (step %d)", perFile, published, lastSync)
		}
		whole := !perFile && wholeHere(t, out)
		if whole {
			if len(synced) != 1 || !synced[""] {
				t.Errorf("whole: synced %v, want the package folder once", synced)
			}
			continue
		}
		// Per file: every file and folder now in the package was synced.
		root := filepath.Join(out, spec.Name)
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if rel = filepath.ToSlash(rel); rel == "." {
				rel = ""
			}
			if !synced[rel] {
				t.Errorf("per file: %q was not synced before the rename", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// wholeHere reports whether a tree in dir syncs the whole way.
func wholeHere(t *testing.T, dir string) bool {
	tr, err := atomicfs.OpenTree(dir, atomicfs.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return tr.Whole()
}

// TestSyncFailureLeavesNothing: when the package's bytes cannot be made
// durable (the whole sync fails, or one file's), the build fails, nothing
// is renamed into place and nothing is left behind.
func TestSyncFailureLeavesNothing(t *testing.T) {
	errIO := errors.New("injected: input/output error")
	for _, tc := range []struct {
		name    string
		perFile bool
		fails   func(tmp, from string) bool
	}{
		{"whole sync", false, func(tmp, from string) bool { return from == tmp }},
		// The syncfs started early, once the evidence is copied
		// (atomicfs.Tree.Flush); the final one succeeds.
		{"early whole sync", false, firstOnly(func(tmp, from string) bool { return from == tmp })},
		{"one file", true, func(tmp, from string) bool { return from == tmp+"/data/evidence/EV-0002/photo.jpg" }},
		{"one large file", true, func(tmp, from string) bool { return from == tmp+"/data/evidence/EV-0006/long.mp4" }},
		{"one folder", true, func(tmp, from string) bool { return from == tmp+"/data/evidence" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t, durableEvidence)
			spec := c.spec(durableEvidence)
			out := t.TempDir()
			var mu sync.Mutex
			tmp, renamed, failed := "", false, false
			_, err := Build(context.Background(), spec, Options{OutDir: out, Zip: true, perFileSync: tc.perFile,
				fault: func(op atomicfs.Op, from, to string) error {
					mu.Lock()
					defer mu.Unlock()
					switch {
					case op == atomicfs.OpCreate && tmp == "" && strings.HasPrefix(from, "."+spec.Name+".tmp-"):
						tmp = from
					case op == atomicfs.OpSync && tc.fails(tmp, from):
						failed = true
						return errIO
					case isRename(op) && from == tmp && !atomicfs.IsTrash(to): // not put out of the way on failure
						renamed = true
					}
					return nil
				}})
			if !errors.Is(err, errIO) {
				t.Fatalf("err = %v, want the sync failure", err)
			}
			if !failed || renamed {
				t.Errorf("sync failed: %v; package renamed into place anyway: %v", failed, renamed)
			}
			if got := listDir(t, out); len(got) != 0 {
				t.Errorf("left behind %q", got)
			}
		})
	}
}

// firstOnly is true for the first step fails is true for, and only that.
func firstOnly(fails func(tmp, from string) bool) func(tmp, from string) bool {
	done := false
	return func(tmp, from string) bool {
		if done || !fails(tmp, from) {
			return false
		}
		done = true
		return true
	}
}

// TestInterruptedLeavesNothing: Ctrl-C at any point before the rename —
// while the evidence is copied, while the package is synced to disk, while
// it is verified — fails the build and leaves nothing behind.
func TestInterruptedLeavesNothing(t *testing.T) {
	for _, when := range []string{"copy", "sync", "verify"} {
		for _, perFile := range []bool{false, true} {
			c := newCase(t, durableEvidence)
			out := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			opt := Options{OutDir: out, Zip: true, perFileSync: perFile}
			switch when {
			case "copy":
				opt.Progress = func(p digest.Progress) {
					if p.TotalDone > 0 {
						cancel()
					}
				}
			case "sync":
				opt.fault = func(op atomicfs.Op, from, to string) error {
					if op == atomicfs.OpSync {
						cancel()
					}
					return nil
				}
			case "verify":
				opt.VerifyProgress = func(digest.Progress) { cancel() }
			}
			_, err := Build(ctx, c.spec(durableEvidence), opt)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s (perFile=%v): err = %v, want context.Canceled", when, perFile, err)
			}
			if got := listDir(t, out); len(got) != 0 {
				t.Errorf("%s (perFile=%v): left behind %q", when, perFile, got)
			}
		}
	}
}

// TestSyscallOrder watches the real system calls (strace): the package's
// bytes reach the disk — a syncfs started once every file is written (an
// earlier one may have started their write-back), or an fsync per file
// and folder — before the rename that publishes it, and so do its files'
// and folders' times (the build date, which makes two builds identical):
// none is set after the last syncfs started. The build runs in a child process
// (this test binary, TestStraceChild).
func TestSyscallOrder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("strace is Linux's")
	}
	strace := testtool.Need(t, "strace")
	for _, perFile := range []bool{false, true} {
		c := newCase(t, durableEvidence)
		name := c.spec(durableEvidence).Name
		out := t.TempDir()
		log := filepath.Join(t.TempDir(), "strace.log")
		cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=syncfs,fsync,fdatasync,rename,renameat,renameat2,utimensat", "-o", log,
			os.Args[0], "-test.run=^TestStraceChild$")
		cmd.Env = append(os.Environ(), "CASEPACK_STRACE_CHILD="+c.dir+"|"+out)
		if perFile {
			cmd.Env = append(cmd.Env, "CASEPACK_STRACE_PERFILE=1")
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("perFile=%v: %v\n%s", perFile, err, b)
		}
		f, err := os.Open(log)
		if err != nil {
			t.Fatal(err)
		}
		var syncfs, fsyncs, afterRename, times, timesAfterSyncfs int
		renamed := false
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			// A call another thread interrupted is logged twice: "fsync(5
			// <unfinished ...>", then "<... fsync resumed>) = 0" when done.
			isSync := strings.Contains(line, "syncfs") || strings.Contains(line, "fsync")
			if strings.Contains(line, "syncfs(") && !renamed {
				// A syncfs starts: it covers every time set before.
				timesAfterSyncfs = 0
			}
			switch {
			case strings.Contains(line, "utimensat(") && !renamed:
				times++
				if syncfs > 0 {
					timesAfterSyncfs++
				}
			case strings.Contains(line, "rename") && strings.Contains(line, ".tmp-") && strings.Contains(line, `"`+name+`"`):
				renamed = true
			case isSync && strings.Contains(line, "= 0"):
				if renamed {
					afterRename++
				} else if strings.Contains(line, "syncfs") {
					syncfs++
				} else {
					fsyncs++
				}
			}
		}
		f.Close()
		if !renamed {
			t.Fatalf("perFile=%v: no rename of the package in the trace", perFile)
		}
		whole := !perFile && wholeHere(t, out)
		files := len(listTree(t, filepath.Join(out, name)))
		switch {
		case whole && syncfs < 1:
			t.Errorf("whole: no syncfs before the rename")
		case !whole && fsyncs < files:
			t.Errorf("per file: %d fsyncs before the rename for %d files and folders", fsyncs, files)
		}
		if times < files {
			t.Errorf("perFile=%v: %d times set before the rename for %d files and folders", perFile, times, files)
		}
		if whole && timesAfterSyncfs > 0 {
			t.Errorf("whole: %d times set after the last syncfs started, which no longer covers them", timesAfterSyncfs)
		}
		t.Logf("perFile=%v: %d syncfs and %d fsync before the rename, %d after (the output folder)", perFile, syncfs, fsyncs, afterRename)
	}
}

// TestCopiesOpenedOnce: every evidence copy is created, written, read
// back and closed through one descriptor (evidence.Options.ReadBack),
// never opened again by name, not even by the verify-after-write, which
// takes the copy as read back. A large copy was opened once more, to be
// re-read from the disk with SHA-256 once complete; it is now read back
// from the disk as it is written, through the descriptor it is written
// with. The build runs in a child process (TestStraceChild).
func TestCopiesOpenedOnce(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("strace is Linux's; elsewhere every copy is read back by name")
	}
	strace := testtool.Need(t, "strace")
	c := newCase(t, durableEvidence)
	spec := c.spec(durableEvidence)
	out := t.TempDir()
	log := filepath.Join(t.TempDir(), "strace.log")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", log, os.Args[0], "-test.run=^TestStraceChild$")
	cmd.Env = append(os.Environ(), "CASEPACK_STRACE_CHILD="+c.dir+"|"+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	trace, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range durableEvidence {
		opens, created := 0, false
		for line := range strings.Lines(string(trace)) {
			if !strings.Contains(line, "/."+spec.Name+".tmp-") || !strings.Contains(line, `/`+spec.Evidence[i].Dst+`"`) {
				continue
			}
			opens++
			created = created || strings.Contains(line, "O_CREAT")
		}
		if opens != 1 || !created {
			t.Errorf("%s (%d bytes): opened %d times in the temporary folder (created %v), want once", spec.Evidence[i].Dst, e.size, opens, created)
		}
	}
}

// TestStraceChild is the build TestSyscallOrder watches; it does nothing
// unless run by it.
func TestStraceChild(t *testing.T) {
	env := os.Getenv("CASEPACK_STRACE_CHILD")
	if env == "" {
		t.Skip("run by TestSyscallOrder")
	}
	dir, out, _ := strings.Cut(env, "|")
	c := &caseFolder{dir: dir, files: map[string]string{}}
	for _, e := range durableEvidence {
		c.files[e.id] = filepath.Join(dir, "evidence", e.id, e.name)
	}
	spec := c.spec(durableEvidence)
	if _, err := Build(context.Background(), spec, Options{OutDir: out, perFileSync: os.Getenv("CASEPACK_STRACE_PERFILE") == "1"}); err != nil {
		t.Fatal(err)
	}
}

// listTree lists every file and folder under dir, dir included.
func listTree(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		out = append(out, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCopyChangedAfterHashingFails: each evidence copy is read back as it
// is written (or re-read once complete), while the others are copied and
// the rest of the package is generated; a copy whose bytes are not those
// hashed as it was written — a byte changed, or cut short, between its
// write and its read-back — still fails the verify-after-write, by name,
// and leaves nothing behind: it is never taken as read back.
func TestCopyChangedAfterHashingFails(t *testing.T) {
	for _, changed := range []string{"data/evidence/EV-0002/photo.jpg", "data/evidence/EV-0006/long.mp4"} {
		for _, cut := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/cut=%v", path.Base(changed), cut), func(t *testing.T) { copyChangedAfterHashing(t, changed, cut) })
		}
	}
}

func copyChangedAfterHashing(t *testing.T, changed string, cut bool) {
	c := newCase(t, durableEvidence)
	spec := c.spec(durableEvidence)
	out := t.TempDir()
	var tampered atomic.Bool
	_, err := Build(context.Background(), spec, Options{OutDir: out, beforeReread: func(dir, bagPath string) {
		if bagPath != changed {
			return
		}
		// Runs on the build's re-reading goroutine: t.Error, not t.Fatal.
		p := filepath.Join(dir, filepath.FromSlash(changed))
		if cut {
			if err := os.Truncate(p, 10); err != nil {
				t.Error(err)
				return
			}
			tampered.Store(true)
			return
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return
		}
		b[0] ^= 1
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Error(err)
			return
		}
		tampered.Store(true)
	}})
	if !tampered.Load() {
		t.Fatal("the copy was never handed over to be read back")
	}
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *VerifyError", err)
	}
	// The first error names the copy; a copy cut short is first a
	// payload of the wrong size (CP-BAG-OXUM), then the copy itself.
	named := false
	for _, f := range ve.Report.Errors() {
		named = named || f.Path == changed
	}
	if !named || !cut && !strings.Contains(err.Error(), changed) {
		t.Errorf("error does not name %s (in the report: %v): %v", changed, named, err)
	}
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("left behind %q", got)
	}
}

// TestBesideSyncedWithThePackage: a file beside the package (the covering
// letter) is written before the package's last sync; where that sync is
// one syncfs of the file system holding both, it makes the letter durable
// too, and the letter gets no fsync of its own (which waited for the
// evidence copies' write-back); file by file, it gets its own. Either
// way it is sealed before the package's last sync and put in place after.
func TestBesideSyncedWithThePackage(t *testing.T) {
	for _, perFile := range []bool{false, true} {
		c := newCase(t, durableEvidence)
		spec := letterSpec(c.spec(durableEvidence))
		out := t.TempDir()
		steps := recordSteps(t, spec, out, perFile)
		letter := "." + spec.Name + ".letter.txt.tmp-"
		tmp, own, lastSync, created, published := "", -1, -1, -1, -1
		for i, s := range steps {
			switch {
			case s.op == atomicfs.OpCreate && tmp == "" && strings.HasPrefix(s.from, "."+spec.Name+".tmp-"):
				tmp = s.from
			case s.op == atomicfs.OpCreate && strings.HasPrefix(s.from, letter):
				created = i
			case s.op == atomicfs.OpSync && strings.HasPrefix(s.from, letter):
				own = i
			case s.op == atomicfs.OpSync && tmp != "" && s.from == tmp:
				lastSync = i
			case isRename(s.op) && strings.HasPrefix(s.from, letter) && s.to == spec.Name+".letter.txt":
				published = i
			}
		}
		if created < 0 || published < 0 {
			t.Fatalf("perFile=%v: letter created at step %d, put in place at %d:\n%v", perFile, created, published, steps)
		}
		if whole := !perFile && wholeHere(t, out); whole {
			if own >= 0 {
				t.Errorf("whole: the letter got a sync of its own (step %d)", own)
			}
			if !(created < lastSync && lastSync < published) {
				t.Errorf("whole: letter created at step %d, package synced at %d, letter put in place at %d", created, lastSync, published)
			}
		} else if !(created < own && own < published) {
			t.Errorf("per file: letter created at step %d, synced at %d, put in place at %d", created, own, published)
		}
	}
}
