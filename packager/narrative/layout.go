package narrative

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Typography, in millimetres and points. The text block is 136 mm wide,
// which sets 12 pt Liberation Serif at about 75 characters a line (a
// comfortable measure is 65–80); paragraph numbers hang in the gutter to
// its left; tables may use the full width to the right margin.
const (
	ptMM        = 25.4 / 72
	bodySize    = 12.0
	leading     = 1.3
	tableSize   = 8.5
	codeSize    = 8.5
	noteSize    = 8.5
	noteLeading = 1.22
	entrySize   = 9.0
	marginLeft  = 25.0 // page edge to the paragraph numbers
	gutter      = 12.0 // paragraph numbers hang here
	textWidth   = 136.0
	marginRight = 22.0 // right edge of tables and page furniture
	marginTop   = 24.0
	marginBot   = 22.0
	listIndent  = 6.0
	quoteIndent = 8.0
	cellPadH    = 1.6
	cellPadV    = 1.1
	shortCell   = 24.0 // a cell this narrow or less is never wrapped
	monoScale   = 0.86 // Liberation Mono is wide: match the serif's x-height
	noteIndent  = 6.0  // footnote text starts this far right of its number
	noteRule    = 45.0 // length of the rule above the footnotes
	noteSep     = 4.0  // space the rule takes above the footnotes
	supScale    = 0.62 // footnote markers
	sigSpace    = 16.0 // room to sign, above the signature line
	sigLine     = 62.0
)

var (
	colText    = [3]int{20, 20, 20}
	colLink    = [3]int{0, 60, 150}
	colMuted   = [3]int{90, 90, 90}
	colRule    = [3]int{170, 170, 170}
	colHead    = [3]int{0, 45, 95}
	colFill    = [3]int{232, 236, 242}
	colCode    = [3]int{244, 244, 244}
	colBanner  = [3]int{160, 0, 0}
	colRedact  = [3]int{225, 225, 225}
	colRedactT = [3]int{60, 60, 60}
)

type style uint8

const (
	stBold style = 1 << iota
	stItalic
	stMono
)

// span is a run of inline text with one style and at most one link.
type span struct {
	text   string
	st     style
	anchor string    // internal link target
	url    string    // external link
	brk    bool      // hard line break
	note   *footnote // a footnote marker
}

type piece struct {
	text   string
	st     style
	face   int
	anchor string
	url    string
	w      float64
	scale  float64 // of the font size; 0 is 1
	rise   float64 // baseline shift up, in mm
	note   *footnote
}

type word struct {
	pieces  []piece
	w       float64
	space   float64 // width of the space before the word, 0 if glued
	brk     bool
	noSplit bool // a digest: scaled down to fit rather than broken
}

type frag struct {
	piece
	x float64
}

type line struct {
	frags []frag
	w     float64
	notes []*footnote
	runes int // characters on the line, spaces included
}

// footnote is one footnote: its number, text and, once measured, its lines.
type footnote struct {
	num   int
	spans []span
	lines []line
}

func (n *footnote) height() float64 { return float64(len(n.lines)) * lineHeight(noteSize, noteLeading) }

// passResult carries what pass 1 learnt into pass 2.
type passResult struct {
	pages    int
	headings map[*heading]int // page of each heading
	anchors  map[string]bool
}

// layoutReport is the layout engine's own record of how it set the
// document, for tests: where blocks were split across pages and the
// measure of the body text.
type layoutReport struct {
	Pages int
	// Splits lists every paragraph and table that runs over a page break,
	// with how many lines (rows) of it each page holds.
	Splits []split
	// BodyLines counts the characters of every full line (all but the last
	// of a paragraph) of the numbered body paragraphs.
	BodyLines []int
	Footnotes int
	// Paragraphs is the number of numbered paragraphs.
	Paragraphs int
	// Diagrams says what became of each chain-of-command diagram.
	Diagrams []diagramReport
}

type split struct {
	Kind   string // "paragraph" or "table"
	Pieces []int  // lines (rows) on each page, in order
	Pages  []int  // the page of each piece
	Forced bool   // a block taller than a page: split where it had to be
	What   string // the start of its text, for messages
}

type layout struct {
	ctx   context.Context
	doc   *document
	opt   PDFOptions
	vocab *Words
	fonts *fontSet
	prev  *passResult
	pdf   *fpdf.Fpdf
	err   error

	pageW, pageH, top, bottom float64
	x0, w                     float64 // current text box
	tableX0, tableW           float64
	quotes                    []float64
	marker                    *frag // list or paragraph number drawn with the next line
	markerAlign               string
	center                    bool
	tight                     int
	inBody                    bool // footnotes are made only in body text
	inlineCites               bool // citations stay in the text (tables, index entries)
	hyphenate                 bool // a word split between two letters gets a visible hyphen (tables)

	// Footnotes of the current page, the height they take, and footnote
	// lines carried over from a page they did not fit on.
	notes   []*footnote
	notesH  float64
	carry   []line
	noteNum int

	links   map[string]int
	res     passResult
	rep     layoutReport
	curFace int
	curSize float64
	added   map[int]bool // faces added to the PDF
	spaceW  map[fontKey]float64
}

type fontKey struct {
	face int
	size float64
}

