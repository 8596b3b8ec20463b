package narrative

import (
	"strings"

	"github.com/yuin/goldmark/ast"
)

// The chain of command as a diagram (Data.ChainDiagram writes it as a
// fenced block "chain-diagram"): each unit a box, the units with no
// superior on top and each unit one level below its lowest superior; each
// link a line from the superior down to the unit, solid when established,
// dashed when reported, dotted when assumed or not stated, with the status
// in words on it. The table beside it says the same, so the diagram is
// drawn only while it stays legible: at most four units side by side,
// five levels, each name in three lines of its box, on one page. Otherwise
// (or with a cycle of superiors, which validation reports) it is left out.

const (
	diagramMaxSide   = 4
	diagramMaxLevels = 5
	diagramMaxLines  = 3
	diagramBoxMaxW   = 52.0 // mm
	diagramGapX      = 8.0
	diagramGapY      = 13.0 // room for the status on the line
	diagramSize      = 8.0  // pt: the names
	diagramLinkSize  = 7.0  // pt: the statuses and the legend
)

type diagramUnit struct {
	id, name string
	sups     []string
	level    int
	lines    []string
	x, y     float64 // top left of the box
}

type diagramLink struct {
	unit, sup, style, word string
}

// diagramReport says what the layout did with a chain-of-command diagram.
type diagramReport struct {
	Units, Links int
	Drawn        bool
}

// parseDiagram reads the fenced block.
func parseDiagram(src string) (units []*diagramUnit, links []diagramLink, legend string) {
	byID := map[string]*diagramUnit{}
	for _, ln := range strings.Split(src, "\n") {
		f := strings.Split(strings.TrimRight(ln, "\r"), "\t")
		switch {
		case f[0] == "unit" && len(f) == 3 && byID[f[1]] == nil:
			u := &diagramUnit{id: f[1], name: f[2]}
			byID[u.id] = u
			units = append(units, u)
		case f[0] == "link" && len(f) == 5:
			links = append(links, diagramLink{unit: f[1], sup: f[2], style: f[3], word: f[4]})
		case f[0] == "legend" && len(f) == 2:
			legend = f[1]
		}
	}
	kept := links[:0]
	for _, k := range links {
		if u, s := byID[k.unit], byID[k.sup]; u != nil && s != nil && u != s {
			u.sups = append(u.sups, k.sup)
			kept = append(kept, k)
		}
	}
	return units, kept, legend
}

