package caseform

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// copyCase copies a case folder, keeping symbolic links as links (a
// fixture's point may be a link that leads out of the folder).
func copyCase(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			// Keep where the link leads: outside the folder stays outside.
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if !filepath.IsAbs(link) {
				if link, err = filepath.Abs(filepath.Join(filepath.Dir(p), link)); err != nil {
					return err
				}
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFixturesInEveryForm takes every invalid case.json fixture of the
// schema (testdata/invalid/<CODE>_<what>) into the workbook and YAML forms
// and validates it there: the same codes and hints come back, and the
// fixture's own code is located at a sheet and cell (a line and column),
// which the golden files record (go test -update rewrites them; read the
// diff: each line says where a person would look).
func TestFixturesInEveryForm(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/invalid/*")
	if err != nil || len(dirs) == 0 {
		t.Fatal("no fixtures", err)
	}
	ctx := context.Background()
	golden := map[Form]*strings.Builder{XLSX: {}, YAML: {}}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		code, _, _ := strings.Cut(name, "_")
		if strings.HasPrefix(code, "CP-JSON-") {
			continue // problems of JSON text, which the other forms cannot hold
		}
		// The checklist's warnings are asked for, as validate does.
		opt := schema.Options{Checklist: strings.HasPrefix(code, "CP-CHECK-")}
		_, want, err := schema.LoadAndValidate(ctx, dir, opt)
		if err != nil {
			t.Fatal(err)
		}
		wantCode := code
		for _, form := range []Form{XLSX, YAML} {
			if wantCode == string(finding.TextControl) && form == XLSX {
				continue // a workbook cell cannot hold a control character (CP-XLSX-CELL on writing)
			}
			code := wantCode
			want := want
			if instead, ok := notInWorkbook[code]; ok && form == XLSX {
				// An empty cell is no value: the finding is the one about
				// a missing value.
				want = replaceCode(want, finding.Code(code), instead)
				code = string(instead)
			}
			t.Run(name+"/"+string(form), func(t *testing.T) {
				tmp := filepath.Join(t.TempDir(), "case")
				copyCase(t, dir, tmp)
				src := filepath.Join(tmp, "case.json")
				dst := filepath.Join(tmp, FileName(form))
				if _, err := Convert(ctx, src, dst, ConvertOptions{}); err != nil && !errors.Is(err, ErrNotConverted) {
					t.Fatal(err)
				}
				if err := os.Remove(src); err != nil {
					t.Fatal(err)
				}
				_, got, err := LoadAndValidate(ctx, tmp, opt)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := codeSet(got), codeSet(want); a != b {
					t.Errorf("codes and hints differ from case.json:\n%s\ncase.json gave:\n%s", a, b)
				}
				var at []string
				for _, f := range got {
					if string(f.Code) != code {
						continue
					}
					f.File = FileName(form)
					at = append(at, f.Location())
					if form == XLSX && (f.Sheet == "" || f.Cell == "") {
						t.Errorf("%s is not located at a sheet and cell: %+v", code, f)
					}
					if form == YAML && f.Line == 0 {
						t.Errorf("%s is not located at a line: %+v", code, f)
					}
				}
				if len(at) == 0 {
					t.Errorf("no %s in the %s form; got %v", code, form, got)
				}
				fmt.Fprintf(golden[form], "%s: %s\n", name, strings.Join(at, " | "))
			})
		}
	}
	for form, b := range golden {
		checkGolden(t, filepath.Join("testdata", "fixtures-"+string(form)+".golden"), b.String())
	}
}

// notInWorkbook: the codes that cannot arise in a workbook, and the code
// that arises instead. A workbook cannot hold an empty text or an empty
// list apart from an empty cell, which is no value at all.
var notInWorkbook = map[string]finding.Code{
	string(finding.SchemaLength): finding.SchemaRequired,
}

func replaceCode(fs []finding.Finding, from, to finding.Code) []finding.Finding {
	out := append([]finding.Finding(nil), fs...)
	for i := range out {
		if out[i].Code == from {
			out[i].Code = to
			out[i].Hint = ""
		}
	}
	return out
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s--- got\n%s", path, want, got)
	}
}

// codeSet is the sorted codes and hints of findings, which must not depend
// on the form.
func codeSet(fs []finding.Finding) string {
	var lines []string
	for _, f := range fs {
		hint := f.Hint
		if _, replaced := notInWorkbook[string(f.Code)]; replaced || f.Code == finding.SchemaRequired {
			hint = "" // the replaced finding's hint is its own
		}
		lines = append(lines, fmt.Sprintf("%s %s: %s", f.Severity, f.Code, hint))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
