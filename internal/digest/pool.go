package digest

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of workers a pool runs for a requested n: n itself
// when positive, otherwise one per core the process may use.
func Workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
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