func newLayout(ctx context.Context, doc *document, opt PDFOptions, fonts *fontSet, prev *passResult) *layout {
	l := &layout{ctx: ctx, doc: doc, opt: opt, vocab: opt.Words, fonts: fonts, prev: prev, spaceW: map[fontKey]float64{}, curFace: -1, added: map[int]bool{}}
	l.res = passResult{headings: map[*heading]int{}, anchors: map[string]bool{}}
	l.pdf = newPDF(opt)
	l.pageW, l.pageH = l.pdf.GetPageSize()
	l.top, l.bottom = marginTop, l.pageH-marginBot
	l.x0, l.w = marginLeft+gutter, textWidth
	if opt.Letter {
		// A letter has no paragraph numbers to hang in the gutter.
		l.x0, l.w = marginLeft, l.pageW-marginLeft-marginRight-8
	}
	l.tableX0, l.tableW = l.x0, l.pageW-marginRight-l.x0
	if prev != nil {
		names := make([]string, 0, len(prev.anchors))
		for a := range prev.anchors {
			names = append(names, a)
		}
		sort.Strings(names)
		l.links = make(map[string]int, len(names))
		for _, a := range names {
			l.links[a] = l.pdf.AddLink()
		}
	}
	l.pdf.SetHeaderFunc(l.header)
	l.pdf.SetFooterFunc(l.footer)
	return l
}

func (l *layout) result() *passResult { r := l.res; r.pages = l.pdf.PageNo(); return &r }
func (l *layout) pages() int          { return l.pdf.PageNo() }

func (l *layout) report() *layoutReport {
	r := l.rep
	r.Pages = l.pdf.PageNo()
	r.Footnotes = l.noteNum
	return &r
}

// fail records the first error; layout stops at the next block.
func (l *layout) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

func (l *layout) run() error {
	if !l.opt.Letter {
		l.cover()
		if len(l.doc.headings) > 0 {
			l.toc()
		}
	}
	if len(l.doc.body) > 0 {
		l.newPage()
		l.inBody = !l.opt.Letter
		body := l.doc.body
		for i, n := range body {
			if err := l.ctx.Err(); err != nil {
				return err
			}
			if p := l.doc.paras[n]; p != nil && p.keep && (i == 0 || !l.kept(body[i-1])) {
				l.keepGroup(body[i:])
			}
			l.block(n)
			if l.err != nil {
				return l.err
			}
			if err := l.pdf.Error(); err != nil {
				return fmt.Errorf("%w: %v", ErrInternal, err)
			}
		}
		l.inBody = false
	}
	l.flushNotes()
	if l.err != nil {
		return l.err
	}
	return l.pdf.Error()
}

func (l *layout) kept(n ast.Node) bool { p := l.doc.paras[n]; return p != nil && p.keep }

// keepGroup starts a new page unless the paragraphs marked .keep at the
// start of blocks, and the paragraph after them, fit on this one.
func (l *layout) keepGroup(blocks []ast.Node) {
	h := 0.0
	for _, n := range blocks {
		p, ok := n.(*ast.Paragraph)
		if !ok {
			break
		}
		h += l.paragraphHeight(p)
		if !l.kept(n) {
			break
		}
	}
	l.ensure(h)
}

// ---- page furniture ----

func (l *layout) setColor(c [3]int) { l.pdf.SetTextColor(c[0], c[1], c[2]) }

func (l *layout) setFace(face int, size float64) {
	if face == l.curFace && size == l.curSize {
		return
	}
	f := l.fonts.faces[face]
	if !l.added[face] {
		l.pdf.AddUTF8FontFromBytes(f.family, f.style, f.ttf)
		l.added[face] = true
	}
	l.pdf.SetFont(f.family, f.style, size)
	l.curFace, l.curSize = face, size
}

// pieceSize is the font size a piece is set in.
func pieceSize(p piece, size float64) float64 {
	if p.st&stMono != 0 {
		size *= monoScale
	}
	if p.scale != 0 {
		size *= p.scale
	}
	return size
}

// plain draws a string of text in one style, for page furniture.
func (l *layout) plain(s string, st style, size, x, y, w float64, align string) {
	rs, err := l.fonts.runs(clean(s), st)
	if err != nil {
		l.fail(err)
		return
	}
	total := 0.0
	for _, r := range rs {
		l.setFace(r.face, size)
		total += l.pdf.GetStringWidth(r.text)
	}
	switch align {
	case "C":
		x += (w - total) / 2
	case "R":
		x += w - total
	}
	for _, r := range rs {
		l.setFace(r.face, size)
		rw := l.pdf.GetStringWidth(r.text)
		l.pdf.SetXY(x, y)
		l.pdf.CellFormat(rw, 5, r.text, "", 0, "L", false, 0, "")
		x += rw
	}
}

func (l *layout) header() {
	l.curFace = -1 // fpdf restores its own font around the header
	if l.opt.Classification == "" {
		return
	}
	l.setColor(colBanner)
	l.plain(strings.ToUpper(l.opt.Classification), stBold, 9, marginLeft, 9, l.pageW-marginLeft-marginRight, "C")
	l.pdf.SetDrawColor(colBanner[0], colBanner[1], colBanner[2])
	l.pdf.SetLineWidth(0.3)
	l.pdf.Line(marginLeft, 15.5, l.pageW-marginRight, 15.5)
}

func (l *layout) footer() {
	l.curFace = -1
	y := l.pageH - 14
	l.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	l.pdf.SetLineWidth(0.2)
	l.pdf.Line(marginLeft, y-1.5, l.pageW-marginRight, y-1.5)
	w := l.pageW - marginLeft - marginRight
	l.setColor(colMuted)
	l.plain(l.opt.SubmissionID, 0, 8, marginLeft, y, w/3, "L")
	if l.opt.Classification != "" {
		l.setColor(colBanner)
		l.plain(strings.ToUpper(l.opt.Classification), stBold, 8, marginLeft+w/3, y, w/3, "C")
		l.setColor(colMuted)
	}
	total := "?"
	if l.prev != nil {
		total = strconv.Itoa(l.prev.pages)
	}
	l.plain(l.vocab.PageOf(l.pdf.PageNo(), total), 0, 8, marginLeft+2*w/3, y, w/3, "R")
}

