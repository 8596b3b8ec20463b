package narrative

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/casepack/casepack/schema"
)

// The narrative's body is made of numbered paragraphs, as court filings are:
// every paragraph of running text after the first level-1 heading gets the
// next number (1, 2, 3 … through the whole document); headings, tables,
// lists and quotations are not numbered (a list or quotation belongs to the
// paragraph before it). A paragraph can carry attributes in braces at its
// very start, which are not printed:
//
//	{#requests} The sender asks …       a label, for cross-references
//	{.unnumbered} Done at Caracas …     no number
//	{.keep}                             keep with the next paragraph on one page
//	{.signature} **Name**\ Role         a signature: space and a line to sign on
//	{.entry #EV-0001} **EV-0001** …     an index entry: small, unnumbered, a link target
//	{.redacted} confidential testimony  a redaction mark (see RedactionMark);
//	                                    a list item or quoted paragraph may be one too
//
// A cross-reference is an internal link with no text: [](#requests) prints
// "para. 12", [](#facts) prints "section 6" for a numbered heading, and
// [](#cited:EV-0001) prints the paragraphs that cite EV-0001 ("paras 4, 9").
// A level-1 heading with the class .annex ("# Evidence index {.annex}")
// starts a part whose paragraphs are not numbered.
//
// Values from case data are escaped before they reach the Markdown, so a
// case field can never forge an attribute or a cross-reference.

// RedactionMark returns a paragraph of Markdown that prints, in place of a
// withheld paragraph, a visible mark with the reason: "[Redacted —
// confidential testimony]". It is a numbered paragraph like the one it
// replaces, so a public edition that swaps each withheld paragraph for a
// mark keeps every paragraph number of the confidential edition. The
// template helper "redacted" writes the same.
func RedactionMark(reason string) MD {
	return MD("{.redacted} " + escapeInline(reason))
}

// attrRe matches a paragraph's attribute block.
var attrRe = regexp.MustCompile(`^\{((?:#[A-Za-z][A-Za-z0-9:._-]*|\.[a-z][a-z-]*)(?:[ \t]+(?:#[A-Za-z][A-Za-z0-9:._-]*|\.[a-z][a-z-]*))*)\}[ \t]*`)

// para is what the parse learnt about one paragraph.
type para struct {
	num       int // 0: not numbered
	label     string
	entry     bool
	keep      bool
	signature bool
	redacted  bool
}

// document is the parsed Markdown with its headings and paragraphs numbered.
type document struct {
	src      []byte
	cover    []ast.Node // blocks before the first level-1 heading
	body     []ast.Node
	headings []*heading
	byNode   map[ast.Node]*heading
	paras    map[ast.Node]*para
	// labels maps a cross-reference label to its paragraph number (or 0)
	// and heading (or nil).
	labels map[string]xrefTarget
	// citedIn maps a cited evidence or authority ID to the numbers of the
	// paragraphs that cite it, in order, without repeats.
	citedIn map[string][]int
	// authorities are the IDs a citation may name besides evidence, with
	// the short title footnotes print.
	authorities map[string]string
}

type xrefTarget struct {
	para    int
	heading *heading
}

type heading struct {
	level    int
	number   string // "2.1"; empty when unnumbered
	title    string
	id       string
	toc      bool
	outline  int // outline level, continuous from the previous heading
	numbered bool
}

func (h *heading) label() string {
	if h.number == "" {
		return h.title
	}
	return h.number + "  " + h.title
}

// outlineLabel is the heading as the PDF outline (bookmarks) lists it: one
// space after the number, as readers' bookmark panes expect.
func (h *heading) outlineLabel() string {
	if h.number == "" {
		return h.title
	}
	return h.number + " " + h.title
}

func textReader(src []byte) text.Reader { return text.NewReader(src) }

// newMarkdown is the parser for reading text back (PlainText, checks).
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()),
	)
}

// typographer turns plain quotes, apostrophes, dashes and dots into their
// typographic forms as the PDF is laid out: "a" → “a”, it's → it’s,
// -- → –, --- → —, ... → …. Code spans and links keep theirs.
var typographer = extension.NewTypographer(extension.WithTypographicSubstitutions(extension.TypographicSubstitutions{
	extension.LeftSingleQuote:  []byte("‘"),
	extension.RightSingleQuote: []byte("’"),
	extension.LeftDoubleQuote:  []byte("“"),
	extension.RightDoubleQuote: []byte("”"),
	extension.EnDash:           []byte("–"),
	extension.EmDash:           []byte("—"),
	extension.Ellipsis:         []byte("…"),
	extension.LeftAngleQuote:   []byte("«"),
	extension.RightAngleQuote:  []byte("»"),
	extension.Apostrophe:       []byte("’"),
}))

func newLayoutMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()),
	)
}

func parseDocument(src []byte, opt PDFOptions) (*document, error) {
	source, authorities := opt.Source, opt.Authorities
	root := newLayoutMarkdown().Parser().Parse(textReader(src))
	if err := rejectHTML(root, src, source); err != nil {
		return nil, err
	}
	d := &document{src: src, byNode: map[ast.Node]*heading{}, paras: map[ast.Node]*para{},
		labels: map[string]xrefTarget{}, citedIn: map[string][]int{}, authorities: authorities}
	inCover := true
	var counters [6]int
	prevOutline := -1
	num, cur := 0, 0    // last paragraph number; the paragraph now being read (0: none)
	annex := opt.Letter // a letter's paragraphs are not numbered
	isAuth := func(id string) bool { _, ok := authorities[id]; return ok }
	var labelErr error
	addLabel := func(label string, x xrefTarget, n ast.Node) {
		if _, dup := d.labels[label]; dup && labelErr == nil {
			off := 0
			if n.Lines().Len() > 0 {
				off = n.Lines().At(0).Start
			}
			line, col := position(src, off)
			labelErr = &SourceError{Source: source, Line: line, Column: col, Snippet: snippet(src, off),
				Err: fmt.Errorf("the label #%s is used twice", label)}
		}
		d.labels[label] = x
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 || opt.Letter {
			inCover = false
		}
		if inCover {
			d.cover = append(d.cover, n)
			continue
		}
		d.body = append(d.body, n)
		switch n := n.(type) {
		case *ast.Heading:
			cur = 0
			hd := d.heading(n, &counters, &prevOutline)
			if n.Level == 1 {
				annex = opt.Letter || hasClass(n, "annex")
			}
			if hd.id != "" {
				addLabel(hd.id, xrefTarget{heading: hd}, n)
			}
			continue
		case *ast.Paragraph:
			p := d.attributes(n)
			if p == nil {
				p = &para{}
			}
			if !annex && !p.entry && !p.signature && !p.unnumbered() {
				num++
				p.num = num
				cur = num
			} else {
				cur = 0
			}
			d.paras[n] = p
			if p.label != "" {
				addLabel(p.label, xrefTarget{para: p.num}, n)
			}
		case *ast.ThematicBreak:
			continue
		}
		if _, ok := n.(*ast.Paragraph); !ok {
			d.nestedMarks(n)
		}
		if cur > 0 {
			d.noteCitations(n, cur, isAuth)
		}
	}
	if labelErr != nil {
		return nil, labelErr
	}
	for id, nums := range d.citedIn {
		sort.Ints(nums)
		d.citedIn[id] = compactInts(nums)
	}
	return d, nil
}

func compactInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func (p *para) unnumbered() bool { return p.num < 0 }

// heading numbers a heading and records it.
func (d *document) heading(h *ast.Heading, counters *[6]int, prevOutline *int) *heading {
	hd := &heading{level: h.Level, title: plainText(h, d.src), numbered: true, toc: h.Level <= 2}
	if v, ok := h.AttributeString("id"); ok {
		if b, ok := v.([]byte); ok {
			hd.id = string(b)
		}
	}
	if hasClass(h, "unnumbered") {
		hd.numbered = false
	}
	if hasClass(h, "notoc") {
		hd.toc = false
	}
	if hd.numbered && h.Level <= 3 {
		counters[h.Level-1]++
		for i := h.Level; i < len(counters); i++ {
			counters[i] = 0
		}
		parts := make([]string, h.Level)
		for i := range parts {
			parts[i] = fmt.Sprint(counters[i])
		}
		hd.number = strings.Join(parts, ".")
		if h.Level == 1 {
			hd.number += "."
		}
	}
	if h.Level <= 3 {
		hd.outline = min(h.Level-1, *prevOutline+1)
		*prevOutline = hd.outline
	} else {
		hd.outline = -1
	}
	d.headings = append(d.headings, hd)
	d.byNode[h] = hd
	return hd
}

func hasClass(n ast.Node, class string) bool {
	v, ok := n.AttributeString("class")
	if !ok {
		return false
	}
	b, ok := v.([]byte)
	return ok && strings.Contains(" "+string(b)+" ", " "+class+" ")
}

