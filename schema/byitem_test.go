package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// bothWays runs LoadAndValidate on path item by item (whatever its size)
// and the one-pass way, and fails unless the findings (located), the typed
// model and, with KeepTree, the tree are the same. It says whether the
// item-by-item way was taken (it gives up on what is not plain valid JSON).
func bothWays(t *testing.T, path string, opt Options) (byItem bool) {
	t.Helper()
	run := func(min int) (*Document, []byte, []byte) {
		save := splitMin
		splitMin = min
		defer func() { splitMin = save }()
		doc, fs, err := LoadAndValidate(context.Background(), path, opt)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := json.Marshal(fs)
		c, _ := json.Marshal(doc.Case)
		return doc, f, c
	}
	oneDoc, oneFs, oneCase := run(math.MaxInt)
	itemDoc, itemFs, itemCase := run(0)
	if !bytes.Equal(itemFs, oneFs) {
		t.Errorf("%s: findings differ:\nitem by item: %s\none pass:     %s", path, itemFs, oneFs)
	}
	if !bytes.Equal(itemCase, oneCase) {
		t.Errorf("%s: typed models differ", path)
	}
	if !reflect.DeepEqual(itemDoc.Value, oneDoc.Value) {
		t.Errorf("%s: trees differ (KeepTree %v)", path, opt.KeepTree)
	}
	data, err := os.ReadFile(itemDoc.Path)
	if err != nil {
		t.Fatal(err)
	}
	_, fs := parseGeneric(itemDoc.Path, data)
	return len(fs) == 0
}

// TestValidateByItem: every fixture, valid or not, and the samples give the
// same findings, at the same lines and columns, the same typed model and
// (KeepTree) the same tree whether validated item by item or the one-pass
// way.
func TestValidateByItem(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/*")
	samples, _ := filepath.Glob("../samples/*/case.json")
	dirs = append(dirs, samples...)
	if len(dirs) < 50 {
		t.Fatalf("only %d fixtures", len(dirs))
	}
	taken := 0
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "case.json")); err != nil && filepath.Ext(dir) != ".json" {
			continue // a fixture of another form
		}
		for _, opt := range []Options{{Checklist: true}, {KeepTree: true, SkipFiles: true}} {
			if bothWays(t, dir, opt) {
				taken++
			}
		}
	}
	if taken < 50 {
		t.Errorf("only %d runs went item by item", taken)
	}
}

