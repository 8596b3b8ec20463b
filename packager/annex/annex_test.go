package annex

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

var testDate = time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC)

func loadCase(t testing.TB, dir string) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := finding.Count(findings); e > 0 {
		t.Fatalf("%s: %v", dir, findings)
	}
	return doc.Case
}

// buildCase writes the annexes of the case folder dir into a fresh folder
// and returns that folder.
func buildCase(t *testing.T, dir string, ed edition.Edition) string {
	t.Helper()
	c := loadCase(t, dir)
	files, err := DraftFiles(context.Background(), dir, c, ed)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opt := Options{Date: testDate, Edition: ed, Version: "test", CaseSHA256: strings.Repeat("ab", 32), TmpDir: t.TempDir()}
	if err := WriteDir(context.Background(), c, files, opt, out); err != nil {
		t.Fatal(err)
	}
	return out
}

const fixture = "testdata/case"

var wantSheets = []string{"Evidence", "Files", "Incidents", "Victims", "Units", "Custody", "Crimes", "Persons of interest", "Chain of command", "Victim matrix", "About", "Redactions"}

const laVega = "../../samples/la-vega"

// TestWriteReadByOpenpyxl opens the workbooks of the fixture and of the La
// Vega sample with openpyxl and checks what an analyst relies on.
func TestWriteReadByOpenpyxl(t *testing.T) {
	for _, dir := range []string{fixture, laVega} {
		for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
			t.Run(filepath.Base(dir)+"/"+string(ed), func(t *testing.T) {
				if _, err := os.Stat(dir); err != nil {
					t.Fatalf("case folder: %v", err)
				}
				out := buildCase(t, dir, ed)
				d := readBack(t, filepath.Join(out, XLSXName), filepath.Join(out, CSVDir))
				c := loadCase(t, dir)
				files, err := DraftFiles(context.Background(), dir, c, ed)
				if err != nil {
					t.Fatal(err)
				}
				checkWorkbook(t, d, c, files)
			})
		}
	}
}

// sheetColumns returns each sheet's columns, by sheet name.
func sheetColumns() map[string][]column {
	cols := map[string][]column{}
	for _, s := range (&mapper{}).sheets() {
		cols[s.name] = s.cols
	}
	return cols
}

func colIndex(t *testing.T, sheet, header string) int {
	t.Helper()
	for i, c := range sheetColumns()[sheet] {
		if c.header == header {
			return i
		}
	}
	t.Fatalf("%s has no column %q", sheet, header)
	return -1
}

