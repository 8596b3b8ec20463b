// Package caseyaml reads and writes the YAML form of a case (case.yaml or
// case.yml): the same data as case.json, for people who would rather write
// text than JSON's quotes and brackets.
//
// A YAML parser guesses the type of every unquoted value: "no" may become
// false, "1e3" a number, "2021-01-08" a timestamp, "007" the number 7. Read
// never guesses: each value is typed by what the case schema expects at its
// place (schema/shape), so text stays text where the schema says text, and a
// value of the wrong kind is kept as written for validation to report.
// Duplicate keys are kept and reported, as in case.json. Anchors, aliases,
// merge keys and custom tags are refused: a case file is a plain tree in
// which every value has one place.
package caseyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/shape"
	"go.yaml.in/yaml/v3"
)

// MaxDepth is the deepest nesting accepted, as for case.json.
const MaxDepth = 64

// Doc is a parsed case.yaml.
type Doc struct {
	// Value is the case as a generic tree of the kinds a JSON parser gives
	// (map[string]any, []any, string, json.Number, bool, nil); nil when the
	// text could not be parsed.
	Value any
	root  *yaml.Node
}

// Read parses the YAML form of a case. Problems of the YAML text come back
// in order; Value is nil when nothing could be read.
func Read(data []byte) (*Doc, []finding.Finding) {
	doc := &Doc{}
	if bad := invalidUTF8(data, 10); len(bad) > 0 {
		var out []finding.Finding
		for _, off := range bad {
			line, col := position(data, off)
			out = append(out, finding.Finding{Code: finding.YAMLUTF8, Severity: finding.Error, Line: line, Column: col,
				Message: fmt.Sprintf("byte 0x%02x is not valid UTF-8 text", data[off]),
				Hint:    "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"})
		}
		return doc, out
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := decode(dec, &root); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, []finding.Finding{{Code: finding.YAMLSyntax, Severity: finding.Error, Line: 1, Column: 1, Message: "the file is empty",
				Hint: "start from `casepack init DIR --format yaml`"}}
		}
		return doc, []finding.Finding{syntaxProblem(data, err)}
	}
	var more yaml.Node
	if err := decode(dec, &more); err == nil {
		return doc, []finding.Finding{{Code: finding.YAMLSyntax, Severity: finding.Error, Line: more.Line, Column: more.Column,
			Message: "the file holds more than one YAML document (a line '---' starts a second one)",
			Hint:    "keep one case in the file: remove the second document or the '---' line"}}
	} else if !errors.Is(err, io.EOF) {
		return doc, []finding.Finding{syntaxProblem(data, err)}
	}
	r := reader{}
	body := &root
	if body.Kind == yaml.DocumentNode && len(body.Content) == 1 {
		body = body.Content[0]
	}
	doc.root = body
	doc.Value = r.value(body, shape.Root(), "", 0)
	return doc, r.problems
}

// decode runs the parser, turning a panic inside it (a bug in the library
// on hostile input) into an error: bad input never crashes casepack.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the parser failed on this input (%v)", r)
		}
	}()
	return dec.Decode(n)
}

// lineRE reads the line number out of the parser's error text, its only
// way of saying where a syntax error is ("yaml: line 12: …").
var lineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

func syntaxProblem(data []byte, err error) finding.Finding {
	msg := err.Error()
	p := finding.Finding{Code: finding.YAMLSyntax, Severity: finding.Error, Line: 1,
		Hint: "check the indentation (spaces, not tabs) and the colon after each field name; put text that holds ': ', ' #' or starts with a special character in quotes"}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.Message = "not valid YAML: " + msg
	if strings.Contains(msg, "tab character") {
		// The parser names the line before the tab; the tab itself is
		// the first one in an indentation from there on.
		lines := strings.Split(string(data), "\n")
		for i := max(p.Line-1, 0); i < len(lines); i++ {
			indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			if j := strings.IndexByte(indent, '\t'); j >= 0 {
				p.Line, p.Column = i+1, j+1
				p.Hint = "indent with spaces: YAML does not allow tabs there"
				break
			}
		}
	}
	return p
}

type reader struct {
	problems []finding.Finding
}

func (r *reader) add(n *yaml.Node, code finding.Code, ptr, msg, hint string) {
	r.problems = append(r.problems, finding.Finding{Code: code, Severity: finding.SeverityOf(code), Line: n.Line, Column: n.Column, Pointer: ptr, Message: msg, Hint: hint})
}

// value converts node n, at pointer ptr where the schema expects f (nil
// when the schema does not know the place), into a generic value.
func (r *reader) value(n *yaml.Node, f *shape.Field, ptr string, depth int) any {
	if depth > MaxDepth {
		r.add(n, finding.YAMLSyntax, ptr, fmt.Sprintf("the data is nested more than %d levels deep", MaxDepth),
			"the case format needs far fewer levels; check the indentation")
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		r.add(n, finding.YAMLFeature, ptr, fmt.Sprintf("*%s repeats a value from elsewhere (a YAML alias); a case file writes every value out", n.Value),
			"replace the alias with the value itself")
		return nil
	case yaml.MappingNode:
		return r.mapping(n, f, ptr, depth)
	case yaml.SequenceNode:
		var items *shape.Field
		if f != nil && f.Kind == shape.Array {
			items = f.Items
		}
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			out = append(out, r.value(c, items, ptr+"/"+strconv.Itoa(i), depth+1))
		}
		return out
	case yaml.ScalarNode:
		if customTag(n) {
			r.add(n, finding.YAMLFeature, ptr, fmt.Sprintf("the tag %s is not used in case files", n.Tag),
				"remove the tag; write the value alone")
		}
		return scalar(n, f)
	}
	r.add(n, finding.YAMLSyntax, ptr, "a value of an unknown kind", "")
	return nil
}

