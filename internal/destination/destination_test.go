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
