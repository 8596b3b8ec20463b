package digest

import (
	"io"
	"sync"
)

// Progress is one progress event of a pass over many files. Events are
// delivered one at a time, never concurrently, so a callback needs no
// locking; it must return quickly.
type Progress struct {
	ID         string // the item this file belongs to (an evidence ID), if any
	Path       string // the file this event is about
	Done       int64  // bytes of this file read so far
	Size       int64  // size of this file (from stat before reading)
	TotalDone  int64  // bytes read over all files
	Total      int64  // bytes over all files
	FileDone   bool   // this file is finished
	FilesDone  int    // files finished over all files
	FilesTotal int
}

// Meter turns the reads of a pool's workers into serialised Progress
// events. A nil *Meter (no callback) does nothing and costs nothing.
type Meter struct {
	fn        func(Progress)
	mu        sync.Mutex
	total     int64
	done      int64
	files     int
	filesDone int
}

// NewMeter returns a Meter for a pass over files files holding total
// bytes, or nil when fn is nil.
func NewMeter(fn func(Progress), files int, total int64) *Meter {
	if fn == nil {
		return nil
	}
	return &Meter{fn: fn, files: files, total: total}
}

// Grow adds files files holding bytes bytes to the pass: for a pass whose
// files are found while it runs (Feed).
func (m *Meter) Grow(files int, bytes int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files += files
	m.total += bytes
}

// Reader counts the bytes read from r as progress of one file.
func (m *Meter) Reader(r io.Reader, id, path string, size int64) io.Reader {
	if m == nil {
		return r
	}
	return &meterReader{r: r, m: m, id: id, path: path, size: size}
}

// FileDone reports one file finished.
func (m *Meter) FileDone(id, path string, size int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.filesDone++
	m.fn(Progress{ID: id, Path: path, Done: size, Size: size, TotalDone: m.done, Total: m.total, FileDone: true, FilesDone: m.filesDone, FilesTotal: m.files})
}

func (m *Meter) add(id, path string, done, size, n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done += n
	m.fn(Progress{ID: id, Path: path, Done: done, Size: size, TotalDone: m.done, Total: m.total, FilesDone: m.filesDone, FilesTotal: m.files})
}

type meterReader struct {
	r        io.Reader
	m        *Meter
	id, path string
	size     int64
	done     int64
}

func (r *meterReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.done += int64(n)
		r.m.add(r.id, r.path, r.done, r.size, int64(n))
	}
	return n, err
}
