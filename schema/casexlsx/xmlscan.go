package casexlsx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// A small pull scanner for the XML of a workbook's parts. It reads the
// subset SpreadsheetML uses (elements, attributes, text, character and the
// five predefined entity references, CDATA, comments, processing
// instructions) and refuses document type declarations, so no entity can
// expand. encoding/xml reads the same text about ten times slower, which on
// a 100,000-row register is the difference between a second and ten.

type tokKind int

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

// maxText caps one text node (a cell holds at most 32,767 characters;
// anything far longer is not a workbook casepack can use).
const maxText = 4 << 20

var errXML = errors.New("the workbook's XML is damaged")

type attr struct {
	name  []byte // local name, without any prefix
	value []byte // decoded
}

type scanner struct {
	r     *bufio.Reader
	kind  tokKind
	name  []byte // local name of a start or end element
	empty bool   // the start element closes itself (<c/>)
	attrs []attr
	text  []byte // decoded text of a text token
	err   error

	nameBuf, attrBuf []byte
	spans            []span
}

// span locates an attribute's name and value in attrBuf.
type span struct{ n0, n1, v0, v1 int }

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

func (s *scanner) fail(format string, a ...any) tokKind {
	if s.err == nil {
		s.err = fmt.Errorf("%w: %s", errXML, fmt.Sprintf(format, a...))
	}
	s.kind = tokEOF
	return tokEOF
}

// next advances to the next token and returns its kind.
func (s *scanner) next() tokKind {
	if s.err != nil {
		return tokEOF
	}
	s.text = s.text[:0]
	for {
		// Fast path: a run of plain text (no reference, no CR) in the
		// buffer is taken whole.
		if buf, _ := s.r.Peek(s.r.Buffered()); len(buf) > 0 && buf[0] != '<' {
			if n := plainText(buf); n > 0 {
				s.text = append(s.text, buf[:n]...)
				s.r.Discard(n)
				if len(s.text) > maxText {
					return s.fail("a text longer than %d bytes", maxText)
				}
				continue
			}
		}
		b, err := s.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				if len(s.text) > 0 {
					s.kind = tokText
					return tokText
				}
				s.kind = tokEOF
				return tokEOF
			}
			s.err = err
			return tokEOF
		}
		if b != '<' {
			if err := s.textByte(b); err != nil {
				return s.fail("%v", err)
			}
			continue
		}
		if len(s.text) > 0 {
			// Give the text first; the '<' is read again next time.
			if err := s.r.UnreadByte(); err != nil {
				return s.fail("%v", err)
			}
			s.kind = tokText
			return tokText
		}
		c, err := s.r.ReadByte()
		if err != nil {
			return s.fail("a tag is cut off")
		}
		switch c {
		case '?':
			if !s.skipPast("?>") {
				return s.fail("an unfinished processing instruction")
			}
		case '!':
			if k, ok := s.bang(); !ok {
				return tokEOF
			} else if k == tokText {
				s.kind = tokText
				return tokText
			}
		case '/':
			if !s.readName(0) {
				return s.fail("an end tag without a name")
			}
			s.skipSpace()
			if c, err := s.r.ReadByte(); err != nil || c != '>' {
				return s.fail("an end tag is not closed")
			}
			s.kind = tokEnd
			return tokEnd
		default:
			if !s.readName(c) {
				return s.fail("a tag without a name")
			}
			if !s.readAttrs() {
				return tokEOF
			}
			s.kind = tokStart
			return tokStart
		}
	}
}

// bang handles what follows "<!": a comment, CDATA or (refused) a DTD.
func (s *scanner) bang() (tokKind, bool) {
	peek, _ := s.r.Peek(7)
	switch {
	case bytes.HasPrefix(peek, []byte("--")):
		s.r.Discard(2)
		if !s.skipPast("-->") {
			s.fail("an unfinished comment")
			return tokEOF, false
		}
		return tokEOF, true
	case bytes.HasPrefix(peek, []byte("[CDATA[")):
		s.r.Discard(7)
		for {
			b, err := s.r.ReadByte()
			if err != nil {
				s.fail("an unfinished CDATA section")
				return tokEOF, false
			}
			s.text = append(s.text, b)
			if bytes.HasSuffix(s.text, []byte("]]>")) {
				s.text = s.text[:len(s.text)-3]
				return tokText, true
			}
			if len(s.text) > maxText {
				s.fail("a text longer than %d bytes", maxText)
				return tokEOF, false
			}
		}
	}
	s.fail("a document type declaration, which workbooks never need")
	return tokEOF, false
}

