package sign

import (
	"go/build"
	"strings"
	"testing"
)

// sign sits below the builder and the verifier: it must not import them
// (the builder calls signers through an interface it defines itself).
func TestImportRules(t *testing.T) {
	for _, dir := range []string{".", "signtest"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/casepack/casepack/") {
				t.Errorf("%s imports %s", pkg.ImportPath, imp)
			}
		}
	}
}
