package casexlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

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

// scanTokens is everything a scanner reads from r: each token with its
// name, attributes, text and emptiness, and the error it ends with.
func scanTokens(s *scanner) string {
	var b strings.Builder
	for k := s.next(); k != tokEOF; k = s.next() {
		fmt.Fprintf(&b, "%d %q %v %q [", k, s.name, s.empty, s.text)
		if k == tokStart {
			for _, a := range s.attrs {
				fmt.Fprintf(&b, "%q=%q ", a.name, a.value)
			}
		}
		b.WriteString("]\n")
	}
	fmt.Fprintf(&b, "err %v", s.err)
	return b.String()
}

// FuzzScanner: the scanner's fast paths, which take text and tags whole
// from its buffer, read any input as its byte-by-byte path does (forced
// here by a reader that gives one byte at a time, so that the buffer
// never holds a whole tag or text).
func FuzzScanner(f *testing.F) {
	f.Add([]byte(`<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>id &amp; x</t></is></c><c r='B1'/></row>`))
	f.Add([]byte("<a b = \"x&#x41;\r\ny\"  c='<' d=\"&bogus;\">t\r\nu\rv</a><e f=\"1\"/ ><g h/><i =\"\"><?p?><!--c-->"))
	f.Add([]byte(`<a b="` + strings.Repeat("x", 300) + `" ` + strings.Repeat("n", 300) + `="1">` + strings.Repeat("t", 70000) + `</a>`))
	f.Add([]byte(`<ns:a ns:b="1"><![CDATA[<x>]]></ns:a`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast := scanTokens(newScanner(bytes.NewReader(data)))
		slow := scanTokens(&scanner{r: bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(data)), 16)})
		if fast != slow {
			t.Fatalf("the fast paths read\n%s\nthe byte-by-byte path\n%s", fast, slow)
		}
	})
}

// sheetDump is what scanSheet reads from a sheet's XML: every row's cells,
// or the error.
func sheetDump(d *sheetData, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	var cells []cell
	for _, r := range d.rows {
		cells = d.appendCells(cells[:0], r)
		fmt.Fprintf(&b, "row %d: %+v\n", r.num, cells)
	}
	return b.String()
}

// FuzzSheetFastPath: a sheet's XML is read into the same rows and cells,
// or refused with the same error, whether the reader's buffer holds whole
// cells (the fast paths: cellText, tagInBuffer, plainText) or one byte at
// a time (the token by token path).
func FuzzSheetFastPath(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c></row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" s="1"><v>44204</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="str"><f>A1</f><v>a_x0041_</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><row><c><v>1&amp;2</v></c><c><is><t>a` + "\r\n" + `b</t></is></c><c><is><r><t>x</t></r><rPh><t>y</t></rPh></is></c><c t="inlineStr"><is><t></t></is></c><c/></row></sheetData></worksheet>`))
	f.Add([]byte(`<worksheet><sheetData><row r="3"><c r="B3"><v>1</v></c><c r="A3"><v>2</v></c></row><row r="2"/></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, xml []byte) {
		b := &book{shared: []string{"", "shared"}, dateXF: []bool{false, true}}
		sh := sheetRef{name: "Fuzz"}
		fast := sheetDump(b.scanSheet(sh, newScanner(bytes.NewReader(xml))))
		slow := sheetDump(b.scanSheet(sh, &scanner{r: bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(xml)), 16)}))
		if fast != slow {
			t.Fatalf("with whole cells in the buffer:\n%s\none byte at a time:\n%s", fast, slow)
		}
	})
}