func (s *scanner) skipPast(end string) bool {
	matched := 0
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return false
		}
		switch {
		case b == end[matched]:
			matched++
			if matched == len(end) {
				return true
			}
		case b == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}

func (s *scanner) skipSpace() {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return
		}
		if !isSpace(b) {
			s.r.UnreadByte()
			return
		}
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isNameByte(b byte) bool {
	return b != '>' && b != '/' && b != '=' && !isSpace(b) && b != '<' && b != '"' && b != '\''
}

// readName reads an element name (first is its first byte, already read,
// or 0) and keeps its local part.
func (s *scanner) readName(first byte) bool {
	s.nameBuf = s.nameBuf[:0]
	if first != 0 {
		s.nameBuf = append(s.nameBuf, first)
	}
	// Fast path: the name ends within the buffer.
	if buf, _ := s.r.Peek(s.r.Buffered()); len(buf) > 0 {
		i := 0
		for i < len(buf) && i <= 256 && isNameByte(buf[i]) {
			i++
		}
		if i < len(buf) && i <= 256 {
			s.nameBuf = append(s.nameBuf, buf[:i]...)
			s.r.Discard(i)
			if len(s.nameBuf) == 0 || len(s.nameBuf) > 256 {
				return false
			}
			s.name = local(s.nameBuf)
			return true
		}
	}
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return false
		}
		if !isNameByte(b) {
			s.r.UnreadByte()
			break
		}
		s.nameBuf = append(s.nameBuf, b)
		if len(s.nameBuf) > 256 {
			return false
		}
	}
	if len(s.nameBuf) == 0 {
		return false
	}
	s.name = local(s.nameBuf)
	return true
}

