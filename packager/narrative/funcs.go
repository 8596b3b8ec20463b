package narrative

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/casepack/casepack/schema"
)

// MD is text that is already Markdown. Every value a template prints is
// escaped unless it is an MD; only the helpers below produce MD.
type MD string

// escapeInline makes s read literally in Markdown wherever a template puts
// it: in running text, a table cell, a list item or at the start of a line.
// Characters that open Markdown syntax anywhere are escaped with a
// backslash; those that only matter at the start of a line (- + = . ) after
// digits) are escaped there; line breaks and tabs fold into spaces so the
// value cannot leave its line, cell or item. Escaping less than every
// punctuation mark keeps the Markdown tree small for large registers.
func escapeInline(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\v' && r != '\f' || r == 0x7f {
			return -1
		}
		return r
	}, s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	space := false
	lead := true // still in the leading digits of the value
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			if !space {
				b.WriteByte(' ')
			}
			space, lead = true, false
			continue
		case r < 0x80 && alwaysEscape[r]:
			b.WriteByte('\\')
		case b.Len() == 0 && (r == '-' || r == '+' || r == '='):
			b.WriteByte('\\')
		case lead && b.Len() > 0 && (r == '.' || r == ')'):
			b.WriteByte('\\')
		}
		lead = lead && r >= '0' && r <= '9'
		space = r == ' '
		b.WriteRune(r)
	}
	return b.String()
}

// alwaysEscape lists the ASCII characters that can open Markdown (CommonMark
// and the GFM extensions in use) in the middle of a line.
var alwaysEscape = func() (t [128]bool) {
	for _, c := range "\\`*_[]<>!&|~{}#" {
		t[c] = true
	}
	return t
}()

var paraBreak = regexp.MustCompile(`\n[ \t]*\n\s*`)

// escapeBlock escapes like escapeInline but keeps paragraph breaks (blank
// lines) as paragraph breaks.
func escapeBlock(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	paras := paraBreak.Split(strings.TrimSpace(s), -1)
	for i, p := range paras {
		paras[i] = escapeInline(p)
	}
	return strings.Join(paras, "\n\n")
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case MD:
		return string(v)
	case schema.When:
		return string(v)
	case fmt.Stringer:
		return v.String()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		return toString(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// md is appended to every printing action of a template: MD passes, anything
// else is escaped.
func md(v any) MD {
	if m, ok := v.(MD); ok {
		return m
	}
	return MD(escapeInline(toString(v)))
}

var atxHeading = regexp.MustCompile(`^ {0,3}(#{1,6})([ \t]|$)`)
var fence = regexp.MustCompile("^ {0,3}(```|~~~)")

// demote pushes the headings of case Markdown below the template's own
// (level 4 and deeper), so a heading in a case field cannot renumber or
// restructure the document.
func demote(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	inFence := ""
	for i, ln := range lines {
		if m := fence.FindStringSubmatch(ln); m != nil {
			switch inFence {
			case "":
				inFence = m[1]
			case m[1]:
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		if m := atxHeading.FindStringSubmatchIndex(ln); m != nil {
			level := min(m[3]-m[2]+3, 6)
			lines[i] = ln[:m[2]] + strings.Repeat("#", level) + ln[m[3]:]
		}
	}
	return strings.Join(lines, "\n")
}

// strs turns a slice of anything into strings.
func strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []string:
		return v
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return []string{toString(v)}
	}
	out := make([]string, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		if s := toString(rv.Index(i).Interface()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// andList joins "a", "a and b", "a, b and c" in the document's language.
// Strings are escaped; MD items (from t, cite…) are kept as they are and
// left out when empty, so optional parts of a sentence can be listed.
func (d *Data) andList(v ...any) MD {
	var items []string
	for _, x := range v {
		if m, ok := x.(MD); ok {
			if m != "" {
				items = append(items, string(m))
			}
			continue
		}
		for _, s := range strs(x) {
			items = append(items, string(md(s)))
		}
	}
	return MD(d.lang.And(items))
}

// cite writes a citation of evidence IDs: [EV-0001; EV-0002]. The renderer
// turns each ID into a link to its row in the evidence index.
func cite(v ...any) MD {
	var ids []string
	for _, x := range v {
		ids = append(ids, strs(x)...)
	}
	if len(ids) == 0 {
		return ""
	}
	seen := map[string]bool{}
	var uniq []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, string(md(id)))
		}
	}
	return MD(`\[` + strings.Join(uniq, "; ") + `\]`)
}

// idlist writes IDs as links to their index entries, a run of consecutive
// evidence IDs as one range: "EV-0001 to EV-0010, EV-0025". Unlike cite,
// it makes no footnote: for lists that are themselves the point.
func (d *Data) idlist(v ...any) MD {
	var items []schema.CiteItem
	for _, x := range v {
		ids := strs(x)
		// Grown once per list: the evidence of an incident of a case of
		// 20,000 photos is one list of 20,000, appended item by item 9 MB.
		items = slices.Grow(items, len(ids))
		for _, id := range ids {
			items = append(items, schema.CiteItem{ID: id})
		}
	}
	items = dedupe(items)
	var parts []string
	link := func(id string) string { return "[" + escapeInline(id) + "](#" + linkDest(id) + ")" }
	for i := 0; i < len(items); i++ {
		if j := runEnd(items, i); j-i >= 2 {
			parts = append(parts, d.lang.T("range.through", "from", link(items[i].ID), "to", link(items[j].ID)))
			i = j
			continue
		}
		parts = append(parts, link(items[i].ID))
	}
	return MD(strings.Join(parts, ", "))
}

// linkDest keeps an anchor name to the characters a link destination may
// hold without escaping.
func linkDest(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' || r == ':' {
			return r
		}
		return -1
	}, s)
}

