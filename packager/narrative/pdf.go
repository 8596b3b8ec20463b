package narrative

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"io"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/casepack/casepack/schema"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// PDFOptions describe the document around the Markdown: metadata, marks on
// every page and paper.
type PDFOptions struct {
	Title    string
	Author   string
	Subject  string
	Keywords string
	// Creator names the producing program with its version, e.g. "casepack 1.2.0".
	Creator string
	// Classification is printed in the header and footer of every page,
	// e.g. "CONFIDENTIAL". Empty prints nothing.
	Classification string
	// SubmissionID is printed in the footer of every page.
	SubmissionID string
	// Date is the creation and modification date written into the PDF. It must
	// be fixed (from --date or SOURCE_DATE_EPOCH) for reproducible output.
	Date time.Time
	// Paper is "a4" (the default) or "letter".
	Paper string
	// Lang is the document language as a BCP 47 tag, e.g. "en" or "es-VE".
	Lang string
	// TOCTitle heads the table of contents; "Contents" when empty.
	TOCTitle string
	// Source names the Markdown in error messages; "narrative.md" when empty.
	Source string
}

var langRe = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

func (o PDFOptions) normalize() (PDFOptions, error) {
	switch strings.ToLower(o.Paper) {
	case "", "a4":
		o.Paper = "A4"
	case "letter":
		o.Paper = "Letter"
	default:
		return o, fmt.Errorf("paper %q: must be a4 or letter", o.Paper)
	}
	if o.Lang != "" && !langRe.MatchString(o.Lang) {
		return o, fmt.Errorf("language %q: must be a language tag such as en or es-VE", o.Lang)
	}
	if o.Date.IsZero() {
		return o, fmt.Errorf("no document date: pass --date or set SOURCE_DATE_EPOCH so the PDF is reproducible")
	}
	o.Date = o.Date.UTC().Truncate(time.Second)
	if o.TOCTitle == "" {
		o.TOCTitle = "Contents"
	}
	if o.Source == "" {
		o.Source = "narrative.md"
	}
	return o, nil
}

// RenderPDF lays out the Markdown md (CommonMark with GFM tables) as a PDF and
// writes it to w. Content before the first level-1 heading forms the cover;
// a table of contents follows; level-1 to level-3 headings are numbered and
// bookmarked; a thematic break (---) starts a new page. Bracketed IDs such as
// [EV-0001] link to the table row whose first cell is that ID. Raw HTML is
// rejected with a *SourceError wrapping ErrRawHTML.
//
// The output depends only on md and opt: two calls give identical bytes.
func RenderPDF(w io.Writer, md []byte, opt PDFOptions) error {
	return renderPDF(context.Background(), w, md, opt)
}

func renderPDF(ctx context.Context, w io.Writer, md []byte, opt PDFOptions) (err error) {
	opt, err = opt.normalize()
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrInternal, r, debug.Stack())
		}
	}()
	doc, err := parseDocument(md, opt.Source)
	if err != nil {
		return err
	}
	// Pass 1 finds the page of every heading and anchor; pass 2 draws the
	// table of contents, "Page X of Y" and links with those numbers. The
	// contents pages reserve a fixed column for page numbers, so both passes
	// break pages identically.
	first := newLayout(ctx, doc, opt, nil)
	if err := first.run(); err != nil {
		return err
	}
	res := first.result()
	first = nil // its pages can go before pass 2 lays out its own
	second := newLayout(ctx, doc, opt, res)
	if err := second.run(); err != nil {
		return err
	}
	if second.pages() != res.pages {
		return fmt.Errorf("%w: page count changed between passes (%d, %d)", ErrInternal, res.pages, second.pages())
	}
	// The Markdown tree is not needed to write the file; letting it go
	// lowers the peak memory of large cases.
	// (The page header and footer, which fpdf still calls, hold the layout:
	// drop its document rather than the layout.)
	pdf := second.pdf
	second.doc, doc = nil, nil
	pdf.Close()
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("%w: %v", ErrInternal, err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cannot write the PDF: %w", fault.IO("", err))
	}
	return nil
}

// document is the parsed Markdown with its headings numbered.
type document struct {
	src      []byte
	cover    []ast.Node // blocks before the first level-1 heading
	body     []ast.Node
	headings []*heading
	byNode   map[ast.Node]*heading
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

func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(), parser.WithAttribute()),
	)
}

