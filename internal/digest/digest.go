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
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"sync"
	"unsafe"
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

// Sums are Digests as bytes, as Copy's callers that keep them as bytes
// take them (CopySums): no hex string is made, nor decoded again.
type Sums struct {
	Size   int64
	SHA256 [sha256.Size]byte
	SHA512 [sha512.Size]byte
}

// Digests gives s in hex.
func (s *Sums) Digests() Digests {
	return Digests{Size: s.Size, SHA256: hex.EncodeToString(s.SHA256[:]), SHA512: hex.EncodeToString(s.SHA512[:])}
}

// Hasher computes SHA-256 and SHA-512 of what is written to it.
type Hasher struct {
	h256, h512 hash.Hash
	n          int64
	out        [sha512.Size]byte // where sums has each digest summed
}

// New returns a Hasher for SHA-256 and SHA-512.
func New() *Hasher { return &Hasher{h256: sha256.New(), h512: sha512.New()} }

// hashers recycle Copy's Hashers: a pass over 20,000 photos made 20,000
// of each digest's state (about 350 bytes a file, in three allocations).
var hashers = sync.Pool{New: func() any { return New() }}

// sums returns the size and digests of everything written so far. Each
// digest is summed into h's own array, not a new slice (Sum(nil)).
func (h *Hasher) sums() Sums {
	s := Sums{Size: h.n}
	copy(s.SHA256[:], h.h256.Sum(h.out[:0]))
	copy(s.SHA512[:], h.h512.Sum(h.out[:0]))
	return s
}

// Write hashes p; it never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	h.h256.Write(p)
	h.h512.Write(p)
	h.n += int64(len(p))
	return len(p), nil
}

