package evidence

import (
	"io"
	"os"

	"github.com/casepack/casepack/internal/digest"
)

// readBack is the one policy for reading a copy back as it is written
// (Options.ReadBack), which both writers of copies follow (writeback, and
// on Linux fdWriter): each chunk digest.Copy hands the writer stays in
// the buffer it was hashed from, untouched, until the write returns; the
// writer reads the bytes it has just written back from where it wrote
// them, through the descriptor it wrote them with, and compares them with
// the chunk (digest.ReadBackEqual). A chunk written with direct I/O is
// read back with direct I/O, from the disk, as the re-read that hashed
// every copy again did (digest.OpenCopy); so are the last bytes of such a
// copy, written through the page cache (digest.ReadBackFromDisk); a small
// copy, written through the page cache, as the file system holds it. Once
// a chunk differs, or cannot be read back whole, the rest of the copy is
// not read back: it is not equal, and the build reads it again by name to
// say what is wrong (packager/assemble's reread).
type readBack struct {
	equal  bool               // every byte written so far was read back equal
	before func(off, n int64) // Options.BeforeReadBack for this copy, or nil
}

// newReadBack is the read-back of job i's copy: none unless opt asks.
func newReadBack(i int, opt *Options) readBack {
	rb := readBack{equal: opt.ReadBack}
	if h := opt.BeforeReadBack; h != nil && opt.ReadBack {
		rb.before = func(off, n int64) { h(i, off, n) }
	}
	return rb
}

// wrote reads back through r the chunk p just written at off, and
// compares.
func (rb *readBack) wrote(r io.ReaderAt, p []byte, off int64) {
	if rb.reading(p, off) {
		rb.equal = digest.ReadBackEqual(r, off, p)
	}
}

// wroteTail reads back from the disk the last bytes p of a direct copy f,
// just written at off through the page cache (digest.ReadBackFromDisk:
// through the page cache only where f refuses direct I/O), and compares.
func (rb *readBack) wroteTail(f *os.File, p []byte, off int64) {
	if rb.reading(p, off) {
		rb.equal = readBackFromDisk(f, off, p)
	}
}

// readBackFromDisk is digest.ReadBackFromDisk (a variable: tests see which
// bytes are read back from the disk so).
var readBackFromDisk = digest.ReadBackFromDisk

// reading reports whether the bytes p at off are to be read back, and
// calls the before hook for them when they are.
func (rb *readBack) reading(p []byte, off int64) bool {
	if !rb.equal || len(p) == 0 {
		return false
	}
	if rb.before != nil {
		rb.before(off, int64(len(p)))
	}
	return true
}
