package translation

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

func loadCase(t *testing.T) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), "../../schema/testdata/valid/translations", schema.Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) > 0 {
		t.Fatalf("fixture: %v", findings)
	}
	return doc.Case
}

func TestFor(t *testing.T) {
	tests := []struct {
		lang                string
		summary, incident   string
		title               string
		translated          int
		untranslated, parts []string
	}{
		{"fr", "Victime 01 a été tuée [EV-0001].", "Une opération de police [EV-0001].", "Opération", 3,
			[]string{"/submission/title", "/evidence/0/title"}, []string{"submission", "evidence/EV-0001"}},
		{"es", "La víctima 01 fue asesinada [EV-0001].", "(Sin traducir: original en inglés.) A police operation [EV-0001].", "Operation", 1,
			[]string{"/submission/title", "/incidents/0/title", "/incidents/0/description", "/evidence/0/title"},
			[]string{"submission", "incidents/INC-01", "evidence/EV-0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c := loadCase(t)
			before := c.Analysis.Summary
			out, st, err := For(c, locale.Must(tt.lang))
			if err != nil {
				t.Fatal(err)
			}
			if c.Analysis.Summary != before {
				t.Errorf("the case itself was changed: %q", c.Analysis.Summary)
			}
			if out.Analysis.Summary != tt.summary || out.Incidents[0].Description != tt.incident || out.Incidents[0].Title != tt.title {
				t.Errorf("got summary %q, description %q, title %q", out.Analysis.Summary, out.Incidents[0].Description, out.Incidents[0].Title)
			}
			if st.Lang != tt.lang || st.Source != "en" || st.Translated != tt.translated || st.Untranslated != len(tt.untranslated) {
				t.Errorf("status %+v", st)
			}
			var got []string
			for _, p := range st.Parts {
				got = append(got, p.Untranslated...)
			}
			if !slices.Equal(got, tt.untranslated) {
				t.Errorf("untranslated = %q, want %q", got, tt.untranslated)
			}
			if parts := st.UntranslatedParts(); !slices.Equal(parts, tt.parts) {
				t.Errorf("parts = %q, want %q", parts, tt.parts)
			}
			if st.Complete() {
				t.Error("Complete() with untranslated texts")
			}
		})
	}
}

// TestSourceLanguage: a document in the case's own language is the case.
func TestSourceLanguage(t *testing.T) {
	c := loadCase(t)
	out, st, err := For(c, locale.English())
	if err != nil || out != c || st != nil || !st.Complete() {
		t.Errorf("For(en) = %p, %+v, %v; want the case itself and no status", out, st, err)
	}
	c.Submission.Languages = []string{"es-VE", "en"}
	if Source(c) != "es" {
		t.Errorf("Source = %s, want es", Source(c))
	}
	out, st, _ = For(c, locale.English())
	if out == c || st == nil || !strings.HasPrefix(out.Incidents[0].Description, "(Untranslated: original in Spanish.) ") {
		t.Errorf("a Spanish case in English: %+v, %q", st, out.Incidents[0].Description)
	}
}

func TestMark(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"One paragraph [EV-0001].", "(M) One paragraph [EV-0001]."},
		{"First.\n\nSecond.", "(M)\n\nFirst.\n\nSecond."},
		{"- a list\n- of two", "(M)\n\n- a list\n- of two"},
		{"1. numbered", "(M)\n\n1. numbered"},
	} {
		if got := Mark(tt.text, "(M)"); got != tt.want {
			t.Errorf("Mark(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
