package narrative

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// A public edition never drops text silently: every numbered paragraph,
// list item, table row or quoted paragraph of the body that cites evidence
// the edition withholds (as edition.Plan.TextRedaction decides: always for
// want of consent or for ex parte evidence, for confidential evidence unless
// the case's policy keeps such text) is replaced, in place, by a visible
// mark that says why. A paragraph keeps its number (RedactionMark), a list
// its items, a table its rows (a row keeps its number in the first cell),
// and a mark keeps the citations of what it replaces, so its footnotes keep
// their numbers (keptCites): "§6.3, row 5" or "fn. 31" means the same in
// both editions. The texts of the case data arrive here already redacted
// block by block (packager/edition), and a paragraph that holds such a mark
// cites what the mark kept, so it becomes a mark too. Parts marked .annex
// (the evidence index, the annex index) list withheld items and are left
// as they are, and so are the sender's requests (list items ending in their
// request ID), which the public edition repeats as requests.

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

var (
	rowNumber = regexp.MustCompile(`^[0-9]+$`)
	// request is a list item that states one of the sender's requests
	// ("… (REQ-03)"): the public edition repeats every request as a
	// request, the confidentiality requests first among them.
	request = regexp.MustCompile(`\(REQ-[0-9]{2,4}\)\s*$`)
)

// redactMarkdown applies the edition's text redactions to the Markdown of a
// narrative and returns the new Markdown and one log entry per mark.
func redactMarkdown(md []byte, plan *edition.Plan, l *locale.Lang, opt PDFOptions) ([]byte, []edition.Entry, error) {
	if !plan.Edition().IsPublic() {
		return md, nil, nil
	}
	doc, err := parseDocument(md, opt)
	if err != nil {
		return nil, nil, err
	}
	isAuth := func(id string) bool { _, ok := opt.Authorities[id]; return ok }
	cited := func(n ast.Node) []string {
		s := textOf(n, md, false)
		if !strings.Contains(s, "[") {
			return nil
		}
		var ids []string
		for _, g := range schema.ParseCitations(s, isAuth) {
			for _, it := range g.Items {
				if schema.IsEvidenceID(it.ID) {
					ids = append(ids, it.ID)
				}
			}
		}
		return ids
	}
	var edits []edit
	var log []edition.Entry
	note := func(where locale.Msg, ids []string, w edition.Withholding) {
		// The log names the withheld items that made the text go, not
		// every item the text cites.
		var held []string
		for _, id := range uniq(ids) {
			if _, ok := plan.TextRedaction([]string{id}); ok {
				held = append(held, id)
			}
		}
		log = append(log, edition.Entry{Where: where, Item: strings.Join(held, ", "),
			Detail: locale.M("redaction.detail.narrative_text"), Action: locale.M("redaction.action.mark"), Ground: w.Basis()})
	}
	mark := func(w edition.Withholding) string { return escapeInline(w.Mark(l)) }
	reason := func(w edition.Withholding) string { return escapeInline(l.Text(w.Reason())) }
	// marked: a list item or quotation the template already redacted.
	marked := func(n ast.Node) bool {
		found := false
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if p := doc.paras[c]; entering && p != nil && p.redacted {
				found = true
			}
			return ast.WalkContinue, nil
		})
		return found
	}
	section, para, annex := "", 0, false
	// Where a mark stands: "section 6.2, paragraph 14", "section 4, table,
	// row 3 after paragraph 9".
	in := func() locale.Msg {
		if section == "" {
			return locale.M("redaction.where.narrative")
		}
		return locale.M("redaction.where.section", "section", strings.TrimSuffix(section, "."))
	}
	after := func(what locale.Msg) locale.Msg {
		if para == 0 {
			return locale.M("redaction.where.at", "in", in(), "what", what)
		}
		return locale.M("redaction.where.after", "in", in(), "what", what, "para", strconv.Itoa(para))
	}
	for _, n := range doc.body {
		switch n := n.(type) {
		case *ast.Heading:
			if hd := doc.byNode[n]; hd != nil {
				section = hd.number
				if section == "" {
					section = hd.title
				}
			}
			if n.Level == 1 {
				annex = hasClass(n, "annex")
			}
			continue
		}
		if annex {
			continue
		}
		switch n := n.(type) {
		case *ast.Paragraph:
			p := doc.paras[n]
			if p != nil && p.num > 0 {
				para = p.num
			}
			if p != nil && (p.entry || p.redacted || p.signature) {
				continue
			}
			ids := cited(n)
			w, ok := plan.TextRedaction(ids)
			if !ok {
				continue
			}
			start, end := blockRange(n, md)
			attrs := ".redacted"
			if p != nil && p.label != "" {
				attrs = "#" + p.label + " " + attrs
			}
			if p != nil && p.unnumbered() {
				attrs += " .unnumbered"
			}
			edits = append(edits, edit{start, end, "{" + attrs + "} " + reason(w) + keptCites(n, md, isAuth, hardBreak)})
			where := locale.M("redaction.where.paragraph", "in", in(), "para", strconv.Itoa(para))
			if p == nil || p.num <= 0 {
				where = after(locale.M("redaction.where.unnumbered"))
			}
			note(where, ids, w)
		case *ast.List:
			k := 0
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				k++
				if request.MatchString(strings.TrimSpace(textOf(it, md, true))) {
					continue
				}
				if marked(it) {
					continue
				}
				ids := cited(it)
				if w, ok := plan.TextRedaction(ids); ok {
					if start, end := blockRange(it, md); start < end {
						edits = append(edits, edit{start, end, "{.redacted} " + reason(w) + keptCites(it, md, isAuth, hardBreak)})
						note(after(locale.M("redaction.where.list_item", "item", strconv.Itoa(k))), ids, w)
					}
				}
			}
		case *east.Table:
			k := 0
			for r := n.FirstChild(); r != nil; r = r.NextSibling() {
				if _, ok := r.(*east.TableRow); !ok {
					continue
				}
				k++
				ids := cited(r)
				w, ok := plan.TextRedaction(ids)
				if !ok {
					continue
				}
				start, end, ok := lineOf(r, md)
				if !ok {
					continue
				}
				var cells []string
				for c := r.FirstChild(); c != nil; c = c.NextSibling() {
					cells = append(cells, "")
				}
				first := strings.TrimSpace(textOf(r.FirstChild(), md, true))
				at := 0
				if rowNumber.MatchString(first) && len(cells) > 1 {
					cells[0], at = first, 1
				}
				cells[at] = mark(w) + keptCites(r, md, isAuth, " ")
				edits = append(edits, edit{start, end, "| " + strings.Join(cells, " | ") + " |"})
				note(after(locale.M("redaction.where.table_row", "row", strconv.Itoa(k))), ids, w)
			}
		case *ast.Blockquote:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if marked(c) {
					continue
				}
				ids := cited(c)
				if w, ok := plan.TextRedaction(ids); ok {
					if start, end := blockRange(c, md); start < end {
						edits = append(edits, edit{start, end, "{.redacted} " + reason(w) + keptCites(c, md, isAuth, hardBreak)})
						note(after(locale.M("redaction.where.quotation")), ids, w)
					}
				}
			}
		}
	}
	if len(edits) == 0 {
		return md, log, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), md...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, log, nil
}

