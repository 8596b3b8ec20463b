package annex

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSVField checks the CSV twin's two promises for any text: a
// spreadsheet never sees a formula (the escaped field never starts with a
// trigger), and nothing is lost (UnescapeCSVField undoes the escape, and an
// RFC 4180 reader gets the field back).
func FuzzCSVField(f *testing.F) {
	for _, s := range injections {
		f.Add(s)
	}
	f.Add("")
	f.Add("''=1")
	f.Add(`"quoted", and, commas`)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the case loader rejects invalid UTF-8 before this runs
		}
		e := escapeCSVFormula(s)
		if e != "" && formulaTrigger(e[0]) {
			t.Fatalf("escaped %q starts with a formula trigger", e)
		}
		if got := UnescapeCSVField(e); got != s {
			t.Fatalf("UnescapeCSVField(escape(%q)) = %q", s, got)
		}
		var buf bytes.Buffer
		w := newCSVWriter(&buf)
		if err := w.write([]string{e, "x"}); err != nil {
			t.Fatal(err)
		}
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(buf.String(), "\r\n") {
			t.Fatalf("record %q does not end in CRLF", buf.String())
		}
		r := csv.NewReader(&buf)
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("encoding/csv cannot read %q: %v", buf.String(), err)
		}
		// encoding/csv turns CRLF inside a quoted field into LF; the file
		// itself holds the field's bytes unchanged.
		want := strings.ReplaceAll(e, "\r\n", "\n")
		if len(rec) != 2 || rec[0] != want || rec[1] != "x" {
			t.Fatalf("read back %q, want [%q x]", rec, want)
		}
	})
}

// FuzzCellText checks what goes into a workbook cell: only characters XML
// can carry, within Excel's cell limit, unchanged when it already fits.
func FuzzCellText(f *testing.F) {
	f.Add("plain")
	f.Add("bell\x07 and nul\x00")
	f.Add(strings.Repeat("😀", 20000))
	f.Add(strings.Repeat("a", maxCellUnits+1))
	f.Fuzz(func(t *testing.T, s string) {
		c := cleanText(s)
		for i, r := range c {
			if !xmlChar(r, utf8.RuneLen(r)) {
				t.Fatalf("cleanText left %U at %d", r, i)
			}
		}
		got := fitCell(c)
		units := 0
		for _, r := range got {
			units += utf16Len(r)
		}
		if units > maxCellUnits {
			t.Fatalf("fitCell gave %d UTF-16 units, limit %d", units, maxCellUnits)
		}
		if got != c && !strings.HasSuffix(got, truncatedNote) {
			t.Fatal("shortened text does not say it was truncated")
		}
		if got == c && c != s && utf8.ValidString(s) && !strings.ContainsRune(c, utf8.RuneError) {
			t.Fatal("cleanText changed text without replacing anything")
		}
		// A cell whose text plainText passes is written as it is, skipping
		// all of the above: each step must leave it unchanged.
		if plainText(s) {
			var x strings.Builder
			xmlText(&x, escapeBstr(got))
			if got != s || x.String() != s || strings.TrimSpace(s) != s {
				t.Fatalf("plainText passed %q, which a cell writes as %q", s, x.String())
			}
		}
	})
}

// TestPlainText: the cells written as they are (plainText) are those
// nothing in the slow path changes, and only those (FuzzCellText checks
// the first half on any text).
func TestPlainText(t *testing.T) {
	for _, tt := range []struct {
		s     string
		plain bool
	}{
		{"EV-000001", true},
		{"data/evidence/EV-000001/img-000001.jpg", true},
		{strings.Repeat("ab", 32), true},
		{"a b", true},
		{strings.Repeat("a", maxCellUnits), true},
		{"", false},
		{" leading", false},
		{"trailing ", false},
		{"a & b", false},
		{"<b>", false},
		{"a > b", false},
		{"tab\there", false},
		{"line\nfeed", false},
		{"cr\r", false},
		{"_x0041_", false},
		{"x_x", false},
		{"café", false},
		{"\x7f", false},
		{strings.Repeat("a", maxCellUnits+1), false},
	} {
		if got := plainText(tt.s); got != tt.plain {
			t.Errorf("plainText(%.20q) = %v, want %v", tt.s, got, tt.plain)
		}
	}
}
