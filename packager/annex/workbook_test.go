package annex

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/xuri/excelize/v2"
)

// needOpenpyxl returns a python3 that has openpyxl.
func needOpenpyxl(t *testing.T) string { return testtool.Python(t, "openpyxl") }

// dump is what testdata/dump.py reports.
type dump struct {
	Sheets []struct {
		Name   string
		Freeze *string
		Tables []struct {
			Name, Ref  string
			Autofilter *string
		}
		Widths map[string]float64
		// HeaderHeight is row 1's height in points (0: not set).
		HeaderHeight float64 `json:"header_height"`
		Print        struct {
			Orientation string
			Paper       any
			FitWidth    any     `json:"fit_width"`
			FitHeight   any     `json:"fit_height"`
			FitToPage   bool    `json:"fit_to_page"`
			TitleRows   *string `json:"title_rows"`
			TitleCols   *string `json:"title_cols"`
			Footer      string
		}
		Rows [][]dumpCell
	}
	Props map[string]*string
	CSV   map[string][][]string
}

type dumpCell struct {
	T      string // openpyxl data_type: s, n, d, b, f
	Fmt    string
	V      any
	Py     string
	Bold   bool
	Cached any
	Font   *string
	Link   *string // the cell hyperlink's location inside the workbook
}

func (d *dump) sheet(t *testing.T, name string) int {
	t.Helper()
	for i, s := range d.Sheets {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("openpyxl: no sheet %q", name)
	return -1
}

func readBack(t *testing.T, xlsxPath, csvDir string) *dump {
	t.Helper()
	py := needOpenpyxl(t)
	out, err := exec.Command(py, filepath.Join("testdata", "dump.py"), xlsxPath, csvDir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errorsAs(err, &ee) {
			t.Fatalf("dump.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("dump.py: %v", err)
	}
	var d dump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("dump.py output: %v", err)
	}
	return &d
}

func errorsAs(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}

// dirOut returns a csvOut that creates files in dir.
func dirOut(dir string) func(string) (io.WriteCloser, error) {
	return func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, name))
	}
}

// memOut collects CSV twins in memory.
type memOut map[string]*bytes.Buffer

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func (m memOut) open(name string) (io.WriteCloser, error) {
	b := new(bytes.Buffer)
	m[name] = b
	return nopCloser{b}, nil
}

// injections are values a hostile source could put in a description.
var injections = []string{
	`=HYPERLINK("http://x","y")`,
	`=cmd|' /C calc'!A0`,
	`+1+1`,
	`-2+3`,
	`@SUM(A1:A2)`,
	"\t=1+1",
	"\r=1+1",
	`'=already quoted`,
	`plain, with "quotes"` + "\nand a line feed\r\nand CRLF",
}

