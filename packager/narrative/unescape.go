package narrative

import (
	"html"
	"strings"
)

// unescape resolves what CommonMark leaves in text segments: backslash
// escapes of ASCII punctuation and entity or numeric character references.
// (goldmark resolves them only in its HTML writer.)
func unescape(s string) string {
	if !strings.ContainsAny(s, "\\&\x00") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i++
		case c == '&':
			if n := entityLen(s[i:]); n > 0 {
				b.WriteString(html.UnescapeString(s[i : i+n]))
				i += n - 1
			} else {
				b.WriteByte(c)
			}
		case c == 0:
			b.WriteString("\uFFFD")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// entityLen returns the length of the character reference at the start of
// s ("&amp;", "&#233;", "&#xE9;"), or 0.
func entityLen(s string) int {
	i := 1
	if i < len(s) && s[i] == '#' {
		i++
		hex := i < len(s) && (s[i] == 'x' || s[i] == 'X')
		if hex {
			i++
		}
		start := i
		for i < len(s) && i-start < 8 && (s[i] >= '0' && s[i] <= '9' || hex && (s[i]|0x20 >= 'a' && s[i]|0x20 <= 'f')) {
			i++
		}
		if i == start || i >= len(s) || s[i] != ';' {
			return 0
		}
		return i + 1
	}
	start := i
	for i < len(s) && i-start < 32 && (s[i]|0x20 >= 'a' && s[i]|0x20 <= 'z' || i > start && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}
