//go:build linux

package beneath

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/barefd"
)

// Dir is a folder whose files are opened and listed with openat2 from its
// descriptor.
type Dir struct {
	f   *os.File
	fd  int
	raw bool // system calls are made raw (see rawFileSystems)
	// atime: a file or folder opened to read has its access time updated
	// as the system would (O_NOATIME refused once: the tree is not ours).
	atime atomic.Bool
}

// resolve confines every path openat2 resolves to the folder, through no
// symbolic link.
const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// Open returns the folder root is opened on, or nil when this system
// cannot read it this way (no openat2: an old kernel, or a sandbox that
// refuses it). Close it when done.
func Open(root *os.Root) *Dir {
	f, err := root.Open(".")
	if err != nil {
		return nil
	}
	d := &Dir{f: f, fd: int(f.Fd())}
	d.raw = rawCalls(d.fd)
	fd, err := d.open(".", unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		f.Close()
		return nil
	}
	sysClose(d.raw, fd)
	return d
}

// Close closes the folder; nil is closed already.
func (d *Dir) Close() error {
	if d == nil {
		return nil
	}
	return d.f.Close()
}

// OpenFault, in tests, makes opening p to read it (or list it) fail as
// the system would: a test running as root cannot make a file unreadable.
var OpenFault func(p string) error

// open opens p (slash-separated, below the folder) with openat2.
//
// What is opened to be read or listed is opened with O_NOATIME: reading
// leaves its access time as it was. Under relatime (most systems' default)
// the first read after a change dates access anew: listing a folder just
// made, or whose times the build set (packager/assemble/folders.go dates
// access and modification alike), dirties its inode; the
// verify-after-write's listing of 20,000 evidence item folders left 20,000
// inodes for the build's last syncfs to write back, and the package's
// folders dated with the time of the check instead of the build's. The
// system allows O_NOATIME only to a file's owner (or root); refused
// (EPERM), the file is opened without it, and so is everything the Dir
// opens afterwards.
func (d *Dir) open(p string, flags int) (int, error) {
	if OpenFault != nil && flags&unix.O_PATH == 0 {
		if err := OpenFault(p); err != nil {
			return -1, err
		}
	}
	// The path as C reads it: on the stack when it is short (one
	// allocation less for each of a package's files), as
	// unix.BytePtrFromString makes it (refusing a NUL) otherwise.
	var (
		short [256]byte
		name  *byte
	)
	if len(p) < len(short) && strings.IndexByte(p, 0) < 0 {
		copy(short[:], p)
		name = &short[0]
	} else {
		var err error
		if name, err = unix.BytePtrFromString(p); err != nil {
			return -1, err
		}
	}
	noatime := flags&unix.O_PATH == 0 && !d.atime.Load() // openat2 refuses O_NOATIME with O_PATH
	for try := 0; ; try++ {
		how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW), Resolve: resolve}
		if noatime {
			how.Flags |= unix.O_NOATIME
		}
		fd, err := barefd.IgnoringEINTR2(func() (int, error) { return sysOpenat2(d.raw, d.fd, name, &how) })
		// EAGAIN: a rename elsewhere raced the lookup; try again.
		if err == unix.EAGAIN && try < 8 {
			continue
		}
		if err == unix.EPERM && noatime {
			d.atime.Store(true)
			noatime = false
			continue
		}
		return fd, err
	}
}

