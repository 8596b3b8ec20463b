package schema

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/finding"
)

// Text no case means, refused wherever it stands: control characters
// (tab, and line breaks in long text, aside; single-line fields refuse line
// breaks by the schema's pattern), the invisible characters that reorder
// how text is shown (a file named "\u202egnp.exe" shows as "exe.png"),
// text of spaces only, dates outside 1900–2100, links that are not web
// addresses, raw HTML in plain text, and citations in the wrong case.
// Each was accepted once and printed into a package a prosecutor reads.

// MinYear and MaxYear bound every date of a case, unless its field says
// otherwise with a struct tag `years:"MIN-MAX"` in the model (an
// authority's date: a convention of 1899 is still cited).
const (
	MinYear = 1900
	MaxYear = 2100
)

// years is the range of years a date field allows.
type years struct{ min, max int }

// fieldYears reads a field's `years:"MIN-MAX"` tag; ok is false without one.
func fieldYears(f reflect.StructField) (y years, ok bool) {
	tag := f.Tag.Get("years")
	if tag == "" {
		return years{}, false
	}
	lo, hi, _ := strings.Cut(tag, "-")
	var err1, err2 error
	y.min, err1 = strconv.Atoi(lo)
	y.max, err2 = strconv.Atoi(hi)
	if err1 != nil || err2 != nil || y.min > y.max {
		panic("schema: field " + f.Name + ": bad years tag " + strconv.Quote(tag))
	}
	return y, true
}

// bidiControl reports the bidirectional formatting characters: embeddings,
// overrides and isolates (and their pops). Right-to-left text needs none
// of them to show correctly.
func bidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// controlChar reports a character that is not text: C0 and C1 controls and
// DEL. Tab and line feed are text; a carriage return only before a line
// feed (the caller checks that).
func controlChar(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// lowerCite finds what looks like an evidence citation but is not one:
// "[ev-0001]", "[Ev-0001]", "[ EV-0001]", "[EV 0001]".
var lowerCite = regexp.MustCompile(`\[\s*[Ee][Vv]\s*[-‐–]?\s*[0-9]+`)

// nonsense walks every string of the case once.
func (v *vctx) nonsense(c *Case) {
	markdown := map[string]bool{}
	for _, f := range MarkdownFields(c) {
		markdown[f.Pointer] = true
	}
	var path []any // field names and indices; a pointer is built only for a finding
	ptr := func() string {
		var b strings.Builder
		for _, p := range path {
			b.WriteByte('/')
			switch p := p.(type) {
			case string:
				b.WriteString(p)
			case int:
				b.WriteString(strconv.Itoa(p))
			}
		}
		return b.String()
	}
	whenType := reflect.TypeOf(When(""))
	var walk func(rv reflect.Value, name string, yr years)
	walk = func(rv reflect.Value, name string, yr years) {
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(rv.Elem(), name, yr)
			}
		case reflect.String:
			s := rv.String()
			if s == "" {
				return
			}
			v.nonsenseText(s, ptr, markdown)
			if rv.Type() == whenType || isDateField(name) {
				v.dateRange(s, ptr, yr)
			}
			if name == "url" || strings.HasSuffix(name, "_url") {
				v.webAddress(s, ptr)
			}
		case reflect.Slice:
			for i := 0; i < rv.Len(); i++ {
				path = append(path, i)
				walk(rv.Index(i), name, yr)
				path = path[:len(path)-1]
			}
		case reflect.Struct:
			for _, f := range modelFields(rv.Type()) {
				if f.name == "$schema" {
					continue
				}
				path = append(path, f.name)
				walk(rv.Field(f.index), f.name, f.years)
				path = path[:len(path)-1]
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "", years{MinYear, MaxYear})
}

func isDateField(name string) bool {
	return name == "date" || name == "at" || strings.HasSuffix(name, "_date") || strings.HasSuffix(name, "_at")
}

func (v *vctx) nonsenseText(s string, ptr func() string, markdown map[string]bool) {
	blank := true
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			// Printable ASCII, most of any case: text, and blank only
			// if a space.
			blank = blank && c == ' '
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case controlChar(r) && !(r == '\r' && i+1 < len(s) && s[i+1] == '\n'):
			v.addAt(finding.TextControl, ptr(), false, "",
				fmt.Sprintf("the text holds the control character %s at character %d, which is not text (it can hide or rewrite what a reader sees)", controlName(r), utf8.RuneCountInString(s[:i])+1),
				"retype the text without it; only tabs and line breaks are kept")
			return
		case bidiControl(r):
			v.addAt(finding.TextBidi, ptr(), false, string(r),
				fmt.Sprintf("the text holds the invisible character U+%04X at character %d, which reorders how the text is shown (\"\\u202egnp.exe\" shows as \"exe.png\")", r, utf8.RuneCountInString(s[:i])+1),
				"retype the text without it; right-to-left scripts show correctly without such characters")
			return
		}
		if blank && !unicode.IsSpace(r) && r != 0x200b && r != 0xfeff {
			blank = false
		}
		i += n
	}
	if blank {
		v.add(finding.TextBlank, ptr(), "the text is only spaces", "write the text, or leave the field out if it is optional")
		return
	}
	if strings.IndexByte(s, '<') >= 0 {
		if p := ptr(); !markdown[p] { // Markdown fields: rawHTML reports them
			for _, h := range RawHTML([]byte(s)) {
				if h.Closing {
					continue
				}
				v.addAt(finding.TextHTML, p, false, "",
					fmt.Sprintf("the text holds raw HTML (%s); case text is plain text, and a browser or spreadsheet showing it could obey the tag", h.Tag),
					"remove the tag, or write < as a word")
				break
			}
		}
	}
	if strings.IndexByte(s, '[') >= 0 {
		for _, m := range lowerCite.FindAllString(s, -1) {
			if strings.HasPrefix(m, "[EV-") {
				continue
			}
			id := "EV-" + strings.TrimLeft(m, "[ \t\u00a0EeVv-‐–")
			v.addAt(finding.CiteLocator, ptr(), false, m,
				fmt.Sprintf("%s… is not read as a citation: evidence IDs are written in capitals with a hyphen, e.g. [%s]", m, id),
				"write the ID as it is in \"evidence\", e.g. [EV-0001]")
		}
	}
}

