package digest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEachRunsEveryItemOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers, wantMax int }{
		{0, 0, 0},
		{1, 0, 1},
		{5, 1, 1},
		{100, 3, 3},
		{3, 8, 3}, // never more workers than items
		{1000, 0, runtime.GOMAXPROCS(0)},
	} {
		seen := make([]atomic.Int32, tc.n)
		var running, peak atomic.Int32
		err := Each(context.Background(), tc.n, tc.workers, func(_ context.Context, i int) error {
			r := running.Add(1)
			for {
				p := peak.Load()
				if r <= p || peak.CompareAndSwap(p, r) {
					break
				}
			}
			time.Sleep(50 * time.Microsecond) // let the workers overlap
			seen[i].Add(1)
			running.Add(-1)
			return nil
		})
		if err != nil {
			t.Fatalf("n=%d workers=%d: %v", tc.n, tc.workers, err)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("n=%d workers=%d: item %d ran %d times", tc.n, tc.workers, i, c)
			}
		}
		if p := int(peak.Load()); p > tc.wantMax || (tc.n > 0 && p < 1) {
			t.Errorf("n=%d workers=%d: %d ran at once, want at most %d", tc.n, tc.workers, p, tc.wantMax)
		}
	}
}

func TestEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int32
	var sawCancel atomic.Bool
	started := make(chan struct{})
	err := Each(context.Background(), 10_000, 2, func(ctx context.Context, i int) error {
		ran.Add(1)
		switch i {
		case 10:
			<-started
			return boom
		case 11:
			// The item running beside the failure sees the cancellation,
			// with the error as its cause.
			close(started)
			<-ctx.Done()
			if errors.Is(context.Cause(ctx), boom) {
				sawCancel.Store(true)
			}
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if n := ran.Load(); n > 20 {
		t.Fatalf("%d items ran after the failure of item 10", n-11)
	}
	if !sawCancel.Load() {
		t.Fatal("the running items were not cancelled with the failure as cause")
	}
}

func TestEachHonoursItsContext(t *testing.T) {
	cause := errors.New("interrupted")
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		var ran atomic.Int32
		err := Each(ctx, 5, 2, func(context.Context, int) error { ran.Add(1); return nil })
		if !errors.Is(err, cause) || ran.Load() != 0 {
			t.Fatalf("err = %v after %d items; want %v and none", err, ran.Load(), cause)
		}
	})
	t.Run("cancelled during", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		var ran atomic.Int32
		var once sync.Once
		// fn ignores its context: Each alone must stop handing out items.
		err := Each(ctx, 10_000, 2, func(context.Context, int) error {
			if ran.Add(1) == 5 {
				once.Do(func() { cancel(cause) })
			}
			return nil
		})
		if !errors.Is(err, cause) {
			t.Fatalf("err = %v, want %v", err, cause)
		}
		if n := ran.Load(); n > 10 {
			t.Fatalf("%d items ran after the cancellation", n-5)
		}
	})
	t.Run("empty and cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Each(ctx, 0, 0, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestWorkers(t *testing.T) {
	if got := Workers(3); got != 3 {
		t.Errorf("Workers(3) = %d", got)
	}
	if got, want := Workers(0), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Workers(0) = %d, want one per usable core (%d)", got, want)
	}
}

