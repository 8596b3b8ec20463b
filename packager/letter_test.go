package packager_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/casepack/casepack/internal/testtool"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/edition"
)

// TestLettersQuoteTheManifest: the covering letter inside the package and
// the one beside it quote the SHA-256 of the package's
// casepack/manifest.json as written, the one beside also that of
// tagmanifest-sha256.txt, and both count the evidence files (withheld
// ones in the public edition).
func TestLettersQuoteTheManifest(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext")
	for _, ed := range []edition.Edition{edition.Confidential, edition.Public} {
		t.Run(string(ed), func(t *testing.T) {
			out := t.TempDir()
			rep, err := packager.Build(context.Background(), filepath.Join("..", "samples", "la-vega"), packager.BuildOptions{OutDir: out, Date: date, Edition: ed})
			if err != nil {
				t.Fatal(err)
			}
			m, err := os.ReadFile(filepath.Join(rep.Package.Dir, "casepack", "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(m)
			manifest := hex.EncodeToString(sum[:])
			files := rep.Package.EvidenceFiles + rep.Package.WithheldFiles
			if len(rep.Package.Evidence) != files || files == 0 {
				t.Fatalf("%d evidence results for %d files", len(rep.Package.Evidence), files)
			}
			for _, l := range []struct {
				path string
				want []string
			}{
				{filepath.Join(rep.Package.Dir, "data", "narrative", "covering-letter.pdf"), []string{manifest}},
				{rep.Letter, []string{manifest, rep.Package.TagManifestSHA256}},
			} {
				raw, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", l.path, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Join(strings.Fields(string(raw)), " ")
				unbroken := strings.ReplaceAll(string(raw), "\n", "")
				for _, w := range l.want {
					if !strings.Contains(text, w) && !strings.Contains(unbroken, w) {
						t.Errorf("%s lacks %s:\n%s", filepath.Base(l.path), w, text)
					}
				}
				if !strings.Contains(text, " "+strconv.Itoa(files)+" files") {
					t.Errorf("%s does not count %d evidence files:\n%s", filepath.Base(l.path), files, text)
				}
				if w := rep.Package.WithheldFiles; w > 0 && !strings.Contains(text, strconv.Itoa(w)+" are withheld") {
					t.Errorf("%s does not count %d withheld files:\n%s", filepath.Base(l.path), w, text)
				}
			}
		})
	}
}
