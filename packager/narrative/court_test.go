package narrative

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// The tests of this file check what a court filing needs from the
// narrative: numbered paragraphs, footnotes, the fonts, typography, page
// breaks and wording that follows the certainty of the data.

// laVega loads the bundled sample as the narrative command does.
func laVega(t testing.TB) *schema.Case {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "la-vega"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("sample is invalid: %v", findings)
	}
	return doc.Case
}

// renderLaVega renders the sample and returns the PDF's path and the
// layout engine's record of it.
func renderLaVega(t testing.TB) (string, *layoutReport, *schema.Case) {
	t.Helper()
	c := laVega(t)
	var buf bytes.Buffer
	rep, err := render(context.Background(), &buf, c, nil, Options{Date: testDate, Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "la-vega.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, rep, c
}

func TestNumberedParagraphsAndFootnotes(t *testing.T) {
	pdf, rep, _ := renderLaVega(t)
	// From page 3: the cover and the table of contents come first.
	text := run(t, "pdftotext", "-f", "3", "-layout", "-enc", "UTF-8", pdf, "-")
	// Paragraph numbers stand at the left margin, 1, 2, 3 … without a gap.
	nums := regexp.MustCompile(`(?m)^([0-9]+)\.\s{2,}\S`).FindAllStringSubmatch(text, -1)
	if len(nums) < 40 {
		t.Fatalf("only %d numbered paragraphs in the La Vega narrative", len(nums))
	}
	for i, m := range nums {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("paragraph %d is numbered %d: numbering must be continuous", i+1, n)
		}
	}
	if len(nums) != rep.Paragraphs {
		t.Errorf("pdftotext shows %d paragraph numbers, the layout numbered %d", len(nums), rep.Paragraphs)
	}
	// Each footnote is printed once, at the foot of a page, with its number.
	notes := regexp.MustCompile(`(?m)^\s+([0-9]+)\s+(EV-[0-9]{4}|Rome Statute|Rules of Procedure|Elements of Crimes|OTP Policy|Berkeley|Minnesota|Kenya|Katanga)`).FindAllStringSubmatch(text, -1)
	if len(notes) != rep.Footnotes || rep.Footnotes < 50 {
		t.Fatalf("%d footnotes printed, the layout made %d", len(notes), rep.Footnotes)
	}
	for i, m := range notes {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("footnote %d is numbered %d", i+1, n)
		}
	}
	// A pinpoint and a run of citations become one footnote each.
	for _, w := range []string{"EV-0006, at 0:20.", "EV-0006, at 0:30.", "EV-0011 to EV-0024.", "Rome Statute, art. 12(2)(a).", "Rules of Procedure and Evidence, rule 46."} {
		if !strings.Contains(squash(text), w) {
			t.Errorf("no footnote %q", w)
		}
	}
}