// xref writes a cross-reference to a labelled paragraph or a heading: it
// prints "para. 12" or "section 6.2".
func xref(label string) MD { return MD("[](#" + linkDest(label) + ")") }

// cited writes the paragraphs that cite an ID: "paras 4, 9".
func cited(id string) MD { return MD("[](#cited:" + linkDest(id) + ")") }

// anchor writes the attribute that makes the paragraph it starts a link
// target (and, in the body, a cross-reference target).
func anchor(label string) MD { return MD("{#" + linkDest(label) + "}") }

// entry starts an index entry: a small unnumbered paragraph that is the
// link target of id.
func entry(id string) MD {
	if id == "" {
		return "{.entry}"
	}
	return MD("{.entry #" + linkDest(id) + "}")
}

// code writes v as a code span, fenced with more backticks than it holds.
func code(v any) MD {
	s := strings.Join(strings.Fields(toString(v)), " ")
	if s == "" {
		return ""
	}
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	// A pipe ends a table cell even inside a code span; GFM's escape for it
	// is honoured there too.
	return MD(f + strings.ReplaceAll(s, "|", `\|`) + f)
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

func plural(n any, one, many string) string {
	if toInt(n) == 1 {
		return one
	}
	return many
}

func toInt(v any) int {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(rv.Uint())
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return rv.Len()
	case reflect.Pointer:
		if rv.IsNil() {
			return 0
		}
		return toInt(rv.Elem().Interface())
	}
	return 0
}

