package evidence

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
)

// TestReadBack: with Options.ReadBack, every byte of every copy is read
// back as it is written, once, in order, and a copy is ReadBack only when
// all of them were found to be the bytes hashed: a copy changed (one
// byte, in its first chunk, its last, or its last byte) or cut short
// between a chunk's write and its read-back is not; the others are. A
// hash-only job and a pass without ReadBack read nothing back. Both
// writers are taken: a Flusher that takes descriptors or none (a small
// copy, on Linux, through a bare descriptor) and one that takes only
// *os.File (every copy through writeback).
func TestReadBack(t *testing.T) {
	src := t.TempDir()
	sizes := []int{0, 1, 4096, 64 << 10, 100, digest.BufferSize, digest.BufferSize + 1, 3*digest.BufferSize + 17, 2 * digest.BufferSize}
	const hashOnly = 4
	var data [][]byte
	var srcs []string
	for i, n := range sizes {
		p, b := writeRandom(t, src, fmt.Sprint("f", i), n, uint64(i))
		srcs, data = append(srcs, p), append(data, b)
	}
	// change changes the copy dst of size bytes, whose n bytes at off
	// are about to be read back.
	type change func(t *testing.T, dst string, size, off, n int64)
	flip := func(at func(size, off, n int64) int64) change {
		return func(t *testing.T, dst string, size, off, n int64) {
			f, err := os.OpenFile(dst, os.O_RDWR, 0)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			b := make([]byte, 1)
			if _, err := f.ReadAt(b, at(size, off, n)); err != nil {
				t.Error(err)
			}
			b[0] ^= 1
			if _, err := f.WriteAt(b, at(size, off, n)); err != nil {
				t.Error(err)
			}
		}
	}
	cut := func(t *testing.T, dst string, _, off, n int64) {
		if err := os.Truncate(dst, off+n/2); err != nil {
			t.Error(err)
		}
	}
	tests := []struct {
		name     string
		readBack bool
		// changed: the job whose copy is changed, before the read-back of
		// its chunk at chunk(size) (-1: none); how.
		changed int
		chunk   func(size int64) int64
		how     change
	}{
		{"none", true, -1, nil, nil},
		{"off", false, -1, nil, nil},
		{"small, a byte", true, 2, func(int64) int64 { return 0 }, flip(func(_, off, n int64) int64 { return off + n/2 })},
		{"small, cut short", true, 3, func(int64) int64 { return 0 }, cut},
		{"large, first chunk", true, 7, func(int64) int64 { return 0 }, flip(func(_, off, _ int64) int64 { return off })},
		{"large, last chunk", true, 8, func(int64) int64 { return digest.BufferSize }, flip(func(_, off, n int64) int64 { return off + n - 1 })},
		{"large, its tail", true, 7, func(size int64) int64 { return size - size%digest.DirectAlign }, flip(func(size, _, _ int64) int64 { return size - 1 })},
		{"large, cut short", true, 6, func(int64) int64 { return 0 }, cut},
	}
	for _, tc := range tests {
		for _, byFile := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/byFile=%v", tc.name, byFile), func(t *testing.T) {
				dst := t.TempDir()
				jobs := make([]Job, len(sizes))
				for i := range sizes {
					jobs[i] = Job{ID: fmt.Sprint("EV-", i), Src: srcs[i], Dst: filepath.Join(dst, fmt.Sprint("EV-", i), "copy")}
				}
				jobs[hashOnly].Dst = ""
				var mu sync.Mutex
				next := make([]int64, len(jobs)) // where each copy's next read-back must start
				changed := false
				opt := Options{Workers: 2, ReadBack: tc.readBack, BeforeReadBack: func(i int, off, n int64) {
					mu.Lock()
					defer mu.Unlock()
					if off != next[i] || n <= 0 {
						t.Errorf("job %d: %d bytes at %d read back, after %d bytes", i, n, off, next[i])
					}
					next[i] = off + n
					if i == tc.changed && off == tc.chunk(int64(sizes[i])) {
						tc.how(t, jobs[i].Dst, int64(sizes[i]), off, n)
						changed = true
					}
				}}
				if byFile {
					opt.Flush = &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}
				}
				res, err := copyJobs(context.Background(), jobs, opt)
				if err != nil {
					t.Fatal(err)
				}
				if tc.changed >= 0 && !changed {
					t.Fatalf("job %d's chunk at %d was never read back", tc.changed, tc.chunk(int64(sizes[tc.changed])))
				}
				for i, r := range res {
					want := tc.readBack && i != hashOnly && i != tc.changed
					if r.ReadBack != want {
						t.Errorf("job %d (%d bytes): ReadBack %v, want %v", i, sizes[i], r.ReadBack, want)
					}
					switch {
					case !tc.readBack || i == hashOnly:
						if next[i] != 0 {
							t.Errorf("job %d: %d bytes read back, want none", i, next[i])
						}
					case i != tc.changed && next[i] != int64(sizes[i]):
						t.Errorf("job %d: %d bytes of %d read back", i, next[i], sizes[i])
					}
					if want256, _ := sums(data[i]); r.SHA256() != want256 {
						t.Errorf("job %d: SHA-256 %s, the file's is %s", i, r.SHA256(), want256)
					}
				}
			})
		}
	}
}

