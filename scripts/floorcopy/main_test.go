//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRun copies a small tree both ways and checks every byte arrived
// where the layout says, and that an existing DST is refused.
func TestRun(t *testing.T) {
	src := t.TempDir()
	want := map[string][]byte{"a/x.jpg": []byte("one"), "a/b/y.pdf": bytes.Repeat([]byte{7}, 70000), "z.txt": nil}
	for p, b := range want {
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		folders bool
		depth   string // glob of the copies under DST
	}{{false, "*"}, {true, "*/*"}} {
		dst := filepath.Join(t.TempDir(), "out")
		if err := run(src, dst, 2, tc.folders); err != nil {
			t.Fatal(err)
		}
		got, _ := filepath.Glob(filepath.Join(dst, tc.depth))
		if len(got) != len(want) {
			t.Fatalf("folders=%v: %d copies, want %d: %v", tc.folders, len(got), len(want), got)
		}
		for _, g := range got {
			b, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(g)
			if !tc.folders {
				name = name[len("000001-"):]
			}
			found := false
			for p, w := range want {
				found = found || name == filepath.Base(p) && bytes.Equal(b, w)
			}
			if !found {
				t.Errorf("folders=%v: %s holds %d bytes that match no source file", tc.folders, g, len(b))
			}
		}
		if err := run(src, dst, 2, tc.folders); err == nil {
			t.Errorf("folders=%v: a second copy into the same DST succeeded", tc.folders)
		}
	}
}