func (r *reader) mapping(n *yaml.Node, f *shape.Field, ptr string, depth int) any {
	out := make(map[string]any, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			r.add(k, finding.YAMLSyntax, ptr, "a field name must be plain text, not a list or a block",
				"write the field name followed by a colon")
			continue
		}
		if k.Tag == "!!merge" {
			r.add(k, finding.YAMLFeature, ptr, "'<<' merges fields from elsewhere (a YAML merge key); a case file writes every field out",
				"replace the merge with the fields themselves")
			continue
		}
		name := k.Value
		child := ptr + "/" + escapeToken(name)
		if first, dup := seen[name]; dup {
			r.add(k, finding.YAMLDupKey, child,
				fmt.Sprintf("field %q appears twice in the same block (first on line %d); a YAML reader silently keeps only one of them", name, first.Line),
				"keep one and delete the other, after checking which value is right")
		}
		seen[name] = k
		var pf *shape.Field
		if f != nil {
			pf = f.Prop(name)
		}
		out[name] = r.value(v, pf, child, depth+1)
	}
	return out
}

// customTag reports an explicit tag other than YAML's own (!!str, !!int…).
func customTag(n *yaml.Node) bool {
	return n.Style&yaml.TaggedStyle != 0 && !strings.HasPrefix(n.Tag, "!!")
}

var (
	intRE    = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
	numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

// scalar types a scalar by what the schema expects at its place. Only an
// unquoted null (~, null, or nothing) is not text where text is expected;
// numbers and booleans are taken only in JSON's own spelling, so that
// "017", "1e3" for a whole number, or "yes" for true stay as written and
// are reported by validation instead of being changed.
func scalar(n *yaml.Node, f *shape.Field) any {
	quoted := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if !quoted && n.ShortTag() == "!!null" {
		return nil
	}
	s := n.Value
	kind := shape.Any
	if f != nil {
		kind = f.Kind
	}
	if n.Style&yaml.TaggedStyle != 0 {
		// An explicit tag (!!int 17, !!str 17) says what the writer meant.
		switch n.ShortTag() {
		case "!!str":
			return s
		case "!!null":
			return nil
		case "!!int", "!!float":
			kind = shape.Number
		case "!!bool":
			kind = shape.Boolean
		}
	} else if quoted {
		return s
	}
	switch kind {
	case shape.String:
		return s
	case shape.Integer:
		if intRE.MatchString(s) {
			return json.Number(s)
		}
		return s
	case shape.Number:
		if numberRE.MatchString(s) {
			return json.Number(s)
		}
		return s
	case shape.Boolean:
		if b, ok := boolWord(s); ok {
			return b
		}
		return s
	}
	// A place the schema does not type (an unknown field, or a scalar
	// where a list or block belongs): keep JSON's literals, text otherwise,
	// so the finding quotes what was written.
	if b, ok := boolWord(s); ok {
		return b
	}
	if numberRE.MatchString(s) {
		return json.Number(s)
	}
	return s
}

// boolWord accepts YAML 1.2's spellings of true and false, nothing else.
func boolWord(s string) (bool, bool) {
	switch s {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// Position returns the line and column of the value at pointer (or of its
// field name when key is set), following the pointer as far as it leads.
func (d *Doc) Position(pointer string, key bool) (line, col int) {
	n := d.root
	if n == nil {
		return 1, 1
	}
	line, col = n.Line, n.Column
	for _, tok := range splitPointer(pointer) {
		var next, keyNode *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			// The last of duplicate fields is the one kept, as in Read.
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					keyNode, next = n.Content[i], n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return line, col
		}
		n = next
		line, col = n.Line, n.Column
		if key && keyNode != nil {
			line, col = keyNode.Line, keyNode.Column
		}
	}
	if !key {
		line, col = n.Line, n.Column
	}
	return line, col
}

// splitPointer splits an RFC 6901 pointer into unescaped tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func invalidUTF8(data []byte, max int) []int {
	var out []int
	for i := 0; i < len(data) && len(out) < max; {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			out = append(out, i)
			i++
			continue
		}
		i += n
	}
	return out
}

// position is the 1-based line and character column of byte offset off.
func position(data []byte, off int) (line, col int) {
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:off], []byte{'\n'}) + 1, utf8.RuneCount(data[start:off]) + 1
}

// Place sets a finding's line and column from its pointer (schema.Form).
// A missing member is shown at its object.
func (d *Doc) Place(f *finding.Finding, key bool, _ string) {
	f.Line, f.Column = d.Position(f.Pointer, key)
}
