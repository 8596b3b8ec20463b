package barefd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
	"unsafe"
)

// TestRead: a file opened with Open reads whole, as os.File reads it, in
// pieces of any size, and ends with io.EOF.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4096, 100_000} {
		want := bytes.Repeat([]byte("evidence"), n)[:n]
		p := filepath.Join(dir, "photo.jpg")
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name() != p || f.Fd() < 0 {
			t.Errorf("%d bytes: Name %q, Fd %d", n, f.Name(), f.Fd())
		}
		if err := iotest.TestReader(&f, want); err != nil {
			t.Errorf("%d bytes: %v", n, err)
		}
		if k, err := f.Read(nil); k != 0 || err != nil {
			t.Errorf("%d bytes: empty read: %d, %v", n, k, err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("%d bytes: close: %v", n, err)
		}
		if err := f.Close(); err != nil || f.Fd() != -1 {
			t.Errorf("%d bytes: second close: %v, Fd %d", n, err, f.Fd())
		}
	}
}

// TestErrors: every failure is an *fs.PathError naming the operation and
// the file, wrapping the system's error, as os.File's are; opening a FIFO
// does not wait for a writer.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := Open(missing); !isPathError(err, "open", missing, syscall.ENOENT) {
		t.Errorf("open of a missing file: %v", err)
	}
	// A folder opens read-only but does not read.
	f, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(make([]byte, 10)); !isPathError(err, "read", dir, syscall.EISDIR) {
		t.Errorf("read of a folder: %v", err)
	}
	f.Close()
	// A FIFO with no writer opens at once and reads as empty.
	f, err = Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("read of a FIFO with no writer: %d, %v", n, err)
	}
	// A descriptor closed behind the File's back: the close fails as the
	// system says.
	if err := syscall.Close(f.Fd()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !isPathError(err, "close", fifo, syscall.EBADF) {
		t.Errorf("close of a closed descriptor: %v", err)
	}
}

func isPathError(err error, op, path string, errno syscall.Errno) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == op && pe.Path == path && errors.Is(err, errno)
}

// TestModeType: the kind of every sort of file, from its stat mode, is
// what os.Lstat says it is.
func TestModeType(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("file", link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		path string
		want fs.FileMode
	}{
		{file, 0},
		{dir, fs.ModeDir},
		{link, fs.ModeSymlink},
		{fifo, fs.ModeNamedPipe},
		{sock, fs.ModeSocket},
		{"/dev/null", fs.ModeDevice | fs.ModeCharDevice},
	} {
		var st syscall.Stat_t
		if err := syscall.Lstat(tc.path, &st); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := ModeType(st.Mode); got != tc.want || got != fi.Mode().Type() {
			t.Errorf("%s: %v, want %v (os.Lstat: %v)", tc.path, got, tc.want, fi.Mode().Type())
		}
	}
	// No device here is a block device a test may count on: its mode alone.
	if got := ModeType(syscall.S_IFBLK | 0o660); got != fs.ModeDevice {
		t.Errorf("block device: %v", got)
	}
	// No kind, or one Linux does not have (BSD's whiteout).
	for _, m := range []uint32{0o644, 0o160000 | 0o644} {
		if got := ModeType(m); got != fs.ModeIrregular {
			t.Errorf("mode %o: %v, want %v", m, got, fs.ModeIrregular)
		}
	}
}

// TestReadAt: a file read back through the descriptor it is being
// written with reads whole at any offset, in one call however long; a
// read past its end is short with io.EOF; the descriptor stays where the
// writes left it; a descriptor open only to write fails as a read error
// naming the file.
func TestReadAt(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4096, 100_000} {
		want := bytes.Repeat([]byte("evidence"), n)[:n]
		p := filepath.Join(dir, "copy.jpg")
		os.Remove(p)
		fd, err := syscall.Open(p, syscall.O_RDWR|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := syscall.Write(fd, want); err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{0, n / 3, n} {
			got := make([]byte, n-off)
			if m, err := ReadAt(fd, p, got, int64(off)); m != n-off || err != nil || !bytes.Equal(got, want[off:]) {
				t.Errorf("%d bytes at %d: read %d (%v), equal %v", n, off, m, err, bytes.Equal(got, want[off:]))
			}
		}
		end := max(n-5, 0)
		if m, err := ReadAt(fd, p, make([]byte, 10), int64(end)); err != io.EOF || m != n-end {
			t.Errorf("%d bytes: 10 at %d: read %d (%v), want %d and io.EOF", n, end, m, err, n-end)
		}
		if off, err := syscall.Seek(fd, 0, io.SeekCurrent); err != nil || off != int64(n) {
			t.Errorf("%d bytes: descriptor at %d (%v), want %d", n, off, err, n)
		}
		syscall.Close(fd)
	}
	p := filepath.Join(dir, "write-only")
	fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if _, err := ReadAt(fd, p, make([]byte, 10), 0); !isPathError(err, "read", p, syscall.EBADF) {
		t.Errorf("read back through a write-only descriptor: %v", err)
	}
}

