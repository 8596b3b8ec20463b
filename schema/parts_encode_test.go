package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestAppendTree: the JSON appendTree writes decodes to what json.Marshal's
// decodes to — as a generic value and as the typed model (where keys that
// differ only in case make the order matter) — and it hands json.Marshal
// what it cannot write the same way.
func TestAppendTree(t *testing.T) {
	trees := []any{
		nil, true, false, "", "plain", json.Number("-12.5e+3"), json.Number("0"),
		"quote \" backslash \\ tab \t newline \n nul \x00 unit \x1f del \x7f",
		"<b>&amp;</b> \u2028 \u2029 ünïcödé 𝄞 中文",
		[]any{}, []any{"a", json.Number("1"), []any{nil, true}},
		map[string]any{}, map[string]any{"z": "1", "a": map[string]any{"m": []any{"x"}}, "é": "k"},
		map[string]any{"id": "P-1", "pseudonym": "first", "Pseudonym": "second", "PSEUDONYM": "third", "roles": []any{"victim"}},
		map[string]any{"id": "P-2", "age": json.Number("30.0"), "death": map[string]any{"date": "2021-01-08"}},
	}
	for i, tree := range trees {
		got, ok := appendTree(nil, tree)
		if !ok {
			t.Errorf("tree %d: appendTree gave up", i)
			continue
		}
		want, err := json.Marshal(tree)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(got) {
			t.Errorf("tree %d: not JSON: %s", i, got)
			continue
		}
		var g, w any
		dg := json.NewDecoder(bytes.NewReader(got))
		dg.UseNumber()
		dw := json.NewDecoder(bytes.NewReader(want))
		dw.UseNumber()
		if dg.Decode(&g) != nil || dw.Decode(&w) != nil || !reflect.DeepEqual(g, w) {
			t.Errorf("tree %d: decodes to %#v, json.Marshal's to %#v", i, g, w)
		}
		var pg, pw Person
		eg, ew := json.Unmarshal(got, &pg), json.Unmarshal(want, &pw)
		if (eg == nil) != (ew == nil) || !reflect.DeepEqual(pg, pw) {
			t.Errorf("tree %d: decodes to the person %+v (%v), json.Marshal's to %+v (%v)", i, pg, eg, pw, ew)
		}
	}
	for _, tree := range []any{"bad \xff utf-8", json.Number("1."), json.Number("01"), json.Number("+1"), json.Number(""), 1.5, map[string]any{"k": []any{"\xfe"}}} {
		if b, ok := appendTree(nil, tree); ok {
			t.Errorf("%#v: written as %s; it is json.Marshal's to write", tree, b)
		}
	}
}
