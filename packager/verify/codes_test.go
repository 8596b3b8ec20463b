package verify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCodesDocumented: every code is a row of the table in FORMAT.md §7, so
// the documentation cannot fall behind the code.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../FORMAT.md")
	must(t, err)
	seen := map[Code]bool{}
	for _, c := range Codes() {
		if seen[c] {
			t.Errorf("%s listed twice in Codes()", c)
		}
		seen[c] = true
		if !strings.Contains(string(doc), "\n| "+string(c)+" |") {
			t.Errorf("%s is not a row of the finding-code table in packager/FORMAT.md", c)
		}
	}
}

// TestCodesComplete: Codes() holds every Code constant declared in
// finding.go.
func TestCodesComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "finding.go", nil, 0)
	must(t, err)
	listed := map[Code]bool{}
	for _, c := range Codes() {
		listed[c] = true
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, err := strconv.Unquote(v.(*ast.BasicLit).Value)
				must(t, err)
				n++
				if !listed[Code(lit)] {
					t.Errorf("%s is declared but missing from Codes()", lit)
				}
			}
		}
	}
	if n != len(Codes()) {
		t.Errorf("%d Code constants, Codes() has %d", n, len(Codes()))
	}
}
