package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/casepack/casepack/internal/beneath"
)

// stagingDir is where the local backend writes an object before linking it
// into place. It is inside the root so the final link is on the same
// filesystem, and List never shows it.
const stagingDir = ".staging"

// Local is a Store on a local folder: the object "a/b" is the file ROOT/a/b.
// Every path is resolved through os.Root, so no key and no symbolic link
// planted in the folder can lead outside it. Objects are written to a
// staging file, synced, made read-only, then hard-linked into place (an
// exclusive put: link never replaces) or renamed (a replacing put), and the
// folder is synced: after a crash an object is either whole or absent.
type Local struct {
	dir  string
	root *os.Root
	// fast lists folders and opens objects with internal/beneath where
	// the system allows it (nil elsewhere): an archive of packages of
	// tens of thousands of small files is listed and read with a third
	// of the system calls. Whatever fails that way is done again
	// through root, whose errors are the ones returned.
	fast *beneath.Dir
}

// OpenLocal opens the folder dir as a store. With create, a missing folder
// is made.
func OpenLocal(dir string, create bool) (*Local, error) {
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a folder", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Local{dir: dir, root: root, fast: beneath.Open(root)}, nil
}

// Close releases the folder.
func (l *Local) Close() error {
	l.fast.Close()
	return l.root.Close()
}

func (l *Local) String() string { return l.dir }

// Dir returns the folder.
func (l *Local) Dir() string { return l.dir }

// Put writes key through a synced staging file (see Local).
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, opt PutOptions) (err error) {
	if err := CheckKey(key); err != nil {
		return err
	}
	if opt.Retention != nil {
		return l.CheckRetention(ctx)
	}
	if err := l.root.MkdirAll(stagingDir, 0o755); err != nil {
		return err
	}
	tmp, f, err := l.createStaging()
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			l.root.Remove(tmp)
		}
	}()
	n, err := io.Copy(f, ContextReader(ctx, r))
	if err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	if n != size {
		return fmt.Errorf("write %s: got %d bytes, expected %d", key, n, size)
	}
	if err := f.Chmod(0o444); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	f = nil
	dir := path.Dir(key)
	if err := l.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if opt.Exclusive {
		err = l.root.Link(tmp, key)
		if errors.Is(err, fs.ErrExist) {
			return &fs.PathError{Op: "put", Path: key, Err: fs.ErrExist}
		}
		if err != nil {
			return err
		}
		l.root.Remove(tmp)
	} else if err := l.root.Rename(tmp, key); err != nil {
		return err
	}
	return l.syncDir(dir)
}

func (l *Local) createStaging() (string, *os.File, error) {
	for range 10 {
		var b [12]byte
		rand.Read(b[:])
		name := stagingDir + "/" + hex.EncodeToString(b[:])
		f, err := l.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("cannot create a staging file")
}

func (l *Local) syncDir(dir string) error {
	d, err := l.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Open streams the file.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if l.fast != nil {
		f, err := l.fast.OpenFile(key)
		switch {
		case err == nil:
			return f.OSFile(l.root.Name() + string(os.PathSeparator) + filepath.FromSlash(key)), nil
		case errors.Is(err, beneath.ErrNotRegular):
			// Opened without waiting for a writer, as the Root would
			// not open a named pipe.
			return nil, notExist(key)
		}
	}
	f, err := l.root.Open(key)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, notExist(key)
	}
	return f, nil
}

type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

// OpenAt opens the file for random access.
func (l *Local) OpenAt(ctx context.Context, key string) (ReaderAt, error) {
	rc, err := l.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	f := rc.(*os.File)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localFile{f, fi.Size()}, nil
}

// Stat describes the file.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, err
	}
	fi, err := l.root.Stat(key)
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, notExist(key)
	}
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()}, nil
}