func local(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// plainText is the length of the text at the start of buf up to the
// first '<', '&' or CR (which the byte-by-byte path handles).
func plainText(buf []byte) int {
	n := bytes.IndexByte(buf, '<')
	if n < 0 {
		n = len(buf)
	}
	if i := bytes.IndexByte(buf[:n], '&'); i >= 0 {
		n = i
	}
	if i := bytes.IndexByte(buf[:n], '\r'); i >= 0 {
		n = i
	}
	return n
}

// cellText is the fast path of a cell's value: the rest of a <c> element
// whose start was just read, in the forms workbooks write —
// <v>TEXT</v></c>, or <is><t>TEXT</t></is></c> with or without
// xml:space="preserve" on the <t> — with plain TEXT (no reference, CR or
// markup), all in the reader's buffer, is appended to into and consumed.
// Anything else gives false with nothing consumed, for the token by token
// path (cellValue).
func (s *scanner) cellText(into []byte) ([]byte, bool) {
	buf, _ := s.r.Peek(s.r.Buffered())
	var open int
	var end string
	switch {
	case bytes.HasPrefix(buf, []byte("<v>")):
		open, end = len("<v>"), "</v></c>"
	case bytes.HasPrefix(buf, []byte("<is><t>")):
		open, end = len("<is><t>"), "</t></is></c>"
	case bytes.HasPrefix(buf, []byte(`<is><t xml:space="preserve">`)):
		open, end = len(`<is><t xml:space="preserve">`), "</t></is></c>"
	default:
		return into, false
	}
	rest := buf[open:]
	n := plainText(rest)
	if !bytes.HasPrefix(rest[n:], []byte(end)) {
		return into, false
	}
	into = append(into, rest[:n]...)
	s.r.Discard(open + n + len(end))
	return into, true
}

// readAttrs reads the attributes of a start tag up to its '>' or '/>'.
func (s *scanner) readAttrs() bool {
	s.attrs = s.attrs[:0]
	s.attrBuf = s.attrBuf[:0]
	s.empty = false
	spans := s.spans[:0]
	defer func() { s.spans = spans[:0] }()
	if n, ok := s.tagInBuffer(spans); ok {
		spans = s.spans
		s.r.Discard(n)
		return s.decodeAttrs(spans)
	}
	s.attrBuf = s.attrBuf[:0]
	s.empty = false
	for {
		s.skipSpace()
		b, err := s.r.ReadByte()
		if err != nil {
			s.fail("a tag is cut off")
			return false
		}
		if b == '>' {
			break
		}
		if b == '/' {
			if c, err := s.r.ReadByte(); err != nil || c != '>' {
				s.fail("a '/' inside a tag")
				return false
			}
			s.empty = true
			break
		}
		var sp span
		sp.n0 = len(s.attrBuf)
		s.attrBuf = append(s.attrBuf, b)
		for {
			c, err := s.r.ReadByte()
			if err != nil {
				s.fail("a tag is cut off")
				return false
			}
			if !isNameByte(c) {
				s.r.UnreadByte()
				break
			}
			s.attrBuf = append(s.attrBuf, c)
			if len(s.attrBuf)-sp.n0 > 256 {
				s.fail("an attribute name is too long")
				return false
			}
		}
		sp.n1 = len(s.attrBuf)
		s.skipSpace()
		if c, err := s.r.ReadByte(); err != nil || c != '=' {
			s.fail("an attribute without a value")
			return false
		}
		s.skipSpace()
		q, err := s.r.ReadByte()
		if err != nil || (q != '"' && q != '\'') {
			s.fail("an attribute value without quotes")
			return false
		}
		sp.v0 = len(s.attrBuf)
		// Fast path: the whole value is in the buffer.
		if buf, _ := s.r.Peek(s.r.Buffered()); len(buf) > 0 {
			if i := bytes.IndexByte(buf, q); i >= 0 && i <= maxText && bytes.IndexByte(buf[:i], '<') < 0 {
				s.attrBuf = append(s.attrBuf, buf[:i]...)
				s.r.Discard(i + 1)
				sp.v1 = len(s.attrBuf)
				spans = append(spans, sp)
				if len(spans) > 64 {
					s.fail("too many attributes")
					return false
				}
				continue
			}
		}
		for {
			c, err := s.r.ReadByte()
			if err != nil {
				s.fail("an attribute value is cut off")
				return false
			}
			if c == q {
				break
			}
			if c == '<' {
				s.fail("a '<' inside an attribute value")
				return false
			}
			s.attrBuf = append(s.attrBuf, c)
			if len(s.attrBuf)-sp.v0 > maxText {
				s.fail("an attribute value is too long")
				return false
			}
		}
		sp.v1 = len(s.attrBuf)
		spans = append(spans, sp)
		if len(spans) > 64 {
			s.fail("too many attributes")
			return false
		}
	}
	return s.decodeAttrs(spans)
}

// tagInBuffer is the fast path of readAttrs: a tag that ends within the
// reader's buffer, in the usual form (name="value" pairs with names and
// values within the limits), is read from the buffer without consuming
// it; n is its length up to and including its '>'. Anything else (a tag
// cut by the buffer's end, a malformed or oversized one) gives false, and
// the byte-by-byte path reads it, with its errors. The spans are left in
// s.spans.
func (s *scanner) tagInBuffer(spans []span) (n int, ok bool) {
	defer func() { s.spans = spans }()
	buf, _ := s.r.Peek(s.r.Buffered())
	i := 0
	for {
		for i < len(buf) && isSpace(buf[i]) {
			i++
		}
		if i >= len(buf) {
			return 0, false
		}
		switch buf[i] {
		case '>':
			return i + 1, true
		case '/':
			if i+1 < len(buf) && buf[i+1] == '>' {
				s.empty = true
				return i + 2, true
			}
			return 0, false
		}
		n0 := i
		for i < len(buf) && isNameByte(buf[i]) {
			i++
		}
		n1 := i
		if n1 == n0 || n1-n0 > 256 {
			return 0, false
		}
		for i < len(buf) && isSpace(buf[i]) {
			i++
		}
		if i >= len(buf) || buf[i] != '=' {
			return 0, false
		}
		i++
		for i < len(buf) && isSpace(buf[i]) {
			i++
		}
		if i >= len(buf) || (buf[i] != '"' && buf[i] != '\'') {
			return 0, false
		}
		q := buf[i]
		i++
		j := bytes.IndexByte(buf[i:], q)
		if j < 0 || j > maxText || bytes.IndexByte(buf[i:i+j], '<') >= 0 || len(spans) == 64 {
			return 0, false
		}
		var sp span
		sp.n0 = len(s.attrBuf)
		s.attrBuf = append(s.attrBuf, buf[n0:n1]...)
		sp.n1 = len(s.attrBuf)
		sp.v0 = sp.n1
		s.attrBuf = append(s.attrBuf, buf[i:i+j]...)
		sp.v1 = len(s.attrBuf)
		spans = append(spans, sp)
		i += j + 1
	}
}

// decodeAttrs resolves the references in the attributes' values and sets
// s.attrs.
func (s *scanner) decodeAttrs(spans []span) bool {
	for _, sp := range spans {
		v := s.attrBuf[sp.v0:sp.v1]
		if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			dec, err := decodeText(v, true)
			if err != nil {
				s.fail("%v", err)
				return false
			}
			v = dec
		}
		s.attrs = append(s.attrs, attr{name: local(s.attrBuf[sp.n0:sp.n1]), value: v})
	}
	return true
}

