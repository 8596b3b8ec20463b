package annex

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/xuri/excelize/v2"
)

// checkPrintable checks what openpyxl reads of a workbook written in
// language l: every sheet (the legal registers included) is set up for
// print, no cell is a formula and every link lands on its row, the digest
// columns are whole in the monospace font, and yes/no facts are the
// language's words.
func checkPrintable(t *testing.T, d *dump, l *locale.Lang) {
	t.Helper()
	if len(d.Sheets) != len(sheetFiles) {
		t.Fatalf("%d sheets, want %d", len(d.Sheets), len(sheetFiles))
	}
	pageOf := footerCodes(l.T("page.of", "page", "\x00P", "total", "\x00N"))
	for _, s := range (&mapper{opt: Options{Lang: l}}).sheets() {
		sh := d.Sheets[sheetIndex(d, s.name)]
		pr := sh.Print
		widths := make([]int, len(s.cols))
		total := 0
		for i := range s.cols {
			colName, _ := excelize.ColumnNumberToName(i + 1)
			widths[i] = int(sh.Widths[colName])
			total += widths[i]
		}
		wide := pagesWide(widths)
		if pr.Orientation != "landscape" || fmt.Sprint(pr.Paper) != "9" || fmt.Sprint(pr.FitWidth) != strconv.Itoa(wide) || fmt.Sprint(pr.FitHeight) != "0" || !pr.FitToPage {
			t.Errorf("%s: print setup %+v, want A4 (9) landscape, %d page(s) wide for %d characters of columns, fit to page", sh.Name, pr, wide, total)
		}
		if got := deref(pr.TitleRows); got != "$1:$1" {
			t.Errorf("%s: rows repeated on every page = %s, want the header row $1:$1", sh.Name, got)
		}
		if wide > 1 && deref(pr.TitleCols) != "$A:$A" || wide == 1 && pr.TitleCols != nil {
			t.Errorf("%s (%d pages wide): columns repeated on every page = %s, want the ID column $A:$A only when wider than a page", sh.Name, wide, deref(pr.TitleCols))
		}
		t.Logf("%s: %d characters of columns, %d page(s) wide", sh.Name, total, wide)
		if s.key == "evidence" && wide < 2 {
			t.Errorf("%s: %d characters of columns printed one page wide: too small to read", sh.Name, total)
		}
		if want := "&A||" + pageOf; pr.Footer != want {
			t.Errorf("%s: footer %q, want %q (sheet name, then the page numbering)", sh.Name, pr.Footer, want)
		}
	}
	checkLinks(t, d)
	// The header row is tall enough for its longest wrapped header: a
	// spreadsheet sizes data rows to their text, not a frozen header.
	for _, s := range (&mapper{opt: Options{Lang: l}}).sheets() {
		sh := d.Sheets[sheetIndex(d, s.name)]
		lines := 1
		for i, c := range s.cols {
			colName, _ := excelize.ColumnNumberToName(i + 1)
			lines = max(lines, headerLines(c.header, int(sh.Widths[colName])-filterPad))
		}
		if sh.HeaderHeight < float64(lines*lineHeight) {
			t.Errorf("%s: header row %v pt high, want at least %d (%d lines)", s.name, sh.HeaderHeight, lines*lineHeight, lines)
		}
	}
	yesNo := map[any]bool{l.T("yes"): true, l.T("no"): true, nil: true}
	for _, s := range (&mapper{opt: Options{Lang: l}}).sheets() {
		sh := d.Sheets[sheetIndex(d, s.name)]
		for i, c := range s.cols {
			colName, _ := excelize.ColumnNumberToName(i + 1)
			if c.digest {
				if w := sh.Widths[colName]; w != digestWidth {
					t.Errorf("%s: digest column %s is %v wide, want %d", s.name, c.header, w, digestWidth)
				}
			}
			for r, row := range sh.Rows[1:] {
				cell := row[i]
				if c.digest && cell.V != nil && deref(cell.Font) != digestFont {
					t.Errorf("%s %s%d: digest in font %s, want %s", s.name, colName, r+2, deref(cell.Font), digestFont)
				}
				if s.key == "victims" && c.header == l.T("annex.col.minor") && !yesNo[cell.V] {
					t.Errorf("%s %s%d: Minor = %v, want %q or %q", s.name, colName, r+2, cell.V, l.T("yes"), l.T("no"))
				}
			}
		}
	}
}