// OpenFile opens the regular file p to read it, without blocking (a named
// pipe put in its place does not wait for a writer) and without the
// runtime's poller, and returns it with its size. Anything but a regular
// file is ErrNotRegular.
func (d *Dir) OpenFile(p string) (*File, error) {
	fd, err := d.open(p, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := fstat(d.raw, fd, &st); err != nil {
		sysClose(d.raw, fd)
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		sysClose(d.raw, fd)
		return nil, ErrNotRegular
	}
	return &File{fd: fd, raw: d.raw, size: st.Size, mtime: st.Mtim}, nil
}

// Lstat returns the size of the regular file p, and its modification
// time, as lstat gives them, without opening it to read (O_PATH: no read
// permission needed). Anything but a regular file is ErrNotRegular.
func (d *Dir) Lstat(p string) (Info, error) {
	fd, err := d.open(p, unix.O_PATH)
	if err != nil {
		return Info{}, err
	}
	defer sysClose(d.raw, fd)
	var st unix.Stat_t
	if err := fstat(d.raw, fd, &st); err != nil {
		return Info{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return Info{}, ErrNotRegular
	}
	return infoOf(&st), nil
}

func fstat(raw bool, fd int, st *unix.Stat_t) error {
	return barefd.IgnoringEINTR(func() error { return sysFstat(raw, fd, st) })
}

func fstatat(raw bool, dirfd int, name string, st *unix.Stat_t) error {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	return barefd.IgnoringEINTR(func() error { return sysFstatat(raw, dirfd, p, st) })
}

// direntBuffers are getdents64 buffers, one per folder being listed.
var direntBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

var errDirent = errors.New("malformed folder entry")

// List lists folder p ("." for the folder itself), sorted by name as
// fs.ReadDir sorts. Entry types come from the listing; a regular file's
// size and time are read (fstatat) only where stat says so, otherwise its
// Info.Size is -1.
func (d *Dir) List(p string, stat func(name string) bool) ([]Entry, error) {
	fd, err := d.open(p, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer sysClose(d.raw, fd)
	bp := direntBuffers.Get().(*[]byte)
	defer direntBuffers.Put(bp)
	var ents []Entry
	for {
		n, err := barefd.IgnoringEINTR2(func() (int, error) { return sysGetdents(d.raw, fd, *bp) })
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name NUL-terminated.
		for b := (*bp)[:n]; len(b) > 0; {
			if len(b) < 19 {
				return nil, errDirent
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, errDirent
			}
			rec := b[:reclen]
			b = b[reclen:]
			if binary.NativeEndian.Uint64(rec[0:8]) == 0 {
				continue // a removed entry, as os.File.ReadDir skips it
			}
			name := rec[19:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if string(name) == "." || string(name) == ".." {
				continue
			}
			ents = append(ents, Entry{Name: string(name), Type: direntType(rec[18]), Info: Info{Size: -1}})
		}
	}
	slices.SortFunc(ents, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	for i := range ents {
		e := &ents[i]
		if e.Type == unknownType || e.Type.IsRegular() && stat(e.Name) {
			var st unix.Stat_t
			if err := fstatat(d.raw, fd, e.Name, &st); err != nil {
				return nil, err
			}
			e.Type = barefd.ModeType(st.Mode)
			if e.Type.IsRegular() {
				e.Info = infoOf(&st)
			}
		}
	}
	return ents, nil
}

func infoOf(st *unix.Stat_t) Info {
	// Timespec.Unix, not its fields: they are 32 bits wide on 32-bit
	// Linux (386, arm).
	sec, nsec := st.Mtim.Unix()
	return Info{Size: st.Size, ModSec: sec, ModNsec: nsec}
}

// unknownType marks an entry whose type the listing did not give
// (DT_UNKNOWN: some file systems never give it); it is read with
// fstatat. No fs.FileMode type is all these bits at once.
const unknownType = fs.ModeType

// direntType is the type of a listing's entry, as os.File.ReadDir reads
// it.
func direntType(t uint8) fs.FileMode {
	switch t {
	case unix.DT_BLK:
		return fs.ModeDevice
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_DIR:
		return fs.ModeDir
	case unix.DT_FIFO:
		return fs.ModeNamedPipe
	case unix.DT_LNK:
		return fs.ModeSymlink
	case unix.DT_REG:
		return 0
	case unix.DT_SOCK:
		return fs.ModeSocket
	}
	return unknownType
}

// File is a regular file opened by OpenFile.
type File struct {
	fd         int
	raw        bool
	size, done int64
	eof        bool
	mtime      unix.Timespec
}

// Size is the file's size when it was opened.
func (f *File) Size() int64 { return f.size }

// Read reads the file. A read that returns less than asked once the
// file's size is reached is its end: the read that would return nothing
// is not made.
func (f *File) Read(p []byte) (int, error) {
	if f.eof {
		return 0, eof
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := barefd.IgnoringEINTR2(func() (int, error) { return sysRead(f.raw, f.fd, p) })
	if err != nil {
		return 0, err
	}
	if n <= 0 {
		f.eof = true
		return 0, eof
	}
	f.done += int64(n)
	if f.done >= f.size && n < len(p) {
		f.eof = true
		return n, eof
	}
	return n, nil
}

// Close closes the file.
func (f *File) Close() error { return sysClose(f.raw, f.fd) }

// OSFile turns f into an *os.File named name, for a caller that needs
// one; f must not be used afterwards.
func (f *File) OSFile(name string) *os.File { return os.NewFile(uintptr(f.fd), name) }