// Sum returns the size and digests of everything written so far.
func (h *Hasher) Sum() Digests {
	s := h.sums()
	return s.Digests()
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
// the bytes copied. With a nil dst it only hashes. A chunk is never
// changed while it is written, so the digests describe the bytes as they
// were handed to dst, in order, one Write a chunk. The copy stops within
// one buffer once ctx is done, and then returns ctx's cause. A failed
// read or write is returned as is (the caller knows which file it is and
// wraps it); a write that takes less than its chunk without an error is
// io.ErrShortWrite.
//
// SHA-512 is the slower digest. Once a stream is past one buffer, its
// chunks are hashed with SHA-512 on a helper goroutine, and written to dst
// on another, while the caller's goroutine reads the next chunk into a
// second buffer and hashes it with SHA-256: a single large video keeps
// both cores busy, and neither the hashing nor the next read waits for a
// write — a large evidence copy is written with direct I/O, each write
// waiting for the disk (packager/evidence), which with the write in line
// left both cores partly idle while the bench set's videos were copied.
// A smaller file is hashed and written on the caller's goroutine alone:
// starting helpers would cost more than they save, and the pool runs
// other files beside it.
func Copy(ctx context.Context, dst io.Writer, src io.Reader) (Digests, error) {
	s, err := CopySums(ctx, dst, src)
	if err != nil {
		return Digests{}, err
	}
	return s.Digests(), nil
}

// CopySums is Copy, its digests given as bytes.
func CopySums(ctx context.Context, dst io.Writer, src io.Reader) (Sums, error) {
	h := hashers.Get().(*Hasher)
	h.h256.Reset()
	h.h512.Reset()
	h.n = 0
	var bufs [2]*[]byte
	var helper *hashHelper
	var behind *writeBehind
	defer func() {
		helper.stop() // before the buffers and h go back: it may still use them
		behind.stop()
		for _, b := range bufs {
			putBuffer(b)
		}
		hashers.Put(h)
	}()
	for i := 0; ; i++ {
		helper.free() // the chunk that last used this buffer is hashed
		if err := behind.free(); err != nil {
			return Sums{}, err
		}
		if err := ctx.Err(); err != nil {
			return Sums{}, context.Cause(ctx)
		}
		var n int
		var rerr error
		if i == 0 {
			bufs[0], n, rerr = fillFirst(src)
		} else {
			if bufs[i%2] == nil {
				bufs[i%2] = buffers.Get().(*[]byte)
			}
			n, rerr = fill(src, *bufs[i%2])
		}
		buf := *bufs[i%2]
		if n > 0 {
			p := buf[:n]
			if helper == nil && h.n+int64(n) > BufferSize {
				helper = startHashing(h.h512)
				if dst != nil {
					behind = startWriteBehind(dst)
				}
			}
			if helper != nil {
				helper.hash(p)
			}
			if behind != nil {
				behind.write(p)
			} else if dst != nil {
				if _, err := dst.Write(p); err != nil {
					return Sums{}, err
				}
			}
			h.h256.Write(p)
			if helper == nil {
				h.h512.Write(p)
			}
			h.n += int64(n)
		}
		if done, err := ended(ctx, rerr); err != nil {
			return Sums{}, err
		} else if done {
			break
		}
	}
	helper.stop()
	helper = nil
	if err := behind.stop(); err != nil {
		return Sums{}, err
	}
	return h.sums(), nil
}

// ended is what a read's error means to a loop over chunks: nil, read on;
// io.EOF, the stream is done; any other, the loop fails with it (with the
// context's cause once the context is done: the read failed because the
// copy was stopped).
func ended(ctx context.Context, err error) (done bool, _ error) {
	switch {
	case err == nil:
		return false, nil
	case err == io.EOF:
		return true, nil
	case ctx.Err() != nil:
		return true, context.Cause(ctx)
	}
	return true, err
}

// writeBehind writes chunks to dst in order on its own goroutine. At most
// two chunks are in its hands: the one it writes and the next. Once a
// write fails, the chunks after it are not written, and the error is
// returned by free or stop.
type writeBehind struct {
	req         chan []byte
	done        chan error
	outstanding int
	err         error
}

func startWriteBehind(dst io.Writer) *writeBehind {
	w := &writeBehind{req: make(chan []byte, 2), done: make(chan error, 2)}
	go func() {
		var failed error
		for p := range w.req {
			if failed == nil {
				n, err := dst.Write(p)
				if err == nil && n < len(p) {
					err = io.ErrShortWrite
				}
				failed = err
			}
			w.done <- failed
		}
		close(w.done)
	}()
	return w
}

// write hands p over; p must stay untouched until free or stop says so.
func (w *writeBehind) write(p []byte) {
	w.req <- p
	w.outstanding++
}

// free waits until at most one chunk is outstanding, and returns the
// first write error seen.
func (w *writeBehind) free() error {
	if w == nil {
		return nil
	}
	for w.outstanding > 1 {
		if err := <-w.done; err != nil && w.err == nil {
			w.err = err
		}
		w.outstanding--
	}
	return w.err
}

// stop waits for every chunk and ends the goroutine, returning the first
// write error; nil and repeated calls are harmless.
func (w *writeBehind) stop() error {
	if w == nil {
		return nil
	}
	if w.req != nil {
		close(w.req)
		for err := range w.done {
			if err != nil && w.err == nil {
				w.err = err
			}
		}
		w.req = nil
		w.outstanding = 0
	}
	return w.err
}

// hashHelper hashes chunks in order on its own goroutine: Copy's SHA-512,
// or readBehind's SHA-256. At most two chunks are in its hands: the one it
// hashes and the next.
type hashHelper struct {
	req         chan []byte
	done        chan struct{}
	outstanding int
}

func startHashing(h hash.Hash) *hashHelper {
	s := &hashHelper{req: make(chan []byte, 2), done: make(chan struct{}, 2)}
	go func() {
		for p := range s.req {
			h.Write(p)
			s.done <- struct{}{}
		}
		close(s.done)
	}()
	return s
}

// hash hands p over; p must stay untouched until free or stop says so.
func (s *hashHelper) hash(p []byte) {
	s.req <- p
	s.outstanding++
}

// free waits until at most one chunk is outstanding: with two buffers
// used in turn, the buffer about to be refilled is then no longer read.
func (s *hashHelper) free() {
	if s == nil {
		return
	}
	for s.outstanding > 1 {
		<-s.done
		s.outstanding--
	}
}

// stop waits for every chunk and ends the goroutine; nil and repeated
// calls are harmless.
func (s *hashHelper) stop() {
	if s == nil || s.req == nil {
		return
	}
	close(s.req)
	for range s.done {
	}
	s.req = nil
	s.outstanding = 0
}

// Read is Copy without a destination: the size and both digests of r.
func Read(ctx context.Context, r io.Reader) (Digests, error) { return Copy(ctx, nil, r) }

// ReadSHA256 is Read with SHA-256 only (SHA512 left empty), for re-reading
// bytes whose SHA-512 was computed as they were written (a copy written
// by this process is rather read back as it is written: ReadBackEqual).
func ReadSHA256(ctx context.Context, r io.Reader) (Digests, error) {
	if waitsOnDisk(r) {
		return readBehind(ctx, r, sha256.New())
	}
	h := sha256.New()
	cw := &countWriter{w: h}
	if err := copyBuffer(ctx, cw, r); err != nil {
		return Digests{}, err
	}
	return Digests{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// readBehind is ReadSHA256 for a reader that waits for the disk at every
// read (waitsOnDisk: a large copy read back with direct I/O, which the
// kernel does not read ahead): each chunk is hashed on a helper goroutine
// while the next is read into a second buffer, so the disk and a core work
// at once. Read and hashed in turn, the re-read of a build's last large
// copy, alone at the end of the build, took about twice as long as hashing
// it (packager/assemble's reread, which now re-reads only a copy not read
// back equal as it was written). h is the SHA-256 to hash with.
func readBehind(ctx context.Context, r io.Reader, h hash.Hash) (Digests, error) {
	var bufs [2]*[]byte
	helper := startHashing(h)
	defer func() {
		helper.stop() // before the buffers go back: it may still read one
		for _, b := range bufs {
			putBuffer(b)
		}
	}()
	var size int64
	for i := 0; ; i++ {
		helper.free() // the chunk that last used this buffer is hashed
		if err := ctx.Err(); err != nil {
			return Digests{}, context.Cause(ctx)
		}
		if bufs[i%2] == nil {
			bufs[i%2] = buffers.Get().(*[]byte)
		}
		n, err := fill(r, *bufs[i%2])
		if n > 0 {
			helper.hash((*bufs[i%2])[:n])
			size += int64(n)
		}
		if done, err := ended(ctx, err); err != nil {
			return Digests{}, err
		} else if done {
			break
		}
	}
	helper.stop()
	return Digests{Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
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

// UntilSize reads r, a regular file of size bytes, ending the stream
// (io.EOF) with the read that brings it to size bytes when that read
// returned less than it was asked for: a read of a regular file comes
// back short only at the end of the file, so the read that would return
// nothing is spared — one system call in three or four for a small file,
// tens of thousands in a build of photos. A file that grew is read on to
// its end; one that is shorter ends where it ends. What a file may do
// after it was read is the caller's to check (internal/source's
// Unchanged, or a digest compared with one taken before).
func UntilSize(r io.Reader, size int64) io.Reader { return &untilSize{r: r, left: size} }

type untilSize struct {
	r    io.Reader
	left int64
}

func (u *untilSize) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	u.left -= int64(n)
	if err == nil && u.left == 0 && n > 0 && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// fill reads from r until buf is full, the stream ends (io.EOF) or a read
// fails: every chunk but a stream's last is a whole buffer, as direct I/O
// (DirectAlign) needs of each write. A read that returns nothing and no
// error ends the chunk early (the caller reads on); a writer that gets a
// chunk direct I/O cannot take then writes through the page cache.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			return n, err
		}
	}
	return n, nil
}

// DirectAlign is the alignment direct I/O (Linux O_DIRECT) needs of a
// buffer's address, of a file offset and of a length: the largest
// logical block size of disks in use. Every buffer handed out here is
// aligned to it, and BufferSize is a multiple of it.
const DirectAlign = 4096

// Direct reports whether a file of size bytes is written and read back
// with direct I/O rather than through the page cache: a file larger than
// one buffer. Each direct write or read waits for the disk, which for a
// small file would cost more than the copy it saves. packager/evidence
// reads such a copy back chunk by chunk as it writes it (ReadBackEqual);
// OpenCopy re-reads one that was not read back so.
func Direct(size int64) bool { return size > BufferSize }

// ReadBackEqual reports whether the len(p) bytes of r at off, read back,
// are the bytes of p: a writer's proof that what it just wrote from p is
// what the file holds, while p — the chunk Copy hashed, untouched until
// the write returns — is still in hand. Equal bytes are exact where an
// equal digest of them is not, and comparing costs a memcmp where hashing
// them again cost a SHA-256 (packager/evidence reads every copy back so);
// it proves what the file held when read back, not later. The
// bytes are read into one of the buffers here, aligned for direct I/O
// (DirectAlign), a whole buffer at most at a time: a descriptor with
// direct I/O on reads them from the disk, when p and off are aligned too.
// A read that fails or comes back short is not equal.
func ReadBackEqual(r io.ReaderAt, off int64, p []byte) bool {
	bp := smallBuffers.Get().(*[]byte)
	if len(p) > SmallBufferSize {
		smallBuffers.Put(bp)
		bp = buffers.Get().(*[]byte)
	}
	defer putBuffer(bp)
	for len(p) > 0 {
		b := (*bp)[:min(len(p), len(*bp))]
		// A short read is unequal: b[:n] is then shorter than the chunk.
		if n, err := r.ReadAt(b, off); err != nil && err != io.EOF || !bytes.Equal(b[:n], p[:len(b)]) {
			return false
		}
		p = p[len(b):]
		off += int64(len(b))
	}
	return true
}

// isAligned reports whether p starts at a multiple of DirectAlign.
func isAligned(p []byte) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(p)))%DirectAlign == 0
}

