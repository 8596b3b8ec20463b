package schema_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// pathCases are the ways an evidence path (evidence/note.txt, which the
// minimal sample cites) can lead somewhere, and the finding each gives
// there.
var pathCases = []struct {
	name string
	// arrange lays out the case folder c beside the folder out, outside
	// the case.
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
	{"the name in other letters", func(t *testing.T, c, out string) {
		write(t, filepath.Join(c, "evidence", "Note.txt"), note)
	}, finding.FileMissing},
	{"a folder", func(t *testing.T, c, out string) {
		write(t, filepath.Join(c, "evidence", "note.txt", "inside.txt"), note)
	}, finding.FileNotRegular},
	{"a link to a folder inside", func(t *testing.T, c, out string) {
		write(t, filepath.Join(c, "originals", "inside.txt"), note)
		link(t, "../originals", filepath.Join(c, "evidence", "note.txt"))
	}, finding.FileNotRegular},
	{"a named pipe", func(t *testing.T, c, out string) {
		if err := os.MkdirAll(filepath.Join(c, "evidence"), 0o755); err != nil {
			t.Fatal(err)
		}
		mkfifo(t, filepath.Join(c, "evidence", "note.txt"))
	}, finding.FileNotRegular},
}

var note = []byte("a synthetic note\n")

// layCase writes the minimal sample's case with more evidence items of
// one file each beside evidence/note.txt, lays the case folder out with
// arrange, and returns the folder to validate: the case folder, or a link
// to it.
func layCase(t *testing.T, arrange func(t *testing.T, c, out string), more int, throughLink bool) string {
	t.Helper()
	data, err := os.ReadFile("../samples/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	c, out := filepath.Join(tmp, "case"), filepath.Join(tmp, "out")
	evidence := doc["evidence"].([]any)
	var names []string
	for i := range more {
		item := maps.Clone(evidence[0].(map[string]any))
		item["id"] = fmt.Sprintf("EV-%04d", i+2)
		names = append(names, fmt.Sprintf("evidence/more-%02d.txt", i))
		item["files"] = []any{map[string]any{"path": names[i], "role": "original"}}
		evidence = append(evidence, item)
	}
	doc["evidence"] = evidence
	if data, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(c, "case.json"), data)
	arrange(t, c, out)
	for _, name := range names { // where evidence/ now leads
		write(t, filepath.Join(c, filepath.FromSlash(name)), note)
	}
	if !throughLink {
		return c
	}
	dir := filepath.Join(tmp, "case-link")
	link(t, c, dir)
	return dir
}

// TestEvidencePathLinks: where an evidence path really leads decides its
// finding, whether the link is the file itself, a folder on the way, or
// the case folder: a file inside the case folder is fine, one outside it
// or missing or not a file is named.
func TestEvidencePathLinks(t *testing.T) {
	for _, tt := range pathCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, throughLink := range []bool{false, true} {
				dir := layCase(t, tt.arrange, 0, throughLink)
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
					t.Errorf("through a link %v: findings at the path %v, want %q (all: %v)", throughLink, got, tt.want, fs)
				}
			}
		})
	}
}

// TestEvidenceFolderListed: a folder that holds many of a case's evidence
// files is listed instead of each file looked up (schema/files.go,
// listFolders); every finding, its message, hint and place, is the same
// as when each file is looked up, whatever the path leads to.
func TestEvidenceFolderListed(t *testing.T) {
	defer func(n int) { *schema.ListAtLeast = n }(*schema.ListAtLeast)
	for _, tt := range pathCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, throughLink := range []bool{false, true} {
				dir := layCase(t, tt.arrange, 30, throughLink)
				var each [2][]finding.Finding
				for k, atLeast := range []int{1, math.MaxInt} { // every folder listed; none
					*schema.ListAtLeast = atLeast
					_, fs, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{})
					if err != nil {
						t.Fatal(err)
					}
					each[k] = fs
				}
				if !reflect.DeepEqual(each[0], each[1]) {
					t.Errorf("through a link %v: listed, the findings are\n%v\nlooked up one by one\n%v", throughLink, each[0], each[1])
				}
				n := 0
				for _, f := range each[0] {
					if f.Pointer == "/evidence/0/files/0/path" && f.Code == tt.want {
						n++
					}
				}
				if tt.want != "" && n != 1 {
					t.Errorf("through a link %v: no %s at the path: %v", throughLink, tt.want, each[0])
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
