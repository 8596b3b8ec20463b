//go:build linux

package beneath

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// eachWay runs test twice: with raw system calls and with Go's (see
// rawFileSystems), whatever file system the test's folders are on.
func eachWay(t *testing.T, test func(t *testing.T)) {
	for _, raw := range []bool{true, false} {
		t.Run(map[bool]string{true: "raw", false: "go"}[raw], func(t *testing.T) {
			RawCalls = &raw
			defer func() { RawCalls = nil }()
			test(t)
		})
	}
}

// TestRawCallsByFileSystem: system calls are made raw on the local file
// systems rawFileSystems names (the test's temporary folder, and a
// tmpfs where there is one), and as Go makes them on any other (procfs
// stands for one here: a folder on a file system not named).
func TestRawCallsByFileSystem(t *testing.T) {
	for _, dir := range []string{t.TempDir(), "/dev/shm", "/proc/self"} {
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Logf("%s: %v (skipped)", dir, err)
			continue
		}
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		d := Open(root)
		if d == nil {
			t.Fatalf("%s: Open: nil on Linux", dir)
		}
		if want := rawFileSystems[int64(st.Type)]; d.raw != want {
			t.Errorf("%s (file system %#x): raw calls %v, want %v", dir, st.Type, d.raw, want)
		}
		if dir == "/proc/self" && d.raw {
			t.Errorf("%s: raw calls on procfs", dir)
		}
		if _, err := d.List(".", func(string) bool { return false }); err != nil {
			t.Errorf("%s: List: %v", dir, err)
		}
		d.Close()
		root.Close()
	}
}

// TestRawCallsAfterEINTR: an fstatfs a signal interrupts, once or twice,
// is made again, and the folder is read the way it would have been
// uninterrupted; any other failure still means Go's calls.
func TestRawCallsAfterEINTR(t *testing.T) {
	dir := t.TempDir()
	raw := func(fail []error) (bool, []error) {
		statfsFault = func() error {
			if len(fail) == 0 {
				return nil
			}
			err := fail[0]
			fail = fail[1:]
			return err
		}
		defer func() { statfsFault = nil }()
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		d := Open(root)
		if d == nil {
			t.Fatalf("%s: Open: nil on Linux", dir)
		}
		defer d.Close()
		return d.raw, fail
	}
	if uninterrupted, _ := raw(nil); !uninterrupted {
		t.Skipf("%s: Go's calls uninterrupted: nothing to tell apart", dir)
	}
	for _, tc := range []struct {
		fail []error
		want bool
	}{
		{[]error{syscall.EINTR}, true},
		{[]error{syscall.EINTR, syscall.EINTR}, true},
		{[]error{syscall.EIO}, false},
		{[]error{syscall.EINTR, syscall.ENOSYS}, false},
	} {
		got, left := raw(tc.fail)
		if got != tc.want || len(left) > 0 {
			t.Errorf("fstatfs %v: raw calls %v (%v never returned), want %v", tc.fail, got, left, tc.want)
		}
	}
}

