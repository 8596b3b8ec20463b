package narrative

import (
	"strconv"
	"strings"

	"github.com/casepack/casepack/schema"
)

// cites merges adjacent spans and turns citations ([EV-0001 p. 3; RS art.
// 7]) into footnotes in body text, or into linked inline citations in
// tables, index entries, headings and the cover. Citations separated by
// nothing but spaces make one footnote; the marker follows a punctuation
// mark that comes straight after the citation ("… the heart [EV-0025]."
// prints "… the heart.¹"). A malformed citation (validate reports it)
// stays as written.
func (l *layout) cites(in []span) []span {
	var merged []span
	for _, s := range in {
		if n := len(merged); n > 0 && !s.brk && !merged[n-1].brk && s.note == nil && merged[n-1].note == nil &&
			merged[n-1].st == s.st && merged[n-1].anchor == s.anchor && merged[n-1].url == s.url {
			merged[n-1].text += s.text
			continue
		}
		merged = append(merged, s)
	}
	isAuth := func(id string) bool { _, ok := l.doc.authorities[id]; return ok }
	var out []span
	for _, s := range merged {
		if s.brk || s.anchor != "" || s.url != "" || s.st&stMono != 0 || !strings.Contains(s.text, "[") {
			out = append(out, s)
			continue
		}
		runs := schema.CitationRuns(s.text, isAuth)
		if len(runs) == 0 {
			out = append(out, s)
			continue
		}
		text, pos := s.text, 0
		emit := func(t string) {
			if t != "" {
				out = append(out, span{text: t, st: s.st})
			}
		}
		for _, r := range runs {
			end := r.End
			if l.inlineCites || !l.inBody {
				emit(text[pos:r.Start])
				out = append(out, span{text: "[", st: s.st})
				out = append(out, l.citeSpans(r.Items, r.Ranges, s.st, false)...)
				out = append(out, span{text: "]", st: s.st})
			} else {
				emit(strings.TrimRight(text[pos:r.Start], " \u00a0"))
				if end < len(text) && strings.ContainsRune(".,;:", rune(text[end])) {
					emit(text[end : end+1])
					end++
				}
				l.noteNum++
				n := &footnote{num: l.noteNum, spans: l.citeSpans(r.Items, r.Ranges, 0, true)}
				out = append(out, span{note: n, anchor: r.Items[0].ID})
			}
			pos = end
		}
		emit(text[pos:])
	}
	return out
}

// citeSpans prints cited items: "EV-0005, at 00:01:12; EV-0011 to EV-0024;
// Rome Statute, art. 7(1)(a)", each ID linked to its anchor. A footnote
// ends with a full stop.
func (l *layout) citeSpans(items []schema.CiteItem, ranges map[int]bool, st style, note bool) []span {
	if ranges == nil {
		items = dedupe(items)
	}
	var out []span
	for i := 0; i < len(items); i++ {
		if i > 0 {
			out = append(out, span{text: "; ", st: st})
		}
		it := items[i]
		if j := runEnd(items, i); j-i >= 2 || ranges[i] && i+1 < len(items) {
			if ranges[i] {
				j = i + 1
			}
			out = append(out, span{text: it.ID, st: st, anchor: it.ID},
				span{text: " " + l.vocab.Through + " ", st: st},
				span{text: items[j].ID, st: st, anchor: items[j].ID})
			i = j
			continue
		}
		name := it.ID
		if short, ok := l.doc.authorities[it.ID]; ok && short != "" {
			name = short
		}
		out = append(out, span{text: name, st: st, anchor: it.ID})
		if it.Locator != nil {
			out = append(out, span{text: ", " + l.vocab.locator(it.Locator), st: st})
		}
	}
	if note {
		out = append(out, span{text: ".", st: st})
	}
	return out
}

func dedupe(items []schema.CiteItem) []schema.CiteItem {
	seen := make(map[string]bool, len(items))
	out := make([]schema.CiteItem, 0, len(items))
	for _, it := range items {
		k := it.ID
		if it.Locator != nil {
			k += "\x00" + string(it.Locator.Kind) + it.Locator.Value
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// runEnd returns the index of the last item of the run of consecutively
// numbered evidence items without pinpoints that starts at i.
func runEnd(items []schema.CiteItem, i int) int {
	j := i
	for j+1 < len(items) && items[j].Locator == nil && items[j+1].Locator == nil && next(items[j].ID, items[j+1].ID) {
		j++
	}
	return j
}

// next reports whether b is the evidence ID after a: EV-0011, EV-0012.
func next(a, b string) bool {
	if !schema.IsEvidenceID(a) || !schema.IsEvidenceID(b) || len(a) != len(b) {
		return false
	}
	x, err1 := strconv.Atoi(a[3:])
	y, err2 := strconv.Atoi(b[3:])
	return err1 == nil && err2 == nil && y == x+1
}
