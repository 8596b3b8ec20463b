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
