package schema

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeListsCodes keeps the README's table of finding codes in step
// with the one table in findings.go.
func TestReadmeListsCodes(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, c := range Codes {
		row := fmt.Sprintf("| %s | %s | %s |", c.Code, c.Severity, c.Meaning)
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the row\n%s", row)
		}
	}
}
