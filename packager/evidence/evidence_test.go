package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/casepack/casepack/internal/digest"
)

func writeRandom(t testing.TB, dir, name string, size int, seed uint64) (string, []byte) {
	t.Helper()
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func sums(b []byte) (string, string) {
	a, c := sha256.Sum256(b), sha512.Sum512(b)
	return hex.EncodeToString(a[:]), hex.EncodeToString(c[:])
}

func TestCopy(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sizes := []int{0, 1, digest.BufferSize - 1, digest.BufferSize, digest.BufferSize + 1, 3*digest.BufferSize + 17, 4096,
		digest.BufferSize + digest.DirectAlign, 2*digest.BufferSize + digest.DirectAlign - 1, 2 * digest.BufferSize}
	var jobs []Job
	var data [][]byte
	for i, n := range sizes {
		p, b := writeRandom(t, src, "f"+string(rune('a'+i)), n, uint64(i))
		data = append(data, b)
		j := Job{ID: "EV-" + string(rune('A'+i)), Src: p, Dst: filepath.Join(dst, "sub", filepath.Base(p))}
		if i == 2 {
			j.Dst = "" // withheld: hash only
		}
		if i == 3 {
			j.DeclaredSHA256, _ = sums(b)
		}
		jobs = append(jobs, j)
	}
	var events, finished atomic.Int64
	var last digest.Progress
	res, err := copyJobs(context.Background(), jobs, Options{Workers: 3, Progress: func(p digest.Progress) {
		events.Add(1)
		if p.FileDone {
			finished.Add(1)
		}
		if p.TotalDone < last.TotalDone {
			t.Errorf("TotalDone went back from %d to %d", last.TotalDone, p.TotalDone)
		}
		last = p
	}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, r := range res {
		want256, want512 := sums(data[i])
		if r.ID != jobs[i].ID || r.Size != int64(len(data[i])) || r.SHA256() != want256 || r.SHA512() != want512 {
			t.Errorf("result %d = %+v", i, r)
		}
		total += int64(len(data[i]))
		if jobs[i].Dst == "" {
			if !r.Withheld {
				t.Errorf("%d: hash-only job not marked withheld", i)
			}
			continue
		}
		got, err := os.ReadFile(jobs[i].Dst)
		if err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("%d: copy differs (%v)", i, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dst, "sub")); len(entries) != len(sizes)-1 {
		t.Errorf("%d files written, want %d (hash-only job must not write)", len(entries), len(sizes)-1)
	}
	if finished.Load() != int64(len(sizes)) || last.TotalDone != total || last.Total != total || last.FilesDone != len(sizes) {
		t.Errorf("progress: %d files finished, last %+v, total %d", finished.Load(), last, total)
	}
}

func TestCopyDeclaredMismatch(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	p, _ := writeRandom(t, src, "video.mp4", 5000, 1)
	wrong := "00" + string(bytes.Repeat([]byte("1"), 62))
	_, err := copyJobs(context.Background(), []Job{{ID: "EV-0007", Src: p, Dst: filepath.Join(dst, "v"), DeclaredSHA256: wrong}}, Options{})
	var dm *DigestMismatch
	if !errors.As(err, &dm) {
		t.Fatalf("err = %v, want *DigestMismatch", err)
	}
	want, _ := sums(fileBytes(t, p))
	if dm.ID != "EV-0007" || dm.Path != p || dm.Want != wrong || dm.Got != want {
		t.Errorf("mismatch = %+v", dm)
	}

	// Every mismatch is reported, in job order, not just the first.
	q, _ := writeRandom(t, src, "photo.png", 3000, 2)
	r, _ := writeRandom(t, src, "ok.txt", 100, 3)
	okSum, _ := sums(fileBytes(t, r))
	_, err = copyJobs(context.Background(), []Job{
		{ID: "EV-0001", Src: p, Dst: filepath.Join(dst, "a"), DeclaredSHA256: wrong},
		{ID: "EV-0002", Src: r, Dst: filepath.Join(dst, "b"), DeclaredSHA256: okSum},
		{ID: "EV-0003", Src: q, Dst: filepath.Join(dst, "c"), DeclaredSHA256: wrong},
	}, Options{Workers: 2})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %v, want every mismatch joined", err)
	}
	var ids []string
	for _, e := range joined.Unwrap() {
		if errors.As(e, &dm) {
			ids = append(ids, dm.ID)
		}
	}
	if strings.Join(ids, ",") != "EV-0001,EV-0003" {
		t.Errorf("mismatches reported for %v, want EV-0001 and EV-0003", ids)
	}
}

func TestCopyErrors(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	p, _ := writeRandom(t, src, "a", 10, 1)
	exists := filepath.Join(dst, "exists")
	os.WriteFile(exists, nil, 0o644)
	tests := []struct {
		name string
		job  Job
	}{
		{"missing source", Job{ID: "EV-1", Src: filepath.Join(src, "nope"), Dst: filepath.Join(dst, "x")}},
		{"source is a folder", Job{ID: "EV-1", Src: src, Dst: filepath.Join(dst, "y")}},
		{"destination exists", Job{ID: "EV-1", Src: p, Dst: exists}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := copyJobs(context.Background(), []Job{tt.job}, Options{}); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestCopyCancelled(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	var jobs []Job
	for i := range 8 {
		p, _ := writeRandom(t, src, "f"+string(rune('a'+i)), 3*digest.BufferSize, uint64(i))
		jobs = append(jobs, Job{ID: "EV", Src: p, Dst: filepath.Join(dst, filepath.Base(p))})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := copyJobs(ctx, jobs, Options{Workers: 2, Progress: func(p digest.Progress) {
		if p.TotalDone > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func fileBytes(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkCopy measures copy + both digests of files on disk with the
// default worker pool (no Flusher: this measures the pass, not the disk).
func BenchmarkCopy(b *testing.B) {
	src := b.TempDir()
	var jobs []Job
	var total int64
	for i := range 4 {
		p, d := writeRandom(b, src, "f"+string(rune('a'+i)), 16<<20, uint64(i))
		total += int64(len(d))
		jobs = append(jobs, Job{ID: "EV", Src: p})
	}
	b.SetBytes(total)
	for b.Loop() {
		dst := b.TempDir()
		for i := range jobs {
			jobs[i].Dst = filepath.Join(dst, filepath.Base(jobs[i].Src))
		}
		if _, err := copyJobs(context.Background(), jobs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// recorder is a Flusher that records what Copy tells it.
type recorder struct {
	mu    sync.Mutex
	from  map[string]int64 // file -> offset of the first chunk reported
	wrote map[string]int64 // file -> bytes reported, checked contiguous
	done  map[string]time.Time
	t     *testing.T
}

func (r *recorder) Wrote(f *os.File, off, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.from[f.Name()]; !ok {
		r.from[f.Name()] = off
	}
	if off != r.from[f.Name()]+r.wrote[f.Name()] {
		r.t.Errorf("%s: chunk at %d, but %d bytes from %d were reported before", f.Name(), off, r.wrote[f.Name()], r.from[f.Name()])
	}
	r.wrote[f.Name()] += n
}

func (r *recorder) Done(f *os.File, mtime time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.done[f.Name()]; ok {
		r.t.Errorf("%s handed over twice", f.Name())
	}
	r.done[f.Name()] = mtime
	return f.Close()
}

// directHere reports whether files in dir take direct I/O: then a large
// copy must be written that way, and a test fails if it silently is not.
func directHere(t *testing.T, dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	return digest.SetDirect(f, true) == nil
}

// TestCopyFlushes: every byte of every copy written through the page
// cache is reported to the Flusher as it is written, in order — all of a
// small copy, and of a large one (written with direct I/O where the file
// system allows it) at least its last bytes that do not fill a block —
// and every complete copy is handed over once,
// with the time it must carry; a hash-only job and a copy that does not
// match its declared digest are not.
func TestCopyFlushes(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sizes := []int{0, 1, 3*digest.BufferSize + 17, 64 << 10, 2 * digest.BufferSize}
	var jobs []Job
	for i, n := range sizes {
		p, _ := writeRandom(t, src, "f"+string(rune('a'+i)), n, uint64(i))
		jobs = append(jobs, Job{ID: "EV", Src: p, Dst: filepath.Join(dst, "EV-"+string(rune('a'+i)), "copy")})
	}
	jobs[1].Dst = "" // withheld
	direct := directHere(t, dst)
	mtime := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	rec := &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}
	if _, err := copyJobs(context.Background(), jobs, Options{Workers: 2, Flush: rec, ModTime: mtime}); err != nil {
		t.Fatal(err)
	}
	for i, j := range jobs {
		if j.Dst == "" {
			if _, ok := rec.done[j.Dst]; ok {
				t.Errorf("hash-only job %d handed over", i)
			}
			continue
		}
		size, from, n := int64(sizes[i]), rec.from[j.Dst], rec.wrote[j.Dst]
		tail := size % digest.DirectAlign
		switch {
		case digest.Direct(size) && direct:
			if n != tail || tail > 0 && from != size-tail {
				t.Errorf("%d: %d bytes from %d reported of %d written with direct I/O, want the last %d", i, n, from, size, tail)
			}
		case from != 0 || n != size:
			t.Errorf("%d: %d bytes from %d reported of %d written through the page cache", i, n, from, size)
		}
		if m, ok := rec.done[j.Dst]; !ok || !m.Equal(mtime) {
			t.Errorf("%d: handed over %v with time %v", i, ok, m)
		}
	}
	if len(rec.done) != len(jobs)-1 {
		t.Errorf("%d copies handed over, want %d", len(rec.done), len(jobs)-1)
	}

	// A copy that is not the declared file is not handed over.
	p, _ := writeRandom(t, src, "edited", 5000, 9)
	rec = &recorder{from: map[string]int64{}, wrote: map[string]int64{}, done: map[string]time.Time{}, t: t}
	_, err := copyJobs(context.Background(), []Job{{ID: "EV", Src: p, Dst: filepath.Join(dst, "edited"), DeclaredSHA256: strings.Repeat("0", 64)}}, Options{Flush: rec})
	var dm *DigestMismatch
	if !errors.As(err, &dm) || len(rec.done) != 0 {
		t.Errorf("mismatch: err %v, handed over %v", err, rec.done)
	}
}

// TestCopiedNamesEachCompleteCopy: Copied is told of every copy once, when
// its bytes are all written, with its size and digest, and never of a
// hash-only job.
func TestCopiedNamesEachCompleteCopy(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sizes := []int{0, 4096, 3*digest.BufferSize + 17, 100, largeFile + 5}
	var jobs []Job
	var data [][]byte
	for i, n := range sizes {
		p, b := writeRandom(t, src, "f"+string(rune('a'+i)), n, uint64(i))
		data = append(data, b)
		j := Job{ID: "EV-" + string(rune('A'+i)), Src: p, Dst: filepath.Join(dst, filepath.Base(p))}
		if i == 3 {
			j.Dst = ""
		}
		jobs = append(jobs, j)
	}
	var mu sync.Mutex
	seen := map[int]int{}
	_, err := copyJobs(context.Background(), jobs, Options{Workers: 2, Copied: func(i int, r Result) {
		if r.Size != int64(len(data[i])) || r.SHA256() != digest.SHA256(data[i]) {
			t.Errorf("job %d handed over with size %d and SHA-256 %s, want %d and %s", i, r.Size, r.SHA256(), len(data[i]), digest.SHA256(data[i]))
		}
		got, err := os.ReadFile(jobs[i].Dst)
		if err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("job %d handed over before its copy was complete (%v)", i, err)
		}
		mu.Lock()
		seen[i]++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{0: 1, 1: 1, 2: 1, 4: 1}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("Copied called for %v, want %v", seen, want)
	}
}

func TestLargeFirst(t *testing.T) {
	const big = largeFile
	tests := []struct {
		sizes []int64
		want  []int
	}{
		{nil, []int{}},
		{[]int64{1, 2, 3}, []int{0, 1, 2}},
		{[]int64{5, big, 7, 3 * big, big - 1, 2 * big, 0}, []int{3, 5, 1, 0, 2, 4, 6}},
		{[]int64{big, big, 1}, []int{0, 1, 2}}, // equal sizes keep their order
	}
	for _, tt := range tests {
		if got := largeFirst(tt.sizes); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("largeFirst(%v) = %v, want %v", tt.sizes, got, tt.want)
		}
	}
}

// copyJobs is Copy of the jobs of a list.
func copyJobs(ctx context.Context, jobs []Job, opt Options) ([]Result, error) {
	return Copy(ctx, len(jobs), func(i int) Job { return jobs[i] }, opt)
}

// TestCopyWithinDir: with Options.Dir, each job's Dst is a slash-separated
// path within it, where the copy is made (its folders too), small or
// large; the result's Dst is the job's own string, not a path made for
// it (a build would hold one for every file).
func TestCopyWithinDir(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	var jobs []Job
	var data [][]byte
	for i, n := range []int{10, 3 * digest.BufferSize} {
		p, b := writeRandom(t, src, fmt.Sprintf("f%d", i), n, uint64(i))
		jobs = append(jobs, Job{ID: fmt.Sprintf("EV-%d", i), Src: p, Dst: fmt.Sprintf("data/evidence/EV-%d/photo.jpg", i)})
		data = append(data, b)
	}
	jobs = append(jobs, Job{ID: "EV-W", Src: jobs[0].Src}) // withheld
	res, err := copyJobs(context.Background(), jobs, Options{Dir: dst, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range data {
		got, err := os.ReadFile(filepath.Join(dst, "data", "evidence", fmt.Sprintf("EV-%d", i), "photo.jpg"))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("copy %d differs (%v)", i, err)
		}
		if r := res[i]; r.Dst != jobs[i].Dst || unsafe.StringData(r.Dst) != unsafe.StringData(jobs[i].Dst) || r.Withheld {
			t.Errorf("result %d: Dst %q (the job's own string: %v), withheld %v", i, r.Dst, unsafe.StringData(r.Dst) == unsafe.StringData(jobs[i].Dst), r.Withheld)
		}
	}
	if r := res[2]; r.Dst != "" || !r.Withheld {
		t.Errorf("withheld result: %+v", r)
	}
	if entries, _ := os.ReadDir(filepath.Join(dst, "data", "evidence")); len(entries) != 2 {
		t.Errorf("%d folders made in Dir, want 2", len(entries))
	}
}

// TestCopyLargeWithExtraProcs: a pass that writes a large copy (direct
// I/O, which waits for the disk) runs with more processors than cores
// (digest.BlockingIO), and gives them back when it returns; a pass of
// small files alone does not.
func TestCopyLargeWithExtraProcs(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, size := range []int{digest.BufferSize, digest.BufferSize + 1} {
		src, dst := t.TempDir(), t.TempDir()
		p, _ := writeRandom(t, src, "f", size, 1)
		var during atomic.Int64
		_, err := Copy(context.Background(), 1, func(int) Job {
			return Job{ID: "EV-1", Src: p, Dst: filepath.Join(dst, "f")}
		}, Options{Copied: func(int, Result) { during.Store(int64(runtime.GOMAXPROCS(0))) }})
		if err != nil {
			t.Fatal(err)
		}
		large := digest.Direct(int64(size))
		if got := int(during.Load()); large && got <= procs || !large && got != procs {
			t.Errorf("%d bytes (large %v): GOMAXPROCS during the pass = %d, cores %d", size, large, got, procs)
		}
		if got := runtime.GOMAXPROCS(0); got != procs {
			t.Errorf("%d bytes: GOMAXPROCS after the pass = %d, want %d", size, got, procs)
		}
	}
}

// TestDeclares: a declared SHA-256 is the file's when it is its hex in
// either case, spaces around it ignored, as comparing it case folded with
// the hex did (strings.EqualFold after strings.TrimSpace); anything else
// is a mismatch, and so is a declared digest of another file.
func TestDeclares(t *testing.T) {
	sum := sha256.Sum256([]byte("photo"))
	lower := hex.EncodeToString(sum[:])
	other := sha256.Sum256([]byte("another photo"))
	for _, tc := range []struct {
		declared string
		want     bool
	}{
		{lower, true},
		{strings.ToUpper(lower), true},
		{strings.ToUpper(lower[:10]) + lower[10:], true},
		{" \t" + lower + "\n", true},
		{hex.EncodeToString(other[:]), false},
		{lower[:63], false},
		{lower + "0", false},
		{lower[:62] + "g" + lower[63:], false},
		{lower[:31] + " " + lower[32:], false},
		{"sha256:" + lower, false},
		{strings.ReplaceAll(lower, "a", "\u212a"), false}, // folds to k, not a hex digit
		{"", false},
	} {
		old := strings.EqualFold(strings.TrimSpace(tc.declared), lower)
		if got := declares(tc.declared, &sum); got != tc.want || got != old {
			t.Errorf("declares(%q) = %v, want %v (case folded, %v)", tc.declared, got, tc.want, old)
		}
	}
}

// TestStatSource: Copy's look at a source before it starts says what
// os.Stat says: the size of a file, that a folder is not a regular file,
// and os.Stat's own error for a source that is missing or lies under a
// file.
func TestStatSource(t *testing.T) {
	dir := t.TempDir()
	p, _ := writeRandom(t, dir, "photo.jpg", 12345, 1)
	for _, name := range []string{p, dir, filepath.Join(dir, "missing.jpg"), filepath.Join(p, "x")} {
		size, regular, err := statSource(name)
		fi, want := os.Stat(name)
		switch {
		case want != nil:
			if err == nil || err.Error() != want.Error() || !errors.Is(err, fs.ErrNotExist) != !errors.Is(want, fs.ErrNotExist) {
				t.Errorf("%s: %v, want %v", name, err, want)
			}
		case err != nil || size != fi.Size() || regular != fi.Mode().IsRegular():
			t.Errorf("%s: %d bytes, regular %v, %v; want %d bytes, regular %v", name, size, regular, err, fi.Size(), fi.Mode().IsRegular())
		}
	}
}

// FuzzDeclares: declares says what comparing the declared SHA-256, spaces
// around it trimmed, case folded with the sum's lowercase hex said
// (strings.EqualFold, before 3a8403d), for any text declared: a forged
// declaration never passes for another file's digest, and a genuine one
// in any case or spacing is never refused.
func FuzzDeclares(f *testing.F) {
	sum := sha256.Sum256([]byte("photo"))
	lower := hex.EncodeToString(sum[:])
	for _, s := range []string{lower, strings.ToUpper(lower), " " + lower + "\t", lower[:63], lower + "0", "\u212a" + lower[1:], "", "zz"} {
		f.Add(s, false)
	}
	f.Add(lower, true)
	f.Fuzz(func(t *testing.T, declared string, asIs bool) {
		s := sum
		if !asIs {
			// The sum the text would have to match: one of its own, so
			// that random text is sometimes right.
			// The length is checked first: hex.Decode panics (index out
			// of range) on text of over 64 digits.
			var b [sha256.Size]byte
			if h := strings.ToLower(strings.TrimSpace(declared)); len(h) == hex.EncodedLen(len(b)) {
				if _, err := hex.Decode(b[:], []byte(h)); err == nil {
					s = b
				}
			}
		}
		old := strings.EqualFold(strings.TrimSpace(declared), hex.EncodeToString(s[:]))
		if got := declares(declared, &s); got != old {
			t.Errorf("declares(%q, %x) = %v, case folded %v", declared, s, got, old)
		}
	})
}
