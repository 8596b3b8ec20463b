package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
)

// Limits of what the loader accepts. A case file is data typed by people, not
// a media file: anything larger or deeper is a mistake or an attack.
const (
	// MaxCaseSize is the largest case.json accepted, in bytes (256 MiB:
	// room for ~1,000,000 persons).
	MaxCaseSize = 256 << 20
	// MaxDepth is the deepest nesting of objects and arrays accepted; the
	// schema itself needs 8.
	MaxDepth = 64
)

// maxCaseSize is MaxCaseSize, lowered by tests.
var maxCaseSize = MaxCaseSize

// CaseFileName is the name of the case data file inside a case folder.
const CaseFileName = "case.json"

// Document is a loaded case file: its bytes, the generic value the schema
// validator reads, and the typed Case (decoded as far as the data allows).
type Document struct {
	Path string // the case file's path as the user gave it (messages use it)
	Dir  string // the case folder: evidence paths are relative to it
	Data []byte // the case as JSON: the file's bytes, or Canonical for another form
	// Value is the generic tree; Validate lets it go as it builds Case,
	// unless Options.KeepTree.
	Value any
	// Parts, set instead of Value, holds the tree of a case read from
	// another form in pieces, for Validate to check and decode one item at
	// a time (parts.go); Validate lets it go.
	Parts Parts
	Case  *Case
	// Form is the form other than JSON the case was read from (YAML, a
	// workbook), which places its findings; nil for case.json, whose
	// findings are located in Data.
	Form Form

	lines   []int       // byte offsets of line starts, built on first use
	numbers []badNumber // numbers the typed model could not hold (decodeTyped)
}

// Form is a case file in a form other than JSON, as far as validation
// needs it: it places each finding at its line and column, or sheet and
// cell, in that form.
type Form interface {
	// Place sets f's location from f.Pointer. key says the finding is
	// about the member's name rather than its value; member names the
	// missing member of the object f.Pointer names, if that is what f is
	// about.
	Place(f *finding.Finding, key bool, member string)
}

// errTooBig is readCase's way of saying the file is over MaxCaseSize.
var errTooBig = errors.New("case file too large")

// tooBig is the document and finding for a file over the size cap.
func tooBig(file string) (*Document, []finding.Finding) {
	doc := &Document{Path: file, Dir: filepath.Dir(file)}
	return doc, []finding.Finding{doc.finding(finding.JSONTooBig, 0, "",
		fmt.Sprintf("the file is larger than %d MiB, the most casepack reads", maxCaseSize>>20),
		"split the case into several submissions, or check that this is the right file")}
}

// ErrNotFound is returned by Load when the case folder or file does not exist.
var ErrNotFound = errors.New("no case found")

// Load reads a case folder (holding case.json) or a case.json file. The
// error is for I/O only; problems in the data come back as findings, with
// syntax problems (after which nothing else can be checked) first.
func Load(path string) (*Document, []finding.Finding, error) {
	file, data, err := readCase(path)
	if errors.Is(err, errTooBig) {
		doc, fs := tooBig(file)
		return doc, fs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, findings := Parse(file, data)
	doc.Dir = filepath.Dir(file)
	return doc, findings, nil
}

// readCase resolves a case folder or file and reads it, capped.
func readCase(path string) (string, []byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil, fmt.Errorf("%s: %w", path, ErrNotFound)
		}
		return "", nil, fault.IO(path, err)
	}
	file := path
	if fi.IsDir() {
		file = filepath.Join(path, CaseFileName)
	}
	// Opened without blocking, checked before reading: a FIFO or a device
	// named case.json is refused rather than waited on.
	f, err := source.Open(file)
	if errors.Is(err, source.ErrNotRegular) {
		return "", nil, fmt.Errorf("%s is not a file: the case data must be a file named %s", file, CaseFileName)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", nil, fmt.Errorf("%s: no %s in this folder: %w", path, CaseFileName, ErrNotFound)
		}
		return "", nil, fault.IO(file, err)
	}
	defer f.Close()
	size := f.Info().Size()
	if size > int64(maxCaseSize) {
		// Refuse before reading: nothing that large is case data.
		return file, nil, errTooBig
	}
	// One buffer of the file's size: io.ReadAll would grow (copy and
	// clear) its way there, a third of the read's time for a large case.
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, int64(maxCaseSize)+1)); err != nil {
		return "", nil, fault.IO(file, err)
	}
	return file, buf.Bytes(), nil
}

// Parse parses case data. It rejects what encoding/json would let through
// silently: duplicate keys (the standard decoder keeps the last, which in
// evidence data hides an edit), invalid UTF-8, trailing data, and inputs over
// MaxCaseSize or deeper than MaxDepth. The returned Document is always
// non-nil; its Value and Case are nil when the JSON could not be parsed.
func Parse(path string, data []byte) (*Document, []finding.Finding) {
	doc, fs := parseGeneric(path, data)
	if doc.Value != nil {
		// Nothing to interrupt: decoding is a fraction of the parse.
		_ = doc.decodeTyped(context.Background())
	}
	return doc, fs
}

