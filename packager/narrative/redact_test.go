package narrative

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
)

// redactTemplate cites the fixture's evidence from every kind of block:
// EV-0001, EV-0002 and EV-0004 are withheld from the public edition,
// EV-0003 is public.
const redactTemplate = `# Facts

{#raid} The raid was filmed [EV-0001] *[EV-0003]*.

The official statement denies it [EV-0003].

- A witness describes it [EV-0002] [EV-0003].
- The statement alone [EV-0003].
- Protect the witness [EV-0002]. (REQ-01)

> The witness said it happened at night [EV-0002].

| No. | Finding | Source |
|:--|:--|:--|
| 1 | Shots to the chest | [EV-0004] |
| 2 | Denial | [EV-0003] |

See [](#raid), which cites [](#cited:EV-0001).

# Evidence index {.annex}

Listed with its digest: [EV-0002].
`

// TestRedactionInPlace: in the public edition every paragraph, list item,
// quoted paragraph and table row that cites withheld evidence becomes, in
// place, a mark that says why; the rest, the sender's requests and the
// annex parts stay; paragraph numbers, rows, cross-references and
// footnotes are those of the confidential edition, and the redaction log
// locates each mark.
func TestRedactionInPlace(t *testing.T) {
	c, ev := loadCase(t)
	tfs := fstest.MapFS{"narrative.md.tmpl": {Data: []byte(redactTemplate)}}
	type out struct {
		md    string
		text  string // pdftotext, words squashed
		notes []string
		rep   *layoutReport
	}
	ed := map[edition.Edition]*out{}
	for _, e := range []edition.Edition{edition.Confidential, edition.Public} {
		opt := Options{Date: testDate, Edition: e, Templates: tfs, Version: "1"}
		md, err := Markdown(c, ev, tfs, opt)
		if err != nil {
			t.Fatal(err)
		}
		rep, text := renderText(t, c, ev, opt)
		var notes []string
		for _, m := range regexp.MustCompile(`(?m)^\s+([0-9]+)\s+(EV-[0-9]{4}.*)$`).FindAllStringSubmatch(text, -1) {
			notes = append(notes, m[1]+" "+strings.TrimSpace(m[2]))
		}
		ed[e] = &out{md: string(md), text: squash(text), notes: notes, rep: rep}
	}
	conf, pub := ed[edition.Confidential], ed[edition.Public]

	if strings.Contains(conf.md, "Redacted") || strings.Contains(conf.text, "Redacted") {
		t.Error("the confidential edition has a redaction mark")
	}
	for _, w := range []string{"The raid was filmed", "A witness describes it", "happened at night", "Shots to the chest"} {
		if !strings.Contains(conf.text, w) {
			t.Errorf("confidential: lacks %q", w)
		}
		if strings.Contains(pub.text, w) || strings.Contains(pub.md, w) {
			t.Errorf("public: prints %q, which cites withheld evidence", w)
		}
	}
	for _, w := range []string{
		"1. [Redacted — ",                            // the paragraph keeps its number
		"2. The official statement denies it.",       // public evidence alone: kept
		"The statement alone.",                       // a list item citing public evidence
		"Protect the witness.",                       // a request stays a request
		"Listed with its digest",                     // the evidence index
		"2 Denial [EV-0003]",                         // a table row citing public evidence
		"See para. 1, which cites para. 1.",          // cross-references as in the full edition
		"1 [Redacted — confidential forensic report", // a row keeps its number
	} {
		if !strings.Contains(pub.text, w) {
			t.Errorf("public: lacks %q:\n%s", w, pub.text)
		}
	}
	if n := strings.Count(pub.text, "[Redacted — "); n != 4 {
		t.Errorf("public: %d redaction marks, want 4 (paragraph, list item, quotation, table row)", n)
	}
	// The same numbers in both editions: paragraphs, footnotes (a mark keeps
	// the footnotes of the text it replaces), table rows.
	if conf.rep.Paragraphs != pub.rep.Paragraphs || conf.rep.Footnotes != pub.rep.Footnotes || conf.rep.Footnotes < 5 {
		t.Errorf("paragraphs %d/%d, footnotes %d/%d (confidential/public)", conf.rep.Paragraphs, pub.rep.Paragraphs, conf.rep.Footnotes, pub.rep.Footnotes)
	}
	if !slices.Equal(conf.notes, pub.notes) || len(conf.notes) != conf.rep.Footnotes {
		t.Errorf("footnotes differ:\nconfidential %q\npublic       %q", conf.notes, pub.notes)
	}
	rows := regexp.MustCompile(`(?m)^\| `)
	if a, b := len(rows.FindAllString(conf.md, -1)), len(rows.FindAllString(pub.md, -1)); a != b || a != 3 {
		t.Errorf("table lines: %d confidential, %d public", a, b)
	}

	log, err := RedactionLog(c, ev, tfs, Options{Date: testDate, Edition: edition.Public, Templates: tfs})
	if err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, e := range log {
		ln := e.In(locale.English())
		where = append(where, ln.Where+": "+e.Item)
		if ln.Ground == "" || ln.Action != "replaced by a redaction mark" {
			t.Errorf("log entry %+v", e)
		}
	}
	want := []string{
		"section 1, paragraph 1: EV-0001",
		"section 1, list, item 1 after paragraph 2: EV-0002",
		"section 1, quotation after paragraph 2: EV-0002",
		"section 1, table, row 1 after paragraph 2: EV-0004",
	}
	if !slices.Equal(where, want) {
		t.Errorf("redaction log:\n%q\nwant\n%q", where, want)
	}
	if log, err := RedactionLog(c, ev, tfs, Options{Date: testDate, Templates: tfs}); err != nil || len(log) != 0 {
		t.Errorf("the confidential edition logs %d redactions, %v", len(log), err)
	}
}
