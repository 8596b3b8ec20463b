package digest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeaf: digest depends on nothing but the standard library and
// internal/barefd, which is itself then checked to be a leaf, so that
// every casepack package, the schema included, may use it.
func TestLeaf(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/casepack/casepack/internal/digest": true,
		"github.com/casepack/casepack/internal/barefd": true,
	}
	for _, p := range strings.Fields(string(out)) {
		if !allowed[p] {
			t.Errorf("digest depends on %s; a leaf imports only the standard library and other leaves", p)
		}
	}
}
