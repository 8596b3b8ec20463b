package narrative

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
)

// SectionText is the text a reader sees in one section of the narrative.
type SectionText struct {
	Heading string // the section's heading as printed, without its number; "" before the first
	Text    string // PlainText of the section, its heading included
}

// PlainTextSections is PlainText section by section: the text from each
// heading to the next. The public edition's leak check reads the narrative
// this way, to say in which section a protected detail would appear.
func PlainTextSections(md []byte) []SectionText {
	root := newMarkdown().Parser().Parse(textReader(md))
	var out []SectionText
	start, heading := 0, ""
	flush := func(end int) {
		if part := bytes.TrimSpace(md[start:end]); len(part) > 0 {
			out = append(out, SectionText{Heading: heading, Text: PlainText(md[start:end])})
		}
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Lines().Len() == 0 {
			continue
		}
		// The heading's line starts at the line break before its text.
		at := bytes.LastIndexByte(md[:h.Lines().At(0).Start], '\n') + 1
		flush(at)
		start, heading = at, PlainText(md[h.Lines().At(0).Start:h.Lines().At(h.Lines().Len()-1).Stop])
	}
	flush(len(md))
	return out
}
