package digest

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

// failAfter reads r and fails once n bytes are read.
type failAfter struct {
	r io.Reader
	n int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDisk
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

// TestCopySumsReusesHashers: CopySums gives Copy's digests, as bytes,
// whatever the copy before it left in the recycled Hasher: one that
// failed part way, on its helper goroutine's SHA-512 too (past one
// buffer), or one cancelled.
func TestCopySumsReusesHashers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func() error
	}{
		{"after a complete copy", func() error {
			_, err := CopySums(context.Background(), io.Discard, bytes.NewReader(random(5000, 9)))
			return err
		}},
		{"after a small copy that failed", func() error {
			_, err := CopySums(context.Background(), io.Discard, &failAfter{bytes.NewReader(random(5000, 9)), 3000})
			return err
		}},
		{"after a large copy that failed", func() error {
			_, err := CopySums(context.Background(), io.Discard, &failAfter{bytes.NewReader(random(3*BufferSize, 9)), 2*BufferSize + 77})
			return err
		}},
		{"after a cancelled copy", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := CopySums(ctx, io.Discard, bytes.NewReader(random(5000, 9)))
			return err
		}},
	} {
		for _, size := range []int{0, 1, 40 << 10, BufferSize + 1} {
			// The pool may hand back any Hasher: several copies before.
			for range 4 {
				tc.before()
			}
			data := random(size, uint64(size))
			var got bytes.Buffer
			s, err := CopySums(context.Background(), &got, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s, %d bytes: %v", tc.name, size, err)
			}
			if d, w := s.Digests(), want(data); d != w || !bytes.Equal(got.Bytes(), data) {
				t.Errorf("%s, %d bytes: %+v, want %+v", tc.name, size, d, w)
			}
		}
	}
}

// TestCopySumsOfASmallFileAllocatesNothing: a stream that fits the small
// buffer is copied and hashed without an allocation: its buffer and its
// Hasher are recycled, and its digests are summed into arrays (a build of
// 20,000 photos made nine allocations of each, about 900 bytes, in hex
// strings and digest states).
func TestCopySumsOfASmallFileAllocatesNothing(t *testing.T) {
	if raceOn {
		t.Skip("the race detector's sync.Pool drops what it is handed at random")
	}
	data := random(40<<10, 3)
	r := bytes.NewReader(data)
	for _, dst := range []io.Writer{nil, io.Discard} {
		n := testing.AllocsPerRun(100, func() {
			r.Reset(data)
			if s, err := CopySums(context.Background(), dst, r); err != nil || s.Size != int64(len(data)) {
				t.Fatalf("%d bytes, %v", s.Size, err)
			}
		})
		if n != 0 {
			t.Errorf("dst %T: %v allocations a copy, want 0", dst, n)
		}
	}
}

// panicAfter reads r and panics once n bytes are read: a reader that
// breaks part way (a driver's bug) in a caller that recovers.
type panicAfter struct {
	r io.Reader
	n int
}

func (f *panicAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		panic("reader broke")
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

// TestCopySumsHashersNotShared: copies of large files that fail part way
// (a read error, a write error, a panicking reader, a cancellation), each
// with its SHA-512 helper still holding a chunk, run on three goroutines
// beside three that make copies that complete, which must give the
// digests of their own bytes. A Hasher put back in the pool before its
// helper stopped is handed to another copy while the helper still writes
// into it: with hashers.Put moved before helper.stop, a completed copy's
// SHA-512 was wrong in 6 runs of 6. No goroutine of the failed copies
// outlives them (215 were left with helper.stop taken out of the defer).
func TestCopySumsHashersNotShared(t *testing.T) {
	large := random(3*BufferSize, 11)
	spoilers := []struct {
		name string
		copy func() error
	}{
		{"read fails", func() error {
			_, err := CopySums(context.Background(), io.Discard, &failAfter{bytes.NewReader(large), 2*BufferSize + 77})
			return err
		}},
		{"write fails", func() error {
			_, err := CopySums(context.Background(), &failingWriter{after: BufferSize + 5}, bytes.NewReader(large))
			return err
		}},
		{"reader panics", func() (err error) {
			defer func() {
				if recover() != nil {
					err = errDisk
				}
			}()
			_, err = CopySums(context.Background(), io.Discard, &panicAfter{bytes.NewReader(large), 2*BufferSize + 77})
			return err
		}},
		{"cancelled", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			r := &cancelAfter{r: bytes.NewReader(large), n: 2*BufferSize + 77, cancel: cancel}
			_, err := CopySums(ctx, io.Discard, r)
			return err
		}},
	}
	before := runtime.NumGoroutine()
	for _, sp := range spoilers {
		var spoiling, checking sync.WaitGroup
		stop := make(chan struct{})
		for range 3 {
			spoiling.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := sp.copy(); err == nil {
						t.Errorf("%s: the copy did not fail", sp.name)
						return
					}
				}
			})
		}
		for g := range 3 {
			checking.Go(func() {
				for i := range 4 {
					data := random(BufferSize+1+i*4099, uint64(g*4+i))
					var got bytes.Buffer
					s, err := CopySums(context.Background(), &got, bytes.NewReader(data))
					if err != nil {
						t.Errorf("%s: %v", sp.name, err)
						return
					}
					if d, w := s.Digests(), want(data); d != w || !bytes.Equal(got.Bytes(), data) {
						t.Errorf("%s, copy %d.%d: %+v, want %+v", sp.name, g, i, d, w)
					}
				}
			})
		}
		checking.Wait()
		close(stop)
		spoiling.Wait()
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("%d goroutines after the copies, %d before", got, before)
	}
}

// cancelAfter reads r and cancels its copy's context once n bytes are
// read.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p[:min(len(p), max(c.n, 1))])
	c.n -= n
	return n, err
}
