package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casepack/casepack/packager/finding"
)

// TestCodeTableLimits: the code table (and so the README generated from it)
// states the limits the parser applies.
func TestCodeTableLimits(t *testing.T) {
	for code, want := range map[finding.Code]string{
		finding.JSONTooBig: fmt.Sprintf("larger than %d MiB", MaxCaseSize>>20),
		finding.JSONDepth:  fmt.Sprintf("more than %d deep", MaxDepth),
	} {
		i, _ := finding.Lookup(code)
		if !strings.Contains(i.Meaning, want) {
			t.Errorf("%s: the table says %q; the parser's limit is %q", code, i.Meaning, want)
		}
	}
}
