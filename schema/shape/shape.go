// Package shape describes the case schema (case.schema.json) as a tree of
// fields in the order the schema lists them: each field's kind, allowed
// values, format, the $defs entry it is built on and its description.
//
// The case forms that are not JSON (the YAML file and the workbook) are
// mapped onto the schema through this tree, so that a field added to the
// schema reaches them without hand-work: a YAML scalar is typed by what the
// schema expects at its place (never by YAML's own guess), and the workbook's
// columns, drop-downs and header notes are derived from it.
package shape

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/casepack/casepack/schema"
)

// Kind is the JSON type a field holds.
type Kind int

const (
	Any Kind = iota // the schema does not say (or allows several kinds)
	String
	Integer
	Number
	Boolean
	Object
	Array
)

func (k Kind) String() string {
	return [...]string{"any", "string", "integer", "number", "boolean", "object", "array"}[k]
}

// Field is one place in a case document.
type Field struct {
	Name        string   // property name; "" for the root and for array items
	Kind        Kind     // what the value is
	Enum        []string // allowed values, in schema order (a const is a one-value enum)
	Format      string   // "date", "date-time", "email", "uri", or ""
	Pattern     string   // the regular expression a string must match, if any
	Def         string   // the $defs entry the field is or refers to ("when", "person_id"…), if any
	Description string   // from the schema: what the field holds
	Required    bool     // the object holding the field requires it
	MinItems    int      // for an array: at least this many items
	Props       []*Field // for an object: its properties, in schema order
	Items       *Field   // for an array: its items
}

// Prop returns the property name of an object field, or nil.
func (f *Field) Prop(name string) *Field {
	if f == nil {
		return nil
	}
	for _, p := range f.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// At follows a path of property names from f; array items are stepped into
// with any token (an index).
func (f *Field) At(tokens ...string) *Field {
	for _, t := range tokens {
		if f == nil {
			return nil
		}
		if f.Kind == Array {
			f = f.Items
			continue
		}
		f = f.Prop(t)
	}
	return f
}

// Scalar reports whether the field holds one value (not an object or a list).
func (f *Field) Scalar() bool { return f.Kind != Object && f.Kind != Array }

// Root returns the schema's root field (the case object).
func Root() *Field {
	once.Do(func() { root, rootErr = build(schema.JSON) })
	if rootErr != nil {
		// The schema is embedded and tested; it cannot fail to parse here
		// unless the binary is broken.
		panic(fmt.Sprintf("shape: the embedded schema: %v", rootErr))
	}
	return root
}

var (
	once    sync.Once
	root    *Field
	rootErr error
)

// Collection returns the path (property names from the root) of the
// collection whose items are identified by the ID kind def ("person_id" →
// ["persons"]), or nil when def is not an ID kind.
func Collection(def string) []string {
	Root()
	return collections[def]
}

var collections = map[string][]string{}

// IsReference reports whether f holds (or, for an array, lists) IDs of items
// held elsewhere in the case: a reference, not the item's own ID.
func IsReference(f *Field) bool {
	if f == nil {
		return false
	}
	if f.Kind == Array {
		f = f.Items
	}
	return f != nil && f.Name != "id" && collections[f.Def] != nil
}

// ---- building the tree from the schema's JSON ----

// object is a JSON object that remembers the order of its keys.
type object struct {
	keys []string
	vals map[string]any
}

func build(src []byte) (*Field, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	top, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("the schema is not an object")
	}
	defs, _ := top.vals["$defs"].(*object)
	b := &builder{defs: defs, building: map[string]bool{}}
	r := b.field("", top, nil)
	// The collections: arrays whose items carry an "id" of an ID kind.
	var walk func(f *Field, path []string)
	walk = func(f *Field, path []string) {
		if f.Kind == Array && f.Items != nil && f.Items.Kind == Object {
			if id := f.Items.Prop("id"); id != nil && id.Def != "" {
				if _, seen := collections[id.Def]; !seen {
					collections[id.Def] = append([]string(nil), path...)
				}
			}
			walk(f.Items, path)
			return
		}
		for _, p := range f.Props {
			walk(p, append(path, p.Name))
		}
	}
	walk(r, nil)
	return r, nil
}

type builder struct {
	defs     *object
	building map[string]bool // $defs being expanded, against reference cycles
}

// field turns one schema object into a Field. required lists the names the
// enclosing object requires.
func (b *builder) field(name string, s *object, required map[string]bool) *Field {
	f := &Field{Name: name, Required: required[name]}
	b.fill(f, s)
	return f
}

// fill sets f from schema object s, after what s refers to, so that the
// keywords beside a $ref (a description, a minItems) win over the target's.
func (b *builder) fill(f *Field, s *object) {
	if ref, ok := s.vals["$ref"].(string); ok {
		def := strings.TrimPrefix(ref, "#/$defs/")
		if target, ok := b.defs.vals[def].(*object); ok && !b.building[def] {
			b.building[def] = true
			b.fill(f, target)
			b.building[def] = false
			// The outermost reference names the field best: "evidence_ids"
			// for the list, "evidence_id" for its items.
			f.Def = def
		}
	}
	if d, ok := s.vals["description"].(string); ok {
		f.Description = d
	}
	if t, ok := s.vals["type"].(string); ok {
		f.Kind = kindOf(t)
	}
	if e, ok := s.vals["enum"].([]any); ok {
		f.Enum = nil
		allStrings := true
		for _, x := range e {
			_, isStr := x.(string)
			allStrings = allStrings && isStr
			f.Enum = append(f.Enum, fmt.Sprint(x))
		}
		if allStrings && f.Kind == Any {
			f.Kind = String
		}
	}
	if c, ok := s.vals["const"].(string); ok {
		f.Enum = []string{c}
		if f.Kind == Any {
			f.Kind = String
		}
	}
	if v, ok := s.vals["format"].(string); ok {
		f.Format = v
	}
	if v, ok := s.vals["pattern"].(string); ok {
		f.Pattern = v
	}
	if v, ok := s.vals["minItems"].(json.Number); ok {
		if n, err := v.Int64(); err == nil {
			f.MinItems = int(n)
		}
	}
	if props, ok := s.vals["properties"].(*object); ok {
		req := map[string]bool{}
		if r, ok := s.vals["required"].([]any); ok {
			for _, x := range r {
				if name, ok := x.(string); ok {
					req[name] = true
				}
			}
		}
		f.Props = nil
		for _, k := range props.keys {
			if ps, ok := props.vals[k].(*object); ok {
				f.Props = append(f.Props, b.field(k, ps, req))
			}
		}
		if f.Kind == Any {
			f.Kind = Object
		}
	}
	if items, ok := s.vals["items"].(*object); ok {
		f.Items = b.field("", items, nil)
		if f.Kind == Any {
			f.Kind = Array
		}
	}
}

func kindOf(t string) Kind {
	switch t {
	case "string":
		return String
	case "integer":
		return Integer
	case "number":
		return Number
	case "boolean":
		return Boolean
	case "object":
		return Object
	case "array":
		return Array
	}
	return Any
}

// decodeOrdered reads one JSON value, keeping the order of object keys.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	}
	return tok, nil
}
