package schema

import (
	"reflect"
	"strings"
	"sync"
)

// modelField is a field of a struct of the typed model as the passes that
// walk every value by reflection (nonsense, printable) read it: its JSON
// name and the years a date in it may fall in. Reading a struct tag takes
// longer than checking the value it names, so each struct type's fields are
// read once.
type modelField struct {
	index int
	name  string // the JSON member name
	years years
}

var modelFieldCache sync.Map // reflect.Type → []modelField

// modelFields returns the fields of struct type t that have a JSON name
// (not "-").
func modelFields(t reflect.Type) []modelField {
	if fs, ok := modelFieldCache.Load(t); ok {
		return fs.([]modelField)
	}
	var fs []modelField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		y := years{MinYear, MaxYear}
		if own, ok := fieldYears(f); ok {
			y = own
		}
		fs = append(fs, modelField{index: i, name: name, years: y})
	}
	modelFieldCache.Store(t, fs)
	return fs
}
