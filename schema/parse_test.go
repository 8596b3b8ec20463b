package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		code      finding.Code
		line, col int
	}{
		{"dup key", "{\n  \"a\": 1,\n  \"a\": 2\n}", finding.JSONDupKey, 3, 3},
		{"dup nested", `{"x": [{"b": 1, "b": 1}]}`, finding.JSONDupKey, 1, 17},
		{"trailing", "{}\n{}", finding.JSONTrailing, 2, 1},
		{"trailing garbage", "{} x", finding.JSONTrailing, 1, 4},
		{"bad utf8", "{\"a\": \"\xff\"}", finding.JSONUTF8, 1, 8},
		{"truncated", `{"a": [1, 2`, finding.JSONSyntax, 1, 12},
		{"leading zero", `{"a": 07}`, finding.JSONSyntax, 1, 8},
		{"raw newline in text", "{\"a\": \"x\ny\"}", finding.JSONSyntax, 1, 9},
		{"single quotes", `{'a': 1}`, finding.JSONSyntax, 1, 2},
		{"bad escape", `{"a": "\q"}`, finding.JSONSyntax, 1, 8},
		{"empty", ``, finding.JSONSyntax, 1, 1},
		{"too deep", strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2), finding.JSONDepth, 1, MaxDepth + 2},
		{"column in runes", "{\"ñandú\": 1, \"ñandú\": 2}", finding.JSONDupKey, 1, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := Parse("case.json", []byte(tc.in))
			for _, f := range fs {
				if f.Code == tc.code && f.Line == tc.line && f.Column == tc.col {
					return
				}
			}
			t.Errorf("want %s at %d:%d, got %v", tc.code, tc.line, tc.col, fs)
		})
	}
}

func TestParseAccepts(t *testing.T) {
	in := "\ufeff{\"a\": [1, -2.5e3, true, false, null, \"\\u00f1\\ud83d\\ude00\\n\"], \"b\": {}}"
	doc, fs := Parse("case.json", []byte(in))
	if len(fs) != 0 || doc.Value == nil {
		t.Fatalf("findings %v", fs)
	}
	got := doc.Value.(map[string]any)["a"].([]any)[5]
	if got != "ñ😀\n" {
		t.Errorf("escapes decoded to %q", got)
	}
}

// FuzzParse: the loader reads untrusted files. It never panics; what it
// accepts encoding/json accepts too and means the same; and valid UTF-8 JSON
// is refused only for a duplicate key or depth.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*/case.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte("\ufeff{}"))
	f.Add([]byte("[\"\\ud800\"]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, fs := Parse("case.json", data)
		if doc == nil {
			t.Fatal("nil document")
		}
		for _, f := range fs {
			if f.Line < 1 || f.Column < 1 || f.Message == "" {
				t.Fatalf("unlocated finding %+v", f)
			}
		}
		data = bytes.TrimPrefix(data, []byte("\ufeff")) // a BOM is allowed, and ignored
		if len(fs) == 0 {
			if !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			var std any
			d := json.NewDecoder(strings.NewReader(string(data)))
			d.UseNumber()
			if err := d.Decode(&std); err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(std)
			b, _ := json.Marshal(doc.Value)
			if string(a) != string(b) {
				t.Fatalf("value differs from encoding/json:\n%s\n%s", a, b)
			}
		}
		if json.Valid(data) && utf8.Valid(data) {
			for _, f := range fs {
				if f.Code != finding.JSONDupKey && f.Code != finding.JSONDepth {
					t.Fatalf("valid JSON refused: %s", f)
				}
			}
		}
	})
}

// TestDecodeTypedMatchesUnmarshal: the item-parallel decode gives the model
// encoding/json gives on the whole file.
func TestDecodeTypedMatchesUnmarshal(t *testing.T) {
	files, _ := filepath.Glob("../samples/*/case.json")
	more, _ := filepath.Glob("testdata/*/*/case.json")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("only %d cases found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := Parse(f, data)
		if doc.Case == nil {
			continue // not JSON: nothing to decode
		}
		var want Case
		_ = json.Unmarshal(data, &want)
		a, _ := json.Marshal(doc.Case)
		b, _ := json.Marshal(&want)
		if string(a) != string(b) {
			t.Errorf("%s: typed model differs from encoding/json's", f)
		}
	}
}

// TestParseRepeatedNames: a repeated name is found, at the repetition, in
// a small object and in one with more members than the parser compares one
// by one (dupScan), inner repetitions in order with outer ones, and the
// last value wins as in encoding/json.
func TestParseRepeatedNames(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\n")
	for i := range 40 {
		name := fmt.Sprintf("m%d", i)
		switch i {
		case 5:
			name = "m1" // line 7: among the first members
		case 20:
			name = "m2" // line 22: past dupScan
		case 30:
			b.WriteString(`"inner": {"x": 1, "x": 2},` + "\n") // line 32
			continue
		}
		fmt.Fprintf(&b, "%q: %d,\n", name, i)
	}
	b.WriteString(`"m39": "last"` + "\n}")
	doc, fs := Parse("case.json", []byte(b.String()))
	var got []string
	for _, f := range fs {
		if f.Code != finding.JSONDupKey {
			t.Fatalf("unexpected finding %v", f)
		}
		got = append(got, fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Pointer))
	}
	want := []string{"7:1 /m1", "22:1 /m2", "32:19 /inner/x", "42:1 /m39"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("repeated names found at %v, want %v", got, want)
	}
	m := doc.Value.(map[string]any)
	if m["m1"] != json.Number("5") || m["m39"] != "last" || m["inner"].(map[string]any)["x"] != json.Number("2") || len(m) != 38 {
		t.Errorf("the last value of a repeated name should win: m1=%v m39=%v inner=%v, %d members", m["m1"], m["m39"], m["inner"], len(m))
	}
}
