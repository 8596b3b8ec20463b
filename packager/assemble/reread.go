package assemble

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/casepack/casepack/internal/digest"
)

// reread re-reads each evidence copy with SHA-256 as soon as it is
// complete, on one goroutine, while the evidence pass goes on copying the
// others and then while the build generates the narrative, the annexes
// and the manifests (which run on one core): the verify-after-write then
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
	cancel context.CancelFunc
	queue  chan string
	close  sync.Once
	done   chan struct{}
	got    map[string]digest.Digests
	before func(dir, p string)
}

// startReread starts re-reading, in the package being written in dir,
// the up to n copies that add will name.
func startReread(ctx context.Context, dir string, n int, before func(dir, p string)) *reread {
	ctx, cancel := context.WithCancel(ctx)
	r := &reread{dir: dir, cancel: cancel, queue: make(chan string, n), done: make(chan struct{}),
		got: make(map[string]digest.Digests, n), before: before}
	go r.run(ctx)
	return r
}

func (r *reread) run(ctx context.Context) {
	defer close(r.done)
	for p := range r.queue {
		if ctx.Err() != nil {
			continue // drain: add never waits
		}
		if r.before != nil {
			r.before(r.dir, p)
		}
		f, err := digest.OpenCopy(filepath.Join(r.dir, filepath.FromSlash(p)))
		if err != nil {
			continue // the verify-after-write reads it and says what is wrong
		}
		d, err := digest.ReadSHA256(ctx, f)
		f.Close()
		if err == nil {
			r.got[p] = d
		}
	}
}

// add queues the complete copy p (a bag path); it never waits (the queue
// holds every copy startReread was told of), so an evidence worker hands
// a copy over and goes on.
func (r *reread) add(p string) { r.queue <- p }

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
