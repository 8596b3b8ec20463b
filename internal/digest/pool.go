package digest

import (
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of workers a pool runs for a requested n: n itself
// when positive, otherwise one per core the process may use (not counting
// the processors BlockingIO adds).
func Workers(n int) int {
	if n > 0 {
		return n
	}
	return cores()
}

// blocking is BlockingIO's state: how many hold it, and the GOMAXPROCS
// they found.
var blocking struct {
	sync.Mutex
	holders int
	procs   int
	auto    bool // procs was the runtime's default, not a setting
}

// extraProcs is how many processors BlockingIO adds: about as many as
// goroutines of a build of large files wait on the disk at once (each
// copy's write-behind in digest.Copy, which writes each chunk and reads it
// back: packager/evidence's Options.ReadBack).
const extraProcs = 2

// cores is GOMAXPROCS without the processors BlockingIO adds.
func cores() int {
	blocking.Lock()
	defer blocking.Unlock()
	if blocking.holders > 0 {
		return blocking.procs
	}
	return runtime.GOMAXPROCS(0)
}

// BlockingIO runs the process with more processors (GOMAXPROCS) than
// cores until release is called, for a pass whose goroutines wait in
// system calls for the disk: direct writes and reads (Direct), each of
// which returns only once the device has the bytes. A goroutine in a
// system call keeps its processor until the runtime's monitor takes it
// back, which it does only for a call it finds under way twice, one of its
// ticks apart; and once it has found nothing to take back for a
// millisecond its tick grows to 10 ms. A 1 MiB direct write takes about
// half a millisecond, so none was ever taken back: with one processor per
// core, each write or read-back waiting for the disk left a core idle while
// the hashing goroutines waited for a processor (runtime/trace of a build
// of the bench set: 1.4 to 1.6 cores busy through the evidence pass). With
// processors to spare, the cores hash while those calls wait; when none
// waits, the system shares the cores among the threads. Pools still run
// one worker per core (Workers). Holders may overlap; the last release
// gives back the runtime's default for the CPUs there are then, when the
// default is what was found, or else the setting found.
func BlockingIO() (release func()) {
	blocking.Lock()
	defer blocking.Unlock()
	if blocking.holders == 0 {
		blocking.procs = runtime.GOMAXPROCS(0)
		blocking.auto = os.Getenv("GOMAXPROCS") == "" && blocking.procs == defaultProcs()
		runtime.GOMAXPROCS(blocking.procs + extraProcs)
	}
	blocking.holders++
	var once sync.Once
	return func() {
		once.Do(func() {
			blocking.Lock()
			defer blocking.Unlock()
			if blocking.holders--; blocking.holders == 0 {
				if blocking.auto {
					// The default again, which the runtime keeps
					// updating as the CPUs or the CPU quota change —
					// even if they changed while the pass ran.
					runtime.SetDefaultGOMAXPROCS()
				} else {
					// A setting (the GOMAXPROCS environment variable,
					// runtime.GOMAXPROCS, go test -cpu): kept as found.
					runtime.GOMAXPROCS(blocking.procs)
				}
			}
		})
	}
}

// defaultProcs is the runtime's default GOMAXPROCS now. Finding it sets
// it, so what was set before is put back; the caller holds blocking. A
// count that was set and equals the default is then taken for the default
// (the runtime updates it from then on, as it would have done unset): Go
// does not tell a setting from the default it equals.
func defaultProcs() int {
	was := runtime.GOMAXPROCS(0)
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	if def != was {
		runtime.GOMAXPROCS(was)
	}
	return def
}

// Each calls fn(ctx, i) for every i in [0, n), in order of i, on at most
// Workers(workers) goroutines, and waits for them.
//
// The first error fn returns cancels the context the other calls see, no
// further item starts, and Each returns that error. An item whose failure
// must not stop the others (a file that cannot be read, a value that does
// not decode) is recorded by fn in the caller's results and fn returns nil.
//
// When ctx is done no further item starts, and Each returns ctx's cause:
// a caller never mistakes a pass cut short for a complete one.
func Each(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if n <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	for range min(Workers(workers), n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel(err) })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// Feed is Each for items that arrive one at a time — the files a walk
// finds while it goes on listing folders — so the workers start on the
// first while the rest are still being found. Errors and cancellation are
// as in Each. Add every item, then Wait.
type Feed[T any] struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	items  chan T
	once   sync.Once
	first  error
	wg     sync.WaitGroup
}

// feedQueue is how many items a Feed holds waiting for a worker before
// Add waits too: enough that a walk runs well ahead of the workers.
const feedQueue = 1024

// NewFeed starts Workers(workers) goroutines calling fn for each item
// added.
func NewFeed[T any](ctx context.Context, workers int, fn func(ctx context.Context, item T) error) *Feed[T] {
	ctx, cancel := context.WithCancelCause(ctx)
	f := &Feed[T]{ctx: ctx, cancel: cancel, items: make(chan T, feedQueue)}
	for range Workers(workers) {
		f.wg.Go(func() {
			for item := range f.items {
				if ctx.Err() != nil {
					continue // drain: Add never blocks on a pool that stopped
				}
				if err := fn(ctx, item); err != nil {
					f.once.Do(func() { f.first = err; cancel(err) })
				}
			}
		})
	}
	return f
}

// Add queues item; it waits while the queue is full.
func (f *Feed[T]) Add(item T) { f.items <- item }

// Wait, after the last Add, waits for every item and returns as Each
// does: the first error fn returned, or the context's cause when it was
// done before every item was taken.
func (f *Feed[T]) Wait() error {
	close(f.items)
	f.wg.Wait()
	defer f.cancel(nil)
	if f.first != nil {
		return f.first
	}
	if f.ctx.Err() != nil {
		return context.Cause(f.ctx)
	}
	return nil
}
