package narrative

import (
	"math"
	"regexp"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// idRe matches an identifier that can be a link target: a table row whose
// first cell is exactly the ID.
var idRe = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Za-z0-9.]+)+$`)

type cell struct {
	words []word
	align string
	lines []line
	min   float64
	max   float64
	id    string
}

// row is a table row laid out for its column widths.
type row struct {
	cells []*cell
	lines int
	h     float64
}

// table lays out a GFM table across the width from the text's left edge to
// the right margin. Columns get the width their content needs; the header
// is kept with at least two rows, repeats on every page the table runs
// onto, and no page holds a single row of a table that has more (rows are
// moved to the next page in pairs rather than left alone).
func (l *layout) table(t *east.Table) {
	size := tableSize
	lh := lineHeight(size, leading) * 0.95
	ncols := len(t.Alignments)
	if ncols == 0 {
		return
	}
	saved, savedHy := l.inlineCites, l.hyphenate
	l.inlineCites, l.hyphenate = true, true
	defer func() { l.inlineCites, l.hyphenate = saved, savedHy }()
	x0, w := l.x0, l.w
	l.x0, l.w = l.tableX0, l.tableW
	defer func() { l.x0, l.w = x0, w }()

	// Rows are measured in one sweep and laid out again a few at a time
	// when drawn, so a register of 10,000 rows never holds all its words.
	capMin := l.w * 0.34
	mins := make([]float64, ncols)
	maxs := make([]float64, ncols)
	multi := make([]bool, ncols) // a column with some cell of several words
	var header []*cell
	var body []ast.Node
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, isHeader := r.(*east.TableHeader)
		cells := l.tableRow(r, ncols, size, isHeader)
		for k, cl := range cells {
			floor := math.Min(cl.min, capMin)
			if hasDigest(cl) {
				floor = cl.min // a digest is set whole
			}
			mins[k] = math.Max(mins[k], floor+2*cellPadH)
			maxs[k] = math.Max(maxs[k], cl.max+2*cellPadH)
			multi[k] = multi[k] || len(cl.words) > 1
		}
		if isHeader {
			header = cells
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
		// A column of single long words gains nothing from space short of
		// its full width: give it to the text columns.
		for k := range maxs {
			if !multi[k] {
				maxs[k] = mins[k]
			}
		}
	}
	widths := distribute(mins, maxs, l.w)
	wrap := func(cells []*cell) row {
		n := 1
		for k, cl := range cells {
			cl.lines = l.breakLines(cl.words, math.Max(widths[k]-2*cellPadH, 1), size)
			cl.words = nil
			n = max(n, len(cl.lines))
		}
		return row{cells: cells, lines: n, h: float64(n)*lh + 2*cellPadV}
	}
	var head row
	if header != nil {
		head = wrap(header)
	}
	repeat := header != nil && head.h < (l.bottom-l.top)/3
	drawHeader := func() {
		if header != nil {
			l.drawRow(head.cells, widths, 0, head.lines, lh, size, true)
		}
	}
	l.gap(1)

	next := 0 // the next body row to lay out
	var queue []row
	fill := func(k int) {
		for len(queue) < k && next < len(body) {
			queue = append(queue, wrap(l.tableRow(body[next], ncols, size, false)))
			next++
		}
	}
	remaining := func() int { return len(queue) + len(body) - next }
	var sp split
	what := ""
	if header != nil && len(header[0].lines) > 0 && len(header[0].lines[0].frags) > 0 {
		what = header[0].lines[0].frags[0].text
	}
	headerDrawn := false
	if len(body) == 0 {
		l.ensure(head.h)
		drawHeader()
	}
	for remaining() > 0 {
		avail := l.floor() - l.y()
		if !headerDrawn {
			avail -= head.h
		}
		k, used := 0, 0.0
		for {
			fill(k + 1)
			if k >= len(queue) || used+queue[k].h > avail+0.001 {
				break
			}
			used += queue[k].h
			k++
		}
		rem := remaining()
		take := k
		if k < rem {
			// Break: at least two rows on this page and on the next.
			take = min(k, rem-2)
			if take < 2 {
				take = 0
			}
			if take == 0 && (l.atTop() || headerDrawn && k > 0 && sp.Pieces == nil && l.y() <= l.top+head.h+0.01) {
				take = k // the rows are too tall for two to share a page
				sp.Forced = true
			}
		}
		fresh := l.atTop()
		if take == 0 && !fresh {
			l.newPage()
			headerDrawn = false
			continue
		}
		if !headerDrawn && (repeat || sp.Pieces == nil) {
			drawHeader()
		}
		headerDrawn = true
		if take == 0 {
			// One row taller than a page: split it between its lines.
			l.splitRow(queue[0], widths, lh, size, repeat, drawHeader)
			queue = queue[1:]
			sp.Forced = true
			sp.Pieces = append(sp.Pieces, 1)
			sp.Pages = append(sp.Pages, l.pdf.PageNo())
		} else {
			for _, r := range queue[:take] {
				l.drawRow(r.cells, widths, 0, r.lines, lh, size, false)
			}
			queue = queue[take:]
			sp.Pieces = append(sp.Pieces, take)
			sp.Pages = append(sp.Pages, l.pdf.PageNo())
		}
		if remaining() > 0 {
			l.newPage()
			headerDrawn = false
		}
	}
	if len(sp.Pieces) > 1 {
		sp.Kind, sp.What = "table", what
		l.rep.Splits = append(l.rep.Splits, sp)
	}
	l.gap(3)
}

// splitRow draws a row taller than a page across pages, between its lines.
func (l *layout) splitRow(r row, widths []float64, lh, size float64, repeat bool, drawHeader func()) {
	start := 0
	for start < r.lines {
		fit := max(int((l.floor()-l.y()-2*cellPadV)/lh), 1)
		end := min(start+fit, r.lines)
		l.drawRow(r.cells, widths, start, end, lh, size, false)
		start = end
		if start < r.lines {
			l.newPage()
			if repeat {
				drawHeader()
			}
		}
	}
}

func hasDigest(cl *cell) bool {
	for _, w := range cl.words {
		if w.noSplit {
			return true
		}
	}
	return false
}

// tableRow lays out the cells of one table row into words; missing cells are
// empty, extra cells are dropped (as GFM does).
func (l *layout) tableRow(r ast.Node, ncols int, size float64, isHeader bool) []*cell {
	st := style(0)
	if isHeader {
		st = stBold
	}
	cells := make([]*cell, ncols)
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
		cells[i] = cl
		i++
	}
	for ; i < ncols; i++ {
		cells[i] = &cell{align: "L"}
	}
	return cells
}

// drawRow draws lines [from, to) of every cell of a row.
func (l *layout) drawRow(cells []*cell, widths []float64, from, to int, lh, size float64, header bool) {
	y := l.y()
	h := float64(to-from)*lh + 2*cellPadV
	if header {
		l.pdf.SetFillColor(colFill[0], colFill[1], colFill[2])
		l.pdf.Rect(l.x0, y, l.w, h, "F")
	}
	if from == 0 && !header && cells[0].id != "" {
		l.setAnchor(cells[0].id)
	}
	x := l.x0
	for k, cl := range cells {
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
