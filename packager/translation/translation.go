// Package translation owns the case's own texts in other languages: the
// case as a document in one language shows it (each text replaced by its
// translation from the case's "translations", each untranslated passage
// kept in the case's language and marked with it), and how much of the
// case is translated, per section and per evidence item.
//
// The case's language is the first of submission.languages. Generated
// words (headings, labels, dates) are the catalogue's (packager/locale);
// this package only concerns what the case's authors wrote.
package translation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// Status is how much of a case a document in one language shows
// translated. Passages are the Markdown texts (analysis sections,
// descriptions, arguments); titles are the one-line titles and labels.
// Names, places and other one-line texts count only when translated.
type Status struct {
	Lang         string `json:"lang"`
	Source       string `json:"source"` // the case's language, the untranslated text's
	Translated   int    `json:"translated"`
	Untranslated int    `json:"untranslated"`
	Parts        []Part `json:"parts"`
}

// Part is one section of the analysis ("analysis/jurisdiction") or one
// item of the case ("evidence/EV-0001", "incidents/INC-01"), with the
// pointers of its untranslated texts.
type Part struct {
	Part         string   `json:"part"`
	Translated   int      `json:"translated"`
	Untranslated []string `json:"untranslated,omitempty"`
}

// Complete says whether every passage and title is translated.
func (s *Status) Complete() bool { return s == nil || s.Untranslated == 0 }

// UntranslatedParts are the parts with an untranslated text, in case order.
func (s *Status) UntranslatedParts() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, p := range s.Parts {
		if len(p.Untranslated) > 0 {
			out = append(out, p.Part)
		}
	}
	return out
}

// Source is the language the case's texts are written in: the base of the
// first of submission.languages, English when none is given.
func Source(c *schema.Case) string {
	if len(c.Submission.Languages) == 0 {
		return locale.Default
	}
	return locale.Base(c.Submission.Languages[0])
}

// For is c as a document in language l shows it: a copy with every text
// that has a translation into l replaced by it, and every untranslated
// Markdown passage marked as being in the case's language. In the case's
// own language it is c itself, and the status is nil.
func For(c *schema.Case, l *locale.Lang) (*schema.Case, *Status, error) {
	src := Source(c)
	if l.Code() == src {
		return c, nil, nil
	}
	out, err := schema.Copy(c)
	if err != nil {
		return nil, nil, err
	}
	tr := map[string]string{}
	for _, t := range c.Translations {
		if locale.Base(t.Language) == l.Code() {
			if _, dup := tr[t.Pointer]; !dup {
				tr[t.Pointer] = t.Text
			}
		}
	}
	st := &Status{Lang: l.Code(), Source: src, Parts: []Part{}}
	parts := map[string]int{}
	// Each list's IDs are read once: a case of 100,000 items has as many
	// texts, and reading the list per text took minutes.
	lists := map[string][]string{}
	ids := func(list string) []string {
		v, ok := lists[list]
		if !ok {
			v = out.IDs(list)
			lists[list] = v
		}
		return v
	}
	part := func(ptr string) *Part {
		name := partOf(ids, ptr)
		i, ok := parts[name]
		if !ok {
			i = len(st.Parts)
			parts[name] = i
			st.Parts = append(st.Parts, Part{Part: name})
		}
		return &st.Parts[i]
	}
	mark := l.T("translation.untranslated", "language", l.LanguageName(src))
	schema.EachText(out, func(ptr string, kind schema.TextKind, s *string) {
		if t, ok := tr[ptr]; ok {
			*s = t
			st.Translated++
			part(ptr).Translated++
			return
		}
		switch {
		case kind == schema.Markdown:
			*s = Mark(*s, mark)
		case !isTitle(ptr):
			return // a name or a place: the same in every language
		}
		st.Untranslated++
		p := part(ptr)
		p.Untranslated = append(p.Untranslated, ptr)
	})
	// Parts with nothing to translate say nothing.
	kept := st.Parts[:0]
	for _, p := range st.Parts {
		if p.Translated > 0 || len(p.Untranslated) > 0 {
			kept = append(kept, p)
		}
	}
	st.Parts = kept
	return out, st, nil
}

// blockStart is how a Markdown text starts when it opens with a block (a
// list, a heading, a quotation) rather than a sentence.
var blockStart = regexp.MustCompile(`^(?:[-*+] |[0-9]+[.)] |#|>)`)

// Mark puts mark before a Markdown passage: in its first sentence when the
// text is one paragraph, as a paragraph of its own otherwise, so that a
// list or a second paragraph keeps its shape.
func Mark(text, mark string) string {
	if strings.Contains(strings.TrimSpace(text), "\n\n") || blockStart.MatchString(text) {
		return mark + "\n\n" + text
	}
	return mark + " " + text
}

// isTitle says whether a one-line text is a title or a label, which a
// reader expects in the document's language.
func isTitle(ptr string) bool {
	return strings.HasSuffix(ptr, "/title") || strings.HasSuffix(ptr, "/label")
}

// partOf names the part of the case a pointer is in.
func partOf(ids func(list string) []string, ptr string) string {
	tokens := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	if len(tokens) == 0 {
		return ptr
	}
	switch tokens[0] {
	case "analysis":
		if len(tokens) >= 2 {
			return "analysis/" + tokens[1]
		}
	case "submission":
		return "submission"
	}
	if len(tokens) >= 2 {
		if i, err := strconv.Atoi(tokens[1]); err == nil {
			if l := ids(tokens[0]); i < len(l) && l[i] != "" {
				return tokens[0] + "/" + l[i]
			}
			return fmt.Sprintf("%s/%d", tokens[0], i)
		}
	}
	return tokens[0]
}
