package caseyaml

import (
	"os"
	"testing"

	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/shape"
)

func laVega(t testing.TB) any {
	t.Helper()
	data, err := os.ReadFile("../../samples/la-vega/case.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, fs := schema.Parse("case.json", data)
	if len(fs) > 0 || doc.Value == nil {
		t.Fatalf("la-vega: %v", fs)
	}
	return doc.Value
}

func TestRoundTripLaVega(t *testing.T) {
	v := laVega(t)
	out, err := Write(v)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/auth/lavega.yaml", out, 0o644)
	back, problems := Read(out)
	if len(problems) > 0 {
		t.Fatalf("problems: %+v", problems)
	}
	if !shape.Equal(back.Value, v) {
		t.Fatal("not equal")
	}
}
