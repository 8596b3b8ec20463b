package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// encoderBytes is what encoding/json's Encoder writes for v at depth
// (SetEscapeHTML(false), SetIndent with two spaces per level), without the
// final newline: the bytes Canonical promises.
func encoderBytes(t testing.TB, v any, depth int) ([]byte, error) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat("  ", depth), "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// odd holds what the model does not (today), to show that such a type is
// still encoded as encoding/json would: a map, an interface, an embedded
// struct, a tag option, []byte, an unexported field, a tag that is not a
// valid name.
type odd struct {
	Inner
	M       map[string]int `json:"m"`
	A       any            `json:"a,omitempty"`
	S       int            `json:"s,string"`
	B       []byte         `json:"b"`
	hidden  string
	BadName string `json:"a\\b"`
	Skip    string `json:"-"`
}

type Inner struct {
	X string `json:"x"`
}

type allKinds struct {
	S     string         `json:"s"`
	SO    string         `json:"so,omitempty"`
	W     When           `json:"w,omitempty"`
	B     bool           `json:"b"`
	BO    bool           `json:"bo,omitempty"`
	I     int            `json:"i"`
	IO    int            `json:"io,omitempty"`
	U     uint8          `json:"u"`
	F     float64        `json:"f"`
	FP    *float64       `json:"fp,omitempty"`
	IP    *int           `json:"ip"`
	BP    *bool          `json:"bp,omitempty"`
	L     []string       `json:"l"`
	LO    []string       `json:"lo,omitempty"`
	E     []string       `json:"e"`
	P     *PersonPolicy  `json:"p,omitempty"`
	PN    *PersonPolicy  `json:"pn"`
	Sub   Gravity        `json:"sub"`
	Subs  []Gravity      `json:"subs"`
	PP    []*Signatory   `json:"pp"`
	Deep  [][][]Location `json:"deep"`
	NoTag string
}

// TestEncodeAtMatchesEncoder: the plan-driven encoder writes the bytes of
// encoding/json's Encoder for every kind the model uses, at any depth, and
// falls back to the Encoder for a type it has no plan for.
func TestEncodeAtMatchesEncoder(t *testing.T) {
	f, i, yes := 1e-7, -3, true
	values := []any{
		allKinds{},
		allKinds{S: "a\"b\\c\n\t\r\b\f\x01\x7f<>&\u2028\u2029é\xff", SO: "x", W: "2021-01-08", B: true, BO: true, I: -5, IO: 7, U: 200,
			F: 1e21, FP: &f, IP: &i, BP: &yes, L: []string{"a", ""}, LO: []string{"z"}, E: []string{},
			P: &PersonPolicy{}, PN: &PersonPolicy{Sex: "show"}, Sub: Gravity{Scale: "s"},
			Subs: []Gravity{{}, {Nature: "n"}}, PP: []*Signatory{nil, {Name: "N", Role: "R"}},
			Deep: [][][]Location{{}, {{{Lat: &f}}, nil}}, NoTag: "t"},
		odd{Inner: Inner{X: "x"}, M: map[string]int{"b": 2, "a": 1}, A: []any{1, "x"}, S: 4, B: []byte("hi"), hidden: "h", BadName: "n", Skip: "s"},
		Case{},
		Location{Lat: &f},
	}
	for _, v := range values {
		for depth := 0; depth < 4; depth++ {
			want, err := encoderBytes(t, v, depth)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeAt([]byte("prefix"), reflect.ValueOf(v), depth)
			if err != nil {
				t.Fatalf("%T at depth %d: %v", v, depth, err)
			}
			if !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("%T at depth %d:\n got %s\nwant %s", v, depth, got[len("prefix"):], want)
			}
		}
	}
	if _, err := encoderOf(reflect.TypeFor[Case]()); err != nil {
		t.Errorf("the typed model has no encoding plan, so Canonical falls back to the slow Encoder: %v", err)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := encodeAt(nil, reflect.ValueOf(Location{Lat: &bad}), 0); err == nil {
			t.Errorf("%v encoded without an error; it is not JSON", bad)
		}
	}
}

// FuzzEncodeAt: any text and any number is written as encoding/json
// writes it.
func FuzzEncodeAt(f *testing.F) {
	f.Add("plain", 0.0, 0)
	f.Add("\x00\x1f\"\\\u2028\xff\xfe<&>é😀", 1e-7, -1)
	f.Add("line\r\nbreak", 1e21, 1<<40)
	f.Add("", -0.000001, 5)
	f.Add("\xed\xa0\x80", 123456789.123456789, 0)
	f.Fuzz(func(t *testing.T, s string, x float64, n int) {
		v := allKinds{S: s, SO: s, W: When(s), F: x, FP: &x, IP: &n, L: []string{s, s}, Sub: Gravity{Impact: s}}
		want, werr := encoderBytes(t, v, 2)
		got, gerr := encodeAt(nil, reflect.ValueOf(v), 2)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("errors differ: encoding/json %v, encodeAt %v", werr, gerr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}
