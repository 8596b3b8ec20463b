package intake

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema/caseform"
)

// TestAddKeepsTheWorkbook: a workbook another program edited (openpyxl:
// its own sheet, a coloured cell, a note) gets its new rows, and keeps
// everything else: that sheet, the header notes, the drop-downs, the frozen
// header, the formatting.
func TestAddKeepsTheWorkbook(t *testing.T) {
	py := testtool.Python(t, "openpyxl")
	dir := filepath.Join(t.TempDir(), "case")
	if _, err := caseform.Init(dir, samples.LaVega, caseform.XLSX); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "case.xlsx")
	edit := `
import sys, openpyxl
from openpyxl.styles import PatternFill
from openpyxl.comments import Comment
wb = openpyxl.load_workbook(sys.argv[1])
notes = wb.create_sheet("Notes")
notes["A1"] = "our own notes, not case data"
p = wb["Persons"]
p["B2"].fill = PatternFill("solid", fgColor="FFFF00")
p["B2"].comment = Comment("check this pseudonym", "paralegal")
wb.save(sys.argv[1])
`
	if out, err := exec.Command(py, "-c", edit, file).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	src := filepath.Join(t.TempDir(), "new.txt")
	os.WriteFile(src, []byte("a new file"), 0o644)
	rep, err := Add(context.Background(), dir, []string{src}, Options{Actor: "A"})
	if err != nil || rep.Added[0].ID != "EV-0035" {
		t.Fatalf("add: %v %+v", err, rep)
	}
	check := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb["Notes"]["A1"].value == "our own notes, not case data", "the Notes sheet is lost"
p = wb["Persons"]
assert p["B2"].fill.fgColor.rgb.endswith("FFFF00"), "the fill is lost"
assert p["B2"].comment is not None and "check this" in p["B2"].comment.text, "the note on B2 is lost"
assert p["A1"].comment is not None, "the header notes are lost"
assert len(p.data_validations.dataValidation) > 0, "the drop-downs are lost"
assert p.freeze_panes == "A2", "the frozen header is lost"
e = wb["Evidence"]
rows = [r for r in e.iter_rows(min_row=2, values_only=True) if r[0]]
assert rows[-1][0] == "EV-0035" and rows[-2][0] == "EV-0034", [r[0] for r in rows[-2:]]
f = wb["Evidence files"]
files = [r for r in f.iter_rows(min_row=2, values_only=True) if r[0] == "EV-0035"]
assert files and files[0][1] == "evidence/new.txt", files
print("ok")
`
	out, err := exec.Command(py, "-c", check, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("after evidence add: %v\n%s", err, out)
	}
	load(t, dir)
}
