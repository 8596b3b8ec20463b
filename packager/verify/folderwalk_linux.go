//go:build linux

package verify

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/casepack/casepack/internal/digest"
)

// A package of tens of thousands of small files (photos, documents) costs
// more in system calls than in hashing. Through os.Root, listing a folder
// costs an lstat of every entry and opening a file an open of every folder
// on its way, and each opened file is offered to the runtime's poller;
// about seventeen calls for each evidence item in a folder of its own. Here
// a folder of the package is opened and listed with three calls (openat2,
// getdents64 until it returns nothing, close), the entry types taken from
// the listing, and a payload file is opened, checked and read with five
// (openat2, fstat, read, close; one more read only when the file is larger
// than the buffer or shorter than its size said).
//
// openat2 resolves each path from the package's top folder with
// RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: no path leads outside the
// package, and no symbolic link is followed, as with os.Root (the walk
// never follows a link either; it reports one). The folders are listed
// level by level, each level's folders spread over every core
// (digest.Each), then the listings are visited in fs.WalkDir's order, so
// every finding, and the order they are found in, is the fs.FS walk's.
//
// Whatever fails this way (a folder that cannot be opened or listed, a
// file that cannot be opened, is no longer a regular file or cannot be
// read, a kernel without openat2) is done again through the package's
// fs.FS, so every error, and the finding it becomes, is exactly the
// fs.FS's.

// folderReader reads a package folder from its top folder's descriptor.
type folderReader struct {
	top *os.File // the package's top folder, opened through its os.Root
	fd  int
}

// resolve confines every path openat2 resolves to the package.
const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// newFolderReader opens the top folder of the package folder fw; nil
// when it cannot.
func newFolderReader(fw *folderFS) *folderReader {
	f, err := fw.root.Open(".")
	if err != nil {
		return nil
	}
	return &folderReader{top: f, fd: int(f.Fd())}
}

func (r *folderReader) close() {
	if r != nil {
		r.top.Close()
	}
}

// openFault, in tests, makes opening p fail as the system would (a test
// running as root cannot make a file unreadable).
var openFault func(p string) error

// open opens p (slash-separated, below the top folder) with openat2.
func (r *folderReader) open(p string, flags int) (int, error) {
	if openFault != nil && flags&unix.O_PATH == 0 {
		if err := openFault(p); err != nil {
			return -1, err
		}
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW), Resolve: resolve}
	for try := 0; ; try++ {
		fd, err := unix.Openat2(r.fd, p, &how)
		// EAGAIN: a rename elsewhere raced the lookup; try again.
		if err == unix.EINTR || err == unix.EAGAIN && try < 8 {
			continue
		}
		return fd, err
	}
}

// dirNode is one folder's listing, sorted by name as fs.ReadDir sorts.
type dirNode struct {
	path string // "." for the top folder
	ents []dirEnt
	err  error // it could not be listed this way: the fs.FS lists it
}

type dirEnt struct {
	name string
	typ  fs.FileMode
	size int64    // -1 for a payload file to hash: its size is read when it is opened
	sub  *dirNode // a folder's listing
}

// join is path.Join for a folder path and a name from its listing.
func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// direntBuffers are getdents64 buffers, one per folder being listed.
var direntBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

var errDirent = errors.New("malformed folder entry")

