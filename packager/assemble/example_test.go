package assemble_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/verify"
)

// Build a package from one evidence file and one generated payload file,
// then verify it as `casepack verify` would.
func ExampleBuild() {
	caseDir, _ := os.MkdirTemp("", "case")
	outDir, _ := os.MkdirTemp("", "out")
	defer os.RemoveAll(caseDir)
	defer os.RemoveAll(outDir)
	src := filepath.Join(caseDir, "note.txt")
	os.WriteFile(src, []byte("witness note\n"), 0o644)

	spec := assemble.Spec{
		Name:    "EX-001_confidential",
		Date:    time.Date(2021, 2, 18, 12, 0, 0, 0, time.UTC),
		BagInfo: []bag.Field{{Label: "External-Identifier", Value: "EX-001"}},
		Evidence: []assemble.EvidenceFile{
			{ID: "EV-0001", Src: src, Dst: "data/evidence/EV-0001/note.txt", MediaType: "text/plain"},
		},
		Files: []assemble.GeneratedFile{{
			Path: "data/case/case.json",
			Generate: func(ctx context.Context, w io.Writer, ev *assemble.Evidence) error {
				note, _ := ev.Lookup("data/evidence/EV-0001/note.txt")
				_, err := fmt.Fprintf(w, "{\"evidence_sha256\": %q}\n", note.SHA256())
				return err
			},
		}},
	}
	res, err := assemble.Build(context.Background(), spec, assemble.Options{OutDir: outDir})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := os.ReadFile(filepath.Join(res.Dir, "manifest-sha256.txt"))
	fmt.Print(string(m))

	pkg, _ := verify.Open(res.Dir)
	defer pkg.Close()
	rep, _ := verify.Verify(context.Background(), pkg, verify.Options{})
	fmt.Println("intact:", rep.Intact())
	// Output:
	// 23bdd55a67a5219858ce709297fa5a0344e1f4cfdd2169551005a204639e2eed  data/case/case.json
	// ce5f09948c0744f7224570ced4ddc29bfec5aff7413484d8e97a4698c42e1ea1  data/evidence/EV-0001/note.txt
	// intact: true
}
