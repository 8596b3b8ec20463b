package atomicfs

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeTreeFiles writes files (relative path -> bytes) into the tree at dir
// the way a build does: chunk by chunk, telling the tree, then handing
// each file over.
func writeTreeFiles(t *testing.T, tr *Tree, dir string, files map[string]string, mtime time.Time) error {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		var off int64
		for _, chunk := range []string{files[n][:len(files[n])/2], files[n][len(files[n])/2:]} {
			if _, err := f.WriteString(chunk); err != nil {
				t.Fatal(err)
			}
			tr.Wrote(f, off, int64(len(chunk)))
			off += int64(len(chunk))
		}
		if err := tr.Done(f, mtime); err != nil {
			return err
		}
	}
	return nil
}

var treeFiles = map[string]string{
	"bagit.txt":                      "BagIt-Version: 1.0\n",
	"data/evidence/EV-0001/a.mp4":    "video bytes",
	"data/evidence/EV-0002/b.jpg":    "photo bytes",
	"data/narrative/submission.pdf":  "%PDF-1.7",
	"data/evidence/EV-0003/c/d.docx": "nested",
}

// TestTreeSyncsEverything: both ways sync before Sync returns — the whole
// way once, the per-file way every file and every folder, deepest folders
// first — and every file keeps its bytes and gets its time.
func TestTreeSyncsEverything(t *testing.T) {
	mtime := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	for _, perFile := range []bool{false, true} {
		parent := t.TempDir()
		dir := filepath.Join(parent, "pkg")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var synced []string
		tr, err := OpenTree(dir, TreeOptions{PerFile: perFile, Fault: func(op Op, from, to string) error {
			if op != OpSync || to != "" {
				t.Errorf("unexpected step %s %s %s", op, from, to)
			}
			mu.Lock()
			synced = append(synced, from)
			mu.Unlock()
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := writeTreeFiles(t, tr, dir, treeFiles, mtime); err != nil {
			t.Fatal(err)
		}
		if err := tr.Sync(); err != nil {
			t.Fatal(err)
		}
		after := len(synced)
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
		if len(synced) != after {
			t.Errorf("perFile=%v: %d syncs after Sync returned", perFile, len(synced)-after)
		}
		if !perFile && tr.Whole() {
			if !slices.Equal(synced, []string{"pkg"}) {
				t.Errorf("whole: synced %q, want the tree once", synced)
			}
		} else {
			var want []string
			for n := range treeFiles {
				want = append(want, "pkg/"+n)
			}
			want = append(want, "pkg", "pkg/data", "pkg/data/evidence", "pkg/data/evidence/EV-0001", "pkg/data/evidence/EV-0002",
				"pkg/data/evidence/EV-0003", "pkg/data/evidence/EV-0003/c", "pkg/data/narrative")
			got := slices.Clone(synced)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("per file: synced %q\nwant %q", got, want)
			}
			// A folder is synced after every folder inside it.
			pos := map[string]int{}
			for i, s := range synced {
				pos[s] = i
			}
			for _, d := range []string{"pkg/data/evidence/EV-0003/c", "pkg/data/evidence", "pkg/data"} {
				if pos[d] > pos[filepath.Dir(d)] {
					t.Errorf("per file: %s synced after its parent", d)
				}
			}
		}
		for n, content := range treeFiles {
			p := filepath.Join(dir, filepath.FromSlash(n))
			b, err := os.ReadFile(p)
			if err != nil || string(b) != content {
				t.Errorf("%s: %q, %v", n, b, err)
			}
			if fi, err := os.Stat(p); err != nil || !fi.ModTime().Equal(mtime) {
				t.Errorf("%s: time %v, want %v", n, fi.ModTime(), mtime)
			}
		}
	}
}

// TestTreeSyncFailure: a failed sync is Sync's error, either way; in the
// per-file way a file handed over after the failure is refused at once.
func TestTreeSyncFailure(t *testing.T) {
	errDisk := errors.New("injected: I/O error")
	for _, perFile := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "pkg")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		tr, err := OpenTree(dir, TreeOptions{PerFile: perFile, Fault: func(op Op, from, to string) error {
			if from == "pkg" || from == "pkg/data/evidence/EV-0001/a.mp4" {
				return errDisk
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		werr := writeTreeFiles(t, tr, dir, treeFiles, time.Time{})
		err = tr.Sync()
		if werr != nil && !errors.Is(werr, errDisk) {
			t.Errorf("perFile=%v: Done: %v", perFile, werr)
		}
		if !errors.Is(err, errDisk) && !errors.Is(werr, errDisk) {
			t.Errorf("perFile=%v: Sync = %v, want the sync failure", perFile, err)
		}
		tr.Close()
	}
}

// TestTreeCloseBeforeSync: a build that fails before Sync closes the tree;
// every file is closed (the folder can be removed, also on systems that
// refuse to remove open files) and nothing waits for the disk.
func TestTreeCloseBeforeSync(t *testing.T) {
	for _, perFile := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "pkg")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		tr, err := OpenTree(dir, TreeOptions{PerFile: perFile})
		if err != nil {
			t.Fatal(err)
		}
		if err := writeTreeFiles(t, tr, dir, treeFiles, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTreeFlush: an early write-back (Flush) in the whole way is one more
// syncfs of the tree, on another goroutine; Sync still syncs after every
// file is handed over, and a failure the early one saw is Sync's error
// even when the final syncfs succeeds (the file system reports a
// write-back error to the tree's descriptor only once). Close waits for
// an early syncfs still running. In the per-file way Flush does nothing:
// every file is synced as it is handed over.
func TestTreeFlush(t *testing.T) {
	errDisk := errors.New("injected: I/O error")
	for _, tc := range []struct {
		name      string
		perFile   bool
		failFirst bool // the early syncfs fails, the final one does not
		closeOnly bool // the build fails before Sync
	}{
		{"whole", false, false, false},
		{"whole, early sync fails", false, true, false},
		{"whole, closed before Sync", false, false, true},
		{"per file", true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pkg")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var synced []string
			release := make(chan struct{})
			tr, err := OpenTree(dir, TreeOptions{PerFile: tc.perFile, Fault: func(op Op, from, to string) error {
				mu.Lock()
				synced = append(synced, from)
				n := len(synced)
				mu.Unlock()
				if from == "pkg" && n == 1 {
					<-release // the early syncfs is still running while more is written
					if tc.failFirst {
						return errDisk
					}
				}
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			whole := tr.Whole()
			if !whole && !tc.perFile {
				t.Skip("this file system syncs file by file")
			}
			half := map[string]string{"data/evidence/EV-0001/a.mp4": treeFiles["data/evidence/EV-0001/a.mp4"]}
			if err := writeTreeFiles(t, tr, dir, half, time.Time{}); err != nil {
				t.Fatal(err)
			}
			tr.Flush()
			tr.Flush() // one early syncfs at a time
			rest := maps.Clone(treeFiles)
			delete(rest, "data/evidence/EV-0001/a.mp4")
			if err := writeTreeFiles(t, tr, dir, rest, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if tc.closeOnly {
				var released atomic.Bool
				go func() {
					time.Sleep(50 * time.Millisecond)
					released.Store(true)
					close(release)
				}()
				if err := tr.Close(); err != nil {
					t.Fatal(err)
				}
				if !released.Load() {
					t.Error("Close returned while the early syncfs was still running")
				}
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(synced, []string{"pkg"}) {
					t.Errorf("synced %q, want only the early syncfs", synced)
				}
				return
			}
			close(release)
			err = tr.Sync()
			tr.Close()
			mu.Lock()
			defer mu.Unlock()
			if tc.failFirst {
				if !errors.Is(err, errDisk) {
					t.Errorf("Sync = %v, want the early syncfs's failure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if whole && !slices.Equal(synced, []string{"pkg", "pkg"}) {
				t.Errorf("whole: synced %q, want the early syncfs and the final one", synced)
			}
			if !whole && slices.Contains(synced, "pkg") && synced[len(synced)-1] != "pkg" {
				t.Errorf("per file: synced %q, the tree's own folder last", synced)
			}
		})
	}
}

func TestKernelAtLeast(t *testing.T) {
	for _, tc := range []struct {
		release string
		want    bool
	}{
		{"5.8.0", true}, {"5.7.19", false}, {"6.1.0-18-amd64", true}, {"4.19.0", false},
		{"5.10.0-rc1", true}, {"5.8-rc3", true}, {"10.0", true}, {"", false}, {"x.y", false},
	} {
		if got := kernelAtLeast(append([]byte(tc.release), 0, 0), 5, 8); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.release, got, tc.want)
		}
	}
}

// TestSealIn: a file beside a tree (a package's covering letter), sealed
// before the tree is synced, gets no fsync of its own where the tree
// syncs the whole file system that holds it — the tree's syncfs, still to
// come, writes it — and its own fsync everywhere else: in the per-file
// way, after the tree's Sync, and with no tree. Its bytes, mode and time
// are the same either way.
func TestSealIn(t *testing.T) {
	for _, tc := range []struct {
		name            string
		perFile, before bool // before: the tree is synced before the file is sealed
		noTree          bool
	}{
		{"whole", false, false, false},
		{"whole, tree already synced", false, true, false},
		{"per file", true, false, false},
		{"no tree", false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			pkg := filepath.Join(out, "pkg")
			if err := os.Mkdir(pkg, 0o755); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var synced []string
			record := func(op Op, from, to string) error {
				if op == OpSync {
					mu.Lock()
					synced = append(synced, from)
					mu.Unlock()
				}
				return nil
			}
			tr, err := OpenTree(pkg, TreeOptions{PerFile: tc.perFile, Fault: record})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if !tc.perFile && !tr.Whole() {
				t.Skip("this file system syncs file by file")
			}
			d, err := OpenDir(out, Options{Fault: record})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if tc.before {
				if err := tr.Sync(); err != nil {
					t.Fatal(err)
				}
			}
			date := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
			f, err := d.Create("pkg.letter.txt", FileOptions{Perm: 0o640, ModTime: date})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("letter")); err != nil {
				t.Fatal(err)
			}
			var with *Tree
			if !tc.noTree {
				with = tr
			}
			if err := f.SealIn(with); err != nil {
				t.Fatal(err)
			}
			if !tc.before {
				if err := tr.Sync(); err != nil {
					t.Fatal(err)
				}
			}
			own := slices.Contains(synced, f.TempName())
			if want := tc.perFile || tc.before || tc.noTree; own != want {
				t.Errorf("the file's own fsync: %v, want %v (syncs %q)", own, want, synced)
			}
			if !tc.perFile && !slices.Contains(synced, "pkg") {
				t.Errorf("the tree was not synced (syncs %q)", synced)
			}
			st, err := os.Stat(filepath.Join(out, f.TempName()))
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o640 || !st.ModTime().Equal(date) || st.Size() != 6 {
				t.Errorf("sealed file: mode %v, time %v, size %d", st.Mode(), st.ModTime(), st.Size())
			}
		})
	}
}
