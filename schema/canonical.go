package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Canonical is the one byte form of a case as JSON: the typed model's
// fields in the schema's order, indented by two spaces, text as written
// (no HTML escaping), a final newline. The bundled samples are in it; it is
// what `casepack convert` writes for a valid case, and what a package
// carries for a case kept as YAML or a workbook, so that the three forms of
// one case give the same package.
func Canonical(c *Case) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode the case: %w", err)
	}
	return b.Bytes(), nil
}

// NewDocument makes the Document of a case read from a form other than
// JSON (see Form): value is its generic tree, of the kinds a JSON parser
// gives (map[string]any, []any, string, json.Number, bool, nil). The typed
// model is decoded from it as far as the data allows, and Data is the case
// in its Canonical form.
func NewDocument(path, dir string, value any, form Form) (*Document, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc := &Document{Path: path, Dir: dir, Data: data, Value: value, Form: form}
	// Nothing to interrupt: decoding is a fraction of reading the form.
	if err := doc.decodeTyped(context.Background()); err != nil {
		return nil, err
	}
	if doc.Data, err = Canonical(doc.Case); err != nil {
		return nil, err
	}
	return doc, nil
}
