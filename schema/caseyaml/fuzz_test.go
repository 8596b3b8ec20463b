package caseyaml

import (
	"os"
	"testing"

	"github.com/casepack/casepack/schema/shape"
)

// FuzzRead: no input makes Read panic or hang; whatever it reads, Write
// writes back as YAML that reads as the same tree, and every pointer into
// it can be placed.
func FuzzRead(f *testing.F) {
	for _, p := range []string{"../../samples/minimal/case.json", "../caseform/testdata/yaml/trap-kinds.yaml",
		"../caseform/testdata/yaml/trap-numbers.yaml", "../caseform/testdata/yaml/code-alias.yaml", "../caseform/testdata/yaml/code-merge.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"a: [1, {b: c}]\n", "- x\n- &a y\n- *a\n", "? [k]\n: v\n", "a: |+\n  x\n\n", "!!binary aGk=\n", "a: 'x''y'\nb: \"\\u00e9\\x41\"\n", "%YAML 1.1\n---\na: 1\n...\n", "\ufeffa: 1\n", "a:\n\t- tab\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := Read(data)
		if doc.Value == nil {
			return
		}
		doc.Position("/submission/title", true)
		doc.Position("/persons/0/age", false)
		out, err := Write(doc.Value)
		if err != nil {
			return // a value Write cannot render faithfully is refused, not changed
		}
		back, problems := Read(out)
		if len(problems) > 0 || !shape.Equal(back.Value, doc.Value) {
			t.Fatalf("Write's output does not read back:\n%s", out)
		}
	})
}
