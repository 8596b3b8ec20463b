package assemble

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/bag"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// TestGoldenTagFiles pins the byte form of every tag file of a build of the
// default test case (seeded evidence, fixed date). A change here is a change
// of the package format: update FORMAT.md with it, then go test -update.
func TestGoldenTagFiles(t *testing.T) {
	c := newCase(t, defaultEvidence)
	res, err := Build(context.Background(), c.spec(defaultEvidence), Options{OutDir: t.TempDir()})
	must(t, err)
	for _, name := range []string{"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
		"tagmanifest-sha256.txt", "tagmanifest-sha512.txt", bag.CasepackManifestPath, "VERIFY.txt"} {
		got := fileBytes(t, filepath.Join(res.Dir, name))
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(name, "/", "_"))
		if *update {
			must(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			must(t, os.WriteFile(golden, got, 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from %s:\n%s", name, golden, got)
		}
	}
}
