package destination

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPlaceAndNew(t *testing.T) {
	root := t.TempDir()
	caseDir := filepath.Join(root, "case")
	pkg := filepath.Join(root, "out", "PKG")
	for _, d := range []string{filepath.Join(caseDir, "evidence"), filepath.Join(pkg, "data", "annexes"), filepath.Join(root, "elsewhere")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{
		filepath.Join(caseDir, "case.json"):          "{}",
		filepath.Join(caseDir, "evidence", "a.mp4"):  "video",
		filepath.Join(pkg, "bagit.txt"):              "BagIt-Version: 1.0\n",
		filepath.Join(root, "elsewhere", "old.pdf"):  "mine",
		filepath.Join(pkg, "data", "annexes", "a.x"): "x",
	} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(caseDir, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dst     string
		replace bool
		want    error
	}{
		{filepath.Join(caseDir, "case.json"), true, ErrInsideCase},
		{filepath.Join(caseDir, "evidence", "a.mp4"), true, ErrInsideCase},
		{filepath.Join(caseDir, "new", "x.pdf"), false, ErrInsideCase},
		{caseDir, false, ErrInsideCase},
		{filepath.Join(root, "link", "x.pdf"), false, ErrInsideCase}, // through a link
		{filepath.Join(pkg, "data", "annexes"), true, ErrInsidePackage},
		{pkg, true, ErrInsidePackage},
		{filepath.Join(root, "elsewhere", "old.pdf"), false, ErrExists},
		{filepath.Join(root, "elsewhere"), true, ErrExists}, // a folder is never replaced as a file
		{filepath.Join(root, "elsewhere", "old.pdf"), true, nil},
		{filepath.Join(root, "elsewhere", "new.pdf"), false, nil},
		{filepath.Join(root, "casefile.pdf"), false, nil}, // a name sharing the prefix "case" is not inside
	}
	for _, tt := range tests {
		err := Place(tt.dst, caseDir)
		if err == nil {
			err = New(tt.dst, tt.replace)
		}
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s (replace %v): %v, want %v", tt.dst, tt.replace, err, tt.want)
		}
		var de *Error
		if err != nil && (!errors.As(err, &de) || de.Path != tt.dst) {
			t.Errorf("%s: the error does not name the path: %v", tt.dst, err)
		}
	}
}

// TestPlaceAnyCaseFolder: a command that reads no case (keygen, init, demo,
// convert) still never writes inside a case folder, whatever form its case
// file has, nor inside a package (which holds a case.json of its own); a
// case file (PlaceCaseFile) may go at the top of a case folder, and nowhere
// else inside one.
func TestPlaceAnyCaseFolder(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"json/case.json":              "{}",
		"json/evidence/data.json":     "[]",
		"yaml/case.yaml":              "x: 1",
		"yml/case.yml":                "x: 1",
		"xlsx/case.xlsx":              "PK",
		"xlsx/nested/case.json":       "{}",
		"out/PKG/bagit.txt":           "BagIt-Version: 1.0\n",
		"out/PKG/data/case/case.json": "{}",
		"elsewhere/notes.txt":         "mine",
		"caseless/case.json.bak":      "{}",
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "folder-named"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "folder-named", "case.json"), 0o755); err != nil {
		t.Fatal(err) // a folder named case.json is not a case file
	}
	tests := []struct {
		dst             string
		place, caseFile error // Place(dst, ""), PlaceCaseFile(dst)
	}{
		{"json/alice", ErrInsideCase, ErrInsideCase},
		{"json/evidence/data.json", ErrInsideCase, ErrInsideCase},
		{"json/evidence/case.json", ErrInsideCase, ErrInsideCase}, // a case file's name, not at the top
		{"json/case.yaml", ErrInsideCase, nil},                    // converted into its own folder
		{"json", ErrInsideCase, ErrInsideCase},
		{"yaml/k", ErrInsideCase, ErrInsideCase},
		{"yml/new/k", ErrInsideCase, ErrInsideCase},
		{"xlsx/k", ErrInsideCase, ErrInsideCase},
		{"xlsx/nested/case.yaml", ErrInsideCase, ErrInsideCase}, // a case folder inside another
		{"out/PKG/data/case/case.yaml", ErrInsidePackage, ErrInsidePackage},
		{"out/PKG/k", ErrInsidePackage, ErrInsidePackage},
		{"out/k", nil, nil},
		{"elsewhere/k", nil, nil},
		{"elsewhere/case.json", nil, nil}, // a new case folder
		{"caseless/k", nil, nil},
		{"folder-named/k", nil, nil},
	}
	for _, tt := range tests {
		dst := filepath.Join(root, filepath.FromSlash(tt.dst))
		if err := Place(dst, ""); !errors.Is(err, tt.place) || (tt.place == nil) != (err == nil) {
			t.Errorf("Place(%s): %v, want %v", tt.dst, err, tt.place)
		}
		err := PlaceCaseFile(dst)
		if !errors.Is(err, tt.caseFile) || (tt.caseFile == nil) != (err == nil) {
			t.Errorf("PlaceCaseFile(%s): %v, want %v", tt.dst, err, tt.caseFile)
		}
		var de *Error
		if err != nil && (!errors.As(err, &de) || de.Path != dst) {
			t.Errorf("%s: the error does not name the path: %v", tt.dst, err)
		}
	}
}
