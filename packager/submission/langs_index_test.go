package submission

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

// TestBuiltNarrativesQuoteTheAnnexesWritten: in a build of several
// languages, each narrative (each a generator of its own, handed its own
// copy of the build's digests: assemble's evidenceFor) quotes, beside
// each annex file's path, the SHA-256 of that file as the package holds
// it, in either edition.
func TestBuiltNarrativesQuoteTheAnnexesWritten(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "la-vega"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	langs := []string{"en", "fr"}
	for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
		spec, err := Spec(doc, Options{Edition: ed, Langs: langs, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := assemble.Build(context.Background(), spec, assemble.Options{OutDir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", ed, err)
		}
		twins, err := filepath.Glob(filepath.Join(res.Dir, filepath.FromSlash(annex.Dir), "csv", "*.csv"))
		if err != nil || len(twins) < 3 {
			t.Fatalf("%s: CSV twins %v, %v", ed, twins, err)
		}
		// Each file's path, then its SHA-256, as the index prints them
		// (spaces taken out: pdftotext breaks the lines).
		var quoted []string
		for _, name := range append([]string{filepath.Join(res.Dir, filepath.FromSlash(AnnexPath))}, twins...) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(res.Dir, name)
			sum := sha256.Sum256(b)
			quoted = append(quoted, filepath.ToSlash(rel)+"SHA-256"+hex.EncodeToString(sum[:]))
		}
		for _, l := range langs {
			p := NarrativePathFor(l, true)
			out, err := exec.Command(pdftotext, "-enc", "UTF-8", filepath.Join(res.Dir, p), "-").Output()
			if err != nil {
				t.Fatalf("%s, %s: %v", ed, p, err)
			}
			text := strings.Join(strings.Fields(string(out)), "")
			for _, q := range quoted {
				if !strings.Contains(text, q) {
					t.Errorf("%s, %s: the annex index lacks %s", ed, p, q)
				}
			}
		}
	}
}

// TestNarrativeRefusesAnIndexWithoutDigests: a narrative whose build did
// not hand it the digests of the annex files the workbook wrote (its
// After names another file, made after the workbook) fails, naming the
// first such file, rather than print an annex index without them.
func TestNarrativeRefusesAnIndexWithoutDigests(t *testing.T) {
	doc, _, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "la-vega"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, between := range []string{AnnexPath, CasePath} {
		spec, err := Spec(doc, Options{Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		// between is made after the workbook; the narrative only after it.
		const note = "data/narrative/between.txt"
		at := slices.IndexFunc(spec.Files, func(f assemble.GeneratedFile) bool { return f.Path == AnnexPath }) + 1
		spec.Files = slices.Insert(spec.Files, at, assemble.GeneratedFile{Path: note, After: []string{AnnexPath, between},
			Generate: func(_ context.Context, w io.Writer, _ *assemble.Evidence) error {
				_, err := io.WriteString(w, "made after the workbook\n")
				return err
			}})
		for i := range spec.Files {
			if spec.Files[i].Path == NarrativePath {
				spec.Files[i].After = []string{note, between}
			}
		}
		_, err = assemble.Build(context.Background(), spec, assemble.Options{OutDir: t.TempDir()})
		want := "did not hand on the digests of " + AnnexPath
		if between == AnnexPath {
			if err != nil {
				t.Errorf("After %s too: %v", between, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), NarrativePath) {
			t.Errorf("After %s: %v, want an error naming %s and saying %q", between, err, NarrativePath, want)
		}
	}
}
