package narrative

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"io"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"
	"golang.org/x/text/unicode/norm"
)

// PDFOptions describe the document around the Markdown: metadata, marks on
// every page, paper, fonts and the authorities citations may name.
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
	// Source names the Markdown in error messages; "narrative.md" when empty.
	Source string
	// Fonts are fallback fonts for characters Liberation Serif lacks.
	Fonts []Font
	// Authorities maps the ID of each authority a citation may name
	// ([RS art. 7(1)(a)]) to the short title its footnote prints.
	Authorities map[string]string
	// Words are the strings the layout prints itself; English when nil.
	Words *Words
	// Letter lays the Markdown out as a letter: no title page, no table of
	// contents, no paragraph numbers, citations inline.
	Letter bool
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
	if o.Words == nil {
		o.Words = English()
	}
	if o.Source == "" {
		o.Source = "narrative.md"
	}
	return o, nil
}

// RenderPDF lays out the Markdown md (CommonMark with GFM tables) as a PDF and
// writes it to w. Content before the first level-1 heading forms the cover;
// a table of contents follows; level-1 to level-3 headings are numbered and
// bookmarked; the paragraphs of the body are numbered continuously (see
// document.go for paragraph attributes and cross-references); a thematic
// break (---) starts a new page. Citations in running text ([EV-0001],
// [EV-0005 @ 00:01:12; EV-0006], [RS art. 7]) become footnotes at the foot
// of the page; in tables and index entries they stay inline. Each cited ID
// links to the table row or index entry that is its anchor. Raw HTML is
// rejected with a *SourceError wrapping ErrRawHTML; a character no font can
// draw, or right-to-left text, with a *GlyphError.
//
// The output depends only on md and opt: two calls give identical bytes.
func RenderPDF(w io.Writer, md []byte, opt PDFOptions) error {
	_, err := renderPDF(context.Background(), w, md, opt)
	return err
}

func renderPDF(ctx context.Context, w io.Writer, md []byte, opt PDFOptions) (rep *layoutReport, err error) {
	opt, err = opt.normalize()
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrInternal, r, debug.Stack())
		}
	}()
	fonts, err := newFontSet(opt.Fonts)
	if err != nil {
		return nil, err
	}
	// Text is laid out in Unicode normalisation form C, so a letter typed
	// as a base and a combining accent prints as the one precomposed glyph
	// the fonts have.
	md = norm.NFC.Bytes(md)
	doc, err := parseDocument(md, opt)
	if err != nil {
		return nil, err
	}
	// Pass 1 finds the page of every heading and anchor; pass 2 draws the
	// table of contents, "Page X of Y" and links with those numbers. The
	// contents pages reserve a fixed column for page numbers, so both passes
	// break pages identically.
	first := newLayout(ctx, doc, opt, fonts, nil)
	if err := first.run(); err != nil {
		return nil, err
	}
	res := first.result()
	first = nil // its pages can go before pass 2 lays out its own
	second := newLayout(ctx, doc, opt, fonts, res)
	if err := second.run(); err != nil {
		return nil, err
	}
	if second.pages() != res.pages {
		return nil, fmt.Errorf("%w: page count changed between passes (%d, %d)", ErrInternal, res.pages, second.pages())
	}
	rep = second.report()
	// The Markdown tree is not needed to write the file; letting it go
	// lowers the peak memory of large cases.
	pdf := second.pdf
	second.doc, doc = nil, nil
	pdf.Close()
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInternal, err)
	}
	seed := sha256.Sum256(md)
	if _, err := w.Write(tagSubsets(buf.Bytes(), fonts, seed[:])); err != nil {
		return nil, fmt.Errorf("cannot write the PDF: %w", fault.IO("", err))
	}
	return rep, nil
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
	// Fonts are added when first used (layout.setFace): parsing a font
	// is most of the cost of a short document.
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
