package verify

import (
	"container/list"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/casepack/casepack/internal/source"
)

// folderFS is a package folder as an fs.FS, confined as os.Root confines
// it (no path leads outside the folder), that opens each file and lists
// each folder from the folder holding it. os.Root resolves every name from
// the top, one open and close per folder on the way, for every file: with
// each evidence item in a folder of its own (data/evidence/ID/), that is
// three more opens for every listing and every file hashed. The folders
// used last stay open (a few dozen: the walk and the hashing both go
// through the package in order, so the next file is nearly always in an
// open folder or beside one).
//
// Whatever fails this way (or races with a folder being closed) is done
// again through the top-level Root, so every error, and every file a
// folder-by-folder open might not reach, is exactly the Root's.
type folderFS struct {
	root *os.Root
	top  fs.FS // root.FS(): the reference behaviour, and every retry

	mu   sync.Mutex
	open map[string]*list.Element // folder path -> element of lru holding *subRoot
	lru  *list.List               // most recently used first
}

// maxOpenFolders bounds the folders kept open: a file descriptor each.
const maxOpenFolders = 64

type subRoot struct {
	dir  string
	root *os.Root
}

func newFolderFS(root *os.Root) *folderFS {
	return &folderFS{root: root, top: root.FS(), open: map[string]*list.Element{}, lru: list.New()}
}

// folder returns the open Root of dir (a slash-separated path below the
// top, not "."), opening it from its parent, itself open or opened the
// same way; nil when that fails.
func (f *folderFS) folder(dir string) *os.Root {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Find the deepest open folder on the way to dir, then open the rest
	// one name at a time.
	var (
		base  = f.root
		start = 0
	)
	for d := dir; d != "."; d = path.Dir(d) {
		if e, ok := f.open[d]; ok {
			f.lru.MoveToFront(e)
			if d == dir {
				return e.Value.(*subRoot).root
			}
			base, start = e.Value.(*subRoot).root, len(d)+1
			break
		}
	}
	for start <= len(dir) {
		end := strings.IndexByte(dir[start:], '/')
		if end < 0 {
			end = len(dir)
		} else {
			end += start
		}
		r, err := base.OpenRoot(dir[start:end])
		if err != nil {
			return nil
		}
		f.keep(dir[:end], r)
		base, start = r, end+1
	}
	return base
}

// keep remembers r as the open Root of dir, closing the least recently
// used folder beyond maxOpenFolders. A file opened from a closed Root
// stays open; an open through it that races with the close fails and is
// retried through the top.
func (f *folderFS) keep(dir string, r *os.Root) {
	f.open[dir] = f.lru.PushFront(&subRoot{dir: dir, root: r})
	for f.lru.Len() > maxOpenFolders {
		old := f.lru.Remove(f.lru.Back()).(*subRoot)
		delete(f.open, old.dir)
		old.root.Close()
	}
}

// Open opens name from its folder.
func (f *folderFS) Open(name string) (fs.File, error) {
	dir, base := path.Split(name)
	if dir != "" && fs.ValidPath(name) {
		if r := f.folder(strings.TrimSuffix(dir, "/")); r != nil {
			if file, err := source.RootFS(r).Open(base); err == nil {
				return file, nil
			}
		}
	}
	// Never blocks on a FIFO; anything not a regular file or folder is
	// refused, named from the package's top.
	return source.RootFS(f.root).Open(name)
}

// ReadDir lists a folder from its own Root, sorted by name as
// fs.ReadDirFS requires.
func (f *folderFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." && fs.ValidPath(name) {
		if r := f.folder(name); r != nil {
			// Opened as source opens a file, without blocking: Root.Open
			// would also put the folder in and out of non-blocking mode to
			// offer it to the runtime's poller, four calls for each
			// folder listed (one for every evidence item).
			if d, err := source.RootFS(r).Open("."); err == nil {
				ents, err := []fs.DirEntry(nil), error(fs.ErrInvalid)
				if rd, ok := d.(fs.ReadDirFile); ok {
					ents, err = rd.ReadDir(-1)
				}
				d.Close()
				if err == nil {
					slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
					return ents, nil
				}
			}
		}
	}
	return fs.ReadDir(f.top, name)
}

// Stat, ReadFile, ReadLink and Lstat are the Root's own.
func (f *folderFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(f.top, name) }
func (f *folderFS) ReadFile(name string) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(file)
}
func (f *folderFS) ReadLink(name string) (string, error)   { return fs.ReadLink(f.top, name) }
func (f *folderFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(f.top, name) }

// Close closes every open folder and the top.
func (f *folderFS) Close() error {
	f.mu.Lock()
	for e := f.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*subRoot).root.Close()
	}
	f.open, f.lru = map[string]*list.Element{}, list.New()
	f.mu.Unlock()
	return f.root.Close()
}