// TestPrintSetupInEveryLanguage writes the La Vega annexes (confidential:
// every register has rows, the legal ones included) in every language
// casepack writes and reads them back with openpyxl.
func TestPrintSetupInEveryLanguage(t *testing.T) {
	c := loadCase(t, laVega)
	files, err := DraftFiles(context.Background(), laVega, c, edition.Confidential)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range locale.Supported() {
		t.Run(code, func(t *testing.T) {
			l := locale.Must(code)
			out := t.TempDir()
			opt := Options{Date: testDate, Edition: edition.Confidential, Version: "test", CaseSHA256: strings.Repeat("ab", 32), Lang: l}
			if err := WriteDir(context.Background(), c, files, opt, out); err != nil {
				t.Fatal(err)
			}
			d := readBack(t, filepath.Join(out, XLSXName), filepath.Join(out, CSVDir))
			checkPrintable(t, d, l)
			// The legal registers link too: to the evidence, the units
			// and the incidents they name.
			for _, key := range []string{"persons_of_interest", "chain_of_command", "victim_matrix"} {
				sh := d.Sheets[sheetIndex(d, l.T("annex.sheet."+key))]
				n := 0
				for _, row := range sh.Rows[1:] {
					for _, cell := range row {
						if cell.Link != nil {
							n++
						}
					}
				}
				if n == 0 {
					t.Errorf("%s: no cell hyperlinks", sh.Name)
				}
			}
		})
	}
}