// TestReadBackTailFromDisk: where the file system takes direct I/O, the
// last bytes of a large copy, written through the page cache after its
// direct part, are read back from the disk (readBackFromDisk), once, the
// whole tail and nothing else; a large copy without such a tail and a
// small copy are not. It fails if the tail is read back through the page
// cache. Both writers are taken (see TestReadBack).
func TestReadBackTailFromDisk(t *testing.T) {
	src := t.TempDir()
	if !directHere(t, src) {
		t.Skip("the file system of", src, "takes no direct I/O: the last bytes of a copy are read back through the page cache")
	}
	sizes := []int{100, 64 << 10, digest.BufferSize + 1, 3*digest.BufferSize + 17, 2 * digest.BufferSize, 2*digest.BufferSize + digest.DirectAlign - 1}
	var srcs []string
	for i, n := range sizes {
		p, _ := writeRandom(t, src, fmt.Sprint("f", i), n, uint64(i))
		srcs = append(srcs, p)
	}
	fromDisk := readBackFromDisk
	defer func() { readBackFromDisk = fromDisk }()
	for _, byFile := range []bool{false, true} {
		dst := t.TempDir()
		jobs := make([]Job, len(sizes))
		index := map[string]int{}
		for i := range sizes {
			jobs[i] = Job{ID: fmt.Sprint("EV-", i), Src: srcs[i], Dst: filepath.Join(dst, fmt.Sprint("EV-", i), "copy")}
			index[jobs[i].Dst] = i
		}
		var mu sync.Mutex
		type read struct{ off, n int64 }
		reads := map[int][]read{}
		readBackFromDisk = func(f *os.File, off int64, p []byte) bool {
			mu.Lock()
			i := index[f.Name()]
			reads[i] = append(reads[i], read{off, int64(len(p))})
			mu.Unlock()
			return fromDisk(f, off, p)
		}
		opt := Options{Workers: 2, ReadBack: true}
		if byFile {
			opt.Flush = &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}
		}
		res, err := copyJobs(context.Background(), jobs, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			size := int64(sizes[i])
			tail := size % digest.DirectAlign
			var want []read
			if digest.Direct(size) && tail > 0 {
				want = []read{{size - tail, tail}}
			}
			if fmt.Sprint(reads[i]) != fmt.Sprint(want) {
				t.Errorf("byFile=%v: job %d (%d bytes): read back from the disk %v (offset, bytes) after writing through the page cache, want %v", byFile, i, size, reads[i], want)
			}
			if !r.ReadBack {
				t.Errorf("byFile=%v: job %d (%d bytes) not read back equal", byFile, i, size)
			}
		}
	}
}
