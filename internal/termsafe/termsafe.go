// Package termsafe owns how text from a case or a package reaches a
// terminal: every character that could move the cursor, change colours,
// clear the screen, ring the bell or reorder what is shown (control
// characters, ANSI escape sequences, bidirectional overrides) is shown as a
// visible escape such as \x1b, \r or \u202e instead of being obeyed. A file
// named "\u202egnp.exe" then reads as what it is, and no crafted name can
// draw a fake "intact" line over a real "FAILED" one.
//
// Line escapes one value (a file name, a signer's name, a finding's
// message), newlines included, so that one value is one line. Writer
// escapes everything written through it except newline and tab, which
// casepack's own output is laid out with; cmd/casepack puts it under all
// human output. Machine output (--format json) does not pass through it:
// JSON has its own escaping, and programs must get the exact strings.
package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Line returns s with every unsafe character escaped, newline and carriage
// return included; tab is kept. Text without such characters is returned
// unchanged.
func Line(s string) string { return escape(s, false) }

// unsafeRune reports whether r must not reach a terminal as it is: C0
// controls (tab aside), DEL, C1 controls (U+0080–U+009F: 8-bit CSI and
// friends), the line and paragraph separators, and the bidirectional
// formatting characters (marks, embeddings, overrides, isolates).
func unsafeRune(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

func needsEscape(s string, keepNewline bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '\t' && (c < 0x20 || c == 0x7f) && !(keepNewline && c == '\n') {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}

func escape(s string, keepNewline bool) string {
	if !needsEscape(s, keepNewline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewline:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Writer escapes what is written through it (see the package comment).
// A character split across two writes is held until the second one; Flush
// writes out what is held when no more is coming.
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer that escapes onto w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it. It reports len(p) on success.
func (t *Writer) Write(p []byte) (int, error) {
	buf := p
	if len(t.pending) > 0 {
		buf = append(t.pending, p...)
		t.pending = nil
	}
	// Hold back an incomplete character at the end.
	cut := len(buf)
	for k := 1; k < utf8.UTFMax && k <= len(buf); k++ {
		c := buf[len(buf)-k]
		if c < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(buf[len(buf)-k:]) {
				cut = len(buf) - k
			}
			break
		}
	}
	if cut < len(buf) {
		t.pending = append([]byte(nil), buf[cut:]...)
	}
	if _, err := io.WriteString(t.w, escape(string(buf[:cut]), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out a held incomplete character (escaped: it is not valid
// text).
func (t *Writer) Flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	s := escape(string(t.pending), true)
	t.pending = nil
	_, err := io.WriteString(t.w, s)
	return err
}

// Unwrap returns the writer under w when w is a Writer, else w: where
// exact bytes must go out (JSON, a progress bar's own drawing).
func Unwrap(w io.Writer) io.Writer {
	if t, ok := w.(*Writer); ok {
		return t.w
	}
	return w
}