func (l *layout) newPage() {
	if l.pdf.PageNo() > 0 {
		l.flushNotes()
	}
	l.pdf.AddPage()
	l.curFace = -1
	l.pdf.SetY(l.top)
	if len(l.carry) > 0 {
		l.notesH = noteSep + float64(len(l.carry))*lineHeight(noteSize, noteLeading)
	}
}

func (l *layout) y() float64 { return l.pdf.GetY() }

func (l *layout) atTop() bool { return l.y() <= l.top+0.01 }

// floor is the lowest y body text may reach on this page: the bottom
// margin less the footnotes placed so far.
func (l *layout) floor() float64 { return l.bottom - l.notesH }

// gap adds vertical space unless at the top of a page.
func (l *layout) gap(h float64) {
	if l.atTop() {
		return
	}
	y := l.y() + h
	if y > l.floor() {
		y = l.floor()
	}
	l.pdf.SetY(y)
}

func (l *layout) ensure(h float64) {
	if l.y()+h > l.floor() && !l.atTop() {
		l.newPage()
	}
}

func lineHeight(size, lead float64) float64 { return size * ptMM * lead }

func bodyLH(size float64) float64 { return lineHeight(size, leading) }

// ---- footnotes ----

// noteLines lays out a footnote's text once, at the footnote width.
func (l *layout) noteLines(n *footnote) {
	if n.lines != nil {
		return
	}
	saved := l.inlineCites
	l.inlineCites = true
	n.lines = l.breakLines(l.words(n.spans, noteSize), l.w-noteIndent, noteSize)
	l.inlineCites = saved
	n.spans = nil
}

// notesHeight is the footnote height a line adds to the page.
func (l *layout) notesHeight(ln line) float64 {
	h := 0.0
	for _, n := range ln.notes {
		l.noteLines(n)
		h += n.height()
	}
	if h > 0 && l.notesH == 0 {
		h += noteSep
	}
	return h
}

// addNotes puts a line's footnotes on the current page.
func (l *layout) addNotes(ln line) {
	if len(ln.notes) == 0 {
		return
	}
	l.notesH += l.notesHeight(ln)
	l.notes = append(l.notes, ln.notes...)
}

// flushNotes draws the current page's footnotes at its foot, carrying
// the lines that do not fit to the next page.
func (l *layout) flushNotes() {
	if len(l.notes) == 0 && len(l.carry) == 0 {
		return
	}
	lh := lineHeight(noteSize, noteLeading)
	marker, quotes := l.marker, l.quotes
	l.marker, l.quotes = nil, nil // they belong to the body text
	defer func() { l.marker, l.quotes = marker, quotes }()
	y := l.bottom - l.notesH
	if y < l.y() {
		y = l.y()
	}
	l.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	l.pdf.SetLineWidth(0.25)
	l.pdf.Line(l.x0, y+noteSep/2-0.5, l.x0+noteRule, y+noteSep/2-0.5)
	y += noteSep
	var pending []line
	pending, l.carry = l.carry, nil
	type numbered struct {
		ln  line
		num int
	}
	var all []numbered
	for _, ln := range pending {
		all = append(all, numbered{ln, 0})
	}
	for _, n := range l.notes {
		for i, ln := range n.lines {
			num := 0
			if i == 0 {
				num = n.num
			}
			all = append(all, numbered{ln, num})
		}
	}
	for _, x := range all {
		if y+lh > l.bottom+0.01 {
			l.carry = append(l.carry, x.ln)
			continue
		}
		if x.num > 0 {
			l.setColor(colText)
			l.plain(strconv.Itoa(x.num), 0, noteSize, l.x0, y, noteIndent-1.5, "L")
		}
		l.pdf.SetY(y)
		l.drawLine(x.ln, l.x0+noteIndent, l.w-noteIndent, noteSize, lh, "L")
		y += lh
	}
	l.notes, l.notesH = nil, 0
}

// ---- anchors and links ----

func (l *layout) setAnchor(name string) {
	if name == "" || l.res.anchors[name] {
		return
	}
	l.res.anchors[name] = true
	if id, ok := l.links[name]; ok {
		l.pdf.SetLink(id, l.y(), l.pdf.PageNo())
	}
}

func (l *layout) linkID(anchor string) int {
	if anchor == "" || l.links == nil {
		return 0
	}
	return l.links[anchor]
}

// ---- inline layout ----

func (l *layout) spaceWidth(face int, size float64) float64 {
	k := fontKey{face, size}
	if w, ok := l.spaceW[k]; ok {
		return w
	}
	l.setFace(face, size)
	w := l.pdf.GetStringWidth(" ")
	l.spaceW[k] = w
	return w
}

func (l *layout) measure(s string, face int, size float64) float64 {
	l.setFace(face, size)
	return l.pdf.GetStringWidth(s)
}

