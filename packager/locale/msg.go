package locale

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Msg is a message not yet written in any language: a catalogue key and
// its arguments, as name, value pairs. Code that decides something a
// document later reports (the redaction log of a public edition) records a
// Msg, and each document writes it in its own language with Lang.Text.
// An argument may itself be a Msg, or a []Msg (written as a list: "a, b
// and c"); ints are counts, written the language's way and choosing the
// plural form when named "n".
type Msg struct {
	Key  string
	Args []any
	// lower: written with a lower-case first letter, for a label inside a
	// sentence (Word).
	lower bool
}

// M is the message key with its arguments.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Word is the schema enum value v as a word inside a sentence: the
// catalogue's label with a lower-case first letter ("testimony",
// "témoignage").
func Word(v string) Msg { return Msg{Key: "label." + v, lower: true} }

// IsZero reports whether m is no message at all.
func (m Msg) IsZero() bool { return m.Key == "" }

// Text writes m in the language; a zero Msg is "".
func (l *Lang) Text(m Msg) string {
	if m.Key == "" {
		return ""
	}
	var s string
	if v, ok := strings.CutPrefix(m.Key, "label."); ok && m.lower && len(m.Args) == 0 {
		s = l.Label(v)
	} else {
		s = l.T(m.Key, m.Args...)
	}
	if m.lower {
		if r, n := utf8.DecodeRuneInString(s); r != utf8.RuneError {
			s = string(unicode.ToLower(r)) + s[n:]
		}
	}
	return s
}
