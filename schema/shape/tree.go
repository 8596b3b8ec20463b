package shape

import (
	"encoding/json"
	"reflect"
	"sort"
)

// Helpers for a case held as a generic tree, the kinds a JSON parser gives
// (map[string]any, []any, string, json.Number, bool, nil): the form every
// reader produces and every writer takes.

// OrderedKeys lists the keys of object m: first those the schema names at
// place f (nil: none), in the schema's order, then any others, sorted.
func OrderedKeys(m map[string]any, f *Field) []string {
	keys := make([]string, 0, len(m))
	if f != nil {
		for _, p := range f.Props {
			if _, ok := m[p.Name]; ok {
				keys = append(keys, p.Name)
			}
		}
	}
	var rest []string
	for k := range m {
		if f == nil || f.Prop(k) == nil {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// Equal reports whether two generic trees hold the same case: the same
// objects, lists, texts, booleans and nulls, and numbers of equal value.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, err1 := x.Float64()
		fy, err2 := y.Float64()
		return err1 == nil && err2 == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
