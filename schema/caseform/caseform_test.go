package caseform

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	mk := func(names ...string) string {
		d, err := os.MkdirTemp(dir, "case")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(d, n), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	tests := []struct {
		name  string
		files []string
		form  Form
		file  string
		two   []string
	}{
		{"json", []string{"case.json"}, JSON, "case.json", nil},
		{"yaml", []string{"case.yaml", "notes.txt"}, YAML, "case.yaml", nil},
		{"yml", []string{"case.yml"}, YAML, "case.yml", nil},
		{"xlsx", []string{"case.xlsx"}, XLSX, "case.xlsx", nil},
		{"two", []string{"case.json", "case.xlsx"}, "", "", []string{"case.json", "case.xlsx"}},
		{"three", []string{"case.json", "case.yml", "case.xlsx"}, "", "", []string{"case.json", "case.yml", "case.xlsx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mk(tt.files...)
			file, form, err := Find(d)
			if tt.two != nil {
				var two *TwoFilesError
				if !errors.As(err, &two) {
					t.Fatalf("err = %v, want *TwoFilesError", err)
				}
				if JoinAnd(two.Files) != JoinAnd(tt.two) || two.Dir != d {
					t.Errorf("names %v in %s, want %v", two.Files, two.Dir, tt.two)
				}
				if msg := err.Error(); !bytes.Contains([]byte(msg), []byte(JoinAnd(tt.two))) {
					t.Errorf("message %q does not name both files", msg)
				}
				return
			}
			if err != nil || form != tt.form || file != filepath.Join(d, tt.file) {
				t.Errorf("Find = %s, %s, %v; want %s, %s", file, form, err, tt.file, tt.form)
			}
			// Naming the file itself always works.
			if f2, form2, err := Find(file); err != nil || f2 != file || form2 != tt.form {
				t.Errorf("Find(file) = %s, %s, %v", f2, form2, err)
			}
		})
	}
	if _, _, err := Find(mk()); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("empty folder: %v, want ErrNotFound", err)
	}
	if _, _, err := Find(filepath.Join(dir, "nothing")); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("missing path: %v, want ErrNotFound", err)
	}
	var unknown *UnknownFormError
	if _, _, err := Find(filepath.Join(mk("case.txt"), "case.txt")); !errors.As(err, &unknown) {
		t.Errorf("case.txt: %v, want *UnknownFormError", err)
	}
}

// sample copies a bundled sample case folder into a temporary folder.
func sample(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "..", "samples", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestRoundTripSamples: JSON → workbook → YAML → JSON gives back the
// sample's bytes, and every form validates alike.
func TestRoundTripSamples(t *testing.T) {
	for _, name := range []string{"la-vega", "minimal"} {
		t.Run(name, func(t *testing.T) {
			dir := sample(t, name)
			orig, err := os.ReadFile(filepath.Join(dir, "case.json"))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			_, want, err := LoadAndValidate(ctx, dir, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(dir, "case.json")
			for _, step := range []string{"case.xlsx", "case.yaml", "case.json"} {
				dst := filepath.Join(t.TempDir(), step)
				if _, err := Convert(ctx, src, dst, ConvertOptions{}); err != nil {
					t.Fatalf("%s → %s: %v", src, step, err)
				}
				// Validate the form inside the case folder, beside the evidence.
				inPlace := filepath.Join(dir, "in-place-"+step)
				data, _ := os.ReadFile(dst)
				if err := os.WriteFile(inPlace, data, 0o644); err != nil {
					t.Fatal(err)
				}
				doc, got, err := LoadAndValidate(ctx, inPlace, schema.Options{})
				if err != nil {
					t.Fatal(err)
				}
				os.Remove(inPlace)
				if codes(got) != codes(want) {
					t.Errorf("%s: findings %s, JSON gave %s", step, codes(got), codes(want))
				}
				if !bytes.Equal(doc.Data, orig) {
					t.Errorf("%s: the case it carries into a package differs from the sample's case.json", step)
				}
				src = dst
			}
			final, _ := os.ReadFile(src)
			if !bytes.Equal(final, orig) {
				t.Errorf("JSON → XLSX → YAML → JSON changed the bytes")
			}
		})
	}
}

func codes(fs []finding.Finding) string {
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteString(string(f.Code) + " " + f.Pointer + " " + f.Hint + "\n")
	}
	return b.String()
}
