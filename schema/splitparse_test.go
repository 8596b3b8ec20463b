package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// onePass parses data with the one-pass parser only.
func onePass(t testing.TB, data []byte) (*Document, []byte) {
	t.Helper()
	save := splitMin
	splitMin = math.MaxInt
	defer func() { splitMin = save }()
	doc, fs := parseGeneric("case.json", data)
	out, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	return doc, out
}

// split parses data on every core whatever its size.
func split(t testing.TB, data []byte) (*Document, []byte) {
	t.Helper()
	save := splitMin
	splitMin = 0
	defer func() { splitMin = save }()
	doc, fs := parseGeneric("case.json", data)
	out, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	return doc, out
}

// sameParse fails unless the split parse of data gives the one-pass
// parse's tree and findings (located the same).
func sameParse(t testing.TB, data []byte) {
	t.Helper()
	want, wantFs := onePass(t, data)
	got, gotFs := split(t, data)
	if !bytes.Equal(gotFs, wantFs) {
		t.Fatalf("findings differ:\nsplit:    %s\none pass: %s", gotFs, wantFs)
	}
	if !reflect.DeepEqual(got.Value, want.Value) {
		t.Fatalf("trees differ")
	}
}

// TestParseSplit: every core or one pass, the tree and the findings are
// the same, errors inside an item included (the one-pass parser reports
// those).
func TestParseSplit(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty case", `{}`},
		{"empty arrays", `{"persons": [], "evidence": [ ]}`},
		{"scalars and nesting", `{"a": [1, -2.5e3, true, false, null, "x", [], {}, [[1]], {"b": [2]}], "c": {"d": [3]}}`},
		{"escaped quotes", `{"p": ["a\"b", "c\\", "\\\"", {"k\"": "v\\\\"}]}`},
		{"bom", "\ufeff{\"p\": [1, 2]}"},
		{"dup in item", "{\"persons\": [{\"a\": 1},\n {\"b\": 1, \"b\": 2}]}"},
		{"dup in root", `{"persons": [1], "persons": [2]}`},
		{"dup in root member", `{"submission": {"a": 1, "a": 1}, "persons": [1]}`},
		{"trailing comma in array", `{"persons": [1, 2,]}`},
		{"leading comma in array", `{"persons": [,1]}`},
		{"missing comma", `{"persons": [1 2]}`},
		{"missing comma between objects", `{"persons": [{} {}]}`},
		{"number then string", `{"persons": [1"a"]}`},
		{"bad literal", `{"persons": [tru]}`},
		{"leading zero in item", `{"persons": [07]}`},
		{"unterminated string in item", `{"persons": ["abc]}`},
		{"unterminated item", `{"persons": [{"a": 1]`},
		{"bracket mismatch", `{"persons": [{"a": [1}]]}`},
		{"raw newline in item", "{\"persons\": [\"a\nb\"]}"},
		{"bad escape in item", `{"persons": ["\q"]}`},
		{"too deep in item", `{"persons": [` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `]}`},
		{"just deep enough", `{"persons": [` + strings.Repeat("[", MaxDepth-2) + strings.Repeat("]", MaxDepth-2) + `]}`},
		{"trailing data", `{"persons": [1]} x`},
		{"not an object", `[1, 2]`},
		{"unclosed root", `{"persons": [1]`},
		{"bad utf8", "{\"persons\": [\"\xff\"]}"},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) { sameParse(t, []byte(tc.in)) })
	}
}

// TestParseSplitLarge: a case of megabytes (parsed on every core at the
// default threshold) gives the one-pass tree, and an error in its last
// item, its first or between two, is the one-pass parser's finding at the
// same line and column.
func TestParseSplitLarge(t *testing.T) {
	data := largeCase(t, 3000)
	if len(data) < splitMin {
		t.Fatalf("the large case is %d bytes, below the %d the split parse starts at", len(data), splitMin)
	}
	doc, fs := parseGeneric("case.json", data)
	if len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	want, _ := onePass(t, data)
	if !reflect.DeepEqual(doc.Value, want.Value) {
		t.Fatal("trees differ")
	}
	last := bytes.LastIndex(data, []byte(`"id": "`))
	firstPerson := bytes.Index(data, []byte(`"persons": [`)) + len(`"persons": [`)
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		ptr  string
	}{
		{"dup key in the last item", func(d []byte) []byte { return splice(d, last, 0, `"id": "X", `) }, "/units/2/id"},
		{"syntax error in the last item", func(d []byte) []byte { return splice(d, last, 0, `"id" "X", `) }, ""},
		{"syntax error in the first person", func(d []byte) []byte { return splice(d, firstPerson, 0, `{"a": 01},`) }, "/persons/0/a"},
		{"missing comma between persons", func(d []byte) []byte {
			i := bytes.Index(d[firstPerson:], []byte("},")) + firstPerson
			return splice(d, i+1, 1, "")
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.edit(bytes.Clone(data))
			doc, fs := parseGeneric("case.json", bad)
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %v", fs)
			}
			want, wantFs := onePass(t, bad)
			got, _ := json.Marshal(fs)
			if !bytes.Equal(got, wantFs) {
				t.Fatalf("findings differ:\nsplit:    %s\none pass: %s", got, wantFs)
			}
			if !reflect.DeepEqual(doc.Value, want.Value) {
				t.Fatal("trees differ")
			}
			if tc.ptr != "" && fs[0].Pointer != tc.ptr {
				t.Errorf("pointer %q, want %q", fs[0].Pointer, tc.ptr)
			}
		})
	}
}

func splice(d []byte, at, del int, ins string) []byte {
	return append(append(append([]byte(nil), d[:at]...), ins...), d[at+del:]...)
}

// largeCase is the La Vega sample with its persons repeated to n.
func largeCase(t testing.TB, n int) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "samples", "la-vega", "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	persons := c["persons"].([]any)
	var more []any
	for i := range n {
		p := maps.Clone(persons[i%len(persons)].(map[string]any))
		p["id"] = fmt.Sprintf("P-%d", i)
		more = append(more, p)
	}
	c["persons"] = more
	out, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzParseSplit: on any input the split parse gives what the one-pass
// parser gives, and what parseSplit accepts by itself the one-pass parser
// accepts as the same tree.
func FuzzParseSplit(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*/case.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{`{"p": [1, {"a": [2, "x\"]"]}]}`, `{"p": [1,]}`, `{"p": [{"a":1,"a":2}]}`, "\ufeff{\"p\": []}", `{"p": ["\\"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameParse(t, data)
		off := 0
		if bytes.HasPrefix(data, []byte("\ufeff")) {
			off = 3
		}
		v, ok := parseSplit(context.Background(), data, off)
		if !ok || !utf8.Valid(data) { // parseGeneric checks UTF-8 first
			return
		}
		want, fs := onePass(t, data)
		if string(fs) != "null" || !reflect.DeepEqual(v, want.Value) {
			t.Fatalf("parseSplit accepted what the one-pass parser reads as %s", fs)
		}
	})
}
