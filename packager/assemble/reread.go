package assemble

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/evidence"
)

// reread re-reads each evidence copy with SHA-256 as soon as it is
// complete — a small one at once on the evidence worker that made it,
// through the descriptor it was written with where the pass offers it
// (evidence.Options.ReadBack), a large one on one of two goroutines
// (rereaders) — while the evidence pass goes on
// copying the others and then while the build generates the narrative,
// the annexes and the manifests (which run on one core): the
// verify-after-write then
// finds those files read already (verify.Options.Hashed) instead of
// reading every payload byte again once the rest is written. A copy is
// complete when it is handed over (evidence.Options.Copied), it is in the
// build's own temporary folder and nothing writes it again, so reading it
// now proves what reading it later would: that the bytes in the copy are
// the bytes that were hashed as they were written. A large copy, written
// with direct I/O, is read back the same way (digest.OpenCopy): from the
// disk, not from memory.
//
// What is kept of a copy is one bit: whether its bytes, re-read, have the
// SHA-256 it was written with. Only such a copy is handed to the
// verify-after-write as hashed, with that digest (the build holds it
// anyway, for the manifests and the report); any other — changed, short,
// unreadable — is read again by the verifier, which says what is wrong. A
// map of each copy's path to its re-read digest held 3.7 MB at 20,000
// photos through the build's peak.
type reread struct {
	dir    string
	ctx    context.Context
	cancel context.CancelFunc
	queue  chan *copied // large copies only; sized for every copy, 8 bytes each
	close  sync.Once
	done   chan struct{}
	// matched[i]: copy i (the index of its evidence job) was re-read and
	// has the SHA-256 it was written with. Each element is written by the
	// one goroutine that re-read that copy, and read only after wait.
	matched []bool
	// readBackDone[i]: copy i was re-read through the descriptor it was
	// written with (readBack), by the goroutine that then hands it to add.
	readBackDone []bool
	before       func(dir, p string)
}

// startReread starts re-reading, in the package being written in dir,
// the up to n copies that add will name; jobs is the number of evidence
// jobs (add names a copy by its job's index).
func startReread(ctx context.Context, dir string, n, jobs int, before func(dir, p string)) *reread {
	ctx, cancel := context.WithCancel(ctx)
	r := &reread{dir: dir, ctx: ctx, cancel: cancel, queue: make(chan *copied, n), done: make(chan struct{}),
		matched: make([]bool, jobs), readBackDone: make([]bool, jobs), before: before}
	var wg sync.WaitGroup
	for range rereaders {
		wg.Go(func() { r.run(ctx) })
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// rereaders is how many copies are re-read at once. A large copy is read
// back from the disk (direct I/O, which the kernel does not read ahead);
// digest.ReadSHA256 reads each of its buffers while it hashes the one
// before, and with two copies re-read at once the disk has a read to do
// while both goroutines hash. Waiting costs no CPU: the generators keep
// their core.
const rereaders = 2

func (r *reread) run(ctx context.Context) {
	for c := range r.queue {
		if ctx.Err() != nil {
			continue // drain: add never waits
		}
		r.read(ctx, c)
	}
}

// read re-reads the copy c.
func (r *reread) read(ctx context.Context, c *copied) {
	p := c.path
	if r.before != nil {
		r.before(r.dir, p)
	}
	f, err := digest.OpenCopy(filepath.Join(r.dir, filepath.FromSlash(p)), c.size)
	if err != nil {
		return // the verify-after-write reads it and says what is wrong
	}
	r.check(ctx, c, f)
	f.Close()
}

// check reads the copy c from f and records whether it has the size and
// SHA-256 it was written with.
func (r *reread) check(ctx context.Context, c *copied, f io.Reader) {
	d, err := digest.ReadSHA256(ctx, f)
	r.matched[c.i] = err == nil && d.Size == c.size && d.SHA256 == hex.EncodeToString(c.sha256[:])
}

// readBack re-reads the small copy c from f, a reader of it through the
// descriptor it was written with (evidence.Options.ReadBack), on the
// evidence worker that wrote it: what reading it by name proves, the
// bytes the file system holds are those hashed as they were written,
// without opening it again. Its folder is the build's own, where nothing
// else creates, renames or removes a file, and the copy was created there
// under its name (O_EXCL): the descriptor reads the file that name
// holds. add then leaves it be.
func (r *reread) readBack(c copied, f io.Reader) {
	if r.ctx.Err() != nil {
		return
	}
	if r.before != nil {
		r.before(r.dir, c.path)
	}
	r.check(r.ctx, &c, f)
	r.readBackDone[c.i] = true
}

// copied is a complete copy: its job's index, its bag path, and the size
// and SHA-256 it was written with.
type copied struct {
	i      int
	path   string
	size   int64
	sha256 [sha256.Size]byte
}

// add re-reads the complete copy c, or queues
// it; it never waits for another copy (the queue holds every copy
// startReread was told of), so an evidence worker hands a copy over and
// goes on. A small copy (not digest.Direct) is re-read at once, on the
// evidence worker's goroutine: from the page cache, in three system calls,
// it costs less than waking a rereader for it (two futex calls for each of
// 20,000 photos) and leaves the rereaders to the large copies, read back
// from the disk.
func (r *reread) add(c copied) {
	if digest.Direct(c.size) {
		r.queue <- &c
		return
	}
	if r.ctx.Err() == nil && !r.readBackDone[c.i] {
		r.read(r.ctx, &c)
	}
}

// finish says no copy follows.
func (r *reread) finish() {
	if r != nil {
		r.close.Do(func() { close(r.queue) })
	}
}

// wait returns which copies, by job index, were re-read with the digest
// they were written with (nil for a nil reread); call finish first.
func (r *reread) wait() []bool {
	if r == nil {
		return nil
	}
	<-r.done
	return r.matched
}

// hashedLookup is verify.Options.Hashed for the copies among results (the
// evidence pass's, by job index, Dst their bag paths) that matched says
// were re-read with the digest they were written with; nil when none
// was. It looks a path up in a list of their indexes sorted by path: 4
// bytes a copy, where a map of paths was 100.
func hashedLookup(results []evidence.Result, matched []bool) func(p string) (digest.Digests, bool) {
	var idx []int32
	for i, ok := range matched {
		if ok && i < len(results) && !results[i].Withheld {
			idx = append(idx, int32(i))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(results[a].Dst, results[b].Dst) })
	return func(p string) (digest.Digests, bool) {
		k, ok := slices.BinarySearchFunc(idx, p, func(i int32, p string) int { return strings.Compare(results[i].Dst, p) })
		if !ok {
			return digest.Digests{}, false
		}
		r := &results[idx[k]]
		return digest.Digests{Size: r.Size, SHA256: r.SHA256()}, true
	}
}

// stop ends the re-reading and waits for it: the folder it reads may be
// about to be removed.
func (r *reread) stop() {
	if r == nil {
		return
	}
	r.cancel()
	r.finish()
	<-r.done
}
