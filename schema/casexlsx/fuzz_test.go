package casexlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/casepack/casepack/schema"
)

// minimalWorkbook is the minimal sample case as a workbook.
func minimalWorkbook(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("../../samples/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := schema.Parse("case.json", data)
	var b bytes.Buffer
	if _, err := Write(&b, doc.Value); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzRead: no file makes Read panic or hang (the ZIP, the workbook's
// parts, the XML).
func FuzzRead(f *testing.F) {
	f.Add(minimalWorkbook(f))
	f.Add([]byte("PK\x03\x04 not really"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := Read(bytes.NewReader(data), int64(len(data)))
		if doc.Value != nil {
			doc.Locate("/evidence/0/files/0/path")
		}
	})
}

// FuzzSheet: a real workbook whose Evidence sheet's XML is fuzzed — the
// XML scanner and the row reader behind every sheet.
func FuzzSheet(f *testing.F) {
	book := minimalWorkbook(f)
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		f.Fatal(err)
	}
	part := "xl/worksheets/sheet11.xml" // the Evidence sheet: Instructions is sheet1
	files := map[string][]byte{}
	var names []string
	for _, zf := range zr.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		files[zf.Name] = b
		names = append(names, zf.Name)
	}
	if files[part] == nil {
		f.Fatalf("no %s in %v", part, names)
	}
	f.Add(files[part])
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" s="1"><v>44204</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<?xml version="1.0"?><!-- c --><x:worksheet xmlns:x="x"><x:sheetData><x:row><x:c><x:is><x:r><x:t>a&amp;b&#x41;</x:t></x:r><x:rPh><x:t>skip</x:t></x:rPh></x:is></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>`))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, n := range names {
			w, _ := zw.Create(n)
			if n == part {
				w.Write(sheet)
			} else {
				w.Write(files[n])
			}
		}
		zw.Close()
		doc, _ := Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if doc.Value != nil && strings.Contains(string(sheet), "<row") {
			doc.Locate("/evidence/0/title")
		}
	})
}
