package schema

import (
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportsNoCasepack keeps the layering of DESIGN §3: the case format is
// the bottom layer and imports no other casepack package.
func TestImportsNoCasepack(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatal("no source files", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := goparser.ParseFile(token.NewFileSet(), f, nil, goparser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "github.com/casepack/casepack/") {
				t.Errorf("%s imports %s", f, imp.Path.Value)
			}
		}
	}
}
