package sign

import (
	"go/build"
	"strings"
	"testing"
)

// leaves are the casepack packages sign may import: they import only the
// standard library.
var leaves = map[string]bool{
	"github.com/casepack/casepack/packager/finding":  true,
	"github.com/casepack/casepack/packager/fault":    true,
	"github.com/casepack/casepack/internal/digest":   true,
	"github.com/casepack/casepack/internal/atomicfs": true,
	"github.com/casepack/casepack/packager/bag":      true, // the BagIt/ZIP format, standard library only
	"github.com/casepack/casepack/internal/source":   true,
}

// sign sits below the builder and the verifier: it must not import them
// (the builder calls signers through an interface it defines itself), nor
// any casepack package but the leaves.
func TestImportRules(t *testing.T) {
	for _, dir := range []string{".", "signtest"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/casepack/casepack/") && !leaves[imp] {
				t.Errorf("%s imports %s", pkg.ImportPath, imp)
			}
		}
	}
}
