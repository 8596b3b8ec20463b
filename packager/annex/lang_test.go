package annex

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
)

// TestWorkbookInEveryLanguage writes the La Vega annexes in French and
// Spanish and reads them back with openpyxl: sheet names and headers come
// from the language's catalogue, dates stay typed dates, links still land
// on their row, and the CSV twins carry the same headers under the same
// file names.
func TestWorkbookInEveryLanguage(t *testing.T) {
	want := map[string]struct {
		sheets           []string
		header, withheld string
		about            string
		legal            []string
	}{
		"fr": {[]string{"Éléments de preuve", "Fichiers", "Incidents", "Victimes", "Unités", "Conservation", "Crimes", "Personnes d’intérêt", "Chaîne de commandement", "Tableau par victime", "À propos", "Expurgations"},
			"ID de la preuve", "non divulgué", "Langue du présent classeur",
			[]string{"responsabilité du chef militaire", "janvier 2021, rapporté : as the media reported", "supposé"}},
		"es": {[]string{"Pruebas", "Archivos", "Incidentes", "Víctimas", "Unidades", "Custodia", "Crímenes", "Personas de interés", "Cadena de mando", "Matriz por víctima", "Acerca de", "Supresiones"},
			"ID de la prueba", "no divulgado", "Idioma de este libro",
			[]string{"responsabilidad del jefe militar", "enero de 2021, según informes: as the media reported", "supuesto"}},
	}
	for code, w := range want {
		t.Run(code, func(t *testing.T) {
			l := locale.Must(code)
			c := loadCase(t, laVega)
			files, err := DraftFiles(context.Background(), laVega, c, edition.Public)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			opt := Options{Date: testDate, Edition: edition.Public, Version: "test", CaseSHA256: strings.Repeat("ab", 32), Lang: l}
			if err := WriteDir(context.Background(), c, files, opt, out); err != nil {
				t.Fatal(err)
			}
			d := readBack(t, filepath.Join(out, XLSXName), filepath.Join(out, CSVDir))
			var names []string
			for _, s := range d.Sheets {
				names = append(names, s.Name)
			}
			if strings.Join(names, "|") != strings.Join(w.sheets, "|") {
				t.Fatalf("sheets = %q, want %q", names, w.sheets)
			}
			ev := d.Sheets[0]
			if got := ev.Rows[0][0].V; got != w.header {
				t.Errorf("first header = %v, want %q", got, w.header)
			}
			if got := d.CSV["evidence.csv"][0][0]; got != w.header {
				t.Errorf("evidence.csv header = %q, want %q", got, w.header)
			}
			// Every header of every sheet is the catalogue's.
			for _, s := range (&mapper{opt: Options{Lang: l}}).sheets() {
				for i, c := range s.cols {
					if got := d.Sheets[sheetIndex(d, s.name)].Rows[0][i].V; got != c.header {
						t.Errorf("%s column %d = %v, want %q", s.name, i+1, got, c.header)
					}
				}
			}
			// Typed dates and links survive translation.
			dates, links, withheld := 0, 0, 0
			for _, row := range ev.Rows[1:] {
				for _, cell := range row {
					if cell.Py == "datetime" {
						dates++
					}
					if strings.HasPrefix(deref(cell.Link), "'"+l.T("annex.sheet.incidents")+"'!") {
						links++
					}
					if cell.V == w.withheld {
						withheld++
					}
				}
			}
			if dates == 0 || links == 0 || withheld == 0 {
				t.Errorf("evidence sheet: %d typed dates, %d links to the incidents, %d %q cells; want some of each", dates, links, withheld, w.withheld)
			}
			checkPrintable(t, d, l)
			// No word is missing from the catalogue.
			for _, sh := range d.Sheets {
				for _, row := range sh.Rows {
					for _, cell := range row {
						if v, ok := cell.V.(string); ok && strings.Contains(v, "⟦") {
							t.Errorf("%s: %q lacks a catalogue message", sh.Name, v)
						}
					}
				}
			}
			// The redaction log speaks the workbook's language: no cell of
			// the Redactions sheet is the English of its entry.
			plan, err := edition.New(c, edition.Public)
			if err != nil {
				t.Fatal(err)
			}
			red := d.Sheets[sheetIndex(d, l.T("annex.sheet.redactions"))]
			if len(red.Rows)-1 != len(plan.Log()) || len(plan.Log()) == 0 {
				t.Fatalf("Redactions sheet: %d rows for %d log entries", len(red.Rows)-1, len(plan.Log()))
			}
			en := locale.English()
			for i, e := range plan.Log() {
				row, eng := red.Rows[i+1], e.In(en)
				for k, f := range map[int]string{1: eng.Where, 4: eng.Detail, 5: eng.Action, 6: eng.Ground} {
					v, _ := row[k].V.(string)
					if v == "" || strings.Contains(v, "⟦") || v == f && (k != 4 || l.Text(e.Detail) != en.Text(e.Detail)) {
						t.Errorf("Redactions row %d column %d: %q (English %q)", i+2, k+1, v, f)
					}
				}
				if got := row[3].V; got != "case.json "+e.Pointer {
					t.Errorf("Redactions row %d: pointer %v, want case.json %s in every language", i+2, got, e.Pointer)
				}
			}
			// The legal registers word modes of liability, posts and the
			// status of facts in the language.
			legal := map[string]string{}
			for _, name := range []string{"persons_of_interest", "chain_of_command", "victim_matrix"} {
				for _, row := range d.Sheets[sheetIndex(d, l.T("annex.sheet."+name))].Rows[1:] {
					for _, cell := range row {
						if v, ok := cell.V.(string); ok {
							legal[v] = name
						}
					}
				}
			}
			joined := ""
			for v := range legal {
				joined += v + "\n"
			}
			for _, want := range w.legal {
				if !strings.Contains(joined, want) {
					t.Errorf("the legal sheets lack %q", want)
				}
			}
			for _, english := range []string{"command responsibility", "2021-01-08 to", "reported: ", "assumed"} {
				if strings.Contains(joined, english) {
					t.Errorf("the legal sheets print the English %q", english)
				}
			}
			about := d.Sheets[sheetIndex(d, l.T("annex.sheet.about"))]
			found := false
			for _, row := range about.Rows {
				if row[0].V == w.about {
					found = true
					if row[1].V != l.LanguageName(code) {
						t.Errorf("About: %s = %v, want %q", w.about, row[1].V, l.LanguageName(code))
					}
				}
			}
			if !found {
				t.Errorf("About sheet has no row %q", w.about)
			}
			if got := deref(d.Props["language"]); got != code {
				t.Errorf("workbook language = %s, want %s", got, code)
			}
		})
	}
}