// TestOpenLeavesAccessTime: reading a file opened with Open does not
// date its access, where reading otherwise would (relatime, the file last
// read days ago): packaging evidence leaves the evidence's times as they
// were.
func TestOpenLeavesAccessTime(t *testing.T) {
	p := filepath.Join(t.TempDir(), "photo.jpg")
	past := readDatesAccess(t, p)
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(&f); err != nil || string(b) != "evidence" {
		t.Fatalf("read %q, %v", b, err)
	}
	f.Close()
	if at := accessed(t, p); !at.Equal(past) {
		t.Errorf("reading through Open dated access to %v, want it left at %v", at, past)
	}
}

// TestOpenNotOwner: a file the system will not open O_NOATIME for the
// caller (not its own, and the caller not root) opens and reads all the
// same; and a refusal is that file's alone: the caller's own file opened
// afterwards still keeps its access time (a case folder may hold a
// colleague's files; casepack serve builds many cases in one process).
func TestOpenNotOwner(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "colleague.jpg")
	if os.Getuid() != 0 {
		// Not root: a file of root's that anyone may read.
		p = "/etc/passwd"
		if fi, err := os.Stat(p); err != nil || fi.Sys().(*syscall.Stat_t).Uid == uint32(os.Getuid()) {
			t.Skipf("%s: no file here is someone else's (%v)", p, err)
		}
	} else if err := os.WriteFile(p, []byte("evidence"), 0o644); err != nil {
		t.Fatal(err)
	} else if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan error)
	done := make(chan error)
	go func() {
		// Root may open any file O_NOATIME (CAP_FOWNER): this thread does
		// without, and is given up when the goroutine ends locked to it.
		runtime.LockOSThread()
		if os.Getuid() == 0 {
			if err := dropFowner(); err != nil {
				done <- err
				return
			}
		}
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_NOATIME, 0)
		if err == nil {
			syscall.Close(fd)
		}
		refused <- err
		f, err := Open(p)
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		b, err := io.ReadAll(&f)
		if err == nil && !bytes.Equal(b, want) {
			err = fmt.Errorf("read %d bytes that are not the file's %d", len(b), len(want))
		}
		done <- err
	}()
	if err := <-refused; err != syscall.EPERM {
		<-done
		t.Fatalf("opening %s O_NOATIME without CAP_FOWNER: %v, want EPERM: the test would not exercise a refusal", p, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	own := filepath.Join(dir, "own.jpg")
	past := readDatesAccess(t, own)
	f, err := Open(own)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(&f)
	f.Close()
	if at := accessed(t, own); !at.Equal(past) {
		t.Errorf("own file read after a refusal for another file: access dated to %v, want it left at %v", at, past)
	}
}

// readDatesAccess writes the file p, dated days ago, and skips the test
// unless reading p dates its access (relatime, not noatime): it returns
// the date p is left with, to compare after a read.
func readDatesAccess(t *testing.T, p string) time.Time {
	t.Helper()
	if err := os.WriteFile(p, []byte("evidence"), 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-72 * time.Hour).Truncate(time.Second)
	if err := os.Chtimes(p, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	if accessed(t, p).Equal(past) {
		t.Skipf("%s is mounted so that reading does not date access (noatime): nothing to check", filepath.Dir(p))
	}
	if err := os.Chtimes(p, past, past); err != nil {
		t.Fatal(err)
	}
	return past
}

// dropFowner takes CAP_FOWNER from the calling thread's effective
// capabilities (capset acts on one thread).
func dropFowner() error {
	const capFowner = 3
	hdr := struct {
		version uint32
		pid     int32
	}{version: 0x20080522} // _LINUX_CAPABILITY_VERSION_3
	var data [2]struct{ effective, permitted, inheritable uint32 }
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return fmt.Errorf("capget: %w", e)
	}
	data[0].effective &^= 1 << capFowner
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return fmt.Errorf("capset: %w", e)
	}
	return nil
}

// accessed is p's access time.
func accessed(t *testing.T, p string) time.Time {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(fi.Sys().(*syscall.Stat_t).Atim.Unix())
}
