package caseform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/casexlsx"
	"github.com/casepack/casepack/schema/caseyaml"
	"github.com/casepack/casepack/schema/shape"
)

// ConvertOptions tune Convert.
type ConvertOptions struct {
	// Force lets the target replace an existing file.
	Force bool
}

// ConvertReport says what Convert did.
type ConvertReport struct {
	Source     string `json:"source"`
	SourceForm Form   `json:"source_form"`
	Target     string `json:"target"`
	TargetForm Form   `json:"target_form"`
	// Findings are the source's problems (schema and consistency rules;
	// evidence files are not checked), or why it could not be converted.
	Findings []finding.Finding `json:"findings"`
}

// ErrNotConverted is returned, with the findings that say why in the
// report, when the source cannot be read as a case or holds a value the
// target form cannot hold.
var ErrNotConverted = errors.New("the case was not converted")

// Convert writes the case at src (a case folder or file, in any form) to
// the file dst, in the form dst's extension names. Nothing is lost: the
// result is read back and compared with the source before it is written —
// the same typed case for a valid source, the same values for one that is
// not (a case with problems converts too, so that it can be mended in the
// form one prefers). dst is written atomically and replaces an existing
// file only with opt.Force.
func Convert(ctx context.Context, src, dst string, opt ConvertOptions) (*ConvertReport, error) {
	to, ok := FormOf(dst)
	if !ok {
		return nil, &UnknownFormError{Path: dst}
	}
	file, from, err := Find(src)
	if err != nil {
		return nil, err
	}
	rep := &ConvertReport{Source: file, SourceForm: from, Target: dst, TargetForm: to}
	if same(file, dst) {
		return rep, fmt.Errorf("%s: the source and the target are the same file", dst)
	}
	if !opt.Force {
		if _, err := os.Lstat(dst); err == nil {
			return rep, fmt.Errorf("%s: %w", dst, os.ErrExist)
		}
	}
	// Another form is written from the generic tree: keep it. case.json
	// is written from the typed model unless the case does not fit it,
	// streamed to the file: the Canonical bytes of a workbook's case are
	// not made for the document (NoCanonical).
	doc, fs, err := LoadAndValidate(ctx, file, schema.Options{SkipFiles: true, KeepTree: to != JSON, NoCanonical: to == JSON})
	if err != nil {
		return rep, err
	}
	rep.Findings = fs
	if doc.Value == nil && doc.Case == nil {
		return rep, ErrNotConverted
	}
	exact := !hasStructural(fs)
	if to == JSON && exact {
		// The Canonical form of the typed case, written as it is encoded.
		c := doc.Case
		doc = nil // the source's bytes and locations are not needed any more
		if err := atomicfs.WriteFile(dst, atomicfs.FileOptions{Replace: opt.Force}, func(w io.Writer) error {
			return schema.WriteCanonical(w, c)
		}); err != nil {
			return rep, err
		}
		return rep, nil
	}
	tree := doc.Value
	if tree == nil {
		// Validation let the generic tree go; read it again.
		if from == JSON {
			back, _ := schema.Parse(file, doc.Data)
			tree = back.Value
		} else {
			back, _, err := Load(file)
			if err != nil {
				return rep, err
			}
			tree = back.Value
		}
	}
	var want []byte // the source's Canonical bytes, when exact
	if exact {
		if want = doc.Data; doc.Form == nil {
			// case.json: its own bytes, not necessarily canonical.
			if want, err = schema.Canonical(doc.Case); err != nil {
				return rep, err
			}
		}
	}
	out, problems, err := Encode(to, tree, doc.Case, exact)
	if err != nil {
		return rep, err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			// Show each where it is in the source.
			f := doc.NewFinding(p.Code, p.Pointer, p.Message, p.Hint)
			if p.Sheet != "" && doc.Form == nil {
				f.Message = fmt.Sprintf("%s (it would go to %s!%s)", f.Message, p.Sheet, p.Cell)
			}
			rep.Findings = append(rep.Findings, f)
		}
		finding.Sort(rep.Findings)
		return rep, ErrNotConverted
	}
	doc = nil // the source's model is not needed any more
	if exact {
		// Only the bytes are compared: let the tree go before the result
		// is read back (a large case would hold two of each at once).
		tree = nil
	}
	if err := checkRoundTrip(to, out, tree, want); err != nil {
		return rep, err
	}
	tree = nil
	if err := atomicfs.WriteFile(dst, atomicfs.FileOptions{Replace: opt.Force}, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	}); err != nil {
		return rep, err
	}
	return rep, nil
}

func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(fa, fb)
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}

// hasStructural reports findings that mean the generic tree holds values
// the typed model cannot (a wrong kind, an unknown field, unreadable text):
// such a case is written from its tree, so that nothing it holds is lost.
func hasStructural(fs []finding.Finding) bool {
	for _, f := range fs {
		c := string(f.Code)
		if f.Severity == finding.Error && (strings.HasPrefix(c, "CP-SCHEMA-") || strings.HasPrefix(c, "CP-JSON-") ||
			strings.HasPrefix(c, "CP-YAML-") || strings.HasPrefix(c, "CP-XLSX-")) {
			return true
		}
	}
	return false
}

