//go:build unix

package source

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within fails the test if fn does not return in time: a FIFO that blocks
// would otherwise hang the test run.
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still blocked after 5 s", what)
		return nil
	}
}

func TestRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "case.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	for _, p := range []string{fifo, dir, "/dev/null"} {
		err := within(t, p, func() error { _, err := Open(p); return err })
		var ne *NotRegularError
		if !errors.As(err, &ne) || !errors.Is(err, ErrNotRegular) || ne.Path != p {
			t.Errorf("Open(%s): %v, want a NotRegularError naming it", p, err)
		}
		err = within(t, p, func() error { _, err := ReadFile(p, 1<<20); return err })
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(%s): %v", p, err)
		}
	}
	fsys, err := DirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	err = within(t, "FS.Open", func() error { _, err := fsys.Open("case.json"); return err })
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("FS.Open(fifo): %v", err)
	}
	err = within(t, "fs.ReadFile", func() error { _, err := fs.ReadFile(fsys, "case.json"); return err })
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("fs.ReadFile(fifo): %v", err)
	}
	if _, err := fs.ReadDir(fsys, "."); err != nil {
		t.Errorf("a folder still lists: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(fsys, "ok.txt"); err != nil || string(b) != "ok" {
		t.Errorf("a regular file: %q %v", b, err)
	}
	if _, err := fsys.Open("../x"); err == nil {
		t.Error("a name outside the folder opened")
	}
}

// opened is a file Open or OpenFD opened.
type opened interface {
	io.Reader
	Unchanged() error
	Close() error
}

func TestUnchanged(t *testing.T) {
	testUnchanged(t, func(p string) (opened, error) { return Open(p) })
}

// testUnchanged: Unchanged of a file opened with open says nothing of a
// file left alone and a ChangedError naming it of a file changed any way;
// it returns what Unchanged said of each change, by name.
func testUnchanged(t *testing.T, open func(string) (opened, error)) map[string]string {
	said := map[string]string{}
	dir := t.TempDir()
	p := filepath.Join(dir, "video.mp4")
	write := func(s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Date(2021, 1, 9, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"nothing", func() {}},
		{"appended", func() {
			f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(" more")
			f.Close()
		}},
		{"rewritten, same size, time set back", func() {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteString("XXXX")
			f.Close()
			os.Chtimes(p, past, past)
		}},
		{"touched", func() { os.Chtimes(p, past.Add(time.Hour), past.Add(time.Hour)) }},
		{"replaced", func() {
			os.WriteFile(p+".new", []byte("original"), 0o644)
			os.Chtimes(p+".new", past, past)
			os.Rename(p+".new", p)
		}},
		{"removed", func() { os.Remove(p) }},
		{"appended, then replaced", func() {
			f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(" more")
			f.Close()
			os.WriteFile(p+".new", []byte("original"), 0o644)
			os.Chtimes(p+".new", past, past)
			os.Rename(p+".new", p)
		}},
	} {
		write("original")
		os.Chtimes(p, past, past)
		f, err := open(p)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(f); err != nil || string(b) != "original" {
			t.Errorf("%s: read %q, %v", tc.name, b, err)
		}
		time.Sleep(10 * time.Millisecond) // let the status-change time move
		tc.change()
		err = f.Unchanged()
		f.Close()
		if err != nil {
			said[tc.name] = err.Error()
		}
		if tc.name == "nothing" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ce *ChangedError
		if !errors.As(err, &ce) || !errors.Is(err, ErrChanged) || ce.Path != p {
			t.Errorf("%s: %v, want a ChangedError naming the file", tc.name, err)
			continue
		}
		// A path that names another file, or none, says so.
		if gone := strings.Contains(tc.name, "replaced") || tc.name == "removed"; gone != (ce.What == replaced) {
			t.Errorf("%s: %q, want %q: %v", tc.name, ce.What, replaced, gone)
		}
	}
	return said
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "trust.pem")
	os.WriteFile(p, make([]byte, 2<<20), 0o644)
	if _, err := ReadFile(p, 1<<20); err == nil {
		t.Error("a file over the limit was read")
	}
	if b, err := ReadFile(p, 4<<20); err != nil || len(b) != 2<<20 {
		t.Errorf("%d bytes, %v", len(b), err)
	}
}
