package digest

import (
	"bytes"
	"context"
	"io"
	"testing"
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
