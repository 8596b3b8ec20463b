package submission

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"golang.org/x/text/unicode/norm"
)

// leakCase writes a small case with a protected name into a fresh folder:
// summary is the analysis summary, files maps evidence file names to their
// content and classification.
func leakCase(t *testing.T, summary string, files []leakFile) string {
	t.Helper()
	dir := t.TempDir()
	var evs []map[string]any
	for i, f := range files {
		p := filepath.Join(dir, "evidence", f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, map[string]any{"id": "EV-000" + string(rune('1'+i)), "title": "Item", "type": "document",
			"classification": f.class, "files": []map[string]any{{"path": "evidence/" + f.name, "role": "original"}}})
	}
	c := map[string]any{
		"schema_version": "1.0",
		"submission": map[string]any{"id": "LEAK-001", "title": "Leak test", "kind": "art15_communication", "date": "2021-02-18",
			"version": "1", "classification": "confidential", "languages": []string{"en"},
			"sender":    map[string]any{"organisation": "Sample Org", "contact_person": "Sample Contact", "email": "c@example.org"},
			"recipient": map[string]any{"body": "Office of the Prosecutor", "situation_code": "ICC-02/18", "situation_name": "Venezuela I"}},
		"analysis":  map[string]any{"summary": summary},
		"incidents": []map[string]any{{"id": "INC-01", "title": "Operation", "start": "2021-01-08", "location": map[string]any{"country": "VE"}, "description": "A police operation.", "victim_ids": []string{"V-01"}}},
		"persons": []map[string]any{{"id": "V-01", "pseudonym": "Victim 01", "roles": []string{"victim"},
			"protected": map[string]any{"full_name": "María Fernanda Quintero"}}},
		"evidence": evs,
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "case.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type leakFile struct{ name, body, class string }

// buildPublic builds the public edition of the case in dir into a fresh
// folder and returns that folder and the build's error.
func buildPublic(t *testing.T, dir string) (string, error) {
	t.Helper()
	doc, findings, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(findings); n > 0 {
		t.Fatalf("invalid test case: %v", findings)
	}
	spec, err := Spec(doc, Options{Edition: edition.Public, Date: time.Date(2021, 2, 18, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err = assemble.Build(context.Background(), spec, assemble.Options{OutDir: out})
	return out, err
}

// TestPublicLeakVariants: a protected name written with other whitespace,
// case, accents or Unicode forms, in a text evidence file or as a file name,
// stops the public build (nothing left behind) with the file and field named.
func TestPublicLeakVariants(t *testing.T) {
	public := leakFile{"statement.txt", "A public statement.\n", "public"}
	for _, tc := range []struct {
		name    string
		summary string
		files   []leakFile
		file    string // the package file named; "" = the build succeeds
		where   string
	}{
		{"clean", "Victim 01 was killed [EV-0001].", []leakFile{public}, "", ""},
		{"two spaces", "María  Fernanda Quintero was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"tab", "María\tFernanda Quintero was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"newline", "María\nFernanda Quintero was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"no-break space", "María\u00a0Fernanda Quintero was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"case", "MARÍA FERNANDA QUINTERO was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"accents dropped", "Maria Fernanda Quintero was killed [EV-0001].", []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"NFD", norm.NFD.String("María Fernanda Quintero was killed [EV-0001]."), []leakFile{public}, "data/case/case.json", "/analysis/summary"},
		{"in a public text evidence file", "Victim 01 was killed [EV-0001].",
			[]leakFile{{"statement.txt", "Signed:\nMaria Fernanda\nQuintero\n", "public"}}, "data/evidence/EV-0001/statement.txt", "line 2"},
		{"as the name of a public file", "Victim 01 was killed [EV-0001].",
			[]leakFile{{"maria-fernanda-quintero.png", "\x89PNG\r\n\x1a\n", "public"}}, "data/case/case.json", "/evidence/0/files/0/path"},
		{"as the name of a withheld file: renamed, no leak", "Victim 01 was killed [EV-0001] [EV-0002].",
			[]leakFile{public, {"maria-fernanda-quintero-statement.png", "\x89PNG\r\n\x1a\n", "confidential"}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := buildPublic(t, leakCase(t, tc.summary, tc.files))
			if tc.file == "" {
				if err != nil {
					t.Fatal(err)
				}
				// Nothing in the package names her: file names, manifests,
				// case data, annexes.
				l := edition.NewLeakCheck(&schema.Case{Persons: []schema.Person{{ID: "V-01", Protected: &schema.Protected{FullName: "María Fernanda Quintero"}}}})
				if err := l.Package(context.Background(), filepath.Join(out, "LEAK-001_public"), "LEAK-001_public", func(string) bool { return true }); err != nil {
					t.Errorf("the built package: %v", err)
				}
				return
			}
			var le *edition.LeakError
			if !errors.As(err, &le) || le.File != tc.file || le.Location != tc.where || le.Person != "V-01" || le.Field != "full name" {
				t.Fatalf("got %v, want a leak in %s (%s)", err, tc.file, tc.where)
			}
			left, _ := os.ReadDir(out)
			if len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func TestIsText(t *testing.T) {
	for mt, want := range map[string]bool{"text/plain": true, "text/markdown; charset=utf-8": true, "application/json": true,
		"application/ld+json": true, "image/svg+xml": true, "application/pdf": false, "image/png": false, "": false} {
		if isText(mt) != want {
			t.Errorf("isText(%q) = %v", mt, !want)
		}
	}
}
