package evidence

import (
	"context"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/casepack/casepack/internal/barefd"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
)

// FDFlusher is a Flusher that also takes a copy written through a bare
// descriptor (*atomicfs.Tree is one). A small copy — one that fits a
// read buffer, digest.Direct says it is not large — is then read, written
// and handed over without ever becoming an *os.File (each costs a system
// call or two to offer it to the runtime's poller, which refuses it): its
// source is opened, stat'ed, read in one read and stat'ed again to tell
// whether it changed; its copy created, written in one write, read back
// through the same descriptor when Options.ReadBack asks for it (one
// pread, compared with the bytes written), and handed to DoneFD, which
// dates and closes it. Such a copy is
// never reported to Wrote: it is written in one call, and the Flusher's
// sync covers it.
type FDFlusher interface {
	Flusher
	// DoneFD is Done for the copy name written through the descriptor
	// fd, which it closes.
	DoneFD(fd int, name string, mtime time.Time) error
}

// copySmall copies j as copyOne does, for a small file on Linux (see
// FDFlusher); ok is false when it does not apply (a large file, or a
// Flusher that takes only *os.File).
func copySmall(ctx context.Context, i int, j Job, size int64, mode os.FileMode, meter *digest.Meter, opt *Options) (r Result, ok bool, err error) {
	fl, isFD := opt.Flush.(FDFlusher)
	if digest.Direct(size) || opt.Flush != nil && !isFD {
		return Result{}, false, nil
	}
	src, err := source.OpenFD(j.Src)
	if err != nil {
		return Result{}, true, j.readErr(err)
	}
	defer src.Close()
	var dst *fdWriter
	var w io.Writer // a nil *fdWriter would not be a nil io.Writer
	if j.Dst != "" {
		name := opt.path(j.Dst)
		if err := mkdirFor(name); err != nil {
			return Result{}, true, j.writeErr(err)
		}
		fd, err := openNew(name, mode, opt.ReadBack)
		if err != nil {
			return Result{}, true, j.writeErr(err)
		}
		dst = &fdWriter{fd: fd, name: name, rb: newReadBack(i, opt)}
		w = dst
	}
	n := src.Size() // as it was opened: the pre-pass's size may be older
	d, err := digest.CopySums(ctx, w, meter.Reader(digest.UntilSize(src, n), j.ID, j.Src, n))
	if err = j.check(ctx, &d, err, src.Unchanged, n); err != nil {
		if dst != nil {
			syscall.Close(dst.fd) // the build fails; the copy goes with its folder
		}
		return Result{}, true, err
	}
	if dst != nil {
		if fl != nil {
			err = fl.DoneFD(dst.fd, dst.name, opt.ModTime)
		} else if cerr := syscall.Close(dst.fd); cerr != nil {
			err = &fs.PathError{Op: "close", Path: dst.name, Err: cerr}
		}
		if err != nil {
			return Result{}, true, j.writeErr(err)
		}
	}
	r = j.result(&d, meter)
	r.ReadBack = dst != nil && dst.rb.equal
	return r, true, nil
}

// fdWriter writes a copy through a bare descriptor, and reads each chunk
// back through it as it is written (rb).
type fdWriter struct {
	fd   int
	name string
	off  int64
	rb   readBack
}

// ReadAt reads the copy back with pread(2).
func (w *fdWriter) ReadAt(p []byte, off int64) (int, error) {
	return barefd.ReadAt(w.fd, w.name, p, off)
}

func (w *fdWriter) Write(p []byte) (int, error) {
	n, err := w.write(p)
	if err == nil {
		w.rb.wrote(w, p, w.off)
	}
	w.off += int64(n)
	return n, err
}

func (w *fdWriter) write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := barefd.IgnoringEINTR2(func() (int, error) { return syscall.Write(w.fd, p[done:]) })
		if n > 0 {
			done += n
		}
		if err != nil {
			return done, &fs.PathError{Op: "write", Path: w.name, Err: err}
		}
		if n == 0 {
			return done, &fs.PathError{Op: "write", Path: w.name, Err: io.ErrShortWrite}
		}
	}
	return done, nil
}

// statSource is os.Stat of an evidence file, for Copy's look before it
// starts: its size, and whether it is a regular file; its error is the
// one os.Stat gives. The stat is read into a Stat_t of its own, where
// os.Stat allocated a FileInfo (some 200 bytes) for each of the files.
func statSource(name string) (size int64, regular bool, err error) {
	var st syscall.Stat_t
	if err := barefd.IgnoringEINTR(func() error { return syscall.Stat(name, &st) }); err != nil {
		return 0, false, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return st.Size, st.Mode&syscall.S_IFMT == syscall.S_IFREG, nil
}