func TestSerifFaceEmbedded(t *testing.T) {
	pdf, _, _ := renderLaVega(t)
	out := run(t, "pdffonts", pdf)
	faces := map[string]bool{}
	for _, ln := range strings.Split(out, "\n")[2:] {
		f := strings.Fields(ln)
		if len(f) < 7 {
			continue
		}
		// name type... encoding emb sub uni object ID
		if f[len(f)-5] != "yes" || f[len(f)-4] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("font not embedded as a subset with a Unicode map: %s", ln)
		}
		if name, ok := strings.CutPrefix(f[0], f[0][:min(7, len(f[0]))]); ok && regexp.MustCompile(`^[A-Z]{6}\+`).MatchString(f[0]) {
			faces[name] = true
		}
	}
	for _, want := range []string{"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", "LiberationMono"} {
		if !faces[want] {
			t.Errorf("pdffonts does not list %s as an embedded subset:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Go") {
		t.Errorf("the Go fonts are still embedded:\n%s", out)
	}
}

func TestDigestsUnbrokenInRawText(t *testing.T) {
	pdf, _, c := renderLaVega(t)
	raw := run(t, "pdftotext", "-raw", "-enc", "UTF-8", pdf, "-")
	n := 0
	for _, e := range c.Evidence {
		for _, f := range e.Files {
			n++
			if !strings.Contains(raw, f.SHA256) {
				t.Errorf("the SHA-256 of %s %s is not in pdftotext -raw whole", e.ID, f.Path)
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d digests checked", n)
	}
}

// checkSplits fails for a page that begins or ends with a single line of a
// paragraph, or holds a single row of a longer table.
func checkSplits(t *testing.T, name string, rep *layoutReport) {
	t.Helper()
	for _, sp := range rep.Splits {
		if sp.Forced {
			continue
		}
		for i, n := range sp.Pieces {
			if n < 2 {
				t.Errorf("%s: a %s (%q) has %d %s on page %d (pieces %v)", name, sp.Kind, sp.What, n,
					map[string]string{"paragraph": "line", "table": "row"}[sp.Kind], sp.Pages[i], sp.Pieces)
			}
		}
	}
}

func TestNoWidowsOrphansOrStrandedRows(t *testing.T) {
	_, rep, _ := renderLaVega(t)
	checkSplits(t, "La Vega", rep)

	// A document built to put every kind of block at every height of the
	// page: paragraphs of one to nine lines, tables of one to nine rows,
	// with footnotes. The layout must split many of them, always leaving
	// two lines or rows on each side.
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("# Stress\n\n")
	words := strings.Fields("the officers entered the house at dawn without a warrant and shot him twice in the chest while his family watched from the yard")
	for i := 0; i < 300; i++ {
		switch rng.IntN(6) {
		case 0, 3:
			rows := 1 + rng.IntN(9)
			fmt.Fprintf(&b, "| ID | Description |\n|---|---|\n")
			for r := 0; r < rows; r++ {
				fmt.Fprintf(&b, "| EV-%04d | row %d of table %d |\n", r+1, r, i)
			}
			b.WriteString("\n")
		case 1:
			fmt.Fprintf(&b, "## Section %d\n\n", i)
		default:
			n := 10 + rng.IntN(110)
			for k := 0; k < n; k++ {
				b.WriteString(words[rng.IntN(len(words))] + " ")
				if rng.IntN(40) == 0 {
					fmt.Fprintf(&b, "[EV-%04d] ", 1+rng.IntN(9))
				}
			}
			b.WriteString("\n\n")
		}
	}
	var out bytes.Buffer
	stress, err := renderPDF(context.Background(), &out, []byte(b.String()), PDFOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	paras, tables := 0, 0
	for _, sp := range stress.Splits {
		if sp.Kind == "table" {
			tables++
		} else {
			paras++
		}
	}
	if paras < 5 || tables < 3 {
		t.Fatalf("the stress document split only %d paragraphs and %d tables; the test needs more", paras, tables)
	}
	checkSplits(t, "stress", stress)
}

func TestMeasure(t *testing.T) {
	_, rep, _ := renderLaVega(t)
	if len(rep.BodyLines) < 100 {
		t.Fatalf("only %d full lines of body text", len(rep.BodyLines))
	}
	sum := 0
	for _, n := range rep.BodyLines {
		sum += n
	}
	mean := float64(sum) / float64(len(rep.BodyLines))
	if mean < 65 || mean > 80 {
		t.Errorf("body lines hold %.1f characters on average; a readable measure is 65–80", mean)
	}
}

func TestCrossReferencesAndRedactionMarks(t *testing.T) {
	src := "# Facts\n\n{#raid} The officers raided the house [EV-0001].\n\nA second paragraph, see [](#raid) and [](#facts).\n\n" +
		"Third paragraph cited at [](#cited:EV-0001).\n"
	redacted := strings.Replace(src, "A second paragraph, see [](#raid) and [](#facts).", string(RedactionMark("confidential testimony")), 1)
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"plain", src, []string{"1. The officers raided the house.1", "2. A second paragraph, see para. 1 and section 1.", "3. Third paragraph cited at para. 1."}},
		{"redacted", redacted, []string{"1. The officers raided the house.1", "2. [Redacted — confidential testimony]", "3. Third paragraph cited at para. 1."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := squash(run(t, "pdftotext", "-enc", "UTF-8", renderMarkdown(t, tc.src, PDFOptions{}), "-"))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
		})
	}
	err := RenderPDF(&bytes.Buffer{}, []byte("# A\n\nSee [](#nowhere).\n"), PDFOptions{Date: testDate})
	if !errors.Is(err, ErrXref) {
		t.Errorf("a cross-reference to no label: %v", err)
	}
	err = RenderPDF(&bytes.Buffer{}, []byte("# A\n\n{#x} One.\n\n{#x} Two.\n"), PDFOptions{Date: testDate})
	var se *SourceError
	if !errors.As(err, &se) || se.Line != 5 {
		t.Errorf("a label used twice: %v", err)
	}
}

func TestCertaintyWording(t *testing.T) {
	md, err := Markdown(laVega(t), nil, nil, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, bad := range []string{"Established cause", "Manner of death: homicide", "Cause of death: "} {
		if strings.Contains(s, bad) {
			t.Errorf("the La Vega narrative overstates: %q", bad)
		}
	}
	for _, want := range []string{"Cause of death (basis)", "(forensic assessment)", "In the assessment of Forensic Expert 01, the cause of death was",
		"The cause of death could not be determined by Forensic Expert 01", "Not determinable from the material reviewed"} {
		if !strings.Contains(s, want) {
			t.Errorf("the La Vega narrative lacks %q", want)
		}
	}
	c, _ := loadCase(t)
	md, err = Markdown(c, nil, nil, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The cause of death was established as: Gunshot wound to the thorax.",
		"The manner of death was established as homicide.", "The cause of death is reported as: Gunshot wounds to the head; it has not been established.",
		"The manner of death is reported as homicide; it has not been established."} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the fixture's narrative lacks %q", want)
		}
	}
}

func TestNothingTwiceAndIdenticalFindingsFolded(t *testing.T) {
	c := laVega(t)
	md, err := Markdown(c, nil, nil, Options{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, r := range c.Submission.Requests {
		if n := strings.Count(s, escapeInline(r.Text)); n != 1 {
			t.Errorf("request %s is printed %d times", r.ID, n)
		}
	}
	seen := map[string]int{}
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); len(p) > 60 && !strings.HasPrefix(p, "|") {
			seen[p]++
		}
	}
	for p, n := range seen {
		if n > 1 {
			t.Errorf("printed %d times: %.100q", n, p)
		}
	}
	d, err := newData(c, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ForensicGroups) != 4 || len(d.ForensicGroups[0].Victims) != 7 {
		t.Errorf("the 14 deaths fold into %d forensic paragraphs, want 4 (7, 2, 2, 3)", len(d.ForensicGroups))
	}
	if got := strings.Count(s, "\n*Forensic review.*"); got != 4 {
		t.Errorf("%d forensic reviews printed, want one per group (4)", got)
	}
}

func TestTypographyAndNormalisation(t *testing.T) {
	src := "# T\n\n\"Resistance to authority\" -- so it's called... The officer - a FAES member - fired. Caf" + "e\u0301 `it's \"code\"`.\n"
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", renderMarkdown(t, src, PDFOptions{}), "-"))
	for _, w := range []string{"“Resistance to authority” – so it’s called…", "The officer – a FAES member – fired.", "Café", `it's "code"`} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
}

func TestCharactersNoFontCanDraw(t *testing.T) {
	tests := []struct {
		name, text string
		fonts      []Font
		rune       rune
		rtl        bool
	}{
		{"CJK", "Victims: 中文", nil, '中', false},
		{"superscript nine without a font", "Exhibit ⁹", nil, '⁹', false},
		{"Arabic", "الضحايا", nil, 'ا', true},
		{"Hebrew even with a font", "שלום", []Font{{"Go-Regular.ttf", goregular.TTF}}, 'ש', true},
		{"emoji", "Flag 😀", nil, '😀', false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := RenderPDF(&bytes.Buffer{}, []byte("# T\n\n"+tc.text+"\n"), PDFOptions{Date: testDate, Fonts: tc.fonts})
			var ge *GlyphError
			if !errors.As(err, &ge) || ge.Rune != tc.rune || ge.RTL != tc.rtl || ge.Hint() == "" {
				t.Fatalf("got %v, want a glyph error for %q (rtl %v)", err, tc.rune, tc.rtl)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("U+%04X", tc.rune)) {
				t.Errorf("the message does not name the character: %v", err)
			}
		})
	}
	// With a font that has the character, it prints, from that font.
	pdf := renderMarkdown(t, "# T\n\nExhibit ⁹ and Café.\n", PDFOptions{Fonts: []Font{{"Go-Regular.ttf", goregular.TTF}}})
	if text := run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"); !strings.Contains(text, "Exhibit ⁹ and Café.") {
		t.Errorf("the fallback font's character is not in the text:\n%s", text)
	}
	if fonts := run(t, "pdffonts", pdf); !regexp.MustCompile(`[A-Z]{6}\+GoRegular\s`).MatchString(fonts) {
		t.Errorf("pdffonts does not list the fallback font:\n%s", fonts)
	}
	if err := RenderPDF(&bytes.Buffer{}, []byte("x"), PDFOptions{Date: testDate, Fonts: []Font{{"bad.ttf", []byte("not a font")}}}); err == nil {
		t.Error("a file that is not a font was accepted")
	}
}