func TestMeter(t *testing.T) {
	if m := NewMeter(nil, 3, 10); m != nil {
		t.Fatal("a meter without a callback should be nil")
	}
	var nilMeter *Meter
	nilMeter.FileDone("x", "y", 1) // no callback: nothing happens, no panic
	sizes := []int{0, 3*BufferSize + 1, 7, BufferSize}
	var total int64
	for _, s := range sizes {
		total += int64(s)
	}
	var mu sync.Mutex
	inCallback := false
	var last Progress
	var filesDone int
	m := NewMeter(func(p Progress) {
		mu.Lock()
		if inCallback {
			t.Error("callback called concurrently")
		}
		inCallback = true
		mu.Unlock()
		if p.TotalDone < last.TotalDone || p.Total != total || p.FilesTotal != len(sizes) {
			t.Errorf("event %+v after %+v", p, last)
		}
		if p.FileDone {
			filesDone++
			if p.Done != p.Size {
				t.Errorf("file done at %d of %d bytes", p.Done, p.Size)
			}
		}
		last = p
		mu.Lock()
		inCallback = false
		mu.Unlock()
	}, len(sizes), total)
	err := Each(context.Background(), len(sizes), 4, func(ctx context.Context, i int) error {
		data := random(sizes[i], uint64(i))
		if _, err := Read(ctx, m.Reader(chunky{bytes.NewReader(data), 1000}, "EV", "f", int64(len(data)))); err != nil {
			return err
		}
		m.FileDone("EV", "f", int64(len(data)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if last.TotalDone != total || filesDone != len(sizes) || last.FilesDone != len(sizes) {
		t.Fatalf("last event %+v, %d files done; want %d bytes and %d files", last, filesDone, total, len(sizes))
	}
}

// TestFeed: every item added runs once, on at most the workers asked for,
// the workers start before the last item is added, and the first error or
// a done context is what Wait returns.
func TestFeed(t *testing.T) {
	const n = 5000
	seen := make([]atomic.Int32, n)
	var running, peak atomic.Int32
	first := make(chan struct{})
	var firstOnce sync.Once
	f := NewFeed(context.Background(), 2, func(_ context.Context, i int) error {
		firstOnce.Do(func() { close(first) })
		r := running.Add(1)
		for p := peak.Load(); r > p && !peak.CompareAndSwap(p, r); p = peak.Load() {
		}
		seen[i].Add(1)
		running.Add(-1)
		return nil
	})
	f.Add(0)
	select {
	case <-first: // a worker took the first item while more are to come
	case <-time.After(10 * time.Second):
		t.Fatal("no worker started before the last item was added")
	}
	for i := 1; i < n; i++ {
		f.Add(i)
	}
	if err := f.Wait(); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if c := seen[i].Load(); c != 1 {
			t.Fatalf("item %d ran %d times", i, c)
		}
	}
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("%d ran at once, want 1 or 2", p)
	}

	boom := errors.New("boom")
	var ran atomic.Int32
	f = NewFeed(context.Background(), 2, func(_ context.Context, i int) error {
		ran.Add(1)
		if i == 3 {
			return boom
		}
		return nil
	})
	for i := range 10 * feedQueue { // never blocks on a pool that stopped
		f.Add(i)
	}
	if err := f.Wait(); !errors.Is(err, boom) {
		t.Errorf("Wait = %v, want boom", err)
	}
	if r := ran.Load(); r == 10*feedQueue {
		t.Errorf("every item ran after the error")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f = NewFeed(ctx, 1, func(context.Context, int) error { t.Error("ran after cancel"); return nil })
	f.Add(1)
	if err := f.Wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
}

// TestBlockingIO: while a pass that waits on the disk holds BlockingIO,
// the process runs with more processors than cores, pools still run one
// worker per core, holders may overlap, and the last release restores
// GOMAXPROCS.
func TestBlockingIO(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	release := BlockingIO()
	if got := runtime.GOMAXPROCS(0); got <= procs {
		t.Errorf("GOMAXPROCS while held = %d, want more than %d", got, procs)
	}
	if got := Workers(0); got != procs {
		t.Errorf("Workers(0) while held = %d, want one per core (%d)", got, procs)
	}
	raised := runtime.GOMAXPROCS(0)
	release2 := BlockingIO()
	if got := runtime.GOMAXPROCS(0); got != raised {
		t.Errorf("GOMAXPROCS with two holders = %d, want %d (raised once)", got, raised)
	}
	release()
	release() // repeated: harmless
	if got := runtime.GOMAXPROCS(0); got != raised {
		t.Errorf("GOMAXPROCS after the first release = %d, want %d (the second holder holds it)", got, raised)
	}
	release2()
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS after the last release = %d, want %d", got, procs)
	}
	if got := Workers(0); got != procs {
		t.Errorf("Workers(0) after = %d, want %d", got, procs)
	}
}

// TestBlockingIOFollowsCPUs: when the CPUs the process may use change
// while a pass holds BlockingIO (a container resized, taskset), the last
// release gives the runtime's default for the CPUs there are now, which
// the runtime goes on updating (casepack serve runs for days); a
// GOMAXPROCS that was set, not the default, is kept as it was.
func TestBlockingIOFollowsCPUs(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: no fewer to move to")
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skipf("taskset (util-linux) not found: %v", err)
	}
	pid := strconv.Itoa(os.Getpid())
	mask, err := exec.Command(taskset, "-p", pid).Output()
	if err != nil {
		t.Fatal(err)
	}
	all := strings.TrimSpace(string(mask[bytes.LastIndexByte(mask, ':')+1:]))
	setCPUs := func(m string) {
		t.Helper()
		if b, err := exec.Command(taskset, "-a", "-p", m, pid).CombinedOutput(); err != nil {
			t.Fatalf("taskset -a -p %s: %v %s", m, err, b)
		}
	}
	was := runtime.GOMAXPROCS(0)
	t.Cleanup(func() {
		exec.Command(taskset, "-a", "-p", all, pid).Run()
		runtime.GOMAXPROCS(was)
	})

	runtime.SetDefaultGOMAXPROCS()
	release := BlockingIO()
	setCPUs("0x1")
	release()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("default: GOMAXPROCS after the release = %d with the process on one CPU, want 1 (the runtime's default now)", got)
	}

	setCPUs(all)
	runtime.GOMAXPROCS(1) // a setting
	release = BlockingIO()
	if got := runtime.GOMAXPROCS(0); got != 1+extraProcs {
		t.Errorf("set to 1: GOMAXPROCS while held = %d, want %d", got, 1+extraProcs)
	}
	release()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("set to 1: GOMAXPROCS after the release = %d, want the 1 that was set", got)
	}
}
