package atomicfs

import (
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

// wholeSync reports whether one syncfs of the file system holding dir
// gives what syncing every file and folder in it gives: Linux 5.8 or later
// (syncfs reports write-back errors since then) on a local file system
// whose syncfs writes every dirty page and commits its journal.
func wholeSync(dir *os.File) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil || !kernelAtLeast(u.Release[:], 5, 8) {
		return false
	}
	var st unix.Statfs_t
	fd := int(dir.Fd())
	err := barefd.IgnoringEINTR(func() error {
		if err := injected("fstatfs"); err != nil {
			return err
		}
		return unix.Fstatfs(fd, &st)
	})
	if err != nil {
		return false
	}
	switch int64(st.Type) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC, unix.F2FS_SUPER_MAGIC, unix.TMPFS_MAGIC:
		return true
	}
	return false
}

// sameFileSystem reports whether a and b are open on one file system (the
// same device): what a syncfs through a writes back includes b.
func sameFileSystem(a, b *os.File) bool {
	var sa, sb unix.Stat_t
	return fstat(int(a.Fd()), &sa) == nil && fstat(int(b.Fd()), &sb) == nil && sa.Dev == sb.Dev
}

func fstat(fd int, st *unix.Stat_t) error {
	return barefd.IgnoringEINTR(func() error {
		if err := injected("fstat"); err != nil {
			return err
		}
		return unix.Fstat(fd, st)
	})
}

func syncfs(dir *os.File) error {
	fd := int(dir.Fd())
	err := barefd.IgnoringEINTR(func() error {
		if err := injected("syncfs"); err != nil {
			return err
		}
		return unix.Syncfs(fd)
	})
	if err != nil {
		return &os.PathError{Op: "syncfs", Path: dir.Name(), Err: err}
	}
	return nil
}

// startWriteback asks the kernel to start writing the range to disk now
// rather than when memory fills; it does not wait for the disk.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// setModTime sets f's access and modification times to t through its
// descriptor (futimens): no path is looked up again, one call for each of
// the tens of thousands of files a build may write.
func setModTime(f *os.File, t time.Time) error {
	var err error
	sc, cerr := f.SyscallConn()
	if cerr != nil {
		return cerr
	}
	if cerr := sc.Control(func(fd uintptr) { err = futimens(fd, t) }); cerr != nil {
		return cerr
	}
	if err != nil {
		return &os.PathError{Op: "futimens", Path: f.Name(), Err: err}
	}
	return nil
}

// futimens sets the access and modification times of the file open as fd.
func futimens(fd uintptr, t time.Time) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	return barefd.IgnoringEINTR(func() error {
		if err := injected("futimens"); err != nil {
			return err
		}
		// utimensat(fd, NULL, times, 0) is futimens(fd, times).
		if _, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, fd, 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); e != 0 {
			return e
		}
		return nil
	})
}

// doneFD dates the file name written through fd (futimens) and closes fd.
func doneFD(fd int, name string, t time.Time) error {
	if !t.IsZero() {
		if err := futimens(uintptr(fd), t); err != nil {
			unix.Close(fd)
			return &os.PathError{Op: "futimens", Path: name, Err: err}
		}
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}
