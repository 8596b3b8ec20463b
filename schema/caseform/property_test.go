package caseform

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/shape"
)

// Texts that a form could change: other scripts and writing directions,
// combining marks and emoji sequences, Markdown, line breaks of every kind,
// spreadsheet formulas, and words YAML or a spreadsheet would read as
// something else.
var awkward = []string{
	"Víctima número 3 — «Calle 1 de Mayo»", "Свидетель — Ψ ß ø", "شاهد عيان", "e\u0301 combining", "👩🏽‍⚖️ 🇻🇪", "证据 与 证人",
	"**bold** and *italic*\n\n- one\n- two\n\n> a quote [EV-0001]", "line 1\nline 2\n", "windows\r\nline", "  indented\n\ttab",
	"=SUM(A1:A2)", "+58 412 000 0000", "@handle", "-1", "TRUE", "no", "1e3", "007", "2021-01-08", "12:30", "null", "~",
	"a: b # c", "[x] {y} *z &w !v |u >t %s `r`", "trailing space ", "\"quoted\" 'single'", "_x0041_ stays", "x",
}

// printable are the awkward texts the narrative PDF can print (its fonts
// have no Han, it cannot lay out right-to-left text yet and it refuses
// characters beyond U+FFFF, such as emoji; and bag-info.txt refuses a
// contact name with spaces around it, which validation lets through): the
// cases that are built into packages use only these.
func printable() []string {
	var out []string
	for _, s := range awkward {
		if !strings.ContainsAny(s, "证👩ش") && strings.TrimSpace(s) == s {
			out = append(out, s)
		}
	}
	return out
}

// mutate changes a generated case's free texts (not IDs, dates or codes)
// to texts from pool and drops optional fields, guided by the schema, so
// the case keeps its shape.
func mutate(r *rand.Rand, v any, f *shape.Field, pool []string) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := f.Prop(k)
			if p == nil {
				continue
			}
			if !p.Required && k != "id" && r.IntN(6) == 0 && !shape.IsReference(p) && p.Kind != shape.Object {
				delete(x, k)
				continue
			}
			x[k] = mutate(r, x[k], p, pool)
		}
		return x
	case []any:
		for i := range x {
			x[i] = mutate(r, x[i], f.Items, pool)
		}
		return x
	case string:
		if f == nil || f.Name == "path" || len(f.Enum) > 0 || f.Format != "" || (f.Pattern != "" && f.Def != "line") || r.IntN(3) > 0 {
			return x
		}
		s := pool[r.IntN(len(pool))]
		if f.Def == "line" {
			s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
		}
		return s
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestPropertyRoundTrip: generated cases (internal/casegen) with awkward
// texts and dropped optional fields go JSON → workbook → YAML → JSON; at
// every step the typed case, the validation result and the case a package
// carries are the same, and for the first seeds the packages built from
// the three forms are byte-identical.
func TestPropertyRoundTrip(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	ctx := context.Background()
	for seed := 0; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "case")
			if _, err := casegen.Generate(casegen.Options{Incidents: 2, Persons: 12, Evidence: 4, Seed: int64(seed), Dir: dir}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "case.json"))
			if err != nil {
				t.Fatal(err)
			}
			doc, fs := schema.Parse("case.json", data)
			if len(fs) > 0 {
				t.Fatal(fs)
			}
			build := seed <= 2 // packages are built from the first cases
			tree := doc.Value
			if seed > 0 { // seed 0 is the generated case as it is
				pool := awkward
				if build {
					pool = printable()
				}
				tree = mutate(rand.New(rand.NewPCG(uint64(seed), 7)), doc.Value, shape.Root(), pool)
			}
			var b bytes.Buffer
			if err := writeTree(&b, tree, shape.Root(), ""); err != nil {
				t.Fatal(err)
			}
			b.WriteByte('\n')
			if err := os.WriteFile(filepath.Join(dir, "case.json"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ref, want, err := LoadAndValidate(ctx, dir, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantCase, _ := schema.Canonical(ref.Case)
			var packages []map[string][]byte
			if build {
				packages = append(packages, buildZip(t, ref))
			}
			src := filepath.Join(dir, "case.json")
			for _, step := range []string{"case.xlsx", "case.yaml", "case.json"} {
				dst := filepath.Join(t.TempDir(), step)
				if _, err := Convert(ctx, src, dst, ConvertOptions{}); err != nil {
					t.Fatalf("→ %s: %v", step, err)
				}
				form := filepath.Join(dir, step)
				os.Rename(filepath.Join(dir, "case.json"), filepath.Join(dir, "was.json"))
				copyTo(t, dst, form)
				got, fs, err := LoadAndValidate(ctx, dir, schema.Options{})
				if err != nil {
					t.Fatal(err)
				}
				gotCase, _ := schema.Canonical(got.Case)
				if !bytes.Equal(gotCase, wantCase) {
					t.Errorf("%s: the typed case differs", step)
				}
				if !bytes.Equal(got.Data, wantCase) {
					t.Errorf("%s: the case a package would carry differs", step)
				}
				if a, b := findingSet(fs), findingSet(want); a != b {
					t.Errorf("%s: validation differs:\n%s\nwant:\n%s", step, a, b)
				}
				if build && step != "case.json" {
					packages = append(packages, buildZip(t, got))
				}
				os.Remove(form)
				os.Rename(filepath.Join(dir, "was.json"), filepath.Join(dir, "case.json"))
				src = dst
			}
			final, _ := os.ReadFile(src)
			if !bytes.Equal(final, wantCase) {
				t.Errorf("JSON → XLSX → YAML → JSON does not end in the case's canonical bytes")
			}
			// Every file of the package but the narrative PDF (and the
			// manifests that hold its digest): its font subsets follow map
			// order in the PDF library, so two builds of some texts differ
			// whatever the form. The La Vega sample's packages are compared
			// whole (cmd/casepack/testdata/script/convert.txtar).
			only := []string{"data/case/", "data/annexes/", "data/evidence/", "casepack/manifest.json", "VERIFY.txt", "bagit.txt"}
			for i := 1; i < len(packages); i++ {
				if !sameFiles(packages[i], packages[0], only) {
					t.Errorf("the package built from form %d differs from the one built from JSON", i)
				}
			}
		})
	}
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// findingSet is what validation said, without where (which depends on the
// form).
func findingSet(fs []finding.Finding) string {
	var lines []string
	for _, f := range fs {
		lines = append(lines, fmt.Sprintf("%s %s %s: %s | %s", f.Severity, f.Code, f.Pointer, f.Message, f.Hint))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// sameFiles compares two packages file by file (only those whose path
// starts with one of only, when given).
func sameFiles(a, b map[string][]byte, only []string) bool {
	keep := func(p string) bool {
		if only == nil {
			return true
		}
		for _, o := range only {
			if strings.HasPrefix(p[strings.IndexByte(p, '/')+1:], o) {
				return true
			}
		}
		return false
	}
	n := 0
	for p, data := range a {
		if !keep(p) {
			continue
		}
		n++
		if !bytes.Equal(data, b[p]) {
			return false
		}
	}
	for p := range b {
		if keep(p) {
			n--
		}
	}
	return n == 0
}

// buildZip builds the confidential package of a valid case and returns the
// files of its ZIP (and the ZIP itself, as "").
func buildZip(t *testing.T, doc *schema.Document) map[string][]byte {
	t.Helper()
	spec, err := submission.Spec(doc, submission.Options{Date: time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := assemble.Build(context.Background(), spec, assemble.Options{OutDir: out, Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.Zip)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"": data}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}
