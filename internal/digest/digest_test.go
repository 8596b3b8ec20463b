package digest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/casepack/casepack/internal/testtool"
)

func random(size int, seed uint64) []byte {
	b := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func want(b []byte) Digests {
	a, c := sha256.Sum256(b), sha512.Sum512(b)
	return Digests{Size: int64(len(b)), SHA256: hex.EncodeToString(a[:]), SHA512: hex.EncodeToString(c[:])}
}

// chunky returns at most n bytes per Read, so chunk boundaries fall
// everywhere, not only at the buffer size.
type chunky struct {
	r io.Reader
	n int
}

func (c chunky) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestCopy(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		chunk int
	}{
		{"empty", 0, BufferSize},
		{"one byte", 1, BufferSize},
		{"small buffer less one", SmallBufferSize - 1, BufferSize},
		{"one small buffer", SmallBufferSize, BufferSize},
		{"small buffer plus one", SmallBufferSize + 1, BufferSize},
		{"small buffer plus one, odd reads", SmallBufferSize + 1, 4093},
		{"buffer and a small one", BufferSize + SmallBufferSize, 12345},
		{"buffer less one", BufferSize - 1, BufferSize},
		{"one buffer", BufferSize, BufferSize},
		{"buffer plus one", BufferSize + 1, BufferSize},
		{"several buffers", 3*BufferSize + 17, BufferSize},
		{"odd reads", 200_003, 4093},
		{"odd reads past one buffer", 3*BufferSize + 5, 65521}, // SHA-512 moves to its helper mid-stream
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := random(tc.size, uint64(tc.size))
			w := want(data)
			var dst bytes.Buffer
			got, err := Copy(context.Background(), &dst, chunky{bytes.NewReader(data), tc.chunk})
			if err != nil || got != w {
				t.Fatalf("Copy = %+v, %v; want %+v", got, err, w)
			}
			if !bytes.Equal(dst.Bytes(), data) {
				t.Fatalf("copied %d bytes that differ from the %d read", dst.Len(), len(data))
			}
			if got, err := Read(context.Background(), chunky{bytes.NewReader(data), tc.chunk}); err != nil || got != w {
				t.Fatalf("Read = %+v, %v; want %+v", got, err, w)
			}
			got, err = ReadSHA256(context.Background(), bytes.NewReader(data))
			if err != nil || got != (Digests{Size: w.Size, SHA256: w.SHA256}) {
				t.Fatalf("ReadSHA256 = %+v, %v; want SHA-256 %s", got, err, w.SHA256)
			}
			if got := Sum(data); got != w {
				t.Fatalf("Sum = %+v; want %+v", got, w)
			}
			if got := SHA256(data); got != w.SHA256 {
				t.Fatalf("SHA256 = %s; want %s", got, w.SHA256)
			}
			h := New()
			h.Write(data[:len(data)/2])
			h.Write(data[len(data)/2:])
			if got := h.Sum(); got != w {
				t.Fatalf("Hasher in two writes = %+v; want %+v", got, w)
			}
		})
	}
}

// TestAgreesWithCoreutils checks the digests against sha256sum and
// sha512sum, the tools a recipient checks a package with.
func TestAgreesWithCoreutils(t *testing.T) {
	data := random(2*BufferSize+5, 42)
	p := filepath.Join(t.TempDir(), "file.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for tool, sum := range map[string]string{"sha256sum": d.SHA256, "sha512sum": d.SHA512} {
		out, err := exec.Command(testtool.Need(t, tool), p).Output()
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if got, _, _ := strings.Cut(string(out), " "); got != sum {
			t.Errorf("%s says %s, digest says %s", tool, got, sum)
		}
	}
}

var errDisk = errors.New("disk on fire")

type failingReader struct{ after int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errDisk
	}
	n := min(len(p), f.after)
	f.after -= n
	return n, nil
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		return 0, errDisk
	}
	f.after -= len(p)
	return len(p), nil
}

func TestCopyErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Copy(ctx, io.Discard, &failingReader{after: BufferSize + 3}); !errors.Is(err, errDisk) {
		t.Errorf("read error: got %v, want %v", err, errDisk)
	}
	if _, err := Read(ctx, &failingReader{after: 10}); !errors.Is(err, errDisk) {
		t.Errorf("read error (hash only): got %v, want %v", err, errDisk)
	}
	if _, err := ReadSHA256(ctx, &failingReader{}); !errors.Is(err, errDisk) {
		t.Errorf("read error (SHA-256 only): got %v, want %v", err, errDisk)
	}
	for _, after := range []int{0, BufferSize, 2 * BufferSize} {
		if _, err := Copy(ctx, &failingWriter{after: after}, bytes.NewReader(random(4*BufferSize, 1))); !errors.Is(err, errDisk) {
			t.Errorf("write error after %d bytes: got %v, want %v", after, err, errDisk)
		}
	}
	if _, err := Copy(ctx, &shortWriter{after: 2 * BufferSize}, bytes.NewReader(random(4*BufferSize, 1))); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("short write: got %v, want %v", err, io.ErrShortWrite)
	}
}

// shortWriter takes half of every write after its first after bytes, and
// says nothing of it.
type shortWriter struct{ after int }

func (s *shortWriter) Write(p []byte) (int, error) {
	if s.after < len(p) {
		return len(p) / 2, nil
	}
	s.after -= len(p)
	return len(p), nil
}

// TestCopyWritesBehind: once a stream is past one buffer, the next chunk
// is read (and hashed) while the one before it is being written: the
// destination's second write returns only once the source has been asked
// for the third chunk, which a copy that waits for each write before it
// reads on never does.
func TestCopyWritesBehind(t *testing.T) {
	data := random(4*BufferSize, 7)
	readOn := make(chan struct{})
	src := &watchedReader{r: bytes.NewReader(data), past: 2 * BufferSize, reached: readOn}
	dst := &waitingWriter{gate: gate{wait: readOn, at: 2}}
	got, err := Copy(context.Background(), dst, src)
	if dst.timedOut {
		t.Fatal("the third chunk was not read while the second was being written")
	}
	if err != nil || got != want(data) || !bytes.Equal(dst.buf.Bytes(), data) {
		t.Fatalf("Copy = %+v, %v; want %+v and every byte copied in order", got, err, want(data))
	}
}

// watchedReader closes reached once more than past bytes were asked for.
type watchedReader struct {
	r       io.Reader
	n, past int
	reached chan struct{}
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if w.n <= w.past && w.n+n > w.past {
		close(w.reached)
	}
	w.n += n
	return n, err
}

// gate makes call number at wait for wait (or give up after a while, to
// fail the test instead of hanging it); pass says whether it may go on.
type gate struct {
	calls    int
	at       int
	wait     chan struct{}
	timedOut bool
}

func (g *gate) pass() bool {
	if g.calls++; g.calls == g.at {
		select {
		case <-g.wait:
		case <-time.After(10 * time.Second):
			g.timedOut = true
			return false
		}
	}
	return true
}

// waitingWriter keeps what is written; its write number at waits (gate).
type waitingWriter struct {
	gate
	buf bytes.Buffer
}

func (w *waitingWriter) Write(p []byte) (int, error) {
	if !w.pass() {
		return 0, errDisk
	}
	return w.buf.Write(p)
}

