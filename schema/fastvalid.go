package schema

import (
	"encoding/json"
	"math/big"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A quick yes to "is this item valid?". Most items of a large case are
// valid, and the JSON Schema library, which builds an error tree and a
// scope for every value it visits, spends most of validate's time saying
// so. surelyValid walks the same compiled schema (the library's own
// *jsonschema.Schema, with its own patterns and format checks) without
// allocating, for the keywords case.schema.json uses, and answers true
// only when every one of them holds. Anything else — a keyword it does not
// know, a number it cannot compare exactly, any doubt — is a no, and the
// library validates the item as before and reports what it finds: every
// finding still comes from the library. A yes the library would not give
// is the one mistake it must never make (TestSurelyValidIsSound,
// FuzzSurelyValid).

// quick is a compiled schema node as surelyValid reads it.
type quick struct {
	unknown bool // a keyword surelyValid does not check: always no
	never   bool // the false schema
	types   uint8
	ref     *quick
	enum    []string // string values; unknown when the enum has others
	hasEnum bool
	cnst    *string
	format  *jsonschema.Format

	required   []string
	props      map[string]*quick
	additional *quick // nil: any other member is allowed
	noOthers   bool   // additionalProperties: false
	depReq     map[string][]string

	items              *quick
	minItems, maxItems int // -1: none
	unique             bool

	minLen, maxLen int // -1: none
	pattern        jsonschema.Regexp

	min, max, exMin, exMax *int64
}

const (
	qNull uint8 = 1 << iota
	qBool
	qNumber
	qInteger
	qString
	qArray
	qObject
)

// quickOf compiles s (memo holds the nodes already made: $ref cycles).
func quickOf(s *jsonschema.Schema, memo map[*jsonschema.Schema]*quick) *quick {
	if q := memo[s]; q != nil {
		return q
	}
	q := &quick{minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	memo[s] = q
	if s.Bool != nil {
		q.never = !*s.Bool
		return q
	}
	if s.DraftVersion < 2020 || s.RecursiveRef != nil || s.DynamicRef != nil || s.Not != nil ||
		len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.If != nil || s.Then != nil || s.Else != nil ||
		s.MaxProperties != nil || s.MinProperties != nil || s.PropertyNames != nil || len(s.PatternProperties) > 0 ||
		len(s.Dependencies) > 0 || len(s.DependentSchemas) > 0 || s.UnevaluatedProperties != nil ||
		s.Contains != nil || s.MinContains != nil || s.MaxContains != nil || s.Items != nil || s.AdditionalItems != nil ||
		len(s.PrefixItems) > 0 || s.UnevaluatedItems != nil ||
		s.ContentEncoding != nil || s.ContentMediaType != nil || s.ContentSchema != nil ||
		s.MultipleOf != nil || len(s.Extensions) > 0 {
		q.unknown = true
		return q
	}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			switch t {
			case "null":
				q.types |= qNull
			case "boolean":
				q.types |= qBool
			case "number":
				q.types |= qNumber
			case "integer":
				q.types |= qInteger
			case "string":
				q.types |= qString
			case "array":
				q.types |= qArray
			case "object":
				q.types |= qObject
			default:
				q.unknown = true
			}
		}
	}
	if s.Ref != nil {
		q.ref = quickOf(s.Ref, memo)
	}
	if s.Enum != nil {
		q.hasEnum = true
		for _, v := range s.Enum.Values {
			str, ok := v.(string)
			if !ok {
				q.unknown = true
			}
			q.enum = append(q.enum, str)
		}
	}
	if s.Const != nil {
		str, ok := (*s.Const).(string)
		if !ok {
			q.unknown = true
		}
		q.cnst = &str
	}
	if s.Format != nil {
		if s.Format.Name == "regex" || s.Format.Validate == nil {
			q.unknown = true // the library checks it its own way
		}
		q.format = s.Format
	}
	q.required = s.Required
	if len(s.Properties) > 0 {
		q.props = make(map[string]*quick, len(s.Properties))
		for name, p := range s.Properties {
			q.props[name] = quickOf(p, memo)
		}
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		q.noOthers = !a
	case *jsonschema.Schema:
		q.additional = quickOf(a, memo)
	default:
		q.unknown = true
	}
	q.depReq = s.DependentRequired
	if s.Items2020 != nil {
		q.items = quickOf(s.Items2020, memo)
	}
	setInt(&q.minItems, s.MinItems)
	setInt(&q.maxItems, s.MaxItems)
	q.unique = s.UniqueItems
	setInt(&q.minLen, s.MinLength)
	setInt(&q.maxLen, s.MaxLength)
	q.pattern = s.Pattern
	for _, b := range []struct {
		r   *big.Rat
		dst **int64
	}{{s.Minimum, &q.min}, {s.Maximum, &q.max}, {s.ExclusiveMinimum, &q.exMin}, {s.ExclusiveMaximum, &q.exMax}} {
		if b.r == nil {
			continue
		}
		if !b.r.IsInt() || !b.r.Num().IsInt64() {
			q.unknown = true
			continue
		}
		n := b.r.Num().Int64()
		*b.dst = &n
	}
	return q
}

