package packager_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsSelfContained: code comments and docs cite only files in this
// repository. Design notes, style guides and research kept elsewhere are
// not here for a reader to follow, so nothing may point at them; what the
// code relies on belongs in README.md, packager/FORMAT.md or docs/.
func TestDocsSelfContained(t *testing.T) {
	// Built from pieces so that this file does not match itself.
	outside := regexp.MustCompile(`\b(` + "DES" + `IGN(\.md)? §|` + "STY" + `LE\.md|` + "rese" + `arch/[a-z]+\.md|\.\./` + "sha" + `red)`)
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "out", "bin", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".md", ".txtar", ".tmpl", ".sh", ".py", ".json", ".yaml":
		default:
			if d.Name() != "Makefile" && d.Name() != "run" {
				return nil
			}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, which is not in this repository", p, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