// hardBreak ends a line of Markdown without ending its paragraph.
const hardBreak = "\\\n"

// keptCites is what a redaction mark keeps of the text it replaces: the
// runs of citations, each after sep. In body text each run is a footnote,
// so a paragraph, list item or quotation redacted keeps its footnotes and
// their numbers (each on a line of its own: runs on one line would merge
// into one footnote); a table row keeps its inline citations. The cited
// IDs are no secret: the evidence index lists every withheld item, and the
// redaction log names the items that made the text go.
func keptCites(n ast.Node, md []byte, isAuth func(string) bool, sep string) string {
	var b strings.Builder
	for _, s := range citeSegments(n, md) {
		for _, r := range schema.CitationRuns(s, isAuth) {
			b.WriteString(sep)
			b.WriteString(escapeInline(s[r.Start:r.End]))
		}
	}
	return b.String()
}

// citeSegments are the runs of text of n in which the layout looks for
// citations (cites): text in one style, between line breaks, outside links
// and code. Citations in two segments never make one footnote, so a mark
// keeps them apart as the full edition's text did.
func citeSegments(n ast.Node, src []byte) []string {
	var segs []string
	var cur strings.Builder
	key := ""
	flush := func() {
		if cur.Len() > 0 {
			segs = append(segs, cur.String())
			cur.Reset()
		}
	}
	add := func(k, t string) {
		if k != key {
			flush()
			key = k
		}
		cur.WriteString(t)
	}
	var walk func(n ast.Node, style string)
	walk = func(n ast.Node, style string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				add(style, textValue(c, src))
				if c.HardLineBreak() {
					flush()
					key = "\n"
				} else if c.SoftLineBreak() {
					add(style, " ")
				}
			case *ast.String:
				add(style, string(c.Value))
			case *ast.CodeSpan, *ast.Link, *ast.AutoLink, *ast.Image:
				flush() // no citation there, and none across it
				key = "\x00"
			case *ast.Emphasis:
				walk(c, style+strconv.Itoa(c.Level))
			default:
				walk(c, style)
			}
		}
	}
	walk(n, "")
	flush()
	return segs
}

// blockRange is the source of a block: from its first line to the end of
// its last, over every block inside it.
func blockRange(n ast.Node, src []byte) (int, int) {
	start, end := len(src), 0
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		if l := c.Lines(); l != nil && l.Len() > 0 {
			start = min(start, l.At(0).Start)
			end = max(end, l.At(l.Len()-1).Stop)
		}
		return ast.WalkContinue, nil
	})
	if start >= end {
		return 0, 0
	}
	// Trailing line breaks stay: the block keeps its place.
	for end > start && (src[end-1] == '\n' || src[end-1] == '\r') {
		end--
	}
	return start, end
}

// lineOf is the source line of a table row.
func lineOf(r ast.Node, src []byte) (int, int, bool) {
	at := -1
	_ = ast.Walk(r, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering && at < 0 {
			at = t.Segment.Start
		}
		return ast.WalkContinue, nil
	})
	if at < 0 {
		return 0, 0, false
	}
	start := bytes.LastIndexByte(src[:at], '\n') + 1
	end := bytes.IndexByte(src[at:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += at
	}
	return start, end, true
}

func uniq(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
