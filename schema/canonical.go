package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
// The bytes are those of encoding/json's Encoder with SetIndent("", "  ")
// (written in one pass: jsonenc.go): the items of the large collections
// are encoded on every core, a few thousand at a time, and appended in
// order as each batch is done, so that a large case is held once as bytes
// (not once item by item and again joined).
func Canonical(c *Case) ([]byte, error) {
	var b []byte
	err := canonical(c, func(size int) { b = make([]byte, 0, size) }, func(p []byte) error {
		b = append(b, p...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// WriteCanonical writes Canonical(c) to w as it is encoded, without
// holding it whole (a case of 100,000 persons is about 80 MB of it).
func WriteCanonical(w io.Writer, c *Case) error {
	return canonical(c, nil, func(p []byte) error {
		_, err := w.Write(p)
		return err
	})
}

// canonical encodes c and gives its bytes to emit, in order, in pieces.
// With sized, it first estimates the size of the whole from a sample of
// each list and calls sized with it, so that a buffer can be allocated
// once: a buffer a few bytes short would double (a second copy of a large
// case).
func canonical(c *Case, sized func(int), emit func([]byte) error) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	type member struct {
		name  string
		value reflect.Value
		n     int     // items of a non-empty list, encoded in chunks
		first []byte  // the list's first chunk
		per   float64 // bytes per item, measured on a sample of the list
		raw   []byte  // any other member
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
			m.n = f.Len()
			jobs = append(jobs, func() (err error) {
				m.first, err = encodeChunk(nil, f, 0, min(m.n, canonicalChunk))
				return err
			})
			if sized == nil {
				continue
			}
			jobs = append(jobs, func() error {
				// Items spread over the whole list: its first ones may not
				// be typical (a register sorted by role).
				step := max(1, m.n/canonicalSample)
				var total, count int
				var it []byte
				for j := 0; j < m.n; j += step {
					var err error
					if it, err = encodeAt(it[:0], f.Index(j), 2); err != nil {
						return err
					}
					total += len(it) + len(",\n    ")
					count++
				}
				m.per = float64(total) / float64(count)
				return nil
			})
			continue
		}
		jobs = append(jobs, func() (err error) {
			m.raw, err = encodeAt(nil, f, 1)
			return err
		})
	}
	if err := eachJob(jobs); err != nil {
		return err
	}
	keys := make([][]byte, len(members))
	for i, m := range members {
		keys[i] = appendJSONString(nil, m.name)
	}
	if sized != nil {
		size := len("{") + len("}\n")
		if len(members) > 0 {
			size += len("\n")
		}
		for i, m := range members {
			size += len(",\n  ") + len(keys[i]) + len(": ") + len(m.raw)
			if m.n > 0 {
				size += len("[") + len("\n  ]")
				size += len(m.first) + int(m.per*float64(m.n-min(m.n, canonicalChunk))*canonicalMargin)
			}
		}
		sized(size)
	}
	var head []byte
	head = append(head, '{')
	for i, m := range members {
		if i > 0 {
			head = append(head, ',')
		}
		head = append(head, "\n  "...)
		head = append(head, keys[i]...)
		head = append(head, ": "...)
		if m.n == 0 {
			head = append(head, m.raw...)
			continue
		}
		head = append(head, '[')
		if err := emit(head); err != nil {
			return err
		}
		head = head[:0]
		if err := emit(m.first); err != nil {
			return err
		}
		m.first = nil
		// The rest in waves of chunks, one chunk per job, given in order.
		wave := make([][]byte, 2*digest.Workers(0))
		for j0 := min(m.n, canonicalChunk); j0 < m.n; {
			jobs = jobs[:0]
			for k := range wave {
				lo := j0 + k*canonicalChunk
				if lo >= m.n {
					wave[k] = nil
					continue
				}
				hi := min(lo+canonicalChunk, m.n)
				jobs = append(jobs, func() (err error) {
					wave[k], err = encodeChunk(wave[k][:0], m.value, lo, hi)
					return err
				})
			}
			if err := eachJob(jobs); err != nil {
				return err
			}
			j0 += len(jobs) * canonicalChunk
			for k := range jobs {
				if err := emit(wave[k]); err != nil {
					return err
				}
			}
		}
		head = append(head, "\n  ]"...)
	}
	if len(members) > 0 {
		head = append(head, '\n')
	}
	head = append(head, "}\n"...)
	return emit(head)
}

// canonicalChunk is how many items of a list one job encodes;
// canonicalSample, how many items size the output; canonicalMargin, the
// room left for items larger than the sample's.
const (
	canonicalChunk  = 256
	canonicalSample = 512
	canonicalMargin = 1.04
)

// eachJob runs jobs on every core.
func eachJob(jobs []func() error) error {
	err := digest.Each(context.Background(), len(jobs), 0, func(_ context.Context, i int) error { return jobs[i]() })
	if err != nil {
		return fmt.Errorf("encode the case: %w", err)
	}
	return nil
}

// encodeChunk appends items lo to hi of the list to b, each after its
// separator: ",\n    " (no comma before the first item of the list).
func encodeChunk(b []byte, list reflect.Value, lo, hi int) ([]byte, error) {
	var err error
	for j := lo; j < hi; j++ {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		if b, err = encodeAt(b, list.Index(j), 2); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// encodeAt appends v as the Encoder writes it at depth (an indentation of
// two spaces per level): from its plan (jsonenc.go), or by the Encoder
// itself for a type without one.
func encodeAt(b []byte, v reflect.Value, depth int) ([]byte, error) {
	if plan, err := encoderOf(v.Type()); err == nil {
		if out, err := plan(b, v, depth); err == nil {
			return out, nil
		}
	}
	it, err := encodeIndented(v.Interface(), strings.Repeat("  ", depth))
	if err != nil {
		return nil, err
	}
	return append(b, it...), nil
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
