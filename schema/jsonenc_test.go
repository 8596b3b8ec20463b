package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
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
	f.Add("line\r\nbreak", 1e21, math.MaxInt32)
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

// Types used nowhere else, so that their encoders are made in the tests
// below.
type (
	treeNode struct {
		Name string     `json:"name"`
		Kids []treeNode `json:"kids,omitempty"`
		Up   *treeNode  `json:"up,omitempty"`
	}
	// cycleHalf holds cycleWhole, which has no encoder (a map): the
	// half's encoder must not use the whole's unmade one.
	cycleWhole struct {
		Half cycleHalf      `json:"half"`
		M    map[string]int `json:"m"`
	}
	cycleHalf struct {
		Whole *cycleWhole `json:"whole"`
		S     string      `json:"s"`
	}
)

// TestEncoderFirstUseOnEveryCore: the encoder of a type is made once and
// published whole, though the items of a list are encoded on several
// cores at once from the start (an encoder used while it was being made
// crashed the annexes command). The type is made here, new at each run,
// and large, so that its encoder takes a while to make.
func TestEncoderFirstUseOnEveryCore(t *testing.T) {
	var fields []reflect.StructField
	for i := range 300 {
		inner := reflect.StructOf([]reflect.StructField{{Name: fmt.Sprintf("X%d", i), Type: reflect.TypeFor[string](), Tag: `json:"x"`}})
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: reflect.SliceOf(inner), Tag: reflect.StructTag(fmt.Sprintf(`json:"f%d"`, i))})
	}
	v := reflect.New(reflect.StructOf(fields)).Elem()
	v.Field(7).Set(reflect.MakeSlice(v.Field(7).Type(), 1, 1))
	want, err := encoderBytes(t, v.Interface(), 2)
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	got := make([][]byte, 16)
	for i := range got {
		wg.Go(func() {
			<-start
			got[i], _ = encodeAt(nil, v, 2)
		})
	}
	close(start)
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Fatalf("goroutine %d wrote %.200q, want %.200q", i, g, want)
		}
	}
}

// TestEncoderOfRecursiveTypes: a type that holds itself is encoded as
// encoding/json encodes it, and one whose cycle includes a type without
// an encoder falls back to encoding/json.
func TestEncoderOfRecursiveTypes(t *testing.T) {
	root := treeNode{Name: "root", Kids: []treeNode{{Name: "a", Kids: []treeNode{{Name: "a1"}}}, {Name: "b", Up: &treeNode{Name: "up"}}}}
	half := cycleHalf{S: "x", Whole: &cycleWhole{Half: cycleHalf{S: "inner"}, M: map[string]int{"k": 1}}}
	for _, v := range []any{root, half, cycleWhole{Half: half}} {
		want, err := encoderBytes(t, v, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeAt(nil, reflect.ValueOf(v), 1)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%T:\n got %s\nwant %s", v, got, want)
		}
	}
}
