package treefs_test

import (
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/casepack/casepack/internal/treefs"
)

// The tree is a well-behaved fs.FS (testing/fstest checks every method
// against what it lists), and its files read from the open function.
func TestTreeFS(t *testing.T) {
	content := map[string]string{"bagit.txt": "BagIt-Version: 1.0\n", "data/a/b.txt": "bee", "data/c.txt": ""}
	tr := treefs.New(func(name string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content[name])), nil
	})
	mod := time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)
	for p, c := range content {
		tr.AddFile(p, int64(len(c)), mod)
	}
	tr.AddDir("empty/folder")
	if err := fstest.TestFS(tr, "bagit.txt", "data/a/b.txt", "data/c.txt", "empty/folder"); err != nil {
		t.Fatal(err)
	}
	if !tr.IsDir("data/a") || !tr.IsFile("data/a/b.txt") || !tr.HasFileAncestor("data/a/b.txt/x") || tr.HasFileAncestor("data/a/x") {
		t.Error("IsDir, IsFile or HasFileAncestor disagrees with the tree")
	}
	if _, err := tr.Open("../x"); err == nil {
		t.Error("an invalid path opened")
	}
	if _, err := fs.Stat(tr, "nope"); err == nil {
		t.Error("a missing file was found")
	}
}
