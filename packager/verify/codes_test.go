package verify

import (
	"os"
	"strings"
	"testing"
)

// TestCodesDocumented: every code is a row of the table in FORMAT.md §7, so
// the documentation cannot fall behind the code.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../FORMAT.md")
	must(t, err)
	seen := map[Code]bool{}
	for _, c := range Codes() {
		if seen[c] {
			t.Errorf("%s listed twice in Codes()", c)
		}
		seen[c] = true
		if !strings.Contains(string(doc), "\n| "+string(c)+" |") {
			t.Errorf("%s is not a row of the finding-code table in packager/FORMAT.md", c)
		}
	}
}
