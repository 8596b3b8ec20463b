package narrative

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

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

var months = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// longDate writes a schema.When (or a date string) in long form, as precise
// as it is known: "8 January 2021", "January 2021", "2021", or
// "8 January 2021, 07:30 (UTC−04:00)".
func longDate(v any) string {
	s := strings.TrimSpace(toString(v))
	if s == "" {
		return ""
	}
	if t, ok := v.(time.Time); ok {
		return fmt.Sprintf("%d\u00a0%s %d", t.Day(), months[t.Month()-1], t.Year())
	}
	w := schema.When(s)
	_, _, p, err := w.Range()
	if err != nil {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return longMoment(t)
		}
		return s
	}
	switch p {
	case schema.PrecisionYear:
		return s[:4]
	case schema.PrecisionMonth:
		t, _ := time.Parse("2006-01", s)
		return fmt.Sprintf("%s %d", months[t.Month()-1], t.Year())
	case schema.PrecisionDay:
		t, _ := time.Parse("2006-01-02", s)
		return fmt.Sprintf("%d\u00a0%s %d", t.Day(), months[t.Month()-1], t.Year())
	}
	layout := "2006-01-02T15:04Z07:00"
	if len(s) > 16 && s[16] == ':' {
		layout = time.RFC3339Nano
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return s
	}
	return longMoment(t)
}

// onDate writes a date with its preposition, as precise as it is known:
// "on 8 January 2021", "in January 2021", "in 2021".
func onDate(v any) string {
	d := longDate(v)
	if _, _, p, err := schema.When(toString(v)).Range(); err == nil && (p == schema.PrecisionMonth || p == schema.PrecisionYear) {
		return "in " + d
	}
	return "on " + d
}

func longMoment(t time.Time) string {
	_, off := t.Zone()
	zone := "UTC"
	if off != 0 {
		sign := "+"
		if off < 0 {
			sign, off = "−", -off
		}
		zone = fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	}
	return fmt.Sprintf("%d\u00a0%s %d, %s (%s)", t.Day(), months[t.Month()-1], t.Year(), t.Format("15:04"), zone)
}

// dateRange writes "6–9 January 2021", "30 January – 2 February 2021" or
// the two long dates joined by an en dash.
func dateRange(a, b any) string {
	as, bs := toString(a), toString(b)
	if bs == "" || bs == as {
		return longDate(a)
	}
	// Two moments on one day in one offset: "8 January 2021, 06:30–09:00 (UTC−04:00)".
	if len(as) > 16 && len(bs) > 16 && as[:10] == bs[:10] {
		la, lb := longDate(as), longDate(bs)
		ia, ib := strings.LastIndex(la, " ("), strings.LastIndex(lb, " (")
		if ia > 0 && ib > 0 && la[ia:] == lb[ib:] {
			return la[:ia] + "–" + lb[ib-5:ib] + la[ia:]
		}
	}
	if len(as) == 10 && len(bs) == 10 {
		ta, e1 := time.Parse("2006-01-02", as)
		tb, e2 := time.Parse("2006-01-02", bs)
		if e1 == nil && e2 == nil {
			switch {
			case ta.Year() == tb.Year() && ta.Month() == tb.Month():
				return fmt.Sprintf("%d–%d\u00a0%s %d", ta.Day(), tb.Day(), months[ta.Month()-1], ta.Year())
			case ta.Year() == tb.Year():
				return fmt.Sprintf("%d\u00a0%s – %d\u00a0%s %d", ta.Day(), months[ta.Month()-1], tb.Day(), months[tb.Month()-1], ta.Year())
			}
		}
	}
	return longDate(a) + " – " + longDate(b)
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

// andList joins "a", "a and b", "a, b and c", escaping each item.
func andList(v any) MD {
	items := strs(v)
	for i := range items {
		items[i] = string(md(items[i]))
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return MD(items[0])
	}
	return MD(strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1])
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
func idlist(v ...any) MD {
	var items []schema.CiteItem
	for _, x := range v {
		for _, id := range strs(x) {
			items = append(items, schema.CiteItem{ID: id})
		}
	}
	items = dedupe(items)
	var parts []string
	link := func(id string) string { return "[" + escapeInline(id) + "](#" + linkDest(id) + ")" }
	for i := 0; i < len(items); i++ {
		if j := runEnd(items, i); j-i >= 2 {
			parts = append(parts, link(items[i].ID)+" "+English.Through+" "+link(items[j].ID))
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

// country names an ISO 3166 country code in English: VE → Venezuela.
func country(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}

// languageName names a BCP 47 tag in English: es → Spanish.
func languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.English.Tags().Name(t); n != "" {
		return n
	}
	return tag
}

// size writes a file size: "812 bytes", "45.2 kB", "3.1 MB" (SI units).
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// labels turns the schema's enum values into words.
var labels = map[string]string{
	"art15_communication":           "Article 15 communication",
	"supplementary_information":     "Supplementary information",
	"information_for_investigation": "Information for an investigation",
	"response_to_request":           "Response to a request",
	"public":                        "Public",
	"confidential":                  "Confidential",
	"confidential_ex_parte":         "Confidential — ex parte",
	"preliminary_examination":       "Preliminary examination",
	"otplink":                       "OTPLink",
	"in_person":                     "In person",
	"forensic_report":               "Forensic report",
	"social_post":                   "Social-media post",
	"web_capture":                   "Web capture",
	"official_statement":            "Official statement",
	"media_report":                  "Media report",
	"alleged_perpetrator":           "Alleged perpetrator",
	"partly_verified":               "Partly verified",
	"partly_supported":              "Partly supported",
	"partly_confirmed":              "Partly confirmed",
	"not_confirmed":                 "Not confirmed",
	"not_attempted":                 "Not attempted",
	"open_source":                   "Open source",
	"own_investigation":             "Own investigation",
	"oral_recorded":                 "Oral, recorded",
	"oral_witnessed":                "Oral, witnessed",
	"share_icc":                     "Sharing with the ICC",
	"share_national":                "Sharing with national authorities",
	"record":                        "Recording",
	"publish":                       "Publication",
	"blunt_force":                   "Blunt force",
	"working":                       "Working copy",
	"statute":                       "Statutes and treaties",
	"elements":                      "Elements of Crimes",
	"policy":                        "Policy papers",
	"case_law":                      "Case law",
	"un_report":                     "United Nations reports",
	"armed_group":                   "Armed group",
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

// label writes an enum value as words: "forensic_report" → "Forensic report".
func label(v any) string {
	s := toString(v)
	if l, ok := labels[s]; ok {
		return l
	}
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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
		"date":      longDate,
		"daterange": dateRange,
		"join": func(v any, sep string) string {
			return strings.Join(strs(v), sep)
		},
		"list":  andList,
		"label": label,
		"labels": func(v any) []string {
			s := strs(v)
			out := make([]string, len(s))
			for i := range s {
				out[i] = label(s[i])
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
		"ondate": onDate,
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
		"idlist": idlist,
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
		"country":  country,
		"language": languageName,
		"size":     size,
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
					out = append(out, country(cc))
				}
			}
			return out
		},
		"yesno": func(v any) string {
			switch b := v.(type) {
			case bool:
				if b {
					return "Yes"
				}
				return "No"
			case *bool:
				if b == nil {
					return ""
				}
				if *b {
					return "Yes"
				}
				return "No"
			}
			return ""
		},
	}
}
