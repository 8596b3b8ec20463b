//go:build linux

// Command floorcopy is the file-system floor of a build of many small
// files, for scripts/bench-package.sh: it copies every regular file under
// SRC into DST with WORKERS goroutines and then syncs DST's file system
// once (syncfs), as a build does before it renames its package into
// place. It computes no digest and writes no manifest: a build of the same
// files cannot ask less of the file system than this.
//
//	floorcopy [-workers N] [-folders] SRC DST
//
// With -folders each file goes into a folder of its own, DST/000001/NAME,
// as a package holds each evidence item (data/evidence/EV-…/NAME:
// packager/FORMAT.md): two inodes per file instead of one. Without it the
// files go straight into DST, as `cp -r` would put them. DST must not
// exist.
//
// With -digests it does, besides, the work every build must do for each
// byte (packager/FORMAT.md), in the plainest way: each 1 MiB chunk read,
// hashed with SHA-256 and SHA-512 on the worker's own goroutine, written
// (with direct I/O for a file over 1 MiB, as a build writes it), read back
// and compared with the chunk; the largest files first. Its CPU time is the
// floor of that work on this machine (digests, the copy's system calls,
// this machine's cost of each): a build cannot use less, and its wall
// time says what a build without overlap of any kind takes.
package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/sha512"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	workers := flag.Int("workers", 2, "files copied at once")
	folders := flag.Bool("folders", false, "a folder per file, as a package's evidence items")
	flag.BoolVar(&digests, "digests", false, "hash, write large files with direct I/O, read back and compare, as a build does")
	flag.Parse()
	if flag.NArg() != 2 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "usage: floorcopy [-workers N] [-folders] [-digests] SRC DST")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *workers, *folders); err != nil {
		fmt.Fprintln(os.Stderr, "floorcopy:", err)
		os.Exit(1)
	}
}

// digests is -digests.
var digests bool

func run(src, dst string, workers int, folders bool) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	var sizes map[string]int64 // -digests: each file's, read once
	if digests {
		sizes = make(map[string]int64, len(files))
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				return err
			}
			sizes[f] = fi.Size()
		}
		slices.SortStableFunc(files, func(a, b string) int { return cmp.Compare(sizes[b], sizes[a]) })
	}
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := copyOne(files[i], target(dst, files[i], i, folders), sizes[files[i]], folders); err != nil {
					errs <- err
					for range next { // drain: the first error ends the copy
					}
					return
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	d, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

// target is where the i-th file (from 0) goes.
func target(dst, src string, i int, folders bool) string {
	if folders {
		return filepath.Join(dst, fmt.Sprintf("%06d", i+1), filepath.Base(src))
	}
	return filepath.Join(dst, fmt.Sprintf("%06d-%s", i+1, filepath.Base(src)))
}

// copyOne copies src (size bytes, with -digests) to dst, first making
// dst's folder when folders is set (one mkdir, as a build makes an item's
// folder: no stat before it).
func copyOne(src, dst string, size int64, folders bool) error {
	if digests {
		return hashCopy(src, dst, size, folders)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if folders {
		if err := os.Mkdir(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// chunk is hashCopy's read size, a build's buffer (internal/digest).
const chunk = 1 << 20

var bufs = sync.Pool{New: func() any { return aligned(2 * chunk) }}

// aligned returns n bytes at a 4 KiB boundary, as direct I/O needs.
func aligned(n int) *[]byte {
	b := make([]byte, n+4096)
	off := (4096 - int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4096)) % 4096
	b = b[off : off+n : off+n]
	return &b
}

// hashCopy copies src, of size bytes, to dst chunk by chunk: read,
// SHA-256, SHA-512, write, read back, compare, in turn on one goroutine.
// It reads and writes through bare descriptors, as a build does
// (internal/barefd, packager/evidence's fdWriter): an *os.File costs four
// fcntl and an epoll_ctl of the runtime's poller, and the read that finds
// the end a fifth call, none of them part of the work (21 system calls
// a small file through os against a build's 18 in all, measured with
// strace -c on /tmp/bench20k/small-20000; 9 here).
func hashCopy(src, dst string, size int64, folders bool) error {
	in, err := unix.Open(src, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: src, Err: err}
	}
	defer unix.Close(in)
	if folders {
		if err := os.Mkdir(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
	}
	flags := unix.O_RDWR | unix.O_CREAT | unix.O_EXCL | unix.O_CLOEXEC
	direct := size > chunk
	if direct {
		flags |= unix.O_DIRECT
	}
	out, err := unix.Open(dst, flags, 0o644)
	if err != nil {
		return &os.PathError{Op: "open", Path: dst, Err: err}
	}
	defer unix.Close(out)
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	buf, back := (*bp)[:chunk], (*bp)[chunk:]
	h256, h512 := sha256.New(), sha512.New()
	for off := int64(0); off < size; {
		p := buf[:min(chunk, size-off)]
		if err := full(unix.Pread, in, p, off); err != nil {
			return fmt.Errorf("%s: read at %d: %w", src, off, err)
		}
		h256.Write(p)
		h512.Write(p)
		if direct && len(p)%4096 != 0 { // the tail: through the page cache
			if _, err := unix.FcntlInt(uintptr(out), unix.F_SETFL, 0); err != nil {
				return err
			}
			direct = false
		}
		if err := full(unix.Pwrite, out, p, off); err != nil {
			return fmt.Errorf("%s: write at %d: %w", dst, off, err)
		}
		if err := full(unix.Pread, out, back[:len(p)], off); err != nil || !bytes.Equal(back[:len(p)], p) {
			return fmt.Errorf("%s: read back differs at %d (%v)", dst, off, err)
		}
		off += int64(len(p))
	}
	h256.Sum(nil)
	h512.Sum(nil)
	return nil
}

// full moves all of p through fd at off with call (unix.Pread or
// unix.Pwrite), continuing a short transfer; a call that moves nothing is
// the end of the file.
func full(call func(int, []byte, int64) (int, error), fd int, p []byte, off int64) error {
	for done := 0; done < len(p); {
		n, err := call(fd, p[done:], off+int64(done))
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		done += n
	}
	return nil
}
