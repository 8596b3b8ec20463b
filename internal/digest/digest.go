// Package digest owns how casepack hashes bytes and spreads work over the
// cores: SHA-256 and SHA-512 computed in one pass over a stream (a file is
// read once, however many digests it needs), and the one bounded worker pool
// that runs independent items — files to hash, case items to decode or
// validate — on every core and stops when its context is done.
//
// Every digest casepack computes goes through here: the build's evidence
// pass, verify, validate's check of declared digests and the annex drafts.
// Memory is one buffer per stream being hashed, whatever the file sizes.
package digest

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"sync"
)

// BufferSize is the read buffer of each stream: large enough that system
// calls and per-call hash setup vanish next to hashing, small enough that
// memory stays flat (BufferSize × streams hashed at once).
const BufferSize = 1 << 20

// Digests of one stream. The digests are lowercase hex; SHA512 is empty
// when only SHA-256 was asked for.
type Digests struct {
	Size   int64
	SHA256 string
	SHA512 string
}

// Hasher computes SHA-256 and SHA-512 of what is written to it.
type Hasher struct {
	h256, h512 hash.Hash
	n          int64
}

// New returns a Hasher for SHA-256 and SHA-512.
func New() *Hasher { return &Hasher{h256: sha256.New(), h512: sha512.New()} }

// Write hashes p; it never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	h.h256.Write(p)
	h.h512.Write(p)
	h.n += int64(len(p))
	return len(p), nil
}

// Sum returns the size and digests of everything written so far.
func (h *Hasher) Sum() Digests {
	return Digests{Size: h.n, SHA256: hex.EncodeToString(h.h256.Sum(nil)), SHA512: hex.EncodeToString(h.h512.Sum(nil))}
}

// Sum returns the digests of data held in memory (tag files, manifests).
func Sum(data []byte) Digests {
	h := New()
	h.Write(data)
	return h.Sum()
}

// SHA256 returns the lowercase hex SHA-256 of data held in memory.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Copy copies src to dst until EOF and returns the size and both digests of
// the bytes copied. With a nil dst it only hashes. Each chunk is written
// first and hashed after, so the digests describe the bytes as they were
// handed to dst. The copy stops within one buffer once ctx is done, and
// then returns ctx's cause. A failed read or write is returned as is (the
// caller knows which file it is and wraps it).
func Copy(ctx context.Context, dst io.Writer, src io.Reader) (Digests, error) {
	h := New()
	sw := h.split(dst)
	defer sw.Close()
	if err := copyBuffer(ctx, sw, src); err != nil {
		return Digests{}, err
	}
	return h.Sum(), nil
}

// Read is Copy without a destination: the size and both digests of r.
func Read(ctx context.Context, r io.Reader) (Digests, error) { return Copy(ctx, nil, r) }

// ReadSHA256 is Read with SHA-256 only (SHA512 left empty), for re-reading
// bytes whose SHA-512 was computed as they were written.
func ReadSHA256(ctx context.Context, r io.Reader) (Digests, error) {
	h := sha256.New()
	cw := &countWriter{w: h}
	if err := copyBuffer(ctx, cw, r); err != nil {
		return Digests{}, err
	}
	return Digests{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// buffers recycles read buffers: a pass over 100,000 small files would
// otherwise allocate (and clear) a megabyte for each.
var buffers = sync.Pool{New: func() any { b := make([]byte, BufferSize); return &b }}

// copyBuffer is io.CopyBuffer through a pooled buffer, checking ctx before
// every read. The reader is wrapped so that neither io.WriterTo nor
// io.ReaderFrom can bypass the buffer (and the context).
func copyBuffer(ctx context.Context, dst io.Writer, src io.Reader) error {
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	_, err := io.CopyBuffer(writerOnly{dst}, &ctxReader{ctx: ctx, r: src}, *bp)
	if err != nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// writerOnly hides io.ReaderFrom.
type writerOnly struct{ io.Writer }

// ctxReader stops a copy at the next read once ctx is done, so an
// interrupt is honoured within one buffer. It also hides io.WriterTo.
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
