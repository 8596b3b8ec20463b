package atomicfs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSystemCallsRetryEINTR: each system call atomicfs makes itself that a
// signal interrupts (EINTR), once or twice, is made again and does what it
// would have done uninterrupted — the copy dated, the rename or exchange
// made once, the lock taken, the file system synced, the same answer
// about it — as os makes its own calls again. Any other failure is
// reported as before, in the same words.
func TestSystemCallsRetryEINTR(t *testing.T) {
	date := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	// Each run returns what the step did, the test's folder written DIR.
	steps := map[string]func(t *testing.T, dir string) string{
		"doneFD": func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "copy.jpg")
			fd, err := unix.Open(p, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := doneFD(fd, p, date); err != nil {
				return err.Error()
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			return "dated " + fi.ModTime().UTC().Format(time.RFC3339)
		},
		"setModTime": func(t *testing.T, dir string) string {
			f, err := os.Create(filepath.Join(dir, "copy.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := setModTime(f, date); err != nil {
				return err.Error()
			}
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			return "dated " + fi.ModTime().UTC().Format(time.RFC3339)
		},
		"renameNoReplace": func(t *testing.T, dir string) string {
			writeTree(t, dir, map[string]string{"a": "A"})
			if err := open(t, dir, nil).renameNoReplace("a", "b"); err != nil {
				return err.Error()
			}
			return fmt.Sprint(snapshot(t, dir))
		},
		"exchange": func(t *testing.T, dir string) string {
			writeTree(t, dir, map[string]string{"a": "A", "b": "B"})
			if err := open(t, dir, nil).exchange("a", "b"); err != nil {
				return err.Error()
			}
			return fmt.Sprint(snapshot(t, dir))
		},
		"tryLock": func(t *testing.T, dir string) string {
			f, err := os.Create(filepath.Join(dir, "lock"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := tryLock(f); err != nil {
				return err.Error()
			}
			return "locked"
		},
		"syncfs": func(t *testing.T, dir string) string {
			d := openFolder(t, dir)
			if err := syncfs(d); err != nil {
				return err.Error()
			}
			return "synced"
		},
		"wholeSync": func(t *testing.T, dir string) string {
			return fmt.Sprint(wholeSync(openFolder(t, dir)))
		},
		"sameFileSystem": func(t *testing.T, dir string) string {
			return fmt.Sprint(sameFileSystem(openFolder(t, dir), openFolder(t, dir)))
		},
	}
	for _, tc := range []struct {
		step, call string
		fail       []error
		want       string // "" for what the step does uninterrupted
	}{
		{"doneFD", "futimens", []error{syscall.EINTR}, ""},
		{"doneFD", "futimens", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"doneFD", "futimens", []error{syscall.EIO}, "futimens DIR/copy.jpg: input/output error"},
		{"setModTime", "futimens", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"setModTime", "futimens", []error{syscall.EINTR, syscall.EPERM}, "futimens DIR/copy.jpg: operation not permitted"},
		{"renameNoReplace", "renameat2", []error{syscall.EINTR}, ""},
		{"renameNoReplace", "renameat2", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"renameNoReplace", "renameat2", []error{syscall.EACCES}, "rename DIR/a DIR/b: permission denied"},
		{"exchange", "renameat2", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"exchange", "renameat2", []error{syscall.EIO}, "rename DIR/a DIR/b: input/output error"},
		{"tryLock", "flock", []error{syscall.EINTR}, ""},
		{"tryLock", "flock", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"tryLock", "flock", []error{syscall.EWOULDBLOCK}, "busy"},
		{"tryLock", "flock", []error{syscall.EINTR, syscall.ENOLCK}, "no locks available"},
		{"syncfs", "syncfs", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"syncfs", "syncfs", []error{syscall.EIO}, "syncfs DIR: input/output error"},
		{"wholeSync", "fstatfs", []error{syscall.EINTR}, ""},
		{"wholeSync", "fstatfs", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"wholeSync", "fstatfs", []error{syscall.EIO}, "false"},
		{"sameFileSystem", "fstat", []error{syscall.EINTR}, ""},
		{"sameFileSystem", "fstat", []error{syscall.EINTR, syscall.EINTR}, ""},
		{"sameFileSystem", "fstat", []error{syscall.EIO}, "false"},
	} {
		name := fmt.Sprintf("%s, %s %v", tc.step, tc.call, tc.fail)
		run := func(fail []error) (string, []error) {
			dir := t.TempDir()
			sysFault = func(call string) error {
				if call != tc.call || len(fail) == 0 {
					return nil
				}
				err := fail[0]
				fail = fail[1:]
				return err
			}
			defer func() { sysFault = nil }()
			return strings.ReplaceAll(steps[tc.step](t, dir), dir, "DIR"), fail
		}
		want := tc.want
		if want == "" {
			if want, _ = run(nil); want == "false" {
				t.Logf("%s: false uninterrupted here (%s): nothing to tell apart", name, runtime.GOOS)
				continue
			}
		}
		got, left := run(tc.fail)
		if got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
		if len(left) > 0 {
			t.Errorf("%s: %v never returned: the %s was not made again after it failed", name, left, tc.call)
		}
	}
}

func openFolder(t *testing.T, dir string) *os.File {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
