package store

import (
	"errors"
	"io"
	"sync"
)

// maxCursors bounds the streams a rangeReader keeps open: enough for every
// hashing worker to read its own ZIP entry, plus the central directory.
const maxCursors = 16

// skipAhead is how far forward a cursor reads and discards rather than
// opening a new request (a ZIP entry's data follows its local header).
const skipAhead = 64 << 10

// rangeReader serves ReadAt from streaming reads. Each cursor is one open
// stream (one GET from an offset to the end of the object); a ReadAt that
// starts where a cursor stands continues it, so reading an entry
// sequentially costs one request, not one per buffer. Memory is bounded:
// the cursors hold no buffers of their own.
type rangeReader struct {
	size int64
	open func(off int64) (io.ReadCloser, error)

	mu      sync.Mutex
	cursors []*cursor // most recently used last
	closed  bool
}

type cursor struct {
	rc   io.ReadCloser
	pos  int64
	busy bool
}

func newRangeReader(size int64, open func(off int64) (io.ReadCloser, error)) *rangeReader {
	return &rangeReader{size: size, open: open}
}

func (r *rangeReader) Size() int64 { return r.size }

// take finds an idle cursor at or shortly before off, or makes one.
func (r *rangeReader) take(off int64) (*cursor, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errors.New("read after close")
	}
	for i, c := range r.cursors {
		if !c.busy && c.pos <= off && off-c.pos <= skipAhead {
			c.busy = true
			r.cursors = append(append(r.cursors[:i:i], r.cursors[i+1:]...), c)
			r.mu.Unlock()
			return c, nil
		}
	}
	c := &cursor{pos: off, busy: true}
	r.cursors = append(r.cursors, c)
	// Evict the least recently used idle cursors beyond the bound.
	var evict []*cursor
	for len(r.cursors) > maxCursors {
		i := -1
		for j, o := range r.cursors {
			if !o.busy {
				i = j
				break
			}
		}
		if i < 0 {
			break
		}
		evict = append(evict, r.cursors[i])
		r.cursors = append(r.cursors[:i:i], r.cursors[i+1:]...)
	}
	r.mu.Unlock()
	for _, o := range evict {
		if o.rc != nil {
			o.rc.Close()
		}
	}
	rc, err := r.open(off)
	if err != nil {
		r.drop(c)
		return nil, err
	}
	c.rc = rc
	return c, nil
}

func (r *rangeReader) release(c *cursor) {
	r.mu.Lock()
	c.busy = false
	r.mu.Unlock()
}

func (r *rangeReader) drop(c *cursor) {
	r.mu.Lock()
	for i, o := range r.cursors {
		if o == c {
			r.cursors = append(r.cursors[:i:i], r.cursors[i+1:]...)
			break
		}
	}
	r.mu.Unlock()
	if c.rc != nil {
		c.rc.Close()
	}
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := r.size - off; int64(want) > rest {
		want = int(rest)
	}
	c, err := r.take(off)
	if err != nil {
		return 0, err
	}
	if c.pos < off {
		if _, err := io.CopyN(io.Discard, c.rc, off-c.pos); err != nil {
			r.drop(c)
			return 0, err
		}
		c.pos = off
	}
	n, err := io.ReadFull(c.rc, p[:want])
	c.pos += int64(n)
	if err != nil {
		r.drop(c)
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // the object is shorter than it said
		}
		return n, err
	}
	r.release(c)
	if want < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *rangeReader) Close() error {
	r.mu.Lock()
	cs := r.cursors
	r.cursors, r.closed = nil, true
	r.mu.Unlock()
	for _, c := range cs {
		if c.rc != nil {
			c.rc.Close()
		}
	}
	return nil
}
