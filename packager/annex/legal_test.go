package annex

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
)

// TestLegalSheetsLaVega reads the legal registers of the La Vega sample
// back with openpyxl (and their CSV twins): the per-victim matrix ties the
// four deaths a relative testified to and shows the gaps of the other ten;
// the person of interest is shown with the mode of liability in both
// editions (the sample's public edition keeps it); the chain of command
// prints the UOTE's place as the assumption it is, and the commander's post.
func TestLegalSheetsLaVega(t *testing.T) {
	for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
		t.Run(string(ed), func(t *testing.T) {
			out := buildCase(t, laVega, ed)
			d := readBack(t, filepath.Join(out, XLSXName), filepath.Join(out, CSVDir))
			get := func(sheet string, row int, header string) string {
				s := d.Sheets[d.sheet(t, sheet)]
				v := s.Rows[row][colIndex(t, sheet, header)].V
				if v == nil {
					return ""
				}
				if c := s.Rows[row][colIndex(t, sheet, header)].Cached; c != nil {
					return c.(string)
				}
				return v.(string)
			}
			find := func(sheet, header, value string) int {
				for i, r := range d.Sheets[d.sheet(t, sheet)].Rows[1:] {
					if v, _ := r[colIndex(t, sheet, header)].V.(string); v == value {
						return i + 1
					}
				}
				t.Fatalf("%s: no row with %s = %s", sheet, header, value)
				return 0
			}

			m := d.Sheets[d.sheet(t, "Victim matrix")]
			if len(m.Rows) != 15 {
				t.Fatalf("Victim matrix has %d rows, want header + 14 victims", len(m.Rows))
			}
			open := 0
			for r := 1; r < len(m.Rows); r++ {
				if get("Victim matrix", r, "Gaps") != "" {
					open++
				}
			}
			if open != 10 {
				t.Errorf("%d deaths with gaps, want the 10 no testimony ties", open)
			}
			v2 := find("Victim matrix", "Person ID", "V-02")
			if g := get("Victim matrix", v2, "Gaps"); g != "" {
				t.Errorf("V-02 gaps %q, want none (the mother's testimony)", g)
			}
			if got := get("Victim matrix", v2, "Evidence of the place"); got != "EV-0026" {
				t.Errorf("V-02 place evidence %q", got)
			}
			if got := get("Victim matrix", v2, "Evidence types"); !strings.Contains(got, "testimony") || !strings.Contains(got, "photo") || !strings.Contains(got, "forensic_report") {
				t.Errorf("V-02 evidence types %q", got)
			}
			v1 := find("Victim matrix", "Person ID", "V-01")
			if g := get("Victim matrix", v1, "Gaps"); g != "place; time; perpetrator unit" {
				t.Errorf("V-01 gaps %q", g)
			}
			if s := get("Victim matrix", v1, "Attribution status"); s != "assumed" || !strings.Contains(get("Victim matrix", v1, "Attribution rests on"), "working assumption") {
				t.Errorf("V-01 attribution %q, want assumed with what it rests on", s)
			}

			ap := find("Persons of interest", "Person ID", "AP-01")
			mode := get("Persons of interest", ap, "Mode of liability")
			chain := d.Sheets[d.sheet(t, "Chain of command")]
			var commander, uote bool
			for r := 1; r < len(chain.Rows); r++ {
				unit, link := get("Chain of command", r, "Unit"), get("Chain of command", r, "Link")
				if unit == "U-FAES" && link == "commander" {
					commander = true
				}
				if unit == "U-UOTE" && link == "part of" && get("Chain of command", r, "Superior unit") == "U-PNB" &&
					get("Chain of command", r, "Status") == "assumed" && strings.Contains(get("Chain of command", r, "Qualifier"), "working assumption") {
					uote = true
				}
			}
			if !uote {
				t.Error("the UOTE's place under the PNB is not shown as an assumption")
			}
			// The sample's public edition keeps the person of interest
			// (public_edition.persons_of_interest: keep; known only by a
			// public post), so both editions show the mode of liability;
			// what omit withholds is packager/edition's TestPersonsOfInterest.
			if mode != "command responsibility" || get("Persons of interest", ap, "Statute article") != "28(a)" || !commander {
				t.Errorf("%s: AP-01: mode %q, article %q, commander row %v", ed, mode, get("Persons of interest", ap, "Statute article"), commander)
			}
		})
	}
}
