package schema_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

// treeParts holds a generic tree as schema.Parts: every top-level list
// apart, each item copied anew when asked for.
type treeParts struct {
	root  map[string]any
	lists map[string][]any
}

func splitTree(tree map[string]any) *treeParts {
	p := &treeParts{root: map[string]any{}, lists: map[string][]any{}}
	for k, v := range tree {
		if l, ok := v.([]any); ok && len(l) > 0 {
			p.lists[k] = l
			continue
		}
		p.root[k] = copyTree(v)
	}
	return p
}

func (p *treeParts) Root() map[string]any { return p.root }

func (p *treeParts) Lists() map[string]int {
	out := map[string]int{}
	for k, l := range p.lists {
		out[k] = len(l)
	}
	return out
}

func (p *treeParts) Item(key string, i int) any { return copyTree(p.lists[key][i]) }

func copyTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = copyTree(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = copyTree(x)
		}
		return l
	}
	return v
}

// pointerForm places a finding at its pointer, as a workbook places it at
// a cell.
type pointerForm struct{}

func (pointerForm) Place(f *finding.Finding, key bool, member string) {
	f.Cell = f.Pointer + "|" + member
	if key {
		f.Cell += "|key"
	}
}

// TestPartsAsWholeTree: a case validated item by item (Document.Parts)
// gives the findings, the typed model and the Canonical bytes of the same
// case validated as one tree — on every invalid fixture, and on a generated
// case with problems in items past the first of each list (checked apart
// from the root), including numbers the model cannot hold.
func TestPartsAsWholeTree(t *testing.T) {
	cases := map[string][]byte{}
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*", "case.json"))
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases[filepath.Base(filepath.Dir(f))] = data
	}
	dir := t.TempDir()
	if _, err := casegen.Generate(casegen.Options{Incidents: 3, Persons: 40, Evidence: 12, Seed: 7, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases["generated"] = gen
	var broken map[string]any
	dec := json.NewDecoder(bytes.NewReader(gen))
	dec.UseNumber()
	if err := dec.Decode(&broken); err != nil {
		t.Fatal(err)
	}
	persons := broken["persons"].([]any)
	persons[3].(map[string]any)["age"] = "twelve"                    // a type, shown with its value
	persons[5].(map[string]any)["nmae"] = "x"                        // unknown
	persons[7].(map[string]any)["age"] = json.Number("30.0")         // whole: held as 30
	persons[9].(map[string]any)["age"] = json.Number("1e30")         // too large to hold
	delete(broken["evidence"].([]any)[2].(map[string]any), "title")  // required
	broken["incidents"].([]any)[1].(map[string]any)["date"] = "soon" // format
	b, err := json.Marshal(broken)
	if err != nil {
		t.Fatal(err)
	}
	cases["generated-broken"] = b
	if len(cases) < 10 {
		t.Fatalf("only %d cases found", len(cases))
	}

	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			whole, fs := schema.Parse("case.json", data)
			if whole.Value == nil {
				t.Skipf("not parsed: %v", fs)
			}
			tree, ok := whole.Value.(map[string]any)
			if !ok {
				t.Skip("not an object")
			}
			parts := splitTree(copyTree(tree).(map[string]any))
			opt := schema.Options{SkipFiles: true}
			a := &schema.Document{Path: "case.xlsx", Value: whole.Value, Form: pointerForm{}}
			fa, err := schema.Validate(context.Background(), a, opt)
			if err != nil {
				t.Fatal(err)
			}
			p := &schema.Document{Path: "case.xlsx", Parts: parts, Form: pointerForm{}}
			fp, err := schema.Validate(context.Background(), p, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fa, fp) {
				t.Errorf("findings differ:\nwhole tree: %v\nparts:      %v", fa, fp)
			}
			if !bytes.Equal(a.Data, p.Data) {
				t.Errorf("Canonical bytes differ")
			}
			if !reflect.DeepEqual(a.Case, p.Case) {
				t.Errorf("typed models differ")
			}
			if p.Value != nil || p.Parts != nil {
				t.Errorf("Validate kept the tree: Value %T, Parts %T", p.Value, p.Parts)
			}
			if name == "generated-broken" {
				for _, ptr := range []string{"/persons/3/age", "/persons/9/age", "/evidence/2", "/incidents/1/date"} {
					found := false
					for _, f := range fp {
						found = found || f.Pointer == ptr
					}
					if !found {
						t.Errorf("no finding at %s: %v", ptr, fp)
					}
				}
			}
		})
	}
}
