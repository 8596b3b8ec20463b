package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/casepack/casepack/packager/finding"
)

// A case may give any of its texts in other languages: an item of
// "translations" names the text by its JSON pointer and gives the language
// and the translation. The texts are the fields the schema builds on
// $defs/text (Markdown) and $defs/line (one line): never an ID, a date, a
// number or a fixed value, and never a protected detail of a person, which
// only the confidential edition holds and no translation may copy.

// TextKind says what kind of text a field of the case holds.
type TextKind string

const (
	NotText  TextKind = ""
	Markdown TextKind = "text" // $defs/text: paragraphs, citations
	Line     TextKind = "line" // $defs/line: a title, a name, a place
)

// KindAt is the kind of text the schema puts at ptr (array indexes are any
// number): Markdown, Line or NotText.
func KindAt(ptr string) TextKind {
	tokens, ok := pointerTokens(ptr)
	if !ok {
		return NotText
	}
	return textKind(tokens)
}

var (
	schemaTreeOnce sync.Once
	schemaTree     map[string]any
)

func textKind(tokens []string) TextKind {
	schemaTreeOnce.Do(func() {
		if err := json.Unmarshal(JSON, &schemaTree); err != nil {
			panic("schema: the embedded schema: " + err.Error())
		}
	})
	defs, _ := schemaTree["$defs"].(map[string]any)
	node := schemaTree
	ref := ""
	resolve := func() {
		ref = ""
		for i := 0; i < 8; i++ { // $ref chains are short; never loop
			r, ok := node["$ref"].(string)
			if !ok {
				return
			}
			ref = strings.TrimPrefix(r, "#/$defs/")
			next, ok := defs[ref].(map[string]any)
			if !ok {
				return
			}
			node = next
		}
	}
	resolve()
	for _, t := range tokens {
		if props, ok := node["properties"].(map[string]any); ok {
			next, ok := props[t].(map[string]any)
			if !ok {
				return NotText
			}
			node = next
		} else if items, ok := node["items"].(map[string]any); ok {
			if _, err := strconv.Atoi(t); err != nil {
				return NotText
			}
			node = items
		} else {
			return NotText
		}
		resolve()
	}
	switch TextKind(ref) {
	case Markdown, Line:
		return TextKind(ref)
	}
	return NotText
}

// splitPointer splits an RFC 6901 JSON pointer into its unescaped tokens.
func pointerTokens(ptr string) ([]string, bool) {
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	tokens := strings.Split(ptr[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, true
}

// TextAt is the text field of c at ptr, for reading or replacing it; nil
// when ptr names no field of the model or a field that is not a string.
func TextAt(c *Case, ptr string) *string {
	tokens, ok := pointerTokens(ptr)
	if !ok || c == nil {
		return nil
	}
	v := reflect.ValueOf(c).Elem()
	for _, t := range tokens {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return nil
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			f, ok := fieldByJSON(v, t)
			if !ok {
				return nil
			}
			v = f
		case reflect.Slice:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= v.Len() || strconv.Itoa(i) != t {
				return nil
			}
			v = v.Index(i)
		default:
			return nil
		}
	}
	// A named string type (a date, an ID) is never a text.
	if v.Type() != reflect.TypeFor[string]() || !v.CanAddr() {
		return nil
	}
	return v.Addr().Interface().(*string)
}

// EachText calls fn for every non-empty text of c the schema builds on
// $defs/text or $defs/line, in model order, with its pointer and kind.
// The translations themselves and protected details are left out.
func EachText(c *Case, fn func(ptr string, kind TextKind, s *string)) {
	var walk func(v reflect.Value, ptr string, tokens []string)
	walk = func(v reflect.Value, ptr string, tokens []string) {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				name := jsonName(t.Field(i))
				if name == "" || name == "translations" || name == "protected" {
					continue
				}
				walk(v.Field(i), ptr+"/"+escapeToken(name), append(tokens, name))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), ptr+"/"+strconv.Itoa(i), append(tokens, strconv.Itoa(i)))
			}
		case reflect.String:
			if v.Len() == 0 || v.Type() != reflect.TypeFor[string]() {
				return
			}
			if k := textKind(tokens); k != NotText {
				fn(ptr, k, v.Addr().Interface().(*string))
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "", nil)
}

