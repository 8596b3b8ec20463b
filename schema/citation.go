package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A citation in case text points the reader at evidence, or at an authority
// listed in "authorities", and optionally at a place inside it (a pinpoint,
// or locator). The narrative turns each into a footnote.
//
//	[EV-0005]                        the item
//	[EV-0005 @ 00:01:12]             a moment of a video or recording (h:mm:ss or mm:ss)
//	[EV-0005 @ 00:01:12–00:01:30]    a stretch of it
//	[EV-0025 p. 3]   [EV-0025 pp. 3–4, 7]      a page, pages
//	[EV-0026 para. 4]   [EV-0026 paras. 4–6]   a paragraph of a statement
//	[EV-0030 fn. 2]                  a footnote of a document
//	[RS art. 7(1)(a)]   [RPE rule 46(3)]   [OTP-PE para. 59]   [X § 12]   an authority
//	[EV-0001; EV-0002 p. 2; RS art. 15]    several, separated by semicolons
//
// A hyphen may stand for the en dash in ranges. Bare IDs may also be
// separated by commas ([EV-0001, EV-0002]), as before locators existed.

// LocatorKind says what a pinpoint counts in.
type LocatorKind string

const (
	LocTime     LocatorKind = "time"     // @ 00:01:12
	LocPage     LocatorKind = "page"     // p. 3, pp. 3–4
	LocPara     LocatorKind = "para"     // para. 4, paras. 4–6
	LocFootnote LocatorKind = "footnote" // fn. 2
	LocArticle  LocatorKind = "article"  // art. 7(1)(a)
	LocRule     LocatorKind = "rule"     // rule 46(3)
	LocSection  LocatorKind = "section"  // § 12
)

// Locator is a pinpoint inside a cited item.
type Locator struct {
	Kind LocatorKind
	// Value is the pinpoint without its keyword, ranges written with an en
	// dash: "00:01:12", "00:01:12–00:01:30", "3–4, 7", "7(1)(a)".
	Value string
	// Plural is true for pp./paras./arts./rules/fns./§§, and for ranges.
	Plural bool
	// Seconds is the last second a time locator reaches; Last is the
	// highest page, paragraph or footnote number (0 when not numeric). The
	// validator compares them with the file's duration or page count.
	Seconds int
	Last    int
}

// CiteItem is one cited ID with its optional locator.
type CiteItem struct {
	ID      string
	Locator *Locator
	Offset  int // byte offset of the ID in the text
}

// CitationGroup is one bracketed citation: "[EV-0001 p. 3; EV-0002]".
type CitationGroup struct {
	Start, End int // byte offsets of "[" and just after "]"
	Items      []CiteItem
	// Err describes the first malformed part; Items then holds the parts
	// read before it.
	Err *CitationError
}

// Text is the group as written.
func (g CitationGroup) Text(s string) string { return s[g.Start:g.End] }

// CitationError is a malformed citation, in the user's terms.
type CitationError struct {
	Offset int    // byte offset of the offending part in the text
	Part   string // the part that could not be read
	Msg    string
	Hint   string
	// Dangling is true when the citation is well formed but names an
	// authority that does not exist.
	Dangling bool
}

func (e *CitationError) Error() string { return e.Msg }

// Citation is one cited evidence ID found in a text.
type Citation struct {
	ID      string
	Offset  int
	Locator *Locator
}

