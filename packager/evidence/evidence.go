// Package evidence owns the one pass over evidence bytes: each file is read
// once, and while it is copied into the package it is hashed with SHA-256
// and SHA-512 and checked against the digest declared at acquisition. Files
// are spread over a bounded pool of workers; memory is one buffer per worker
// whatever the file sizes. Progress is reported as events; rendering them is
// the caller's business.
package evidence

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"

	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// BufferSize is the copy buffer of each worker: large enough that system
// calls and hash setup vanish next to hashing, small enough that memory
// stays flat (1 MiB × workers).
const BufferSize = 1 << 20

// Job is one evidence file to copy (or, when Dst is empty, only to hash:
// evidence withheld from a public edition is read but never written).
type Job struct {
	ID             string // evidence ID, for messages and results
	Src            string // file in the case folder; only ever opened for reading
	Dst            string // destination file (created, must not exist); "" = hash only
	DeclaredSHA256 string // hex digest declared at acquisition; "" = none
}

// Result is what the pass learnt about one file.
type Result struct {
	ID     string `json:"id"`
	Src    string `json:"src"`
	Dst    string `json:"dst,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
	SHA512 string `json:"sha512"` // lowercase hex
	// Withheld is set for hash-only jobs (Dst empty): the file was read
	// and hashed but not copied.
	Withheld bool `json:"withheld,omitempty"`
}

// Progress is one progress event. Bytes are counted when they have been
// hashed (and written). Events are delivered one at a time, never
// concurrently, so a callback needs no locking; it must return quickly.
type Progress struct {
	ID         string // evidence ID of the file this event is about
	Path       string // its source path
	Done       int64  // bytes of this file done
	Size       int64  // size of this file (from stat before reading)
	TotalDone  int64  // bytes done over all jobs
	Total      int64  // bytes over all jobs
	FileDone   bool   // this file is finished
	FilesDone  int    // files finished over all jobs
	FilesTotal int
}

// Options tune Copy.
type Options struct {
	Workers  int            // concurrent files; default runtime.NumCPU()
	Progress func(Progress) // optional
	NoSync   bool           // skip fsync of written files (tests, benchmarks)
	Mode     os.FileMode    // mode of written files; default 0644
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

// Digests of one stream.
type Digests struct {
	Size   int64
	SHA256 string
	SHA512 string
}

// Hasher computes both digests of what is written to it.
type Hasher struct {
	h256, h512 hash.Hash
	n          int64
}

// NewHasher returns a Hasher for SHA-256 and SHA-512.
func NewHasher() *Hasher { return &Hasher{h256: sha256.New(), h512: sha512.New()} }

func (h *Hasher) Write(p []byte) (int, error) {
	h.h256.Write(p)
	h.h512.Write(p)
	h.n += int64(len(p))
	return len(p), nil
}

// Sum returns the digests of everything written so far.
func (h *Hasher) Sum() Digests {
	return Digests{Size: h.n, SHA256: hex.EncodeToString(h.h256.Sum(nil)), SHA512: hex.EncodeToString(h.h512.Sum(nil))}
}

// Hash reads r to the end through buf (allocated when nil) and returns its
// size and both digests.
func Hash(ctx context.Context, r io.Reader, buf []byte) (Digests, error) {
	if buf == nil {
		buf = make([]byte, BufferSize)
	}
	h := NewHasher()
	sw := h.split(nil)
	defer sw.Close()
	if _, err := io.CopyBuffer(sw, &ctxReader{ctx: ctx, r: r}, buf); err != nil {
		return Digests{}, err
	}
	return h.Sum(), nil
}

// splitWriter hashes each chunk with SHA-512 on a helper goroutine while
// the calling goroutine writes it to dst and hashes it with SHA-256. SHA-512
// is the slower digest; without this a single large video (the common case)
// would keep one core busy and leave the other idle. The chunk is not used
// after Write returns.
type splitWriter struct {
	dst  io.Writer // may be nil
	h    *Hasher
	req  chan []byte
	done chan struct{}
}

func (h *Hasher) split(dst io.Writer) *splitWriter {
	s := &splitWriter{dst: dst, h: h, req: make(chan []byte), done: make(chan struct{})}
	go func() {
		for p := range s.req {
			h.h512.Write(p)
			s.done <- struct{}{}
		}
	}()
	return s
}

func (s *splitWriter) Write(p []byte) (int, error) {
	s.req <- p
	defer func() { <-s.done }()
	if s.dst != nil {
		// Written first, hashed after: the digests describe the bytes as
		// they were handed to the package file.
		if n, err := s.dst.Write(p); err != nil {
			return n, err
		}
	}
	s.h.h256.Write(p)
	s.h.n += int64(len(p))
	return len(p), nil
}

// Close stops the helper goroutine.
func (s *splitWriter) Close() { close(s.req) }

// ctxReader stops a copy at the next read once ctx is done, so an
// interrupt is honoured within one buffer. It also hides io.WriterTo so
// io.CopyBuffer uses the caller's buffer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Copy runs every job on a bounded pool of workers and returns the results in
// job order. Each source is opened read-only and read exactly once. The first
// failure cancels the remaining work and its error names the file; a file
// that does not match its declared digest does not stop the others, so every
// mismatch is reported at once (an errors.Join of *DigestMismatch, in job
// order; errors.As finds the first). Files Copy created are left
// for the caller to remove: it builds into a temporary folder it removes as a
// whole.
func Copy(ctx context.Context, jobs []Job, opt Options) ([]Result, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, max(len(jobs), 1))
	mode := opt.Mode
	if mode == 0 {
		mode = 0o644
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	sizes := make([]int64, len(jobs))
	var total int64
	for i, j := range jobs {
		fi, err := os.Stat(j.Src)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", j.ID, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("evidence %s: %s is not a regular file", j.ID, j.Src)
		}
		sizes[i] = fi.Size()
		total += fi.Size()
	}
	rep := &reporter{fn: opt.Progress, total: total, files: len(jobs)}

	results := make([]Result, len(jobs))
	next := make(chan int)
	var wg, syncWG sync.WaitGroup
	var once sync.Once
	var firstErr error
	mismatches := make([]error, len(jobs))
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel(err) })
	}
	// fsync waits on the disk, not the CPU: a few syncer goroutines flush
	// finished files while the workers hash the next ones.
	toSync := make(chan Job, 4*workers)
	if !opt.NoSync {
		for range syncers {
			syncWG.Add(1)
			go func() {
				defer syncWG.Done()
				for j := range toSync {
					if err := syncFile(j.Dst); err != nil {
						fail(fmt.Errorf("evidence %s: write %s: %w", j.ID, j.Dst, err))
					}
				}
			}()
		}
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, BufferSize)
			for i := range next {
				r, err := copyOne(ctx, jobs[i], sizes[i], buf, mode, rep)
				var dm *DigestMismatch
				if errors.As(err, &dm) {
					mismatches[i] = err
					continue
				}
				if err != nil {
					fail(err)
					continue
				}
				results[i] = r
				if jobs[i].Dst != "" && !opt.NoSync {
					toSync <- jobs[i]
				}
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(toSync)
	syncWG.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if err := errors.Join(mismatches...); err != nil {
		return nil, err
	}
	return results, nil
}

// syncers is the number of goroutines flushing finished files to disk.
const syncers = 4

// syncFile flushes a written file to stable storage through a new
// descriptor (fsync applies to the file, not the descriptor).
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func copyOne(ctx context.Context, j Job, size int64, buf []byte, mode os.FileMode, rep *reporter) (res Result, err error) {
	src, err := os.Open(j.Src)
	if err != nil {
		return res, fmt.Errorf("evidence %s: %w", j.ID, err)
	}
	defer src.Close()

	h := NewHasher()
	var dst *os.File
	if j.Dst != "" {
		if err := os.MkdirAll(filepath.Dir(j.Dst), 0o755); err != nil {
			return res, fmt.Errorf("evidence %s: %w", j.ID, err)
		}
		dst, err = os.OpenFile(j.Dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return res, fmt.Errorf("evidence %s: %w", j.ID, err)
		}
		defer func() {
			if cerr := dst.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("evidence %s: write %s: %w", j.ID, j.Dst, cerr)
			}
		}()
	}
	var w io.Writer
	if dst != nil {
		w = dst // an untyped nil *os.File would not be a nil io.Writer
	}
	sw := h.split(w)
	defer sw.Close()
	pw := &progressWriter{w: sw, rep: rep, id: j.ID, path: j.Src, size: size}
	if _, err := io.CopyBuffer(pw, &ctxReader{ctx: ctx, r: src}, buf); err != nil {
		if ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		return res, fmt.Errorf("evidence %s: copy %s: %w", j.ID, j.Src, err)
	}
	d := h.Sum()
	if j.DeclaredSHA256 != "" && !strings.EqualFold(strings.TrimSpace(j.DeclaredSHA256), d.SHA256) {
		return res, &DigestMismatch{ID: j.ID, Path: j.Src, Want: strings.ToLower(j.DeclaredSHA256), Got: d.SHA256}
	}
	rep.fileDone(j.ID, j.Src, d.Size)
	return Result{ID: j.ID, Src: j.Src, Dst: j.Dst, Size: d.Size, SHA256: d.SHA256, SHA512: d.SHA512, Withheld: j.Dst == ""}, nil
}

type progressWriter struct {
	w    io.Writer
	rep  *reporter
	id   string
	path string
	size int64
	done int64
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.rep.add(p.id, p.path, p.done, p.size, int64(n))
	return n, err
}

type reporter struct {
	fn        func(Progress)
	mu        sync.Mutex
	total     int64
	done      int64
	files     int
	filesDone int
}

func (r *reporter) add(id, path string, done, size, n int64) {
	if r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	r.fn(Progress{ID: id, Path: path, Done: done, Size: size, TotalDone: r.done, Total: r.total, FilesDone: r.filesDone, FilesTotal: r.files})
}

func (r *reporter) fileDone(id, path string, size int64) {
	if r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.filesDone++
	r.fn(Progress{ID: id, Path: path, Done: size, Size: size, TotalDone: r.done, Total: r.total, FileDone: true, FilesDone: r.filesDone, FilesTotal: r.files})
}

// HashSHA256 is Hash with SHA-256 only (SHA512 left empty), for re-reading
// bytes whose SHA-512 was computed as they were written.
func HashSHA256(ctx context.Context, r io.Reader, buf []byte) (Digests, error) {
	if buf == nil {
		buf = make([]byte, BufferSize)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(h, &ctxReader{ctx: ctx, r: r}, buf)
	if err != nil {
		return Digests{}, err
	}
	return Digests{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
