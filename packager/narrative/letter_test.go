package narrative

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/schema"
)

func TestCoveringLetter(t *testing.T) {
	manifest := strings.Repeat("0123456789abcdef", 4)
	tag := strings.Repeat("fedcba9876543210", 4)
	for _, tc := range []struct {
		name    string
		letter  Letter
		want    []string
		notWant []string
	}{
		{"inside the package", Letter{Edition: edition.Confidential, ManifestSHA256: manifest},
			[]string{"full edition", manifest, "6 annexes", "34 evidence items in 39 files", "sha256sum -c manifest-sha256.txt", "Sample Counsel (placeholder), Legal representative", "Caracas, 26 February 2021"},
			[]string{"tagmanifest-sha256.txt, which the signatures cover"}},
		{"beside the package", Letter{Edition: edition.Public, ManifestSHA256: manifest, TagManifestSHA256: tag, WithheldFiles: 30},
			[]string{"public redacted edition", manifest, tag, "30 are withheld from this edition"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.letter
			l.Case, l.Package, l.Date = laVega(t), "OCDH-2021-LV-001_"+string(l.Edition), testDate
			l.Annexes, l.EvidenceItems, l.EvidenceFiles = 6, 34, 39
			var buf bytes.Buffer
			if err := RenderLetter(context.Background(), &buf, l, LetterOptions{Version: "1.2.3"}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "letter.pdf")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if pages := regexp.MustCompile(`Pages:\s+([0-9]+)`).FindStringSubmatch(run(t, "pdfinfo", path)); pages == nil || pages[1] != "1" {
				t.Errorf("the letter is not one page: %v", pages)
			}
			text := squash(run(t, "pdftotext", "-enc", "UTF-8", path, "-"))
			raw := run(t, "pdftotext", "-raw", "-enc", "UTF-8", path, "-")
			for _, w := range tc.want {
				if !strings.Contains(text, w) && !strings.Contains(raw, w) {
					t.Errorf("the letter lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("the letter has %q", w)
				}
			}
			if regexp.MustCompile(`(?m)^\s*1\.\s`).MatchString(run(t, "pdftotext", "-layout", path, "-")) {
				t.Error("the letter's paragraphs are numbered")
			}
		})
	}
	long := laVega(t)
	for i := 0; i < 40; i++ {
		long.Submission.Signatories = append(long.Submission.Signatories, schema.Signatory{Name: "Signatory", Role: "Role"})
	}
	err := RenderLetter(context.Background(), &bytes.Buffer{}, Letter{Case: long, Edition: edition.Confidential, Date: testDate, ManifestSHA256: manifest}, LetterOptions{})
	if !errors.Is(err, ErrLetterTooLong) {
		t.Errorf("a letter of several pages: %v", err)
	}
}