func fieldByJSON(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if jsonName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// translations checks the case's translations: each names an existing
// text that is not a protected detail, a one-line text stays one line, no
// text is translated twice into one language, and none into the case's
// own main language.
func (v *vctx) translations(c *Case) {
	main := ""
	if len(c.Submission.Languages) > 0 {
		main = baseLanguage(c.Submission.Languages[0])
	}
	seen := map[string]int{}
	for i, t := range c.Translations {
		at := fmt.Sprintf("/translations/%d", i)
		if v.flagged[at+"/pointer"] || v.flagged[at+"/language"] || t.Pointer == "" {
			continue
		}
		tokens, _ := pointerTokens(t.Pointer)
		switch {
		case len(tokens) >= 3 && tokens[0] == "persons" && tokens[2] == "protected":
			v.add(finding.TranslationNotText, at+"/pointer",
				fmt.Sprintf("%s is a protected detail of a person, which is not translated", t.Pointer),
				"remove this translation: protected details stay only in the confidential case data")
			continue
		case len(tokens) >= 1 && tokens[0] == "translations":
			v.add(finding.TranslationNotText, at+"/pointer",
				fmt.Sprintf("%s points into the translations themselves", t.Pointer),
				"point at the original text, e.g. /analysis/summary")
			continue
		}
		kind := textKind(tokens)
		s := TextAt(c, t.Pointer)
		switch {
		case !knownField(tokens):
			v.add(finding.TranslationTarget, at+"/pointer",
				fmt.Sprintf("%s names no field of the case", t.Pointer),
				"write the JSON pointer of the text, e.g. /analysis/summary or /evidence/0/description (items count from 0)")
			continue
		case kind == NotText:
			v.add(finding.TranslationNotText, at+"/pointer",
				fmt.Sprintf("%s is not a text: an ID, date, number or fixed value is the same in every language", t.Pointer),
				"translate only texts: descriptions, analysis sections, titles")
			continue
		case s == nil || *s == "":
			v.add(finding.TranslationTarget, at+"/pointer",
				fmt.Sprintf("%s names no text in this case (no such item, or the field is empty)", t.Pointer),
				"check the item's number (items count from 0), or write the original text first")
			continue
		}
		if kind == Line && strings.ContainsAny(t.Text, "\r\n") {
			v.add(finding.TranslationLine, at+"/text",
				fmt.Sprintf("the translation of %s has a line break, but the original is one line", t.Pointer),
				"write the translation on one line")
		}
		lang := baseLanguage(t.Language)
		if lang == main {
			v.add(finding.TranslationLanguage, at+"/language",
				fmt.Sprintf("a translation into %s, the case's main language (submission.languages lists it first)", t.Language),
				"change the text itself, or give the translation's real language")
		}
		key := lang + " " + t.Pointer
		if j, dup := seen[key]; dup {
			v.add(finding.TranslationDuplicate, at,
				fmt.Sprintf("%s is translated into %s twice (also /translations/%d)", t.Pointer, t.Language, j),
				"keep one of them")
			continue
		}
		seen[key] = i
	}
}

// knownField says whether tokens name a field the schema knows, whatever
// the case holds there.
func knownField(tokens []string) bool {
	node := reflect.TypeOf(Case{})
	for _, t := range tokens {
		for node.Kind() == reflect.Pointer {
			node = node.Elem()
		}
		switch node.Kind() {
		case reflect.Struct:
			found := false
			for i := 0; i < node.NumField(); i++ {
				if jsonName(node.Field(i)) == t {
					node, found = node.Field(i).Type, true
					break
				}
			}
			if !found {
				return false
			}
		case reflect.Slice:
			if _, err := strconv.Atoi(t); err != nil {
				return false
			}
			node = node.Elem()
		default:
			return false
		}
	}
	return true
}

// baseLanguage is the lower-case primary subtag of a BCP 47 tag.
func baseLanguage(tag string) string {
	tag = strings.ToLower(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
