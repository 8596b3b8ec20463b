package narrative

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrRawHTML is wrapped by the SourceError returned for HTML in the Markdown.
// HTML is refused rather than ignored: the PDF would otherwise silently drop
// text the author (or an untrusted case field) put there.
var ErrRawHTML = errors.New("raw HTML is not allowed")

// ErrXref is wrapped by the error for a cross-reference ([](#label)) that
// no paragraph or heading carries: a template's mistake, never silently
// printed as nothing.
var ErrXref = errors.New("unresolved cross-reference")

// ErrInternal is wrapped when the layout engine fails unexpectedly. It is a
// bug in casepack, never a problem with the case data.
var ErrInternal = errors.New("internal error in the PDF renderer")

// SourceError locates a problem in a Markdown or template source.
type SourceError struct {
	Source  string // file or field name, e.g. "narrative.md" or "analysis.summary"
	Line    int    // 1-based
	Column  int    // 1-based, counted in characters
	Snippet string
	Err     error
}

func (e *SourceError) Error() string {
	var msg string
	if strings.HasPrefix(e.Source, "case.json ") {
		// A case field: the position is inside the field's text.
		msg = fmt.Sprintf("%s, line %d, column %d of the text: %v", e.Source, e.Line, e.Column, e.Err)
	} else {
		msg = fmt.Sprintf("%s:%d:%d: %v", e.Source, e.Line, e.Column, e.Err)
	}
	if e.Snippet != "" {
		msg += fmt.Sprintf(": %q", e.Snippet)
	}
	return msg
}

func (e *SourceError) Unwrap() error { return e.Err }

// InCase reports whether the problem is in a text of the case data (so the
// case is what must be fixed), not in a template.
func (e *SourceError) InCase() bool { return strings.HasPrefix(e.Source, "case.json ") }

// TemplateError is a problem in the narrative templates: one that cannot
// be read or parsed, or fails when run. Its message is text/template's,
// which names the template, line and column.
type TemplateError struct{ Err error }

func (e *TemplateError) Error() string { return e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }

// position converts a byte offset in src to a 1-based line and column.
func position(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(src[start:off]) + 1
}

// snippet returns at most 40 characters of src starting at off, on one line.
func snippet(src []byte, off int) string {
	if off >= len(src) {
		return ""
	}
	s := src[off:]
	n := 0
	for i := range string(s) {
		if n == 40 || s[i] == '\n' {
			return string(s[:i])
		}
		n++
	}
	return string(s)
}
