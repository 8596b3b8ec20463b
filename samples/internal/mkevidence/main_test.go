package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestSamplesUpToDate regenerates the samples and compares them with the
// committed ones, byte for byte: a hand edit to a sample file, or a change
// here that was not regenerated, fails this test.
func TestSamplesUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := generate(tmp); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"la-vega", "minimal"} {
		want := tree(t, filepath.Join("..", "..", name))
		got := tree(t, filepath.Join(tmp, name))
		for p, g := range got {
			w, ok := want[p]
			switch {
			case !ok:
				t.Errorf("%s/%s: generated but not committed; run go generate ./samples", name, p)
			case !bytes.Equal(g, w):
				t.Errorf("%s/%s: committed file differs from what mkevidence writes; run go generate ./samples", name, p)
			}
		}
		for p := range want {
			if _, ok := got[p]; !ok {
				t.Errorf("%s/%s: committed but no longer generated; remove it", name, p)
			}
		}
	}
}

func tree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestASCII keeps the PNG labels inside what the bitmap font can draw.
func TestASCII(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Av. Guzmán Blanco", "Av. Guzman Blanco"},
		{"Policía — Ñ", "Policia - N"},
		{"O'Higgins", "O'Higgins"},
		{"tab\there", "tab?here"},
		{"日本", "??"},
	} {
		if got := ascii(tc.in); got != tc.want {
			t.Errorf("ascii(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