func setInt(dst *int, p *int) {
	if p != nil {
		*dst = *p
	}
}

// surelyValid reports whether v, a value as parseGeneric builds it, is
// valid against q; false means "not sure", not "invalid".
func surelyValid(q *quick, v any) bool { return sure(q, v, 0) }

// maxQuickDepth bounds sure's recursion: values nest at most MaxDepth
// deep, and a chain of $refs that long is a schema sure leaves alone.
const maxQuickDepth = 4 * MaxDepth

func sure(q *quick, v any, depth int) bool {
	if q.unknown || q.never || depth > maxQuickDepth {
		return false
	}
	// The value's type, as the library sees it; a number is an integer
	// only when it is written as one (the library also counts 1.0, but
	// then the answer here is only "not sure").
	var t uint8
	var num int64
	numOK := false
	switch x := v.(type) {
	case nil:
		t = qNull
	case bool:
		t = qBool
	case json.Number:
		t = qNumber
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			t |= qInteger
			num, numOK = n, true
		}
	case string:
		t = qString
	case []any:
		t = qArray
	case map[string]any:
		t = qObject
	default:
		return false
	}
	if q.types != 0 && q.types&t == 0 {
		return false
	}
	if q.hasEnum {
		s, ok := v.(string)
		if !ok {
			return false
		}
		found := false
		for _, e := range q.enum {
			if e == s {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if q.cnst != nil {
		if s, ok := v.(string); !ok || s != *q.cnst {
			return false
		}
	}
	if q.format != nil && q.format.Validate(v) != nil {
		return false
	}
	if q.ref != nil && !sure(q.ref, v, depth+1) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range q.required {
			if _, ok := x[r]; !ok {
				return false
			}
		}
		for name, val := range x {
			p := q.props[name]
			switch {
			case p != nil:
			case q.noOthers:
				return false
			case q.additional != nil:
				p = q.additional
			default:
				continue
			}
			if !sure(p, val, depth+1) {
				return false
			}
		}
		for name, reqd := range q.depReq {
			if _, ok := x[name]; ok {
				for _, r := range reqd {
					if _, ok := x[r]; !ok {
						return false
					}
				}
			}
		}
	case []any:
		if q.minItems >= 0 && len(x) < q.minItems || q.maxItems >= 0 && len(x) > q.maxItems {
			return false
		}
		if q.unique && !uniqueStrings(x) {
			return false
		}
		if q.items != nil {
			for _, it := range x {
				if !sure(q.items, it, depth+1) {
					return false
				}
			}
		}
	case string:
		if q.minLen >= 0 || q.maxLen >= 0 {
			n := utf8.RuneCountInString(x)
			if q.minLen >= 0 && n < q.minLen || q.maxLen >= 0 && n > q.maxLen {
				return false
			}
		}
		if q.pattern != nil && !q.pattern.MatchString(x) {
			return false
		}
	case json.Number:
		if q.min != nil || q.max != nil || q.exMin != nil || q.exMax != nil {
			if !numOK {
				return false // compared exactly by the library
			}
			if q.min != nil && num < *q.min || q.max != nil && num > *q.max ||
				q.exMin != nil && num <= *q.exMin || q.exMax != nil && num >= *q.exMax {
				return false
			}
		}
	}
	return true
}

// uniqueStrings reports whether a list holds only strings, none twice (a
// list with anything else is "not sure").
func uniqueStrings(list []any) bool {
	for i, a := range list {
		s, ok := a.(string)
		if !ok {
			return false
		}
		for _, b := range list[:i] {
			if b.(string) == s {
				return false
			}
		}
	}
	return true
}

var (
	quickOnce    sync.Once
	quickSchemas map[string]*quick
)

// quickCollections is collectionSchemas compiled for surelyValid.
func quickCollections() map[string]*quick {
	quickOnce.Do(func() {
		quickSchemas = map[string]*quick{}
		memo := map[*jsonschema.Schema]*quick{}
		for name, s := range collectionSchemas() {
			quickSchemas[name] = quickOf(s, memo)
		}
	})
	return quickSchemas
}
