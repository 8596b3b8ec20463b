package narrative

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// legalHeadings are the headings of the legal sections.
var legalHeadings = []string{
	"Alleged perpetrators and modes of liability", "Persons of interest", "Chain of command",
	"Per-victim matrix", "Potential case PC-01", "Contextual elements of crimes against humanity",
}

// pdfText renders c in edition ed and returns pdftotext's text of it,
// whitespace squashed.
func pdfText(t *testing.T, c *schema.Case, ed edition.Edition, lang ...string) string {
	t.Helper()
	var buf bytes.Buffer
	opt := Options{Date: testDate, Edition: ed, Version: "1.2.3"}
	if len(lang) > 0 {
		opt.Lang = lang[0]
	}
	if err := Render(context.Background(), &buf, c, nil, opt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return squash(run(t, "pdftotext", path, "-"))
}

// renderText renders c and returns the layout's report and the text
// pdftotext -layout reads from the PDF.
func renderText(t *testing.T, c *schema.Case, ev EvidenceDigests, opt Options) (*layoutReport, string) {
	t.Helper()
	var buf bytes.Buffer
	rep, err := render(context.Background(), &buf, c, ev, opt)
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return rep, run(t, "pdftotext", "-layout", "-enc", "UTF-8", pdf, "-")
}

// TestLegalSectionsLaVega: the La Vega narrative, as pdftotext reads it,
// says who is alleged to be responsible and how, argues the contextual
// elements one by one, gives the potential case and the per-victim matrix,
// and prints each assumed fact as an assumption with what it rests on. The
// public edition names the person of interest by pseudonym only.
func TestLegalSectionsLaVega(t *testing.T) {
	c := laVega(t)
	full := pdfText(t, c, edition.Confidential)
	for _, want := range append(legalHeadings,
		"Known only as the holder of a post; the submission gives no name.",
		"Command responsibility (art. 28(a)). The evidence supports this mode of liability in part.",
		"Not shown: Effective control over the officers who fired is inferred from the post",
		"Commander, Fuerzas de Acciones Especiales (FAES), 8 January 2021 — reported: as the media reported",
		// The UOTE's place under the PNB is the sender's assumption.
		"assumption: working assumption of the sender, from the UOTE badges seen beside PNB vehicles in EV-0004",
		"Widespread. Not argued: the attack need be widespread or systematic, and it is argued to be the other.",
		"Knowledge of the attack. The evidence does not yet support this element.",
		"Search of 20 February 2021 by the sender.",
		"Inactivity (art. 17(1)(a)). The evidence supports this indicator in part.",
		"Lack of independence or impartiality (art. 17(2)(c))",
		"Situation in the Republic of Kenya, Decision Pursuant to Article 15",
		"also CPNB, Cuerpo de Policía Nacional Bolivariana",
	) {
		if !strings.Contains(full, want) {
			t.Errorf("confidential edition lacks %q", want)
		}
	}
	// The matrix: a death a testimony ties has no gap; one nothing ties
	// has all three, and its attribution is printed as the assumption it is.
	if !strings.Contains(full, "EV-0006, EV-0026 Photo, Video, Testimony, Forensic report none") {
		t.Error("the matrix row of Victim 02 (tied by testimony) is not as expected")
	}
	if !strings.Contains(full, "(assumption: working assumption of the sender: the death occurred during the PNB operation; no evidence ties it to a unit) — Photo, Forensic report place, time, perpetrator unit") {
		t.Error("the matrix row of Victim 01 does not show its assumption and gaps")
	}

	// The sample keeps its person of interest in the public edition (a
	// public post); by default the public edition withholds it.
	c.Submission.PublicEdition.PersonsOfInterest = "omit"
	public := pdfText(t, c, edition.Public)
	for _, want := range []string{"Persons of interest", "AP-01 — Person of interest 01",
		"Redacted — withheld from the public edition: how the person of interest is identified, the basis and the posts held",
		"Redacted — withheld from the public edition: a mode of liability alleged and its facts"} {
		if !strings.Contains(public, want) {
			t.Errorf("public edition lacks %q", want)
		}
	}
	for _, leak := range []string{"Command responsibility", "Known only as the holder of a post", "Person of interest 01, Commander"} {
		if strings.Contains(public, leak) {
			t.Errorf("public edition shows %q", leak)
		}
	}
}

// TestLegalSectionsInFrenchAndSpanish: the words the legal sections
// generate come from the catalogue; the case's own text stays as written.
func TestLegalSectionsInFrenchAndSpanish(t *testing.T) {
	c := laVega(t)
	for lang, want := range map[string][]string{
		"fr": {"Auteurs présumés et modes de responsabilité", "Chaîne de commandement", "Tableau par victime",
			"Responsabilité", "hypothèse : working assumption of the sender, from the UOTE badges", "Affaire potentielle PC-01 :",
			"Connue seulement comme titulaire d’une fonction", "lieu, date, unité des auteurs"},
		"es": {"Presuntos autores y formas de responsabilidad", "Cadena de mando", "Matriz por víctima",
			"hipótesis: working assumption of the sender, from the UOTE badges", "Caso potencial PC-01:",
			"Conocida solo como titular de un cargo", "lugar, fecha, unidad autora"},
	} {
		text := pdfText(t, c, edition.Confidential, lang)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the narrative lacks %q", lang, w)
			}
		}
		for _, english := range []string{"Alleged perpetrators and modes of liability", "Per-victim matrix", "assumption: working"} {
			if strings.Contains(text, english) {
				t.Errorf("%s: the narrative prints the English %q", lang, english)
			}
		}
	}
}