// TestPrintedAnnexes prints the La Vega workbook in every language as
// LibreOffice does (soffice --headless --convert-to pdf, one run for all)
// and reads the PDFs back with poppler: every page is A4 landscape and
// carries its sheet's name and "Page N of M" in the language; every sheet
// is printed; every page shows its sheet's first column header (the header
// row repeats, and so does the ID column of a sheet printed several pages
// wide), every column is printed on one of its sheet's pages; and every
// file's SHA-256 appears whole.
func TestPrintedAnnexes(t *testing.T) {
	soffice := testtool.Need(t, "soffice")
	pdftotext := testtool.Need(t, "pdftotext")
	pdfinfo := testtool.Need(t, "pdfinfo")
	c := loadCase(t, laVega)
	files, err := DraftFiles(context.Background(), laVega, c, edition.Confidential)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	codes := locale.Supported()
	var inputs []string
	for _, code := range codes {
		out := t.TempDir()
		opt := Options{Date: testDate, Edition: edition.Confidential, Version: "test", CaseSHA256: strings.Repeat("ab", 32), Lang: locale.Must(code)}
		if err := WriteDir(context.Background(), c, files, opt, out); err != nil {
			t.Fatal(err)
		}
		in := filepath.Join(work, "annexes-"+code+".xlsx")
		if err := os.Rename(filepath.Join(out, XLSXName), in); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(work, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", work}, inputs...)
	cmd := exec.Command(soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+work)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	pageSize := regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)`)
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			l := locale.Must(code)
			pdf := filepath.Join(work, "annexes-"+code+".pdf")
			run := func(name string, args ...string) string {
				b, err := exec.Command(name, args...).Output()
				if err != nil {
					t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
				}
				return string(b)
			}
			info := run(pdfinfo, "-f", "1", "-l", "9999", pdf)
			sizes := pageSize.FindAllStringSubmatch(info, -1)
			if len(sizes) == 0 {
				t.Fatalf("pdfinfo lists no pages:\n%s", info)
			}
			pages := len(sizes)
			for _, s := range sizes {
				w, _ := strconv.ParseFloat(s[2], 64)
				h, _ := strconv.ParseFloat(s[3], 64)
				if w < 841 || w > 842 || h < 595 || h > 596 {
					t.Errorf("page %s is %s x %s pt, want A4 landscape (841.9 x 595.3)", s[1], s[2], s[3])
				}
			}
			text := run(pdftotext, "-layout", pdf, "-")
			for _, f := range files {
				if !strings.Contains(text, f.SHA256) {
					t.Errorf("%s: its SHA-256 %s is not whole in the printed annexes", f.Path, f.SHA256)
				}
			}
			sheets := (&mapper{opt: Options{Lang: l}}).sheets()
			printed := map[string]int{}
			seen := map[string]string{}
			for p := 1; p <= pages; p++ {
				n := strconv.Itoa(p)
				layout := run(pdftotext, "-layout", "-f", n, "-l", n, pdf, "-")
				foot := lastLine(layout)
				want := l.T("page.of", "page", p, "total", pages)
				name, ok := strings.CutSuffix(foot, want)
				name = strings.TrimSpace(name)
				var s *sheet
				for _, x := range sheets {
					if x.name == name {
						s = x
					}
				}
				if !ok || s == nil {
					t.Errorf("page %d: footer %q, want a sheet's name and %q", p, foot, want)
					continue
				}
				printed[s.name]++
				// Without -layout, pdftotext reads a column's cells
				// together, so a header that wraps reads whole.
				flat := strings.Join(strings.Fields(run(pdftotext, "-f", n, "-l", n, pdf, "-")), " ")
				seen[s.name] += flat + "\n"
				// The first column's header is on every page: the header
				// row repeats, and a sheet printed several pages wide
				// repeats its ID column too.
				if h := s.cols[0].header; !strings.Contains(flat, h) {
					t.Errorf("page %d (%s): header %q is not printed on it", p, s.name, h)
				}
			}
			for _, s := range sheets {
				if printed[s.name] == 0 {
					t.Errorf("sheet %s is not printed (no page has its footer)", s.name)
				}
				// Every column is printed on one of the sheet's pages
				// (word by word: pdftotext interleaves the lines of
				// neighbouring wrapped headers).
				for _, c := range s.cols {
					for _, w := range strings.Fields(c.header) {
						if !strings.Contains(seen[s.name], w) {
							t.Errorf("sheet %s: column %q (%q) is on none of its printed pages", s.name, c.header, w)
						}
					}
				}
			}
			t.Logf("%s: %d A4 landscape pages: %v", code, pages, printed)
		})
	}
}

// lastLine is the last line of s that is not blank, its spaces trimmed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, " \n\f"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// TestPagesWide: a sheet is printed one page wide while its columns fit
// legibly, else across as many pages as keep them legible with its ID
// column repeated on each.
func TestPagesWide(t *testing.T) {
	for _, tc := range []struct {
		widths []int
		want   int
	}{
		{nil, 1},
		{[]int{10, 30, 70}, 1},
		{[]int{legibleWidth}, 1},
		{[]int{10, legibleWidth - 10}, 1},
		{[]int{10, legibleWidth - 9}, 2},
		{[]int{10, 2 * (legibleWidth - 10)}, 2},
		{[]int{10, 2*(legibleWidth-10) + 1}, 3},
		// An ID column as wide as a page still leaves half a page to
		// the others (no division by zero).
		{[]int{legibleWidth, legibleWidth/2 + 1}, 2},
	} {
		if got := pagesWide(tc.widths); got != tc.want {
			t.Errorf("pagesWide(%v) = %d, want %d", tc.widths, got, tc.want)
		}
	}
	if got, want := printTitles("Evidence", 3), "'Evidence'!$A:$A,'Evidence'!$1:$1"; got != want {
		t.Errorf("printTitles = %q, want %q", got, want)
	}
}
