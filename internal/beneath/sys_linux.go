//go:build linux

package beneath

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

// A package of tens of thousands of small files costs eight system calls
// a file, each over in microseconds when the file system holds the files
// in memory. Made as Go makes them (syscall.Syscall), each tells the
// runtime its goroutine is in the kernel; on a busy machine the runtime's
// monitor then wakes every 20 µs and hands the goroutine's processor to
// another thread whenever a call takes longer than that, and the thread
// back from the call waits for a processor again. Measured on a package of
// 20,000 files of 4–64 KiB, two cores: about 12,000 context switches and
// 40,000 wake-ups of the monitor, a tenth of verify's CPU time. A raw call
// (syscall.RawSyscall) tells the runtime nothing: its processor stays with
// it.
//
// The cost of a raw call is that a call that blocks keeps its processor
// (no other goroutine runs on it until the call returns) and cannot be
// preempted. Calls end on a file system whose files are on a local disk
// or in memory, when the disk answers; on a network or FUSE file system
// (NFS, SMB, sshfs, a cloud drive) a call may wait for as long as the
// server does, and an interrupt could not be handled meanwhile. So raw
// calls are made only on the local file systems named here, and Go's
// calls everywhere else.
var rawFileSystems = map[int64]bool{
	unix.EXT4_SUPER_MAGIC:     true, // ext2, ext3, ext4
	unix.XFS_SUPER_MAGIC:      true,
	unix.BTRFS_SUPER_MAGIC:    true,
	unix.F2FS_SUPER_MAGIC:     true,
	unix.BCACHEFS_SUPER_MAGIC: true,
	unix.TMPFS_MAGIC:          true,
	unix.RAMFS_MAGIC:          true,
	unix.MSDOS_SUPER_MAGIC:    true, // FAT: USB drives, memory cards
	unix.EXFAT_SUPER_MAGIC:    true,
}

// rawCalls reports whether the folder open as fd is on a file system where
// system calls are made raw (see rawFileSystems). RawCalls, in tests,
// decides instead. Its fstatfs is made again when a signal interrupts it
// (barefd.IgnoringEINTR): failed, the folder would be read with Go's
// calls, the slower way.
func rawCalls(fd int) bool {
	if RawCalls != nil {
		return *RawCalls
	}
	var st unix.Statfs_t
	err := barefd.IgnoringEINTR(func() error {
		if statfsFault != nil {
			if err := statfsFault(); err != nil {
				return err
			}
		}
		return unix.Fstatfs(fd, &st)
	})
	if err != nil {
		return false
	}
	return rawFileSystems[int64(st.Type)]
}

// statfsFault, in tests, makes rawCalls' fstatfs fail as the system
// would, before it is made: with EINTR, as a signal interrupts it, or
// with any other error.
var statfsFault func() error

// RawCalls, in tests, forces raw system calls on (true) or off (false)
// for folders opened afterwards, whatever their file system.
var RawCalls *bool

// The calls below are made raw or as Go makes them. Each pointer is
// converted in the call expression itself, as unsafe.Pointer's rules ask
// of a system call's arguments.

func errno(e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func sysOpenat2(raw bool, dirfd int, p *byte, how *unix.OpenHow) (int, error) {
	var (
		r uintptr
		e syscall.Errno
	)
	if raw {
		r, _, e = unix.RawSyscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(how)), unsafe.Sizeof(*how), 0, 0)
	} else {
		r, _, e = unix.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(how)), unsafe.Sizeof(*how), 0, 0)
	}
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func sysFstat(raw bool, fd int, st *unix.Stat_t) error {
	var e syscall.Errno
	if raw {
		_, _, e = unix.RawSyscall(sysFSTAT, uintptr(fd), uintptr(unsafe.Pointer(st)), 0)
	} else {
		_, _, e = unix.Syscall(sysFSTAT, uintptr(fd), uintptr(unsafe.Pointer(st)), 0)
	}
	return errno(e)
}

func sysFstatat(raw bool, dirfd int, name *byte, st *unix.Stat_t) error {
	var e syscall.Errno
	if raw {
		_, _, e = unix.RawSyscall6(sysFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(st)), unix.AT_SYMLINK_NOFOLLOW, 0, 0)
	} else {
		_, _, e = unix.Syscall6(sysFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(st)), unix.AT_SYMLINK_NOFOLLOW, 0, 0)
	}
	return errno(e)
}

// sysRead reads into p (not empty).
func sysRead(raw bool, fd int, p []byte) (int, error) {
	var (
		r uintptr
		e syscall.Errno
	)
	if raw {
		r, _, e = unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	} else {
		r, _, e = unix.Syscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	}
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// sysGetdents lists into p (not empty).
func sysGetdents(raw bool, fd int, p []byte) (int, error) {
	var (
		r uintptr
		e syscall.Errno
	)
	if raw {
		r, _, e = unix.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	} else {
		r, _, e = unix.Syscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	}
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func sysClose(raw bool, fd int) error {
	var e syscall.Errno
	if raw {
		_, _, e = unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	} else {
		_, _, e = unix.Syscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	}
	return errno(e)
}