// parseGeneric is Parse without the typed model.
func parseGeneric(path string, data []byte) (*Document, []finding.Finding) {
	doc := &Document{Path: path, Data: data}
	if len(data) > maxCaseSize {
		doc, fs := tooBig(path)
		doc.Data = data
		return doc, fs
	}
	// utf8.Valid is a fraction of invalidUTF8's time; only a file that
	// fails it is searched for where.
	if !utf8.Valid(data) {
		var out []finding.Finding
		for _, off := range invalidUTF8(data, 10) {
			out = append(out, doc.finding(finding.JSONUTF8, off, "",
				fmt.Sprintf("byte 0x%02x is not valid UTF-8 text", data[off]),
				"save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"))
		}
		return doc, out
	}
	p := parser{data: data, doc: doc}
	p.skipBOM()
	if len(data) >= splitMin {
		if v, ok := parseSplit(context.Background(), data, p.pos); ok {
			doc.Value = v
			return doc, nil
		}
	}
	p.ws()
	v, err := p.value(0)
	if err == nil {
		p.ws()
		if p.pos < len(data) {
			err = p.errAt(p.pos, finding.JSONTrailing, "there is more data after the end of the case object",
				"remove what follows the last closing brace '}'")
		}
	}
	if err != nil {
		var f *findingError
		if errors.As(err, &f) {
			return doc, append(p.dups, f.f)
		}
		return doc, append(p.dups, doc.finding(finding.JSONSyntax, p.pos, "", err.Error(), ""))
	}
	doc.Value = v
	return doc, p.dups
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

// parser is a small recursive-descent JSON parser that knows where it is.
type parser struct {
	data []byte
	pos  int
	doc  *Document
	dups []finding.Finding
	path []pathTok // where the parser is, for messages; built into a pointer only when needed
	// members holds the members of the objects being parsed, innermost
	// last, until each object is complete and its map can be made at its
	// size: a map grown member by member rehashes on the way, which was
	// most of the parse's time.
	members []member
}

// member is one member of an object being parsed.
type member struct {
	key   string
	value any
}

// dupScan is how many members of one object are compared one by one for a
// repeated name; an object with more gets a set of its names (so a huge
// object costs no more than a map).
const dupScan = 16

type pathTok struct {
	key string
	idx int // -1 for an object member
}

func (p *parser) pointer() string {
	var b []byte
	for _, t := range p.path {
		b = append(b, '/')
		if t.idx < 0 {
			b = append(b, escapeToken(t.key)...)
		} else {
			b = strconv.AppendInt(b, int64(t.idx), 10)
		}
	}
	return string(b)
}

func (p *parser) skipBOM() {
	if bytes.HasPrefix(p.data, []byte("\xef\xbb\xbf")) {
		p.pos = 3
	}
}

func (p *parser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) errAt(off int, code finding.Code, msg, hint string) error {
	return &findingError{p.doc.finding(code, off, p.pointer(), msg, hint)}
}

func (p *parser) syntax(msg string) error {
	if p.pos >= len(p.data) {
		return p.errAt(len(p.data), finding.JSONSyntax, "the file ends too early: "+msg,
			"check for a missing closing brace '}', bracket ']' or quote")
	}
	return p.errAt(p.pos, finding.JSONSyntax, fmt.Sprintf("unexpected %s: %s", describeByte(p.data[p.pos]), msg),
		"check for a missing comma, quote or bracket just before this point")
}

func describeByte(b byte) string {
	switch {
	case b == '"':
		return "quote"
	case b < 0x20 || b == 0x7f:
		return fmt.Sprintf("control character 0x%02x", b)
	case b >= 0x80:
		return "character"
	default:
		return fmt.Sprintf("%q", rune(b))
	}
}

func (p *parser) value(depth int) (any, error) {
	if depth > MaxDepth {
		return nil, p.errAt(p.pos, finding.JSONDepth, fmt.Sprintf("the data is nested more than %d levels deep", MaxDepth),
			"the case format needs far fewer levels; check for runaway brackets")
	}
	if p.pos >= len(p.data) {
		return nil, p.syntax("expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.lit("true")
	case c == 'f':
		return false, p.lit("false")
	case c == 'n':
		return nil, p.lit("null")
	default:
		return nil, p.syntax("expected a value (text in quotes, a number, true, false, null, an object or a list)")
	}
}

func (p *parser) lit(s string) error {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(s)) {
		return p.syntax("expected " + s)
	}
	p.pos += len(s)
	return nil
}

func (p *parser) object(depth int) (any, error) {
	p.pos++ // {
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return map[string]any{}, nil
	}
	first := len(p.members)
	defer func() {
		clear(p.members[first:]) // let the values go with their tree
		p.members = p.members[:first]
	}()
	var names map[string]bool // once the object has more than dupScan members
	for {
		p.ws()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.syntax("expected a property name in double quotes")
		}
		keyOff := p.pos
		key, err := p.text()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.syntax("expected ':' after the property name")
		}
		p.pos++
		p.ws()
		p.path = append(p.path, pathTok{key: key, idx: -1})
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.seen(first, &names, key) {
			p.dups = append(p.dups, p.doc.finding(finding.JSONDupKey, keyOff, p.pointer(),
				fmt.Sprintf("property %q appears twice in the same object; a JSON reader silently keeps only one of them", key),
				"keep one and delete the other, after checking which value is right"))
		}
		p.members = append(p.members, member{key, v})
		p.path = p.path[:len(p.path)-1]
		p.ws()
		if p.pos >= len(p.data) {
			return nil, p.syntax("expected ',' or '}'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			ms := p.members[first:]
			m := make(map[string]any, len(ms))
			for _, mb := range ms {
				m[mb.key] = mb.value // the last of repeated names wins
			}
			return m, nil
		default:
			return nil, p.syntax("expected ',' or '}' after a property")
		}
	}
}

