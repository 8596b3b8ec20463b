package schema

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"
)

// TestOwnTexts: after OwnTexts no text of the typed model shares the case's
// bytes (validation item by item shares them, treedecode.go), so a build
// can let the bytes go, and the model is what it was.
func TestOwnTexts(t *testing.T) {
	data := largeCase(t, 3000)
	if len(data) < splitMin {
		t.Fatalf("the case is %d bytes, below the %d validation by item starts at", len(data), splitMin)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	doc, _, err := LoadAndValidate(context.Background(), dir, Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(doc.Data)))
	hi := lo + uintptr(len(doc.Data))
	shared := func() (n int) {
		texts(reflect.ValueOf(doc.Case).Elem(), func(s string) {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); len(s) > 0 && lo <= p && p < hi {
				n++
			}
		})
		return n
	}
	if shared() == 0 {
		t.Fatal("no text of the model shares the case's bytes before OwnTexts: the test shows nothing")
	}
	before, err := json.Marshal(doc.Case)
	if err != nil {
		t.Fatal(err)
	}
	doc.OwnTexts()
	if n := shared(); n > 0 {
		t.Errorf("%d texts of the model still share the case's bytes", n)
	}
	after, err := json.Marshal(doc.Case)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("OwnTexts changed the model")
	}
}

// texts calls f with every string in v.
func texts(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		f(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			texts(v.Elem(), f)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			texts(v.Index(i), f)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				texts(v.Field(i), f)
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			texts(it.Key(), f)
			texts(it.Value(), f)
		}
	}
}
