package edition_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// textCase cites, from its texts, EV-0001 (public), EV-0002 (a witness's
// testimony without consent to publication) and EV-0003 (a forensic report
// classified confidential).
func textCase(summary string) *schema.Case {
	return &schema.Case{
		Submission: schema.Submission{ID: "T-1", Requests: []schema.Request{{ID: "REQ-01", Text: "Protect the witness of [EV-0002]."}}},
		Analysis:   schema.Analysis{Summary: summary, Jurisdiction: &schema.Jurisdiction{Temporal: "Since 2000 [RS art. 11]."}},
		Incidents:  []schema.Incident{{ID: "INC-01", Description: "Shots were fired [EV-0001]. The report finds [EV-0003 p. 2]."}},
		Persons: []schema.Person{
			{ID: "W-01", Pseudonym: "Witness 01", Roles: []string{"witness"}, EvidenceIDs: []string{"EV-0002"}},
			{ID: "V-01", Pseudonym: "Victim 01", Roles: []string{"victim"}, Death: &schema.Death{
				ForensicReview: &schema.ForensicReview{Findings: "A wound to the head [EV-0003]."}}},
		},
		Evidence: []schema.Evidence{
			{ID: "EV-0001", Type: "video", Classification: "public", Files: []schema.File{{Path: "e/v.mp4", Role: "original"}}},
			{ID: "EV-0002", Type: "testimony", Classification: "confidential", Files: []schema.File{{Path: "e/t.txt", Role: "transcript"}}},
			{ID: "EV-0003", Type: "forensic_report", Classification: "confidential", Files: []schema.File{{Path: "e/r.pdf", Role: "original"}}},
		},
		Authorities: []schema.Authority{{ID: "RS", Kind: "statute", Title: "Rome Statute"}},
	}
}

// TestTextsRedactedInPlace: in the public view each paragraph or list item
// of a case-data text that cites withheld evidence is a mark that says why
// and keeps the text's citations (runs kept apart by "; "); the rest, the
// sender's requests and the confidential edition are untouched; each mark
// is logged by its JSON pointer, never with the text.
func TestTextsRedactedInPlace(t *testing.T) {
	const testimony = "[Redacted — testimony without consent to publication]"
	const report = "[Redacted — confidential forensic report]"
	for _, tc := range []struct {
		name    string
		summary string
		policy  *schema.PublicEdition
		want    string // the public summary
		log     []string
	}{
		{name: "public evidence only", summary: "Shots were fired [EV-0001].", want: "Shots were fired [EV-0001]."},
		{
			name:    "paragraphs",
			summary: "Shots were fired [EV-0001].\n\nThe witness saw the officers shoot [EV-0002] [EV-0001], then [EV-0001] to [EV-0003].\n\nNo one was charged.",
			want:    "Shots were fired [EV-0001].\n\n" + testimony + " [EV-0002] [EV-0001]; [EV-0001] to [EV-0003]\n\nNo one was charged.",
			log:     []string{"/analysis/summary: EV-0002, EV-0003: text citing withheld evidence (its part 2 of 3)"},
		},
		{
			name:    "list items keep their markers",
			summary: "What the evidence shows:\n\n- convoys [EV-0001];\n- the killing, as the witness tells it [EV-0002];\n  seen from a window.\n- the wounds [EV-0003 p. 2].",
			want:    "What the evidence shows:\n\n- convoys [EV-0001];\n- " + testimony + " [EV-0002]\n- " + report + " [EV-0003 p. 2]",
			log: []string{"/analysis/summary: EV-0002: text citing withheld evidence (its part 3 of 4)",
				"/analysis/summary: EV-0003: text citing withheld evidence (its part 4 of 4)"},
		},
		{
			name:    "text citing confidential evidence kept when the policy says so",
			summary: "The report finds [EV-0003].\n\nThe witness saw it [EV-0002].",
			policy:  &schema.PublicEdition{TextCitingConfidential: "keep"},
			want:    "The report finds [EV-0003].\n\n" + testimony + " [EV-0002]",
			log:     []string{"/analysis/summary: EV-0002: text citing withheld evidence (its part 2 of 2)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := textCase(tc.summary)
			c.Submission.PublicEdition = tc.policy
			conf, err := edition.New(c, edition.Confidential)
			if err != nil {
				t.Fatal(err)
			}
			if conf.Case().Analysis.Summary != tc.summary {
				t.Error("the confidential edition changed the text")
			}
			p, err := edition.New(c, edition.Public)
			if err != nil {
				t.Fatal(err)
			}
			v := p.Case()
			if got := v.Analysis.Summary; got != tc.want {
				t.Errorf("public summary:\n%q\nwant\n%q", got, tc.want)
			}
			if c.Analysis.Summary != tc.summary {
				t.Error("the original case was changed")
			}
			// The other texts: the request stays a request; text citing
			// public evidence or authorities only stays.
			if v.Submission.Requests[0].Text != "Protect the witness of [EV-0002]." || v.Analysis.Jurisdiction.Temporal != "Since 2000 [RS art. 11]." {
				t.Errorf("kept texts changed: %q, %q", v.Submission.Requests[0].Text, v.Analysis.Jurisdiction.Temporal)
			}
			inc, finding := "Shots were fired [EV-0001]. The report finds [EV-0003 p. 2].", "A wound to the head [EV-0003]."
			if tc.policy == nil {
				inc, finding = report+" [EV-0001]; [EV-0003 p. 2]", report+" [EV-0003]"
			}
			if v.Incidents[0].Description != inc || v.Persons[1].Death.ForensicReview.Findings != finding {
				t.Errorf("incident %q, finding %q", v.Incidents[0].Description, v.Persons[1].Death.ForensicReview.Findings)
			}
			var log []string
			for _, e := range p.Log() {
				ln := e.In(locale.English())
				if !strings.HasPrefix(ln.Detail, "text citing") {
					continue
				}
				if ln.Where != "case data" || ln.Action != "replaced by a redaction mark" || ln.Ground == "" || ln.ActionCode != "mark" {
					t.Errorf("log entry %+v", ln)
				}
				if e.Pointer == "/analysis/summary" {
					log = append(log, e.Pointer+": "+e.Item+": "+ln.Detail)
				}
			}
			if !slices.Equal(log, tc.log) {
				t.Errorf("log:\n%q\nwant\n%q", log, tc.log)
			}
			// Made again from its own public view, the view is the same.
			again, err := edition.New(v, edition.Public)
			if err != nil {
				t.Fatal(err)
			}
			if again.Case().Analysis.Summary != v.Analysis.Summary {
				t.Errorf("redacting twice changes the text: %q", again.Case().Analysis.Summary)
			}
		})
	}
}

