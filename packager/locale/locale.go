package locale

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Default is the language of a document when neither the user nor the case
// names one casepack writes.
const Default = "en"

// supported are the languages casepack writes, in the order they are listed.
var supported = []string{"en", "fr", "es"}

//go:embed messages/*.yaml
var catalogueFS embed.FS

// Lang writes documents in one language: its catalogue, plural rules,
// numbers and dates.
type Lang struct {
	code    string
	tag     language.Tag
	cat     catalogue
	printer *message.Printer
	cal     calendar
}

// calendar is what cldr_tables.go holds for a language.
type calendar struct {
	months   [12]string
	longDate string
}

// UnsupportedError is a language casepack does not write.
type UnsupportedError struct{ Lang string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("language %q: casepack writes %s", e.Lang, strings.Join(supported, ", "))
}

var (
	loadOnce sync.Once
	langs    map[string]*Lang
	loadErr  error
)

func load() {
	langs = map[string]*Lang{}
	for _, code := range supported {
		src, err := catalogueFS.ReadFile("messages/" + code + ".yaml")
		if err != nil {
			loadErr = err
			return
		}
		cat, err := parseCatalogue(src)
		if err != nil {
			loadErr = fmt.Errorf("messages/%s.yaml: %w", code, err)
			return
		}
		tag := language.MustParse(code)
		langs[code] = &Lang{code: code, tag: tag, cat: cat, printer: message.NewPrinter(tag), cal: cldrCalendar[code]}
	}
}

// Supported lists the languages casepack writes: en, fr, es.
func Supported() []string { return append([]string(nil), supported...) }

// Get returns the language named by a BCP 47 tag; a regional tag ("es-VE",
// "fr-CA") writes its base language.
func Get(tag string) (*Lang, error) {
	loadOnce.Do(load)
	if loadErr != nil {
		// The catalogues are embedded and tested: this is a broken build.
		panic("locale: " + loadErr.Error())
	}
	base := Base(tag)
	if l, ok := langs[base]; ok {
		return l, nil
	}
	return nil, &UnsupportedError{Lang: tag}
}

// Must is Get for a language known to be supported.
func Must(tag string) *Lang {
	l, err := Get(tag)
	if err != nil {
		panic(err)
	}
	return l
}

// English is the default language.
func English() *Lang { return Must("en") }

// Base is the lower-case primary language subtag of a BCP 47 tag: "es-VE"
// → "es".
func Base(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// IsSupported reports whether casepack writes the language of tag.
func IsSupported(tag string) bool {
	b := Base(tag)
	for _, s := range supported {
		if s == b {
			return true
		}
	}
	return false
}

// DefaultFor picks a document's language from the case's languages (main
// first): the first one casepack writes, else English.
func DefaultFor(caseLanguages []string) string {
	for _, l := range caseLanguages {
		if IsSupported(l) {
			return Base(l)
		}
	}
	return Default
}

// ParseList reads a --lang value: one language or several separated by
// commas ("en,fr"), each one casepack writes, without repeats. The result
// keeps the order given, as base codes.
func ParseList(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !IsSupported(part) {
			return nil, &UnsupportedError{Lang: part}
		}
		b := Base(part)
		if seen[b] {
			return nil, fmt.Errorf("language %q is listed twice", part)
		}
		seen[b] = true
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no language given: use one or more of %s, separated by commas", strings.Join(supported, ", "))
	}
	return out, nil
}

// Code is the language's code: "en", "fr" or "es".
func (l *Lang) Code() string { return l.code }

// Tag is the language's BCP 47 tag.
func (l *Lang) Tag() language.Tag { return l.tag }

// Has reports whether the catalogue has a message for key.
func (l *Lang) Has(key string) bool { _, ok := l.cat[key]; return ok }

// T returns the message key with its placeholders filled from args, given
// as name, value pairs: T("page.of", "page", 3, "total", "19"). An int
// value prints as a number of the language ("1 234"); a message with
// plural forms is chosen by the int named "n". A key the catalogue lacks
// prints as ⟦key⟧, never as another language's text (tests keep every key
// in every catalogue).
func (l *Lang) T(key string, args ...any) string {
	m, ok := l.cat[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	return m.format(l, args)
}

// Int writes a count: "1,234", "1 234", "1.234".
func (l *Lang) Int(n int) string {
	if n > -1000 && n < 1000 {
		return fmt.Sprint(n) // no grouping to do; the printer is slower
	}
	return l.printer.Sprint(number.Decimal(n))
}

// Decimal writes a number with at most frac decimals: "45.2", "45,2".
func (l *Lang) Decimal(f float64, frac int) string {
	return l.printer.Sprint(number.Decimal(f, number.MinFractionDigits(frac), number.MaxFractionDigits(frac)))
}

// Size writes a file size in SI units: "812 bytes", "45.2 kB", "3.1 MB".
func (l *Lang) Size(n int64) string {
	switch {
	case n < 1000:
		return l.T("size.bytes", "n", int(n))
	case n < 1000*1000:
		return l.T("size.kb", "v", l.Decimal(float64(n)/1000, 1))
	case n < 1000*1000*1000:
		return l.T("size.mb", "v", l.Decimal(float64(n)/1e6, 1))
	}
	return l.T("size.gb", "v", l.Decimal(float64(n)/1e9, 2))
}

// Country names an ISO 3166 country code: VE → "Venezuela".
func (l *Lang) Country(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(l.tag).Name(r); n != "" {
		return n
	}
	return code
}

// LanguageName names a BCP 47 tag: "es" → "Spanish", "espagnol", "español".
func (l *Lang) LanguageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Tags(l.tag).Name(t); n != "" {
		return n
	}
	return tag
}

// And joins items as a list: "a", "a and b", "a, b and c".
func (l *Lang) And(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return l.T("list.and", "a", strings.Join(items[:len(items)-1], l.T("list.sep")), "b", items[len(items)-1])
}

// Label writes a schema enum value in words: "forensic_report" →
// "Forensic report", "Rapport médico-légal". A value the catalogue does not
// know is printed with its underscores as spaces.
func (l *Lang) Label(v string) string {
	if v == "" {
		return ""
	}
	if m, ok := l.cat["label."+v]; ok {
		return m.format(l, nil)
	}
	s := strings.ReplaceAll(v, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Keys lists the catalogue's keys, sorted.
func (l *Lang) Keys() []string {
	out := make([]string, 0, len(l.cat))
	for k := range l.cat {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Placeholders lists the placeholder names of a message (of all its plural
// forms), sorted; nil for a key the catalogue lacks.
func (l *Lang) Placeholders(key string) []string {
	m, ok := l.cat[key]
	if !ok {
		return nil
	}
	return m.placeholders()
}

// Forms lists the plural forms a message has ("one", "other", "=0"), sorted;
// nil for a message without plural forms.
func (l *Lang) Forms(key string) []string {
	m, ok := l.cat[key]
	if !ok || m.plain != nil {
		return nil
	}
	var out []string
	for f := range m.forms {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