// levels places each unit one level below its lowest superior; false on a
// cycle or too many levels.
func diagramLevels(units []*diagramUnit) bool {
	byID := map[string]*diagramUnit{}
	for _, u := range units {
		byID[u.id] = u
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(u *diagramUnit, depth int) bool
	visit = func(u *diagramUnit, depth int) bool {
		switch state[u.id] {
		case 1:
			return false
		case 2:
			return true
		}
		if depth > diagramMaxLevels {
			return false
		}
		state[u.id] = 1
		for _, s := range u.sups {
			if !visit(byID[s], depth+1) {
				return false
			}
			u.level = max(u.level, byID[s].level+1)
		}
		state[u.id] = 2
		return u.level < diagramMaxLevels
	}
	for _, u := range units {
		if !visit(u, 0) {
			return false
		}
	}
	return true
}

// strWidth is the width of s in style st at size.
func (l *layout) strWidth(s string, st style, size float64) float64 {
	rs, err := l.fonts.runs(clean(s), st)
	if err != nil {
		l.fail(err)
		return 0
	}
	w := 0.0
	for _, r := range rs {
		l.setFace(r.face, size)
		w += l.pdf.GetStringWidth(r.text)
	}
	return w
}

// wrap breaks s into lines no wider than w; false when a word alone is
// wider.
func (l *layout) wrap(s string, st style, size, w float64) ([]string, bool) {
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if l.strWidth(word, st, size) > w {
			return nil, false
		}
		if cur != "" && l.strWidth(cur+" "+word, st, size) > w {
			out = append(out, cur)
			cur = word
			continue
		}
		cur = strings.TrimSpace(cur + " " + word)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out, true
}

// chainDiagram draws the diagram of the fenced block n, or nothing when it
// would not stay legible.
func (l *layout) chainDiagram(n *ast.FencedCodeBlock) {
	var src strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		src.Write(seg.Value(l.doc.src))
	}
	units, links, legend := parseDiagram(src.String())
	rep := diagramReport{Units: len(units), Links: len(links)}
	defer func() { l.rep.Diagrams = append(l.rep.Diagrams, rep) }()
	if len(links) == 0 || !diagramLevels(units) {
		return
	}
	var rows [][]*diagramUnit
	for _, u := range units {
		for len(rows) <= u.level {
			rows = append(rows, nil)
		}
		rows[u.level] = append(rows[u.level], u)
	}
	side := 0
	for _, r := range rows {
		side = max(side, len(r))
	}
	if side > diagramMaxSide {
		return
	}
	boxW := min(diagramBoxMaxW, (l.w-float64(side-1)*diagramGapX)/float64(side))
	lh := lineHeight(diagramSize, 1.25)
	nlines := 1
	for _, u := range units {
		ls, ok := l.wrap(u.name, 0, diagramSize, boxW-4)
		if !ok || len(ls) > diagramMaxLines {
			return
		}
		u.lines = ls
		nlines = max(nlines, len(ls))
	}
	boxH := float64(nlines)*lh + 3
	legendLines, ok := l.wrap(legend, stItalic, diagramLinkSize, l.w)
	if !ok {
		legendLines = nil
	}
	llh := lineHeight(diagramLinkSize, 1.25)
	h := float64(len(rows))*boxH + float64(len(rows)-1)*diagramGapY + 3 + float64(len(legendLines))*llh
	if h > l.bottom-l.top {
		return
	}
	l.ensure(h + 2)
	y0 := l.y() + 1
	for i, r := range rows {
		rowW := float64(len(r))*boxW + float64(len(r)-1)*diagramGapX
		x := l.x0 + (l.w-rowW)/2
		for _, u := range r {
			u.x, u.y = x, y0+float64(i)*(boxH+diagramGapY)
			x += boxW + diagramGapX
		}
	}
	byID := map[string]*diagramUnit{}
	for _, u := range units {
		byID[u.id] = u
	}
	// The links first, so that the boxes and labels sit on top of them.
	l.pdf.SetDrawColor(colText[0], colText[1], colText[2])
	l.pdf.SetLineWidth(0.3)
	type label struct {
		x, y float64
		text string
	}
	var labels []label
	for _, k := range links {
		u, s := byID[k.unit], byID[k.sup]
		x1, y1 := s.x+boxW/2, s.y+boxH
		x2, y2 := u.x+boxW/2, u.y
		switch k.style {
		case "solid":
			l.pdf.SetDashPattern(nil, 0)
		case "dashed":
			l.pdf.SetDashPattern([]float64{2.2, 1.2}, 0)
		default:
			l.pdf.SetDashPattern([]float64{0.5, 1}, 0)
		}
		l.pdf.Line(x1, y1, x2, y2)
		labels = append(labels, label{(x1 + x2) / 2, (y1 + y2) / 2, k.word})
	}
	l.pdf.SetDashPattern(nil, 0)
	for _, lb := range labels {
		w := l.strWidth(lb.text, stItalic, diagramLinkSize) + 2
		l.pdf.SetFillColor(255, 255, 255)
		l.pdf.Rect(lb.x-w/2, lb.y-llh/2, w, llh, "F")
		l.setColor(colText)
		l.plain(lb.text, stItalic, diagramLinkSize, lb.x-w/2, lb.y-2.5, w, "C")
	}
	for _, u := range units {
		l.pdf.SetFillColor(colCode[0], colCode[1], colCode[2])
		l.pdf.Rect(u.x, u.y, boxW, boxH, "DF")
		top := u.y + (boxH-float64(len(u.lines))*lh)/2
		for j, s := range u.lines {
			l.setColor(colText)
			l.plain(s, 0, diagramSize, u.x+2, top+float64(j)*lh+lh/2-2.5, boxW-4, "C")
		}
	}
	y := y0 + float64(len(rows))*boxH + float64(len(rows)-1)*diagramGapY + 2
	for j, s := range legendLines {
		l.plain(s, stItalic, diagramLinkSize, l.x0, y+float64(j)*llh+llh/2-2.5, l.w, "L")
	}
	l.pdf.SetY(y0 + h)
	l.gap(2.4)
	rep.Drawn = true
}
