package bag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
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
// (joined with one space), LF, CRLF or CR. What ReadBagInfo notes is
// accepted silently.
func ParseBagInfo(b []byte) ([]Field, error) {
	fields, _, err := ReadBagInfo(b)
	return fields, err
}

// ReadBagInfo is ParseBagInfo that also returns notes on lines it read
// although RFC 8493 writes them otherwise: white space around a label
// ("Label : Value", which BagIt 0.97 tools wrote and readers accept) and
// blank lines. A line without a colon, or a continuation before any label,
// is an error.
func ReadBagInfo(b []byte) ([]Field, []string, error) {
	var (
		fields []Field
		notes  []string
	)
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil, nil, nil
	}
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			notes = append(notes, fmt.Sprintf("line %d is blank", i+1))
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, notes, fmt.Errorf("line %d: continuation line before any label", i+1)
			}
			fields[len(fields)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		label, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(label) == "" {
			return nil, notes, fmt.Errorf("line %d: expected \"Label: Value\"", i+1)
		}
		if t := strings.TrimSpace(label); t != label {
			notes = append(notes, fmt.Sprintf("line %d: label %q has white space before the colon (read as %q)", i+1, label, t))
			label = t
		}
		fields = append(fields, Field{Label: label, Value: strings.TrimSpace(value)})
	}
	return fields, notes, nil
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

// Declaration is what bagit.txt declares: the BagIt version and the
// character encoding of every other tag file.
type Declaration struct {
	Version  string // "1.0", "0.97", …
	Encoding string // as written, e.g. "UTF-8", "ISO-8859-1", "UTF-16"
}

// ReadBagitTxt reads bagit.txt as RFC 8493 §2.1.1 fixes it for every
// version: UTF-8 without a byte-order mark, "BagIt-Version: M.N" and
// "Tag-File-Character-Encoding: ENCODING", labels without surrounding white
// space, an encoding registered with IANA. Which versions a reader supports
// is the caller's choice.
func ReadBagitTxt(b []byte) (Declaration, error) {
	var d Declaration
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		return d, errors.New("bagit.txt starts with a byte-order mark, which BagIt forbids")
	}
	if !utf8.Valid(b) {
		return d, errors.New("bagit.txt is not UTF-8")
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		label, value, ok := strings.Cut(line, ":")
		if !ok {
			return d, fmt.Errorf("line %d: expected \"Label: Value\"", i+1)
		}
		if strings.TrimSpace(label) != label {
			return d, fmt.Errorf("line %d: label %q has white space around it, which BagIt forbids in bagit.txt", i+1, label)
		}
		value = strings.TrimSpace(value)
		switch label {
		case "BagIt-Version":
			d.Version = value
		case "Tag-File-Character-Encoding":
			d.Encoding = value
		}
	}
	if d.Version == "" {
		return d, errors.New("no BagIt-Version")
	}
	if maj, min, ok := strings.Cut(d.Version, "."); !ok || !allDigits(maj) || !allDigits(min) {
		return d, fmt.Errorf("BagIt-Version %q is not a version number (M.N)", d.Version)
	}
	if d.Encoding == "" {
		return d, errors.New("no Tag-File-Character-Encoding")
	}
	if _, err := ianaindex.IANA.Encoding(d.Encoding); err != nil {
		return d, fmt.Errorf("Tag-File-Character-Encoding %q is not a character encoding casepack knows", d.Encoding)
	}
	return d, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsUTF8 reports whether a declared encoding is UTF-8.
func (d Declaration) IsUTF8() bool { return strings.EqualFold(d.Encoding, "UTF-8") }

// DecodeTagFile returns a tag file's text as UTF-8, decoded from the
// encoding bagit.txt declares (RFC 8493 §2.1.1 allows any registered
// one). A UTF-8 byte-order mark is dropped and noted; bytes that are not
// valid in the encoding are an error.
func (d Declaration) DecodeTagFile(b []byte) (text []byte, bom bool, err error) {
	if d.IsUTF8() {
		if rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf")); ok {
			b, bom = rest, true
		}
		if !utf8.Valid(b) {
			return nil, bom, errors.New("is not valid UTF-8")
		}
		return b, bom, nil
	}
	enc, err := ianaindex.IANA.Encoding(d.Encoding)
	if err != nil || enc == nil {
		return nil, false, fmt.Errorf("cannot be decoded from %s", d.Encoding)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return nil, false, fmt.Errorf("is not valid %s: %v", d.Encoding, err)
	}
	return out, false, nil
}

// Reader returns r decoded from the declared encoding to UTF-8, as it is
// read: a manifest is read a line at a time, never whole. UTF-8 is passed
// through (its byte-order mark and validity are the reader's to check).
func (d Declaration) Reader(r io.Reader) io.Reader {
	if d.IsUTF8() {
		return r
	}
	enc, err := ianaindex.IANA.Encoding(d.Encoding)
	if err != nil || enc == nil {
		return r // ReadBagitTxt refuses an encoding it cannot decode
	}
	return transform.NewReader(r, enc.NewDecoder())
}

// ParseBagitTxt checks a casepack package's bagit.txt: BagIt-Version 1.0
// (0.97 also read) and UTF-8 tag files. It returns the version.
func ParseBagitTxt(b []byte) (string, error) {
	d, err := ReadBagitTxt(b)
	if err != nil {
		return d.Version, err
	}
	if d.Version != "1.0" && d.Version != "0.97" {
		return d.Version, fmt.Errorf("BagIt-Version %q not supported (want 1.0)", d.Version)
	}
	if !d.IsUTF8() {
		return d.Version, fmt.Errorf("Tag-File-Character-Encoding %q not supported (want UTF-8)", d.Encoding)
	}
	return d.Version, nil
}