// TestNoLegalSectionsForMinimal: a case without a legal model gets none of
// the legal sections.
func TestNoLegalSectionsForMinimal(t *testing.T) {
	doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "minimal"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, doc.Case, edition.Confidential)
	for _, h := range legalHeadings {
		if strings.Contains(text, h) {
			t.Errorf("the minimal case's narrative has %q", h)
		}
	}
}

// TestPersonsOfInterestWithheldKeepsNumbers: under the default policy
// (persons_of_interest: omit) the public edition withholds who a person of
// interest is, the basis, the posts and each mode of liability with its
// facts; it keeps every heading, every paragraph number and every
// footnote number of the confidential edition (a mark keeps the footnotes
// of the text it replaces), and prints no name the confidential record
// holds: neither the protected full name nor the post that identifies the
// person.
func TestPersonsOfInterestWithheldKeepsNumbers(t *testing.T) {
	c := laVega(t)
	c.Submission.PublicEdition.PersonsOfInterest = "" // the default: omit
	for i := range c.Persons {
		if c.Persons[i].ID == "AP-01" {
			c.Persons[i].Identification = "named"
			c.Persons[i].Protected = &schema.Protected{FullName: "Aurelio Ficticio Mendoza"}
		}
	}
	type out struct {
		text     string
		headings []string
		notes    []string
		rep      *layoutReport
	}
	heading := regexp.MustCompile(`(?m)^\s*([0-9]+(?:\.[0-9]+)*)\.? +(\S.*)$`)
	note := regexp.MustCompile(`(?m)^\s+([0-9]+)\s+((?:EV-[0-9]{4}|Rome Statute|Rules of|Elements of|Office of|Situation|Berkeley|Minnesota).*)$`)
	ed := map[edition.Edition]*out{}
	for _, e := range []edition.Edition{edition.Confidential, edition.Public} {
		rep, text := renderText(t, c, nil, Options{Date: testDate, Edition: e, Version: "1"})
		o := &out{text: squash(text), rep: rep}
		// The table of contents lists every heading with its number.
		toc, _, _ := strings.Cut(text, "\f\f")
		for _, m := range heading.FindAllStringSubmatch(toc, -1) {
			if strings.Contains(m[2], " . . .") {
				o.headings = append(o.headings, m[1]+" "+strings.TrimSpace(strings.Split(m[2], " . .")[0]))
			}
		}
		for _, m := range note.FindAllStringSubmatch(text, -1) {
			o.notes = append(o.notes, m[1]+" "+strings.Join(strings.Fields(m[2]), " "))
		}
		ed[e] = o
	}
	conf, pub := ed[edition.Confidential], ed[edition.Public]
	if !strings.Contains(conf.text, "Command responsibility (art. 28(a))") {
		t.Fatal("the confidential edition lacks the mode of liability; the test would prove nothing")
	}
	if len(conf.headings) < 20 || !slices.Equal(conf.headings, pub.headings) {
		t.Errorf("headings differ:\nconfidential %q\npublic       %q", conf.headings, pub.headings)
	}
	if conf.rep.Paragraphs != pub.rep.Paragraphs || conf.rep.Footnotes != pub.rep.Footnotes || conf.rep.Footnotes < 30 {
		t.Errorf("paragraphs %d/%d, footnotes %d/%d (confidential/public)", conf.rep.Paragraphs, pub.rep.Paragraphs, conf.rep.Footnotes, pub.rep.Footnotes)
	}
	if !slices.Equal(conf.notes, pub.notes) || len(conf.notes) < 30 {
		t.Errorf("footnotes differ (%d confidential, %d public):\nconfidential %q\npublic       %q", len(conf.notes), len(pub.notes), conf.notes, pub.notes)
	}
	for _, want := range []string{"AP-01 — Person of interest 01", "Redacted — withheld from the public edition: how the person of interest is identified",
		"Redacted — withheld from the public edition: a mode of liability alleged and its facts"} {
		if !strings.Contains(pub.text, want) {
			t.Errorf("public edition lacks %q", want)
		}
	}
	for _, leak := range []string{"Aurelio", "Ficticio", "Mendoza", "Command responsibility", "Named to the Office", "publicly presented its results",
		"Person of interest 01, Commander", "Effective control over the officers"} {
		if strings.Contains(pub.text, leak) {
			t.Errorf("public edition shows %q", leak)
		}
	}
	if strings.Contains(conf.text, "Aurelio") {
		t.Error("the narrative prints a protected name even in the confidential edition")
	}
}

