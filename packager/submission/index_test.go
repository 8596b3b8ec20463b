package submission

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/schema"
)

// TestAnnexNumbersFollowTheFilesRegister: in a case of more items than the
// narrative's indexes list (La Vega after a thousand photographs it does
// not cite), the annex index lists La Vega's cited files under their place
// among all the case's files, and annex B.n is the n-th row of the
// package's files.csv, as the narrative tells the reader.
func TestAnnexNumbersFollowTheFilesRegister(t *testing.T) {
	doc := loadLaVega(t)
	var photos []schema.Evidence
	for i := 1; i <= narrative.IndexLimit; i++ {
		id := fmt.Sprintf("EV-1%05d", i)
		photos = append(photos, schema.Evidence{ID: id, Title: "Photograph " + id, Type: "photo", Classification: "confidential",
			Files: []schema.File{{Path: "evidence/photos/" + id + ".jpg", Role: "original", MediaType: "image/jpeg"}}})
	}
	doc.Case.Evidence = append(photos, doc.Case.Evidence...)
	spec, err := Spec(doc, Options{Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(generate(t, spec, annex.Dir+"/csv/files.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(pdf, generate(t, spec, NarrativePath), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testtool.Need(t, "pdftotext"), "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	entries := regexp.MustCompile(`Annex B\.(\d+) (EV-\d+), (\w+)`).FindAllStringSubmatch(text, -1)
	if len(entries) == 0 {
		t.Fatalf("no evidence file in the annex index:\n%s", text)
	}
	t.Logf("%d files listed", len(entries))
	for _, m := range entries {
		n, _ := strconv.Atoi(m[1])
		if n <= narrative.IndexLimit {
			t.Errorf("annex B.%d (%s) is listed: a photograph the narrative does not cite, or a cited file numbered as if the photographs were not there", n, m[2])
			continue
		}
		if n >= len(rows) || rows[n][0] != m[2] || rows[n][1] != m[3] {
			t.Errorf("annex B.%d is %s's %s file, but files.csv row %d is %v", n, m[2], m[3], n, rows[min(n, len(rows)-1)])
		}
	}
	if want := fmt.Sprintf("%d further items", narrative.IndexLimit); !strings.Contains(strings.ReplaceAll(text, ",", ""), want) {
		t.Errorf("the narrative does not say that %s are left to the registers", want)
	}
}

// TestNarrativeQuotesTheAnnexesItCarries: in either edition, the annex index gives the size
// and SHA-256 of the workbook and of each CSV twin (streamed into the
// package in the same pass) as the package holds them, the files generated
// in the build's order.
func TestNarrativeQuotesTheAnnexesItCarries(t *testing.T) {
	for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
		t.Run(string(ed), func(t *testing.T) { narrativeQuotesAnnexes(t, ed) })
	}
}

// TestBuiltNarrativeQuotesTheAnnexesWritten: in a build, which hands the
// narrative the digests it took of the annex files as it wrote them
// (assemble.Evidence.Generated) rather than the narrative hashing them a
// second time, the annex index quotes the SHA-256 of each annex file as
// the package holds it, in both editions.
func TestBuiltNarrativeQuotesTheAnnexesWritten(t *testing.T) {
	conf, pub := laVegaPackages(t)
	for _, tc := range []struct {
		ed  edition.Edition
		pkg *built
	}{{edition.Confidential, conf}, {edition.Public, pub}} {
		t.Run(string(tc.ed), func(t *testing.T) {
			out, err := exec.Command(testtool.Need(t, "pdftotext"), "-enc", "UTF-8", filepath.Join(tc.pkg.dir, NarrativePath), "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			for _, p := range []string{AnnexPath, annex.Dir + "/csv/evidence.csv", annex.Dir + "/csv/files.csv", annex.Dir + "/csv/about.csv"} {
				b, err := os.ReadFile(filepath.Join(tc.pkg.dir, p))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(b)
				if want := p + " SHA-256 " + hex.EncodeToString(sum[:]); !strings.Contains(text, want) {
					t.Errorf("the annex index lacks %q", want)
				}
			}
		})
	}
}

func narrativeQuotesAnnexes(t *testing.T, ed edition.Edition) {
	doc := loadLaVega(t)
	spec, err := Spec(doc, Options{Edition: ed, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	made := map[string][]byte{}
	for _, f := range spec.Files {
		b := newMemFiles()
		if err := f.Generate(context.Background(), b, nil); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		made[f.Path] = b.Bytes()
		for p, also := range b.also {
			made[p] = also.Bytes()
		}
	}
	pdf := filepath.Join(t.TempDir(), "n.pdf")
	if err := os.WriteFile(pdf, made[NarrativePath], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testtool.Need(t, "pdftotext"), "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, p := range []string{AnnexPath, annex.Dir + "/csv/evidence.csv", annex.Dir + "/csv/files.csv"} {
		if len(made[p]) == 0 {
			t.Fatalf("%s is empty", p)
		}
		sum := sha256.Sum256(made[p])
		if want := p + " SHA-256 " + hex.EncodeToString(sum[:]); !strings.Contains(text, want) {
			t.Errorf("the annex index lacks %q", want)
		}
	}
	// The annexes quote the case data the package carries.
	sum := sha256.Sum256(made[CasePath])
	if want := "case.json SHA-256," + hex.EncodeToString(sum[:]) + "\r\n"; !strings.Contains(string(made[annex.Dir+"/csv/about.csv"]), want) {
		t.Errorf("about.csv lacks %q:\n%s", want, made[annex.Dir+"/csv/about.csv"])
	}
	for _, f := range spec.Files {
		if f.Path == CasePath || strings.HasPrefix(f.Path, annex.Dir) {
			if err := f.Generate(context.Background(), newMemFiles(), nil); err == nil || !strings.Contains(err.Error(), "written already") {
				t.Errorf("%s generated twice: %v, want an error (its bytes were let go)", f.Path, err)
			}
		}
	}
}
