package annex

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// kind says how a column's values are stored in the workbook and rendered in
// the CSV twin.
type kind uint8

const (
	kindText     kind = iota // free text: always a text cell, never a formula
	kindID                   // text; the key that defines this row (link target)
	kindRef                  // IDs defined on another sheet; linked when exactly one
	kindDate                 // calendar date with a precision (day, month, year)
	kindDateTime             // instant, shown in UTC
	kindInt                  // whole number
)

// column describes one column of a sheet. Headers are unique within a sheet:
// they become the table's column names, which Excel requires to be unique.
type column struct {
	header string
	kind   kind
	target string // kindRef: the sheet whose kindID column defines the IDs
	// digest: hexadecimal digests, shown whole in a monospace font (a
	// SHA-256 on one line, a SHA-512 on two) so a printed annex can be
	// compared character by character.
	digest bool
}

// Precision says how much of a date is known. Witnesses often know only the
// month or the year; the annex shows no more than is known.
type Precision uint8

const (
	PrecisionDay Precision = iota
	PrecisionMonth
	PrecisionYear
)

// value is one cell. The zero value is an empty cell.
type value struct {
	k    vkind
	s    string
	ids  []string
	t    time.Time
	prec Precision
	n    int64
}

type vkind uint8

const (
	vEmpty vkind = iota
	vText
	vRefs
	vDate
	vTime
	vInt
)

func text(s string) value {
	if s == "" {
		return value{}
	}
	return value{k: vText, s: s}
}

func refs(ids ...string) value {
	if len(ids) == 0 {
		return value{}
	}
	return value{k: vRefs, ids: ids}
}

func date(t time.Time, p Precision) value {
	if t.IsZero() {
		return value{}
	}
	return value{k: vDate, t: t, prec: p}
}

func instant(t time.Time) value {
	if t.IsZero() {
		return value{}
	}
	return value{k: vTime, t: t}
}

func integer(n int64) value { return value{k: vInt, n: n} }

// accepts reports whether a value of kind v may be stored in a column of kind k.
func (k kind) accepts(v vkind) bool {
	switch v {
	case vEmpty:
		return true
	case vText:
		return k == kindText || k == kindID
	case vRefs:
		return k == kindRef
	case vDate:
		return k == kindDate
	case vTime:
		return k == kindDateTime
	case vInt:
		return k == kindInt
	}
	return false
}

// sheet is one register: a CSV twin name, columns and a row source. rows is
// called twice (once to size columns and index IDs, once to write), so it
// must yield the same rows each time; it never needs to hold them all.
type sheet struct {
	name string // sheet name in the workbook, in its language
	key  string // the same in every language ("evidence"): names its table
	file string // CSV twin file name, e.g. "evidence.csv"
	cols []column
	rows func(yield func([]value) error) error
	// sizeRows, when set, are the rows as planSheet reads them: the same
	// rows, but a digest column's cells may hold stand-ins as long as the
	// digests (mapper.sized): its width does not depend on its text
	// (digestWidth).
	sizeRows func(yield func([]value) error) error
}

// refSeparator joins several IDs in one cell.
const refSeparator = "; "

// cleanText replaces characters that XML 1.0 cannot carry (C0 controls other
// than tab, LF and CR; U+FFFE, U+FFFF; invalid UTF-8) with U+FFFD, so the
// workbook is well formed and its CSV twin holds the same text.
func cleanText(s string) string {
	ok := true
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII, most of any register: one comparison, not a decode.
			if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
				ok = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r, n) {
			ok = false
			break
		}
		i += n
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r, n) {
			b.WriteString(s[i : i+n])
		} else {
			b.WriteRune(utf8.RuneError)
		}
		i += n
	}
	return b.String()
}

func xmlChar(r rune, size int) bool {
	if r == utf8.RuneError && size == 1 {
		return false
	}
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// maxCellUnits is Excel's limit on the text in one cell, in UTF-16 code units.
const maxCellUnits = 32767

// truncatedNote ends a cell whose text was too long for a spreadsheet cell.
const truncatedNote = " […truncated: the full text is in the CSV twin and case.json]"

// fitCell shortens s to what one workbook cell can hold, saying so at the
// end. excelize would truncate silently; a lawyer must see that text is cut.
func fitCell(s string) string {
	units := 0
	for _, r := range s {
		units += utf16Len(r)
	}
	if units <= maxCellUnits {
		return s
	}
	budget := maxCellUnits
	for _, r := range truncatedNote {
		budget -= utf16Len(r)
	}
	units = 0
	for i, r := range s {
		if units+utf16Len(r) > budget {
			return s[:i] + truncatedNote
		}
		units += utf16Len(r)
	}
	return s
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// csvText renders a value for the CSV twin. Dates show only their known
// precision; instants are RFC 3339 in UTC.
func csvText(v value) string {
	switch v.k {
	case vText:
		return escapeCSVFormula(cleanText(v.s))
	case vRefs:
		return escapeCSVFormula(cleanText(strings.Join(v.ids, refSeparator)))
	case vDate:
		return formatDate(v.t, v.prec)
	case vTime:
		return v.t.UTC().Format("2006-01-02T15:04:05Z")
	case vInt:
		return strconv.FormatInt(v.n, 10)
	}
	return ""
}

func formatDate(t time.Time, p Precision) string {
	switch p {
	case PrecisionYear:
		return t.Format("2006")
	case PrecisionMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// displayWidth estimates how many characters a value shows in its cell, to
// size the column.
func displayWidth(v value) int {
	switch v.k {
	case vText:
		return utf8.RuneCountInString(v.s)
	case vRefs:
		n := 0
		for i, id := range v.ids {
			if i > 0 {
				n += len(refSeparator)
			}
			n += utf8.RuneCountInString(id)
		}
		return n
	case vDate:
		return len(formatDate(v.t, v.prec))
	case vTime:
		return len("2006-01-02 15:04:05")
	case vInt:
		return len(strconv.FormatInt(v.n, 10))
	}
	return 0
}

func (s *sheet) check() error {
	seen := make(map[string]bool, len(s.cols))
	keys := 0
	for _, c := range s.cols {
		if c.header == "" || seen[c.header] {
			return fmt.Errorf("sheet %s: empty or duplicate header %q", s.name, c.header)
		}
		seen[c.header] = true
		if c.kind == kindID {
			keys++
		}
		if c.kind == kindRef && c.target == "" {
			return fmt.Errorf("sheet %s: column %q links to no sheet", s.name, c.header)
		}
	}
	if keys > 1 {
		return fmt.Errorf("sheet %s: more than one ID column", s.name)
	}
	return nil
}
