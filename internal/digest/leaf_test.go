package digest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeaf: digest imports only the standard library, so that every
// casepack package, the schema included, may use it.
func TestLeaf(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
			t.Errorf("digest imports %s; a leaf imports only the standard library", p)
		}
	}
}