// words splits spans into unbreakable words of pieces, one font face each.
func (l *layout) words(spans []span, size float64) []word {
	var out []word
	var cur *word
	pending := false
	flush := func() {
		if cur != nil {
			cur.noSplit = isDigest(cur)
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, sp := range spans {
		if sp.brk {
			flush()
			out = append(out, word{brk: true})
			pending = false
			continue
		}
		if sp.note != nil {
			// A footnote marker sticks to the word before it.
			if cur == nil {
				cur = &word{}
			}
			if n := len(cur.pieces); n > 0 && cur.pieces[n-1].note != nil {
				// Markers in a row (a redaction mark's) are told apart: ¹,².
				c := piece{text: ",", face: faceRegular, scale: supScale, rise: size * ptMM * 0.36}
				c.w = l.measure(c.text, faceRegular, size*supScale)
				cur.pieces = append(cur.pieces, c)
				cur.w += c.w
			}
			txt := strconv.Itoa(sp.note.num)
			p := piece{text: txt, face: faceRegular, anchor: sp.anchor, scale: supScale, rise: size * ptMM * 0.36, note: sp.note}
			p.w = l.measure(txt, faceRegular, size*supScale)
			cur.pieces = append(cur.pieces, p)
			cur.w += p.w
			continue
		}
		t := clean(sp.text)
		for i := 0; i < len(t); {
			if t[i] == ' ' {
				flush()
				pending = true
				i++
				continue
			}
			j := strings.IndexByte(t[i:], ' ')
			if j < 0 {
				j = len(t)
			} else {
				j += i
			}
			tok := t[i:j]
			if tok == "-" && sp.st&stMono == 0 {
				tok = "–" // a spaced hyphen is a dash
			}
			rs, err := l.fonts.runs(tok, sp.st)
			if err != nil {
				l.fail(err)
				return out
			}
			if cur == nil {
				cur = &word{}
				if pending && len(out) > 0 && !out[len(out)-1].brk {
					cur.space = l.spaceWidth(primary(sp.st), pieceSize(piece{st: sp.st}, size))
				}
				pending = false
			}
			for _, r := range rs {
				p := piece{text: r.text, st: sp.st, face: r.face, anchor: sp.anchor, url: sp.url}
				p.w = l.measure(p.text, p.face, pieceSize(p, size))
				cur.pieces = append(cur.pieces, p)
				cur.w += p.w
			}
			i = j
		}
	}
	flush()
	return out
}

// isDigest reports whether a word is a hexadecimal digest set in mono: it
// is never broken (copying a broken digest yields a wrong one).
func isDigest(w *word) bool {
	n := 0
	for _, p := range w.pieces {
		if p.st&stMono == 0 {
			return false
		}
		for i := 0; i < len(p.text); i++ {
			c := p.text[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		n += len(p.text)
	}
	return n >= 32
}

// breakLines fills lines of the given width with words, splitting words that
// are wider than a line (URLs, long names) between characters; a digest is
// set smaller instead, whole.
// fitSlack absorbs the rounding of widths computed in different orders: a
// column as wide as its longest word must hold that word on one line.
const fitSlack = 0.01

func (l *layout) breakLines(ws []word, width, size float64) []line {
	var lines []line
	var cur line
	finish := func() {
		lines = append(lines, cur)
		cur = line{}
	}
	place := func(p piece, x float64) {
		if p.note != nil {
			cur.notes = append(cur.notes, p.note)
		}
		cur.runes += utf8.RuneCountInString(p.text)
		if n := len(cur.frags); n > 0 {
			last := &cur.frags[n-1]
			if last.st == p.st && last.face == p.face && last.anchor == p.anchor && last.url == p.url && last.scale == p.scale && last.note == nil && p.note == nil {
				if x-(last.x+last.w) > 0.001 {
					last.text += " "
					cur.runes++
				}
				last.text += p.text
				last.w = x + p.w - last.x
				cur.w = x + p.w
				return
			}
			if x-(last.x+last.w) > 0.001 {
				last.text += " " // keeps the word gap in extracted text
				cur.runes++
			}
		}
		cur.frags = append(cur.frags, frag{piece: p, x: x})
		cur.w = x + p.w
	}
	for _, wd := range ws {
		if wd.brk {
			finish()
			continue
		}
		switch {
		case len(cur.frags) > 0 && cur.w+wd.space+wd.w <= width+fitSlack:
			x := cur.w + wd.space
			for _, p := range wd.pieces {
				place(p, x)
				x += p.w
			}
		case wd.w <= width+fitSlack:
			if len(cur.frags) > 0 {
				finish()
			}
			x := 0.0
			for _, p := range wd.pieces {
				place(p, x)
				x += p.w
			}
		case wd.noSplit:
			if len(cur.frags) > 0 {
				finish()
			}
			f := width / wd.w
			x := 0.0
			for _, p := range wd.pieces {
				p.scale = math.Max(p.scale, 1) * f
				p.w *= f
				place(p, x)
				x += p.w
			}
		default:
			x := 0.0
			if len(cur.frags) > 0 {
				if width-cur.w-wd.space > width/4 {
					x = cur.w + wd.space
				} else {
					finish()
				}
			}
			// A word wider than the line is split between characters; in a
			// table, a split between two letters is marked with a hyphen,
			// so "Police" never reads as "Polic" and "e".
			for _, p := range wd.pieces {
				l.setFace(p.face, pieceSize(p, size))
				hyW := l.pdf.GetStringWidth("-")
				start := 0
				pw := 0.0
				prev := rune(-1)
				for i, r := range p.text {
					rw := l.pdf.GetStringWidth(string(r))
					hy := l.hyphenate && unicode.IsLetter(prev) && unicode.IsLetter(r)
					need := rw
					if hy {
						// The hyphen must fit after the part before the break.
						need = math.Max(rw, hyW)
					}
					if x+pw+need > width+fitSlack && (i > start || x > 0) {
						if i > start {
							q := p
							q.text, q.w = p.text[start:i], pw
							if hy {
								q.text += "-"
								q.w += hyW
							}
							place(q, x)
						}
						finish()
						x, pw, start = 0, 0, i
					}
					pw += rw
					prev = r
				}
				if start < len(p.text) {
					q := p
					q.text, q.w = p.text[start:], pw
					place(q, x)
					x += pw
				}
			}
		}
	}
	if len(cur.frags) > 0 || len(lines) == 0 {
		finish()
	}
	return lines
}

// drawLine draws ln at the current y, left edge x, in a box of width w.
func (l *layout) drawLine(ln line, x, w, size, lh float64, align string) {
	y := l.y()
	for _, qx := range l.quotes {
		l.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
		l.pdf.SetLineWidth(0.8)
		l.pdf.Line(qx, y, qx, y+lh)
	}
	if m := l.marker; m != nil {
		l.marker = nil
		l.setColor(colText)
		l.plain(m.text, m.st, size, m.x, y+(lh-5)/2, m.w, l.markerAlign)
	}
	off := 0.0
	switch align {
	case "C":
		off = (w - ln.w) / 2
	case "R":
		off = w - ln.w
	}
	if off < 0 {
		off = 0
	}
	for _, f := range ln.frags {
		l.setFace(f.face, pieceSize(f.piece, size))
		link := l.linkID(f.anchor)
		url := f.url
		if l.prev == nil {
			url = ""
		}
		if link != 0 || url != "" {
			l.setColor(colLink)
		} else {
			l.setColor(colText)
		}
		l.pdf.SetXY(x+off+f.x, y-f.rise)
		l.pdf.CellFormat(f.w, lh, strings.ReplaceAll(f.text, "\u00a0", " "), "", 0, "L", false, link, url)
	}
	l.pdf.SetXY(x, y+lh)
}

// flow places lines of height lh at the current position, breaking pages
// as needed with their footnotes: no page ends with the first line of a
// paragraph alone (an orphan) or starts with its last line alone (a
// widow). draw draws one line at the current y.
func (l *layout) flow(lines []line, lh float64, kind, what string, draw func(ln line)) {
	n := len(lines)
	var sp split
	for i := 0; i < n; {
		k := l.fitCount(lines[i:], lh)
		rem := n - i
		take := k
		if k < rem {
			// Split: at least two lines on each side.
			take = min(k, rem-2)
			if take < 2 {
				take = 0
			}
			if take == 0 && l.atTop() {
				take = max(k, 1) // taller than a page: split where it must
				sp.Forced = true
			}
		}
		if take == 0 {
			l.newPage()
			continue
		}
		for _, ln := range lines[i : i+take] {
			l.addNotes(ln)
			draw(ln)
		}
		sp.Pieces = append(sp.Pieces, take)
		sp.Pages = append(sp.Pages, l.pdf.PageNo())
		i += take
		if i < n {
			l.newPage()
		}
	}
	if len(sp.Pieces) > 1 {
		sp.Kind, sp.What = kind, what
		l.rep.Splits = append(l.rep.Splits, sp)
	}
}

// fitCount is how many of lines, with their footnotes, fit on this page.
func (l *layout) fitCount(lines []line, lh float64) int {
	y, notes := l.y(), l.notesH
	for i, ln := range lines {
		h := 0.0
		for _, n := range ln.notes {
			l.noteLines(n)
			h += n.height()
		}
		if h > 0 && notes == 0 {
			h += noteSep
		}
		if y+lh > l.bottom-notes-h+0.001 {
			return i
		}
		y += lh
		notes += h
	}
	return len(lines)
}

// paragraph lays out spans in the current text box.
func (l *layout) paragraph(spans []span, size float64, align string) []line {
	lh := bodyLH(size)
	lines := l.breakLines(l.words(spans, size), l.w, size)
	what := ""
	if len(lines) > 0 {
		for _, f := range lines[0].frags {
			what += f.text
		}
	}
	x0, w := l.x0, l.w
	l.flow(lines, lh, "paragraph", what, func(ln line) { l.drawLine(ln, x0, w, size, lh, align) })
	return lines
}

// paragraphHeight is the height a top-level paragraph will take.
func (l *layout) paragraphHeight(n *ast.Paragraph) float64 {
	p := l.doc.paras[n]
	size := bodySize
	if p != nil && p.entry {
		size = entrySize
	}
	saved := l.noteNum
	lines := l.breakLines(l.words(l.spansOf(n, 0), size), l.w, size)
	l.noteNum = saved // the footnotes are made again when the paragraph is drawn
	h := float64(len(lines))*bodyLH(size) + 2.4
	if p != nil && p.signature {
		h += sigSpace
	}
	return h
}

// inlines collects the styled text below n.
func (l *layout) inlines(n ast.Node, st style, anchor, url string, out []span) []span {
	src := l.doc.src
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			out = append(out, span{text: textValue(c, src), st: st, anchor: anchor, url: url})
			if c.HardLineBreak() {
				out = append(out, span{brk: true})
			} else if c.SoftLineBreak() {
				out = append(out, span{text: " ", st: st, anchor: anchor, url: url})
			}
		case *ast.String:
			out = append(out, span{text: string(c.Value), st: st, anchor: anchor, url: url})
		case *ast.CodeSpan:
			var b strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				switch t := t.(type) {
				case *ast.Text:
					b.Write(t.Segment.Value(src))
				case *ast.String:
					b.Write(t.Value)
				}
			}
			out = append(out, span{text: b.String(), st: (st | stMono) &^ (stBold | stItalic), anchor: anchor, url: url})
		case *ast.Emphasis:
			s := st | stItalic
			if c.Level >= 2 {
				s = st | stBold
			}
			out = l.inlines(c, s, anchor, url, out)
		case *ast.Link:
			a, u := linkTarget(string(c.Destination))
			if c.ChildCount() == 0 && a != "" {
				// A cross-reference: the paragraph or section number.
				txt, ok := l.doc.xrefText(a, l.vocab)
				if !ok {
					l.fail(fmt.Errorf("%s: %w: [](#%s) names no paragraph or heading", l.opt.Source, ErrXref, a))
					continue
				}
				target := a
				if strings.HasPrefix(a, "cited:") {
					target = ""
				}
				out = append(out, span{text: txt, st: st, anchor: target})
				continue
			}
			if anchor != "" || url != "" { // nested links keep the outer target
				a, u = anchor, url
			}
			out = l.inlines(c, st, a, u, out)
		case *ast.AutoLink:
			label := string(c.Label(src))
			target := string(c.URL(src))
			if c.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(target), "mailto:") {
				target = "mailto:" + target
			}
			_, u := linkTarget(target)
			out = append(out, span{text: label, st: st, url: u})
		case *ast.Image:
			out = append(out, span{text: "[image: ", st: st | stItalic})
			out = l.inlines(c, st|stItalic, anchor, url, out)
			out = append(out, span{text: "]", st: st | stItalic})
		case *east.TaskCheckBox:
			box := "[ ] "
			if c.IsChecked {
				box = "[x] "
			}
			out = append(out, span{text: box, st: st | stMono})
		default:
			out = l.inlines(c, st, anchor, url, out)
		}
	}
	return out
}