// List walks the folder below prefix. Only regular files are objects;
// links and the staging folder are not.
func (l *Local) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		start := "."
		if i := strings.LastIndex(prefix, "/"); i > 0 {
			start = prefix[:i]
		}
		stopped := false
		visit := func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == start {
					return fs.SkipAll
				}
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.IsDir() {
				if p == stagingDir || (p != "." && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/")) {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if !yield(Info{Key: p, Size: fi.Size(), Modified: fi.ModTime()}, nil) {
				stopped = true
				return fs.SkipAll
			}
			return nil
		}
		var err error
		if l.fast == nil || !l.fastIsDir(start) {
			err = fs.WalkDir(l.root.FS(), start, visit)
		} else if err = visit(start, fs.FileInfoToDirEntry(dirInfo(start)), nil); err == nil {
			err = l.walkFast(start, visit, &stopped)
		}
		if err == fs.SkipAll || err == fs.SkipDir {
			err = nil
		}
		if err != nil {
			yield(Info{}, fmt.Errorf("list %s: %w", filepath.Join(l.dir, start), err))
		}
	}
}

// fastIsDir reports whether p can be listed with l.fast.
func (l *Local) fastIsDir(p string) bool {
	_, err := l.fast.List(p, func(string) bool { return false })
	return err == nil
}

// walkFast walks the folder p, already visited, in fs.WalkDir's order,
// listing folders with l.fast; a folder it cannot list is walked through
// the Root, as List walks everything where l.fast is nil. *stopped says
// whether visit's caller stopped the walk.
func (l *Local) walkFast(p string, visit fs.WalkDirFunc, stopped *bool) error {
	ents, err := l.fast.List(p, func(string) bool { return true })
	if err != nil {
		if err := fs.WalkDir(l.root.FS(), p, visit); err != nil || !*stopped {
			return err
		}
		return fs.SkipAll
	}
	for _, e := range ents {
		q := path.Join(p, e.Name)
		err := visit(q, entry{e}, nil)
		if err == fs.SkipDir && e.Type.IsDir() {
			continue
		}
		if err != nil {
			return err
		}
		if e.Type.IsDir() {
			if err := l.walkFast(q, visit, stopped); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry is a listing's entry as an fs.DirEntry.
type entry struct{ beneath.Entry }

func (e entry) Name() string               { return e.Entry.Name }
func (e entry) IsDir() bool                { return e.Type().IsDir() }
func (e entry) Type() fs.FileMode          { return e.Entry.Type }
func (e entry) Info() (fs.FileInfo, error) { return fileInfo(e), nil }

// fileInfo is a listing's entry as an fs.FileInfo (a regular file's size
// and time are the listing's).
type fileInfo entry

func (f fileInfo) Name() string       { return f.Entry.Name }
func (f fileInfo) Size() int64        { return f.Entry.Info.Size }
func (f fileInfo) Mode() fs.FileMode  { return f.Entry.Type }
func (f fileInfo) ModTime() time.Time { return f.Entry.Info.ModTime() }
func (f fileInfo) IsDir() bool        { return f.Entry.Type.IsDir() }
func (f fileInfo) Sys() any           { return nil }

// dirInfo is the fs.FileInfo of a folder that was listed.
func dirInfo(p string) fs.FileInfo {
	return fileInfo{beneath.Entry{Name: path.Base(p), Type: fs.ModeDir}}
}

// Delete removes the file.
func (l *Local) Delete(_ context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// CheckRetention always fails: a folder cannot lock a file against its
// owner. Stored files are made read-only instead.
func (l *Local) CheckRetention(context.Context) error {
	return fmt.Errorf("%w: %s is a local folder, which cannot lock files until a date (stored files are made read-only instead)", ErrRetentionUnsupported, l.dir)
}

// ContextReader stops a copy at the next read once ctx is done, so an
// interrupt is honoured within one buffer even where the reader itself (a
// local file) knows nothing of contexts.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return contextReader{ctx, r} }

type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
