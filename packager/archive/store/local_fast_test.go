//go:build linux

package store

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// TestLocalFastMatchesRoot: listing and opening objects with
// internal/beneath gives what the folder's os.Root gives: the same keys,
// sizes and times in the same order for every prefix, the same bytes,
// and an error where the Root gives one (links, named pipes and the
// staging folder are no objects); a listing stopped early stops.
func TestLocalFastMatchesRoot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "root")
	write := func(name, data string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a/b/c.bin", "a/b/d.bin", "a/bb/e.bin", "a/f.bin", "g.bin", "p/x/EV-1/img.jpg", "p/x/EV-2/img.jpg", stagingDir + "/tmp-1"} {
		write(name, "bytes of "+name)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("b", filepath.Join(dir, "a", "link-in")))
	must(os.Symlink(t.TempDir(), filepath.Join(dir, "a", "link-out")))
	must(os.Symlink("c.bin", filepath.Join(dir, "a", "b", "file-link")))
	must(syscall.Mkfifo(filepath.Join(dir, "a", "pipe"), 0o644))
	fast, err := OpenLocal(dir, false)
	must(err)
	defer fast.Close()
	if fast.fast == nil {
		t.Skip("no openat2 here")
	}
	plain, err := OpenLocal(dir, false)
	must(err)
	defer plain.Close()
	plain.fast.Close()
	plain.fast = nil

	list := func(l *Local, prefix string, most int) (got []any) {
		for fi, err := range l.List(context.Background(), prefix) {
			if err != nil {
				got = append(got, err.Error())
				continue
			}
			got = append(got, fi)
			if len(got) == most {
				break
			}
		}
		return got
	}
	for _, prefix := range []string{"", "a/", "a/b", "a/b/", "a/bb/", "p/", "p/x/EV-2/", "zzz/", "a/link-in/", "a/pipe", stagingDir + "/", "g.bin"} {
		for _, most := range []int{-1, 2} {
			want, got := list(plain, prefix, most), list(fast, prefix, most)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("List(%q) stopped at %d: %v\nthrough the Root: %v", prefix, most, got, want)
			}
			if prefix == "a/" && most < 0 && len(got) != 4 {
				t.Errorf("List(a/) = %v, want the 4 objects under a/", got)
			}
		}
	}
	// (Not a/pipe: the Root would wait for a writer.)
	for _, key := range []string{"a/b/c.bin", "p/x/EV-2/img.jpg", "a/link-in/c.bin", "a/b/file-link", "a/link-out/x", "a/b", "nope"} {
		read := func(l *Local) string {
			rc, err := l.Open(context.Background(), key)
			if err != nil {
				return "error: " + err.Error()
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				return "read error: " + err.Error()
			}
			return string(b)
		}
		if got, want := read(fast), read(plain); got != want {
			t.Errorf("Open(%q) = %q, through the Root %q", key, got, want)
		}
	}
	if _, err := fast.Open(context.Background(), "a/pipe"); err == nil {
		t.Error("a named pipe opened as an object")
	}
}
