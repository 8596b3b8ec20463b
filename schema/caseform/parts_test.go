package caseform

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/casepack/casepack/internal/casegen"
	"github.com/casepack/casepack/schema"
)

// TestWorkbookInParts: a workbook of several thousand rows per register
// (several chunks of rows, let go as their items are built on every core)
// validated item by item gives the typed model, the Canonical bytes and the
// findings of its case.json — and of the same workbook read whole (Load).
func TestWorkbookInParts(t *testing.T) {
	dir := t.TempDir()
	if _, err := casegen.Generate(casegen.Options{Incidents: 20, Persons: 2300, Evidence: 700, Seed: 11, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(t.TempDir(), "case.xlsx")
	if _, err := Convert(context.Background(), dir, book, ConvertOptions{}); err != nil {
		t.Fatal(err)
	}
	opt := schema.Options{SkipFiles: true}
	fromJSON, fj, err := LoadAndValidate(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	parts, fp, err := LoadAndValidate(context.Background(), book, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(parts.Data, orig) {
		t.Errorf("the workbook's Canonical bytes differ from its case.json")
	}
	if !reflect.DeepEqual(parts.Case, fromJSON.Case) {
		t.Errorf("the workbook's typed model differs from its case.json's")
	}
	if findingSet(fj) != findingSet(fp) {
		t.Errorf("findings differ:\ncase.json: %s\ncase.xlsx: %s", findingSet(fj), findingSet(fp))
	}
	whole, _, err := Load(book)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole.Data, parts.Data) {
		t.Errorf("the workbook read whole gives other Canonical bytes than read in parts")
	}
}
