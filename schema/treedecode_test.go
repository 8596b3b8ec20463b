package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// compareTreeDecode decodes every item of the collections of a case.json,
// and the whole case, both from its bytes with encoding/json (decodeValue)
// and as validate does (decodeItem: from the tree where it can), and fails
// unless the typed values and
// the numbers the model cannot hold are the same. It returns how many
// values were compared and how many of them decodeFromTree filled itself.
func compareTreeDecode(tb testing.TB, name string, data []byte) (values, viaTree int) {
	tb.Helper()
	doc, fs := parseGeneric(name, data)
	if doc.Value == nil || len(fs) > 0 {
		return 0, 0 // not plain valid JSON: never decoded item by item
	}
	root, _ := doc.Value.(map[string]any)
	_, ranges, _ := topLevelRanges(data)
	compare := func(ptr string, tree any, raw []byte, oldDst, newDst, fastDst any) {
		oldNums := decodeValue(raw, oldDst, ptr)
		newNums := decodeItem(tree, raw, newDst, ptr)
		if !reflect.DeepEqual(oldDst, newDst) {
			tb.Errorf("%s %s: the typed values differ:\nbytes: %s\ntree:  %s", name, ptr, dump(oldDst), dump(newDst))
		}
		if !reflect.DeepEqual(oldNums, newNums) {
			tb.Errorf("%s %s: numbers the model cannot hold differ: %v, %v", name, ptr, oldNums, newNums)
		}
		values++
		if decodeFromTree(tree, fastDst) {
			viaTree++
		}
	}
	for key, rs := range ranges {
		list, _ := root[key].([]any)
		if len(list) != len(rs) {
			tb.Fatalf("%s: %s has %d items in the tree, %d in the bytes", name, key, len(list), len(rs))
		}
		var oldC, newC, fastC Case
		oldJobs := oldC.itemJobs(nil, key, len(rs), func(int) decodeJob { return decodeJob{} })
		newJobs := newC.itemJobs(nil, key, len(rs), func(int) decodeJob { return decodeJob{} })
		fastJobs := fastC.itemJobs(nil, key, len(rs), func(int) decodeJob { return decodeJob{} })
		for i, r := range rs {
			compare(oldJobs[i].ptr, list[i], data[r[0]:r[1]], oldJobs[i].dst, newJobs[i].dst, fastJobs[i].dst)
		}
	}
	compare("", doc.Value, data, &Case{}, &Case{}, &Case{})
	return values, viaTree
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestDecodeFromTree: every item of every fixture and sample, and each
// whole case, is decoded to the same typed value from its tree as from its
// bytes; and the tree decode does the work for every valid one (it is not
// an optimisation that never runs).
func TestDecodeFromTree(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*/case.json")
	samples, _ := filepath.Glob("../samples/*/case.json")
	files = append(files, samples...)
	if len(files) < 50 {
		t.Fatalf("only %d fixtures", len(files))
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n, fast := compareTreeDecode(t, f, data)
		total += n
		if valid := strings.Contains(f, "/valid/") || strings.HasPrefix(f, "../samples/"); valid && fast != n {
			t.Errorf("%s: only %d of %d values of a valid case decoded from the tree", f, fast, n)
		}
	}
	if total < 400 {
		t.Errorf("only %d values compared", total)
	}
}

// TestDecodeFromTreeDeclines: what only encoding/json may decide, the tree
// decode leaves to it, and the result is encoding/json's either way.
func TestDecodeFromTreeDeclines(t *testing.T) {
	for _, tc := range []struct {
		name, person string
		viaTree      bool
	}{
		{"plain", `{"id":"V-0001","pseudonym":"A","roles":["victim"],"age":30,"minor":false}`, true},
		{"empty list is not nil", `{"id":"V-0001","roles":[]}`, true},
		{"null list", `{"id":"V-0001","roles":null,"age":null,"protected":null}`, true},
		{"null into text", `{"id":null,"pseudonym":"A"}`, true},
		{"escaped text", `{"id":"V-\u0030001","pseudonym":"\u00e9\n\"q\"\ud83d\ude00"}`, true},
		{"lone surrogate", `{"pseudonym":"\ud800x"}`, true},
		{"nested", `{"id":"V-1","death":{"date":"2021","wounds":[{"location":"head","type":"gunshot","count":2}],"autopsy":{"performed":true}}}`, true},
		{"members in any order", `{"death":{"date":"2021"},"id":"V-1"}`, true},
		{"name in other case", `{"ID":"V-0001","id":"V-0002"}`, false},
		{"name in other case last", `{"id":"V-0002","ID":"V-0001"}`, false},
		{"unknown member", `{"id":"V-0001","nickname":"x"}`, false},
		{"whole number with a point", `{"id":"V-0001","age":30.0}`, false},
		{"whole number with an exponent", `{"age":3e1}`, false},
		{"too large", `{"age":1e400}`, false},
		{"beyond int64", `{"age":9223372036854775808}`, false},
		{"text for a number", `{"age":"forty","id":"V-1"}`, false},
		{"number for a text", `{"id":7,"pseudonym":"A"}`, false},
		{"object for a list", `{"roles":{"a":1}}`, false},
		{"list for an object", `{"death":[1]}`, false},
		{"bool for a pointer to int", `{"age":true}`, false},
		{"text in a list of texts", `{"roles":["victim",3]}`, false},
		{"not an object", `[1,2]`, false},
		{"float for an int", `{"death":{"wounds":[{"count":1.5}]}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(`{"persons":[` + tc.person + `]}`)
			if n, fast := compareTreeDecode(t, tc.name, data); n != 2 || (fast == 2) != tc.viaTree {
				t.Errorf("%d of %d values decoded from the tree; want from the tree: %v", fast, n, tc.viaTree)
			}
		})
	}
	// A location's coordinates: float64 pointers.
	data := []byte(`{"evidence":[{"id":"E-1","location":{"lat":10.5,"lon":-66.25,"precision_m":1e2}}],"incidents":[{"location":{"lat":1e999}}]}`)
	if n, fast := compareTreeDecode(t, "coordinates", data); n != 3 || fast != 1 {
		t.Errorf("%d of %d values decoded from the tree, want 1 of 3", fast, n)
	}
}

// TestDecodeFromTreeKinds: a value of a kind no JSON parser gives is left
// to encoding/json.
func TestDecodeFromTreeKinds(t *testing.T) {
	for _, tree := range []any{
		map[string]any{"age": 30},
		map[string]any{"lat": 1.5},
		map[string]any{"roles": []string{"victim"}},
		map[string]any{"death": map[string]string{"date": "2021"}},
	} {
		if decodeFromTree(tree, &Person{}) {
			t.Errorf("the tree decode accepted %#v", tree)
		}
	}
}

// FuzzDecodeFromTree: for any JSON value the parser accepts, decoding it
// into each collection's item type, and into a whole case, gives what
// encoding/json gives from its bytes.
func FuzzDecodeFromTree(f *testing.F) {
	for _, s := range []string{
		`{"id":"V-0001","pseudonym":"A","roles":["victim"],"age":30,"death":{"date":"2021","wounds":[{"count":2}]}}`,
		`{"ID":"x","id":"y","age":30.0}`,
		`{"location":{"lat":1.5,"lon":1e400},"files":[{"path":"a","pages":3}],"sensitivity":{"graphic":true}}`,
		`{"persons":[{"id":"V-1"}],"submission":{"languages":["en"],"public_edition":{"min_group_size":5}}}`,
		`[{"scope":["all"]},null,true]`,
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/valid/*/case.json")
	for _, file := range files[:min(3, len(files))] {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	targets := []func() any{
		func() any { return new(Person) }, func() any { return new(Evidence) }, func() any { return new(Incident) },
		func() any { return new(Unit) }, func() any { return new(Consent) }, func() any { return new(Case) },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := parser{data: data, doc: &Document{}}
		tree, err := p.value(0)
		p.ws()
		if err != nil || p.pos != len(data) || len(p.dups) > 0 {
			return
		}
		if !utf8.Valid(data) {
			return // validation by item reads only valid UTF-8
		}
		for _, target := range targets {
			want, got := target(), target()
			wantNums := decodeValue(data, want, "/x")
			nums := decodeItem(tree, data, got, "/x")
			if !reflect.DeepEqual(want, got) || !reflect.DeepEqual(wantNums, nums) {
				t.Fatalf("%T from %q:\nbytes: %s %v\ntree:  %s %v", want, data, dump(want), wantNums, dump(got), nums)
			}
		}
	})
}