// tree makes a folder with files, folders, links into and out of it and
// a named pipe, and returns it opened.
func tree(t *testing.T) (string, *Dir) {
	t.Helper()
	top := filepath.Join(t.TempDir(), "top")
	outside := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(top, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "top file")
	write("data/b.bin", "bytes of b")
	write("data/empty", "")
	write("data/deep/er/c.txt", "deep")
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"data/link-in": "b.bin", "data/link-out": filepath.Join(outside, "secret"), "data/dir-out": outside, "data/dir-in": "deep"} {
		if err := os.Symlink(target, filepath.Join(top, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(top, "data", "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(top)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	d := Open(root)
	if d == nil {
		t.Fatal("Open: nil on Linux (no openat2?)")
	}
	t.Cleanup(func() { d.Close() })
	return top, d
}

// TestList: a listing has the names and types os.ReadDir gives, sorted,
// with the size and time lstat gives of the regular files asked for.
func TestList(t *testing.T) { eachWay(t, testList) }

func testList(t *testing.T) {
	top, d := tree(t)
	for _, dir := range []string{".", "data", "data/deep/er"} {
		want, err := os.ReadDir(filepath.Join(top, filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.List(dir, func(name string) bool { return name != "empty" })
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, want %d", dir, len(got), len(want))
		}
		for i, e := range got {
			if e.Name != want[i].Name() || e.Type != want[i].Type() {
				t.Errorf("%s: entry %d is %s %v, want %s %v", dir, i, e.Name, e.Type, want[i].Name(), want[i].Type())
			}
			if !e.Type.IsRegular() {
				continue
			}
			fi, err := os.Lstat(filepath.Join(top, filepath.FromSlash(dir), e.Name))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case e.Name == "empty" && e.Info.Size != -1:
				t.Errorf("%s/empty: size %d read although not asked for", dir, e.Info.Size)
			case e.Name != "empty" && (e.Info.Size != fi.Size() || !e.Info.ModTime().Equal(fi.ModTime())):
				t.Errorf("%s/%s: %d bytes at %v, lstat says %d at %v", dir, e.Name, e.Info.Size, e.Info.ModTime(), fi.Size(), fi.ModTime())
			}
		}
		if !slices.IsSortedFunc(got, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("%s: not sorted", dir)
		}
	}
}

// TestOpenFile: a regular file reads whole, its size known; a link, a path
// through a link (even one that stays inside), a path out of the folder
// and a named pipe are refused, the pipe without waiting for a writer.
func TestOpenFile(t *testing.T) { eachWay(t, testOpenFile) }

func testOpenFile(t *testing.T) {
	_, d := tree(t)
	for name, want := range map[string]string{"a.txt": "top file", "data/b.bin": "bytes of b", "data/empty": "", "data/deep/er/c.txt": "deep"} {
		f, err := d.OpenFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil || string(b) != want || f.Size() != int64(len(want)) {
			t.Errorf("%s: %q (%d bytes), %v; want %q", name, b, f.Size(), err, want)
		}
		info, err := d.Lstat(name)
		if err != nil || info.Size != int64(len(want)) {
			t.Errorf("Lstat %s: %+v, %v", name, info, err)
		}
	}
	for _, name := range []string{"data/link-in", "data/link-out", "data/dir-out/secret", "data/dir-in/er/c.txt", "../top/a.txt", "/etc/passwd", "data/pipe", "data", "missing"} {
		f, err := d.OpenFile(name)
		if err == nil {
			f.Close()
			t.Errorf("%s: opened", name)
		}
		if name == "data/pipe" && !errors.Is(err, ErrNotRegular) {
			t.Errorf("%s: %v, want ErrNotRegular", name, err)
		}
		if name == "missing" && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want not exist", name, err)
		}
	}
	// A path is handed to the system on the stack when short, made as
	// Go makes it when long; one holding a NUL is refused either way.
	long := strings.Repeat("x/", 150) + "missing"
	if _, err := d.OpenFile(long); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%d-byte path: %v, want not exist", len(long), err)
	}
	for _, name := range []string{"a.txt\x00", "a.txt\x00/../data/b.bin", long + "\x00"} {
		if f, err := d.OpenFile(name); err == nil {
			f.Close()
			t.Errorf("%q: opened", name)
		}
	}
	for _, dir := range []string{"data/dir-out", "data/dir-in", "..", "data/b.bin"} {
		if _, err := d.List(dir, func(string) bool { return true }); err == nil {
			t.Errorf("List %s: listed", dir)
		}
	}
}

// TestOpenFault: the test hook fails opening to read, not Lstat.
func TestOpenFault(t *testing.T) { eachWay(t, testOpenFault) }

func testOpenFault(t *testing.T) {
	_, d := tree(t)
	OpenFault = func(p string) error {
		if p == "a.txt" {
			return syscall.EACCES
		}
		return nil
	}
	defer func() { OpenFault = nil }()
	if _, err := d.OpenFile("a.txt"); !errors.Is(err, syscall.EACCES) {
		t.Errorf("OpenFile: %v", err)
	}
	if _, err := d.Lstat("a.txt"); err != nil {
		t.Errorf("Lstat: %v", err)
	}
}
