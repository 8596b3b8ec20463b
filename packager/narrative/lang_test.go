package narrative

import (
	"regexp"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
)

// TestNoEnglishEscapesTheCatalogue renders the La Vega narrative in French
// and Spanish, both editions, and reads every heading and every table cell
// the templates made: none may be an English message of the catalogue (a
// word a template or the code printed without asking the catalogue), and
// none may be a key the catalogue lacks (⟦key⟧).
func TestNoEnglishEscapesTheCatalogue(t *testing.T) {
	c := laVega(t)
	en := locale.English()
	heading := regexp.MustCompile(`^#+ (.*?)(?: \{[^}]*\})?$`)
	for _, code := range []string{"fr", "es"} {
		l := locale.Must(code)
		// English messages that the language writes differently, without
		// placeholders: headings, labels, table headers, page furniture.
		english := map[string]string{}
		for _, k := range en.Keys() {
			if len(en.Placeholders(k)) > 0 || en.Forms(k) != nil {
				continue
			}
			if e := en.T(k); e != l.T(k) && len([]rune(e)) > 3 {
				english[e] = k
			}
		}
		for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
			md, err := Markdown(c, nil, nil, Options{Date: testDate, Lang: code, Edition: ed})
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for n, line := range strings.Split(string(md), "\n") {
				if strings.Contains(line, "⟦") {
					t.Errorf("%s %s line %d: a key the catalogue lacks: %s", code, ed, n+1, line)
				}
				var cells []string
				if m := heading.FindStringSubmatch(line); m != nil {
					cells = []string{m[1]}
				} else if strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "|-") && !strings.HasPrefix(line, "| -") {
					cells = strings.Split(strings.Trim(line, "|"), "|")
				}
				for _, cell := range cells {
					cell = strings.Trim(strings.TrimSpace(cell), "*")
					checked++
					if k, ok := english[cell]; ok {
						t.Errorf("%s %s line %d: %q is the English of %s", code, ed, n+1, cell, k)
					}
				}
			}
			if checked < 50 {
				t.Errorf("%s %s: only %d headings and cells read; is the scan broken?", code, ed, checked)
			}
		}
	}
}

// TestRedactionsInTheDocumentLanguage: the public edition's redaction marks
// and the narrative's part of the redaction log are written in the
// narrative's language: in French and Spanish the La Vega narrative holds
// no English reason ("testimony without consent to publication"), its
// marks give the reason in the language, and every log entry's place,
// detail, action and ground are the language's, while the pointers and
// items stay the same in every language.
func TestRedactionsInTheDocumentLanguage(t *testing.T) {
	c := laVega(t)
	en := locale.English()
	plan, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	var grounds []edition.Withholding
	for _, ev := range c.Evidence {
		if w, ok := plan.Withholding(ev.ID); ok {
			grounds = append(grounds, w)
		}
	}
	if len(grounds) == 0 {
		t.Fatal("La Vega's public edition withholds nothing; the test would prove nothing")
	}
	enLog, err := RedactionLog(c, nil, nil, Options{Date: testDate, Lang: "en", Edition: edition.Public})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"fr", "es"} {
		l := locale.Must(code)
		md, err := Markdown(c, nil, nil, Options{Date: testDate, Lang: code, Edition: edition.Public})
		if err != nil {
			t.Fatal(err)
		}
		marks := 0
		for _, w := range grounds {
			if e := en.Text(w.Reason()); strings.Contains(string(md), e) {
				t.Errorf("%s: the English reason %q is in the narrative", code, e)
			}
			if strings.Contains(string(md), l.Text(w.Reason())) {
				marks++
			}
		}
		if marks == 0 {
			t.Errorf("%s: no redaction mark gives its reason in the language", code)
		}
		// A date of death the edition generalises to its month reads as
		// one: "en janvier 2021", not "le janvier 2021".
		if want := map[string]string{"fr": "Tué(e) en janvier 2021", "es": "Muerto/a en enero de 2021"}[code]; !strings.Contains(string(md), want) {
			t.Errorf("%s: the victims table lacks %q", code, want)
		}
		log, err := RedactionLog(c, nil, nil, Options{Date: testDate, Lang: code, Edition: edition.Public})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || len(log) != len(enLog) {
			t.Fatalf("%s: %d log entries, %d in English", code, len(log), len(enLog))
		}
		for i, e := range log {
			got, eng := e.In(l), enLog[i].In(en)
			if got.Pointer != eng.Pointer || got.Item != eng.Item || got.DetailCode != eng.DetailCode ||
				got.ActionCode != eng.ActionCode || got.GroundCode != eng.GroundCode {
				t.Errorf("%s entry %d: codes differ from English: %+v / %+v", code, i+1, got, eng)
			}
			for _, f := range [][2]string{{got.Where, eng.Where}, {got.Detail, eng.Detail}, {got.Action, eng.Action}, {got.Ground, eng.Ground}} {
				if f[0] == "" || f[0] == f[1] || strings.Contains(f[0], "⟦") {
					t.Errorf("%s entry %d: %q (English %q)", code, i+1, f[0], f[1])
				}
			}
		}
	}
}