// linkTarget sorts a Markdown link destination into an internal anchor
// ("#id") or an external URL of a scheme safe to put in a PDF.
func linkTarget(dest string) (anchor, url string) {
	if strings.HasPrefix(dest, "#") {
		return dest[1:], ""
	}
	lower := strings.ToLower(dest)
	for _, p := range []string{"https://", "http://", "mailto:", "ftp://"} {
		if strings.HasPrefix(lower, p) {
			return "", dest
		}
	}
	return "", ""
}

func (l *layout) spansOf(n ast.Node, st style) []span {
	sp := l.cites(l.inlines(n, st, "", "", nil))
	// A citation of an ID that nothing in the document anchors stays text.
	if l.prev != nil {
		for i := range sp {
			if sp[i].anchor != "" && !l.prev.anchors[sp[i].anchor] {
				sp[i].anchor = ""
			}
		}
	}
	return sp
}

// ---- blocks ----

func (l *layout) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		l.heading(n)
	case *ast.Paragraph:
		l.para(n)
	case *ast.TextBlock:
		l.text(n, bodySize)
	case *ast.List:
		l.list(n)
	case *ast.Blockquote:
		l.quote(n)
	case *ast.FencedCodeBlock:
		if string(n.Language(l.doc.src)) == "chain-diagram" {
			l.chainDiagram(n)
			return
		}
		l.code(n)
	case *ast.CodeBlock:
		l.code(n)
	case *ast.ThematicBreak:
		if !l.atTop() {
			l.newPage()
		}
	case *east.Table:
		l.table(n)
	default:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			l.block(c)
		}
	}
}

