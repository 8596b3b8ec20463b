package atomicfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Tree makes a folder full of new files durable as a whole before it is
// published (a package folder before [Unit.Publish]): nothing is renamed
// into place before its bytes are on disk.
//
// Writers tell the tree of every chunk they write ([Tree.Wrote]) and hand
// over every file they finish ([Tree.Done]). Write-back to the disk of a
// large file starts as it is written, so the disk works while the CPU goes
// on hashing, and [Tree.Sync] waits only for what is left. The tree syncs one of two ways,
// chosen when it is opened:
//
//   - Whole: one syncfs(2) of the file system that holds the tree, when
//     every file is written. On Linux 5.8 and later it reports every
//     write-back error on that file system since the tree was opened (the
//     tree holds a descriptor from the start), and on ext4, XFS, Btrfs and
//     F2FS it writes back every dirty page and commits the journal, folder
//     entries and file times included: what syncing every file and every
//     folder gives, in one call instead of two per file. tmpfs is memory
//     and has nothing to write.
//   - Per file: every file is synced (fsync) as it is handed over, on a few
//     goroutines, and every folder of the tree at Sync. Everywhere else:
//     other systems, older kernels, network, FUSE and overlay file systems,
//     where a syncfs may not reach the disk or report its errors.
type Tree struct {
	path  string
	dir   *os.File // held from the start: syncfs reports errors since it was opened
	fault func(op Op, from, to string) error
	// writeback is TreeOptions.Writeback.
	writeback func(name string, off, n int64)
	whole     bool

	queue  chan *os.File  // per file: files waiting for their fsync
	wg     sync.WaitGroup // the per-file syncers, or the whole way's early syncfs (Flush)
	mu     sync.Mutex
	err    error // the first failed fsync, close or early syncfs
	synced bool
	drop   atomic.Bool // closed before Sync: close waiting files unsynced
	// flushing is set while an early syncfs (Flush) runs.
	flushing bool
}

// TreeOptions tune [OpenTree].
type TreeOptions struct {
	// Fault, as [Options.Fault], is called with OpSync before every sync
	// the tree makes, with the path of what is synced relative to the
	// tree's parent folder (the tree's own name for the whole tree).
	Fault func(op Op, from, to string) error
	// PerFile syncs file by file even where the whole way is available
	// (to compare the two, and to test the per-file way everywhere).
	PerFile bool
	// Writeback, when set, is called with the file's name, offset and
	// length each time [Tree.Wrote] asks the kernel to start writing a
	// range (tests: which files start for the disk as they are written).
	Writeback func(name string, off, n int64)
}

// treeSyncers is the number of goroutines syncing files in the per-file
// way: an fsync waits on the disk, not the CPU, and a few in flight let
// the file system commit them together.
const treeSyncers = 4

// OpenTree starts making the folder at path durable. Open it before the
// first file is written in it, and Close it when done.
func OpenTree(path string, opt TreeOptions) (*Tree, error) {
	d, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	t := &Tree{path: path, dir: d, fault: opt.Fault, writeback: opt.Writeback, whole: !opt.PerFile && wholeSync(d)}
	if !t.whole {
		t.queue = make(chan *os.File, 16*treeSyncers)
		for range treeSyncers {
			t.wg.Go(t.syncer)
		}
	}
	return t, nil
}

// Whole reports whether the tree syncs the whole way (one syncfs).
func (t *Tree) Whole() bool { return t.whole }

// Wrote starts the write-back of n bytes of f at offset off, without
// waiting for it. It is a hint: a failure shows at Sync. A range that ends
// within a file's first writebackFrom bytes is left to the kernel's own
// write-back and to Sync (or the file's fsync): for a small file the
// call costs more than the head start is worth (a build of 20,000 photos
// of 4–64 KiB spent a quarter of its system time in it, one call each) — while a
// large file's chunks past that still start for the disk as written.
func (t *Tree) Wrote(f *os.File, off, n int64) {
	if n > 0 && off+n < writebackFrom {
		return
	}
	if t.writeback != nil {
		t.writeback(f.Name(), off, n)
	}
	startWriteback(f, off, n)
}

// writebackFrom is where Wrote starts asking for write-back (see Wrote).
const writebackFrom = 1 << 20