// TestValidateByItemLarge: a case of megabytes with problems in its items
// — the first, one in the middle, the last — of every kind the schema and
// the typed model report, validated item by item at the default threshold,
// gives the one-pass findings.
func TestValidateByItemLarge(t *testing.T) {
	var c map[string]any
	if err := json.Unmarshal(largeCase(t, 3000), &c); err != nil {
		t.Fatal(err)
	}
	persons := c["persons"].([]any)
	persons[0].(map[string]any)["age"] = "forty"                 // type: the message quotes the value
	persons[1500].(map[string]any)["nickname"] = "x"             // unknown field
	persons[2999].(map[string]any)["age"] = json.Number("1e400") // a number the model cannot hold
	delete(persons[2998].(map[string]any), "roles")              // required
	ev := c["evidence"].([]any)
	ev[len(ev)-1].(map[string]any)["sha256"] = "abc" // pattern
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < splitMin {
		t.Fatalf("the case is %d bytes, below the %d validation by item starts at", len(data), splitMin)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	opt := Options{SkipFiles: true, Checklist: true}
	if !bothWays(t, dir, opt) {
		t.Fatal("the case did not parse")
	}
	_, fs, err := LoadAndValidate(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/persons/0/age", "/persons/1500/nickname", "/persons/2999/age", "/persons/2998", "/evidence/33/sha256"} {
		found := false
		for _, f := range fs {
			found = found || f.Pointer == want
		}
		if !found {
			t.Errorf("no finding at %s", want)
		}
	}
}

// TestValidateByItemAllocates: validating a case.json of 20,000 photos
// item by item allocates 3,148 bytes an item (the tree of each item while
// it is parsed, validated and decoded, the model, the file): not also a
// decode job (72 bytes) and its pointer's text for every item, which were
// held through the whole parse (3,236 bytes an item; at the bench's
// 20,000 photos 1.8 MB more of the live heap while validating). The count
// is the same at every run of one input and Go version; the bound is
// halfway (under the race detector, which allocates besides: 3,418 and
// 3,574).
func TestValidateByItemAllocates(t *testing.T) {
	if testing.Short() {
		t.Skip("validates 20,000 items; counts allocations, which the race detector adds to")
	}
	const n = 20000
	b, err := os.ReadFile(filepath.Join("..", "samples", "minimal", "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	ev := c["evidence"].([]any)
	inc := c["incidents"].([]any)[0].(map[string]any)
	ids, _ := inc["evidence_ids"].([]any)
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("EV-%06d", i)
		ev = append(ev, map[string]any{"id": id, "title": "Photograph " + id, "type": "photo", "classification": "confidential",
			"files": []any{map[string]any{"path": fmt.Sprintf("evidence/photos/img-%06d.jpg", i), "role": "original", "media_type": "image/jpeg"}}})
		ids = append(ids, id)
	}
	c["evidence"], inc["evidence_ids"] = ev, ids
	path := filepath.Join(t.TempDir(), "case.json")
	if b, err = json.MarshalIndent(c, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	validate := func() {
		doc, fs, err := LoadAndValidate(context.Background(), path, Options{SkipFiles: true})
		if err != nil || doc.Case == nil || len(doc.Case.Evidence) < n || finding.HasErrors(fs) {
			t.Fatalf("the case did not validate: %v, %v", err, fs)
		}
	}
	validate() // the schema, compiled once
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	validate()
	runtime.ReadMemStats(&after)
	perItem := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("validating %d photos allocates %.0f bytes an item", n, perItem)
	most, was := 3190, 3236
	if raceOn {
		most, was = 3496, 3574
	}
	if perItem > float64(most) {
		t.Errorf("validating allocates %.0f bytes an item, want at most %d (with a decode job for every item: %d)", perItem, most, was)
	}
}

// TestItemSchemasAreTheRoots: each collection's item schema is the one the
// root schema reaches (properties/<name>/items/$ref), not a second
// compile of the embedded schema, and it finds in every item of the
// samples, and in mutants of them, exactly what a schema compiled on its
// own finds: the same errors at the same locations.
func TestItemSchemasAreTheRoots(t *testing.T) {
	root, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	schemas := collectionSchemas()
	if len(schemas) == 0 {
		t.Fatal("no item schemas")
	}
	alone, err := newCompiler()
	if err != nil {
		t.Fatal(err)
	}
	keys, items := collectionItems(t)
	for name, s := range schemas {
		p := root.Properties[name]
		if p == nil || p.Items2020 == nil || p.Items2020.Ref != s {
			t.Errorf("%s: the item schema is not the one the root schema reaches", name)
		}
		own, err := alone.Compile(ID + s.Location[len(ID):])
		if err != nil {
			t.Fatal(err)
		}
		if own == s {
			t.Fatalf("%s: the compiler of its own handed back the same schema", name)
		}
		checked, failed := 0, 0
		for i, it := range items {
			if keys[i] != name {
				continue
			}
			// The item as it is, and with each member given a value of
			// the wrong type: errors the schema locates.
			variants := []any{it}
			if m, ok := it.(map[string]any); ok {
				for k := range m {
					bad := make(map[string]any, len(m))
					for k2, v := range m {
						bad[k2] = v
					}
					bad[k] = []any{true, 1.5}
					variants = append(variants, bad)
				}
			}
			for _, v := range variants {
				// The library lists an object's errors in its map's
				// order, which differs from run to run: compared as sets.
				got, want := errorLines(s.Validate(v)), errorLines(own.Validate(v))
				if got != want {
					t.Fatalf("%s item %d: shared schema found\n%s\nits own compile found\n%s", name, i, got, want)
				}
				checked++
				if want != "" {
					failed++
				}
			}
		}
		if checked > 0 && failed == 0 {
			t.Errorf("%s: %d items checked, none invalid: the comparison shows nothing", name, checked)
		}
	}
}

// errorLines is a validation error's lines, sorted ("" for none).
func errorLines(err error) string {
	if err == nil {
		return ""
	}
	lines := strings.Split(fmt.Sprintf("%#v", err), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
