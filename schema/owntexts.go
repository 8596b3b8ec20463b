package schema

import (
	"reflect"
	"strings"
	"unsafe"
)

// OwnTexts gives every text of doc.Case that shares doc.Data's bytes (an
// item filled from its tree shares them, see treedecode.go) a copy of its
// own, so that the bytes can go once nothing else needs them (findings are
// located in them): for 20,000 photos doc.Data is 5.5 MB, and the model's
// own texts about 1.5 MB. A text equal to the one the same field of the
// item before held (a type, a role, a media type, a classification
// repeated on every item) shares that item's copy. It is for a caller that
// holds the model long after validating it (a build); it changes no value.
func (doc *Document) OwnTexts() {
	if doc.Case == nil || len(doc.Data) == 0 {
		return
	}
	o := owner{lo: uintptr(unsafe.Pointer(unsafe.SliceData(doc.Data))), plans: map[reflect.Type]*ownPlan{}}
	o.hi = o.lo + uintptr(len(doc.Data))
	o.walk(reflect.ValueOf(doc.Case).Elem(), nil)
}

// owner is OwnTexts' walk: lo and hi bound doc.Data's bytes; plans says,
// for each struct type, which of its fields can hold a text.
type owner struct {
	lo, hi uintptr
	plans  map[reflect.Type]*ownPlan
}

// ownPlan is a struct type's fields that can hold a text, and for each the
// copy the field's text last got.
type ownPlan struct {
	fields []int
	last   []string
}

// holdsText says whether a value of type t can hold a string.
func holdsText(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface, reflect.Struct:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsText(t.Elem())
	}
	return false
}

func (o *owner) plan(t reflect.Type) *ownPlan {
	p, ok := o.plans[t]
	if !ok {
		p = &ownPlan{}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holdsText(f.Type) {
				p.fields = append(p.fields, i)
			}
		}
		p.last = make([]string, len(p.fields))
		o.plans[t] = p
	}
	return p
}

// walk gives the texts of v copies of their own; last, when not nil, is
// where the copy the same field of the struct before got is kept.
func (o *owner) walk(v reflect.Value, last *string) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); len(s) == 0 || p < o.lo || p >= o.hi || !v.CanSet() {
			return
		}
		if last != nil && *last == s {
			v.SetString(*last)
			return
		}
		c := strings.Clone(s)
		if last != nil {
			*last = c
		}
		v.SetString(c)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			o.walk(v.Elem(), last)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			o.walk(v.Index(i), last)
		}
	case reflect.Struct:
		p := o.plan(v.Type())
		for k, i := range p.fields {
			o.walk(v.Field(i), &p.last[k])
		}
	case reflect.Map:
		// The model has no maps; a text in one would be left shared,
		// which keeps doc.Data's bytes but changes nothing.
	}
}