// checkWorkbook checks what holds for any case: sheets, bold frozen header,
// a filter over every row, IDs and digests as text, dates as dates, links
// that land on their row, CSV twins with the same rows, no formula but ours.
func checkWorkbook(t *testing.T, d *dump, c *schema.Case, files []FileInfo) {
	t.Helper()
	var names []string
	for _, s := range d.Sheets {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, wantSheets) {
		t.Fatalf("sheets = %v, want %v", names, wantSheets)
	}
	cols := sheetColumns()
	for _, s := range d.Sheets {
		if s.Freeze == nil || *s.Freeze != "A2" {
			t.Errorf("%s: freeze = %v, want A2", s.Name, s.Freeze)
		}
		lastCol := string(rune('A' + (len(cols[s.Name])-1)%26))
		if n := len(cols[s.Name]); n > 26 {
			lastCol = string(rune('A'+(n-1)/26-1)) + lastCol
		}
		wantRef := fmt.Sprintf("A1:%s%d", lastCol, max(len(s.Rows), 2))
		if len(s.Tables) != 1 || s.Tables[0].Autofilter == nil || *s.Tables[0].Autofilter != wantRef {
			t.Errorf("%s: tables = %+v, want one with an autofilter over %s", s.Name, s.Tables, wantRef)
		}
		for i, col := range cols[s.Name] {
			if h := s.Rows[0][i]; h.V != col.header || !h.Bold {
				t.Errorf("%s: header %d = %v (bold %v), want bold %q", s.Name, i+1, h.V, h.Bold, col.header)
			}
			for r, row := range s.Rows[1:] {
				cell := row[i]
				switch col.kind {
				case kindDate, kindDateTime:
					if cell.Py != "none" && cell.Py != "datetime" {
						t.Errorf("%s!%s%d = %v (%s), want a date cell", s.Name, col.header, r+2, cell.V, cell.Py)
					}
				case kindText, kindID:
					if cell.Py != "none" && cell.T != "s" {
						t.Errorf("%s!%s%d = %v (data_type %s), want text", s.Name, col.header, r+2, cell.V, cell.T)
					}
				}
			}
		}
	}

	ev := d.Sheets[d.sheet(t, "Evidence")]
	if len(ev.Rows) != len(c.Evidence)+1 {
		t.Fatalf("Evidence has %d rows, want %d", len(ev.Rows), len(c.Evidence)+1)
	}
	for i, e := range c.Evidence {
		r := ev.Rows[i+1]
		if id := r[colIndex(t, "Evidence", "Evidence ID")]; id.T != "s" || id.V != e.ID {
			t.Errorf("Evidence row %d ID = %v (%s), want text %s", i+2, id.V, id.T, e.ID)
		}
		var s256, s512 []string
		for _, f := range files {
			if f.ID == e.ID {
				s256 = append(s256, f.SHA256)
				s512 = append(s512, f.SHA512)
			}
		}
		for h, want := range map[string]string{"SHA-256": strings.Join(s256, refSeparator), "SHA-512": strings.Join(s512, refSeparator)} {
			if got := r[colIndex(t, "Evidence", h)]; got.T != "s" || got.V != want {
				t.Errorf("%s %s = %v (%s), want text %s", e.ID, h, got.V, got.T, want)
			}
		}
	}
	fs := d.Sheets[d.sheet(t, "Files")]
	if len(fs.Rows) != len(files)+1 {
		t.Fatalf("Files has %d rows, want %d", len(fs.Rows), len(files)+1)
	}
	for i, f := range files {
		r := fs.Rows[i+1]
		if r[colIndex(t, "Files", "SHA-256")].V != f.SHA256 || r[colIndex(t, "Files", "SHA-512")].V != f.SHA512 ||
			r[colIndex(t, "Files", "Size (bytes)")].V != float64(f.Size) {
			t.Errorf("Files row %d = %+v, want the digests and size of %s", i+2, r, f.Source)
		}
	}
	checkLinks(t, d)
	checkTwins(t, d)
}

// TestWriteFixtureValues checks the fixture's cells one by one.
func TestWriteFixtureValues(t *testing.T) {
	out := buildCase(t, fixture, edition.Confidential)
	d := readBack(t, filepath.Join(out, XLSXName), filepath.Join(out, CSVDir))
	ev := d.Sheets[d.sheet(t, "Evidence")]
	col := func(sheet, header string) int { return colIndex(t, sheet, header) }
	if got := ev.Rows[1][col("Evidence", "Description")]; got.T != "s" || got.V != `=HYPERLINK("http://x","y")` {
		t.Errorf("hostile description came back as %v (data_type %s), want the text itself", got.V, got.T)
	}
	if got := ev.Rows[1][col("Evidence", "Content date")]; got.Py != "datetime" || got.V != "2021-01-08T00:00:00" || got.Fmt != "yyyy-mm-dd" {
		t.Errorf("content date = %v %s %q, want date 2021-01-08", got.V, got.Py, got.Fmt)
	}
	if got := ev.Rows[1][col("Evidence", "Content time")]; got.V != "07:41:00-04:00" {
		t.Errorf("content time = %v, want 07:41:00-04:00 as recorded", got.V)
	}
	if got := ev.Rows[2][col("Evidence", "Content date")]; got.Py != "datetime" || got.Fmt != "yyyy" {
		t.Errorf("year-precision content date = %v %s %q, want a date shown as yyyy", got.V, got.Py, got.Fmt)
	}
	if got := ev.Rows[1][col("Evidence", "Captured at (UTC)")]; got.Py != "datetime" || got.V != "2021-01-08T15:00:00" {
		t.Errorf("captured at = %v %s, want datetime 2021-01-08T15:00:00", got.V, got.Py)
	}
	if got := ev.Rows[1][col("Evidence", "Last custody event (UTC)")]; got.V != "2021-01-08T15:05:00" {
		t.Errorf("last custody event = %v, want 2021-01-08T15:05:00 (11:05-04:00 in UTC)", got.V)
	}
	if got := ev.Rows[1][col("Evidence", "Persons (pseudonyms)")]; got.V != "Victim Alpha" {
		t.Errorf("persons = %v, want the pseudonym Victim Alpha", got.V)
	}
	if got := ev.Rows[1][col("Evidence", "Size (bytes)")]; got.Py != "int" || got.V != float64(40) {
		t.Errorf("size = %v (%s), want the sum of both files, 40", got.V, got.Py)
	}
	if got := ev.Rows[1][col("Evidence", "Incidents")]; got.T != "s" || got.V != "INC-01" || deref(got.Link) != "'Incidents'!A2" {
		t.Errorf("EV-0001 incident = %v (%s, link %s), want a link to Incidents row 2", got.V, got.T, deref(got.Link))
	}
	if got := ev.Rows[3][col("Evidence", "Incidents")]; got.T != "s" || got.V != "INC-01; INC-02" || deref(got.Link) != "'Incidents'!A2" {
		t.Errorf("EV-0012 incidents = %v (%s, link %s), want a link to INC-01's row showing INC-01; INC-02", got.V, got.T, deref(got.Link))
	}

	victims := d.Sheets[d.sheet(t, "Victims")]
	if len(victims.Rows) != 2 {
		t.Fatalf("Victims has %d rows, want header + V-01", len(victims.Rows))
	}
	v := victims.Rows[1]
	if v[col("Victims", "Age")].V != float64(17) || v[col("Victims", "Minor")].V != "Yes" ||
		v[col("Victims", "Wounds")].V != "gunshot, thorax ×2; gunshot, head" || v[col("Victims", "Wound count")].V != float64(3) {
		t.Errorf("victim row = %+v", v)
	}
	if got := v[col("Victims", "Date of death")]; got.Py != "datetime" || got.V != "2021-01-08T00:00:00" {
		t.Errorf("date of death = %v (%s), want a date", got.V, got.Py)
	}
	if crimes := d.Sheets[d.sheet(t, "Crimes")]; len(crimes.Rows) != 1+3 { // element 1 × 2 evidence items, element 2 × 1
		t.Errorf("Crimes has %d data rows, want 3", len(crimes.Rows)-1)
	}
	if custody := d.Sheets[d.sheet(t, "Custody")]; len(custody.Rows) != 1+3 {
		t.Errorf("Custody has %d data rows, want 3", len(custody.Rows)-1)
	}
}