// place joins the parts of a location from the most to the least precise.
func place(v any) string {
	var l *schema.Location
	switch v := v.(type) {
	case schema.Location:
		l = &v
	case *schema.Location:
		l = v
	}
	if l == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{l.Place, l.Parish, l.Municipality, l.State, l.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// funcMap is the helper set documented in templates/README.md.
func (d *Data) funcMap() template.FuncMap {
	return template.FuncMap{
		"md":        md,
		"text":      func(v any) MD { return MD(escapeBlock(toString(v))) },
		"markdown":  func(v any) MD { return MD(demote(toString(v))) },
		"cite":      cite,
		"date":      func(v any) string { return d.lang.Date(dateString(v)) },
		"daterange": func(a, b any) string { return d.lang.DateRange(dateString(a), dateString(b)) },
		"t":         d.t,
		"spaced":    spaced,
		"join": func(v any, sep string) string {
			return strings.Join(strs(v), sep)
		},
		"list":  d.andList,
		"label": func(v any) string { return d.lang.Label(toString(v)) },
		"labels": func(v any) []string {
			s := strs(v)
			out := make([]string, len(s))
			for i := range s {
				out[i] = d.lang.Label(s[i])
			}
			return out
		},
		"count":  toInt,
		"plural": plural,
		"add":    func(a, b int) int { return a + b },
		"place":  place,
		"upper":  strings.ToUpper,
		"lower":  strings.ToLower,
		"person": d.person,
		"persons": func(v any) []string {
			var out []string
			switch ps := v.(type) {
			case []*schema.Person:
				for _, p := range ps {
					out = append(out, d.person(p.ID))
				}
				return out
			case []schema.Person:
				for _, p := range ps {
					out = append(out, d.person(p.ID))
				}
				return out
			}
			for _, id := range strs(v) {
				out = append(out, d.person(id))
			}
			return out
		},
		"unit": d.unit,
		"units": func(v any) []string {
			var out []string
			for _, id := range strs(v) {
				out = append(out, d.unit(id))
			}
			return out
		},
		"evidence": func(id string) *schema.Evidence { return d.Index.Evidence[id] },
		"incident": func(id string) *schema.Incident { return d.Index.Incidents[id] },
		"sha256":   d.sha256,
		"withheld": d.withheld,
		"age":      d.age,
		"sorted": func(v any) []string {
			s := append([]string(nil), strs(v)...)
			sort.Strings(s)
			return s
		},
		"first":  func(n int, v any) []string { s := strs(v); return s[:min(n, len(s))] },
		"code":   code,
		"deref":  func(v any) any { return deref(v) },
		"ondate": func(v any) string { return d.lang.OnDate(dateString(v)) },
		"places": func(incs []*schema.Incident) []string {
			seen := map[string]bool{}
			var out []string
			for _, inc := range incs {
				loc := inc.Location
				loc.Country = "" // the countries are named apart
				if p := place(loc); p != "" && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
			return out
		},
		"idlist": d.idlist,
		"mentions": func(text, id string) bool {
			for _, c := range schema.Citations(text) {
				if c.ID == id {
					return true
				}
			}
			return false
		},
		"xref":     xref,
		"cited":    cited,
		"anchor":   anchor,
		"entry":    entry,
		"redacted": RedactionMark,
		"country":  d.lang.Country,
		"language": d.lang.LanguageName,
		"size":     d.lang.Size,
		"placeonly": func(v any) string {
			var l *schema.Location
			switch v := v.(type) {
			case schema.Location:
				l = &v
			case *schema.Location:
				l = v
			}
			if l == nil {
				return ""
			}
			c := *l
			c.Country = ""
			return place(c)
		},
		"countries": func(incs []*schema.Incident) []string {
			seen := map[string]bool{}
			var out []string
			for _, inc := range incs {
				if cc := inc.Location.Country; cc != "" && !seen[cc] {
					seen[cc] = true
					out = append(out, d.lang.Country(cc))
				}
			}
			return out
		},
		"yesno": func(v any) string {
			switch b := deref(v).(type) {
			case bool:
				if b {
					return d.lang.T("yes")
				}
				return d.lang.T("no")
			}
			return ""
		},
	}
}

// t prints a catalogue message in the document's language: {{ t "key"
// "name" value … }}. A string value is escaped; an MD value (from cite,
// list, xref…) is inserted as it is; an int prints as a number.
func (d *Data) t(key string, args ...any) (MD, error) {
	if !d.lang.Has(key) {
		return "", fmt.Errorf("no message %q in the %s catalogue (packager/locale/messages/%s.yaml)", key, d.lang.Code(), d.lang.Code())
	}
	if len(args)%2 != 0 {
		return "", fmt.Errorf("t %q: arguments come in name, value pairs", key)
	}
	conv := make([]any, len(args))
	for i, a := range args {
		if i%2 == 0 {
			conv[i] = a
			continue
		}
		switch v := a.(type) {
		case MD:
			conv[i] = string(v)
		case int, int64, int32:
			conv[i] = v
		default:
			conv[i] = string(md(v))
		}
	}
	return MD(d.lang.T(key, conv...)), nil
}

// spaced puts a space before a non-empty piece of Markdown, for an optional
// part of a message: "reviewed the material{cites}".
func spaced(v MD) MD {
	if v == "" {
		return ""
	}
	return " " + v
}

// dateString is a date value of the case data (a schema.When, a string or
// a time.Time) as the locale package reads it.
func dateString(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format("2006-01-02")
	}
	return toString(v)
}
