// Package evidence owns the one pass over evidence bytes: each file is read
// once, and while it is copied into the package it is hashed with SHA-256
// and SHA-512 and checked against the digest declared at acquisition. The
// hashing and the bounded pool of workers are internal/digest's; memory is
// one buffer per worker whatever the file sizes. Progress is reported as
// events; rendering them is the caller's business.
package evidence

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
)

// Job is one evidence file to copy (or, when Dst is empty, only to hash:
// evidence withheld from a public edition is read but never written).
type Job struct {
	ID  string // evidence ID, for messages and results
	Src string // file in the case folder; only ever opened for reading
	// Dst is the copy (created, must not exist), within Options.Dir when
	// that is set; "" = hash only.
	Dst            string
	DeclaredSHA256 string // hex digest declared at acquisition; "" = none
}

// Result is what the pass learnt about one file. Its digests are held as
// bytes, in the Result (96 bytes), not as hex strings (192 bytes besides,
// in two allocations): a build holds every file's Result to its end, and
// at 20,000 photos the hex strings were 3.7 MB of the live heap while the
// generated files were made, the build's peak (packager/build.go,
// SetMemoryLimit). SHA256 and SHA512 give them in hex; in JSON they are
// hex, as they always were.
type Result struct {
	ID     string
	Src    string
	Dst    string // the Job's, as it was given (within Options.Dir)
	Size   int64
	Sum256 [sha256.Size]byte
	Sum512 [sha512.Size]byte
	// Withheld is set for hash-only jobs (Dst empty): the file was read
	// and hashed but not copied.
	Withheld bool
	// ReadBack is set when every byte of the copy was read back as it was
	// written and found to be the byte hashed (Options.ReadBack). It is
	// not part of the JSON: it says how the build checked its copy, not
	// what the file is.
	ReadBack bool
}

// SHA256 is the file's SHA-256, lowercase hex (a new string each call).
func (r *Result) SHA256() string { return hex.EncodeToString(r.Sum256[:]) }

// SHA512 is the file's SHA-512, lowercase hex (a new string each call).
func (r *Result) SHA512() string { return hex.EncodeToString(r.Sum512[:]) }

// resultJSON is a Result as JSON has it (build --format json).
type resultJSON struct {
	ID       string `json:"id"`
	Src      string `json:"src"`
	Dst      string `json:"dst,omitempty"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"` // lowercase hex
	SHA512   string `json:"sha512"` // lowercase hex
	Withheld bool   `json:"withheld,omitempty"`
}

// MarshalJSON gives r's digests in hex.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{ID: r.ID, Src: r.Src, Dst: r.Dst, Size: r.Size, SHA256: r.SHA256(), SHA512: r.SHA512(), Withheld: r.Withheld})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{ID: j.ID, Src: j.Src, Dst: j.Dst, Size: j.Size, Withheld: j.Withheld}
	if err := decodeHex(r.Sum256[:], j.SHA256); err != nil {
		return fmt.Errorf("sha256: %w", err)
	}
	if err := decodeHex(r.Sum512[:], j.SHA512); err != nil {
		return fmt.Errorf("sha512: %w", err)
	}
	return nil
}