func controlName(r rune) string {
	switch r {
	case 0:
		return "NUL"
	case 7:
		return "BEL (bell)"
	case 8:
		return "BS (backspace)"
	case '\r':
		return "CR (carriage return, not followed by a line break)"
	case 0x1b:
		return "ESC (a terminal escape)"
	case 0x7f:
		return "DEL"
	}
	return fmt.Sprintf("U+%04X", r)
}

// dateRange refuses a date (or When) whose year is outside the field's
// range, 1900–2100 unless it says otherwise: a year 0000 or 9999 is a
// typing slip or a placeholder, never a fact.
func (v *vctx) dateRange(s string, ptr func() string, yr years) {
	if len(s) < 4 {
		return
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil {
		return // not a date at all: the schema says so
	}
	if y < yr.min || y > yr.max {
		v.addAt(finding.DateRange, ptr(), false, s,
			fmt.Sprintf("the year %04d is outside %d–%d", y, yr.min, yr.max),
			"correct the date; if it is unknown, leave it out or give only what is known (e.g. 2021 or 2021-01)")
	}
}

// webAddress refuses a link that is not an http or https address:
// javascript:, data:, file: and the like run code or read the reader's
// own files when clicked.
func (v *vctx) webAddress(s string, ptr func() string) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return // the schema's uri format reports it
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return
	}
	scheme := u.Scheme
	if scheme == "" {
		scheme = "none"
	}
	v.add(finding.URLScheme, ptr(),
		fmt.Sprintf("the link's scheme is %s; only web addresses (http:// or https://) are accepted", strconv.Quote(scheme)),
		"give the page's web address, e.g. https://…")
}