func sheetIndex(d *dump, name string) int {
	for i, s := range d.Sheets {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// TestSheetNamesAndHeadersInEveryLanguage checks what a spreadsheet
// requires of every catalogue: sheet names of at most 31 characters
// without the characters a sheet name or a link formula cannot hold, and
// headers unique within their sheet.
func TestSheetNamesAndHeadersInEveryLanguage(t *testing.T) {
	for _, code := range locale.Supported() {
		m := &mapper{opt: Options{Lang: locale.Must(code)}}
		seen := map[string]bool{}
		for _, s := range m.sheets() {
			if n := len([]rune(s.name)); n == 0 || n > 31 || strings.ContainsAny(s.name, `[]:*?/\'"`) {
				t.Errorf("%s: sheet name %q: a spreadsheet refuses it", code, s.name)
			}
			for _, c := range s.cols {
				if strings.Contains(c.header, "⟦") {
					t.Errorf("%s: sheet %s: header %s is missing from the catalogue", code, s.name, c.header)
				}
			}
			if strings.Contains(s.name, "⟦") {
				t.Errorf("%s: sheet name %s is missing from the catalogue", code, s.name)
			}
			if seen[s.name] {
				t.Errorf("%s: sheet name %q twice", code, s.name)
			}
			seen[s.name] = true
			if err := s.check(); err != nil {
				t.Errorf("%s: %v", code, err)
			}
		}
	}
}
