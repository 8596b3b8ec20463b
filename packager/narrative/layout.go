package narrative

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Typography, in millimetres and points.
const (
	ptMM        = 25.4 / 72
	bodySize    = 10.5
	tableSize   = 8.5
	codeSize    = 8.5
	leading     = 1.42
	marginLeft  = 25.0
	marginRight = 20.0
	marginTop   = 24.0
	marginBot   = 22.0
	listIndent  = 6.0
	quoteIndent = 6.0
	cellPadH    = 1.6
	cellPadV    = 1.1
	shortCell   = 24.0 // a cell this narrow or less is never wrapped
	monoScale   = 0.88
)

var (
	colText   = [3]int{20, 20, 20}
	colLink   = [3]int{0, 60, 150}
	colMuted  = [3]int{90, 90, 90}
	colRule   = [3]int{170, 170, 170}
	colHead   = [3]int{0, 45, 95}
	colFill   = [3]int{232, 236, 242}
	colCode   = [3]int{244, 244, 244}
	colBanner = [3]int{160, 0, 0}
)

// idRe matches an identifier that can be a link target (a table row whose
// first cell is exactly the ID); citeRe finds bracketed citations of such IDs
// in running text: [EV-0001] or [EV-0001; EV-0002].
var (
	idRe   = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9.]+)+$`)
	citeRe = regexp.MustCompile(`\[([A-Z][A-Z0-9]*(?:-[A-Za-z0-9.]+)+(?:\s*[,;]\s*[A-Z][A-Z0-9]*(?:-[A-Za-z0-9.]+)+)*)\]`)
	oneID  = regexp.MustCompile(`[A-Z][A-Z0-9]*(?:-[A-Za-z0-9.]+)+`)
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
	anchor string // internal link target
	url    string // external link
	brk    bool   // hard line break
}

type piece struct {
	text   string
	st     style
	anchor string
	url    string
	w      float64
}

type word struct {
	pieces []piece
	w      float64
	space  float64 // width of the space before the word, 0 if glued
	brk    bool
}

type frag struct {
	piece
	x float64
}

type line struct {
	frags []frag
	w     float64
}

// passResult carries what pass 1 learnt into pass 2.
type passResult struct {
	pages    int
	headings map[*heading]int // page of each heading
	anchors  map[string]bool
}

type layout struct {
	ctx  context.Context
	doc  *document
	opt  PDFOptions
	prev *passResult
	pdf  *fpdf.Fpdf

	pageW, pageH, top, bottom float64
	x0, w                     float64 // current text box
	quotes                    []float64
	marker                    *frag // list marker drawn with the next line
	center                    bool
	tight                     int

	links   map[string]int
	res     passResult
	curSt   style
	curSize float64
	spaceW  map[fontKey]float64
}

type fontKey struct {
	st   style
	size float64
}

func newLayout(ctx context.Context, doc *document, opt PDFOptions, prev *passResult) *layout {
	l := &layout{ctx: ctx, doc: doc, opt: opt, prev: prev, spaceW: map[fontKey]float64{}}
	l.res = passResult{headings: map[*heading]int{}, anchors: map[string]bool{}}
	l.pdf = newPDF(opt)
	l.pageW, l.pageH = l.pdf.GetPageSize()
	l.top, l.bottom = marginTop, l.pageH-marginBot
	l.x0, l.w = marginLeft, l.pageW-marginLeft-marginRight
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

func (l *layout) run() error {
	l.cover()
	if len(l.doc.headings) > 0 {
		l.toc()
	}
	if len(l.doc.body) > 0 {
		l.newPage()
		for _, n := range l.doc.body {
			if err := l.ctx.Err(); err != nil {
				return err
			}
			l.block(n)
			if err := l.pdf.Error(); err != nil {
				return fmt.Errorf("%w: %v", ErrInternal, err)
			}
		}
	}
	return l.pdf.Error()
}

// ---- page furniture ----

func (l *layout) setColor(c [3]int) { l.pdf.SetTextColor(c[0], c[1], c[2]) }

func (l *layout) setFont(st style, size float64) {
	if st == l.curSt && size == l.curSize {
		return
	}
	want := size
	fam, s := familyBody, ""
	if st&stMono != 0 {
		fam = familyMono
		size *= monoScale // Go Mono is wide: match the x-height of the text around it
	} else {
		if st&stBold != 0 {
			s += "B"
		}
		if st&stItalic != 0 {
			s += "I"
		}
	}
	l.pdf.SetFont(fam, s, size)
	l.curSt, l.curSize = st, want
}

func (l *layout) header() {
	if l.opt.Classification == "" {
		return
	}
	l.setFont(stBold, 9)
	l.setColor(colBanner)
	l.pdf.SetXY(marginLeft, 9)
	l.pdf.CellFormat(l.pageW-marginLeft-marginRight, 5, drawable(strings.ToUpper(l.opt.Classification)), "", 0, "C", false, 0, "")
	l.pdf.SetDrawColor(colBanner[0], colBanner[1], colBanner[2])
	l.pdf.SetLineWidth(0.3)
	l.pdf.Line(marginLeft, 15.5, l.pageW-marginRight, 15.5)
}

func (l *layout) footer() {
	y := l.pageH - 14
	l.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	l.pdf.SetLineWidth(0.2)
	l.pdf.Line(marginLeft, y-1.5, l.pageW-marginRight, y-1.5)
	l.setFont(0, 8)
	l.setColor(colMuted)
	w := l.pageW - marginLeft - marginRight
	l.pdf.SetXY(marginLeft, y)
	l.pdf.CellFormat(w/3, 5, drawable(l.opt.SubmissionID), "", 0, "L", false, 0, "")
	if l.opt.Classification != "" {
		l.setFont(stBold, 8)
		l.setColor(colBanner)
		l.pdf.SetXY(marginLeft+w/3, y)
		l.pdf.CellFormat(w/3, 5, drawable(strings.ToUpper(l.opt.Classification)), "", 0, "C", false, 0, "")
		l.setFont(0, 8)
		l.setColor(colMuted)
	}
	total := "?"
	if l.prev != nil {
		total = strconv.Itoa(l.prev.pages)
	}
	l.pdf.SetXY(marginLeft+2*w/3, y)
	l.pdf.CellFormat(w/3, 5, fmt.Sprintf("Page %d of %s", l.pdf.PageNo(), total), "", 0, "R", false, 0, "")
}

func (l *layout) newPage() {
	l.pdf.AddPage()
	l.curSize = 0 // fpdf restores its own font after the header
	l.pdf.SetY(l.top)
}

func (l *layout) y() float64 { return l.pdf.GetY() }

func (l *layout) atTop() bool { return l.y() <= l.top+0.01 }

// gap adds vertical space unless at the top of a page.
func (l *layout) gap(h float64) {
	if l.atTop() {
		return
	}
	y := l.y() + h
	if y > l.bottom {
		y = l.bottom
	}
	l.pdf.SetY(y)
}

func (l *layout) ensure(h float64) {
	if l.y()+h > l.bottom && !l.atTop() {
		l.newPage()
	}
}

func lineHeight(size float64) float64 { return size * ptMM * leading }

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

func (l *layout) spaceWidth(st style, size float64) float64 {
	k := fontKey{st, size}
	if w, ok := l.spaceW[k]; ok {
		return w
	}
	l.setFont(st, size)
	w := l.pdf.GetStringWidth(" ")
	l.spaceW[k] = w
	return w
}

func (l *layout) measure(s string, st style, size float64) float64 {
	l.setFont(st, size)
	return l.pdf.GetStringWidth(s)
}

// words splits spans into unbreakable words.
func (l *layout) words(spans []span, size float64) []word {
	var out []word
	var cur *word
	pending := false
	flush := func() {
		if cur != nil {
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
		t := drawable(sp.text)
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
			if cur == nil {
				cur = &word{}
				if pending && len(out) > 0 && !out[len(out)-1].brk {
					cur.space = l.spaceWidth(sp.st, size)
				}
				pending = false
			}
			p := piece{text: t[i:j], st: sp.st, anchor: sp.anchor, url: sp.url}
			p.w = l.measure(p.text, p.st, size)
			cur.pieces = append(cur.pieces, p)
			cur.w += p.w
			i = j
		}
	}
	flush()
	return out
}

// breakLines fills lines of the given width with words, splitting words that
// are wider than a line (hashes, URLs) between characters.
func (l *layout) breakLines(ws []word, width, size float64) []line {
	var lines []line
	var cur line
	finish := func() {
		lines = append(lines, cur)
		cur = line{}
	}
	place := func(p piece, x float64) {
		if n := len(cur.frags); n > 0 {
			last := &cur.frags[n-1]
			if last.st == p.st && last.anchor == p.anchor && last.url == p.url {
				gapW := x - (last.x + last.w)
				if gapW > 0.001 {
					last.text += " "
				}
				last.text += p.text
				last.w = x + p.w - last.x
				cur.w = x + p.w
				return
			}
			if x-(last.x+last.w) > 0.001 {
				last.text += " " // keeps the word gap in extracted text
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
		case len(cur.frags) > 0 && cur.w+wd.space+wd.w <= width:
			x := cur.w + wd.space
			for _, p := range wd.pieces {
				place(p, x)
				x += p.w
			}
		case wd.w <= width:
			if len(cur.frags) > 0 {
				finish()
			}
			x := 0.0
			for _, p := range wd.pieces {
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
			for _, p := range wd.pieces {
				l.setFont(p.st, size)
				start := 0
				pw := 0.0
				for i, r := range p.text {
					rw := l.pdf.GetStringWidth(string(r))
					if x+pw+rw > width && (i > start || x > 0) {
						if i > start {
							q := p
							q.text, q.w = p.text[start:i], pw
							place(q, x)
						}
						finish()
						x, pw, start = 0, 0, i
					}
					pw += rw
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
		l.setFont(m.st, size)
		l.setColor(colText)
		l.pdf.SetXY(m.x, y)
		l.pdf.CellFormat(m.w, lh, m.text, "", 0, "R", false, 0, "")
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
		l.setFont(f.st, size)
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
		l.pdf.SetXY(x+off+f.x, y)
		l.pdf.CellFormat(f.w, lh, f.text, "", 0, "L", false, link, url)
	}
	l.pdf.SetXY(x, y+lh)
}

// paragraph lays out spans in the current text box, breaking pages as needed.
func (l *layout) paragraph(spans []span, size float64, align string) {
	lh := lineHeight(size)
	lines := l.breakLines(l.words(spans, size), l.w, size)
	for i, ln := range lines {
		// Avoid a lone first line at the foot of a page.
		need := lh
		if i == 0 && len(lines) > 1 {
			need = 2 * lh
		}
		l.ensure(need)
		l.drawLine(ln, l.x0, l.w, size, lh, align)
	}
}

// inlines collects the styled text below n.
func (l *layout) inlines(n ast.Node, st style, anchor, url string, out []span) []span {
	src := l.doc.src
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			t := string(c.Segment.Value(src))
			if !c.IsRaw() {
				t = unescape(t)
			}
			out = append(out, span{text: t, st: st, anchor: anchor, url: url})
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

// cites merges adjacent spans and turns bracketed IDs into links to anchors.
func cites(in []span) []span {
	var merged []span
	for _, s := range in {
		if n := len(merged); n > 0 && !s.brk && !merged[n-1].brk && merged[n-1].st == s.st &&
			merged[n-1].anchor == s.anchor && merged[n-1].url == s.url {
			merged[n-1].text += s.text
			continue
		}
		merged = append(merged, s)
	}
	var out []span
	for _, s := range merged {
		if s.brk || s.anchor != "" || s.url != "" || !strings.Contains(s.text, "[") {
			out = append(out, s)
			continue
		}
		rest := s.text
		for {
			loc := citeRe.FindStringSubmatchIndex(rest)
			if loc == nil {
				break
			}
			if loc[0] > 0 {
				out = append(out, span{text: rest[:loc[0]], st: s.st})
			}
			out = append(out, span{text: "[", st: s.st})
			inner := rest[loc[2]:loc[3]]
			pos := 0
			for _, m := range oneID.FindAllStringIndex(inner, -1) {
				if m[0] > pos {
					out = append(out, span{text: inner[pos:m[0]], st: s.st})
				}
				out = append(out, span{text: inner[m[0]:m[1]], st: s.st, anchor: inner[m[0]:m[1]]})
				pos = m[1]
			}
			if pos < len(inner) {
				out = append(out, span{text: inner[pos:], st: s.st})
			}
			out = append(out, span{text: "]", st: s.st})
			rest = rest[loc[1]:]
		}
		if rest != "" {
			out = append(out, span{text: rest, st: s.st})
		}
	}
	return out
}

func (l *layout) spansOf(n ast.Node, st style) []span {
	sp := cites(l.inlines(n, st, "", "", nil))
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
	case *ast.Paragraph, *ast.TextBlock:
		align := "L"
		if l.center {
			align = "C"
		}
		l.paragraph(l.spansOf(n, 0), bodySize, align)
		if l.tight > 0 {
			l.gap(0.8)
		} else {
			l.gap(2.4)
		}
	case *ast.List:
		l.list(n)
	case *ast.Blockquote:
		l.quote(n)
	case *ast.FencedCodeBlock:
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

func headingSize(level int) float64 {
	switch level {
	case 1:
		return 15
	case 2:
		return 12.5
	case 3:
		return 11
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
		spans = append(spans, span{text: h.number + " ", st: st})
	}
	spans = append(spans, l.spansOf(n, st)...)
	lh := lineHeight(size)
	lines := l.breakLines(l.words(spans, size), l.w, size)
	before := map[int]float64{1: 7, 2: 5, 3: 3.5}[n.Level]
	if before == 0 {
		before = 2.5
	}
	// Keep the heading with what follows: four lines of text, or a table
	// whole up to a quarter of a page.
	follow := 4 * lineHeight(bodySize)
	if t, ok := n.NextSibling().(*east.Table); ok {
		rows := float64(t.ChildCount())
		follow = math.Max(follow, math.Min(rows*(lineHeight(tableSize)*0.95+2*cellPadV)+1, (l.bottom-l.top)/4))
	}
	need := before + float64(len(lines))*lh + follow
	if l.y()+need > l.bottom {
		l.newPage()
	} else {
		l.gap(before)
	}
	if h != nil {
		l.setAnchor(h.id)
		l.res.headings[h] = l.pdf.PageNo()
		if h.outline >= 0 && l.prev != nil {
			l.setFont(st, size)
			l.pdf.Bookmark(drawable(h.outlineLabel()), h.outline, l.y())
		}
	}
	for _, ln := range lines {
		l.ensure(lh)
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
		l.pdf.SetY(y + 2.2)
	} else {
		l.pdf.SetY(l.y() + 1.2)
	}
}

// drawColored draws a heading line in the heading colour (links keep theirs).
func (l *layout) drawColored(ln line, size, lh float64, c [3]int) {
	y := l.y()
	for _, f := range ln.frags {
		l.setFont(f.st, size)
		l.setColor(c)
		l.pdf.SetXY(l.x0+f.x, y)
		l.pdf.CellFormat(f.w, lh, f.text, "", 0, "L", false, l.linkID(f.anchor), "")
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
		indent = math.Max(indent, l.measure(marker(count-1), 0, bodySize)+2.5)
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
		l.x0, l.w = x0+indent, w-indent
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			l.block(c)
		}
		if l.marker != nil { // empty item
			l.ensure(lineHeight(bodySize))
			l.drawLine(line{}, l.x0, l.w, bodySize, lineHeight(bodySize), "L")
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
		l.block(c)
	}
	l.quotes = l.quotes[:len(l.quotes)-1]
	l.x0, l.w = x0, w
}

func (l *layout) code(n ast.Node) {
	size := codeSize
	lh := lineHeight(size)
	l.setFont(stMono, size)
	avail := l.w - 4
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		t := drawable(strings.TrimRight(string(seg.Value(l.doc.src)), "\r\n"))
		for {
			chunk, rest := fitRunes(l.pdf, t, avail)
			l.ensure(lh)
			y := l.y()
			l.pdf.SetFillColor(colCode[0], colCode[1], colCode[2])
			l.pdf.Rect(l.x0, y, l.w, lh, "F")
			l.setFont(stMono, size)
			l.setColor(colText)
			l.pdf.SetXY(l.x0+2, y)
			l.pdf.CellFormat(avail, lh, chunk, "", 0, "L", false, 0, "")
			l.pdf.SetXY(l.x0, y+lh)
			if rest == "" {
				break
			}
			t = rest
		}
	}
	l.gap(2.4)
}

// fitRunes splits s after the most runes that fit in width (at least one).
func fitRunes(pdf *fpdf.Fpdf, s string, width float64) (string, string) {
	if pdf.GetStringWidth(s) <= width {
		return s, ""
	}
	w := 0.0
	for i, r := range s {
		w += pdf.GetStringWidth(string(r))
		if w > width && i > 0 {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// ---- cover and contents ----

func (l *layout) cover() {
	l.newPage()
	l.pdf.SetY(l.top + 38)
	if l.opt.Title != "" {
		l.paragraph([]span{{text: l.opt.Title, st: stBold}}, 22, "C")
		l.gap(3)
	}
	if l.opt.Subject != "" {
		l.setColor(colMuted)
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
	for _, n := range l.doc.cover {
		l.block(n)
	}
	l.center = false
}

func (l *layout) toc() {
	l.newPage()
	size := 15.0
	lh := lineHeight(size)
	l.setAnchor("contents")
	if l.prev != nil {
		l.setFont(stBold, size)
		l.pdf.Bookmark(drawable(l.opt.TOCTitle), 0, l.y())
	}
	ln := l.breakLines(l.words([]span{{text: l.opt.TOCTitle, st: stBold}}, size), l.w, size)
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
		numW := 9.0
		if h.level == 1 {
			st = stBold
			l.gap(1.8)
		} else {
			indent = 9
			numW = 11
		}
		lhh := lineHeight(size)
		textW := l.w - indent - numW - pageCol - 2
		lines := l.breakLines(l.words([]span{{text: h.title, st: st}}, size), textW, size)
		l.ensure(float64(len(lines)) * lhh)
		y0 := l.y()
		l.setColor(colText)
		if h.number != "" {
			l.setFont(st, size)
			l.pdf.SetXY(l.x0+indent, y0)
			l.pdf.CellFormat(numW, lhh, h.number, "", 0, "L", false, 0, "")
		}
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
		l.setFont(0, size)
		l.setColor(colMuted)
		from := l.x0 + indent + numW + last.w + 1.5
		to := l.x0 + l.w - pageCol - 1
		if dot := l.pdf.GetStringWidth(". "); to > from && dot > 0 {
			n := int((to - from) / dot)
			l.pdf.SetXY(to-float64(n)*dot, yl)
			l.pdf.CellFormat(float64(n)*dot, lhh, strings.Repeat(". ", n), "", 0, "L", false, 0, "")
		}
		l.setFont(st, size)
		l.setColor(colText)
		l.pdf.SetXY(l.x0+l.w-pageCol, yl)
		l.pdf.CellFormat(pageCol, lhh, page, "", 0, "R", false, 0, "")
		if id := l.linkID(h.id); id != 0 {
			l.pdf.Link(l.x0+indent, y0, l.w-indent, yEnd-y0, id)
		}
		l.pdf.SetY(yEnd + 0.6)
	}
}

// ---- tables ----

type cell struct {
	words []word
	align string
	lines []line
	min   float64
	max   float64
	id    string
}

func (l *layout) table(t *east.Table) {
	size := tableSize
	lh := lineHeight(size) * 0.95
	ncols := len(t.Alignments)
	if ncols == 0 {
		return
	}
	// Rows are measured in one sweep and laid out again one at a time when
	// drawn, so a register of 10,000 rows never holds all its words at once.
	capMin := l.w * 0.34 // wide enough for half a SHA-256 in code
	mins := make([]float64, ncols)
	maxs := make([]float64, ncols)
	multi := make([]bool, ncols) // a column with some cell of several words
	var header []*cell
	var body []ast.Node
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, isHeader := r.(*east.TableHeader)
		row := l.tableRow(r, ncols, size, isHeader)
		for k, cl := range row {
			mins[k] = math.Max(mins[k], math.Min(cl.min, capMin)+2*cellPadH)
			maxs[k] = math.Max(maxs[k], cl.max+2*cellPadH)
			multi[k] = multi[k] || len(cl.words) > 1
		}
		if isHeader {
			header = row
		} else {
			body = append(body, r)
		}
	}
	if header != nil {
		empty := true
		for _, cl := range header {
			empty = empty && len(cl.words) == 0
		}
		if empty {
			header = nil
		}
	}
	total := 0.0
	for _, m := range maxs {
		total += m
	}
	if total > l.w {
		// A column of single long words (digests) gains nothing from
		// space short of its full width: give it to the text columns.
		for k := range maxs {
			if !multi[k] {
				maxs[k] = mins[k]
			}
		}
	}
	widths := distribute(mins, maxs, l.w)
	wrap := func(row []*cell) int {
		n := 1
		for k, cl := range row {
			cl.lines = l.breakLines(cl.words, math.Max(widths[k]-2*cellPadH, 1), size)
			cl.words = nil
			n = max(n, len(cl.lines))
		}
		return n
	}
	headerLines := 0
	if header != nil {
		headerLines = wrap(header)
	}
	headerH := float64(headerLines)*lh + 2*cellPadV
	repeat := header != nil && headerH < (l.bottom-l.top)/3
	drawHeader := func() {
		if header != nil {
			l.drawRow(header, widths, 0, headerLines, lh, size, true)
		}
	}
	l.gap(1)
	first := 2 * lh
	if len(body) == 0 {
		first = 0
	}
	l.ensure(headerH + first + 2*cellPadV)
	drawHeader()
	for _, r := range body {
		row := l.tableRow(r, ncols, size, false)
		n := wrap(row)
		start := 0
		for start < n {
			rest := float64(n-start)*lh + 2*cellPadV
			if l.y()+rest <= l.bottom {
				l.drawRow(row, widths, start, n, lh, size, false)
				break
			}
			fresh := l.bottom - l.top
			if repeat {
				fresh -= headerH
			}
			if start == 0 && rest <= fresh && !l.atTop() {
				l.newPage()
				if repeat {
					drawHeader()
				}
				continue
			}
			fit := int((l.bottom - l.y() - 2*cellPadV) / lh)
			if fit < 1 {
				l.newPage()
				if repeat {
					drawHeader()
				}
				fit = int((l.bottom - l.y() - 2*cellPadV) / lh)
				if fit < 1 {
					fit = 1
				}
			}
			end := min(start+fit, n)
			l.drawRow(row, widths, start, end, lh, size, false)
			start = end
			if start < n {
				l.newPage()
				if repeat {
					drawHeader()
				}
			}
		}
	}
	l.gap(3)
}

// tableRow lays out the cells of one table row into words; missing cells are
// empty, extra cells are dropped (as GFM does).
func (l *layout) tableRow(r ast.Node, ncols int, size float64, isHeader bool) []*cell {
	st := style(0)
	if isHeader {
		st = stBold
	}
	row := make([]*cell, ncols)
	i := 0
	for c := r.FirstChild(); c != nil && i < ncols; c = c.NextSibling() {
		tc, ok := c.(*east.TableCell)
		if !ok {
			continue
		}
		cl := &cell{align: "L"}
		switch tc.Alignment {
		case east.AlignCenter:
			cl.align = "C"
		case east.AlignRight:
			cl.align = "R"
		}
		if !isHeader && i == 0 {
			if id := plainText(tc, l.doc.src); idRe.MatchString(id) {
				cl.id = id
			}
		}
		cl.words = l.words(l.spansOf(tc, st), size)
		x := 0.0
		for k, wd := range cl.words {
			cl.min = math.Max(cl.min, wd.w)
			if k > 0 {
				x += wd.space
			}
			x += wd.w
		}
		cl.max = x
		if x <= shortCell {
			cl.min = x // dates, IDs and types stay on one line
		}
		row[i] = cl
		i++
	}
	for ; i < ncols; i++ {
		row[i] = &cell{align: "L"}
	}
	return row
}

// drawRow draws lines [from, to) of every cell of a row.
func (l *layout) drawRow(row []*cell, widths []float64, from, to int, lh, size float64, header bool) {
	y := l.y()
	h := float64(to-from)*lh + 2*cellPadV
	if header {
		l.pdf.SetFillColor(colFill[0], colFill[1], colFill[2])
		l.pdf.Rect(l.x0, y, l.w, h, "F")
	}
	if from == 0 && !header && row[0].id != "" {
		l.setAnchor(row[0].id)
	}
	x := l.x0
	for k, cl := range row {
		l.pdf.SetY(y + cellPadV)
		for i := from; i < to && i < len(cl.lines); i++ {
			l.drawLine(cl.lines[i], x+cellPadH, widths[k]-2*cellPadH, size, lh, cl.align)
		}
		x += widths[k]
	}
	l.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	l.pdf.SetLineWidth(0.15)
	if header {
		l.pdf.SetLineWidth(0.3)
		l.pdf.Line(l.x0, y, l.x0+l.w, y)
	}
	l.pdf.Line(l.x0, y+h, l.x0+l.w, y+h)
	l.pdf.SetXY(l.x0, y+h)
}

// distribute shares avail between columns: every column gets its minimum
// (longest word, capped), the rest goes in proportion to what each needs to
// fit on one line.
func distribute(mins, maxs []float64, avail float64) []float64 {
	n := len(mins)
	w := make([]float64, n)
	sumMin, sumMax := 0.0, 0.0
	for i := range mins {
		maxs[i] = math.Max(maxs[i], mins[i])
		sumMin += mins[i]
		sumMax += maxs[i]
	}
	switch {
	case sumMax <= avail:
		extra := (avail - sumMax) / float64(n)
		for i := range w {
			w[i] = maxs[i] + extra
		}
	case sumMin >= avail:
		for i := range w {
			w[i] = avail * mins[i] / sumMin
		}
	default:
		f := (avail - sumMin) / (sumMax - sumMin)
		for i := range w {
			w[i] = mins[i] + (maxs[i]-mins[i])*f
		}
	}
	return w
}
