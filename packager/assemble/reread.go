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

// reread proves, of each evidence copy, that the bytes it holds are the
// bytes that were hashed as it was written, while the evidence pass goes
// on copying the others and then while the build generates the
// narrative, the annexes and the manifests (which run on one core): the
// verify-after-write then finds those files checked already
// (verify.Options.Hashed) instead of reading every payload byte again once
// the rest is written.
//
// Most copies are proved as they are written: the evidence pass reads
// each chunk back as soon as it is written, through the descriptor it
// was written with, and compares it byte for byte with the chunk still in
// the buffer it was hashed from (evidence.Options.ReadBack) — a large
// copy's chunks, written with direct I/O, read back with direct I/O, and
// its last bytes, written through the page cache, read back with direct
// I/O too (digest.ReadBackFromDisk): from the disk, not from memory. Each
// chunk's bytes, read back right after they were written, equal to the
// bytes hashed is exact where an equal digest is not, and costs a memcmp
// where re-reading the copy by name once complete and hashing it again
// with SHA-256 cost 0.7-0.9 s of the bench set's CPU and 0.4 s at 20,000
// photos. Such a copy (evidence.Result.ReadBack) is matched at once, never
// read again: it still holds those bytes because it is in the build's own
// temporary folder, which nothing else writes (a re-read of a finished
// copy rests on the same for the time after it). A copy changed there
// after its chunk was read back is not caught by the build; verifying the
// package finds it (CP-BAG-MODIFIED: its payload manifests hold the
// digests of the bytes hashed).
//
// Any other copy (read back unequal or short, or not read back) is
// re-read here by name with SHA-256, as every copy was before, as soon as
// it is complete (evidence.Options.Copied) — a small one at once on the
// evidence worker that made it, a large one on one of two goroutines
// (rereaders) — and matched when it has the SHA-256 it was written with.
// A copy is complete when it is handed over: it is in the build's own
// temporary folder and nothing writes it again, so reading it now proves
// what reading it later would.
//
// What is kept of a copy is one bit: whether its bytes were found to be
// those hashed. Only such a copy is handed to the verify-after-write as
// hashed, with the SHA-256 it was written with (the build holds it
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
	// matched[i]: copy i (the index of its evidence job) was read back
	// equal, or re-read with the SHA-256 it was written with. Each
	// element is written by the one goroutine that checked that copy, and
	// read only after wait.
	matched []bool
	// before is Options.beforeReread (tests only); beforeDone[i]: it was
	// called for copy i, before the evidence pass read it back (it is
	// called once a copy, before its first read).
	before     func(dir, p string)
	beforeDone []bool
}

// startReread starts re-reading, in the package being written in dir,
// the up to n copies that add will name; jobs is the number of evidence
// jobs (add names a copy by its job's index).
func startReread(ctx context.Context, dir string, n, jobs int, before func(dir, p string)) *reread {
	ctx, cancel := context.WithCancel(ctx)
	r := &reread{dir: dir, ctx: ctx, cancel: cancel, queue: make(chan *copied, n), done: make(chan struct{}),
		matched: make([]bool, jobs), before: before}
	if before != nil {
		r.beforeDone = make([]bool, jobs)
	}
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
	if r.before != nil && !r.beforeDone[c.i] {
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

// beforeReadBack is evidence.Options.BeforeReadBack: before's call for a
// copy, before the evidence pass reads back its first chunk (path names
// job i's copy); nil without before.
func (r *reread) beforeReadBack(path func(i int) string) func(i int, off, n int64) {
	if r.before == nil {
		return nil
	}
	return func(i int, off, _ int64) {
		if off == 0 {
			r.beforeDone[i] = true
			r.before(r.dir, path(i))
		}
	}
}

// copied is a complete copy: its job's index, its bag path, the size
// and SHA-256 it was written with, and whether it was read back equal as
// it was written (evidence.Result.ReadBack).
type copied struct {
	i        int
	path     string
	size     int64
	sha256   [sha256.Size]byte
	readBack bool
}

// add matches the complete copy c when it was read back equal, or else
// re-reads it or queues it; it never waits for another copy (the queue
// holds every copy startReread was told of), so an evidence worker hands
// a copy over and goes on. A small copy (not digest.Direct) is re-read at
// once, on the evidence worker's goroutine: from the page cache, in three
// system calls, it costs less than waking a rereader for it and leaves the
// rereaders to the large copies, read back from the disk.
func (r *reread) add(c copied) {
	switch {
	case c.readBack:
		r.matched[c.i] = true
	case digest.Direct(c.size):
		r.queue <- &c
	case r.ctx.Err() == nil:
		r.read(r.ctx, &c)
	}
}

// finish says no copy follows.
func (r *reread) finish() {
	if r != nil {
		r.close.Do(func() { close(r.queue) })
	}
}

// wait returns which copies, by job index, were found to hold the bytes
// hashed as they were written (nil for a nil reread); call finish first.
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