// TestValidateReportsUnprintableText: validate reports, at the field and on
// the character, text the narrative could not print; a --font that has the
// character clears it; protected details are not checked (never printed).
func TestValidateReportsUnprintableText(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "case", "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), `"title": "Raid on Calle O'Higgins"`, `"title": "Raid on Calle O'Higgins 中"`, 1)
	s = strings.Replace(s, `"description": "Officers entered the house of V-02 and shot him [EV-0002]."`, `"description": "Officers entered the house ⁹ of V-02: الضحايا [EV-0002]."`, 1)
	s = strings.Replace(s, `"full_name": "`, `"full_name": "محمد `, 1)
	if s == string(data) {
		t.Fatal("the fixture changed; the test cannot place its characters")
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "case"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "case.json"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	lineOf := func(sub string) int { return strings.Count(s[:strings.Index(s, sub)], "\n") + 1 }
	check := func(fonts []Font) []finding.Finding {
		p, err := Printable(fonts)
		if err != nil {
			t.Fatal(err)
		}
		_, fs, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipHashes: true, Printable: p})
		if err != nil {
			t.Fatal(err)
		}
		var out []finding.Finding
		for _, f := range fs {
			if f.Code == finding.TextGlyph || f.Code == finding.TextRTL {
				out = append(out, f)
			}
		}
		return out
	}
	got := check(nil)
	want := map[finding.Code]int{finding.TextGlyph: lineOf("中"), finding.TextRTL: lineOf("الضحايا")}
	if len(got) != 2 {
		t.Fatalf("got %d findings, want 2 (CJK, Arabic; the protected name is not checked): %v", len(got), got)
	}
	for _, f := range got {
		if f.Line != want[f.Code] || f.Column < 2 || !strings.HasPrefix(f.Pointer, "/incidents/") || f.Hint == "" || f.Severity != finding.Error {
			t.Errorf("finding %s at %d:%d %s (want line %d): %s / %s", f.Code, f.Line, f.Column, f.Pointer, want[f.Code], f.Message, f.Hint)
		}
		if !strings.Contains(f.Message, "U+") {
			t.Errorf("the finding does not name the character: %s", f.Message)
		}
	}
	// Right-to-left text is reported before the '⁹' that comes first in
	// the description: no font can help with it.
	for _, f := range got {
		if f.Code == finding.TextRTL && !strings.Contains(f.Message, "U+0627") {
			t.Errorf("the RTL finding names %s", f.Message)
		}
	}
	if got := check([]Font{{"Go-Regular.ttf", goregular.TTF}}); len(got) != 2 {
		t.Errorf("with a fallback font: %v", got)
	}
}
