package schema

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/finding"
)

// TestNonsenseTextCharacters: for texts made of every character up to
// U+3000 (and a few beyond) alone, beside printable ASCII and beside
// spaces, nonsenseText reports exactly what the rules say character by
// character: the first control character (a CR only when no line feed
// follows), the first bidirectional control, or a text of spaces only.
func TestNonsenseTextCharacters(t *testing.T) {
	var texts []string
	for r := rune(0); r < 0x3000; r++ {
		c := string(r)
		texts = append(texts, c, "a"+c, c+"b", " "+c+" ", "x\r\n"+c, c+"\r\n", "\u00a0"+c)
	}
	texts = append(texts, " ", "   ", "\t\n", "\u200b", "\ufeff ", "a\rb", "a\r", "\xff", " \xff", "\u202e", "\u2066x", "\U0001F600")
	for _, s := range texts {
		want := expectNonsense(s)
		v := vctx{doc: &Document{}}
		v.nonsenseText(s, func() string { return "/x" }, nil)
		var got []string
		for _, f := range v.out {
			got = append(got, string(f.Code)+": "+f.Message)
		}
		if strings.Join(got, "|") != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

// expectNonsense is the rule, character by character, for texts without
// '<' or '['.
func expectNonsense(s string) string {
	blank := true
	for i, r := range s {
		at := utf8.RuneCountInString(s[:i]) + 1
		if controlChar(r) && !(r == '\r' && strings.HasPrefix(s[i+1:], "\n")) {
			return fmt.Sprintf("%s: the text holds the control character %s at character %d, which is not text (it can hide or rewrite what a reader sees)", finding.TextControl, controlName(r), at)
		}
		if bidiControl(r) {
			return fmt.Sprintf("%s: the text holds the invisible character U+%04X at character %d, which reorders how the text is shown (\"\\u202egnp.exe\" shows as \"exe.png\")", finding.TextBidi, r, at)
		}
		if !unicode.IsSpace(r) && r != 0x200b && r != 0xfeff {
			blank = false
		}
	}
	if blank {
		return string(finding.TextBlank) + ": the text is only spaces"
	}
	return ""
}
