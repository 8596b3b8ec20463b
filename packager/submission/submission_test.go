package submission

import (
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"path/filepath"
	"strings"
	"testing"

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
		edition  string
		withheld int
	}{{Confidential, 0}, {Public, files - public}} {
		t.Run(tc.edition, func(t *testing.T) {
			spec, err := Spec(doc, Options{Edition: tc.edition})
			if err != nil {
				t.Fatal(err)
			}
			if spec.Name != "OCDH-2021-LV-001_"+tc.edition {
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
			if info["Bag-Group-Identifier"] != "OCDH-2021-LV-001" || info["Casepack-Edition"] != tc.edition || info["Casepack-Schema"] != schema.ID {
				t.Errorf("bag-info %v", info)
			}
			if !strings.Contains(spec.VerifyText, "openssl") {
				t.Error("VERIFY.txt text lacks the commands for later signatures")
			}
		})
	}
	if _, err := Spec(doc, Options{Edition: "secret"}); !errors.Is(err, ErrEdition) {
		t.Errorf("edition secret: %v", err)
	}
}

func TestRedact(t *testing.T) {
	doc := loadLaVega(t)
	before := fmt.Sprint(doc.Case.Persons[0].Protected)
	pub := Redact(doc.Case)
	if fmt.Sprint(doc.Case.Persons[0].Protected) != before {
		t.Error("Redact changed the case it was given")
	}
	if pub.Submission.Classification != "public" {
		t.Errorf("classification %q", pub.Submission.Classification)
	}
	for _, p := range pub.Persons {
		if p.Protected != nil {
			t.Errorf("%s keeps protected details", p.ID)
		}
	}
	for i, e := range pub.Evidence {
		orig := doc.Case.Evidence[i]
		if e.Classification == "public" {
			if e.Description != orig.Description {
				t.Errorf("%s: public item changed", e.ID)
			}
			continue
		}
		if e.Description != "" || e.Provenance != nil || len(e.Custody) != 0 {
			t.Errorf("%s: withheld item keeps its details", e.ID)
		}
		if len(e.Files) != len(orig.Files) || e.Files[0].SHA256 != orig.Files[0].SHA256 {
			t.Errorf("%s: withheld item lost its files' declared digests", e.ID)
		}
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
