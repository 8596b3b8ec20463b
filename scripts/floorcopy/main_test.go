//go:build linux

package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestCopies: every mode copies every file whole — large ones with direct
// I/O and a tail that is not a whole block, small ones, an empty one —
// into DST, flat or a folder each; a DST that exists, even empty, is
// refused.
func TestCopies(t *testing.T) {
	src := t.TempDir()
	files := map[string][]byte{}
	r := rand.New(rand.NewPCG(1, 2))
	for name, size := range map[string]int{"video/big.mp4": 3<<20 + 17, "video/whole.mp4": 2 << 20, "photo.jpg": 40 << 10, "empty.txt": 0} {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(name)] = b
	}
	for _, tc := range []struct {
		name             string
		folders, digests bool
	}{
		{"flat", false, false}, {"folders", true, false}, {"digests", true, true}, {"digests flat", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			digests = tc.digests
			defer func() { digests = false }()
			dst := filepath.Join(t.TempDir(), "out")
			if err := run(src, dst, 2, tc.folders); err != nil {
				t.Fatal(err)
			}
			got := map[string][]byte{}
			err := filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				base := filepath.Base(p)
				if !tc.folders {
					base = base[len("000001-"):]
				}
				got[base] = b
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(files) {
				t.Fatalf("copied %d files, want %d", len(got), len(files))
			}
			for name, want := range files {
				if !bytes.Equal(got[name], want) {
					t.Errorf("%s: copy of %d bytes differs from the source's %d", name, len(got[name]), len(want))
				}
			}
			if err := run(src, dst, 2, tc.folders); err == nil {
				t.Errorf("a second copy into the same DST succeeded")
			}
		})
	}
	defer func() { digests = false }()
	for _, d := range []bool{false, true} {
		digests = d
		if dst := t.TempDir(); run(src, dst, 2, true) == nil {
			t.Errorf("digests=%v: copied into %s, which exists (empty), want it refused", d, dst)
		}
	}
}
