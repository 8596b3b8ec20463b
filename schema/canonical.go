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
// the items of the large collections are encoded on every core, a few
// thousand at a time, and appended in order as each batch is done, so that
// a large case is held once as bytes (not once item by item and again
// joined).
func Canonical(c *Case) ([]byte, error) {
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
			}, func() error {
				// Items spread over the whole list: its first ones may not
				// be typical (a register sorted by role).
				step := max(1, m.n/canonicalSample)
				var total, count int
				for j := 0; j < m.n; j += step {
					it, err := encodeIndented(f.Index(j).Interface(), "    ")
					if err != nil {
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
			m.raw, err = encodeIndented(f.Interface(), "  ")
			return err
		})
	}
	if err := eachJob(jobs); err != nil {
		return nil, err
	}
	// The size, estimated from a sample of each list with a margin, so
	// that the buffer is allocated once: a buffer a few bytes short would
	// double (a second copy of a large case).
	size := len("{") + len("}\n")
	if len(members) > 0 {
		size += len("\n")
	}
	keys := make([][]byte, len(members))
	for i, m := range members {
		keys[i], _ = json.Marshal(m.name)
		size += len(",\n  ") + len(keys[i]) + len(": ") + len(m.raw)
		if m.n > 0 {
			size += len("[") + len("\n  ]")
			size += len(m.first) + int(m.per*float64(m.n-min(m.n, canonicalChunk))*canonicalMargin)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  "...)
		b = append(b, keys[i]...)
		b = append(b, ": "...)
		if m.n == 0 {
			b = append(b, m.raw...)
			continue
		}
		b = append(b, '[')
		b = append(b, m.first...)
		m.first = nil
		// The rest in waves of chunks, one chunk per job, appended in order.
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
				return nil, err
			}
			j0 += len(jobs) * canonicalChunk
			for k := range jobs {
				b = append(b, wave[k]...)
			}
		}
		b = append(b, "\n  ]"...)
	}
	if len(members) > 0 {
		b = append(b, '\n')
	}
	b = append(b, "}\n"...)
	return b, nil
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
	for j := lo; j < hi; j++ {
		it, err := encodeIndented(list.Index(j).Interface(), "    ")
		if err != nil {
			return nil, err
		}
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		b = append(b, it...)
	}
	return b, nil
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
