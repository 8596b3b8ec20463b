package submission

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/packager/finding"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/schema"
)

func loadLaVega(t *testing.T) *schema.Document {
	t.Helper()
	doc, fs, err := schema.LoadAndValidate(context.Background(), filepath.Join("..", "..", "samples", "la-vega"), schema.Options{SkipHashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := finding.Count(fs); n != 0 {
		t.Fatalf("sample invalid: %v", fs)
	}
	return doc
}

func TestSpecEditions(t *testing.T) {
	doc := loadLaVega(t)
	files := 0
	public := 0
	for _, e := range doc.Case.Evidence {
		files += len(e.Files)
		if e.Classification == "public" {
			public += len(e.Files)
		}
	}
	for _, tc := range []struct {
		edition  edition.Edition
		withheld int
	}{{edition.Confidential, 0}, {edition.Public, files - public}} {
		t.Run(string(tc.edition), func(t *testing.T) {
			spec, err := Spec(doc, Options{Edition: tc.edition})
			if err != nil {
				t.Fatal(err)
			}
			if spec.Name != "OCDH-2021-LV-001_"+string(tc.edition) {
				t.Errorf("name %q", spec.Name)
			}
			if len(spec.Evidence) != files {
				t.Errorf("%d evidence files, want %d (withheld ones are hashed too)", len(spec.Evidence), files)
			}
			withheld := 0
			for _, e := range spec.Evidence {
				if e.Withhold {
					withheld++
				}
				if !strings.HasPrefix(e.Dst, "data/evidence/"+e.ID+"/") {
					t.Errorf("%s lands at %s", e.ID, e.Dst)
				}
			}
			if withheld != tc.withheld {
				t.Errorf("%d withheld, want %d", withheld, tc.withheld)
			}
			info := map[string]string{}
			for _, f := range spec.BagInfo {
				info[f.Label] = f.Value
			}
			if info["Bag-Group-Identifier"] != "OCDH-2021-LV-001" || info["Casepack-Edition"] != string(tc.edition) || info["Casepack-Schema"] != schema.ID {
				t.Errorf("bag-info %v", info)
			}
			if !strings.Contains(spec.VerifyText, "openssl") {
				t.Error("VERIFY.txt text lacks the commands for later signatures")
			}
		})
	}
	if _, err := Spec(doc, Options{Edition: "secret"}); !errors.Is(err, edition.ErrUnknown) {
		t.Errorf("edition secret: %v", err)
	}
}

func TestMismatchFindings(t *testing.T) {
	doc := loadLaVega(t)
	e := doc.Case.Evidence[2]
	src := filepath.Join(doc.Dir, filepath.FromSlash(e.Files[0].Path))
	err := errors.Join(&evidence.DigestMismatch{ID: e.ID, Path: src, Want: strings.Repeat("a", 64), Got: strings.Repeat("b", 64)}, errors.New("other"))
	fs := MismatchFindings(doc, err)
	if len(fs) != 1 || fs[0].Code != finding.HashMismatch || fs[0].Pointer != "/evidence/2/files/0/sha256" || fs[0].Line < 2 {
		t.Fatalf("findings %+v", fs)
	}
	if !strings.Contains(fs[0].Message, e.Files[0].Path) {
		t.Errorf("message does not name the file: %s", fs[0].Message)
	}
	if MismatchFindings(doc, errors.New("disk full")) != nil {
		t.Error("a non-mismatch error gave findings")
	}
}

func TestMediaType(t *testing.T) {
	for in, want := range map[string]string{
		"a.MP4": "video/mp4", "b.jpeg": "image/jpeg", "c.pdf": "application/pdf", "d.unknown": "application/octet-stream", "e": "application/octet-stream",
	} {
		if got := MediaType(schema.File{Path: "evidence/" + in}); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
	if got := MediaType(schema.File{Path: "x.bin", MediaType: "video/webm"}); got != "video/webm" {
		t.Errorf("declared media type ignored: %s", got)
	}
}

// generate runs the generated file at path of spec, with the digests of the
// evidence as declared in the case.
func generate(t *testing.T, spec assemble.Spec, path string) []byte {
	t.Helper()
	for _, f := range spec.Files {
		if f.Path != path && !slices.Contains(f.Also, path) {
			continue
		}
		b := newMemFiles()
		if err := f.Generate(context.Background(), b, nil); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if f.Path != path {
			return b.also[path].Bytes()
		}
		return b.Bytes()
	}
	t.Fatalf("no generated file %s", path)
	return nil
}

// memFiles is an assemble.AlsoWriter into memory: a generated file's own
// bytes, and each file its Generate creates beside them.
type memFiles struct {
	bytes.Buffer
	also map[string]*bytes.Buffer
}

func newMemFiles() *memFiles { return &memFiles{also: map[string]*bytes.Buffer{}} }

func (m *memFiles) CreateAlso(rel string) (io.WriteCloser, error) {
	if m.also[rel] != nil {
		return nil, fmt.Errorf("%s created twice", rel)
	}
	m.also[rel] = &bytes.Buffer{}
	return nopCloser{m.also[rel]}, nil
}

// sections lists the bookmarks (the numbered section titles) of a
// narrative PDF as qpdf reads them.
func sections(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin := testtool.Need(t, "qpdf")
	p := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--json", "--json-key=outlines", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	type outline struct {
		Title string    `json:"title"`
		Kids  []outline `json:"kids"`
	}
	var doc struct{ Outlines []outline }
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var titles []string
	var walk func([]outline)
	walk = func(os []outline) {
		for _, o := range os {
			titles = append(titles, o.Title)
			walk(o.Kids)
		}
	}
	walk(doc.Outlines)
	return titles
}

// TestPublicNarrativeKeepsSections: the public edition is redacted once, by
// packager/edition, whoever renders it; a person at risk stays listed (by
// pseudonym), so the public narrative has the confidential one's sections.
func TestPublicNarrativeKeepsSections(t *testing.T) {
	doc := loadLaVega(t)
	var got [2][]string
	for i, e := range []edition.Edition{edition.Confidential, edition.Public} {
		spec, err := Spec(doc, Options{Edition: e, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		got[i] = sections(t, generate(t, spec, NarrativePath))
	}
	if len(got[0]) < 10 {
		t.Fatalf("too few sections read from the confidential narrative: %q", got[0])
	}
	if strings.Join(got[0], "\n") != strings.Join(got[1], "\n") {
		t.Errorf("sections differ:\nconfidential %q\npublic       %q", got[0], got[1])
	}
}

// TestPublicAnnexesAgree: casepack annexes --edition public (the annexes
// written from the original case) shows what the public package holds.
func TestPublicAnnexesAgree(t *testing.T) {
	doc := loadLaVega(t)
	date := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	spec, err := Spec(doc, Options{Edition: edition.Public, Date: date})
	if err != nil {
		t.Fatal(err)
	}
	files, err := annex.DraftFiles(context.Background(), doc.Dir, doc.Case, edition.Public)
	if err != nil {
		t.Fatal(err)
	}
	var results []evidence.Result
	for _, f := range files {
		r := evidence.Result{ID: f.ID, Dst: f.Path, Size: f.Size, Withheld: f.Withheld}
		if _, err := hex.Decode(r.Sum256[:], []byte(f.SHA256)); err != nil {
			t.Fatal(err)
		}
		if _, err := hex.Decode(r.Sum512[:], []byte(f.SHA512)); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	ev := assemble.NewEvidence(results)
	csvs := map[string]*bytes.Buffer{}
	log, err := NarrativeRedactions(doc, Options{Edition: edition.Public, Date: date})
	if err != nil || len(log) == 0 {
		t.Fatalf("narrative redactions: %d, %v", len(log), err)
	}
	err = annex.Write(context.Background(), doc.Case, files, annex.Options{Edition: edition.Public, Date: date, Redactions: log}, io.Discard,
		func(name string) (io.WriteCloser, error) {
			csvs[name] = &bytes.Buffer{}
			return nopCloser{csvs[name]}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	workbook := newMemFiles()
	for _, f := range spec.Files {
		if f.Path == AnnexPath {
			if err := f.Generate(context.Background(), workbook, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range annex.CSVNames() {
		if name == "about.csv" {
			continue // names the digest of the case.json beside it
		}
		p := annex.Dir + "/csv/" + name
		if !bytes.Equal(workbook.also[p].Bytes(), csvs[name].Bytes()) {
			t.Errorf("%s: the build's public annex differs from casepack annexes --edition public", name)
		}
	}
}

// TestCaseDataStreamed: the confidential edition's case data is written as
// it is encoded, in pieces, never held whole (it was the build's first
// peak of live memory: 5.3 MB for 20,000 photos), and its bytes are still
// the case's one Canonical form; the annexes quote the digest of those
// bytes.
func TestCaseDataStreamed(t *testing.T) {
	c, err := casegen.Generate(casegen.Options{Incidents: 3, Persons: 100, Evidence: 3000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := casegen.WriteCase(dir, c); err != nil {
		t.Fatal(err)
	}
	doc, _, err := schema.LoadAndValidate(context.Background(), dir, schema.Options{SkipFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Spec(doc, Options{Edition: edition.Confidential, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := schema.Canonical(doc.Case)
	if err != nil {
		t.Fatal(err)
	}
	var w largestWrite
	for _, f := range spec.Files {
		if f.Path == CasePath {
			if err := f.Generate(context.Background(), &w, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !bytes.Equal(w.buf.Bytes(), want) {
		t.Fatalf("the case data written (%d bytes) is not its Canonical form (%d bytes)", w.buf.Len(), len(want))
	}
	if w.largest > len(want)/4 {
		t.Errorf("the case data (%d bytes) was written in %d writes, the largest %d bytes: held whole, not streamed", len(want), w.writes, w.largest)
	}
	about := generate(t, spec, annex.Dir+"/csv/about.csv")
	sum := sha256.Sum256(want)
	if s := "case.json SHA-256," + hex.EncodeToString(sum[:]) + "\r\n"; !strings.Contains(string(about), s) {
		t.Errorf("about.csv lacks %q", s)
	}
}

// largestWrite keeps what is written to it, and the size of the largest
// write.
type largestWrite struct {
	buf     bytes.Buffer
	largest int
	writes  int
}

func (w *largestWrite) Write(p []byte) (int, error) {
	w.largest = max(w.largest, len(p))
	w.writes++
	return w.buf.Write(p)
}

// TestLetterBesideTheLastNarrative: the build makes two generated files at
// a time, and the narratives follow the workbook; when they are odd in
// number the last letter follows it too, to be made beside the last
// narrative rather than beside the workbook, which has work for both
// cores. The other letters are made beside the workbook.
func TestLetterBesideTheLastNarrative(t *testing.T) {
	doc := loadLaVega(t)
	for _, tc := range []struct {
		langs []string
		after []bool // whether each language's letter follows the workbook
	}{
		{[]string{"en"}, []bool{true}},
		{[]string{"en", "fr"}, []bool{false, false}},
		{[]string{"en", "fr", "es"}, []bool{false, false, true}},
	} {
		spec, err := Spec(doc, Options{Edition: edition.Confidential, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), Langs: tc.langs})
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range tc.langs {
			p := LetterPathFor(l, len(tc.langs) > 1)
			j := slices.IndexFunc(spec.Files, func(f assemble.GeneratedFile) bool { return f.Path == p })
			if j < 0 {
				t.Fatalf("%v: no letter %s", tc.langs, p)
			}
			if got := slices.Equal(spec.Files[j].After, []string{AnnexPath}); got != tc.after[i] || !got && len(spec.Files[j].After) > 0 {
				t.Errorf("%v: %s follows %v, want the workbook: %v", tc.langs, p, spec.Files[j].After, tc.after[i])
			}
		}
	}
}