// SmallBufferSize is the buffer every stream starts in. Most evidence
// files (photos, documents) fit in it whole, so a pass over them holds
// 64 KiB per stream at a time, not BufferSize: for 20,000 photos that is
// megabytes less live while the build copies and re-reads them, its
// memory peak (scripts/bench-package.sh). A stream that fills it goes on
// in a BufferSize buffer, the bytes read so far moved to its start, so
// the chunks of a large file are whole buffers as before (direct I/O
// needs them). It is a multiple of DirectAlign, and aligned to it like
// every buffer here: a large copy read back with direct I/O starts in it.
const SmallBufferSize = 64 << 10

// buffers and smallBuffers recycle read buffers: a pass over 100,000 small
// files would otherwise allocate (and clear) a buffer for each.
var (
	buffers      = sync.Pool{New: func() any { return alignedBuffer(BufferSize) }}
	smallBuffers = sync.Pool{New: func() any { return alignedBuffer(SmallBufferSize) }}
)

// alignedBuffer returns a buffer of n bytes aligned to DirectAlign.
func alignedBuffer(n int) *[]byte {
	b := make([]byte, n+DirectAlign)
	off := DirectAlign - int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))%DirectAlign)
	b = b[off%DirectAlign:][:n:n]
	return &b
}

// putBuffer returns b (nil: none) to its pool.
func putBuffer(b *[]byte) {
	switch {
	case b == nil:
	case cap(*b) == SmallBufferSize:
		smallBuffers.Put(b)
	default:
		buffers.Put(b)
	}
}