// text lays out a paragraph of running text that is not numbered (in a
// list, a quotation, the cover).
func (l *layout) text(n ast.Node, size float64) {
	if p := l.doc.paras[n]; p != nil && p.redacted { // a list item or quotation redacted
		l.redaction(n)
		return
	}
	align := "L"
	if l.center {
		align = "C"
	}
	l.paragraph(l.spansOf(n, 0), size, align)
	if l.tight > 0 {
		l.gap(0.8)
	} else {
		l.gap(2.4)
	}
}

// para lays out a paragraph: numbered in the body, an index entry, a
// signature or a redaction mark.
func (l *layout) para(n *ast.Paragraph) {
	p := l.doc.paras[n]
	if p == nil {
		l.text(n, bodySize)
		return
	}
	if p.label != "" {
		l.setAnchor(p.label)
	}
	switch {
	case p.entry:
		saved := l.inlineCites
		l.inlineCites = true
		l.text(n, entrySize)
		l.inlineCites = saved
		return
	case p.signature:
		l.ensure(sigSpace + 3*bodyLH(bodySize))
		l.pdf.SetY(l.y() + sigSpace)
		l.pdf.SetDrawColor(colText[0], colText[1], colText[2])
		l.pdf.SetLineWidth(0.3)
		l.pdf.Line(l.x0, l.y(), l.x0+sigLine, l.y())
		l.pdf.SetY(l.y() + 1.2)
		l.text(n, bodySize)
		return
	}
	if p.num > 0 {
		l.marker = &frag{piece: piece{text: strconv.Itoa(p.num) + "."}, x: marginLeft}
		l.marker.w, l.markerAlign = gutter-2, "L"
		l.rep.Paragraphs++
	}
	if p.redacted {
		l.redaction(n)
		return
	}
	lines := l.paragraph(l.spansOf(n, 0), bodySize, "L")
	if p.num > 0 {
		for i, ln := range lines {
			if i < len(lines)-1 {
				l.rep.BodyLines = append(l.rep.BodyLines, ln.runes)
			}
		}
	}
	l.gap(2.4)
}

