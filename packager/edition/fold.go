package edition

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The leak check compares text the way an adversary reads it, not byte for
// byte: "María  Fernanda\tQuintero", "MARIA FERNANDA QUINTERO", its
// decomposed (NFD) form, "Maria\u00a0Fernanda", "mar\u00ada-fernanda_quintero.png"
// and "MaríaFernandaQuintero" all read as the same three words. A text is
// reduced to its words: NFKC normalisation (compatibility forms such as
// full-width letters become plain ones), accents and other combining marks
// dropped, invisible characters (zero-width spaces and joiners, soft
// hyphens, directional marks, byte-order marks) removed, every run of
// anything that is not a letter or a digit (any kind of space, punctuation,
// an underscore) read as a word break, a word also broken where a lower-case
// letter meets an upper-case one, and each word case-folded.

var folder = cases.Fold()

// letterMap folds the letters that carry no combining mark to decompose.
var letterMap = map[rune]string{
	'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ħ': "h", 'Ħ': "H",
	'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ı': "i", 'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "TH",
}

// invisible reports characters that print as nothing.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
		r == '\u034f' || unicode.In(r, unicode.Variation_Selector)
}

// words splits s into its folded words (see above).
func words(s string) []string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFD.String(norm.NFKC.String(s))
	var out []string
	var cur strings.Builder
	var prev rune
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, folder.String(cur.String()))
			cur.Reset()
		}
	}
	for _, r := range s {
		if invisible(r) {
			continue
		}
		if m, ok := letterMap[r]; ok {
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur.WriteString(m)
			prev = r
			continue
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur.WriteRune(r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}

// digits returns the decimal digits of s, in order: a telephone or document
// number matches however its groups are separated.
func digits(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
