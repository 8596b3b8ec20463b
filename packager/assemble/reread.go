package assemble

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/casepack/casepack/internal/digest"
)

// reread re-reads each evidence copy with SHA-256 as soon as it is
// complete — a small one at once on the evidence worker that made it, a
// large one on one of two goroutines (rereaders) — while the evidence pass goes on
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
type reread struct {
	dir    string
	ctx    context.Context
	cancel context.CancelFunc
	queue  chan copied
	close  sync.Once
	done   chan struct{}
	mu     sync.Mutex
	got    map[string]digest.Digests
	before func(dir, p string)
}

// startReread starts re-reading, in the package being written in dir,
// the up to n copies that add will name.
func startReread(ctx context.Context, dir string, n int, before func(dir, p string)) *reread {
	ctx, cancel := context.WithCancel(ctx)
	r := &reread{dir: dir, ctx: ctx, cancel: cancel, queue: make(chan copied, n), done: make(chan struct{}),
		got: make(map[string]digest.Digests, n), before: before}
	var wg sync.WaitGroup
	for range rereaders {
		wg.Go(func() { r.run(ctx) })
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// rereaders is how many copies are re-read at once. A large copy is read
// back from the disk (direct I/O, which the kernel does not read ahead),
// so one goroutine alone would wait for each buffer and then hash it;
// with two, one hashes while the other waits, and the disk always has a
// read to do. Waiting costs no CPU: the generators keep their core.
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
func (r *reread) read(ctx context.Context, c copied) {
	p := c.path
	if r.before != nil {
		r.before(r.dir, p)
	}
	f, err := digest.OpenCopy(filepath.Join(r.dir, filepath.FromSlash(p)), c.size)
	if err != nil {
		return // the verify-after-write reads it and says what is wrong
	}
	d, err := digest.ReadSHA256(ctx, f)
	f.Close()
	if err == nil {
		r.mu.Lock()
		r.got[p] = d
		r.mu.Unlock()
	}
}

// copied is a complete copy: its bag path and size.
type copied struct {
	path string
	size int64
}

// add re-reads the complete copy p (a bag path) of size bytes, or queues
// it; it never waits for another copy (the queue holds every copy
// startReread was told of), so an evidence worker hands a copy over and
// goes on. A small copy (not digest.Direct) is re-read at once, on the
// evidence worker's goroutine: from the page cache, in three system calls,
// it costs less than waking a rereader for it (two futex calls for each of
// 20,000 photos) and leaves the rereaders to the large copies, read back
// from the disk.
func (r *reread) add(p string, size int64) {
	if digest.Direct(size) {
		r.queue <- copied{p, size}
		return
	}
	if r.ctx.Err() == nil {
		r.read(r.ctx, copied{p, size})
	}
}

// finish says no copy follows.
func (r *reread) finish() {
	if r != nil {
		r.close.Do(func() { close(r.queue) })
	}
}

// wait returns what was re-read (nil for a nil reread); call finish first.
func (r *reread) wait() map[string]digest.Digests {
	if r == nil {
		return nil
	}
	<-r.done
	return r.got
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