// decodeHex decodes the hex digest s into dst, which it must fill exactly,
// without making a copy of s.
func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("%d hex digits, want %d", len(s), 2*len(dst))
	}
	for i := range dst {
		hi, ok1 := fromHexChar(s[2*i])
		lo, ok2 := fromHexChar(s[2*i+1])
		if !ok1 || !ok2 {
			return fmt.Errorf("%q is not hex", s)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

func fromHexChar(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Options tune Copy.
type Options struct {
	// Dir, when set, is the folder the copies are made in: each Job's Dst
	// is a slash-separated path within it (a bag path), joined to it only
	// while the file is copied. The caller's jobs, and the results, then
	// share the paths the caller holds anyway instead of each holding one
	// of its own: at 20,000 photos the copies' full paths were 1.8 MB of
	// the live heap through the evidence pass.
	Dir      string
	Workers  int                   // concurrent files; default one per core
	Progress func(digest.Progress) // optional; bytes are counted as they are read
	Mode     os.FileMode           // mode of written files; default 0644
	// Flush is told of every chunk written through the page cache and
	// handed every copy when it is complete, to make the copies durable
	// (*atomicfs.Tree). Nil: the copies are closed and nothing is synced
	// (tests, benchmarks).
	Flush Flusher
	// ModTime is handed to the Flusher with each copy: the modification
	// time it must carry.
	ModTime time.Time
	// Copied, if set, is called with the index and result of each job
	// whose copy is complete (written, hashed and handed to the Flusher),
	// on the worker's goroutine, as soon as it is: the build starts
	// re-reading a copy while the others are still being made.
	Copied func(i int, r Result)
	// ReadBack has each copy read back as it is written and compared,
	// byte for byte, with the bytes hashed (see readBack): each chunk
	// right after its write, through the descriptor it was written with,
	// while the chunk is still in the buffer it was hashed from — with
	// direct I/O, from the disk, where it was written so (its last
	// bytes too: digest.ReadBackFromDisk). Result.ReadBack says whether
	// every byte was read back equal. What that proves is that each
	// chunk's bytes, read back right after they were written, are the
	// bytes hashed: exact, where re-reading the finished copy and hashing
	// it again with SHA-256 proved equal digests, for a memcmp instead of
	// a SHA-256 (at 20,000 photos 0.4 s of the build's CPU, on the bench
	// set 0.7-0.9 s). It proves the copy holds those bytes when complete
	// only because nothing else writes the copies' folder (Options.Dir:
	// the build's own temporary folder), as a re-read of the finished
	// copy rests on it for the time after it: a copy changed after its
	// chunk was read back is still reported Result.ReadBack; only
	// verifying the package (its payload manifests) then finds it
	// changed. A copy is then opened once, created to read and write.
	ReadBack bool
	// BeforeReadBack, if set, is called, on the goroutine writing job
	// i's copy, before the n bytes of it at off are read back (tests: a
	// copy changed there must not be found equal).
	BeforeReadBack func(i int, off, n int64)
}

// Flusher makes the copies durable: Wrote is called after each chunk is
// written through the page cache (to start its way to the disk while
// hashing goes on; a chunk written with direct I/O is on its way), Done
// with each finished copy, which it closes.
type Flusher interface {
	Wrote(f *os.File, off, n int64)
	Done(f *os.File, mtime time.Time) error
}

// DigestMismatch says an evidence file is not the file the case data
// describes: its SHA-256 differs from the one declared at acquisition.
type DigestMismatch struct {
	ID   string
	Path string
	Want string
	Got  string
}

func (e *DigestMismatch) Error() string {
	return fmt.Sprintf("%s: evidence %s: SHA-256 is %s but the case data declares %s (the file changed since acquisition, or the declared hash is wrong)",
		e.Path, e.ID, e.Got, e.Want)
}

// Copy runs the n jobs job(0) to job(n-1) on a bounded pool of workers and
// returns the results in job order. job may be called more than once for
// a job, from any goroutine, and must return the same Job each time: it
// makes each Job from what the caller holds (packager/assemble: its plan
// of the package), so that no list of jobs is held besides (64 bytes a
// file, 1.3 MB at 20,000 photos, through the whole pass). Each source is
// opened read-only and read exactly once. The first failure cancels the
// remaining work and its error names the file; a file that does not match
// its declared digest does not stop the others, so every mismatch is
// reported at once (an errors.Join of *DigestMismatch, in job order;
// errors.As finds the first). Files Copy created are left for the caller
// to remove: it builds into a temporary folder it removes as a whole.
func Copy(ctx context.Context, n int, job func(i int) Job, opt Options) ([]Result, error) {
	mode := opt.Mode
	if mode == 0 {
		mode = 0o644
	}
	sizes := make([]int64, n)
	var total int64
	large := false // some file is large enough to be copied with direct I/O
	for i := range n {
		j := job(i)
		size, regular, err := statSource(j.Src)
		if err != nil {
			return nil, j.readErr(err)
		}
		if !regular {
			return nil, fmt.Errorf("evidence %s: %s is not a regular file", j.ID, j.Src)
		}
		sizes[i] = size
		total += size
		large = large || digest.Direct(size)
	}
	meter := digest.NewMeter(opt.Progress, n, total)
	if large {
		// Large copies are written with direct I/O, each write waiting
		// for the disk while the cores could hash (digest.BlockingIO).
		defer digest.BlockingIO()()
	}

	results := make([]Result, n)
	// The mismatches, by job index: few, if any, so not a slot for each
	// job (16 bytes a file).
	var mu sync.Mutex
	var mismatches []mismatch
	order := largeFirst(sizes)
	err := digest.Each(ctx, n, opt.Workers, func(ctx context.Context, k int) error {
		i := order[k]
		r, err := copyOne(ctx, i, job(i), sizes[i], mode, meter, &opt)
		if err != nil {
			// Declared here, not for every file: errors.As is handed
			// its address, which puts it on the heap.
			var dm *DigestMismatch
			if errors.As(err, &dm) {
				mu.Lock()
				mismatches = append(mismatches, mismatch{i, err})
				mu.Unlock()
				return nil
			}
			return err
		}
		results[i] = r
		if opt.Copied != nil && !r.Withheld {
			opt.Copied(i, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(mismatches) > 0 {
		slices.SortFunc(mismatches, func(a, b mismatch) int { return cmp.Compare(a.i, b.i) })
		errs := make([]error, len(mismatches))
		for k, m := range mismatches {
			errs[k] = m.err
		}
		return nil, errors.Join(errs...)
	}
	return results, nil
}

// mismatch is the *DigestMismatch of job i.
type mismatch struct {
	i   int
	err error
}

// path is where the copy j.Dst is made (see Options.Dir).
func (opt *Options) path(dst string) string {
	if opt.Dir == "" {
		return dst
	}
	return filepath.Join(opt.Dir, filepath.FromSlash(dst))
}

// largeFile is the size from which a file is started before the smaller
// ones.
const largeFile = 8 << 20

// largeFirst is the order the pool takes the jobs in: files of largeFile
// bytes or more first, largest first, then the others in job order. A
// large video started last would leave one core to finish it alone while
// the other has nothing left to do; small files keep their order, which
// is usually the order they lie in on the disk.
func largeFirst(sizes []int64) []int {
	order := make([]int, 0, len(sizes))
	for i, n := range sizes {
		if n >= largeFile {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	for i, n := range sizes {
		if n < largeFile {
			order = append(order, i)
		}
	}
	return order
}

// readErr is a failure to read the evidence file itself, in plain words.
func (j Job) readErr(err error) error {
	switch {
	case errors.Is(err, source.ErrNotRegular):
		return fault.New(fault.Operational, fmt.Errorf("evidence %s: %w", j.ID, err), "the evidence must be a file; put the file itself in the case folder")
	case errors.Is(err, source.ErrChanged):
		return fault.New(fault.Operational, fmt.Errorf("evidence %s: %w", j.ID, err), "wait until whatever is writing the file has finished (or restore the original), then run this again")
	}
	return fmt.Errorf("evidence %s: %w", j.ID, fault.IO(j.Src, err))
}

// writeErr is a failure to write the copy. The copy's path is a temporary
// one, so the message names the evidence file and the problem.
func (j Job) writeErr(err error) error {
	return fmt.Errorf("evidence %s: cannot copy %s into the package: %w", j.ID, j.Src, fault.IO("", err))
}

func copyOne(ctx context.Context, i int, j Job, size int64, mode os.FileMode, meter *digest.Meter, opt *Options) (Result, error) {
	if r, ok, err := copySmall(ctx, i, j, size, mode, meter, opt); ok {
		return r, err
	}
	// Never blocks (a FIFO swapped in after validation is refused), and
	// tells below whether the file changed while it was read.
	src, err := source.Open(j.Src)
	if err != nil {
		return Result{}, j.readErr(err)
	}
	defer src.Close()
	if size > digest.BufferSize {
		digest.Sequential(src.File)
	}

	var f *os.File
	var w *writeback
	var dst io.Writer // an untyped nil *writeback would not be a nil io.Writer
	if j.Dst != "" {
		if f, err = create(opt.path(j.Dst), mode, opt.ReadBack); err != nil {
			return Result{}, j.writeErr(err)
		}
		// A large copy goes from the buffer it is hashed in straight to
		// the disk (where the file system takes direct I/O): copying it
		// into the page cache would cost about as much CPU as hashing it
		// with SHA-512 (fresh memory for every page), and the build syncs
		// everything before it publishes anyway.
		direct := digest.Direct(size) && digest.SetDirect(f, true) == nil
		w = &writeback{f: f, fl: opt.Flush, direct: direct, rb: newReadBack(i, opt)}
		dst = w
	}
	d, err := digest.CopySums(ctx, dst, meter.Reader(src, j.ID, j.Src, size))
	err = j.check(ctx, &d, err, src.Unchanged, src.Info().Size())
	if err != nil {
		if f != nil {
			f.Close() // the build fails; the copy goes with its folder
		}
		return Result{}, err
	}
	if f != nil {
		if opt.Flush != nil {
			err = opt.Flush.Done(f, opt.ModTime)
		} else {
			err = f.Close()
		}
		if err != nil {
			return Result{}, j.writeErr(err)
		}
	}
	r := j.result(&d, meter)
	r.ReadBack = w != nil && w.rb.equal
	return r, nil
}

// check is what the pass makes of copying j: the copy's error (err), or
// whether the source changed while it was read (unchanged, size: what it
// was when opened), or whether it is not the file declared. The error
// names the evidence file and says whose fault it is.
func (j Job) check(ctx context.Context, d *digest.Sums, err error, unchanged func() error, size int64) error {
	// A file rewritten while it was copied would be packaged with a digest
	// that matches neither its old nor its new content.
	if err == nil {
		err = unchanged()
	}
	if err == nil && d.Size != size {
		err = &source.ChangedError{Path: j.Src, What: fmt.Sprintf("%d bytes were read, %d expected", d.Size, size)}
	}
	if err == nil && j.DeclaredSHA256 != "" && !declares(j.DeclaredSHA256, &d.SHA256) {
		err = &DigestMismatch{ID: j.ID, Path: j.Src, Want: strings.ToLower(j.DeclaredSHA256), Got: hex.EncodeToString(d.SHA256[:])}
	}
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var dm *DigestMismatch
	switch {
	case errors.As(err, &dm):
		return err
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.As(err, &pe) && pe.Op == "write":
		// A write error is about the package being written (a full
		// disk), not about the evidence.
		return j.writeErr(err)
	}
	return j.readErr(err)
}

// declares reports whether the SHA-256 declared at acquisition (hex, in
// either case, spaces around it ignored) is sum: what comparing it with
// sum's lowercase hex, case folded, said, without making that hex.
func declares(declared string, sum *[sha256.Size]byte) bool {
	var b [sha256.Size]byte
	return decodeHex(b[:], strings.TrimSpace(declared)) == nil && b == *sum
}

// result is the finished job's Result, reported done to the meter.
func (j Job) result(d *digest.Sums, meter *digest.Meter) Result {
	meter.FileDone(j.ID, j.Src, d.Size)
	return Result{ID: j.ID, Src: j.Src, Dst: j.Dst, Size: d.Size, Sum256: d.SHA256, Sum512: d.SHA512, Withheld: j.Dst == ""}
}

// create makes a new copy, open to read it back too when readBack is
// set; its folder is made first if need be.
func create(name string, mode os.FileMode, readBack bool) (*os.File, error) {
	if err := mkdirFor(name); err != nil {
		return nil, err
	}
	return createNew(name, mode, readBack)
}

// mkdirFor makes the folder of the file name if need be: one mkdir when
// only the last folder is missing, the common case (one folder per
// evidence item).
func mkdirFor(name string) error {
	dir := filepath.Dir(name)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return os.MkdirAll(dir, 0o755)
	}
	return nil
}

// writeback writes a copy and tells the Flusher (if any) of each chunk
// that went through the page cache. A direct copy gets whole buffers of
// digest.BufferSize from digest.Copy, aligned to digest.DirectAlign, and
// writes them straight to the disk; its last bytes, which do not fill a
// block, are written through the page cache, as is everything after a
// direct write the file system refused. Each part is read back as it was
// written (rb), the direct part before direct I/O is turned off for the
// rest, and the last bytes from the disk too, direct I/O on again for
// that one read (readBack.wroteTail).
type writeback struct {
	f      *os.File
	fl     Flusher
	off    int64
	direct bool
	rb     readBack
}

func (w *writeback) Write(p []byte) (int, error) {
	done, tail := 0, w.direct
	if w.direct {
		if n := len(p) &^ (digest.DirectAlign - 1); n > 0 {
			m, err := w.f.Write(p[:n])
			w.off += int64(m)
			done = m
			if err != nil && (m > 0 || !errors.Is(err, syscall.EINVAL)) {
				return done, err
			}
			w.rb.wrote(w.f, p[:m], w.off-int64(m))
		}
		if done < len(p) {
			if err := digest.SetDirect(w.f, false); err != nil {
				return done, err
			}
			w.direct = false
		}
	}
	if done == len(p) {
		return done, nil
	}
	n, err := w.f.Write(p[done:])
	if n > 0 && w.fl != nil {
		w.fl.Wrote(w.f, w.off, int64(n))
	}
	if err == nil && tail {
		w.rb.wroteTail(w.f, p[done:done+n], w.off)
	} else if err == nil {
		w.rb.wrote(w.f, p[done:done+n], w.off)
	}
	w.off += int64(n)
	return done + n, err
}