var (
	// evidenceStart opens an evidence citation: "[EV-" and a digit.
	evidenceStart = regexp.MustCompile(`^\[EV-[0-9]`)
	// authorityID is the form of an authority's ID.
	authorityID = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$`)
	evidenceID  = regexp.MustCompile(`^EV-[0-9]{4,6}$`)
	timeRe      = regexp.MustCompile(`^(?:([0-9]{1,2}):)?([0-9]{1,2}):([0-9]{2})$`)
	numRe       = regexp.MustCompile(`^(?:[0-9]{1,6}|[ivxlcdm]{1,8})$`)
	articleRe   = regexp.MustCompile(`^[0-9]{1,4}(?:bis|ter|quater|[a-z])?(?:\([0-9a-z]{1,6}\))*$`)
	keywordRe   = regexp.MustCompile(`^(@|pp?\.|paras?\.|fns?\.|arts?\.|rules?\b|§§?)`)
)

// locatorKeywords maps a keyword to its kind and whether it is plural.
var locatorKeywords = map[string]struct {
	kind   LocatorKind
	plural bool
}{
	"@": {LocTime, false}, "p.": {LocPage, false}, "pp.": {LocPage, true},
	"para.": {LocPara, false}, "paras.": {LocPara, true}, "fn.": {LocFootnote, false}, "fns.": {LocFootnote, true},
	"art.": {LocArticle, false}, "arts.": {LocArticle, true}, "rule": {LocRule, false}, "rules": {LocRule, true},
	"§": {LocSection, false}, "§§": {LocSection, true},
}

// IsEvidenceID reports whether s is an evidence ID (EV-0001).
func IsEvidenceID(s string) bool { return evidenceID.MatchString(s) }

// IsAuthorityID reports whether s has the form of an authority ID.
func IsAuthorityID(s string) bool {
	return len(s) <= 24 && authorityID.MatchString(s) && !strings.HasPrefix(s, "EV-")
}

// ParseCitations finds the bracketed citations in text. Evidence citations
// ([EV-…]) are always read; a bracket that opens with another ID is a
// citation when authority(ID) is true, or when a locator keyword follows
// the ID (then it is returned with Err set: the authority does not exist).
// authority may be nil. Markdown links ("[text](url)") are not citations.
func ParseCitations(text string, authority func(string) bool) []CitationGroup {
	var out []CitationGroup
	for i := 0; i < len(text); i++ {
		if text[i] != '[' {
			continue
		}
		end := strings.IndexByte(text[i:], ']')
		if end < 0 {
			break
		}
		end += i
		inner := text[i+1 : end]
		if strings.ContainsAny(inner, "[\n") {
			continue
		}
		if end+1 < len(text) && text[end+1] == '(' {
			continue // a Markdown link
		}
		first := inner
		if k := strings.IndexAny(first, " ;,\u00a0"); k >= 0 {
			first = first[:k]
		}
		isEv := evidenceStart.MatchString(text[i:])
		isAuth := !isEv && IsAuthorityID(first) && authority != nil && authority(first)
		unknownAuth := !isEv && !isAuth && IsAuthorityID(first) && len(first) < len(inner) &&
			keywordRe.MatchString(strings.TrimLeft(inner[len(first):], " \u00a0"))
		if !isEv && !isAuth && !unknownAuth {
			continue
		}
		g := parseGroup(text, i, end, authority)
		if unknownAuth {
			g.Items = nil
			g.Err = &CitationError{Offset: i + 1, Part: first, Dangling: true,
				Msg:  fmt.Sprintf("the text cites %s, but there is no authority %s", g.Text(text), first),
				Hint: "add it to \"authorities\" (id, kind, title), or correct the ID"}
		}
		out = append(out, g)
		i = end
	}
	return out
}

// Citations returns the evidence IDs cited in text, in order, with their
// byte offsets and locators.
func Citations(text string) []Citation {
	var out []Citation
	for _, g := range ParseCitations(text, nil) {
		for _, it := range g.Items {
			if IsEvidenceID(it.ID) {
				out = append(out, Citation{ID: it.ID, Offset: it.Offset, Locator: it.Locator})
			}
		}
	}
	return out
}

// parseGroup reads the items of the bracket text[start:end+1].
func parseGroup(text string, start, end int, authority func(string) bool) CitationGroup {
	g := CitationGroup{Start: start, End: end + 1}
	fail := func(off int, part, msg, hint string) CitationGroup {
		g.Err = &CitationError{Offset: off, Part: part, Msg: msg, Hint: hint}
		return g
	}
	pos := start + 1
	for _, piece := range splitItems(text[start+1 : end]) {
		off := pos + piece.off
		s := strings.TrimSpace(strings.ReplaceAll(piece.s, "\u00a0", " "))
		lead := len(piece.s) - len(strings.TrimLeft(piece.s, " \u00a0"))
		off += lead
		if s == "" {
			return fail(off, g.Text(text), fmt.Sprintf("the citation %s has an empty part", g.Text(text)),
				"separate cited items with one semicolon, e.g. [EV-0001; EV-0002]")
		}
		id, rest, _ := strings.Cut(s, " ")
		rest = strings.TrimSpace(rest)
		switch {
		case IsEvidenceID(id):
		case IsAuthorityID(id) && authority != nil && authority(id):
		case strings.HasPrefix(id, "EV-"):
			return fail(off, id, fmt.Sprintf("%s in %s is not an evidence ID", id, g.Text(text)),
				"an evidence ID is EV- and four to six digits, e.g. EV-0001")
		default:
			return fail(off, id, fmt.Sprintf("%s in %s is neither an evidence ID nor an authority listed in \"authorities\"", id, g.Text(text)),
				"separate cited items with semicolons, and give each its ID first, e.g. [EV-0001 p. 3; EV-0002]")
		}
		it := CiteItem{ID: id, Offset: off}
		if rest != "" {
			loc, err := parseLocator(rest)
			if err != nil {
				return fail(off+len(id)+1, rest, fmt.Sprintf("the pinpoint %q in %s cannot be read: %s", rest, g.Text(text), err.msg), err.hint)
			}
			it.Locator = loc
		}
		g.Items = append(g.Items, it)
	}
	return g
}

type itemText struct {
	s   string
	off int
}

// splitItems splits a citation's inside at semicolons, and at commas that
// are followed by an evidence ID (the older list form).
func splitItems(s string) []itemText {
	var out []itemText
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ';':
			out = append(out, itemText{s[start:i], start})
			start = i + 1
		case ',':
			if evidenceStart.MatchString("[" + strings.TrimLeft(s[i+1:], " ")) {
				out = append(out, itemText{s[start:i], start})
				start = i + 1
			}
		}
	}
	return append(out, itemText{s[start:], start})
}

type locErr struct{ msg, hint string }

// parseLocator reads "@ 00:01:12", "pp. 3–4", "art. 7(1)(a)"…
func parseLocator(s string) (*Locator, *locErr) {
	m := keywordRe.FindString(s)
	if m == "" {
		return nil, &locErr{"it does not start with @, p., pp., para., paras., fn., art., rule or §",
			"write a time as [EV-0005 @ 00:01:12], a page as [EV-0025 p. 3], a paragraph as [EV-0026 para. 4]"}
	}
	kw := locatorKeywords[m]
	val := strings.TrimSpace(s[len(m):])
	if val == "" {
		return nil, &locErr{"the " + m + " has no value", "add the number or time after " + m}
	}
	val = strings.ReplaceAll(val, "--", "–")
	loc := &Locator{Kind: kw.kind, Plural: kw.plural}
	var parts []string
	for _, alt := range strings.Split(val, ",") {
		alt = strings.TrimSpace(alt)
		lo, hi, isRange := cutRange(alt)
		if isRange {
			loc.Plural = true
		}
		for _, v := range []string{lo, hi} {
			if v == "" && !isRange {
				continue
			}
			if err := checkLocatorValue(loc, v); err != nil {
				return nil, err
			}
		}
		if isRange {
			if kw.kind == LocTime && timeSeconds(hi) <= timeSeconds(lo) ||
				kw.kind != LocTime && numeric(lo) && numeric(hi) && atoi(hi) <= atoi(lo) {
				return nil, &locErr{fmt.Sprintf("the range %s–%s ends before it starts", lo, hi), "give the range from the earlier to the later point"}
			}
			parts = append(parts, lo+"–"+hi)
		} else {
			parts = append(parts, lo)
		}
	}
	if kw.kind == LocTime && len(parts) > 1 {
		return nil, &locErr{"give one time or one stretch of time", "cite two moments as two items: [EV-0005 @ 00:01:12; EV-0005 @ 00:02:00]"}
	}
	if len(parts) > 1 {
		loc.Plural = true
	}
	loc.Value = strings.Join(parts, ", ")
	return loc, nil
}

// cutRange splits "3–4" or "3-4" (but not the hyphen of a time).
func cutRange(s string) (lo, hi string, ok bool) {
	if a, b, found := strings.Cut(s, "–"); found {
		return strings.TrimSpace(a), strings.TrimSpace(b), true
	}
	if a, b, found := strings.Cut(s, "-"); found {
		return strings.TrimSpace(a), strings.TrimSpace(b), true
	}
	return s, "", false
}

func checkLocatorValue(loc *Locator, v string) *locErr {
	switch loc.Kind {
	case LocTime:
		if !timeRe.MatchString(v) {
			return &locErr{fmt.Sprintf("%q is not a time code", v), "write hours:minutes:seconds or minutes:seconds, e.g. @ 00:01:12 or @ 1:12"}
		}
		m := timeRe.FindStringSubmatch(v)
		if atoi(m[3]) > 59 || m[1] != "" && atoi(m[2]) > 59 {
			return &locErr{fmt.Sprintf("%q is not a time code: minutes and seconds go up to 59", v), "e.g. @ 01:05:00 for one hour and five minutes"}
		}
		loc.Seconds = max(loc.Seconds, timeSeconds(v))
	case LocPage, LocPara, LocFootnote:
		if !numRe.MatchString(v) {
			return &locErr{fmt.Sprintf("%q is not a number", v), "write numbers, ranges and lists, e.g. pp. 3–4, 7"}
		}
		if numeric(v) {
			loc.Last = max(loc.Last, atoi(v))
		}
	default:
		if !articleRe.MatchString(v) {
			return &locErr{fmt.Sprintf("%q is not an article, rule or section number", v), "write it as the Statute does, e.g. art. 7(1)(a) or rule 46(3)"}
		}
	}
	return nil
}

func numeric(s string) bool { _, err := strconv.Atoi(s); return err == nil }

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// timeSeconds reads a time code timeRe has accepted.
func timeSeconds(s string) int {
	m := timeRe.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	return atoi(m[1])*3600 + atoi(m[2])*60 + atoi(m[3])
}

// DurationSeconds reads a file's duration as written in case.json
// ("00:03:25", "3:25"), or -1 when it is not one.
func DurationSeconds(s string) int {
	m := timeRe.FindStringSubmatch(s)
	if m == nil || atoi(m[3]) > 59 || m[1] != "" && atoi(m[2]) > 59 {
		return -1
	}
	return timeSeconds(s)
}

// CitationRun is a run of citations a reader takes as one: text[Start:End]
// holds well-formed citation groups separated by nothing but spaces, or
// joined into a range by a range word ("[EV-0011] to [EV-0024]"). The
// narrative makes one footnote of each run.
type CitationRun struct {
	Start, End int
	Items      []CiteItem
	// Ranges marks the items that open a range: Items[i] to Items[i+1].
	Ranges map[int]bool
}

// rangeWords join two single citations into a range.
var rangeWords = map[string]bool{"to": true, "–": true, "-": true, "through": true}

// CitationRuns finds the runs of well-formed citations in text (malformed
// groups, which validate reports, are left out).
func CitationRuns(text string, authority func(string) bool) []CitationRun {
	var groups []CitationGroup
	for _, g := range ParseCitations(text, authority) {
		if g.Err == nil && len(g.Items) > 0 {
			groups = append(groups, g)
		}
	}
	var runs []CitationRun
	for k := 0; k < len(groups); {
		j, items := k, append([]CiteItem(nil), groups[k].Items...)
		var ranges map[int]bool
		for j+1 < len(groups) {
			between := strings.TrimSpace(text[groups[j].End:groups[j+1].Start])
			if between != "" && !(rangeWords[between] && len(groups[j].Items) == 1 && len(groups[j+1].Items) == 1) {
				break
			}
			if between != "" {
				if ranges == nil {
					ranges = map[int]bool{}
				}
				ranges[len(items)-1] = true
			}
			j++
			items = append(items, groups[j].Items...)
		}
		runs = append(runs, CitationRun{Start: groups[k].Start, End: groups[j].End, Items: items, Ranges: ranges})
		k = j + 1
	}
	return runs
}
