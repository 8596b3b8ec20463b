package schema

import (
	"bytes"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Field is one text field of a case, by its JSON pointer.
type Field struct {
	Pointer string
	Text    string
}

// MarkdownFields are the case's texts that the narrative renders as
// Markdown (the analysis and the protection note); every other text is
// printed literally. Empty fields are left out.
func MarkdownFields(c *Case) []Field {
	var out []Field
	add := func(ptr, s string) {
		if s != "" {
			out = append(out, Field{ptr, s})
		}
	}
	add("/submission/protection", c.Submission.Protection)
	a := &c.Analysis
	add("/analysis/summary", a.Summary)
	add("/analysis/methodology", a.Methodology)
	add("/analysis/context", a.Context)
	if j := a.Jurisdiction; j != nil {
		add("/analysis/jurisdiction/temporal", j.Temporal)
		add("/analysis/jurisdiction/territorial", j.Territorial)
		add("/analysis/jurisdiction/subject_matter", j.SubjectMatter)
		add("/analysis/jurisdiction/contextual_elements", j.ContextualElements)
	}
	if ad := a.Admissibility; ad != nil {
		add("/analysis/admissibility/complementarity", ad.Complementarity)
		if g := ad.Gravity; g != nil {
			add("/analysis/admissibility/gravity/scale", g.Scale)
			add("/analysis/admissibility/gravity/nature", g.Nature)
			add("/analysis/admissibility/gravity/manner", g.Manner)
			add("/analysis/admissibility/gravity/impact", g.Impact)
		}
	}
	add("/analysis/interests_of_justice", a.InterestsOfJustice)
	add("/analysis/conclusions", a.Conclusions)
	// A translation takes its original's place in a narrative.
	for i, t := range c.Translations {
		if KindAt(t.Pointer) == Markdown {
			add(fmt.Sprintf("/translations/%d/text", i), t.Text)
		}
	}
	return out
}

var markdownParser = goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser()

// HTMLTag is raw HTML found in Markdown text. The narrative prints Markdown
// only: HTML could hide text from the PDF, or smuggle markup into it, so
// validation reports it and the narrative refuses it, both through RawHTML.
type HTMLTag struct {
	Offset  int    // byte offset of the tag in the text
	Tag     string // the tag as written, on one line, at most 40 bytes
	Closing bool   // a closing tag (</b>), reported with its opening one
}

// RawHTML returns the raw HTML (inline tags and HTML blocks) in the
// Markdown text src, in order.
func RawHTML(src []byte) []HTMLTag {
	if !bytes.ContainsRune(src, '<') {
		return nil
	}
	return RawHTMLIn(markdownParser.Parse(text.NewReader(src)), src)
}

// RawHTMLIn is RawHTML over a document already parsed from src by a
// goldmark parser with the GFM extensions (the narrative's).
func RawHTMLIn(root ast.Node, src []byte) []HTMLTag {
	var out []HTMLTag
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var seg text.Segment
		switch n := n.(type) {
		case *ast.HTMLBlock:
			if n.Lines().Len() == 0 {
				return ast.WalkSkipChildren, nil
			}
			seg = n.Lines().At(0)
		case *ast.RawHTML:
			if n.Segments.Len() == 0 {
				return ast.WalkSkipChildren, nil
			}
			seg = n.Segments.At(0)
		default:
			return ast.WalkContinue, nil
		}
		tag := strings.TrimRight(string(seg.Value(src)), "\r\n")
		if len(tag) > 40 {
			tag = tag[:40]
		}
		out = append(out, HTMLTag{Offset: seg.Start, Tag: tag, Closing: strings.HasPrefix(tag, "</")})
		return ast.WalkSkipChildren, nil
	})
	return out
}

// rawHTML reports raw HTML in the Markdown fields, at the tag.
func (v *vctx) rawHTML(c *Case) {
	for _, f := range MarkdownFields(c) {
		for _, h := range RawHTML([]byte(f.Text)) {
			if h.Closing {
				continue // its opening tag was reported
			}
			// The tag as it stands in case.json, to locate it (JSON escapes
			// aside, which tags rarely hold).
			sub := h.Tag
			if strings.ContainsAny(sub, "\"\\") {
				sub = ""
			}
			v.addAt(finding.TextHTML, f.Pointer, false, sub,
				fmt.Sprintf("the text holds raw HTML (%s); the narrative prints Markdown only", h.Tag),
				"remove the tag, or write the text in Markdown (e.g. **bold**, [link](https://…))")
		}
	}
}