// seen reports whether the object whose members start at first already has
// a member named key.
func (p *parser) seen(first int, names *map[string]bool, key string) bool {
	ms := p.members[first:]
	if *names == nil {
		for _, mb := range ms {
			if mb.key == key {
				return true
			}
		}
		if len(ms) < dupScan {
			return false
		}
		*names = make(map[string]bool, 2*len(ms))
		for _, mb := range ms {
			(*names)[mb.key] = true
		}
	}
	if (*names)[key] {
		return true
	}
	(*names)[key] = true
	return false
}

func (p *parser) array(depth int) (any, error) {
	p.pos++ // [
	a := []any{}
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return a, nil
	}
	for {
		p.ws()
		p.path = append(p.path, pathTok{idx: len(a)})
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.path = p.path[:len(p.path)-1]
		a = append(a, v)
		p.ws()
		if p.pos >= len(p.data) {
			return nil, p.syntax("expected ',' or ']'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, p.syntax("expected ',' or ']' after a list item")
		}
	}
}

// str parses a string at p.pos (which holds the opening quote) as a value.
func (p *parser) str() (any, error) {
	s, err := p.text()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// text parses a string at p.pos (which holds the opening quote): a member
// name is never boxed as a value.
func (p *parser) text() (string, error) {
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !escaped {
				// The document's bytes are never modified after parsing, so
				// strings can share them instead of copying (a large case
				// holds millions of strings).
				n := p.pos - 1 - (start + 1)
				if n == 0 {
					return "", nil
				}
				return unsafe.String(&p.data[start+1], n), nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				p.pos = start
				return "", p.syntax("invalid escape sequence in text")
			}
			return s, nil
		case c == '\\':
			escaped = true
			if p.pos+1 >= len(p.data) {
				p.pos++
				return "", p.syntax("unfinished escape sequence")
			}
			switch p.data[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if p.pos+6 > len(p.data) || !isHex4(p.data[p.pos+2:p.pos+6]) {
					return "", p.syntax(`\u must be followed by four hexadecimal digits`)
				}
				p.pos += 6
			default:
				return "", p.syntax(`invalid escape: use \" \\ \/ \b \f \n \r \t or \uXXXX`)
			}
		case c < 0x20:
			return "", p.syntax(`a line break or tab inside text must be written as \n or \t`)
		default:
			p.pos++
		}
	}
	return "", p.syntax("unterminated text: a closing quote is missing")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *parser) number() (any, error) {
	start := p.pos
	d := p.data
	if d[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(d) && d[p.pos] == '0' {
		p.pos++
		if p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			return nil, p.syntax("a number may not start with 0 (write 7, not 07; put codes in quotes)")
		}
	} else if digits() == 0 {
		return nil, p.syntax("expected a digit")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.syntax("expected a digit after the decimal point")
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.syntax("expected a digit in the exponent")
		}
	}
	return json.Number(d[start:p.pos]), nil
}

// escapeToken escapes a JSON Pointer reference token (RFC 6901).
func escapeToken(s string) string {
	if !bytes.ContainsAny([]byte(s), "~/") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			b = append(b, "~0"...)
		case '/':
			b = append(b, "~1"...)
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

// position converts a byte offset into a 1-based line and a 1-based column
// counted in characters (runes), as editors show them.
func (d *Document) position(off int) (line, col int) {
	if d.lines == nil {
		d.lines = []int{0}
		for i, b := range d.Data {
			if b == '\n' {
				d.lines = append(d.lines, i+1)
			}
		}
	}
	if off > len(d.Data) {
		off = len(d.Data)
	}
	// binary search for the last line start <= off
	lo, hi := 0, len(d.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, utf8.RuneCount(d.Data[d.lines[lo]:off]) + 1
}
