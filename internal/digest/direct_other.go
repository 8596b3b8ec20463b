//go:build !linux

package digest

import (
	"errors"
	"io"
	"os"
)

// errNoDirect: the system has no direct I/O.
var errNoDirect = errors.New("direct I/O is not available here")

// OpenCopy opens the file name, which the caller wrote itself, to be read
// back (size is what the caller wrote); only Linux reads large files with direct I/O (see the Linux
// version).
func OpenCopy(name string, _ int64) (io.ReadCloser, error) { return Open(name) }

// SetDirect does nothing where there is no direct I/O: files are written
// and read through the page cache.
func SetDirect(f *os.File, on bool) error {
	if on {
		return errNoDirect
	}
	return nil
}

// waitsOnDisk: no reader here reads with direct I/O.
func waitsOnDisk(io.Reader) bool { return false }

// ReadBackFromDisk is ReadBackEqual: without direct I/O, bytes are read
// back through the page cache (see the Linux version).
func ReadBackFromDisk(f *os.File, off int64, p []byte) bool {
	return ReadBackEqual(f, off, p)
}