func parseDocument(src []byte, source string) (*document, error) {
	root := newMarkdown().Parser().Parse(textReader(src))
	if err := rejectHTML(root, src, source); err != nil {
		return nil, err
	}
	d := &document{src: src, byNode: map[ast.Node]*heading{}}
	inCover := true
	var counters [6]int
	prevOutline := -1
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 {
			inCover = false
		}
		if inCover {
			d.cover = append(d.cover, n)
			continue
		}
		d.body = append(d.body, n)
		h, ok := n.(*ast.Heading)
		if !ok {
			continue
		}
		hd := &heading{level: h.Level, title: plainText(h, src), numbered: true, toc: h.Level <= 2}
		if v, ok := h.AttributeString("id"); ok {
			if b, ok := v.([]byte); ok {
				hd.id = string(b)
			}
		}
		if v, ok := h.AttributeString("class"); ok {
			if b, ok := v.([]byte); ok {
				for _, c := range strings.Fields(string(b)) {
					switch c {
					case "unnumbered":
						hd.numbered = false
					case "notoc":
						hd.toc = false
					}
				}
			}
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
			hd.outline = min(h.Level-1, prevOutline+1)
			prevOutline = hd.outline
		} else {
			hd.outline = -1
		}
		d.headings = append(d.headings, hd)
		d.byNode[h] = hd
	}
	return d, nil
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

// plainText concatenates the text below n.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
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
	return strings.TrimSpace(b.String())
}

// xmpPacket is the XMP metadata stream, kept in step with the Info dictionary.
func xmpPacket(opt PDFOptions, producer string) []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(drawableXML(s)))
		return b.String()
	}
	date := opt.Date.Format("2006-01-02T15:04:05Z")
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">` + "\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if opt.Title != "" {
		fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", esc(opt.Title))
	}
	if opt.Author != "" {
		fmt.Fprintf(&b, "<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n", esc(opt.Author))
	}
	if opt.Subject != "" {
		fmt.Fprintf(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:description>\n", esc(opt.Subject))
	}
	if opt.Lang != "" {
		fmt.Fprintf(&b, "<dc:language><rdf:Bag><rdf:li>%s</rdf:li></rdf:Bag></dc:language>\n", esc(opt.Lang))
	}
	if opt.Keywords != "" {
		fmt.Fprintf(&b, "<pdf:Keywords>%s</pdf:Keywords>\n", esc(opt.Keywords))
	}
	fmt.Fprintf(&b, "<pdf:Producer>%s</pdf:Producer>\n", esc(producer))
	if opt.Creator != "" {
		fmt.Fprintf(&b, "<xmp:CreatorTool>%s</xmp:CreatorTool>\n", esc(opt.Creator))
	}
	fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n<xmp:MetadataDate>%s</xmp:MetadataDate>\n", date, date, date)
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return []byte(b.String())
}

// drawableXML drops characters XML 1.0 cannot carry.
func drawableXML(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r != 0xfffe && r != 0xffff && !(r >= 0xd800 && r < 0xe000)) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// newPDF creates the fpdf document with fonts and metadata set.
func newPDF(opt PDFOptions) *fpdf.Fpdf {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", SizeStr: opt.Paper, OrientationStr: "P"})
	for _, ff := range fontFiles {
		pdf.AddUTF8FontFromBytes(ff.family, ff.style, ff.ttf)
	}
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(opt.Date)
	pdf.SetModificationDate(opt.Date)
	producer := "casepack narrative (codeberg.org/go-pdf/fpdf v0.12.0)"
	pdf.SetProducer(producer, true)
	info := func(set func(string, bool), v string) {
		if v != "" {
			set(drawableXML(v), true)
		}
	}
	info(pdf.SetTitle, opt.Title)
	info(pdf.SetAuthor, opt.Author)
	info(pdf.SetSubject, opt.Subject)
	info(pdf.SetKeywords, opt.Keywords)
	info(pdf.SetCreator, opt.Creator)
	if opt.Lang != "" {
		pdf.SetLang(opt.Lang)
	}
	pdf.SetXmpMetadata(xmpPacket(opt, producer))
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.SetDisplayMode("fullwidth", "continuous")
	return pdf
}

// PlainText returns the text a reader sees in the Markdown: escapes and
// character references resolved, markup dropped, one space between words.
// The build checks the public edition's narrative against protected values
// on this text, where "O\'Brien" or "A &amp; B" read as they print.
func PlainText(md []byte) string {
	root := newMarkdown().Parser().Parse(textReader(md))
	var b strings.Builder
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			if n.IsRaw() {
				b.Write(n.Segment.Value(md))
			} else {
				b.WriteString(unescape(string(n.Segment.Value(md))))
			}
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(md))
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				b.Write(seg.Value(md))
			}
			b.WriteByte(' ')
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				b.Write(seg.Value(md))
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}