// TestChainDiagram: the La Vega narrative draws its chain of command as a
// diagram (three units, two links, the legend in the document's language);
// a chain too wide to stay legible, or a cycle of superiors, is left to
// the table; the minimal case has neither.
func TestChainDiagram(t *testing.T) {
	c := laVega(t)
	rep, text := renderText(t, c, nil, Options{Date: testDate, Lang: "fr"})
	if len(rep.Diagrams) != 1 || rep.Diagrams[0] != (diagramReport{Units: 3, Links: 2, Drawn: true}) {
		t.Errorf("La Vega diagrams: %+v, want one of 3 units and 2 links, drawn", rep.Diagrams)
	}
	if !strings.Contains(squash(text), "Trait plein : établi ; tirets : rapporté ; pointillés : hypothèse, ou non précisé.") {
		t.Error("the French narrative lacks the diagram's legend")
	}

	// Six units under the PNB do not fit side by side: the table alone.
	wide := laVega(t)
	for i := range 6 {
		id := fmt.Sprintf("U-X%d", i)
		wide.Units = append(wide.Units, schema.Unit{ID: id, Name: "Unit " + id, Type: "police",
			Superiors: []schema.Superior{{SuperiorID: "U-PNB", Status: schema.StatusReported}}})
	}
	rep, err := render(context.Background(), &bytes.Buffer{}, wide, nil, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diagrams) != 1 || rep.Diagrams[0].Drawn || rep.Diagrams[0].Units != 9 {
		t.Errorf("a chain of 9 units, 8 under one: %+v, want it left out", rep.Diagrams)
	}

	doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "minimal"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = render(context.Background(), &bytes.Buffer{}, doc.Case, nil, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diagrams) != 0 {
		t.Errorf("the minimal case has a diagram: %+v", rep.Diagrams)
	}
}

// TestDiagramLevels: each unit one level below its lowest superior; a
// cycle or a chain deeper than five levels is refused.
func TestDiagramLevels(t *testing.T) {
	units, links, legend := parseDiagram("unit\tA\tTop\nunit\tB\tMiddle\nunit\tC\tBottom\nlink\tB\tA\tsolid\tx\nlink\tC\tB\tdashed\ty\nlink\tC\tA\tdotted\tz\nlink\tC\tNOPE\tsolid\tq\nlegend\tL")
	if len(units) != 3 || len(links) != 3 || legend != "L" || !diagramLevels(units) {
		t.Fatalf("parse: %d units, %d links, legend %q", len(units), len(links), legend)
	}
	if units[0].level != 0 || units[1].level != 1 || units[2].level != 2 {
		t.Errorf("levels %d %d %d, want 0 1 2", units[0].level, units[1].level, units[2].level)
	}
	cyc, _, _ := parseDiagram("unit\tA\ta\nunit\tB\tb\nlink\tA\tB\tsolid\tx\nlink\tB\tA\tsolid\tx")
	if diagramLevels(cyc) {
		t.Error("a cycle was accepted")
	}
	var deep strings.Builder
	for i := range 7 {
		fmt.Fprintf(&deep, "unit\tU%d\tu\n", i)
		if i > 0 {
			fmt.Fprintf(&deep, "link\tU%d\tU%d\tsolid\tx\n", i, i-1)
		}
	}
	if u, _, _ := parseDiagram(deep.String()); diagramLevels(u) {
		t.Error("seven levels were accepted")
	}
}