// textByte adds one byte of character data, resolving references and the
// XML line-end rule (a CR, or CR LF, is read as LF).
func (s *scanner) textByte(b byte) error {
	switch b {
	case '&':
		ref := []byte{'&'}
		for len(ref) < 12 {
			c, err := s.r.ReadByte()
			if err != nil {
				return errors.New("a character reference is cut off")
			}
			ref = append(ref, c)
			if c == ';' {
				break
			}
		}
		r, ok := entity(ref)
		if !ok {
			return fmt.Errorf("an unknown reference %q", ref)
		}
		s.text = utf8.AppendRune(s.text, r)
	case '\r':
		if c, err := s.r.ReadByte(); err == nil && c != '\n' {
			s.r.UnreadByte()
		}
		s.text = append(s.text, '\n')
	default:
		s.text = append(s.text, b)
	}
	if len(s.text) > maxText {
		return fmt.Errorf("a text longer than %d bytes", maxText)
	}
	return nil
}

// entity resolves "&…;".
func entity(ref []byte) (rune, bool) {
	if len(ref) < 3 || ref[len(ref)-1] != ';' {
		return 0, false
	}
	body := string(ref[1 : len(ref)-1])
	switch body {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(body) > 1 && body[0] == '#' {
		var n uint64
		var err error
		if body[1] == 'x' || body[1] == 'X' {
			n, err = strconv.ParseUint(body[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(body[1:], 10, 32)
		}
		if err != nil || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
			return 0, false
		}
		return rune(n), true
	}
	return 0, false
}

// decodeText resolves references in an attribute value (attr: whitespace
// characters are read as spaces, as XML's attribute normalisation says).
func decodeText(v []byte, attrValue bool) ([]byte, error) {
	var out []byte
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '&':
			j := bytes.IndexByte(v[i:], ';')
			if j < 0 || j > 12 {
				return nil, errors.New("a broken character reference")
			}
			r, ok := entity(v[i : i+j+1])
			if !ok {
				return nil, fmt.Errorf("an unknown reference %q", v[i:i+j+1])
			}
			out = utf8.AppendRune(out, r)
			i += j
		case attrValue && (c == '\r' || c == '\n' || c == '\t'):
			if c == '\r' && i+1 < len(v) && v[i+1] == '\n' {
				i++
			}
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// attr returns the value of the attribute with local name n, or nil.
func (s *scanner) attr(n string) []byte {
	for _, a := range s.attrs {
		if string(a.name) == n {
			return a.value
		}
	}
	return nil
}

// skipElement skips to the end of the element whose start was just read.
func (s *scanner) skipElement() {
	if s.empty {
		return
	}
	depth := 1
	for depth > 0 {
		switch s.next() {
		case tokEOF:
			return
		case tokStart:
			if !s.empty {
				depth++
			}
		case tokEnd:
			depth--
		}
	}
}

// textOf collects the text inside the element whose start was just read:
// all of it for a value (<v>), only that of its <t> elements for a string
// item (<si>, <is>), skipping phonetic runs (<rPh>), whose text is a
// reading aid and not the cell's.
func (s *scanner) textOf(into []byte, onlyT bool) ([]byte, error) {
	if s.empty {
		return into, nil
	}
	depth := 1
	inT := 0 // depth inside a <t>
	rph := 0 // depth inside an <rPh>
	for depth > 0 {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return into, s.err
			}
			return into, fmt.Errorf("%w: a text element is cut off", errXML)
		case tokStart:
			if s.empty {
				continue
			}
			depth++
			switch {
			case rph > 0 || string(s.name) == "rPh":
				rph++
			case inT > 0 || string(s.name) == "t":
				inT++
			}
		case tokEnd:
			depth--
			switch {
			case rph > 0:
				rph--
			case inT > 0:
				inT--
			}
		case tokText:
			if rph == 0 && (!onlyT || inT > 0) {
				into = append(into, s.text...)
				if len(into) > maxText {
					return into, fmt.Errorf("%w: a text longer than %d bytes", errXML, maxText)
				}
			}
		}
	}
	return into, nil
}
