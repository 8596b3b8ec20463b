package digest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadBackFromDisk: the last bytes of a copy, written through the
// page cache, are read back with direct I/O on, from the disk: one read
// of whole aligned blocks from the block holding them, into an aligned
// buffer, direct I/O off again afterwards. It fails if they are read
// through the page cache where the file system takes direct I/O. They are
// equal only when every byte is; a read short of them is unequal; where
// the read is refused (EINVAL), they are read through the page cache.
func TestReadBackFromDisk(t *testing.T) {
	data := random(2*DirectAlign+17, 2)
	p := filepath.Join(t.TempDir(), "copy")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := SetDirect(f, true); err != nil {
		t.Skipf("the file system of %s takes no direct I/O (%v): nothing is read from the disk here", p, err)
	}
	if err := SetDirect(f, false); err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(data)
	changed[len(data)-1] ^= 1
	pread := preadDirect
	defer func() { preadDirect = pread }()
	tests := []struct {
		name    string
		file    []byte // what the file holds when read
		want    []byte // the bytes just written, compared
		off     int
		refused bool
		equal   bool
	}{
		{"the tail", data, data, 2 * DirectAlign, false, true},
		{"a tail not at a block's start", data, data, 2*DirectAlign + 5, false, true},
		{"the tail and a block", data, data, DirectAlign, false, true},
		{"the last byte changed", changed, data, 2 * DirectAlign, false, false},
		{"file short by a byte", data[:len(data)-1], data, 2 * DirectAlign, false, false},
		{"direct read refused", data, data, 2 * DirectAlign, true, true},
		{"direct read refused, changed", changed, data, 2 * DirectAlign, true, false},
	}
	for _, tc := range tests {
		if err := os.WriteFile(p, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		reads := 0
		preadDirect = func(f *os.File, b []byte, off int64) (int, error) {
			reads++
			if !fileDirect(t, f) {
				t.Errorf("%s: read through the page cache, want direct I/O", tc.name)
			}
			if off%DirectAlign != 0 || len(b)%DirectAlign != 0 || !isAligned(b) {
				t.Errorf("%s: read of %d bytes at %d into %p: not aligned to %d", tc.name, len(b), off, b, DirectAlign)
			}
			if tc.refused {
				return 0, &os.PathError{Op: "read", Path: f.Name(), Err: syscall.EINVAL}
			}
			return pread(f, b, off)
		}
		if got := ReadBackFromDisk(f, int64(tc.off), tc.want[tc.off:]); got != tc.equal {
			t.Errorf("%s: equal %v, want %v", tc.name, got, tc.equal)
		}
		if reads != 1 {
			t.Errorf("%s: %d direct reads, want 1", tc.name, reads)
		}
		if fileDirect(t, f) {
			t.Errorf("%s: direct I/O left on", tc.name)
		}
	}
	preadDirect = pread
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if !ReadBackFromDisk(f, 2*DirectAlign, data[2*DirectAlign:]) {
		t.Error("the tail read back from the disk unequal")
	}
}

// fileDirect reports whether f has direct I/O on.
func fileDirect(t *testing.T, f *os.File) bool {
	sc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fl uintptr
	var e syscall.Errno
	if err := sc.Control(func(fd uintptr) {
		fl, _, e = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}); err != nil || e != 0 {
		t.Fatal(errors.Join(err, e))
	}
	return fl&syscall.O_DIRECT != 0
}
