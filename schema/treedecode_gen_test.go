package schema_test

import (
	"fmt"
	"testing"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/schema"
)

// TestDecodeFromTreeGenerated: every item of generated cases of several
// seeds and shapes decodes to the same typed value from its tree as from
// its bytes, and all of them from the tree.
func TestDecodeFromTreeGenerated(t *testing.T) {
	for seed, size := range []casegen.Options{
		{Incidents: 3, Persons: 40, Evidence: 12},
		{Incidents: 20, Persons: 600, Evidence: 150},
		{Incidents: 1, Persons: 0, Evidence: 1},
		{Incidents: 50, Persons: 2000, Evidence: 300},
	} {
		size.Seed = int64(seed + 1)
		c, err := casegen.Generate(size)
		if err != nil {
			t.Fatal(err)
		}
		data, err := schema.Canonical(c)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("seed %d (%d persons)", size.Seed, size.Persons)
		n, fast := schema.CompareTreeDecode(t, name, data)
		if want := size.Incidents + size.Persons + size.Evidence + 1; n < want || fast != n {
			t.Errorf("%s: %d of %d values decoded from the tree, want all of at least %d", name, fast, n, want)
		}
	}
}
