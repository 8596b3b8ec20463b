package narrative

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var testDate = time.Date(2021, 2, 18, 12, 30, 0, 0, time.UTC)

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(testtool.Need(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// loadCase loads testdata/case and hashes its evidence files as the build would.
func loadCase(t testing.TB) (*schema.Case, EvidenceDigests) {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), "testdata/case", schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("fixture is invalid: %v", findings)
	}
	ev := EvidenceDigests{}
	for _, e := range doc.Case.Evidence {
		for _, f := range e.Files {
			b, err := os.ReadFile(filepath.Join("testdata/case", f.Path))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			ev[e.ID] = append(ev[e.ID], FileDigest{Path: "data/evidence/" + e.ID + "/" + filepath.Base(f.Path), Role: f.Role, Sum256: sum, Hashed: true, Size: int64(len(b))})
		}
	}
	return doc.Case, ev
}

var testAnnexes = []Annex{{Name: "Annex B", Description: "Registers", Path: "data/annexes/annexes.xlsx", SHA256: strings.Repeat("ab", 32)}}

// renderCase writes the fixture's PDF to a temporary file and returns its path.
func renderCase(t testing.TB, ed edition.Edition, paper string) (string, *schema.Case, EvidenceDigests) {
	t.Helper()
	c, ev := loadCase(t)
	var buf bytes.Buffer
	err := Render(context.Background(), &buf, c, ev, Options{Date: testDate, Edition: ed, Paper: paper, Version: "1.2.3", Annexes: testAnnexes})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "submission.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, c, ev
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestExtractedText(t *testing.T) {
	pdf, c, ev := renderCase(t, edition.Confidential, "")
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
	want := []string{
		"Contents",
		"1. Executive summary and requests", "2. Sender and submission", "3. Confidentiality, protection and consent",
		"4. Methodology", "5. Context", "6. Facts", "6.1 Chronology", "6.2 Incidents", "6.3 Victims",
		"6.4 The official version and the evidence", "6.5 Forensic findings", "7. Jurisdiction",
		"7.1 Temporal jurisdiction", "7.2 Territorial jurisdiction", "7.3 Subject-matter jurisdiction",
		"Contextual elements of crimes against humanity", "Article 7(1)(a) — Murder",
		"8. Admissibility", "8.1 Complementarity", "8.2 Gravity", "Scale", "Nature", "Manner of commission", "Impact",
		"9. Interests of justice", "10. Conclusions and requests", "11. Table of authorities", "12. Evidence index", "13. Annex index",
		"Guzmán Blanco", "O’Higgins", "Nicolás O’Higgins", "Policía Nacional Bolivariana",
		"8 January 2021, 06:30–09:00 (UTC−04:00)", "CONFIDENTIAL", "Page 1 of", "OGB-LV-2021-001",
		"Student | *artist* # [x] _y_ `z` 1 < 2",
		"Table of authorities", "Rome Statute, art. 7(1)(a).", "EV-0001, at 00:01:12.",
		"Done at Caracas, on 18 February 2021", "Director", "Cited at",
	}
	for _, p := range c.Persons {
		want = append(want, p.Pseudonym)
	}
	for _, e := range c.Evidence {
		want = append(want, e.ID, ev[e.ID][0].SHA256()[:20])
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	for _, p := range c.Persons {
		if p.Protected != nil && strings.Contains(text, p.Protected.FullName) {
			t.Errorf("a protected name appears in the narrative: %q", p.Protected.FullName)
		}
	}
}

func TestPublicEditionShowsNoProtectedDetail(t *testing.T) {
	pdf, c, _ := renderCase(t, edition.Public, "")
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
	// Victims are listed by pseudonym in every edition; others may appear
	// only in text the public edition redacts (it cites withheld evidence).
	if !strings.Contains(text, "[Redacted — confidential") {
		t.Error("no redaction mark in the public edition")
	}
	for _, p := range c.Persons {
		if p.HasRole("victim") && !strings.Contains(text, p.Pseudonym) {
			t.Errorf("pseudonym %q missing", p.Pseudonym)
		}
		if p.Protected == nil {
			continue
		}
		for _, v := range append([]string{p.Protected.FullName, p.Protected.Address}, p.Protected.Contacts...) {
			if v != "" && strings.Contains(text, v) {
				t.Errorf("public edition shows protected detail %q", v)
			}
		}
	}
	for _, w := range []string{"PUBLIC REDACTED EDITION", "public redacted edition", "Withheld from this edition"} {
		if !strings.Contains(text, w) {
			t.Errorf("public edition lacks %q", w)
		}
	}
	// A user's template cannot print what is not there.
	user := fstest.MapFS{"leak.tmpl": {Data: []byte(`{{define "justice"}}# Leak{{range .Case.Persons}}{{with .Protected}} {{.FullName}}{{range .Contacts}} {{.}}{{end}}{{end}}{{end}}{{end}}`)}}
	md, err := Markdown(c, nil, user, Options{Date: testDate, Edition: edition.Public})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(md, []byte("Protegido")) || bytes.Contains(md, []byte("555")) {
		t.Errorf("a user template printed a protected field in the public edition:\n%s", md)
	}
}

func TestFontsEmbedded(t *testing.T) {
	pdf, _, _ := renderCase(t, edition.Confidential, "")
	out := run(t, "pdffonts", pdf)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no fonts:\n%s", out)
	}
	for _, ln := range lines[2:] {
		f := strings.Fields(ln)
		// name type... encoding emb sub uni object ID
		if len(f) < 7 || f[len(f)-5] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("font not embedded with a Unicode map: %s", ln)
		}
	}
}

