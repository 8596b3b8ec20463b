package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestInvalidFixtures walks testdata/invalid/<CODE>_<what>/: each case must
// raise the code its folder is named after, at the pointer and line that
// want.json gives (computed independently by mkfixtures.py).
func TestInvalidFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/invalid/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	covered := map[finding.Code]bool{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			var want struct {
				Code    finding.Code `json:"code"`
				Pointer string       `json:"pointer"`
				Line    int          `json:"line"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "want.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if code, _, _ := strings.Cut(name, "_"); finding.Code(code) != want.Code {
				t.Fatalf("folder name says %s, want.json says %s", code, want.Code)
			}
			covered[want.Code] = true
			// The checklist's warnings are what validate adds to the rules.
			opt := Options{Checklist: strings.HasPrefix(name, "CP-CHECK-")}
			_, findings, err := LoadAndValidate(context.Background(), dir, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if f.Code == want.Code && f.Pointer == want.Pointer && f.Line == want.Line {
					if f.Message == "" || f.File == "" || f.Column < 1 {
						t.Errorf("finding lacks message, file or column: %+v", f)
					}
					if f.Severity != finding.SeverityOf(f.Code) {
						t.Errorf("severity %s, table says %s", f.Severity, finding.SeverityOf(f.Code))
					}
					return
				}
			}
			t.Errorf("no %s at %s line %d; got:", want.Code, want.Pointer, want.Line)
			for _, f := range findings {
				t.Logf("  %s", f)
			}
		})
	}
	// Every code in the table has a fixture, except the schema fallback that
	// the shipped schema cannot reach, CP-JSON-TOOBIG (TestTooBig) and the
	// codes raised with the narrative's fonts (packager/narrative's
	// TestValidateReportsUnprintableText).
	for _, c := range finding.Table {
		// The codes of the YAML and workbook forms have their fixtures in
		// schema/caseform.
		form := strings.HasPrefix(string(c.Code), "CP-YAML-") || strings.HasPrefix(string(c.Code), "CP-XLSX-")
		if c.Scope == finding.Case && !form && !covered[c.Code] && c.Code != finding.SchemaOther && c.Code != finding.JSONTooBig &&
			c.Code != finding.TextGlyph && c.Code != finding.TextRTL {
			t.Errorf("no fixture for %s", c.Code)
		}
	}
}

func TestValidFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/valid/*")
	if len(dirs) == 0 {
		t.Fatal("no valid fixtures")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, findings, err := LoadAndValidate(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				t.Errorf("unexpected finding: %s", f)
			}
		})
	}
}

// TestSchemaIsValid2020 checks case.schema.json against the draft 2020-12
// meta-schema, and that it documents every property.
func TestSchemaIsValid2020(t *testing.T) {
	c := jsonschema.NewCompiler()
	meta, err := c.Compile("https://json-schema.org/draft/2020-12/schema")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := meta.Validate(doc); err != nil {
		t.Fatalf("schema is not valid draft 2020-12: %v", err)
	}
	m := doc.(map[string]any)
	if m["$schema"] != "https://json-schema.org/draft/2020-12/schema" || m["$id"] != ID {
		t.Errorf("$schema/$id: %v %v", m["$schema"], m["$id"])
	}
	// additionalProperties:false on every object, a description on every property.
	var walk func(ptr string, s any)
	objects := 0
	walk = func(ptr string, s any) {
		switch s := s.(type) {
		case map[string]any:
			if s["type"] == "object" {
				objects++
				if s["additionalProperties"] != false {
					t.Errorf("%s: object without additionalProperties: false", ptr)
				}
			}
			if props, ok := s["properties"].(map[string]any); ok {
				for name, p := range props {
					pm := p.(map[string]any)
					if _, ok := pm["description"]; !ok {
						if ref, ok := pm["$ref"].(string); !ok || schemaDescription(ID+ref) == "" {
							t.Errorf("%s/properties/%s: no description", ptr, name)
						}
					}
				}
			}
			for k, v := range s {
				walk(ptr+"/"+k, v)
			}
		case []any:
			for _, v := range s {
				walk(ptr, v)
			}
		}
	}
	walk("#", doc)
	if objects < 20 {
		t.Errorf("only %d object schemas found; the walk is broken", objects)
	}
}

func TestTooBig(t *testing.T) {
	defer func(n int) { maxCaseSize = n }(maxCaseSize)
	maxCaseSize = 100
	doc, fs := Parse("case.json", bytes.Repeat([]byte(" "), 101))
	if len(fs) != 1 || fs[0].Code != finding.JSONTooBig || doc.Value != nil {
		t.Fatalf("got %v", fs)
	}
	// From a folder, the file is refused by its size, before it is read.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.json"), bytes.Repeat([]byte(" "), 101), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, fs, err := LoadAndValidate(context.Background(), dir, Options{})
	if err != nil || len(fs) != 1 || fs[0].Code != finding.JSONTooBig || doc.Data != nil || fs[0].Line != 1 {
		t.Fatalf("got %v, %v", fs, err)
	}
}

// TestAllAtOnce: a case with several unrelated problems reports each of
// them, sorted by position, in one run.
func TestAllAtOnce(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = strings.Replace(s, `"EV-0001"
      ]`, `"EV-0009"
      ]`, 1) // dangling reference in incidents
	s = strings.Replace(s, `"age": 24`, `"age": 17`, 1)
	s = strings.Replace(s, `"evidence/transcript.txt"`, `"../transcript.txt"`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case.json"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, fs, err := LoadAndValidate(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []finding.Code{finding.RefDangling, finding.MinorAge, finding.PathUnsafe}
	got := map[finding.Code]bool{}
	for i, f := range fs {
		got[f.Code] = true
		if i > 0 && fs[i-1].Line > f.Line {
			t.Errorf("findings not sorted by line: %d after %d", f.Line, fs[i-1].Line)
		}
	}
	for _, c := range want {
		if !got[c] {
			t.Errorf("missing %s in %v", c, fs)
		}
	}
}

func TestCheckPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		code finding.Code
	}{
		{"evidence/a.mp4", ""},
		{"evidence/Gimnasio Vertical – vídeo.mp4", ""},
		{"../a", finding.PathUnsafe},
		{"a/../../b", finding.PathUnsafe},
		{"/etc/passwd", finding.PathUnsafe},
		{`C:\x`, finding.PathUnsafe},
		{"C:x", finding.PathUnsafe},
		{`evidence\a.mp4`, finding.PathUnsafe},
		{"~/a", finding.PathUnsafe},
		{"", finding.PathUnsafe},
		{"a//b", finding.PathNonportable},
		{"a/./b", finding.PathNonportable},
		{"evidence/nul.txt", finding.PathNonportable},
		{"evidence/COM1", finding.PathNonportable},
		{"evidence/com².mp4", finding.PathNonportable},
		{"evidence/CONIN$", finding.PathNonportable},
		{"evidence/COM10.txt", ""},
		{"evidence/a?.mp4", finding.PathNonportable},
		{"evidence/a.", finding.PathNonportable},
		{"evidence/a ", finding.PathNonportable},
		{"evidence/a\tb", finding.PathNonportable},
		{"evidence/" + strings.Repeat("x", 256), finding.PathNonportable},
	} {
		code, err := CheckPath(tc.path)
		if code != tc.code || (code == "") != (err == nil) {
			t.Errorf("CheckPath(%q) = %q, %v; want %q", tc.path, code, err, tc.code)
		}
	}
}

func TestWhenRange(t *testing.T) {
	for _, tc := range []struct {
		in   When
		prec Precision
		bad  bool
	}{
		{"2021", PrecisionYear, false},
		{"2021-01", PrecisionMonth, false},
		{"2021-01-08", PrecisionDay, false},
		{"2021-01-08T07:30-04:00", PrecisionMoment, false},
		{"2021-01-08T07:30:15.5Z", PrecisionMoment, false},
		{"2021-02-30", "", true},
		{"2021-13", "", true},
		{"2021-01-08T25:00:00Z", "", true},
		{"08/01/2021", "", true},
	} {
		lo, hi, p, err := tc.in.Range()
		if (err != nil) != tc.bad || p != tc.prec || (err == nil && hi.Before(lo)) {
			t.Errorf("%q: %v %v %v %v", tc.in, lo, hi, p, err)
		}
	}
	// A day contains every moment of that day in any time zone.
	dlo, dhi, dp, _ := When("2021-01-08").Range()
	dlo, dhi = Widen(dlo, dhi, dp)
	m, _, _, _ := When("2021-01-08T23:30:00-04:00").Range()
	if m.Before(dlo) || m.After(dhi) {
		t.Errorf("moment %v outside day %v..%v", m, dlo, dhi)
	}
}

// TestSplitMatchesWhole: validating the collections item by item, in
// parallel, gives exactly the findings of one pass over the whole document.
func TestSplitMatchesWhole(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/minimal/case.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	ev := m["evidence"].([]any)[0].(map[string]any)
	bad := func(i int) map[string]any {
		c := map[string]any{}
		for k, v := range ev {
			c[k] = v
		}
		c["id"] = fmt.Sprintf("EV-%d", i) // pattern
		c["type"] = "rumour"              // enum
		c["extra"] = i                    // unknown field
		return c
	}
	m["evidence"] = []any{bad(1), ev, bad(3), bad(4)}
	p := m["persons"].([]any)
	m["persons"] = append(p, map[string]any{"id": "V-02", "roles": []any{}}, map[string]any{"id": "X"})
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	doc, fs := Parse("case.json", data)
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	split := vctx{doc: doc}
	if err := split.schema(context.Background()); err != nil {
		t.Fatal(err)
	}
	whole := vctx{doc: doc}
	sch, _ := Compiled()
	if err := whole.collect(sch.Validate(doc.Value), nil, doc.Value); err != nil {
		t.Fatal(err)
	}
	key := func(v vctx) []string {
		var out []string
		for _, f := range v.out {
			out = append(out, string(f.Code)+" "+f.Pointer+" "+f.Message)
		}
		sort.Strings(out)
		return out
	}
	a, w := key(split), key(whole)
	if len(a) < 10 || strings.Join(a, "\n") != strings.Join(w, "\n") {
		t.Errorf("split:\n%s\nwhole:\n%s", strings.Join(a, "\n"), strings.Join(w, "\n"))
	}
}

func TestFastPatterns(t *testing.T) {
	inputs := []string{"", "a", "a\nb", "a\r", "\n", "Guzmán Blanco", strings.Repeat("a", 64), strings.Repeat("f", 64),
		strings.Repeat("A", 64), strings.Repeat("0", 63), strings.Repeat("0", 65), strings.Repeat("0", 63) + "g", strings.Repeat("0", 63) + "\n"}
	for _, src := range []string{patternLine, patternSHA256} {
		fast, err := compilePattern(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := fast.(fastPattern); !ok {
			t.Fatalf("%s: no fast path", src)
		}
		re := regexp.MustCompile(src)
		for _, in := range inputs {
			if fast.MatchString(in) != re.MatchString(in) {
				t.Errorf("%s on %q: fast %v, regexp %v", src, in, fast.MatchString(in), re.MatchString(in))
			}
		}
	}
	// The schema uses them, or the fast path is dead code.
	for _, src := range []string{patternLine, patternSHA256} {
		js, _ := json.Marshal(src)
		if !bytes.Contains(JSON, js) {
			t.Errorf("the schema no longer uses %s", src)
		}
	}
}

// TestUnreadableEvidence: a file that cannot be read while hashing is one
// more finding, located at its path, not an error that hides the others.
// (The file vanishes between the checks and the hashing here: as root,
// which CI is, a mode-000 file is still readable.)
func TestUnreadableEvidence(t *testing.T) {
	doc, _ := Parse("case.json", []byte(`{"evidence": [{"files": [{"path": "evidence/gone.mp4"}]}]}`))
	v := vctx{doc: doc}
	jobs := []hashJob{{ptr: "/evidence/0/files/0/sha256", abs: filepath.Join(t.TempDir(), "gone.mp4"), rel: "evidence/gone.mp4", want: strings.Repeat("0", 64), evID: "EV-0001"}}
	if err := v.hashAll(context.Background(), jobs, 1); err != nil {
		t.Fatalf("validation stopped: %v", err)
	}
	if len(v.out) != 1 || v.out[0].Code != finding.FileMissing || v.out[0].Pointer != "/evidence/0/files/0/path" ||
		v.out[0].Message != `evidence file "evidence/gone.mp4" cannot be read: no such file or directory` {
		t.Errorf("findings %+v", v.out)
	}
}