// redaction draws a redaction mark: the reason, in a grey band, followed
// by the footnotes of the text it replaces. A public edition's mark keeps
// that text's citations, one run per line after the reason (redact.go), so
// that every footnote keeps its number in both editions.
func (l *layout) redaction(n ast.Node) {
	var parts [][]span
	cur := []span{}
	for _, s := range l.inlines(n, 0, "", "", nil) {
		if s.brk {
			parts, cur = append(parts, cur), []span{}
			continue
		}
		cur = append(cur, s)
	}
	parts = append(parts, cur)
	var reason strings.Builder
	for _, s := range parts[0] {
		reason.WriteString(s.text)
	}
	txt := "[" + l.vocab.Redacted + "]"
	if r := strings.Join(strings.Fields(reason.String()), " "); r != "" {
		txt = "[" + l.vocab.Redacted + " — " + r + "]"
	}
	spans := []span{{text: txt, st: stItalic}}
	if l.inBody && !l.inlineCites { // elsewhere citations make no footnotes
		for _, p := range parts[1:] {
			for _, s := range l.cites(p) {
				if s.note != nil {
					if l.prev != nil && !l.prev.anchors[s.anchor] {
						s.anchor = ""
					}
					spans = append(spans, s)
				}
			}
		}
	}
	size := bodySize
	lh := bodyLH(size)
	lines := l.breakLines(l.words(spans, size), l.w-4, size)
	h := float64(len(lines))*lh + 2
	l.ensure(h)
	if l.fitCount(lines, lh) < len(lines) && !l.atTop() { // its footnotes too
		l.newPage()
	}
	y := l.y()
	l.pdf.SetFillColor(colRedact[0], colRedact[1], colRedact[2])
	l.pdf.Rect(l.x0, y, l.w, h, "F")
	l.pdf.SetY(y + 1)
	for _, ln := range lines {
		l.addNotes(ln)
		l.drawLine(ln, l.x0+2, l.w-4, size, lh, "L")
	}
	l.setColor(colText)
	l.pdf.SetY(y + h)
	l.gap(2.4)
}

func headingSize(level int) float64 {
	switch level {
	case 1:
		return 15
	case 2:
		return 13
	case 3:
		return 11.5
	}
	return bodySize
}

func (l *layout) heading(n *ast.Heading) {
	h := l.doc.byNode[n]
	size := headingSize(n.Level)
	st := stBold
	if n.Level >= 4 {
		st |= stItalic
	}
	var spans []span
	if h != nil && h.number != "" {
		spans = append(spans, span{text: h.number + "\u2002", st: st})
	}
	saved := l.inlineCites
	l.inlineCites = true
	spans = append(spans, l.spansOf(n, st)...)
	l.inlineCites = saved
	lh := bodyLH(size)
	lines := l.breakLines(l.words(spans, size), l.w, size)
	before := map[int]float64{1: 8, 2: 5.5, 3: 4}[n.Level]
	if before == 0 {
		before = 3
	}
	// Keep the heading with what follows: the first lines of a paragraph,
	// or a table's header and first rows.
	follow := 3 * bodyLH(bodySize)
	if _, ok := n.NextSibling().(*east.Table); ok {
		follow = 3*(lineHeight(tableSize, leading)*0.95+2*cellPadV) + 1
	}
	need := before + float64(len(lines))*lh + follow
	if l.y()+need > l.floor() && !l.atTop() {
		l.newPage()
	} else {
		l.gap(before)
	}
	if h != nil {
		l.setAnchor(h.id)
		l.res.headings[h] = l.pdf.PageNo()
		if h.outline >= 0 && l.prev != nil {
			l.pdf.Bookmark(clean(h.outlineLabel()), h.outline, l.y())
		}
	}
	for _, ln := range lines {
		if n.Level <= 2 {
			l.drawColored(ln, size, lh, colHead)
		} else {
			l.drawLine(ln, l.x0, l.w, size, lh, "L")
		}
	}
	if n.Level == 1 {
		y := l.y() + 0.6
		l.pdf.SetDrawColor(colHead[0], colHead[1], colHead[2])
		l.pdf.SetLineWidth(0.35)
		l.pdf.Line(l.x0, y, l.x0+l.w, y)
		l.pdf.SetY(y + 2.6)
	} else {
		l.pdf.SetY(l.y() + 1.4)
	}
}

// drawColored draws a heading line in the heading colour (links keep theirs).
func (l *layout) drawColored(ln line, size, lh float64, c [3]int) {
	y := l.y()
	for _, f := range ln.frags {
		l.setFace(f.face, pieceSize(f.piece, size))
		l.setColor(c)
		l.pdf.SetXY(l.x0+f.x, y)
		l.pdf.CellFormat(f.w, lh, strings.ReplaceAll(f.text, "\u00a0", " "), "", 0, "L", false, l.linkID(f.anchor), "")
	}
	l.pdf.SetXY(l.x0, y+lh)
}

func (l *layout) list(n *ast.List) {
	depth := 0
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.List); ok {
			depth++
		}
	}
	count := 0
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		count++
	}
	marker := func(i int) string {
		if n.IsOrdered() {
			return fmt.Sprintf("%d%c", n.Start+i, n.Marker)
		}
		return []string{"•", "–", "◦"}[depth%3]
	}
	indent := listIndent
	if n.IsOrdered() {
		indent = math.Max(indent, l.measure(marker(count-1), faceRegular, bodySize)+2.5)
	}
	if l.w-indent < 20 { // too deep to indent further
		indent = 0
	}
	if n.IsTight {
		l.tight++
		defer func() { l.tight-- }()
	}
	x0, w := l.x0, l.w
	i := 0
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		m := marker(i)
		mw := indent - 1.8
		if mw < 0 {
			mw = 0
		}
		l.marker = &frag{piece: piece{text: m, w: mw}, x: x0}
		l.marker.w, l.markerAlign = mw, "R"
		l.x0, l.w = x0+indent, w-indent
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			l.block(c)
		}
		if l.marker != nil { // empty item
			l.ensure(bodyLH(bodySize))
			l.drawLine(line{}, l.x0, l.w, bodySize, bodyLH(bodySize), "L")
		}
		l.x0, l.w = x0, w
		i++
	}
	if depth == 0 {
		l.gap(1.6)
	}
}