// attributes reads and removes a paragraph's leading attribute block.
func (d *document) attributes(n ast.Node) *para {
	if n.Lines().Len() == 0 {
		return nil
	}
	start := n.Lines().At(0).Start
	m := attrRe.FindSubmatchIndex(d.src[start:n.Lines().At(0).Stop])
	if m == nil {
		return nil
	}
	p := &para{}
	for _, a := range strings.Fields(string(d.src[start+m[2] : start+m[3]])) {
		switch {
		case strings.HasPrefix(a, "#"):
			p.label = a[1:]
		case a == ".unnumbered":
			p.num = -1
		case a == ".keep":
			p.keep = true
		case a == ".signature":
			p.signature, p.keep = true, true
		case a == ".entry":
			p.entry = true
		case a == ".redacted":
			p.redacted = true
		}
	}
	// Drop the attribute text from the paragraph's inline content: it may
	// have been split over several text nodes.
	end := start + m[1]
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if !ok || t.Segment.Start >= end {
			break
		}
		if t.Segment.Stop <= end {
			n.RemoveChild(n, c)
		} else {
			t.Segment = t.Segment.WithStart(end)
			break
		}
		c = next
	}
	return p
}

// nestedMarks reads the redaction marks inside a list or quotation (a list
// item or quoted paragraph that starts with {.redacted}): they are drawn as
// marks, unnumbered, like the paragraph they belong to. Other attribute
// blocks are only read on the paragraphs of the body.
func (d *document) nestedMarks(n ast.Node) {
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c == n {
			return ast.WalkContinue, nil
		}
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			if c.Lines().Len() > 0 {
				first := c.Lines().At(0)
				if m := attrRe.FindSubmatch(d.src[first.Start:first.Stop]); m != nil && slices.Contains(strings.Fields(string(m[1])), ".redacted") {
					p := d.attributes(c)
					p.num, p.keep = 0, false
					d.paras[c] = p
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// noteCitations records the IDs cited in block n as cited in paragraph num.
func (d *document) noteCitations(n ast.Node, num int, isAuth func(string) bool) {
	s := textOf(n, d.src, false)
	if !strings.Contains(s, "[") {
		return
	}
	for _, g := range schema.ParseCitations(s, isAuth) {
		for _, it := range g.Items {
			d.citedIn[it.ID] = append(d.citedIn[it.ID], num)
		}
	}
}

// referenced returns the IDs the Markdown md cites ([EV-0001]) or links to
// ([EV-0001](#EV-0001)) anywhere, code spans aside.
func referenced(md []byte, authorities map[string]string) map[string]bool {
	isAuth := func(id string) bool { _, ok := authorities[id]; return ok }
	refs := map[string]bool{}
	root := newMarkdown().Parser().Parse(textReader(md))
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if id, ok := strings.CutPrefix(string(n.Destination), "#"); ok {
				refs[id] = true
			}
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell:
			for _, g := range schema.ParseCitations(textOf(n, md, false), isAuth) {
				for _, it := range g.Items {
					refs[it.ID] = true
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return refs
}

// xrefText is what an empty internal link to label prints.
func (d *document) xrefText(label string, w *Words) (string, bool) {
	if id, ok := strings.CutPrefix(label, "cited:"); ok {
		return w.paragraphs(d.citedIn[id]), true
	}
	x, ok := d.labels[label]
	switch {
	case !ok:
		return "", false
	case x.heading != nil && x.heading.number != "":
		return w.Section + "\u00a0" + strings.TrimSuffix(x.heading.number, "."), true
	case x.heading != nil:
		return x.heading.title, true
	case x.para > 0:
		return w.Para + "\u00a0" + fmt.Sprint(x.para), true
	}
	return "", false
}

// rejectHTML returns a located error for the first raw HTML in the document.
func rejectHTML(root ast.Node, src []byte, source string) error {
	tags := schema.RawHTMLIn(root, src)
	if len(tags) == 0 {
		return nil
	}
	line, col := position(src, tags[0].Offset)
	return &SourceError{Source: source, Line: line, Column: col, Snippet: snippet(src, tags[0].Offset), Err: ErrRawHTML}
}

// textValue is the text of a text node as a reader sees it: escapes resolved
// unless the node is raw.
func textValue(t *ast.Text, src []byte) string {
	if t.IsRaw() {
		return string(t.Segment.Value(src))
	}
	return unescape(string(t.Segment.Value(src)))
}

// plainText concatenates the text below n.
func plainText(n ast.Node, src []byte) string { return strings.TrimSpace(textOf(n, src, true)) }

// textOf concatenates the text below n, with the text of code spans or
// without (code does not cite).
func textOf(n ast.Node, src []byte, code bool) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.CodeSpan:
			if !code {
				return ast.WalkSkipChildren, nil
			}
		case *ast.Text:
			if c.IsRaw() {
				b.Write(c.Segment.Value(src))
			} else {
				b.WriteString(unescape(string(c.Segment.Value(src))))
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