// list lists folder d. Entry types come from the listing; a regular
// file's size is read (fstatat) only where sized says it is needed now
// (a payload file to hash gets its size when it is opened).
func (r *folderReader) list(d *dirNode, sized func(p string) bool) {
	fd, err := r.open(d.path, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		d.err = err
		return
	}
	defer unix.Close(fd)
	bp := direntBuffers.Get().(*[]byte)
	defer direntBuffers.Put(bp)
	for {
		n, err := unix.Getdents(fd, *bp)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			d.err = err
			return
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name NUL-terminated.
		for b := (*bp)[:n]; len(b) > 0; {
			if len(b) < 19 {
				d.err = errDirent
				return
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				d.err = errDirent
				return
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
			d.ents = append(d.ents, dirEnt{name: string(name), typ: direntType(rec[18]), size: -1})
		}
	}
	slices.SortFunc(d.ents, func(a, b dirEnt) int { return strings.Compare(a.name, b.name) })
	for i := range d.ents {
		e := &d.ents[i]
		if e.typ == unknownType || e.typ.IsRegular() && sized(join(d.path, e.name)) {
			var st unix.Stat_t
			if err := fstatat(fd, e.name, &st); err != nil {
				d.err = err
				return
			}
			e.typ = modeType(st.Mode)
			if e.typ.IsRegular() {
				e.size = st.Size
			}
		}
		if e.typ.IsDir() {
			e.sub = &dirNode{path: join(d.path, e.name)}
		}
	}
}

func fstatat(dirfd int, name string, st *unix.Stat_t) error {
	for {
		err := unix.Fstatat(dirfd, name, st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			return err
		}
	}
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

// modeType is the type of a stat's mode, as os.Lstat reads it.
func modeType(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFBLK:
		return fs.ModeDevice
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFREG:
		return 0
	}
	return fs.ModeIrregular
}

// walkFolder walks a package folder with folderReader and starts hashing
// its payload (see walkAndHash). done is false when this is no package
// folder on this system, or its top folder cannot be listed this way:
// then nothing was done, and the fs.FS walk does it all.
func (v *verifier) walkFolder(ctx context.Context) (hashed func() error, err error, done bool) {
	if v.pkg.folder == nil {
		return nil, nil, false
	}
	r := newFolderReader(v.pkg.folder)
	if r == nil {
		return nil, nil, false
	}
	sized := func(p string) bool {
		if !strings.HasPrefix(p, "data/") {
			return true
		}
		_, given := v.opt.Hashed[p]
		return given && !v.opt.EveryDigest
	}
	top := &dirNode{path: "."}
	if r.list(top, sized); top.err != nil {
		r.close() // no openat2 here, or the folder is unreadable: the fs.FS says why
		return nil, nil, false
	}
	v.folder = r
	none := func() error { return nil }
	for level := []*dirNode{top}; ; {
		var next []*dirNode
		for _, d := range level {
			for _, e := range d.ents {
				if e.sub != nil && d.err == nil {
					next = append(next, e.sub)
				}
			}
		}
		if len(next) == 0 {
			break
		}
		if err := digest.Each(ctx, len(next), v.opt.Workers, func(ctx context.Context, i int) error {
			r.list(next[i], sized)
			return nil
		}); err != nil {
			return none, err, true
		}
		level = next
	}
	var found []toHash
	add := func(f toHash) {
		v.meter.Grow(1, max(f.fst.size, 0))
		found = append(found, f)
	}
	if err := v.visitTree(top, map[string]string{}, add); err != nil {
		return none, err, true
	}
	result := make(chan error, 1)
	go func() {
		result <- digest.Each(ctx, len(found), v.opt.Workers, func(ctx context.Context, i int) error {
			v.hashFound(ctx, found[i])
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return nil
		})
	}()
	return sync.OnceValue(func() error { return <-result }), nil, true
}

// visitTree visits the listing of d in fs.WalkDir's order; a folder that
// could not be listed is walked through the fs.FS.
func (v *verifier) visitTree(d *dirNode, keys map[string]string, found func(toHash)) error {
	for i := range d.ents {
		e := &d.ents[i]
		p := join(d.path, e.name)
		fst := v.visit(keys, p, e.typ, func() (int64, error) { return e.size, nil })
		if fst != nil && v.hashNow(p, fst) {
			found(toHash{p, fst})
		}
		if e.sub == nil {
			continue
		}
		var err error
		if e.sub.err != nil {
			err = v.walk(p, keys, found)
		} else {
			err = v.visitTree(e.sub, keys, found)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hash hashes file p as hashFile does. done is false when the file could
// not be opened as a regular file or read this way: then it is to be
// read through the fs.FS, whose error is the one reported. A file the
// walk did not read the size of gets it here: from the file opened, or,
// when it cannot be read, as the walk would have read it (lstat).
func (r *folderReader) hash(ctx context.Context, v *verifier, p string, fst *fileState) (done bool, err error) {
	defer func() {
		if !done && fst.size < 0 {
			fst.size = r.lstatSize(v, p)
		}
	}()
	fd, err := r.open(p, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return false, nil
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return false, nil
	}
	if fst.size < 0 {
		fst.size = st.Size
		v.meter.Grow(0, st.Size)
	}
	err = v.hashFrom(ctx, &fdReader{fd: fd, size: st.Size}, p, fst)
	if err != nil && ctx.Err() == nil {
		return false, nil
	}
	return true, err
}

// lstatSize is the size of regular file p as lstat gives it, 0 when it
// cannot be read: O_PATH opens a file without the right to read it.
func (r *folderReader) lstatSize(v *verifier, p string) int64 {
	fd, err := r.open(p, unix.O_PATH)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return 0
	}
	return st.Size
}

func fstat(fd int, st *unix.Stat_t) error {
	for {
		if err := unix.Fstat(fd, st); err != unix.EINTR {
			return err
		}
	}
}

// fdReader reads an open regular file. A read that returns less than
// asked once the file's size (from fstat) is reached is its end: the
// read that would return nothing is not made.
type fdReader struct {
	fd         int
	size, done int64
	eof        bool
}

func (f *fdReader) Read(p []byte) (int, error) {
	if f.eof {
		return 0, io.EOF
	}
	for {
		n, err := unix.Read(f.fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n <= 0 {
			f.eof = true
			return 0, io.EOF
		}
		f.done += int64(n)
		if f.done >= f.size && n < len(p) {
			f.eof = true
			return n, io.EOF
		}
		return n, nil
	}
}