func TestQPDFCheck(t *testing.T) {
	for _, paper := range []string{"a4", "letter"} {
		t.Run(paper, func(t *testing.T) {
			pdf, _, _ := renderCase(t, edition.Confidential, paper)
			out := run(t, "qpdf", "--check", pdf)
			if !strings.Contains(out, "No syntax or stream encoding errors found") || strings.Contains(out, "WARNING") {
				t.Errorf("qpdf --check:\n%s", out)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	tests := []struct {
		paper, size string
	}{
		{"", "595.28 x 841.89 pts (A4)"},
		{"letter", "612 x 792 pts (letter)"},
	}
	for _, tc := range tests {
		t.Run("paper="+tc.paper, func(t *testing.T) {
			pdf, _, _ := renderCase(t, edition.Confidential, tc.paper)
			info := run(t, "pdfinfo", "-isodates", pdf)
			for _, w := range []string{
				"Title:           Killings in La Vega, Caracas, 6–9 January 2021",
				"Author:          Observatorio Guzmán Blanco",
				"Subject:         Article 15 communication to the Office of the Prosecutor, International Criminal Court — Situation ICC-02/18 Venezuela I",
				"Keywords:        International Criminal Court, Rome Statute, ICC-02/18, Venezuela I, article 7(1)(a)",
				"Creator:         casepack 1.2.3",
				"CreationDate:    2021-02-18T12:30:00",
				"ModDate:         2021-02-18T12:30:00",
				"Metadata Stream: yes",
				"Page size:       " + tc.size,
			} {
				if !strings.Contains(info, w) {
					t.Errorf("pdfinfo lacks %q:\n%s", w, info)
				}
			}
			meta := run(t, "pdfinfo", "-meta", pdf)
			for _, w := range []string{"<xmp:CreateDate>2021-02-18T12:30:00Z</xmp:CreateDate>", "Killings in La Vega", "<xmp:CreatorTool>casepack 1.2.3</xmp:CreatorTool>", "<rdf:li>en</rdf:li>"} {
				if !strings.Contains(meta, w) {
					t.Errorf("XMP lacks %q:\n%s", w, meta)
				}
			}
		})
	}
}

func TestReproducible(t *testing.T) {
	c, ev := loadCase(t)
	var a, b bytes.Buffer
	opt := Options{Date: testDate, Version: "1.2.3", Annexes: testAnnexes}
	if err := Render(context.Background(), &a, c, ev, opt); err != nil {
		t.Fatal(err)
	}
	if err := Render(context.Background(), &b, c, ev, opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two renders of the same case differ")
	}
	opt.Date = opt.Date.Add(time.Second)
	var d bytes.Buffer
	if err := Render(context.Background(), &d, c, ev, opt); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), d.Bytes()) {
		t.Fatal("the date does not reach the PDF")
	}
}

// qpdfJSON is the part of `qpdf --json` the link test reads.
type qpdfJSON struct {
	Pages []struct {
		Object string `json:"object"`
	} `json:"pages"`
	Outlines []outline         `json:"outlines"`
	QPDF     []json.RawMessage `json:"qpdf"`
}

type outline struct {
	Title string    `json:"title"`
	Page  int       `json:"destpageposfrom1"`
	Dest  []any     `json:"dest"`
	Kids  []outline `json:"kids"`
}

type annot struct {
	Dest []any     `json:"/Dest"`
	Rect []float64 `json:"/Rect"`
	URI  struct {
		URI string `json:"/URI"`
	} `json:"/A"`
}

// cropText extracts the text in a box given in PDF points from the
// bottom-left corner of the page.
func cropText(t *testing.T, pdf string, page int, x0, y0, x1, y1, pageH float64) string {
	t.Helper()
	top := pageH - max(y0, y1)
	return squash(run(t, "pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page),
		"-x", strconv.Itoa(int(min(x0, x1))), "-y", strconv.Itoa(int(top)),
		"-W", strconv.Itoa(int(abs(x1-x0))+1), "-H", strconv.Itoa(int(abs(y1-y0))+1), "-enc", "UTF-8", pdf, "-"))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestLinksAndOutline walks the PDF's objects (qpdf --json) and checks that
// every bookmark, contents entry and citation lands where its text says.
func TestLinksAndOutline(t *testing.T) {
	pdf, c, _ := renderCase(t, edition.Confidential, "")
	const pageH = 841.89
	var doc qpdfJSON
	if err := json.Unmarshal([]byte(run(t, "qpdf", "--json", pdf)), &doc); err != nil {
		t.Fatal(err)
	}
	var objects map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if len(doc.QPDF) < 2 || json.Unmarshal(doc.QPDF[1], &objects) != nil {
		t.Fatal("qpdf --json: no object table")
	}
	pageOf := map[string]int{}
	for i, p := range doc.Pages {
		pageOf[p.Object] = i + 1
	}

	// Bookmarks: every numbered heading, on the page where its title is.
	var flat []outline
	var walk func([]outline)
	walk = func(os []outline) {
		for _, o := range os {
			flat = append(flat, o)
			walk(o.Kids)
		}
	}
	walk(doc.Outlines)
	if len(flat) < 25 {
		t.Fatalf("only %d bookmarks", len(flat))
	}
	headingPage := map[string]int{}
	for _, o := range flat {
		y, _ := o.Dest[3].(float64)
		got := cropText(t, pdf, o.Page, 60, y-2, 560, y-24, pageH)
		title := squash(o.Title)
		if !strings.HasPrefix(got, title) && !strings.HasPrefix(title, got) {
			t.Errorf("bookmark %q → page %d y=%.0f shows %q", title, o.Page, y, got)
		}
		headingPage[title] = o.Page
	}

	// Links: contents entries go to their headings; footnote markers and
	// the IDs in footnotes to the index entries; cross-references to the
	// paragraphs they name.
	var tocLinks, markers, ids, xrefs int
	for i, p := range doc.Pages {
		var page struct {
			Annots []annot `json:"/Annots"`
		}
		if err := json.Unmarshal(objects["obj:"+p.Object].Value, &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Annots {
			if a.URI.URI != "" {
				continue
			}
			if len(a.Dest) < 4 || len(a.Rect) != 4 {
				t.Errorf("page %d: malformed link %+v", i+1, a)
				continue
			}
			ref, _ := a.Dest[0].(string)
			to, ok := pageOf[ref]
			if !ok {
				t.Errorf("page %d: link to %q, which is not a page", i+1, ref)
				continue
			}
			y, _ := a.Dest[3].(float64)
			src := cropText(t, pdf, i+1, a.Rect[0], a.Rect[1], a.Rect[2], a.Rect[3], pageH)
			dst := cropText(t, pdf, to, 60, y-1, 560, y-24, pageH)
			switch {
			case strings.Contains(src, ". ."):
				tocLinks++
				title := squash(strings.TrimRight(regexp.MustCompile(`[ .]+[0-9]+$`).ReplaceAllString(src, ""), ". "))
				title = regexp.MustCompile(`^[0-9.]+ `).ReplaceAllString(title, "")
				if !strings.Contains(dst, title) {
					t.Errorf("page %d: contents entry %q → page %d shows %q", i+1, src, to, dst)
				}
				if n := regexp.MustCompile(`([0-9]+)$`).FindString(src); n != strconv.Itoa(to) {
					t.Errorf("contents entry %q prints page %s but links to page %d", src, n, to)
				}
			case regexp.MustCompile(`^[0-9]+$`).MatchString(src):
				markers++ // a footnote marker: to the entry of the first item it cites
				if !regexp.MustCompile(`^(EV-[0-9]{4} |Rome Statute|Office of the Prosecutor)`).MatchString(dst) {
					t.Errorf("page %d: footnote marker %s → page %d shows %q", i+1, src, to, dst)
				}
			case strings.HasPrefix(src, "para."):
				xrefs++
				n := regexp.MustCompile(`^para\. ([0-9]+)`).FindStringSubmatch(src)
				if n == nil || !strings.HasPrefix(dst, n[1]+". ") {
					t.Errorf("page %d: cross-reference %q → page %d shows %q", i+1, src, to, dst)
				}
			default:
				id := regexp.MustCompile(`^(EV-[0-9]{4}|Rome Statute|Office of the Prosecutor)`).FindString(strings.TrimLeft(src, "["))
				if id == "" {
					t.Errorf("page %d: a link from %q to page %d (%q) of no known kind", i+1, src, to, dst)
					continue
				}
				ids++
				if !strings.HasPrefix(dst, id) {
					t.Errorf("page %d: citation %s → page %d shows %q", i+1, id, to, dst)
				}
			}
		}
	}
	if tocLinks < 20 {
		t.Errorf("only %d contents links", tocLinks)
	}
	// Every footnote's marker is a link, and so is every ID in a footnote.
	var buf bytes.Buffer
	c2, ev := loadCase(t)
	rep, err := render(context.Background(), &buf, c2, ev, Options{Date: testDate, Edition: edition.Confidential, Version: "1.2.3", Annexes: testAnnexes})
	if err != nil {
		t.Fatal(err)
	}
	if markers < rep.Footnotes || rep.Footnotes < 10 {
		t.Errorf("%d footnote marker links for %d footnotes", markers, rep.Footnotes)
	}
	if ids < rep.Footnotes {
		t.Errorf("only %d cited IDs are links, for %d footnotes", ids, rep.Footnotes)
	}
	if xrefs < 2 {
		t.Errorf("only %d cross-references are links", xrefs)
	}
	_ = c
}

func TestMetacharactersRenderLiterally(t *testing.T) {
	values := []string{
		"Student | pipe",
		"*not emphasis* and **not strong**",
		"# not a heading",
		"[not a link](http://example.org)",
		"_under_ and __score__",
		"`not code`",
		"<script>alert(1)</script>",
		"1. not a list",
		"- not a bullet",
		"> not a quote",
		"&amp; stays &amp;",
		`back\slash \| \*`,
		"[EV-9999] cites nothing",
		"{#id .class} ~~strike~~ ![img](x.png)",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			src := fmt.Sprintf("# Section\n\nBefore %s after.\n\n| Column | Other |\n|---|---|\n| %s | x |\n", md(v), md(v))
			var buf bytes.Buffer
			if err := RenderPDF(&buf, []byte(src), PDFOptions{Date: testDate}); err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			path := filepath.Join(t.TempDir(), "m.pdf")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			text := squash(run(t, "pdftotext", "-f", "3", "-enc", "UTF-8", path, "-"))
			want := v
			if strings.HasPrefix(v, "- ") {
				want = "– " + v[2:] // a spaced hyphen is set as a dash
			}
			if strings.HasPrefix(v, "[EV-") {
				// In running text a citation becomes a footnote; in a
				// table it stays in the cell.
				if !strings.Contains(text, "Before1 cites nothing after") || !strings.Contains(text, "EV-9999.") {
					t.Errorf("the citation did not become footnote 1:\n%s", text)
				}
				want = "[EV-9999] cites nothing"
				if n := strings.Count(text, want); n != 1 {
					t.Errorf("%q appears %d times in the table, want 1:\n%s", want, n, text)
				}
				return
			}
			if n := strings.Count(text, want); n != 2 {
				t.Errorf("%q appears %d times, want 2 (paragraph and table):\n%s", want, n, text)
			}
		})
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, v := range []string{"a|b", "*x*", "# h", "[l](u)", "_u_", "`c`", "<b>", "a\nb", "1. x", "12) y", "+ z", "- w", "> q", "  lead", "&copy;", `\`, "x\\", "~~s~~", "***", "---", "===", "    code", "www.example.org/a_b", "a@b.org", "Title {#id}"} {
		got := plainOf(t, "Text: "+string(md(v)))
		if want := "Text: " + squash(v); got != want {
			t.Errorf("md(%q) reads back as %q, want %q", v, got, want)
		}
		if got := plainOf(t, string(md(v))); got != squash(v) {
			t.Errorf("md(%q) at the start of a line reads back as %q", v, got)
		}
	}
}

// plainOf parses Markdown and returns its text, failing on anything but one
// plain paragraph.
func plainOf(t testing.TB, src string) string {
	t.Helper()
	doc, err := parseDocument([]byte(src), PDFOptions{Source: "t"})
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	root := newMarkdown().Parser().Parse(textReader([]byte(src)))
	if root.ChildCount() != 1 || root.FirstChild().Kind().String() != "Paragraph" {
		t.Fatalf("%q is not one paragraph", src)
	}
	_ = doc
	l := &layout{doc: &document{src: []byte(src)}}
	var b strings.Builder
	for _, s := range l.inlines(root.FirstChild(), 0, "", "", nil) {
		if s.st != 0 || s.anchor != "" || s.brk {
			t.Fatalf("%q produced styled text or a break: %+v", src, s)
		}
		b.WriteString(s.text)
	}
	return squash(b.String())
}

func TestRawHTMLIsRejectedWithItsPosition(t *testing.T) {
	tests := []struct {
		name, src   string
		line, col   int
		wantSnippet string
	}{
		{"inline", "# T\n\nSome *text* <b>bold</b>.\n", 3, 13, "<b>bold</b>."},
		{"block", "# T\n\npara\n\n<div>\nx\n</div>\n", 5, 1, "<div>"},
		{"comment", "# Título\n\nÁé <!-- hidden -->\n", 3, 4, "<!-- hidden -->"},
		{"in table", "# T\n\n| a |\n|---|\n| x <img src=x> |\n", 5, 5, "<img src=x> |"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := RenderPDF(&bytes.Buffer{}, []byte(tc.src), PDFOptions{Date: testDate, Source: "in.md"})
			var se *SourceError
			if !errors.As(err, &se) || !errors.Is(err, ErrRawHTML) {
				t.Fatalf("got %v, want a located raw-HTML error", err)
			}
			if se.Source != "in.md" || se.Line != tc.line || se.Column != tc.col || se.Snippet != tc.wantSnippet {
				t.Errorf("got %s:%d:%d %q, want in.md:%d:%d %q", se.Source, se.Line, se.Column, se.Snippet, tc.line, tc.col, tc.wantSnippet)
			}
		})
	}
}

func TestRawHTMLInCaseOrTemplate(t *testing.T) {
	c, _ := loadCase(t)
	bad := *c
	bad.Analysis.Context = "Line one.\n\nThe <span>context</span>."
	_, err := Markdown(&bad, nil, nil, Options{Date: testDate})
	var se *SourceError
	if !errors.As(err, &se) || se.Source != "case.json /analysis/context" || se.Line != 3 || se.Column != 5 {
		t.Errorf("case HTML: got %v", err)
	}
	user := fstest.MapFS{"x.tmpl": {Data: []byte("{{define \"justice\"}}\n# Justice\n\nA <em>{{ .Version }}</em>\n{{end}}")}}
	_, err = Markdown(c, nil, user, Options{Date: testDate})
	if !errors.As(err, &se) || se.Source != "x.tmpl" || se.Line != 4 || se.Column != 3 {
		t.Errorf("template HTML: got %v", err)
	}
	// An HTML-looking value in data is text, not HTML.
	ok := *c
	ok.Incidents = append([]schema.Incident(nil), c.Incidents...)
	ok.Incidents[0].Description = "<script>alert('x')</script>"
	if _, err := Markdown(&ok, nil, nil, Options{Date: testDate}); err != nil {
		t.Errorf("HTML-looking data was not escaped: %v", err)
	}
}

func TestTemplatesOverride(t *testing.T) {
	c, _ := loadCase(t)
	tests := []struct {
		name    string
		fs      fstest.MapFS
		want    []string
		notWant []string
	}{
		{"one section", fstest.MapFS{"justice.tmpl": {Data: []byte("{{define \"justice\"}}\n# Our view on justice\n\n{{ .Case.Submission.Sender.Organisation }} *says* {{ cite \"EV-0001\" }}\n{{end}}")}},
			[]string{"# Our view on justice", "Observatorio Guzmán Blanco *says* \\[EV-0001\\]", "# Facts"}, []string{"# Interests of justice"}},
		{"whole narrative", fstest.MapFS{"narrative.md.tmpl": {Data: []byte("# Only {{ .Case.Submission.Title }} | {{ len .Case.Evidence }}\n")}},
			[]string{"# Only Killings in La Vega, Caracas, 6–9 January 2021 | 4"}, []string{"# Facts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, err := Markdown(c, nil, tc.fs, Options{Date: testDate})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !bytes.Contains(md, []byte(w)) {
					t.Errorf("lacks %q:\n%s", w, md)
				}
			}
			for _, w := range tc.notWant {
				if bytes.Contains(md, []byte(w)) {
					t.Errorf("has %q", w)
				}
			}
		})
	}
	if _, err := Markdown(c, nil, fstest.MapFS{"bad.tmpl": {Data: []byte("{{ .Nope }")}}, Options{Date: testDate}); err == nil || !strings.Contains(err.Error(), "bad.tmpl:1") {
		t.Errorf("a template syntax error is not located: %v", err)
	}
	if _, err := Markdown(c, nil, fstest.MapFS{"narrative.md.tmpl": {Data: []byte("{{ .Nope }}")}}, Options{Date: testDate}); err == nil || !strings.Contains(err.Error(), "narrative.md.tmpl:1:3") {
		t.Errorf("a template execution error is not located: %v", err)
	}
}

// TestFileDigestSHA256: a file's SHA-256, held as bytes, is given in
// lower-case hex when asked, by a template as by Go, and is "" for a file
// the build did not hash; a user's template that reads .SHA256 of the
// files in .Evidence (templates/README.md) reads the same text.
func TestFileDigestSHA256(t *testing.T) {
	var sum [32]byte
	for i := range sum {
		sum[i] = byte(0xa0 + i)
	}
	want := "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	for _, tc := range []struct {
		name string
		f    FileDigest
		want string
	}{
		{"hashed", FileDigest{Sum256: sum, Hashed: true}, want},
		{"hashed, all zero", FileDigest{Hashed: true}, strings.Repeat("0", 64)},
		{"not hashed", FileDigest{Sum256: sum}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.SHA256(); got != tc.want {
				t.Errorf("SHA256() = %q, want %q", got, tc.want)
			}
			c, _ := loadCase(t)
			tmpl := fstest.MapFS{"narrative.md.tmpl": {Data: []byte(`{{ range .Evidence }}{{ range . }}[{{ .Path }} {{ .SHA256 }}]{{ end }}{{ end }}`)}}
			f := tc.f
			f.Path = "data/evidence/EV-0001/a.jpg"
			md, err := Markdown(c, EvidenceDigests{"EV-0001": {f}}, tmpl, Options{Date: testDate})
			if err != nil {
				t.Fatal(err)
			}
			if w := "[data/evidence/EV-0001/a.jpg " + tc.want + "]"; !strings.Contains(string(md), w) {
				t.Errorf("template wrote %q, want %q", md, w)
			}
		})
	}
}

func TestEmptySectionsAreLeftOut(t *testing.T) {
	c := &schema.Case{
		SchemaVersion: "1.0",
		Submission: schema.Submission{ID: "MIN-1", Title: "Minimal", Kind: "art15_communication", Date: "2024-05-01", Version: "1",
			Classification: "public", Languages: []string{"fr"},
			Sender:    schema.Sender{Organisation: "Association Élan", ContactPerson: "Anaïs", Email: "a@example.org"},
			Recipient: schema.Recipient{Body: "Office of the Prosecutor"}},
		Analysis:  schema.Analysis{Summary: "Résumé des faits [EV-0001]."},
		Incidents: []schema.Incident{{ID: "INC-01", Title: "Événement", Start: "2024-04", Location: schema.Location{Country: "FR"}, Description: "Ce qui s'est passé."}},
		Evidence:  []schema.Evidence{{ID: "EV-0001", Title: "Document", Type: "document", Classification: "public", Files: []schema.File{{Path: "e/doc.pdf", Role: "original"}}}},
	}
	// The case is written in French; its narrative is asked for in English.
	md, err := Markdown(c, nil, nil, Options{Date: testDate, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, absent := range []string{"# Context", "## Victims", "## Requests", "# Admissibility", "# Interests of justice",
		"## Forensic findings", "## The official version", "## Consent", "# Table of authorities", "## Subject-matter", "### Contextual", "\n\n\n"} {
		if strings.Contains(s, absent) {
			t.Errorf("empty section %q printed:\n%s", absent, s)
		}
	}
	for _, present := range []string{"# Executive summary", "# Facts", "## Chronology", "| April 2024 | INC-01 — Événement |  |", "# Evidence index", "# Jurisdiction",
		"took place in April 2024", "took place in France.", "None has been verified yet.", "Done on 1\u00a0May 2024.", "**Anaïs**\\\nFor Association Élan", "# Annex index"} {
		if !strings.Contains(s, present) {
			t.Errorf("missing %q:\n%s", present, s)
		}
	}
	// Every heading has content before the next heading of the same or a higher level.
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		if !strings.HasPrefix(ln, "#") {
			continue
		}
		lvl := len(ln) - len(strings.TrimLeft(ln, "#"))
		for _, next := range lines[i+1:] {
			if strings.TrimSpace(next) == "" {
				continue
			}
			if nl := len(next) - len(strings.TrimLeft(next, "#")); nl > 0 && nl <= lvl {
				t.Errorf("heading %q is empty", ln)
			}
			break
		}
	}
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, c, nil, Options{Date: testDate}); err != nil {
		t.Fatal(err)
	}
}

func TestGoldenText(t *testing.T) {
	pdf, _, _ := renderCase(t, edition.Confidential, "")
	got := run(t, "pdftotext", "-layout", "-enc", "UTF-8", pdf, "-")
	golden := filepath.Join("testdata", "golden", "case.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("pdftotext -layout differs from %s at line %d:\n got: %q\nwant: %q\n(run go test -update if the change is intended)", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("pdftotext -layout differs from %s in length (%d vs %d lines)", golden, len(gl), len(wl))
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, opt := range []PDFOptions{{Paper: "a3", Date: testDate}, {Date: testDate, Lang: "en) /JS (x"}, {}} {
		if err := RenderPDF(&bytes.Buffer{}, []byte("# x\n"), opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	c, _ := loadCase(t)
	if err := Render(context.Background(), &bytes.Buffer{}, c, nil, Options{Date: testDate, Edition: "draft"}); err == nil {
		t.Error("unknown edition accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Render(ctx, &bytes.Buffer{}, c, nil, Options{Date: testDate}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled render: %v", err)
	}
}

// TestLaVegaSample renders the bundled sample as casepack demo does and
// checks the text a reader (and pdftotext) gets from it.
func TestLaVegaSample(t *testing.T) {
	dir := filepath.Join("..", "..", "samples", "la-vega")
	doc, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("sample is invalid: %v", findings)
	}
	c := doc.Case
	opt := Options{Date: testDate, Version: "1.2.3"}
	md, err := Markdown(c, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(context.Background(), &buf, c, nil, opt); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "la-vega.pdf")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
	var want []string
	headings := 0
	for _, ln := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(ln, "#") {
			title := regexp.MustCompile(`\s*\{[^}]*\}$`).ReplaceAllString(strings.TrimLeft(ln, "# "), "")
			want = append(want, strings.ReplaceAll(plainOf(t, title), "'", "’"))
			headings++
		}
	}
	if headings < 20 {
		t.Fatalf("only %d headings in the La Vega narrative", headings)
	}
	for _, p := range c.Victims() {
		want = append(want, p.Pseudonym)
	}
	for _, e := range c.Evidence {
		want = append(want, e.ID)
	}
	want = append(want, "Guzmán Blanco", "O’Higgins", "Policía Nacional Bolivariana", c.Submission.ID)
	for _, w := range want {
		if !strings.Contains(text, squash(w)) {
			t.Errorf("pdftotext of the La Vega narrative lacks %q", w)
		}
	}
	if out := run(t, "qpdf", "--check", pdf); !strings.Contains(out, "No syntax or stream encoding errors found") {
		t.Errorf("qpdf --check:\n%s", out)
	}
}

func renderMarkdown(t *testing.T, src string, opt PDFOptions) string {
	t.Helper()
	if opt.Date.IsZero() {
		opt.Date = testDate
	}
	var buf bytes.Buffer
	if err := RenderPDF(&buf, []byte(src), opt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTableHeaderRepeatsOnEveryPage(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Register\n\n| Identifier | Description of the row |\n|---|---|\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "| EV-%04d | Row %d of a long register that spans several pages |\n", i+1, i+1)
	}
	pdf := renderMarkdown(t, b.String(), PDFOptions{})
	pages, _ := strconv.Atoi(regexp.MustCompile(`Pages:\s+([0-9]+)`).FindStringSubmatch(run(t, "pdfinfo", pdf))[1])
	if pages < 5 {
		t.Fatalf("the register fits on %d pages; the test needs it to span several", pages)
	}
	seen := 0
	for p := 3; p <= pages; p++ {
		text := run(t, "pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-layout", pdf, "-")
		rows := regexp.MustCompile(`EV-[0-9]{4}`).FindAllString(text, -1)
		seen += len(rows)
		if len(rows) > 0 && !strings.Contains(text, "Identifier") {
			t.Errorf("page %d has rows but no header", p)
		}
	}
	if seen != 150 {
		t.Errorf("%d rows drawn, want 150", seen)
	}
}

// TestNothingOverflows checks with pdftotext -bbox that no word crosses the
// right margin, whatever the text: hashes, URLs, long words, in every block.
func TestNothingOverflows(t *testing.T) {
	long := strings.Repeat("9f86d081884c7d65", 12)
	url := "https://example.org/" + strings.Repeat("very-long-path-segment/", 10) + "?q=" + long
	word := "Pneumonoultramicroscopicsilicovolcanoconiosis" + strings.Repeat("ísimo", 20)
	src := fmt.Sprintf("Cover %s\n\n# Heading %s\n\nText %s and <%s> and `%s`.\n\n- item %s\n  - nested %s\n\n> quoted %s\n\n```\ncode %s\n```\n\n| A | B | C |\n|---|---|---|\n| %s | %s | `%s` |\n",
		word, word, long, url, long, word, url, long, long, word, url, long)
	pdf := renderMarkdown(t, src, PDFOptions{Title: word})
	out := run(t, "pdftotext", "-bbox", pdf, "-")
	pageW := 595.28
	right := pageW - marginRight/ptMM*1 // margin in points
	re := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`)
	words := re.FindAllStringSubmatch(out, -1)
	if len(words) < 50 {
		t.Fatalf("pdftotext -bbox found %d words", len(words))
	}
	for _, w := range words {
		x0, _ := strconv.ParseFloat(w[1], 64)
		x1, _ := strconv.ParseFloat(w[2], 64)
		if x1 > right+1 || x0 < marginLeft/ptMM-1 {
			t.Errorf("word %q spans x %.1f–%.1f, outside the text area (%.1f–%.1f)", w[3], x0, x1, marginLeft/ptMM, right)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ md, want string }{
		{"# T\n\n" + string(md("O'Brien & Sons | *x* [y]")) + "\n", "T O'Brien & Sons | *x* [y]"},
		{"A **b** `c` [d](http://e) <https://f.org>\n\n| x | y\\|z |\n|---|---|\n| 1 | 2 |\n", "A b c d https://f.org x y|z 1 2"},
		{"Caf&eacute; &#233;\n", "Café é"},
		{string(md("Zacarías_Protegido*Quintero [alias]")) + "\n", "Zacarías_Protegido*Quintero [alias]"},
	}
	for _, tc := range tests {
		if got := PlainText([]byte(tc.md)); !strings.Contains(squash(got), tc.want) {
			t.Errorf("PlainText(%q) = %q, want it to contain %q", tc.md, got, tc.want)
		}
	}
}
