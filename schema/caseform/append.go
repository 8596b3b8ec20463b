package caseform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/casexlsx"
	"github.com/casepack/casepack/schema/caseyaml"
	"github.com/casepack/casepack/schema/shape"
)

// Append adds items (generic trees) at the end of the top-level list
// collection ("evidence") of the case file file, in its form, and writes
// the file atomically. What the person wrote stays as it was: case.json and
// case.yaml get the new items inserted as text after the last item (their
// formatting and comments are kept), a workbook gets new rows (its other
// sheets, formatting, notes and drop-downs are kept). The result is read
// back and must hold the same case plus the new items, or nothing is
// written. Problems are values the form cannot hold, located by pointer
// within the new items (/0/title is the first item's title).
func Append(file string, form Form, collection string, items []any) ([]finding.Finding, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	before, _, err := Decode(form, file, data)
	if err != nil {
		return nil, err
	}
	var out []byte
	switch form {
	case JSON:
		out, err = appendJSON(data, before, collection, items)
	case YAML:
		out, err = appendYAML(data, before, collection, items)
	case XLSX:
		var b bytes.Buffer
		var problems []finding.Finding
		problems, err = casexlsx.Append(data, &b, collection, items)
		if len(problems) > 0 {
			return problems, nil
		}
		out = b.Bytes()
	default:
		err = fmt.Errorf("unknown form %q", form)
	}
	if err != nil {
		return nil, err
	}
	want := prune(appended(before, collection, items))
	readsBack := func(out []byte) bool {
		after, _, err := Decode(form, file, out)
		return err == nil && shape.Equal(prune(after), want)
	}
	if !readsBack(out) && form == YAML {
		// The text could not be inserted cleanly (a block at the end of
		// the list that keeps its trailing lines): write the case anew.
		out, err = caseyaml.Write(appended(before, collection, items))
		if err != nil {
			return nil, err
		}
	}
	if !readsBack(out) {
		return nil, fmt.Errorf("%s: the file with the new items does not read back as the case plus the new items; nothing was written", file)
	}
	err = atomicfs.WriteFile(file, atomicfs.FileOptions{Replace: true, Perm: perm(file)}, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	})
	return nil, err
}

func perm(file string) os.FileMode {
	if fi, err := os.Stat(file); err == nil {
		return fi.Mode().Perm()
	}
	return 0o644
}

// appended is the tree with items added to its list collection.
func appended(tree any, collection string, items []any) any {
	m, ok := tree.(map[string]any)
	if !ok {
		return tree
	}
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	list, _ := out[collection].([]any)
	out[collection] = append(append([]any(nil), list...), items...)
	return out
}

// appendJSON inserts items as text before the closing bracket of the
// top-level list collection, indented like the items already there.
func appendJSON(data []byte, tree any, collection string, items []any) ([]byte, error) {
	open, close, err := topLevelArray(data, collection)
	if err != nil {
		// No such list to extend (or an unusual file): write the whole
		// case anew, in the schema's order.
		return rewriteJSON(tree, collection, items)
	}
	itemShape := shape.Root().Prop(collection)
	if itemShape != nil {
		itemShape = itemShape.Items
	}
	inner := bytes.TrimSpace(data[open+1 : close])
	// The indentation of the items: that of the first one, or the line's
	// of the opening bracket plus two spaces.
	lineStart := bytes.LastIndexByte(data[:open], '\n') + 1
	outer := leadingSpace(data[lineStart:open])
	indent := outer + "  "
	if len(inner) > 0 {
		first := open + 1 + bytes.Index(data[open+1:close], inner[:1])
		ls := bytes.LastIndexByte(data[:first], '\n')
		if ls > open {
			indent = string(data[ls+1 : first])
		} else {
			indent = "" // items on the bracket's line: a compact file
		}
	}
	var b bytes.Buffer
	if len(inner) > 0 {
		end := open + 1 + bytes.LastIndex(data[open+1:close], inner[len(inner)-1:]) + 1
		b.Write(data[:end])
		for _, it := range items {
			b.WriteString(",")
			if indent != "" {
				b.WriteString("\n" + indent)
			}
			if err := writeTree(&b, it, itemShape, indent); err != nil {
				return nil, err
			}
		}
		b.Write(data[end:])
		return b.Bytes(), nil
	}
	b.Write(data[:open+1])
	for i, it := range items {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n" + indent)
		if err := writeTree(&b, it, itemShape, indent); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n" + outer)
	b.Write(data[close:])
	return b.Bytes(), nil
}

func leadingSpace(b []byte) string {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	return string(b[:n])
}

func rewriteJSON(tree any, collection string, items []any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeTree(&b, appended(tree, collection, items), shape.Root(), ""); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// topLevelArray finds the offsets of the brackets of the top-level member
// name, which must be a list.
func topLevelArray(data []byte, name string) (open, close int, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return 0, 0, errors.New("not an object")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return 0, 0, err
		}
		key, _ := kt.(string)
		afterKey := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, err
		}
		if key != name {
			continue
		}
		end := int(dec.InputOffset())
		open = afterKey + bytes.IndexByte(data[afterKey:end], '[')
		if open < afterKey || bytes.IndexByte(data[afterKey:open], '{') >= 0 {
			return 0, 0, errors.New("not a list")
		}
		return open, end - 1, nil
	}
	return 0, 0, fmt.Errorf("no %q", name)
}

// appendYAML inserts items as text after the last item of the top-level
// block sequence collection, before whatever follows it (comments that
// precede the next field stay with that field).
func appendYAML(data []byte, tree any, collection string, items []any) ([]byte, error) {
	text, err := caseyaml.Entries(items, collection)
	if err != nil {
		return nil, err
	}
	at, dash, ok := caseyaml.AppendPoint(data, collection)
	if !ok {
		// A list in [flow] style, or none: write the whole case anew.
		return caseyaml.Write(appended(tree, collection, items))
	}
	pad := strings.Repeat(" ", dash)
	var b bytes.Buffer
	b.Write(data[:at])
	if at > 0 && data[at-1] != '\n' {
		b.WriteByte('\n')
	}
	for _, line := range strings.SplitAfter(string(text), "\n") {
		if line == "" {
			continue
		}
		if line != "\n" {
			b.WriteString(pad)
		}
		b.WriteString(line)
	}
	b.Write(data[at:])
	return b.Bytes(), nil
}