// checkLinks follows every link: the target row's ID cell holds the ID the
// link shows first. No cell anywhere is a formula.
func checkLinks(t *testing.T, d *dump) {
	t.Helper()
	link := regexp.MustCompile(`^'((?:[^']|'')+)'!([A-Z]+)([0-9]+)$`)
	n := 0
	for _, s := range d.Sheets {
		for _, row := range s.Rows {
			for _, c := range row {
				if c.T == "f" {
					t.Errorf("%s: formula %v", s.Name, c.V)
				}
				if c.Link == nil {
					continue
				}
				m := link.FindStringSubmatch(*c.Link)
				if m == nil {
					t.Errorf("%s: link %q is not a link to a row", s.Name, *c.Link)
					continue
				}
				if m[2] != "A" {
					t.Errorf("%s: link %q points at column %s, want A (the ID column)", s.Name, *c.Link, m[2])
				}
				target := d.Sheets[d.sheet(t, strings.ReplaceAll(m[1], "''", "'"))]
				r := atoi(t, m[3])
				// A cell with several IDs links to the first one's row.
				first, _, _ := strings.Cut(fmt.Sprint(c.V), "; ")
				if r < 2 || r > len(target.Rows) || target.Rows[r-1][0].V != first {
					t.Errorf("%s: link %q does not land on %s's row", s.Name, *c.Link, first)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no links found")
	}
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// checkTwins compares each CSV twin, as Python's csv module reads it, with
// its sheet as openpyxl reads it.
func checkTwins(t *testing.T, d *dump) {
	t.Helper()
	for _, s := range d.Sheets {
		rows, ok := d.CSV[strings.ReplaceAll(strings.ToLower(s.Name), " ", "_")+".csv"]
		if !ok {
			t.Errorf("no CSV twin for %s", s.Name)
			continue
		}
		sheetRows := s.Rows
		if len(rows) == 1 && len(sheetRows) == 2 && allEmpty(sheetRows[1]) {
			sheetRows = sheetRows[:1] // an empty register's table covers one blank row
		}
		if len(rows) != len(sheetRows) {
			t.Errorf("%s: CSV has %d rows, sheet %d", s.Name, len(rows), len(sheetRows))
			continue
		}
		for r, row := range rows {
			if len(row) != len(sheetRows[r]) {
				t.Errorf("%s row %d: CSV has %d fields, sheet %d", s.Name, r+1, len(row), len(sheetRows[r]))
				continue
			}
			for c, field := range row {
				if got, want := UnescapeCSVField(field), sheetAsCSV(sheetRows[r][c]); got != want {
					t.Errorf("%s!R%dC%d: CSV %q, sheet %q", s.Name, r+1, c+1, field, want)
				}
			}
		}
	}
}

func allEmpty(row []dumpCell) bool {
	for _, c := range row {
		if c.V != nil {
			return false
		}
	}
	return true
}

// TestWriteGolden pins the CSV twins of the fixture; run with -update after
// an intended change and review the diff.
func TestWriteGolden(t *testing.T) {
	out := buildCase(t, fixture, edition.Confidential)
	for _, name := range CSVNames() {
		got, err := os.ReadFile(filepath.Join(out, CSVDir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test -update and review the diff)\ngot:\n%s", name, golden, got)
		}
	}
}

func TestWriteReproducible(t *testing.T) {
	a := buildCase(t, fixture, edition.Confidential)
	b := buildCase(t, fixture, edition.Confidential)
	for _, name := range append([]string{XLSXName}, prefixAll(CSVDir+"/", CSVNames())...) {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

func prefixAll(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}

// TestWritePublicEdition: no protected detail reaches any annex file (in
// any edition), and evidence withheld from the public edition says so while
// keeping its digests.
func TestWritePublicEdition(t *testing.T) {
	c := loadCase(t, fixture)
	var secrets []string
	for _, p := range c.Persons {
		if p.Protected != nil {
			secrets = append(secrets, p.Protected.FullName)
			secrets = append(secrets, p.Protected.Contacts...)
		}
	}
	secrets = append(secrets, "Secret place of interview", "Interviewer 3", "the witness's home")
	for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
		t.Run(string(ed), func(t *testing.T) {
			out := buildCase(t, fixture, ed)
			contents := readAllOutputs(t, out)
			for name, b := range contents {
				for _, s := range secrets {
					if strings.HasPrefix(s, "Secret place") || s == "Interviewer 3" || s == "the witness's home" {
						if ed == edition.Confidential {
							continue // withheld only from the public edition
						}
					}
					if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(strings.ReplaceAll(s, "'", "&#39;"))) {
						t.Errorf("%s edition: %s contains %q", ed, name, s)
					}
				}
			}
			if ed != edition.Public {
				return
			}
			ev := string(contents["csv/evidence.csv"])
			var line string
			for _, l := range strings.Split(ev, "\r\n") {
				if strings.HasPrefix(l, "EV-0012,") {
					line = l
				}
			}
			files, err := DraftFiles(context.Background(), fixture, c, ed)
			if err != nil {
				t.Fatal(err)
			}
			var digest string
			for _, f := range files {
				if f.ID == "EV-0012" {
					digest = f.SHA256
				}
			}
			if !strings.Contains(line, ",withheld,") || !strings.Contains(line, digest) || strings.Contains(line, "data/evidence/") {
				t.Errorf("withheld EV-0012 row = %q, want 'withheld', its digest %s and no package path", line, digest)
			}
		})
	}
}

// readAllOutputs returns every CSV twin and every XML part of the workbook,
// uncompressed, by name.
func readAllOutputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range CSVNames() {
		b, err := os.ReadFile(filepath.Join(dir, CSVDir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[CSVDir+"/"+name] = b
	}
	zr, err := zip.OpenReader(filepath.Join(dir, XLSXName))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[XLSXName+":"+f.Name] = b
	}
	return out
}

func TestWriteRejectsBadInput(t *testing.T) {
	err := Write(context.Background(), &schema.Case{}, nil, Options{Edition: "draft"}, io.Discard, memOut{}.open)
	if !errors.Is(err, edition.ErrUnknown) {
		t.Errorf("unknown edition: err = %v, want edition.ErrUnknown", err)
	}
	err = Write(context.Background(), nil, nil, Options{Edition: edition.Public}, io.Discard, memOut{}.open)
	if err == nil || !strings.Contains(err.Error(), "no case data") {
		t.Errorf("nil case: err = %v, want 'no case data'", err)
	}
}

// TestWriteEmptyCase: a case with no registers still gives every sheet,
// with its header and a filter, and CSV twins holding only the header.
func TestWriteEmptyCase(t *testing.T) {
	var xlsx bytes.Buffer
	twins := memOut{}
	if err := Write(context.Background(), &schema.Case{}, nil, Options{Edition: edition.Confidential, Date: testDate}, &xlsx, twins.open); err != nil {
		t.Fatal(err)
	}
	for _, name := range CSVNames() {
		if name == "about.csv" {
			continue
		}
		if lines := strings.Count(twins[name].String(), "\r\n"); lines != 1 {
			t.Errorf("%s has %d lines, want the header only", name, lines)
		}
	}
}

func TestWriteDirRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, XLSXName), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := loadCase(t, fixture)
	err := WriteDir(context.Background(), c, nil, Options{Edition: edition.Confidential, Date: testDate}, dir)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("err = %v, want it to refuse an existing workbook", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, XLSXName)); string(b) != "mine" {
		t.Fatal("existing workbook was changed")
	}
}

func TestDraftFilesRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.txt")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, declared, want string
	}{
		{"link.txt", "", "escapes"},
		{"../secret.txt", "", "escapes"},
		{"missing.txt", "", "no such file"},
		{"ok.txt", strings.Repeat("0", 64), "case data declares"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			c := &schema.Case{Evidence: []schema.Evidence{{ID: "EV-0001", Files: []schema.File{{Path: tt.path, SHA256: tt.declared}}}}}
			_, err := DraftFiles(context.Background(), dir, c, edition.Confidential)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestFormatDocListsEveryColumn keeps FORMAT-annex.md in step with the code.
func TestFormatDocListsEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("FORMAT-annex.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range (&mapper{}).sheets() {
		if !bytes.Contains(doc, []byte("| "+s.name+" |")) || !bytes.Contains(doc, []byte("csv/"+s.file)) {
			t.Errorf("FORMAT-annex.md does not describe sheet %s (%s)", s.name, s.file)
		}
		for _, c := range s.cols {
			if !bytes.Contains(doc, []byte("`"+c.header+"`")) {
				t.Errorf("FORMAT-annex.md does not list column %q of %s", c.header, s.name)
			}
		}
	}
}

// TestDigestsAsBytesWriteTheSame: files whose digests are given as bytes
// (FileInfo.Sum256, as a build gives them) make the same workbook and CSV
// twins, byte for byte, as the same digests given in hex, for a withheld
// file and for an item of several files (its digests joined in one cell)
// too: only where the registers are sized do they read stand-ins.
func TestDigestsAsBytesWriteTheSame(t *testing.T) {
	c, files := photoCase(40)
	// EV-000002 gets a second file, and EV-000003's is withheld.
	c.Evidence[1].Files = append(c.Evidence[1].Files, schema.File{Path: "evidence/photos/extra.png", Role: "derivative", MediaType: "image/png"})
	extra := files[1]
	extra.Source, extra.Path = "evidence/photos/extra.png", edition.PackagePath(extra.ID, "evidence/photos/extra.png")
	extra.SHA256, extra.SHA512 = digest.SHA256([]byte("extra")), fmt.Sprintf("%x", sha512.Sum512([]byte("extra")))
	files = append(files, extra)
	files[2].Withheld = true
	asBytes := make([]FileInfo, len(files))
	for i, f := range files {
		s256, err := hex.DecodeString(f.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		s512, err := hex.DecodeString(f.SHA512)
		if err != nil {
			t.Fatal(err)
		}
		f.SHA256, f.SHA512, f.Sum256, f.Sum512 = "", "", s256, s512
		asBytes[i] = f
	}
	write := func(files []FileInfo) (*bytes.Buffer, memOut) {
		var xlsx bytes.Buffer
		twins := memOut{}
		if err := Write(context.Background(), c, files, Options{Edition: edition.Confidential, Date: testDate, Version: "test", TmpDir: t.TempDir()}, &xlsx, twins.open); err != nil {
			t.Fatal(err)
		}
		return &xlsx, twins
	}
	wantX, wantT := write(files)
	gotX, gotT := write(asBytes)
	if !bytes.Equal(gotX.Bytes(), wantX.Bytes()) {
		t.Error("the workbook differs with the digests given as bytes")
	}
	for _, name := range CSVNames() {
		if !bytes.Equal(gotT[name].Bytes(), wantT[name].Bytes()) {
			t.Errorf("%s differs with the digests given as bytes:\n%s\nagainst\n%s", name, gotT[name], wantT[name])
		}
	}
	// The digests are there to compare: a file's, an item's two joined,
	// and the withheld file's.
	for _, d := range []string{files[0].SHA512, files[1].SHA256 + refSeparator + extra.SHA256, files[2].SHA512} {
		if !strings.Contains(wantT["evidence.csv"].String(), d) || !strings.Contains(wantT["files.csv"].String(), d[:64]) {
			t.Errorf("the registers do not show %s: the comparison shows little", d)
		}
	}
}
