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