// TestReadSHA256ReadsBehind: a large copy read back with direct I/O, each
// read waiting for the disk, is read on while the chunk before is hashed:
// hashing the first chunk returns only once the reader has been asked for
// the second, which a re-read that hashes each chunk before it reads on
// never does.
func TestReadSHA256ReadsBehind(t *testing.T) {
	p := filepath.Join(t.TempDir(), "copy")
	data := random(3*BufferSize+DirectAlign+5, 3)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenCopy(p, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !waitsOnDisk(f) {
		t.Skip("no direct I/O here: the copy is read through the page cache")
	}
	readOn := make(chan struct{})
	h := &waitingHash{Hash: sha256.New(), gate: gate{wait: readOn, at: 1}}
	got, err := readBehind(context.Background(), &watchedReader{r: f, past: BufferSize, reached: readOn}, h)
	if h.timedOut {
		t.Fatal("the second chunk was not read while the first was being hashed")
	}
	if w := want(data); err != nil || got.Size != w.Size || got.SHA256 != w.SHA256 {
		t.Fatalf("readBehind = %+v, %v; want %s", got, err, w.SHA256)
	}
	if small, err := OpenCopy(p, BufferSize); err != nil || waitsOnDisk(small) {
		t.Fatalf("a copy of one buffer (%v) is read behind its hashing", err)
	} else {
		small.Close()
	}
}

// waitingHash is a hash whose write number at waits (gate).
type waitingHash struct {
	hash.Hash
	gate
}

func (w *waitingHash) Write(p []byte) (int, error) {
	w.pass()
	return w.Hash.Write(p)
}

// endless never ends; only the context can stop a copy from it.
type endless struct{ reads int }

func (e *endless) Read(p []byte) (int, error) { e.reads++; return len(p), nil }

func TestCopyStopsWhenCancelled(t *testing.T) {
	cause := errors.New("user pressed ctrl-c")
	for name, run := range map[string]func(context.Context, io.Reader) (Digests, error){
		"Copy":       func(ctx context.Context, r io.Reader) (Digests, error) { return Copy(ctx, io.Discard, r) },
		"Read":       Read,
		"ReadSHA256": ReadSHA256,
		"readBehind": func(ctx context.Context, r io.Reader) (Digests, error) { return readBehind(ctx, r, sha256.New()) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			src := &endless{}
			r := readFunc(func(p []byte) (int, error) {
				n, err := src.Read(p)
				if src.reads == 3 {
					cancel(cause)
				}
				return n, err
			})
			_, err := run(ctx, r)
			if !errors.Is(err, cause) {
				t.Fatalf("err = %v, want the context's cause %v", err, cause)
			}
			if src.reads != 3 {
				t.Fatalf("%d reads after cancel, want none", src.reads-3)
			}
		})
	}
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

// BenchmarkSHA256 and BenchmarkSHA512 measure each digest alone on one
// core, over memory: what a build's hashing costs per byte
// (scripts/bench-floor.sh computes the floor of a build from them).
func BenchmarkSHA256(b *testing.B) { benchmarkHash(b, sha256.New()) }

func BenchmarkSHA512(b *testing.B) { benchmarkHash(b, sha512.New()) }

func benchmarkHash(b *testing.B, h hash.Hash) {
	data := random(BufferSize, 1)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h.Write(data)
	}
}

