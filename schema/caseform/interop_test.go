package caseform

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/casexlsx"
	"github.com/casepack/casepack/schema/shape"
)

// python returns a python3 that has openpyxl.
func python(t *testing.T) string { return testtool.Python(t, "openpyxl") }

// TestWorkbookEditedWithOpenpyxl: a workbook that another program edited
// and saved (openpyxl writes shared strings, its own styles and no cached
// layout) still reads, with the edits; and evidence add keeps what that
// program added.
func TestWorkbookEditedWithOpenpyxl(t *testing.T) {
	py := python(t)
	dir := workbookCase(t, "la-vega")
	file := filepath.Join(dir, "case.xlsx")
	script := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
p = wb["Persons"]
head = [c.value for c in p[1]]
age = head.index("age") + 1
p.cell(row=2, column=age, value=23)
row = p.max_row + 1
p.cell(row=row, column=head.index("id") + 1, value="W-99")
p.cell(row=row, column=head.index("pseudonym") + 1, value="Witness 99 — «new»")
p.cell(row=row, column=head.index("roles") + 1, value="witness")
notes = wb.create_sheet("Notes")
notes["A1"] = "our own notes, not case data"
wb.save(sys.argv[1])
`
	if out, err := exec.Command(py, "-c", script, file).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	doc, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{KeepTree: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(fs); n > 0 {
		t.Fatalf("errors after openpyxl: %v", fs)
	}
	var notesWarned bool
	for _, f := range fs {
		notesWarned = notesWarned || (f.Code == finding.XLSXSheet && f.Sheet == "Notes")
	}
	if !notesWarned {
		t.Error("the Notes sheet is not named as ignored")
	}
	if at(doc.Value, "/persons/0/age") != json.Number("23") {
		t.Errorf("age = %v, want 23", at(doc.Value, "/persons/0/age"))
	}
	last := doc.Case.Persons[len(doc.Case.Persons)-1]
	if last.ID != "W-99" || last.Pseudonym != "Witness 99 — «new»" || strings.Join(last.Roles, ",") != "witness" {
		t.Errorf("the new row: %+v", last)
	}
}

// TestWorkbookSavedByLibreOffice: LibreOffice (headless) opens the case
// workbook and saves it as .xlsx; casepack reads back the same case.
func TestWorkbookSavedByLibreOffice(t *testing.T) {
	soffice := testtool.Need(t, "soffice")
	if testing.Short() {
		t.Skip("LibreOffice takes a while to start")
	}
	dir := workbookCase(t, "la-vega")
	out := t.TempDir()
	profile := "file://" + filepath.Join(t.TempDir(), "profile")
	cmd := exec.Command(soffice, "-env:UserInstallation="+profile, "--headless", "--norestore",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, filepath.Join(dir, "case.xlsx"))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	saved, err := os.ReadFile(filepath.Join(out, "case.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(filepath.Join(dir, "case.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	a, pa := casexlsx.Read(bytes.NewReader(orig), int64(len(orig)))
	b, pb := casexlsx.Read(bytes.NewReader(saved), int64(len(saved)))
	if len(pa)+len(pb) > 0 || a.Value == nil || b.Value == nil {
		t.Fatalf("problems: %v / %v", pa, pb)
	}
	if !shape.Equal(a.Value, b.Value) {
		t.Errorf("LibreOffice's copy reads as another case (%s)", firstDiff(a.Value, b.Value, ""))
	}
}
