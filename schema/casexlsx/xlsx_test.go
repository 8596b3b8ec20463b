package casexlsx

import (
	"bytes"
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
	var b bytes.Buffer
	probs, err := Write(&b, v)
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	os.WriteFile("/tmp/auth/lavega.xlsx", b.Bytes(), 0o644)
	doc, probs := Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	if !shape.Equal(doc.Value, v) {
		t.Fatal("not equal")
	}
}
