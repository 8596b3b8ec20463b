package edition

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// WhereCaseData places a log entry in case.json (its pointer says where)
// rather than in a sheet or the narrative.
var WhereCaseData = locale.M("redaction.where.case_data")

// The texts of the case data (the summary, an incident's description, a
// forensic finding …) are published in case.json and the annexes, and the
// narrative is written from them. The public view replaces, in place, every
// paragraph or list item of such a text that cites evidence the edition
// withholds (as TextRedaction decides) by a mark that says why and keeps
// the citations: "[Redacted — testimony without consent to publication]
// [EV-0026] [EV-0027]", in the language of the text (a translation's own,
// else the plan's: Withholding.Mark). So case.json and the annexes publish no more than
// the narrative, whose paragraphs from these texts become marks too, with
// the same footnotes (one per run of citations; runs are kept apart by
// "; "). The sender's requests (submission.requests) are repeated as
// requests, whatever they cite.

// textSkip are the texts left as they are (JSON pointers, * for any index).
var textSkip = []string{"/submission/requests/*/text"}

var (
	listItem        = regexp.MustCompile(`^\s{0,3}([-*+]|[0-9]{1,9}[.)])\s`)
	translationText = regexp.MustCompile(`^/translations/([0-9]+)/text$`)
)

// redactTexts applies the text redactions to every text of out (the public
// view, whose withheld evidence is already reduced) and logs each.
func (p *Plan) redactTexts(out *schema.Case) {
	auth := map[string]bool{}
	for _, a := range out.Authorities {
		auth[a.ID] = true
	}
	isAuth := func(id string) bool { return auth[id] }
	langOf := func(ptr string) *locale.Lang {
		if m := translationText.FindStringSubmatch(ptr); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(out.Translations) && locale.IsSupported(out.Translations[i].Language) {
				return locale.Must(out.Translations[i].Language)
			}
		}
		return p.lang
	}
	var walk func(v reflect.Value, ptr string)
	walk = func(v reflect.Value, ptr string) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), ptr)
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if !f.IsExported() || name == "-" {
					continue
				}
				if f.Anonymous {
					walk(v.Field(i), ptr)
					continue
				}
				if name == "" {
					name = f.Name
				}
				walk(v.Field(i), ptr+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(name))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s/%d", ptr, i))
			}
		case reflect.String:
			s := v.String()
			if !strings.Contains(s, "[") || skipText(ptr) || !v.CanSet() {
				return
			}
			if r, ok := p.redactText(s, ptr, isAuth, langOf(ptr)); ok {
				v.SetString(r)
			}
		}
	}
	walk(reflect.ValueOf(out).Elem(), "")
}

func skipText(ptr string) bool {
	parts := strings.Split(ptr, "/")
	for _, pat := range textSkip {
		pp := strings.Split(pat, "/")
		if len(pp) != len(parts) {
			continue
		}
		match := true
		for i := range pp {
			if pp[i] != "*" && pp[i] != parts[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// redactText redacts one text: its blocks are its paragraphs (separated by
// blank lines) and the items of its lists.
func (p *Plan) redactText(s, ptr string, isAuth func(string) bool, l *locale.Lang) (string, bool) {
	lines := strings.SplitAfter(s, "\n")
	// Block boundaries: a blank line ends a block, a list item starts one.
	type block struct{ start, end int } // line indexes [start, end)
	var blocks []block
	start := -1
	for i, ln := range lines {
		blank := strings.TrimSpace(ln) == ""
		switch {
		case blank:
			if start >= 0 {
				blocks = append(blocks, block{start, i})
				start = -1
			}
		case listItem.MatchString(ln) && start >= 0:
			blocks = append(blocks, block{start, i})
			start = i
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		blocks = append(blocks, block{start, len(lines)})
	}
	changed := false
	for k, b := range blocks {
		text := strings.Join(lines[b.start:b.end], "")
		runs := schema.CitationRuns(text, isAuth)
		var ids []string
		for _, r := range runs {
			for _, it := range r.Items {
				if schema.IsEvidenceID(it.ID) && !slices.Contains(ids, it.ID) {
					ids = append(ids, it.ID)
				}
			}
		}
		w, ok := p.TextRedaction(ids)
		if !ok {
			continue
		}
		// The mark keeps the block's list marker, indentation and line end.
		lead := ""
		if m := listItem.FindStringIndex(lines[b.start]); m != nil {
			lead = lines[b.start][:m[1]]
		} else {
			lead = lines[b.start][:len(lines[b.start])-len(strings.TrimLeft(lines[b.start], " \t"))]
		}
		mark := w.Mark(l)
		for i, r := range runs {
			sep := " "
			if i > 0 {
				sep = "; "
			}
			mark += sep + strings.Join(strings.Fields(text[r.Start:r.End]), " ") // on the mark's line
		}
		trail := text[len(strings.TrimRight(text, " \t\r\n")):]
		if lead+mark+trail == text {
			continue // already this mark
		}
		for i := b.start; i < b.end; i++ {
			lines[i] = ""
		}
		lines[b.start] = lead + mark + trail
		changed = true
		var held []string
		for _, id := range ids {
			if _, ok := p.TextRedaction([]string{id}); ok {
				held = append(held, id)
			}
		}
		what := detail("text")
		if len(blocks) > 1 {
			what = detail("text_part", "part", k+1, "parts", len(blocks))
		}
		// Where: the pointer says which text; an item's row would mislead.
		p.log = append(p.log, Entry{Where: WhereCaseData, Pointer: ptr, Item: strings.Join(held, ", "), Detail: what,
			Action: action("mark"), Ground: w.Basis()})
	}
	if !changed {
		return s, false
	}
	return strings.Join(lines, ""), true
}
