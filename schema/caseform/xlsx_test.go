package caseform

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema"
	"github.com/xuri/excelize/v2"
)

// workbookCase starts a case folder as a workbook from a bundled sample.
func workbookCase(t *testing.T, sample string) string {
	t.Helper()
	src := samples.Minimal
	if sample == "la-vega" {
		src = samples.LaVega
	}
	dir := filepath.Join(t.TempDir(), "case")
	if _, err := Init(dir, src, XLSX); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editWorkbook changes a case workbook with excelize, as another program
// would.
func editWorkbook(t *testing.T, file string, edit func(f *excelize.File)) {
	t.Helper()
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// editPart rewrites one part of the workbook's ZIP (its XML) by hand.
func editPart(t *testing.T, file, part string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	found := false
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		if f.Name == part {
			data, found = []byte(edit(string(data))), true
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zr.Close()
	zw.Close()
	if !found {
		t.Fatalf("no part %s", part)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sheetPart is the ZIP part of a sheet, from the workbook's own lists.
func sheetPart(t *testing.T, file, sheet string) string {
	t.Helper()
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, name := range f.GetSheetList() {
		if name == sheet {
			return "xl/worksheets/sheet" + itoa(i+1) + ".xml"
		}
	}
	t.Fatalf("no sheet %s", sheet)
	return ""
}

// TestWorkbookCodes: each problem that only a workbook can have is
// reported with its code at the sheet and cell where it is.
func TestWorkbookCodes(t *testing.T) {
	tests := []struct {
		name   string
		sample string
		edit   func(t *testing.T, file string)
		code   finding.Code
		sev    finding.Severity
		sheet  string
		cell   string
		field  string
	}{
		{"not a workbook", "minimal", func(t *testing.T, file string) {
			os.WriteFile(file, []byte("id,title\nEV-0001,a note\n"), 0o644)
		}, finding.XLSXRead, finding.Error, "", "", ""},
		{"damaged sheet", "minimal", func(t *testing.T, file string) {
			editPart(t, file, sheetPart(t, file, "Evidence"), func(s string) string { return s[:len(s)/2] })
		}, finding.XLSXRead, finding.Error, "Evidence", "", ""},
		{"unknown sheet", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.NewSheet("My notes") })
		}, finding.XLSXSheet, finding.Warning, "My notes", "", ""},
		{"misspelt sheet", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetSheetName("Incidents", "Incident") })
		}, finding.XLSXSheet, finding.Error, "Incident", "", ""},
		{"register twice", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.NewSheet("evidence ") })
		}, finding.XLSXSheet, finding.Error, "evidence ", "", ""},
		{"header twice", "la-vega", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellStr("Persons", "D1", "pseudonym") })
		}, finding.XLSXHeader, finding.Error, "Persons", "D1", "pseudonym"},
		{"value without header", "la-vega", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellStr("Units", "Z3", "a stray note") })
		}, finding.XLSXHeader, finding.Error, "Units", "Z3", ""},
		{"key column missing", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellStr("Evidence files", "A1", "evidence") })
		}, finding.XLSXHeader, finding.Error, "Evidence files", "A1", "evidence_id"},
		{"label twice", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellStr("Submission", "A9", "title") })
		}, finding.XLSXHeader, finding.Error, "Submission", "A9", "title"},
		{"row of no item", "minimal", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellStr("Evidence files", "A2", "EV-0099") })
		}, finding.XLSXRow, finding.Error, "Evidence files", "A2", "evidence_id"},
		{"row naming nothing", "la-vega", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) { f.SetCellValue("Custody", "A3", nil) })
		}, finding.XLSXRow, finding.Error, "Custody", "A3", "evidence_id"},
		{"crime number twice", "la-vega", func(t *testing.T, file string) {
			editWorkbook(t, file, func(f *excelize.File) {
				f.SetSheetRow("Crimes", "A3", &[]any{"INC-01", 1, "7(1)(k)", "Other inhumane acts"})
			})
		}, finding.XLSXRow, finding.Error, "Crimes", "B3", "crime"},
		{"cell with an error", "la-vega", func(t *testing.T, file string) {
			editPart(t, file, sheetPart(t, file, "Persons"), func(s string) string {
				return regexp.MustCompile(`<c r="K3"[^>]*>.*?</c>`).ReplaceAllString(s, `<c r="K3" t="e"><f>1/0</f><v>#DIV/0!</v></c>`)
			})
		}, finding.XLSXCell, finding.Error, "Persons", "K3", "age"},
	}
	seen := map[finding.Code]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := workbookCase(t, tt.sample)
			file := filepath.Join(dir, "case.xlsx")
			tt.edit(t, file)
			_, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Code == tt.code && f.Sheet == tt.sheet && f.Cell == tt.cell && f.Field == tt.field {
					if f.Severity != tt.sev || f.Message == "" || f.File != file {
						t.Errorf("finding %+v", f)
					}
					if f.Severity == finding.Error && f.Hint == "" {
						t.Errorf("no hint: %+v", f)
					}
					seen[tt.code] = true
					return
				}
			}
			t.Errorf("no %s at %s!%s (%s); got:", tt.code, tt.sheet, tt.cell, tt.field)
			for _, f := range fs {
				t.Logf("  %s", f)
			}
		})
	}
	t.Run("too big", func(t *testing.T) {
		dir := workbookCase(t, "minimal")
		defer func(n int64) { maxSize = n }(maxSize)
		maxSize = 1000
		_, fs, err := LoadAndValidate(context.Background(), dir, schema.Options{})
		if err != nil || len(fs) != 1 || fs[0].Code != finding.XLSXTooBig {
			t.Fatalf("got %v, %v", fs, err)
		}
		seen[finding.XLSXTooBig] = true
	})
	t.Run("text too long for a cell", func(t *testing.T) {
		dir := sample(t, "minimal")
		data, _ := os.ReadFile(filepath.Join(dir, "case.json"))
		long := strings.Repeat("x", 32768)
		data = bytes.Replace(data, []byte("A sample incident."), []byte(long), 1)
		os.WriteFile(filepath.Join(dir, "case.json"), data, 0o644)
		rep, err := Convert(context.Background(), dir, filepath.Join(dir, "case.xlsx"), ConvertOptions{})
		if err != ErrNotConverted {
			t.Fatalf("err = %v", err)
		}
		for _, f := range rep.Findings {
			if f.Code == finding.XLSXCell && f.Pointer == "/incidents/0/description" && f.Line > 0 && strings.Contains(f.Message, "Incidents!") {
				seen[finding.XLSXCell] = true
				return
			}
		}
		t.Errorf("the over-long text is not named where it is: %v", rep.Findings)
	})
	for _, row := range finding.Table {
		if strings.HasPrefix(string(row.Code), "CP-XLSX-") && !seen[row.Code] {
			t.Errorf("no fixture for %s", row.Code)
		}
	}
}
