package finding

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestTable: every code is well formed, listed once, documented, and every
// Code constant declared in codes.go is in the table.
func TestTable(t *testing.T) {
	form := regexp.MustCompile(`^CP-[A-Z0-9]+(-[A-Z0-9]+)*$`)
	seen := map[Code]bool{}
	for _, i := range Table {
		if !form.MatchString(string(i.Code)) {
			t.Errorf("%q: not of the form CP-WORD-WORD", i.Code)
		}
		if seen[i.Code] {
			t.Errorf("%s listed twice", i.Code)
		}
		seen[i.Code] = true
		if i.Severity != Error && i.Severity != Warning || i.Also != "" && (i.Also == i.Severity || i.Also != Error && i.Also != Warning) {
			t.Errorf("%s: severity %q / %q", i.Code, i.Severity, i.Also)
		}
		if i.Meaning == "" || (i.Scope == Case) != (i.At == "") {
			t.Errorf("%s: meaning %q, scope %q, at %q", i.Code, i.Meaning, i.Scope, i.At)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
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
				if err != nil {
					t.Fatal(err)
				}
				n++
				if !seen[Code(lit)] {
					t.Errorf("%s is declared but not in Table", lit)
				}
			}
		}
	}
	if n != len(Table) {
		t.Errorf("%d Code constants, Table has %d rows", n, len(Table))
	}
}

func TestSeverityOf(t *testing.T) {
	for _, c := range []struct {
		code Code
		want Severity
	}{
		{HashMismatch, Error}, {DeathOutside, Warning}, {BagInfo, Error}, {SigMissing, Warning}, {"CP-NOT-A-CODE", Error},
	} {
		if got := SeverityOf(c.code); got != c.want {
			t.Errorf("SeverityOf(%s) = %s, want %s", c.code, got, c.want)
		}
	}
}

func TestLocationAndString(t *testing.T) {
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Code: RefDangling, File: "c/case.json", Line: 3, Column: 9, Pointer: "/x/0", Message: "m"}, "c/case.json:3:9: /x/0: m [CP-REF-DANGLING]"},
		{Finding{Code: JSONSyntax, File: "case.json", Line: 1, Column: 1, Message: "m"}, "case.json:1:1: /: m [CP-JSON-SYNTAX]"},
		{Finding{Code: BagModified, Path: "data/a.txt", Message: "m"}, "data/a.txt: m [CP-BAG-MODIFIED]"},
		{Finding{Code: RefDangling, File: "case.xlsx", Sheet: "Persons", Cell: "E7", Message: "m"}, "case.xlsx: Persons!E7: m [CP-REF-DANGLING]"},
		{Finding{Code: SigMissing, Message: "m"}, "m [CP-SIG-MISSING]"},
	} {
		if got := c.f.String(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestSort(t *testing.T) {
	fs := []Finding{
		{Code: BagModified, Path: "b"},
		{Code: RefDangling, File: "case.json", Line: 10, Column: 1},
		{Code: RefDangling, File: "case.json", Line: 2, Column: 5},
		{Code: RefDangling, File: "case.xlsx", Sheet: "P", Cell: "E10"},
		{Code: RefDangling, File: "case.xlsx", Sheet: "P", Cell: "E7"},
		{Code: RefDangling, File: "case.xlsx", Sheet: "P", Cell: "AA7"},
		{Code: BagExtra, Path: "a"},
		{Code: BagExtra, Path: "b"},
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Location()+" "+string(f.Code))
	}
	want := []string{
		"a CP-BAG-EXTRA", "b CP-BAG-EXTRA", "b CP-BAG-MODIFIED",
		"case.json:2:5: / CP-REF-DANGLING", "case.json:10:1: / CP-REF-DANGLING",
		"case.xlsx: P!E7 CP-REF-DANGLING", "case.xlsx: P!AA7 CP-REF-DANGLING", "case.xlsx: P!E10 CP-REF-DANGLING",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
}

func TestCount(t *testing.T) {
	fs := []Finding{New(HashMismatch, "a", ""), New(DeathOutside, "b", ""), At(BagModified, "p", "c", "")}
	if e, w := Count(fs); e != 2 || w != 1 {
		t.Errorf("Count = %d, %d", e, w)
	}
	if !HasErrors(fs) || HasErrors(fs[1:2]) {
		t.Error("HasErrors")
	}
	if got := Filter(fs, Warning); len(got) != 1 || got[0].Code != DeathOutside {
		t.Errorf("Filter = %v", got)
	}
}

// TestJSON pins the documented JSON form: empty location fields are left out.
func TestJSON(t *testing.T) {
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Code: RefDangling, Severity: Error, File: "case.json", Line: 3, Column: 9, Pointer: "/x", Message: "m", Hint: "h"},
			`{"code":"CP-REF-DANGLING","severity":"error","file":"case.json","line":3,"column":9,"pointer":"/x","message":"m","hint":"h"}`},
		{Finding{Code: BagModified, Severity: Error, Path: "data/a", Message: "m", Expected: "e", Actual: "a", Algorithm: "sha256"},
			`{"code":"CP-BAG-MODIFIED","severity":"error","path":"data/a","message":"m","expected":"e","actual":"a","algorithm":"sha256"}`},
	} {
		b, err := json.Marshal(c.f)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("got  %s\nwant %s", b, c.want)
		}
	}
}

// TestLeaf: finding imports only the standard library, so that every
// casepack package, the schema included, may import it.
func TestLeaf(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); strings.Contains(strings.Split(p, "/")[0], ".") {
				t.Errorf("%s imports %s; a leaf imports only the standard library", f, p)
			}
		}
	}
}
