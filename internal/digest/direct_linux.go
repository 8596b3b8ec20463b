package digest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/casepack/casepack/internal/barefd"
)

// directIO is the open flag for direct I/O.
const directIO = syscall.O_DIRECT

// OpenCopy opens the file name, which the caller wrote itself and knows
// to hold size bytes, to be read back. A file Direct says is large is read
// with direct I/O where the file system allows it: from the disk into the read buffer, bypassing
// (and never filling) the page cache — such a file was written the same
// way, so it is not in the cache, and filling fresh pages with it would
// cost as much CPU as hashing it. Read it with ReadSHA256, whose buffers
// are aligned as direct I/O needs.
//
// A smaller file is read through a bare descriptor (no *os.File, which
// costs a system call or two to offer it to the runtime's poller), in one
// read when it holds size bytes (UntilSize): open, read, close.
func OpenCopy(name string, size int64) (io.ReadCloser, error) {
	if !Direct(size) {
		return openSmall(name, size)
	}
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	d := &directFile{f: f}
	d.direct = d.setDirect(true) == nil
	return d, nil
}

// waitsOnDisk reports whether r is a large copy OpenCopy opened, read
// with direct I/O: each read waits for the disk (ReadSHA256 reads it
// behind its hashing).
func waitsOnDisk(r io.Reader) bool {
	d, ok := r.(*directFile)
	return ok && d.direct
}

// directFile reads a file with direct I/O, which needs an aligned buffer,
// offset and length: once a read comes back short (the end of the file,
// not a multiple of the block size), is not aligned or is refused, the
// rest is read through the page cache.
type directFile struct {
	f      *os.File
	direct bool
	off    int64
}

func (d *directFile) Read(p []byte) (int, error) {
	if d.direct && (len(p)%DirectAlign != 0 || !isAligned(p) || d.off%DirectAlign != 0) {
		if err := d.setDirect(false); err != nil {
			return 0, err
		}
	}
	n, err := d.f.Read(p)
	if d.direct && n == 0 && errors.Is(err, syscall.EINVAL) {
		if err := d.setDirect(false); err != nil {
			return 0, err
		}
		n, err = d.f.Read(p)
	}
	d.off += int64(n)
	if d.direct && n < len(p) {
		if serr := d.setDirect(false); err == nil {
			err = serr
		}
	}
	return n, err
}

func (d *directFile) Close() error { return d.f.Close() }

// setDirect turns direct I/O on or off for f.
func (d *directFile) setDirect(on bool) error {
	err := SetDirect(d.f, on)
	if err == nil {
		d.direct = on
	}
	return err
}

// SetDirect turns direct I/O on or off for the open file f.
func SetDirect(f *os.File, on bool) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := sc.Control(func(fd uintptr) {
		fl, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		if e == 0 {
			if on {
				fl |= directIO
			} else {
				fl &^= directIO
			}
			_, _, e = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFL, fl)
		}
		if e != 0 {
			ferr = e
		}
	}); err != nil {
		return err
	}
	if ferr != nil {
		return &os.PathError{Op: "fcntl", Path: f.Name(), Err: ferr}
	}
	return nil
}

// openSmall opens the copy name of size bytes through a bare descriptor.
func openSmall(name string, size int64) (io.ReadCloser, error) {
	file, err := barefd.Open(name)
	if err != nil {
		return nil, err
	}
	f := &file
	return struct {
		io.Reader
		io.Closer
	}{UntilSize(f, size), f}, nil
}

// ReadBackFromDisk is ReadBackEqual for the bytes p just written at off
// to f through the page cache, where f is a file that takes direct I/O:
// the last bytes of a large copy, written after its direct part (they do
// not fill a block, and direct I/O writes whole blocks only). Read back
// with ReadBackEqual they would come from the page cache, from memory,
// where they were just put; here the block(s) holding them are read with
// direct I/O turned on for the read, so the kernel writes the dirty pages
// out first and the bytes come from the disk, as the re-read of a whole
// copy (OpenCopy) read them. The read starts at the block holding off and
// asks for whole blocks; it comes back short at the end of the file, and
// must come back at least through p's last byte. Only p's bytes are
// compared: the block's first part, if any, was written with direct I/O
// and compared when it was. Direct I/O is off again afterwards. Where it
// is refused (a file system without it: turning it on or the read fails
// with EINVAL), or p does not fit in a small buffer, p is read back
// through the page cache as ReadBackEqual does.
func ReadBackFromDisk(f *os.File, off int64, p []byte) bool {
	start := off &^ (DirectAlign - 1)
	n := int(off-start) + len(p) // bytes from start through p's last
	if len(p) == 0 || n > SmallBufferSize || SetDirect(f, true) != nil {
		return ReadBackEqual(f, off, p)
	}
	bp := smallBuffers.Get().(*[]byte)
	defer putBuffer(bp)
	b := (*bp)[:(n+DirectAlign-1)&^(DirectAlign-1)]
	m, err := preadDirect(f, b, start)
	if SetDirect(f, false) != nil {
		return false
	}
	if errors.Is(err, syscall.EINVAL) {
		return ReadBackEqual(f, off, p)
	}
	return err == nil && m >= n && bytes.Equal(b[n-len(p):n], p)
}

// preadDirect reads b from f at off in one pread (a variable: tests see
// the state of f as it is read). os.File's ReadAt would read on after a
// short read, at an offset direct I/O refuses as unaligned.
var preadDirect = func(f *os.File, b []byte, off int64) (int, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	n, perr := 0, error(nil)
	if err := sc.Read(func(fd uintptr) bool {
		n, perr = barefd.IgnoringEINTR2(func() (int, error) { return syscall.Pread(int(fd), b, off) })
		return true
	}); err != nil {
		return 0, err
	}
	if perr != nil {
		return 0, &os.PathError{Op: "read", Path: f.Name(), Err: perr}
	}
	return n, nil
}