// FuzzTextRedaction: whatever a text holds, the public view never panics,
// and no line of it cites the withheld testimony outside a redaction mark.
func FuzzTextRedaction(f *testing.F) {
	for _, s := range []string{
		"Shots [EV-0001].\n\nThe witness [EV-0002].",
		"- a [EV-0002]\n- b [EV-0001]\n  c [EV-0002]",
		"1. x [EV-0002 p. 3] to [EV-0003]\r\n\r\n2) y",
		"[EV-0002",
		"[Redacted — x] [EV-0002]",
		"   \n\n[EV-0002]\n\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("validation refuses case data that is not UTF-8")
		}
		p, err := edition.New(textCase(s), edition.Public)
		if err != nil {
			t.Fatal(err)
		}
		out := p.Case().Analysis.Summary
		for _, ln := range strings.Split(out, "\n") {
			cites := false
			for _, r := range schema.CitationRuns(ln, nil) {
				for _, it := range r.Items {
					cites = cites || it.ID == "EV-0002"
				}
			}
			if cites && !strings.Contains(ln, "[Redacted — ") {
				t.Errorf("line %q cites the withheld testimony outside a mark:\n%q", ln, out)
			}
		}
		if !strings.Contains(s, "EV-0002") && !strings.Contains(s, "EV-0003") && out != s {
			t.Errorf("a text citing nothing withheld changed: %q → %q", s, out)
		}
	})
}

// TestTranslationsInThePublicEdition: a translation keeps the redaction the
// text it translates gets, written in its own language, and a translation
// of a text the edition leaves out (the description of a withheld item)
// leaves with it, logged, so the public case.json cannot publish in French
// what it withholds in English. A plan made for a document in French
// writes its marks in French.
func TestTranslationsInThePublicEdition(t *testing.T) {
	c := textCase("Shots were fired [EV-0001].\n\nThe witness saw them [EV-0002].")
	c.Evidence[1].Description = "Secret account of the witness."
	c.Translations = []schema.Translation{
		{Language: "fr", Pointer: "/analysis/summary", Text: "Des coups de feu [EV-0001].\n\nLe témoin les a vus [EV-0002]."},
		{Language: "es", Pointer: "/evidence/1/description", Text: "Relato secreto del testigo."},
		{Language: "es", Pointer: "/incidents/0/description", Text: "Hubo disparos [EV-0001]."},
	}
	p, err := edition.New(c, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Case()
	if len(v.Translations) != 2 || v.Translations[1].Pointer != "/incidents/0/description" {
		t.Fatalf("translations in the public view: %+v", v.Translations)
	}
	if want := "Des coups de feu [EV-0001].\n\n[Expurgé — témoignage sans consentement à la publication] [EV-0002]"; v.Translations[0].Text != want {
		t.Errorf("French translation %q, want %q", v.Translations[0].Text, want)
	}
	if !strings.HasPrefix(v.Analysis.Summary, "Shots were fired [EV-0001].\n\n[Redacted — testimony without consent") {
		t.Errorf("English summary %q", v.Analysis.Summary)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(string(b), "secreto") || strings.Contains(string(b), "Secret account") {
		t.Errorf("the public view publishes the withheld description: %s", b)
	}
	found := false
	for _, e := range p.Log() {
		if e.Pointer == "/translations/1" {
			ln := e.In(locale.Must("es"))
			found = e.Item == "EV-0002" && ln.Detail == "traducción (es) del texto" && ln.Action == "no divulgación" &&
				ln.Ground == "consentimiento: sin consentimiento para su publicación de W-01"
			if !found {
				t.Errorf("log entry %+v", ln)
			}
		}
	}
	if !found {
		t.Error("the withheld translation is not logged")
	}
	// Made for a document in French (its texts translated), the marks are French.
	fr, err := edition.NewIn(textCase("Le témoin [EV-0002]."), edition.Public, locale.Must("fr"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fr.Case().Analysis.Summary; !strings.HasPrefix(got, "[Expurgé — témoignage sans consentement") {
		t.Errorf("French plan's mark: %q", got)
	}
}