// Encode renders a case in form f. For JSON, a case whose tree fits the
// typed model (exact) is written in the Canonical form of c; otherwise,
// and for the other forms, the tree is written, fields in the schema's
// order. Problems are values the form cannot hold (a workbook cell's limit),
// located by pointer.
func Encode(f Form, tree any, c *schema.Case, exact bool) ([]byte, []finding.Finding, error) {
	switch f {
	case JSON:
		if exact && c != nil {
			b, err := schema.Canonical(c)
			return b, nil, err
		}
		var b bytes.Buffer
		if err := writeTree(&b, tree, shape.Root(), ""); err != nil {
			return nil, nil, err
		}
		b.WriteByte('\n')
		return b.Bytes(), nil, nil
	case YAML:
		b, err := caseyaml.Write(tree)
		return b, nil, err
	case XLSX:
		var b bytes.Buffer
		problems, err := casexlsx.Write(&b, tree)
		return b.Bytes(), problems, err
	}
	return nil, nil, fmt.Errorf("unknown form %q", f)
}

// Decode reads a case file's bytes in form f into its generic tree and
// the Canonical bytes of its typed model.
func Decode(f Form, name string, data []byte) (any, []byte, error) {
	var value any
	var place schema.Form
	switch f {
	case JSON:
		doc, fs := schema.Parse(name, data)
		if doc.Value == nil {
			return nil, nil, fmt.Errorf("%s: %s", name, firstMessage(fs))
		}
		canonical, err := schema.Canonical(doc.Case)
		return doc.Value, canonical, err
	case YAML:
		y, fs := caseyaml.Read(data)
		if y.Value == nil {
			return nil, nil, fmt.Errorf("%s: %s", name, firstMessage(fs))
		}
		value, place = y.Value, y
	case XLSX:
		x, fs := casexlsx.Read(bytes.NewReader(data), int64(len(data)))
		if x.Value == nil {
			return nil, nil, fmt.Errorf("%s: %s", name, firstMessage(fs))
		}
		value, place = x.Value, x
	default:
		return nil, nil, fmt.Errorf("unknown form %q", f)
	}
	doc, err := schema.NewDocument(name, filepath.Dir(name), value, place)
	if err != nil {
		return nil, nil, err
	}
	return value, doc.Data, nil
}

func firstMessage(fs []finding.Finding) string {
	if len(fs) == 0 {
		return "cannot be read"
	}
	return fs[0].Message
}

// checkRoundTrip reads out back and compares it with what was written:
// the same Canonical bytes (want) for a case that fits the typed model,
// the same values otherwise.
func checkRoundTrip(f Form, out []byte, tree any, want []byte) error {
	back, got, err := Decode(f, "converted."+string(f), out)
	if err != nil {
		return fmt.Errorf("convert: the result does not read back: %w", err)
	}
	if want != nil {
		if !bytes.Equal(want, got) {
			return fmt.Errorf("convert: the result does not read back as the same case (at byte %d of its canonical form); nothing was written", firstByte(want, got))
		}
		return nil
	}
	if !shape.Equal(prune(back), prune(tree)) {
		return fmt.Errorf("convert: the case holds values the %s form cannot keep as they are (%s); fix the problems listed, then convert again", f, firstDiff(prune(tree), prune(back), ""))
	}
	return nil
}

// firstByte is where two byte strings first differ.
func firstByte(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// firstDiff names the first place where two trees differ.
func firstDiff(a, b any, ptr string) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return ptr + " changed kind"
		}
		for _, k := range sortedNames(x, y) {
			if !shape.Equal(x[k], y[k]) {
				return firstDiff(x[k], y[k], ptr+"/"+k)
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return ptr + " changed length"
		}
		for i := range x {
			if !shape.Equal(x[i], y[i]) {
				return firstDiff(x[i], y[i], fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	return fmt.Sprintf("%s: %.60q became %.60q", ptr, fmt.Sprint(a), fmt.Sprint(b))
}

func sortedNames(a, b map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// prune drops what a workbook cannot tell from absence (null, an empty
// text, an empty list, an empty group of fields), for comparing a case with
// problems.
func prune(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return x
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if p := prune(e); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, prune(e))
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// writeTree writes a generic tree as JSON the way encoding/json indents
// (two spaces, no HTML escaping), object fields in the schema's order.
func writeTree(b *bytes.Buffer, v any, f *shape.Field, indent string) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{\n")
		keys := shape.OrderedKeys(x, f)
		for i, k := range keys {
			b.WriteString(indent + "  ")
			writeString(b, k)
			b.WriteString(": ")
			var pf *shape.Field
			if f != nil {
				pf = f.Prop(k)
			}
			if err := writeTree(b, x[k], pf, indent+"  "); err != nil {
				return err
			}
			if i < len(keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		var items *shape.Field
		if f != nil {
			items = f.Items
		}
		for i, e := range x {
			b.WriteString(indent + "  ")
			if err := writeTree(b, e, items, indent+"  "); err != nil {
				return err
			}
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case string:
		writeString(b, x)
	case json.Number:
		b.WriteString(string(x))
	case bool:
		fmt.Fprint(b, x)
	case nil:
		b.WriteString("null")
	default:
		return fmt.Errorf("cannot write a value of type %T", v)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	var e bytes.Buffer
	enc := json.NewEncoder(&e)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(e.Bytes(), []byte("\n")))
}
