package schema

import (
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// leaves are the only casepack packages the schema may import: each imports
// nothing but the standard library (their own tests say so), so the case
// format stays the bottom layer (docs/ARCHITECTURE.md).
var leaves = map[string]bool{
	"github.com/casepack/casepack/packager/finding": true,
	"github.com/casepack/casepack/packager/fault":   true,
	"github.com/casepack/casepack/internal/digest":  true,
	"github.com/casepack/casepack/internal/source":  true,
}

// TestImportsNoCasepack: the case format is the bottom layer; it imports no
// casepack package but the leaves.
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
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, "github.com/casepack/casepack/") && !leaves[p] {
				t.Errorf("%s imports %s", f, imp.Path.Value)
			}
		}
	}
}
