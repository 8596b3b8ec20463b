package schema

import (
	"reflect"
	"strings"
	"sync"
)

// dropEmptyGroups sets to nil every optional group of fields that holds
// nothing (an optional object written as {}): "sensitivity": {} and no
// sensitivity at all are the same case, and a form that cannot tell them
// apart (a workbook has no cell for an empty group) must give the same
// typed model, and so the same Canonical bytes, as one that can.
func dropEmptyGroups(c *Case) { encodesEmpty(reflect.ValueOf(c).Elem()) }

// encodesEmpty reports whether encoding/json writes v as {} (a struct
// whose fields are all omitted), after dropping the empty optional groups
// inside it.
func encodesEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice:
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Pointer && k != reflect.Slice {
			return false // strings, numbers: nothing inside to drop
		}
		for i := 0; i < v.Len(); i++ {
			encodesEmpty(v.Index(i))
		}
		return false
	case reflect.Pointer:
		if v.IsNil() {
			return false
		}
		return encodesEmpty(v.Elem())
	case reflect.Struct:
		empty := true
		for i, omit := range omitEmpty(v.Type()) {
			f := v.Field(i)
			if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct && encodesEmpty(f) && omit {
				f.Set(reflect.Zero(f.Type()))
			} else if f.Kind() == reflect.Struct || f.Kind() == reflect.Slice {
				encodesEmpty(f)
			}
			if !omit || !f.IsZero() && !(f.Kind() == reflect.Slice && f.Len() == 0) {
				empty = false
			}
		}
		return empty
	}
	return false
}

// omitEmptyOf remembers, per struct type, which fields are tagged
// omitempty: a large case has a struct per person, and parsing the tags
// again for each one showed in validate's profile.
var omitEmptyOf sync.Map // reflect.Type -> []bool

func omitEmpty(t reflect.Type) []bool {
	if o, ok := omitEmptyOf.Load(t); ok {
		return o.([]bool)
	}
	o := make([]bool, t.NumField())
	for i := range o {
		_, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		o[i] = strings.Contains(opts, "omitempty")
	}
	omitEmptyOf.Store(t, o)
	return o
}
