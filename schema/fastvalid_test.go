package schema

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// collectionItems are the items of every top-level list of the samples
// and fixtures, with the list they belong to.
func collectionItems(t testing.TB) (keys []string, items []any) {
	files, _ := filepath.Glob("testdata/*/*/case.json")
	samples, _ := filepath.Glob("../samples/*/case.json")
	for _, f := range append(files, samples...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := parseGeneric(f, data)
		root, _ := doc.Value.(map[string]any)
		for key := range collectionSchemas() {
			list, _ := root[key].([]any)
			for _, it := range list {
				keys, items = append(keys, key), append(items, it)
			}
		}
	}
	if len(items) < 100 {
		t.Fatalf("only %d items", len(items))
	}
	return keys, items
}

// TestSurelyValidIsSound: on every item of the samples and fixtures and on
// thousands of mutants of them (a value replaced by one of another type,
// out of range, malformed, a member removed or added, a list item
// repeated), surelyValid never says yes where the library finds a
// problem; and it does say yes to most valid items (else it would save
// nothing).
func TestSurelyValidIsSound(t *testing.T) {
	schemas, quicks := collectionSchemas(), quickCollections()
	keys, items := collectionItems(t)
	rng := rand.New(rand.NewPCG(1, 16))
	yes, valid, mutants := 0, 0, 0
	check := func(key string, v any) {
		sure := surelyValid(quicks[key], v)
		err := schemas[key].Validate(v)
		if sure && err != nil {
			b, _ := json.Marshal(v)
			t.Fatalf("%s item surely valid, but the library says %v:\n%s", key, err, b)
		}
		if err == nil {
			valid++
			if sure {
				yes++
			}
		}
	}
	for i, it := range items {
		check(keys[i], it)
		for range 40 {
			m := deepCopy(it)
			mutate(rng, &m)
			check(keys[i], m)
			mutants++
		}
	}
	t.Logf("%d items, %d mutants; %d valid, %d of them surely valid", len(items), mutants, valid, yes)
	if yes*10 < valid*9 {
		t.Errorf("only %d of %d valid values surely valid", yes, valid)
	}
}

// FuzzSurelyValid: any JSON value, as an item of any top-level list.
func FuzzSurelyValid(f *testing.F) {
	_, items := collectionItems(f)
	for _, it := range items[:min(len(items), 60)] {
		b, _ := json.Marshal(it)
		f.Add(b)
	}
	schemas, quicks := collectionSchemas(), quickCollections()
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := parseGeneric("item.json", data)
		if doc.Value == nil {
			return
		}
		for key, s := range schemas {
			if surelyValid(quicks[key], doc.Value) {
				if err := s.Validate(doc.Value); err != nil {
					t.Fatalf("%s: surely valid, but the library says %v", key, err)
				}
			}
		}
	})
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// strange are values a mutant puts in place of another.
var strange = []any{
	"", " ", "x", "\u0000", "2021-02-30", "2021-13-01", "2021-01-08T07:30:00", "not an address", "ftp:/x", "EV-1",
	"V-0001", "../x", json.Number("0"), json.Number("-1"), json.Number("1.5"), json.Number("30.0"), json.Number("1e2"),
	json.Number("1e400"), json.Number("99999999999999999999"), json.Number("200"), json.Number("-99999999999999999999"),
	true, false, nil, []any{}, []any{"a", "a"}, []any{json.Number("1")}, map[string]any{}, map[string]any{"zzz": "x"},
}

// mutate changes one thing somewhere in *v, at a depth chosen at random.
func mutate(rng *rand.Rand, v *any) {
	switch x := (*v).(type) {
	case map[string]any:
		if len(x) == 0 || rng.IntN(4) == 0 {
			switch rng.IntN(3) {
			case 0:
				x["zzz"] = strange[rng.IntN(len(strange))]
			case 1:
				for k := range x {
					delete(x, k)
					break
				}
			default:
				*v = strange[rng.IntN(len(strange))]
			}
			return
		}
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		k := ks[rng.IntN(len(ks))]
		e := x[k]
		mutate(rng, &e)
		x[k] = e
	case []any:
		if len(x) == 0 || rng.IntN(4) == 0 {
			switch {
			case len(x) > 0 && rng.IntN(2) == 0:
				*v = append(x, x[rng.IntN(len(x))]) // a repeated item
			case rng.IntN(2) == 0:
				*v = x[:0]
			default:
				*v = strange[rng.IntN(len(strange))]
			}
			return
		}
		i := rng.IntN(len(x))
		mutate(rng, &x[i])
	default:
		*v = strange[rng.IntN(len(strange))]
	}
}