// BenchmarkRead measures the one-pass SHA-256 + SHA-512 over memory.
func BenchmarkRead(b *testing.B) {
	data := bytes.Repeat([]byte{0x5a}, 64<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(context.Background(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOpenCopyReadsEveryByte: a copy read back through OpenCopy — with
// direct I/O for a large one, where the file system allows it — gives
// every byte: through ReadSHA256's aligned whole buffers, and through a
// reader whose buffers are neither aligned nor whole blocks (the rest is
// then read through the page cache).
func TestOpenCopyReadsEveryByte(t *testing.T) {
	dir := t.TempDir()
	for i, size := range []int{0, 1, DirectAlign - 1, DirectAlign, BufferSize, BufferSize + 1, BufferSize + DirectAlign,
		2*BufferSize + DirectAlign - 1, 3 * BufferSize} {
		b := random(size, uint64(i))
		p := filepath.Join(dir, strings.Repeat("f", i+1))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := OpenCopy(p, int64(size))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadSHA256(context.Background(), f)
		f.Close()
		if w := want(b); err != nil || got.Size != w.Size || got.SHA256 != w.SHA256 {
			t.Errorf("size %d: ReadSHA256 = %+v, %v; want %s", size, got, err, w.SHA256)
		}
		f, err = OpenCopy(p, int64(size))
		if err != nil {
			t.Fatal(err)
		}
		all, err := io.ReadAll(chunky{f, 5000})
		f.Close()
		if err != nil || !bytes.Equal(all, b) {
			t.Errorf("size %d: read back %d bytes (%v)", size, len(all), err)
		}
	}
}

// TestBuffersAreAligned: every buffer is aligned for direct I/O.
func TestBuffersAreAligned(t *testing.T) {
	for _, pool := range []struct {
		p    *sync.Pool
		size int
	}{{&buffers, BufferSize}, {&smallBuffers, SmallBufferSize}} {
		var held []*[]byte
		for range 4 {
			b := pool.p.Get().(*[]byte)
			if !isAligned(*b) || len(*b) != pool.size || pool.size%DirectAlign != 0 {
				t.Errorf("buffer at %p, %d bytes: not aligned to %d", unsafe.SliceData(*b), len(*b), DirectAlign)
			}
			held = append(held, b)
		}
		for _, b := range held {
			putBuffer(b)
		}
	}
}

// readSizes records the room each Read was given and the chunks written.
type readSizes struct {
	r      io.Reader
	rooms  []int // cap of each Read's buffer
	chunks []int // len of each Write
}

func (s *readSizes) Read(p []byte) (int, error) {
	s.rooms = append(s.rooms, cap(p))
	return s.r.Read(p)
}

func (s *readSizes) Write(p []byte) (int, error) {
	s.chunks = append(s.chunks, len(p))
	return len(p), nil
}

// TestSmallStreamsSmallBuffers: a stream that ends within SmallBufferSize
// is read into a small buffer only (a pass over 20,000 photos holds 64 KiB
// per stream, not a megabyte); a larger one is copied in whole buffers,
// every chunk but the last BufferSize bytes, as direct I/O needs.
func TestSmallStreamsSmallBuffers(t *testing.T) {
	ctx := context.Background()
	for _, size := range []int{0, 1, 4096, SmallBufferSize - 1} {
		data := random(size, 3)
		for name, read := range map[string]func(r io.Reader) (Digests, error){
			"Copy":       func(r io.Reader) (Digests, error) { return Copy(ctx, io.Discard, r) },
			"ReadSHA256": func(r io.Reader) (Digests, error) { return ReadSHA256(ctx, r) },
		} {
			rs := &readSizes{r: bytes.NewReader(data)}
			if got, err := read(rs); err != nil || got.Size != int64(size) || got.SHA256 != want(data).SHA256 {
				t.Fatalf("%s of %d bytes = %+v, %v", name, size, got, err)
			}
			for _, room := range rs.rooms {
				if room > SmallBufferSize {
					t.Errorf("%s of %d bytes read into a buffer of %d bytes, want at most %d", name, size, room, SmallBufferSize)
				}
			}
		}
	}
	for _, size := range []int{SmallBufferSize + 1, BufferSize + 1, 3*BufferSize + SmallBufferSize + 7} {
		data := random(size, 4)
		rs := &readSizes{r: chunky{bytes.NewReader(data), 40_000}}
		if got, err := Copy(ctx, rs, rs); err != nil || got != want(data) {
			t.Fatalf("Copy of %d bytes = %+v, %v", size, got, err)
		}
		for i, n := range rs.chunks {
			if i < len(rs.chunks)-1 && n != BufferSize {
				t.Errorf("Copy of %d bytes: chunk %d of %d is %d bytes, want %d", size, i, len(rs.chunks), n, BufferSize)
			}
		}
	}
}
