package caseyaml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/casepack/casepack/schema/shape"
	"go.yaml.in/yaml/v3"
)

// header opens every case.yaml that casepack writes.
const header = `# casepack case file, YAML form: the same fields as case.json (casepack schema
# describes each one). Long texts are blocks after "|", lists are lines starting
# with "- ". Each value is read as its field needs it: 2021-01-08, 007 or no stay
# text where the field is text. Quote a text only when it holds ": " or " #" or
# starts with one of [ ] { } & * ! | > ' " % @ or a backquote.
`

// Write renders a case, given as a generic tree (as a JSON parser or Read
// gives it), as YAML: fields in the schema's order (unknown fields after
// them, sorted), texts quoted wherever a YAML reader could take them for
// something else, multi-line texts as literal blocks. It checks that the
// result reads back as the same tree, and fails rather than write a file
// that would change a value.
func Write(v any) ([]byte, error) {
	n, err := node(v, shape.Root())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("write YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write YAML: %w", err)
	}
	back, problems := Read(b.Bytes())
	if len(problems) > 0 {
		return nil, fmt.Errorf("write YAML: the result does not read back: line %d: %s", problems[0].Line, problems[0].Message)
	}
	if !shape.Equal(back.Value, v) {
		return nil, fmt.Errorf("write YAML: the result does not read back as the same case")
	}
	return b.Bytes(), nil
}

// node builds the YAML node of value v at a place of shape f.
func node(v any, f *shape.Field) (*yaml.Node, error) {
	switch x := v.(type) {
	case nil, bool, json.Number, string:
		n := scalarNode(x)
		if !shape.Equal(scalar(n, f), v) {
			// A value of another kind than the schema expects here (the
			// data is invalid, and stays so): an explicit tag keeps it.
			n.Style |= yaml.TaggedStyle
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		var items *shape.Field
		if f != nil && f.Kind == shape.Array {
			items = f.Items
		}
		for _, item := range x {
			c, err := node(item, items)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, k := range shape.OrderedKeys(x, f) {
			var pf *shape.Field
			if f != nil {
				pf = f.Prop(k)
			}
			c, err := node(x[k], pf)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, stringNode(k), c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("write YAML: cannot write a value of type %T", v)
}

// scalarNode is the node of a scalar as it was written: numbers in their
// own spelling, texts as stringNode says.
func scalarNode(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		s := "false"
		if x {
			s = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: s}
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}
	}
	return stringNode(v.(string))
}

// plainSafe is text that every YAML reader (1.1 or 1.2) takes as text when
// it stands unquoted: it starts with a letter and holds nothing YAML reads
// as structure. The encoder quotes anything else that would change.
var plainSafe = regexp.MustCompile(`^\p{L}[\p{L}\p{N} ._'()/,+-]*$`)

// yaml11Words are words YAML 1.1 readers (PyYAML, older tools) turn into
// booleans or null.
var yaml11Words = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"null": true, "Null": true, "NULL": true,
}

func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.ContainsAny(s, "\r\u0085\u2028\u2029") || hasControl(s):
		// Line breaks other than \n would be read back as \n in a block,
		// and control characters need escapes: double quotes keep both.
		n.Style = yaml.DoubleQuotedStyle
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case s == "" || strings.HasSuffix(s, " ") || !plainSafe.MatchString(s) || yaml11Words[s]:
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff {
			return true
		}
	}
	return false
}

// Entries renders items as the entries of a block sequence ("- id: …"),
// typed and quoted as Write does, for the list collection at the top of
// the case; AppendPoint says where to insert them.
func Entries(items []any, collection string) ([]byte, error) {
	var f *shape.Field
	if p := shape.Root().Prop(collection); p != nil && p.Kind == shape.Array {
		f = p
	}
	n, err := node(items, f)
	if err != nil {
		return nil, err
	}
	n.Style = 0
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("write YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write YAML: %w", err)
	}
	return b.Bytes(), nil
}

// AppendPoint finds where entries go to extend the top-level block
// sequence collection of a case.yaml: the byte offset after its last entry
// (before the comments and blank lines that lead to the next field), and
// the number of spaces before its dashes. ok is false when there is no
// such non-empty block sequence.
func AppendPoint(data []byte, collection string) (at, dash int, ok bool) {
	doc, problems := Read(data)
	if len(problems) > 0 || doc.root == nil || doc.root.Kind != yaml.MappingNode {
		return 0, 0, false
	}
	root := doc.root
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != collection {
			continue
		}
		seq := root.Content[i+1]
		if seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
			return 0, 0, false
		}
		dash = seq.Content[0].Column - 3
		if dash < 0 {
			return 0, 0, false
		}
		lines := lineStarts(data)
		if i+2 >= len(root.Content) {
			return len(data), dash, true
		}
		next := root.Content[i+2].Line // 1-based
		for next > 1 {
			// Blank lines, and comments no deeper than the dashes (a "#"
			// deeper in is text of a block, such as a Markdown heading).
			raw := string(data[lines[next-2]:lines[next-1]])
			l := strings.TrimSpace(raw)
			deep := len(raw)-len(strings.TrimLeft(raw, " ")) > dash
			if l != "" && (!strings.HasPrefix(l, "#") || deep) {
				break
			}
			next--
		}
		return lines[next-1], dash, true
	}
	return 0, 0, false
}

// lineStarts returns the byte offset of each line's start (index 0: line 1).
func lineStarts(data []byte) []int {
	out := []int{0}
	for i, b := range data {
		if b == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}
