package narrative

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRenderPDF feeds untrusted Markdown (case text ends up in it) to the
// renderer: it may refuse raw HTML, text it cannot draw or a broken
// cross-reference, but must never panic or fail inside.
// Seeds: testdata/fuzz/FuzzRenderPDF.
func FuzzRenderPDF(f *testing.F) {
	f.Add("# Title\n\nText [EV-0001] *em* **strong** `code`\n\n| a | b |\n|---|---|\n| EV-0001 | x |\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<14 {
			return
		}
		err := RenderPDF(&bytes.Buffer{}, []byte(src), PDFOptions{Date: testDate, Title: src[:min(len(src), 40)], Classification: "Confidential"})
		// Refusals the renderer owes the user: raw HTML, characters no font
		// draws, a cross-reference or label it cannot resolve.
		var ge *GlyphError
		var se *SourceError
		if err != nil && !errors.Is(err, ErrRawHTML) && !errors.As(err, &ge) && !errors.As(err, &se) && !errors.Is(err, ErrXref) {
			t.Fatalf("RenderPDF(%q): %v", src, err)
		}
	})
}

// FuzzEscape checks that any value put through md reads back as itself:
// one paragraph of plain text, whatever Markdown it contains.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a|b", "*x* _y_ `z`", "# h", "[l](u)", "<b>", "&amp;", "1. x", "\\", "~~s~~", "![i](x)", "{#id}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		clean := strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\v' && r != '\f' || r == 0x7f {
				return -1
			}
			return r
		}, s)
		got := plainOf(t, "Text: "+string(md(s)))
		if want := squash("Text: " + clean); got != want {
			t.Fatalf("md(%q) reads back as %q, want %q", s, got, want)
		}
		if squash(clean) == "" {
			return
		}
		if got := plainOf(t, string(md(s))); got != squash(clean) {
			t.Fatalf("md(%q) at the start of a line reads back as %q, want %q", s, got, squash(clean))
		}
	})
}
