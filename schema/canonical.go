package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/casepack/casepack/internal/digest"
)

// Canonical is the one byte form of a case as JSON: the typed model's
// fields in the schema's order, indented by two spaces, text as written
// (no HTML escaping), a final newline. The bundled samples are in it; it is
// what `casepack convert` writes for a valid case, and what a package
// carries whatever form the case is kept in, so that the three forms of one
// case give the same package (a case read from any form has no empty
// optional group: see dropEmptyGroups).
//
// The bytes are those of encoding/json's Encoder with SetIndent("", "  "):
// the items of the large collections are encoded on every core and joined.
func Canonical(c *Case) ([]byte, error) {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	type member struct {
		name  string
		value reflect.Value
		items []json.RawMessage // a non-empty list, encoded item by item
		raw   []byte
	}
	var members []*member
	var jobs []func() error
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		f := v.Field(i)
		if strings.Contains(opts, "omitempty") && isEmptyValue(f) {
			continue
		}
		m := &member{name: name, value: f}
		members = append(members, m)
		if f.Kind() == reflect.Slice && f.Len() > 0 {
			m.items = make([]json.RawMessage, f.Len())
			for j := 0; j < f.Len(); j++ {
				jobs = append(jobs, func() (err error) {
					m.items[j], err = encodeIndented(f.Index(j).Interface(), "    ")
					return err
				})
			}
			continue
		}
		jobs = append(jobs, func() (err error) {
			m.raw, err = encodeIndented(f.Interface(), "  ")
			return err
		})
	}
	err := digest.Each(context.Background(), len(jobs), 0, func(_ context.Context, i int) error { return jobs[i]() })
	if err != nil {
		return nil, fmt.Errorf("encode the case: %w", err)
	}
	// The exact size, so that the buffer is allocated once: a buffer a
	// few bytes short would double (a second copy of a large case).
	size := len("{") + len("}\n")
	if len(members) > 0 {
		size += len("\n")
	}
	keys := make([][]byte, len(members))
	for i, m := range members {
		keys[i], _ = json.Marshal(m.name)
		size += len(",\n  ") + len(keys[i]) + len(": ") + len(m.raw)
		if m.items != nil {
			size += len("[") + len("\n  ]")
			for _, it := range m.items {
				size += len(",\n    ") + len(it)
			}
		}
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	b.WriteString("{")
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  ")
		b.Write(keys[i])
		b.WriteString(": ")
		if m.items == nil {
			b.Write(m.raw)
			continue
		}
		b.WriteByte('[')
		for j, it := range m.items {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			b.Write(it)
		}
		b.WriteString("\n  ]")
	}
	if len(members) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// encodeIndented encodes v as the Encoder does at an indentation of prefix.
func encodeIndented(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// NewDocument makes the Document of a case read from a form other than
// JSON (see Form): value is its generic tree, of the kinds a JSON parser
// gives (map[string]any, []any, string, json.Number, bool, nil). The typed
// model is decoded from it as far as the data allows, and Data is the case
// in its Canonical form. (A Document{Value, Form} without a Case has both
// built by Validate, which lets the tree go as it decodes it.)
func NewDocument(path, dir string, value any, form Form) (*Document, error) {
	doc := &Document{Path: path, Dir: dir, Value: value, Form: form}
	// Nothing to interrupt: decoding is a fraction of reading the form.
	if err := doc.decodeTree(context.Background(), value, false); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var err error
	if doc.Data, err = Canonical(doc.Case); err != nil {
		return nil, err
	}
	return doc, nil
}
