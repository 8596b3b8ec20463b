package bag

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// BagitTxt is the exact content of bagit.txt in every casepack package.
const BagitTxt = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

// Field is one bag-info.txt label/value pair; order is kept.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Labels Build sets itself and casepack reads back.
const (
	LabelBaggingDate = "Bagging-Date"
	LabelPayloadOxum = "Payload-Oxum"
	LabelExternalID  = "External-Identifier"
	LabelEdition     = "Casepack-Edition"
	LabelVersion     = "Casepack-Version"
	LabelSourceOrg   = "Source-Organization"
)

// MarshalBagInfo writes "Label: Value\n" lines in the given order. Values
// are never folded, so a value must fit on one line; a label must be
// non-empty, without ":" or surrounding white space.
func MarshalBagInfo(fields []Field) ([]byte, error) {
	var buf bytes.Buffer
	for _, f := range fields {
		if f.Label == "" || strings.ContainsAny(f.Label, ":\r\n") || strings.TrimSpace(f.Label) != f.Label {
			return nil, fmt.Errorf("bag-info label %q: must be non-empty, without ':' or line breaks", f.Label)
		}
		if strings.ContainsAny(f.Value, "\r\n") {
			return nil, fmt.Errorf("bag-info %s: value must be on one line", f.Label)
		}
		if strings.TrimSpace(f.Value) != f.Value {
			return nil, fmt.Errorf("bag-info %s: value has leading or trailing white space", f.Label)
		}
		buf.WriteString(f.Label)
		buf.WriteString(": ")
		buf.WriteString(f.Value)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// ParseBagInfo reads bag-info.txt as RFC 8493 §2.2.2 allows others to write
// it: "Label: Value" lines, continuation lines starting with white space
// (joined with one space), LF or CRLF.
func ParseBagInfo(b []byte) ([]Field, error) {
	var fields []Field
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil, nil
	}
	for i, line := range strings.Split(s, "\n") {
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			if len(fields) == 0 {
				return nil, fmt.Errorf("line %d: continuation line before any label", i+1)
			}
			fields[len(fields)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		label, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(label) == "" {
			return nil, fmt.Errorf("line %d: expected \"Label: Value\"", i+1)
		}
		if strings.TrimSpace(label) != label {
			return nil, fmt.Errorf("line %d: label %q has surrounding white space", i+1, label)
		}
		fields = append(fields, Field{Label: label, Value: strings.TrimSpace(value)})
	}
	return fields, nil
}

// Lookup returns the first value of label.
func Lookup(fields []Field, label string) (string, bool) {
	for _, f := range fields {
		if f.Label == label {
			return f.Value, true
		}
	}
	return "", false
}

// Oxum is Payload-Oxum: total payload octets and payload file count.
type Oxum struct {
	Bytes int64
	Files int64
}

func (o Oxum) String() string { return fmt.Sprintf("%d.%d", o.Bytes, o.Files) }

// ParseOxum parses "<octets>.<count>".
func ParseOxum(s string) (Oxum, error) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return Oxum{}, fmt.Errorf("Payload-Oxum %q: expected <octets>.<file count>", s)
	}
	n, err1 := strconv.ParseInt(a, 10, 64)
	c, err2 := strconv.ParseInt(b, 10, 64)
	if err := errors.Join(err1, err2); err != nil || n < 0 || c < 0 {
		return Oxum{}, fmt.Errorf("Payload-Oxum %q: expected <octets>.<file count>", s)
	}
	return Oxum{Bytes: n, Files: c}, nil
}

// ParseBagitTxt checks bagit.txt: BagIt-Version 1.0 (0.97 also read) and
// UTF-8 tag files. It returns the version.
func ParseBagitTxt(b []byte) (string, error) {
	fields, err := ParseBagInfo(b)
	if err != nil {
		return "", err
	}
	v, ok := Lookup(fields, "BagIt-Version")
	if !ok {
		return "", errors.New("no BagIt-Version")
	}
	if v != "1.0" && v != "0.97" {
		return v, fmt.Errorf("BagIt-Version %q not supported (want 1.0)", v)
	}
	enc, ok := Lookup(fields, "Tag-File-Character-Encoding")
	if !ok {
		return v, errors.New("no Tag-File-Character-Encoding")
	}
	if !strings.EqualFold(enc, "UTF-8") {
		return v, fmt.Errorf("Tag-File-Character-Encoding %q not supported (want UTF-8)", enc)
	}
	return v, nil
}