// fillFirst reads a stream's first chunk (see fill): into a small buffer
// if the stream ends (or fails) within it, else on into a whole buffer,
// what was read so far moved to its start. It returns the buffer, for
// putBuffer, and how much of it was read.
func fillFirst(r io.Reader) (*[]byte, int, error) {
	sp := smallBuffers.Get().(*[]byte)
	n, err := fill(r, *sp)
	if err != nil {
		return sp, n, err
	}
	bp := buffers.Get().(*[]byte)
	copy(*bp, (*sp)[:n])
	smallBuffers.Put(sp)
	m, err := fill(r, (*bp)[n:])
	return bp, n + m, err
}

// copyBuffer is io.CopyBuffer through a pooled buffer, checking ctx before
// every read: a small buffer first, a whole one once the stream is larger
// (see SmallBufferSize). The reader is wrapped so that neither io.WriterTo
// nor io.ReaderFrom can bypass the buffer (and the context).
func copyBuffer(ctx context.Context, dst io.Writer, src io.Reader) error {
	cr := &ctxReader{ctx: ctx, r: src}
	err := copyFirst(dst, cr)
	if err == nil {
		bp := buffers.Get().(*[]byte)
		defer buffers.Put(bp)
		_, err = io.CopyBuffer(writerOnly{dst}, cr, *bp)
	} else if err == io.EOF {
		return nil
	}
	if err != nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// copyFirst copies what fits of src in a small buffer to dst: io.EOF when
// that was all, nil when the stream goes on.
func copyFirst(dst io.Writer, src io.Reader) error {
	sp := smallBuffers.Get().(*[]byte)
	defer smallBuffers.Put(sp)
	n, rerr := fill(src, *sp)
	if n > 0 {
		if m, err := dst.Write((*sp)[:n]); err != nil {
			return err
		} else if m != n {
			return io.ErrShortWrite
		}
	}
	return rerr
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
