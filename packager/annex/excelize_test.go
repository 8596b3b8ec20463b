package annex

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// excelizeVersion is the excelize the workbook writer was checked against.
// The writer lays each sheet out with excelize's StreamWriter and splices
// the data rows into the worksheet part excelize wrote (doc.go says why):
// it relies on excelize's part names, on the frame's <dimension> and
// </sheetData> markers and on excelize leaving the part order to map
// iteration. An upgrade must re-check those; this test makes it loud.
const excelizeVersion = "v2.11.1"

func TestExcelizeVersionPinned(t *testing.T) {
	// Test binaries carry no module list (debug.ReadBuildInfo), so read
	// the requirement the build uses from go.mod.
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/xuri/excelize/v2 (v\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod does not require github.com/xuri/excelize/v2")
	}
	if bytes.Contains(b, []byte("github.com/xuri/excelize/v2 =>")) {
		t.Fatal("go.mod replaces excelize: check the markers below against the replacement, then remove this check")
	}
	if got := string(m[1]); got != excelizeVersion {
		t.Fatalf("excelize is %s, not %s: packager/annex splices rows into the sheets excelize's StreamWriter writes (see doc.go). "+
			"Check that TestExcelizeFrame, TestWorkbookXML, TestWorkbookReproducible and the openpyxl and LibreOffice tests pass, "+
			"look at stream.go and file.go for changes to how streamed sheets are written and saved, then set excelizeVersion", got, excelizeVersion)
	}
}

// TestExcelizeFrame pins what the writer relies on, on excelize's own
// output: its default font is bodyFont;
// a StreamWriter sheet holding only a header row is written as
// xl/worksheets/sheet<N>.xml with exactly one <dimension ref="A1"> and one
// </sheetData>; and, on the finished workbook, that every sheet's
// dimension covers its rows, the parts are in name order, and excelize
// reads the rows back.
func TestExcelizeFrame(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	// Headers and links name the font a new workbook's cells have.
	if font, err := f.GetDefaultFont(); err != nil || font != bodyFont {
		t.Errorf("excelize's default font is %q (%v), bodyFont is %q", font, err, bodyFont)
	}
	if _, err := f.NewSheet("Second"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Sheet1", "Second"} {
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow("A1", []any{excelize.Cell{Value: "Header " + name}}); err != nil {
			t.Fatal(err)
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	parts := readParts(t, buf.Bytes())
	for i, name := range []string{"Sheet1", "Second"} {
		part := "xl/worksheets/sheet" + string(rune('1'+i)) + ".xml"
		x, ok := parts[part]
		if !ok {
			t.Fatalf("excelize wrote no %s for sheet %s (parts: %v)", part, name, keys(parts))
		}
		if n := strings.Count(x, frameDimension); n != 1 {
			t.Errorf("%s: %d × %s, want 1", part, n, frameDimension)
		}
		if n := strings.Count(x, frameEnd); n != 1 {
			t.Errorf("%s: %d × %s, want 1", part, n, frameEnd)
		}
		if !strings.Contains(x, "<t>Header "+name+"</t>") || strings.Contains(x, `<row r="2"`) {
			t.Errorf("%s: header row not written as inline text, or more rows than the header:\n%s", part, x)
		}
	}

	// The finished workbook, through this package's writer.
	var out bytes.Buffer
	sheets := fixtureSheets()
	if err := writeWorkbook(context.Background(), sheets, fixtureProps, t.TempDir(), &out, memOut{}.open); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("parts not in name order: %v", names)
	}
	final := readParts(t, out.Bytes())
	wb, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	dim := regexp.MustCompile(`<dimension ref="A1:([A-Z]+)([0-9]+)"></dimension>`)
	for i, s := range sheets {
		part := "xl/worksheets/sheet" + string(rune('1'+i)) + ".xml"
		rows, err := wb.GetRows(s.name)
		if err != nil {
			t.Fatal(err)
		}
		m := dim.FindStringSubmatch(final[part])
		if m == nil {
			t.Fatalf("%s (%s): no filled-in <dimension>", part, s.name)
		}
		lastCol, _ := excelize.ColumnNumberToName(len(s.cols))
		if want := len(rows); m[1] != lastCol || m[2] != strconv.Itoa(want) {
			t.Errorf("%s (%s): dimension A1:%s%s, want A1:%s%d", part, s.name, m[1], m[2], lastCol, want)
		}
	}
}

func readParts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name] = string(x)
	}
	return parts
}

func keys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}