func (l *layout) quote(n *ast.Blockquote) {
	if l.w-quoteIndent < 20 {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			l.block(c)
		}
		return
	}
	x0, w := l.x0, l.w
	l.quotes = append(l.quotes, x0+1)
	l.x0, l.w = x0+quoteIndent, w-quoteIndent
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if p, ok := c.(*ast.Paragraph); ok {
			l.text(p, bodySize)
			continue
		}
		l.block(c)
	}
	l.quotes = l.quotes[:len(l.quotes)-1]
	l.x0, l.w = x0, w
}

func (l *layout) code(n ast.Node) {
	size := codeSize
	lh := bodyLH(size)
	avail := l.w - 4
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		t := clean(strings.TrimRight(string(seg.Value(l.doc.src)), "\r\n"))
		rs, err := l.fonts.runs(t, stMono)
		if err != nil {
			l.fail(err)
			return
		}
		// Code keeps its characters; a line too long for the box wraps.
		for _, wrapped := range l.breakLines([]word{l.codeWord(rs, size)}, avail, size) {
			l.ensure(lh)
			y := l.y()
			l.pdf.SetFillColor(colCode[0], colCode[1], colCode[2])
			l.pdf.Rect(l.x0, y, l.w, lh, "F")
			l.drawLine(wrapped, l.x0+2, avail, size, lh, "L")
		}
	}
	l.gap(2.4)
}

// codeWord makes one word of a line of code (spaces kept).
func (l *layout) codeWord(rs []faceRun, size float64) word {
	var w word
	for _, r := range rs {
		p := piece{text: r.text, st: stMono, face: r.face}
		p.w = l.measure(p.text, p.face, pieceSize(p, size))
		w.pieces = append(w.pieces, p)
		w.w += p.w
	}
	if len(w.pieces) == 0 {
		w.pieces = []piece{{st: stMono, face: faceMono}}
	}
	return w
}

// ---- cover and contents ----

func (l *layout) cover() {
	l.newPage()
	x0, w := l.x0, l.w
	l.x0, l.w = marginLeft, l.pageW-marginLeft-marginRight
	defer func() { l.x0, l.w = x0, w }()
	l.pdf.SetY(l.top + 38)
	if l.opt.Title != "" {
		l.paragraph([]span{{text: l.opt.Title, st: stBold}}, 22, "C")
		l.gap(3)
	}
	if l.opt.Subject != "" {
		l.paragraph([]span{{text: l.opt.Subject, st: stItalic}}, 12.5, "C")
	}
	if l.opt.Title != "" || l.opt.Subject != "" {
		y := l.y() + 5
		l.pdf.SetDrawColor(colHead[0], colHead[1], colHead[2])
		l.pdf.SetLineWidth(0.4)
		l.pdf.Line(l.x0+l.w/4, y, l.x0+3*l.w/4, y)
		l.pdf.SetY(y + 9)
	}
	l.center = true
	l.inlineCites = true
	for _, n := range l.doc.cover {
		if p, ok := n.(*ast.Paragraph); ok {
			l.text(p, bodySize)
			continue
		}
		l.block(n)
	}
	l.center = false
	l.inlineCites = false
}

func (l *layout) toc() {
	l.newPage()
	x0, w := l.x0, l.w
	l.x0, l.w = marginLeft, l.pageW-marginLeft-marginRight
	defer func() { l.x0, l.w = x0, w }()
	size := 15.0
	lh := bodyLH(size)
	l.setAnchor("contents")
	if l.prev != nil {
		l.pdf.Bookmark(clean(l.vocab.Contents), 0, l.y())
	}
	ln := l.breakLines(l.words([]span{{text: l.vocab.Contents, st: stBold}}, size), l.w, size)
	for _, x := range ln {
		l.drawColored(x, size, lh, colHead)
	}
	l.pdf.SetY(l.y() + 4)

	const pageCol = 14.0
	for _, h := range l.doc.headings {
		if !h.toc {
			continue
		}
		st := style(0)
		size := bodySize
		indent := 0.0
		numW := 10.0
		if h.level == 1 {
			st = stBold
			l.gap(1.8)
		} else {
			indent = 10
			numW = 12
		}
		lhh := bodyLH(size)
		textW := l.w - indent - numW - pageCol - 2
		lines := l.breakLines(l.words([]span{{text: h.title, st: st}}, size), textW, size)
		l.ensure(float64(len(lines)) * lhh)
		y0 := l.y()
		l.setColor(colText)
		if h.number != "" {
			l.plain(h.number, st, size, l.x0+indent, y0+(lhh-5)/2, numW, "L")
		}
		l.pdf.SetY(y0)
		for _, x := range lines {
			l.drawLine(x, l.x0+indent+numW, textW, size, lhh, "L")
		}
		// Dot leaders and the page number on the last line.
		last := lines[len(lines)-1]
		yEnd := l.y()
		yl := yEnd - lhh
		page := "0"
		if l.prev != nil {
			page = strconv.Itoa(l.prev.headings[h])
		}
		l.setFace(faceRegular, size)
		l.setColor(colMuted)
		from := l.x0 + indent + numW + last.w + 1.5
		to := l.x0 + l.w - pageCol - 1
		if dot := l.pdf.GetStringWidth(". "); to > from && dot > 0 {
			n := int((to - from) / dot)
			l.pdf.SetXY(to-float64(n)*dot, yl)
			l.pdf.CellFormat(float64(n)*dot, lhh, strings.Repeat(". ", n), "", 0, "L", false, 0, "")
		}
		l.setColor(colText)
		l.plain(page, st, size, l.x0+l.w-pageCol, yl+(lhh-5)/2, pageCol, "R")
		if id := l.linkID(h.id); id != 0 {
			l.pdf.Link(l.x0+indent, y0, l.w-indent, yEnd-y0, id)
		}
		l.pdf.SetY(yEnd + 0.6)
	}
}