// Flush starts writing to the disk, without waiting for it, everything
// handed over so far, so that [Tree.Sync] finds little left to write: in
// the whole way, a syncfs on another goroutine (unless one is running
// already); in the per-file way every file is synced as it is handed over
// anyway, and Flush does nothing.
//
// A small file never starts for the disk as it is written (see Wrote),
// and the kernel leaves a build's copies in memory long after the build
// would have published them; a build of 20,000 photos of 4–64 KiB spent
// over a second in its final Sync with both cores idle. A build calls
// Flush once its evidence is copied: the disk then writes the copies
// while the build generates and checks the rest. Durability does not rest
// on it: Sync still syncs the whole tree once every file is written, and
// an error the early syncfs saw (which the file system reports only once
// to the descriptor the tree holds) is Sync's error.
func (t *Tree) Flush() {
	if !t.whole {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.flushing || t.synced || t.err != nil {
		return
	}
	t.flushing = true
	t.wg.Go(func() {
		err := t.syncWhole()
		t.mu.Lock()
		t.flushing = false
		t.mu.Unlock()
		if err != nil {
			t.fail(err)
		}
	})
}

// covers reports whether t's Sync, not yet made, will sync the whole file
// system that holds f (see File.SealIn); false for a nil t.
func (t *Tree) covers(f *os.File) bool {
	if t == nil || !t.whole {
		return false
	}
	t.mu.Lock()
	synced := t.synced
	t.mu.Unlock()
	return !synced && sameFileSystem(t.dir, f)
}

// syncWhole is one syncfs of the tree's file system, through the fault
// hook.
func (t *Tree) syncWhole() error {
	if err := t.check(t.path); err != nil {
		return err
	}
	if err := syncfs(t.dir); err != nil {
		return fmt.Errorf("sync %s: %w", t.path, err)
	}
	return nil
}

// Done hands over f, finished: its modification time is set to mtime
// (unless zero), and it is closed — in the per-file way, after its fsync,
// on another goroutine. An error may show here or at Sync.
func (t *Tree) Done(f *os.File, mtime time.Time) error {
	if !mtime.IsZero() {
		if err := setModTime(f, mtime); err != nil {
			f.Close()
			return err
		}
	}
	if t.whole {
		return f.Close()
	}
	if err := t.failed(); err != nil {
		f.Close()
		return err
	}
	t.queue <- f
	return nil
}

// DoneFD is Done for the file name written through the bare descriptor
// fd (a small evidence copy that never became an *os.File): dated and
// closed — in the per-file way, synced first, as Done does.
func (t *Tree) DoneFD(fd int, name string, mtime time.Time) error {
	if !t.whole {
		return t.Done(os.NewFile(uintptr(fd), name), mtime)
	}
	return doneFD(fd, name, mtime)
}

func (t *Tree) syncer() {
	for f := range t.queue {
		if t.drop.Load() {
			f.Close()
			continue
		}
		err := t.check(f.Name())
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.fail(fmt.Errorf("sync %s: %w", f.Name(), err))
		}
	}
}

func (t *Tree) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
}

func (t *Tree) failed() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// check calls the fault hook for a sync of p.
func (t *Tree) check(p string) error {
	if t.fault == nil {
		return nil
	}
	rel, err := filepath.Rel(filepath.Dir(t.path), p)
	if err != nil {
		rel = p
	}
	if err := t.fault(OpSync, filepath.ToSlash(rel), ""); err != nil {
		return &fs.PathError{Op: string(OpSync), Path: p, Err: err}
	}
	return nil
}

// Sync makes every file handed over and every folder of the tree durable;
// the tree may then be renamed into place. Nothing may be handed over
// after Sync.
func (t *Tree) Sync() error {
	t.mu.Lock()
	synced := t.synced
	t.synced = true
	t.mu.Unlock()
	if synced {
		return errors.New("atomicfs: tree synced twice")
	}
	if t.whole {
		// An early syncfs (Flush) has written most of it; what it saw
		// fails the tree.
		t.wg.Wait()
		if err := t.failed(); err != nil {
			return err
		}
		return t.syncWhole()
	}
	close(t.queue)
	t.wg.Wait()
	if err := t.failed(); err != nil {
		return err
	}
	return t.syncFolders()
}

// syncFolders fsyncs every folder of the tree, deepest first, so each
// one's entries are durable before the entry that names it.
func (t *Tree) syncFolders() error {
	var dirs []string
	err := filepath.WalkDir(t.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(dirs)
	for _, p := range dirs {
		if err := t.syncFolder(p); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tree) syncFolder(p string) error {
	if err := t.check(p); err != nil {
		return err
	}
	d, err := os.Open(p)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !syncUnsupported(err) {
		return fmt.Errorf("sync %s: %w", p, err)
	}
	return nil
}

// Close releases the tree. Before Sync (the build failed), files still
// waiting for their fsync are closed without it: they are about to be
// removed. An early syncfs (Flush) still running is waited for.
func (t *Tree) Close() error {
	t.mu.Lock()
	synced := t.synced
	t.synced = true
	t.mu.Unlock()
	if !t.whole && !synced {
		t.drop.Store(true)
		close(t.queue)
	}
	t.wg.Wait() // the syncers, or an early syncfs: they use t.dir
	return t.dir.Close()
}

// kernelAtLeast compares a release string such as "6.1.0-18-amd64".
func kernelAtLeast(release []byte, major, minor int) bool {
	if i := bytes.IndexByte(release, 0); i >= 0 {
		release = release[:i]
	}
	parts := bytes.SplitN(release, []byte("."), 3)
	if len(parts) < 2 {
		return false
	}
	digits := func(b []byte) string { // "8-rc3" -> "8"
		if i := bytes.IndexFunc(b, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			b = b[:i]
		}
		return string(b)
	}
	maj, err1 := strconv.Atoi(string(parts[0]))
	min, err2 := strconv.Atoi(digits(parts[1]))
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && min >= minor
}
