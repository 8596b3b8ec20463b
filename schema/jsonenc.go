package schema

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The encoder of Canonical: the bytes encoding/json's Encoder writes with
// SetEscapeHTML(false) and SetIndent(prefix, "  "), written in one pass.
// The Encoder marshals each value compactly and then indents a copy of
// it; for a case of 100,000 persons that is most of the time Canonical
// takes. The typed model holds only structs, pointers, slices, strings,
// booleans, integers and floats, without methods of its own for JSON:
// each type is encoderEntry once (the fields encoding/json would write, with
// their omitempty) and encoded from the plan. A kind outside that set
// has no plan (errNoEncoder), and Canonical falls back to encoding/json for
// it; canonical_test.go checks the two give the same bytes.

// encodeFunc appends v, at depth (each of its lines indented by two
// spaces per level), to b.
type encodeFunc func(b []byte, v reflect.Value, depth int) ([]byte, error)

// indentLine is the line break before a value at depth d.
func indentLine(d int) string {
	if 1+2*d <= len(newlineSpaces) {
		return newlineSpaces[:1+2*d]
	}
	return "\n" + strings.Repeat("  ", d)
}

const newlineSpaces = "\n                                                                "

var errNoEncoder = errors.New("no encoding plan for this type")

// ready holds the encoders made so far, for use by any goroutine: only
// whole ones, published once made. building holds them (and the types
// being made) while encodersMu is held.
var (
	ready      sync.Map // reflect.Type → encoderEntry
	encodersMu sync.Mutex
	building   = map[reflect.Type]encoderEntry{}
)

type encoderEntry struct {
	fn  encodeFunc
	err error
}

// encoderOf returns the encoder of values of type t, made once. The first
// items of a list are encoded on several cores at once: an encoder is
// made under a lock and published whole, so that no goroutine can use one
// still being made.
func encoderOf(t reflect.Type) (encodeFunc, error) {
	if e, ok := ready.Load(t); ok {
		return e.(encoderEntry).fn, e.(encoderEntry).err
	}
	encodersMu.Lock()
	defer encodersMu.Unlock()
	fn, err := encoderLocked(t)
	ready.Store(t, encoderEntry{fn: fn, err: err})
	return fn, err
}

// encoderLocked is encoderOf with encodersMu held.
func encoderLocked(t reflect.Type) (encodeFunc, error) {
	if e, ok := building[t]; ok {
		return e.fn, e.err
	}
	// A type that holds itself (none does in the model today) is encoded
	// through a reference to its own encoder, set once that is made; one
	// that ends up without an encoder leaves the reference unset, and
	// whatever holds it falls back to encoding/json (errNoEncoder).
	var self encodeFunc
	building[t] = encoderEntry{fn: func(b []byte, v reflect.Value, d int) ([]byte, error) {
		if self == nil {
			return nil, errNoEncoder
		}
		return self(b, v, d)
	}}
	fn, err := makeEncoder(t)
	self = fn
	building[t] = encoderEntry{fn: fn, err: err}
	return fn, err
}

func makeEncoder(t reflect.Type) (encodeFunc, error) {
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) ||
		t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return nil, errNoEncoder
	}
	switch t.Kind() {
	case reflect.String:
		return func(b []byte, v reflect.Value, _ int) ([]byte, error) {
			return appendJSONString(b, v.String()), nil
		}, nil
	case reflect.Bool:
		return func(b []byte, v reflect.Value, _ int) ([]byte, error) {
			return strconv.AppendBool(b, v.Bool()), nil
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value, _ int) ([]byte, error) {
			return strconv.AppendInt(b, v.Int(), 10), nil
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(b []byte, v reflect.Value, _ int) ([]byte, error) {
			return strconv.AppendUint(b, v.Uint(), 10), nil
		}, nil
	case reflect.Float64:
		return func(b []byte, v reflect.Value, _ int) ([]byte, error) {
			return appendJSONFloat(b, v.Float())
		}, nil
	case reflect.Pointer:
		elem, err := encoderLocked(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value, d int) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			return elem(b, v.Elem(), d)
		}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, errNoEncoder // encoding/json writes []byte as base64
		}
		elem, err := encoderLocked(t.Elem())
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value, d int) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			n := v.Len()
			if n == 0 {
				return append(b, "[]"...), nil
			}
			b = append(b, '[')
			var err error
			for i := 0; i < n; i++ {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, indentLine(d+1)...)
				if b, err = elem(b, v.Index(i), d+1); err != nil {
					return nil, err
				}
			}
			b = append(b, indentLine(d)...)
			return append(b, ']'), nil
		}, nil
	case reflect.Struct:
		return structEncoder(t)
	}
	return nil, errNoEncoder
}

var (
	marshalerType     = reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()
	textMarshalerType = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// encField is one member of a struct as encoding/json writes it.
type encField struct {
	index     int
	key       []byte // the quoted name and ": "
	omitEmpty bool
	enc       encodeFunc
}

// structEncoder encoders a struct of exported, named fields (an embedded field
// or a tag option other than omitempty has no plan).
func structEncoder(t reflect.Type) (encodeFunc, error) {
	var fields []encField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if sf.Anonymous {
			return nil, errNoEncoder
		}
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		omit := false
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			if o != "omitempty" {
				return nil, errNoEncoder
			}
			omit = true
		}
		if name == "" || !validTag(name) {
			if name != "" {
				return nil, errNoEncoder
			}
			name = sf.Name
		}
		enc, err := encoderLocked(sf.Type)
		if err != nil {
			return nil, err
		}
		key := appendJSONString(nil, name)
		fields = append(fields, encField{index: i, key: append(key, ": "...), omitEmpty: omit, enc: enc})
	}
	return func(b []byte, v reflect.Value, d int) ([]byte, error) {
		first := true
		var err error
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if first {
				b = append(b, '{')
				first = false
			} else {
				b = append(b, ',')
			}
			b = append(b, indentLine(d+1)...)
			b = append(b, f.key...)
			if b, err = f.enc(b, fv, d+1); err != nil {
				return nil, err
			}
		}
		if first {
			return append(b, "{}"...), nil
		}
		b = append(b, indentLine(d)...)
		return append(b, '}'), nil
	}, nil
}

// validTag is encoding/json's test of a tag's name: letters, digits and
// the punctuation it allows (otherwise it uses the field's name).
func validTag(s string) bool {
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// appendJSONFloat writes a float64 as encoding/json does: the shortest
// decimal form, in exponent notation below 1e-6 and from 1e21 on (with
// "e-7", not "e-07"); NaN and infinities are not JSON.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errNoEncoder // encoding/json gives the error
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping:
// \" \\ \b \f \n \r \t, other control characters as \u00XX, invalid UTF-8
// as \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
