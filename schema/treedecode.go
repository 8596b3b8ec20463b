package schema

import (
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
)

// Filling the typed model from a value's generic tree. Validating a large
// case parses every item into a tree for the schema; decoding the same item
// again from its bytes with encoding/json scans every byte twice more
// (its syntax check, then its decode) and copies every text, and was the
// largest part of validate's time. decodeFromTree fills the model from the
// tree instead: the texts are shared with the tree, the field of each
// member is found by a table built once per Go type.
//
// It is an optimisation, never a second judge: it fills the model only
// where encoding/json would fill it the same way without complaint, and
// says no (ok false) at the first thing that is not plainly so — a member
// whose name is not exactly a field's (encoding/json matches names without
// regard to case, and then the order of members decides), a value of
// another kind than its field's, a number its field cannot hold, a kind no
// JSON parser gives. decodeValue then
// decodes the bytes as it always has and reports what it finds, so the
// model and every finding stay exactly those of encoding/json
// (TestDecodeFromTree, FuzzDecodeFromTree).

// treePlan is how a Go type is filled from a generic tree.
type treePlan struct {
	kind   reflect.Kind
	typ    reflect.Type
	fields map[string]treeField // struct: JSON member name → field
	elem   *treePlan            // slice, pointer
	ok     bool                 // a kind decodeFromTree fills
}

// treeField is one field of a struct.
type treeField struct {
	index int
	plan  *treePlan
}

var (
	treePlansMu sync.Mutex
	treePlans   = map[reflect.Type]*treePlan{}
)

// treePlanOf returns the plan of t, made once.
func treePlanOf(t reflect.Type) *treePlan {
	treePlansMu.Lock()
	defer treePlansMu.Unlock()
	return makeTreePlan(t)
}

// makeTreePlan builds the plan of t (treePlansMu held); a type it does not
// handle gets a plan that always says no.
func makeTreePlan(t reflect.Type) *treePlan {
	if p := treePlans[t]; p != nil {
		return p
	}
	p := &treePlan{kind: t.Kind(), typ: t}
	treePlans[t] = p // before the fields: a type may contain itself
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Float32, reflect.Float64:
		p.ok = !reflect.PointerTo(t).Implements(unmarshalerType) && !reflect.PointerTo(t).Implements(textUnmarshalerType)
	case reflect.Slice, reflect.Pointer:
		p.elem = makeTreePlan(t.Elem())
		p.ok = t.Kind() == reflect.Pointer || t.Elem().Kind() != reflect.Uint8 // []byte is base64 text
		p.ok = p.ok && !t.Implements(unmarshalerType) && !t.Implements(textUnmarshalerType)
	case reflect.Struct:
		p.ok = !reflect.PointerTo(t).Implements(unmarshalerType) && !reflect.PointerTo(t).Implements(textUnmarshalerType)
		p.fields = map[string]treeField{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := cutComma(f.Tag.Get("json"))
			if !f.IsExported() || f.Anonymous || name == "-" || opts != "" && opts != "omitempty" || name == "" {
				// Embedded fields, unnamed members, ",string" and the like:
				// encoding/json's rules, not ours.
				p.ok = false
				continue
			}
			p.fields[name] = treeField{index: i, plan: makeTreePlan(f.Type)}
		}
	}
	return p
}

func cutComma(tag string) (name, opts string, found bool) {
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

// decodeFromTree fills dst (a pointer to a zero value) from the generic
// tree the parser made of a JSON value in valid UTF-8, as json.Unmarshal
// fills it from the value's bytes; ok is false where it cannot be sure to
// (see above), and then dst holds a partial value the caller must zero.
// The model shares its texts with the tree (and so with the bytes).
func decodeFromTree(tree any, dst any) (ok bool) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	return treePlanOf(v.Type().Elem()).fill(v.Elem(), tree)
}

// fill sets v from x, as encoding/json would; false at any doubt.
func (p *treePlan) fill(v reflect.Value, x any) bool {
	if !p.ok {
		return false
	}
	if x == nil {
		// null leaves a value as it is, and a pointer or a slice nil.
		if p.kind == reflect.Pointer || p.kind == reflect.Slice {
			v.SetZero()
		}
		return true
	}
	if p.kind == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(p.typ.Elem()))
		}
		return p.elem.fill(v.Elem(), x)
	}
	switch x := x.(type) {
	case string:
		if p.kind != reflect.String {
			return false
		}
		v.SetString(x)
	case bool:
		if p.kind != reflect.Bool {
			return false
		}
		v.SetBool(x)
	case json.Number:
		s := string(x)
		switch p.kind {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v.OverflowInt(n) {
				return false
			}
			v.SetInt(n)
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(s, p.typ.Bits())
			if err != nil || v.OverflowFloat(f) {
				return false
			}
			v.SetFloat(f)
		default:
			return false
		}
	case []any:
		if p.kind != reflect.Slice {
			return false
		}
		// An empty list is an empty slice, not nil, as encoding/json has it.
		s := reflect.MakeSlice(p.typ, len(x), len(x))
		for i, e := range x {
			if !p.elem.fill(s.Index(i), e) {
				return false
			}
		}
		v.Set(s)
	case map[string]any:
		if p.kind != reflect.Struct {
			return false
		}
		for k, e := range x {
			f, known := p.fields[k]
			if !known {
				// Unknown, or a field's name in other case: encoding/json
				// decides (the schema reports it).
				return false
			}
			if !f.plan.fill(v.Field(f.index), e) {
				return false
			}
		}
	default:
		return false // a kind no JSON parser gives
	}
	return true
}

// treeDecode lets tests decode every item from its bytes, the way the
// tree decode is compared against.
var treeDecode = true

// decodeItem fills dst (a pointer to a zero value) with one value of a
// case.json in valid UTF-8: from its tree when decodeFromTree can, else
// from its bytes as decodeValue decodes them, returning the numbers the
// model cannot hold. (A case read from another form keeps encoding/json's
// decode: a workbook's item is built, encoded and let go at once, and its
// texts may share the memory of rows its reader lets go.)
func decodeItem(tree any, data []byte, dst any, ptr string) []badNumber {
	if treeDecode && decodeFromTree(tree, dst) {
		return nil
	}
	reflect.ValueOf(dst).Elem().SetZero()
	return decodeValue(data, dst, ptr)
}