func fixtureSheets() []*sheet {
	born := time.Date(1999, 3, 7, 0, 0, 0, 0, time.UTC)
	people := &sheet{
		name: "People", file: "people.csv",
		cols: []column{
			{header: "ID", kind: kindID},
			{header: "Name", kind: kindText},
			{header: "Born", kind: kindDate},
			{header: "Seen (UTC)", kind: kindDateTime},
			{header: "Count", kind: kindInt},
			{header: "Minor", kind: kindText},
		},
		rows: func(yield func([]value) error) error {
			rows := [][]value{
				{text("007"), text("Zoë"), date(born, PrecisionDay), instant(time.Date(2021, 1, 7, 9, 30, 0, 0, time.FixedZone("VET", -4*3600))), integer(12), text("no")},
				{text("P-2"), text("Ana"), date(born, PrecisionMonth), value{}, integer(-3), text("yes")},
				{text("1E5"), text(""), date(born, PrecisionYear), value{}, value{}, value{}},
			}
			for _, r := range rows {
				if err := yield(r); err != nil {
					return err
				}
			}
			return nil
		},
	}
	things := &sheet{
		name: "Things", file: "things.csv",
		cols: []column{
			{header: "ID", kind: kindID},
			{header: "Owner", kind: kindRef, target: "People"},
			{header: "Owners", kind: kindRef, target: "People"},
			{header: "Description", kind: kindText},
		},
		rows: func(yield func([]value) error) error {
			for i, s := range injections {
				id := fmt.Sprintf("T-%02d", i+1)
				owner := []string{"P-2", "007", "1E5", "NOPE"}[i%4]
				if err := yield([]value{text(id), refs(owner), refs("007", "P-2"), text(s)}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	empty := &sheet{
		name: "Empty", file: "empty.csv",
		cols: []column{{header: "ID", kind: kindID}, {header: "Note", kind: kindText}},
		rows: func(func([]value) error) error { return nil },
	}
	return []*sheet{people, things, empty}
}

var fixtureProps = docProps{
	title: "Título", subject: "Annexes", creator: "casepack test", language: "es-VE",
	identifier: "SUB-1", date: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
}

func writeFixture(t *testing.T, dir string) (string, string) {
	t.Helper()
	xlsxPath := filepath.Join(dir, "annexes.xlsx")
	csvDir := filepath.Join(dir, "csv")
	if err := os.MkdirAll(csvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeWorkbook(context.Background(), fixtureSheets(), fixtureProps, t.TempDir(), f, dirOut(csvDir)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return xlsxPath, csvDir
}

func TestWorkbookReadByOpenpyxl(t *testing.T) {
	xlsxPath, csvDir := writeFixture(t, t.TempDir())
	d := readBack(t, xlsxPath, csvDir)

	var names []string
	for _, s := range d.Sheets {
		names = append(names, s.Name)
	}
	if want := []string{"People", "Things", "Empty"}; !slices.Equal(names, want) {
		t.Fatalf("sheets = %v, want %v", names, want)
	}
	for _, s := range d.Sheets {
		if s.Freeze == nil || *s.Freeze != "A2" {
			t.Errorf("%s: freeze pane = %v, want A2", s.Name, s.Freeze)
		}
		if len(s.Tables) != 1 || s.Tables[0].Autofilter == nil || *s.Tables[0].Autofilter != s.Tables[0].Ref {
			t.Errorf("%s: tables = %+v, want one table with an autofilter over its range", s.Name, s.Tables)
		}
		for _, c := range s.Rows[0] {
			if !c.Bold || c.T != "s" {
				t.Errorf("%s: header cell %v not bold text", s.Name, c.V)
			}
		}
	}
	if ref := d.Sheets[0].Tables[0].Ref; ref != "A1:F4" {
		t.Errorf("People table = %s, want A1:F4", ref)
	}
	if ref := d.Sheets[2].Tables[0].Ref; ref != "A1:B2" {
		t.Errorf("Empty table = %s, want A1:B2", ref)
	}

	people := d.Sheets[d.sheet(t, "People")].Rows
	for i, want := range []string{"007", "P-2", "1E5"} {
		c := people[i+1][0]
		if c.T != "s" || c.V != want {
			t.Errorf("People ID row %d = %v (%s), want text %q", i+2, c.V, c.T, want)
		}
	}
	wantDates := []struct{ v, fmt string }{
		{"1999-03-07T00:00:00", "yyyy-mm-dd"},
		{"1999-03-07T00:00:00", "yyyy-mm"},
		{"1999-03-07T00:00:00", "yyyy"},
	}
	for i, w := range wantDates {
		c := people[i+1][2]
		if c.Py != "datetime" || c.V != w.v || c.Fmt != w.fmt {
			t.Errorf("People Born row %d = %v %s %q, want date %s formatted %q", i+2, c.V, c.Py, c.Fmt, w.v, w.fmt)
		}
	}
	if c := people[1][3]; c.Py != "datetime" || c.V != "2021-01-07T13:30:00" {
		t.Errorf("Seen = %v (%s), want 2021-01-07T13:30:00 UTC", c.V, c.Py)
	}
	if c := people[2][4]; c.Py != "int" || c.V != float64(-3) {
		t.Errorf("Count = %v (%s), want int -3", c.V, c.Py)
	}

	things := d.Sheets[d.sheet(t, "Things")].Rows
	for i, s := range injections {
		c := things[i+1][3]
		if c.T != "s" || c.V != s {
			t.Errorf("Description %q came back as %q (data_type %s), want the same text", s, c.V, c.T)
		}
	}
	// Owner links: P-2 is on People row 3, 007 on row 2, 1E5 on row 4; NOPE
	// is defined nowhere and stays text. A link is a cell hyperlink to a
	// place in the workbook, never a formula.
	wantLinks := []string{`'People'!A3`, `'People'!A2`, `'People'!A4`, ""}
	wantIDs := []string{"P-2", "007", "1E5", "NOPE"}
	for i := range injections {
		c := things[i+1][1]
		want := wantLinks[i%4]
		if c.T != "s" || c.V != wantIDs[i%4] {
			t.Errorf("Owner row %d = %v (%s), want text %s", i+2, c.V, c.T, wantIDs[i%4])
		}
		if got := deref(c.Link); got != want && !(want == "" && c.Link == nil) {
			t.Errorf("Owner row %d links to %q, want %q", i+2, got, want)
		}
		// Several IDs: one link, to the first, showing them all.
		if c2 := things[i+1][2]; c2.T != "s" || c2.V != "007; P-2" || deref(c2.Link) != `'People'!A2` {
			t.Errorf("Owners row %d = %v (%s, link %q), want a link to 007's row showing '007; P-2'", i+2, c2.V, c2.T, deref(c2.Link))
		}
	}
	for _, sh := range d.Sheets {
		pr := sh.Print
		if pr.Orientation != "landscape" || fmt.Sprint(pr.FitWidth) != "1" || fmt.Sprint(pr.FitHeight) != "0" || !pr.FitToPage ||
			deref(pr.TitleRows) != "$1:$1" || !strings.Contains(pr.Footer, "&P") || !strings.Contains(pr.Footer, "&N") {
			t.Errorf("%s: print setup %+v (title rows %q)", sh.Name, pr, deref(pr.TitleRows))
		}
	}

	if p := d.Props; deref(p["title"]) != "Título" || deref(p["creator"]) != "casepack test" ||
		deref(p["language"]) != "es-VE" || deref(p["created"]) != "2026-11-26T12:00:00" ||
		deref(p["modified"]) != "2026-11-26T12:00:00" || deref(p["identifier"]) != "SUB-1" {
		t.Errorf("document properties = %v", func() map[string]string {
			m := map[string]string{}
			for k, v := range p {
				m[k] = deref(v)
			}
			return m
		}())
	}

	// Every twin holds the sheet's rows; only formula-like text differs, by
	// its leading quote.
	for _, s := range d.Sheets {
		rows := d.CSV[strings.ToLower(s.Name)+".csv"]
		if len(rows) != len(s.Rows) && !(s.Name == "Empty" && len(rows) == 1) {
			t.Errorf("%s: CSV has %d rows, sheet %d", s.Name, len(rows), len(s.Rows))
			continue
		}
		for r, row := range rows {
			for c, field := range row {
				got := UnescapeCSVField(field)
				want := sheetAsCSV(s.Rows[r][c])
				if got != want {
					t.Errorf("%s!%d,%d: CSV %q (unescaped %q), sheet %q", s.Name, r+1, c+1, field, got, want)
				}
			}
		}
	}
	if got := d.CSV["things.csv"][1][3]; got != `'=HYPERLINK("http://x","y")` {
		t.Errorf("CSV injection field = %q, want a leading quote", got)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// sheetAsCSV renders what openpyxl read the way the CSV twin writes it.
func sheetAsCSV(c dumpCell) string {
	switch c.Py {
	case "none":
		return ""
	case "bool":
		return strconv.FormatBool(c.V.(bool))
	case "int":
		return strconv.FormatFloat(c.V.(float64), 'f', -1, 64)
	case "datetime":
		s := c.V.(string)
		switch c.Fmt {
		case "yyyy-mm-dd":
			return s[:10]
		case "yyyy-mm":
			return s[:7]
		case "yyyy":
			return s[:4]
		}
		return s + "Z"
	}
	if c.T == "f" {
		return fmt.Sprint(c.Cached)
	}
	return fmt.Sprint(c.V)
}

// TestWorkbookXML looks at the stored XML itself: data is inline text, no
// cell is a formula, and links are cell hyperlinks to a place in the
// workbook.
func TestWorkbookXML(t *testing.T) {
	var buf bytes.Buffer
	if err := writeWorkbook(context.Background(), fixtureSheets(), fixtureProps, t.TempDir(), &buf, memOut{}.open); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	hyperlink := regexp.MustCompile(`<hyperlink [^>]*>`)
	ourLink := regexp.MustCompile(`^<hyperlink ref="[A-Z]+[0-9]+" location="(?:'|&#39;)People(?:'|&#39;)!A[0-9]+"`)
	links := 0
	colMin := regexp.MustCompile(`<col min="([0-9]+)"`)
	parts := readParts(t, buf.Bytes())
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		x := []byte(parts[zf.Name])
		if bytes.Contains(x, []byte("<f>")) || bytes.Contains(x, []byte("<f ")) {
			t.Errorf("%s: holds a formula", zf.Name)
		}
		for _, m := range hyperlink.FindAll(x, -1) {
			links++
			if !ourLink.Match(m) || bytes.Contains(m, []byte("r:id=")) {
				t.Errorf("%s: %s is not a link to a row of People", zf.Name, m)
			}
		}
		if bytes.Contains(x, []byte(`HYPERLINK("http`)) && !bytes.Contains(x, []byte(`t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t>`)) {
			t.Errorf("%s: injected HYPERLINK not stored as inline text", zf.Name)
		}
		var mins []int
		for _, m := range colMin.FindAllSubmatch(x, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			mins = append(mins, n)
		}
		if !slices.IsSorted(mins) || len(mins) == 0 {
			t.Errorf("%s: <col> elements out of order: %v", zf.Name, mins)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("zip entries not sorted: %v", names)
	}
	// Things links Owner and Owners to People: 3 of every 4 Owner cells
	// (NOPE is defined nowhere) and every Owners cell.
	if want := len(injections) - len(injections)/4 + len(injections); links != want {
		t.Errorf("%d cell hyperlinks, want %d", links, want)
	}
}

func TestWorkbookReproducible(t *testing.T) {
	build := func() ([]byte, memOut) {
		var buf bytes.Buffer
		m := memOut{}
		if err := writeWorkbook(context.Background(), fixtureSheets(), fixtureProps, t.TempDir(), &buf, m.open); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), m
	}
	x1, c1 := build()
	for range 3 { // map order in excelize varies per run; try a few
		x2, c2 := build()
		if !bytes.Equal(x1, x2) {
			t.Fatal("two builds gave different workbooks")
		}
		for name, b := range c1 {
			if !bytes.Equal(b.Bytes(), c2[name].Bytes()) {
				t.Fatalf("two builds gave different %s", name)
			}
		}
	}
}

// TestSheetCompressorPinned pins the bytes the sheets' deflater
// (sheetCompressor) writes for a register-like sheet, rows of IDs and
// hex digests: a workbook's bytes are a package's, so deflating them
// otherwise (another library, level or release) changes every package
// and must be decided, not come with an upgrade. The bytes inflate, with
// the standard library's reader, to the sheet, and are the same written
// at once or in pieces (the pipe's chunks), and from the reset
// compressor the next sheet gets.
func TestSheetCompressorPinned(t *testing.T) {
	var sheet bytes.Buffer
	for i := range 5000 {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>EV-%06d</t></is></c><c r="B%d" s="3" t="inlineStr"><is><t>%x</t></is></c></row>`,
			i+2, i+2, i+1, i+2, sha256.Sum256([]byte(strconv.Itoa(i))))
	}
	compressor := sheetCompressor()
	deflate := func(piece int) []byte {
		var out bytes.Buffer
		w, err := compressor(&out)
		if err != nil {
			t.Fatal(err)
		}
		for b := sheet.Bytes(); len(b) > 0; b = b[min(piece, len(b)):] {
			if _, err := w.Write(b[:min(piece, len(b))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	got := deflate(sheet.Len())
	inflated, err := io.ReadAll(flate.NewReader(bytes.NewReader(got)))
	if err != nil || !bytes.Equal(inflated, sheet.Bytes()) {
		t.Fatalf("the deflated sheet does not inflate to the sheet (%v)", err)
	}
	for _, piece := range []int{1000, pipeChunk} {
		if again := deflate(piece); !bytes.Equal(again, got) {
			t.Fatalf("written in pieces of %d bytes by the reset compressor: other bytes", piece)
		}
	}
	const want = "7722f7048d493715b6e186794c52b11d7fc06b6e1ebbbe1277e0987e23723a29"
	if sum := fmt.Sprintf("%x", sha256.Sum256(got)); sum != want {
		t.Fatalf("the sheets' deflater writes other bytes (SHA-256 %s, %d bytes), not %s: every workbook's bytes change. "+
			"If that is meant (see sheetCompressor), put the new digest here and say in the commit that packages change", sum, len(got), want)
	}
}

func TestWorkbookRejectsBadSheets(t *testing.T) {
	tests := []struct {
		name   string
		sheets func() []*sheet
		want   string
	}{
		{"duplicate header", func() []*sheet {
			return []*sheet{{name: "A", file: "a.csv", cols: []column{{header: "X"}, {header: "X"}}, rows: func(func([]value) error) error { return nil }}}
		}, "duplicate header"},
		{"wrong type", func() []*sheet {
			return []*sheet{{name: "A", file: "a.csv", cols: []column{{header: "N", kind: kindInt}}, rows: func(y func([]value) error) error { return y([]value{text("x")}) }}}
		}, "wrong type"},
		{"short row", func() []*sheet {
			return []*sheet{{name: "A", file: "a.csv", cols: []column{{header: "N"}, {header: "M"}}, rows: func(y func([]value) error) error { return y([]value{text("x")}) }}}
		}, "has 1 cells"},
		{"dangling link target", func() []*sheet {
			return []*sheet{{name: "A", file: "a.csv", cols: []column{{header: "R", kind: kindRef, target: "B"}}, rows: func(func([]value) error) error { return nil }}}
		}, "defines no IDs"},
		{"no sheets", func() []*sheet { return nil }, "no sheets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := writeWorkbook(context.Background(), tt.sheets(), fixtureProps, t.TempDir(), io.Discard, memOut{}.open)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestWorkbookCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := &sheet{name: "Big", file: "big.csv", cols: []column{{header: "ID", kind: kindID}},
		rows: func(y func([]value) error) error {
			for i := range 5000 {
				if err := y([]value{text(strconv.Itoa(i))}); err != nil {
					return err
				}
			}
			return nil
		}}
	err := writeWorkbook(ctx, []*sheet{big}, fixtureProps, t.TempDir(), io.Discard, memOut{}.open)
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestCellXML pins the SpreadsheetML of each kind of cell.
func TestCellXML(t *testing.T) {
	st := &styles{plain: 1, header: 2, link: 4, digest: 5, date: [3]int{6, 7, 8}, datetime: 9}
	a := &assembler{st: st}
	ref := column{header: "R", kind: kindRef, target: "People"}
	txt := column{header: "T"}
	tests := []struct {
		name   string
		c      column
		v      value
		linked bool
		want   string
	}{
		{"text", txt, text("a & b < c > d"), false, `<c r="B7" s="1" t="inlineStr"><is><t>a &amp; b &lt; c &gt; d</t></is></c>`},
		{"formula-like text", txt, text(`=HYPERLINK("http://x","y")`), false, `<c r="B7" s="1" t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t></is></c>`},
		{"edge spaces", txt, text(" padded "), false, `<c r="B7" s="1" t="inlineStr"><is><t xml:space="preserve"> padded </t></is></c>`},
		{"line breaks", txt, text("a\r\nb"), false, `<c r="B7" s="1" t="inlineStr"><is><t>a&#xD;` + "\n" + `b</t></is></c>`},
		{"control character", txt, text("bell\x07"), false, `<c r="B7" s="1" t="inlineStr"><is><t>bell` + "\uFFFD" + `</t></is></c>`},
		{"literal escape code", txt, text("_x0041_"), false, `<c r="B7" s="1" t="inlineStr"><is><t>_x005F_x0041_</t></is></c>`},
		{"digest", column{header: "SHA-256", digest: true}, text(strings.Repeat("ab", 32)), false, `<c r="B7" s="5" t="inlineStr"><is><t>` + strings.Repeat("ab", 32) + `</t></is></c>`},
		{"link", ref, refs("P-2"), true, `<c r="B7" s="4" t="inlineStr"><is><t>P-2</t></is></c>`},
		{"several IDs, linked", ref, refs("P-2", "P-3"), true, `<c r="B7" s="4" t="inlineStr"><is><t>P-2; P-3</t></is></c>`},
		{"not linked", ref, refs("P-9"), false, `<c r="B7" s="1" t="inlineStr"><is><t>P-9</t></is></c>`},
		{"day", column{kind: kindDate}, date(time.Date(2021, 1, 8, 0, 0, 0, 0, time.UTC), PrecisionDay), false, `<c r="B7" s="6"><v>44204</v></c>`},
		{"month", column{kind: kindDate}, date(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), PrecisionMonth), false, `<c r="B7" s="7"><v>44197</v></c>`},
		{"before 1900-03-01", column{kind: kindDate}, date(time.Date(1899, 5, 1, 0, 0, 0, 0, time.UTC), PrecisionMonth), false, `<c r="B7" s="1" t="inlineStr"><is><t>1899-05</t></is></c>`},
		{"instant", column{kind: kindDateTime}, instant(time.Date(2021, 1, 8, 7, 30, 0, 0, time.FixedZone("", -4*3600))), false, `<c r="B7" s="9"><v>44204.479166666664</v></c>`},
		{"integer", column{kind: kindInt}, integer(-3), false, `<c r="B7" s="1"><v>-3</v></c>`},
		{"empty", txt, value{}, false, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := bufio.NewWriter(&buf)
			plain := a.cell(w, "B", []byte("7"), tt.c, tt.v, tt.linked)
			w.Flush()
			if buf.String() != tt.want {
				t.Errorf("got  %s\nwant %s", buf.String(), tt.want)
			}
			// fill gives a text cell that reports itself plain the
			// CSV field escapeCSVFormula(v.s), without cleanText.
			if plain && (tt.v.k != vText || escapeCSVFormula(tt.v.s) != csvText(tt.v)) {
				t.Errorf("reported plain, but its CSV field is %q, not %q", csvText(tt.v), escapeCSVFormula(tt.v.s))
			}
		})
	}
	// Style 0 is written as no style at all.
	a0 := &assembler{st: &styles{}}
	for _, tt := range []struct {
		v    value
		want string
	}{
		{text("x"), `<c r="B7" t="inlineStr"><is><t>x</t></is></c>`},
		{integer(-3), `<c r="B7"><v>-3</v></c>`},
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		a0.cell(w, "B", []byte("7"), txt, tt.v, false)
		w.Flush()
		if buf.String() != tt.want {
			t.Errorf("style 0: got  %s\nwant %s", buf.String(), tt.want)
		}
	}
}

// TestHyperlinksAsEncoded: writeLinks writes a sheet's <hyperlinks> as
// excelize encodes its own (encoding/xml, the struct below), byte for
// byte, whatever the target sheet's name holds.
func TestHyperlinksAsEncoded(t *testing.T) {
	type hyperlink struct {
		Ref      string `xml:"ref,attr"`
		Location string `xml:"location,attr,omitempty"`
	}
	type hyperlinks struct {
		XMLName   xml.Name    `xml:"hyperlinks"`
		Hyperlink []hyperlink `xml:"hyperlink"`
	}
	plans := map[string]*plan{
		"Incidents":              {keyCol: 0, rowOf: map[string]int{"INC-01": 2, "INC-02": 3}},
		`People's "<list>" & co`: {keyCol: 27, rowOf: map[string]int{"P-1": 1048575}},
	}
	cols := []column{
		{header: "evidence_id", kind: kindID},
		{header: "incident", kind: kindRef, target: "Incidents"},
		{header: "person", kind: kindRef, target: `People's "<list>" & co`},
	}
	names := []string{"A", "B", "C"}
	rows := [][]value{
		{text("EV-1"), refs("INC-01"), refs("P-1", "P-2")},
		{text("EV-2"), refs("INC-02"), refs("P-9")}, // P-9: no row, no link
		{text("EV-3"), value{}, refs("P-1")},
	}
	l := &linker{plans: plans}
	var got []link
	var want hyperlinks
	for r, row := range rows {
		for i, v := range row {
			to, toRow := l.next(cols[i], v)
			if to == "" {
				continue
			}
			got = append(got, link{col: i, row: r + 2, to: to, toRow: toRow})
			col, _ := excelize.ColumnNumberToName(plans[cols[i].target].keyCol + 1)
			want.Hyperlink = append(want.Hyperlink, hyperlink{Ref: names[i] + strconv.Itoa(r+2),
				Location: quoteSheet(cols[i].target) + "!" + col + strconv.Itoa(plans[cols[i].target].rowOf[v.ids[0]])})
		}
	}
	if len(got) != 4 {
		t.Fatalf("%d links, want 4", len(got))
	}
	var buf, enc bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeLinks(w, names, got)
	w.Flush()
	if err := xml.NewEncoder(&enc).Encode(want); err != nil {
		t.Fatal(err)
	}
	if buf.String() != enc.String() {
		t.Errorf("got  %s\nwant %s", buf.String(), enc.String())
	}
}

// failAfter takes n bytes, then fails every write with errFull.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWorkbookWriteFails: a workbook whose writer fails, at its start, in
// a sheet's rows (deflated on a goroutine of their own) or at its end,
// is not written: the writer's error is returned, and nothing is left
// waiting.
func TestWorkbookWriteFails(t *testing.T) {
	big := func() *sheet {
		return &sheet{name: "Big", file: "big.csv", cols: []column{{header: "ID", kind: kindID}, {header: "Text"}},
			rows: func(y func([]value) error) error {
				for i := range 20000 {
					if err := y([]value{text("ID-" + strconv.Itoa(i)), text(strconv.Itoa(i*7919) + " words of a description")}); err != nil {
						return err
					}
				}
				return nil
			}}
	}
	var whole countWriter
	if err := writeWorkbook(context.Background(), []*sheet{big()}, fixtureProps, t.TempDir(), &whole, memOut{}.open); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 100, int(whole) / 2, int(whole) - 1} {
		err := writeWorkbook(context.Background(), []*sheet{big()}, fixtureProps, t.TempDir(), &failAfter{n: n}, memOut{}.open)
		if !errors.Is(err, errFull) {
			t.Errorf("failing after %d of %d bytes: err = %v, want %v", n, whole, err, errFull)
		}
	}
}

// twinOut is a CSV twin's writer that fails like failAfter and records
// a write after Close, which the twin's own goroutine (fill's pipe) must
// never make: a build hands the closed file to the package's tree.
type twinOut struct {
	failAfter
	closed, lateWrite bool
	n                 int
}

func (w *twinOut) Write(p []byte) (int, error) {
	if w.closed {
		w.lateWrite = true
	}
	n, err := w.failAfter.Write(p)
	w.n += n
	return n, err
}

func (w *twinOut) Close() error { w.closed = true; return nil }

// TestCSVTwinWriteFails: a CSV twin whose writer fails, at its start, in
// its rows (written on a goroutine of their own) or at its end, fails the
// workbook with the writer's error; one that does not fail gets every
// byte; either way nothing is written to it after it is closed.
func TestCSVTwinWriteFails(t *testing.T) {
	s := &sheet{name: "Big", file: "big.csv", cols: []column{{header: "ID", kind: kindID}, {header: "Text"}},
		rows: func(y func([]value) error) error {
			for i := range 20000 {
				if err := y([]value{text("ID-" + strconv.Itoa(i)), text(strconv.Itoa(i*7919) + " words of a description")}); err != nil {
					return err
				}
			}
			return nil
		}}
	want := memOut{}
	if err := writeWorkbook(context.Background(), []*sheet{s}, fixtureProps, t.TempDir(), io.Discard, want.open); err != nil {
		t.Fatal(err)
	}
	whole := want["big.csv"].Len()
	for _, tc := range []struct {
		name string
		n    int // bytes taken before the writer fails
		err  error
	}{
		{"at its start", 0, errFull},
		{"in its rows", whole / 2, errFull},
		{"at its last byte", whole - 1, errFull},
		{"not at all", whole, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &twinOut{failAfter: failAfter{n: tc.n}}
			open := func(string) (io.WriteCloser, error) { return out, nil }
			err := writeWorkbook(context.Background(), []*sheet{s}, fixtureProps, t.TempDir(), io.Discard, open)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !out.closed || out.lateWrite {
				t.Errorf("closed %v, written after it was closed %v", out.closed, out.lateWrite)
			}
			if tc.err == nil && out.n != whole {
				t.Errorf("the twin got %d bytes, want %d", out.n, whole)
			}
		})
	}
}
