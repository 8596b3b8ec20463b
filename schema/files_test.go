package schema_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// TestEvidencePathLinks: where an evidence path really leads decides its
// finding, whether the link is the file itself, a folder on the way, or
// the case folder: a file inside the case folder is fine, one outside it
// or missing or not a file is named.
func TestEvidencePathLinks(t *testing.T) {
	caseJSON, err := os.ReadFile("../samples/minimal/case.json") // cites evidence/note.txt
	if err != nil {
		t.Fatal(err)
	}
	note := []byte("a synthetic note\n")
	tests := []struct {
		name string
		// arrange lays out the case folder c (evidence/note.txt is the
		// path the case cites) beside the folder out, outside the case.
		arrange func(t *testing.T, c, out string)
		want    finding.Code // "" = no finding at the path
	}{
		{"a file", func(t *testing.T, c, out string) {
			write(t, filepath.Join(c, "evidence", "note.txt"), note)
		}, ""},
		{"a link to a file inside", func(t *testing.T, c, out string) {
			write(t, filepath.Join(c, "originals", "note.txt"), note)
			link(t, "../originals/note.txt", filepath.Join(c, "evidence", "note.txt"))
		}, ""},
		{"a file in a folder linked inside", func(t *testing.T, c, out string) {
			write(t, filepath.Join(c, "originals", "note.txt"), note)
			link(t, "originals", filepath.Join(c, "evidence"))
		}, ""},
		{"a link to a file outside", func(t *testing.T, c, out string) {
			write(t, filepath.Join(out, "note.txt"), note)
			link(t, filepath.Join(out, "note.txt"), filepath.Join(c, "evidence", "note.txt"))
		}, finding.PathSymlink},
		{"a file in a folder linked outside", func(t *testing.T, c, out string) {
			write(t, filepath.Join(out, "note.txt"), note)
			link(t, out, filepath.Join(c, "evidence"))
		}, finding.PathSymlink},
		{"a link to nothing", func(t *testing.T, c, out string) {
			link(t, "gone.txt", filepath.Join(c, "evidence", "note.txt"))
		}, finding.FileMissing},
		{"no file", func(t *testing.T, c, out string) {
			if err := os.MkdirAll(filepath.Join(c, "evidence"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, finding.FileMissing},
		{"a folder", func(t *testing.T, c, out string) {
			write(t, filepath.Join(c, "evidence", "note.txt", "inside.txt"), note)
		}, finding.FileNotRegular},
		{"a link to a folder inside", func(t *testing.T, c, out string) {
			write(t, filepath.Join(c, "originals", "inside.txt"), note)
			link(t, "../originals", filepath.Join(c, "evidence", "note.txt"))
		}, finding.FileNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, through := range []string{"folder", "link to the folder"} {
				tmp := t.TempDir()
				c, out := filepath.Join(tmp, "case"), filepath.Join(tmp, "out")
				write(t, filepath.Join(c, "case.json"), caseJSON)
				tt.arrange(t, c, out)
				dir := c
				if through != "folder" { // the case folder itself reached through a link
					dir = filepath.Join(tmp, "case-link")
					link(t, c, dir)
				}
				_, fs, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var got []finding.Code
				for _, f := range fs {
					if f.Pointer == "/evidence/0/files/0/path" {
						got = append(got, f.Code)
					}
				}
				switch {
				case tt.want == "" && len(got) != 0, tt.want != "" && (len(got) != 1 || got[0] != tt.want):
					t.Errorf("through a %s: findings at the path %v, want %q (all: %v)", through, got, tt.want, fs)
				}
			}
		})
	}
}

func write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}
