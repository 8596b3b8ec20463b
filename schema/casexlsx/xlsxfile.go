package casexlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// Reading an .xlsx file (ECMA-376 SpreadsheetML) as far as a case needs:
// the sheets by name, each as rows of typed cells. Formulas are read by
// their last computed value; formatting other than "is this number a
// date" is ignored.

// Limits on what a workbook may make casepack hold or unpack.
const (
	maxParts       = 10000     // files inside the ZIP
	maxPartSize    = 4 << 30   // one unpacked part
	maxSharedBytes = 512 << 20 // all shared strings together
	maxColumns     = 16384     // Excel's own limit (XFD)
	maxRows        = 1048576   // Excel's own limit
)

// cellKind is what a cell holds.
type cellKind byte

const (
	cellText cellKind = iota
	cellNumber
	cellBool
	cellError
)

// cell is one non-empty cell of a row.
type cell struct {
	col  int // 0-based
	kind cellKind
	text string // the text, the number as stored, "1"/"0", or the error (#N/A)
	date bool   // a number shown as a date or time
}

// book is an open workbook.
type book struct {
	zr       *zip.Reader
	files    map[string]*zip.File
	sheets   []sheetRef // in workbook order
	shared   []string
	dateXF   []bool // by cell style index: the style shows numbers as dates
	date1904 bool
}

type sheetRef struct {
	name string
	part string
}

// openBook reads a workbook's directory, sheet list, shared strings and
// styles; the sheets themselves are streamed by rows.
func openBook(r io.ReaderAt, size int64) (*book, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a workbook (.xlsx is a ZIP file): %w", err)
	}
	if len(zr.File) > maxParts {
		return nil, fmt.Errorf("the file holds %d parts, more than a workbook has", len(zr.File))
	}
	b := &book{zr: zr, files: map[string]*zip.File{}}
	for _, f := range zr.File {
		b.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPart := "xl/workbook.xml"
	if rels, err := b.rels("_rels/.rels", ""); err == nil {
		for _, rel := range rels {
			if strings.HasSuffix(rel.typ, "/officeDocument") {
				wbPart = rel.target
			}
		}
	}
	if b.files[wbPart] == nil {
		if b.files["xl/workbook.xml"] == nil {
			return nil, errors.New("not a workbook: it has no sheet list (xl/workbook.xml)")
		}
		wbPart = "xl/workbook.xml"
	}
	wbRels, err := b.rels(path.Join(path.Dir(wbPart), "_rels", path.Base(wbPart)+".rels"), path.Dir(wbPart))
	if err != nil {
		return nil, err
	}
	byID := map[string]rel{}
	var sharedPart, stylesPart string
	for _, r := range wbRels {
		byID[r.id] = r
		switch {
		case strings.HasSuffix(r.typ, "/sharedStrings"):
			sharedPart = r.target
		case strings.HasSuffix(r.typ, "/styles"):
			stylesPart = r.target
		}
	}
	if err := b.readWorkbook(wbPart, byID); err != nil {
		return nil, err
	}
	if sharedPart != "" {
		if err := b.readShared(sharedPart); err != nil {
			return nil, err
		}
	}
	if stylesPart != "" {
		if err := b.readStyles(stylesPart); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *book) open(part string) (io.ReadCloser, error) {
	f := b.files[part]
	if f == nil {
		return nil, fmt.Errorf("the part %s is missing", part)
	}
	if f.UncompressedSize64 > maxPartSize {
		return nil, fmt.Errorf("the part %s unpacks to more than %d GiB", part, maxPartSize>>30)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", part, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, maxPartSize), rc}, nil
}

type rel struct{ id, typ, target string }

// rels reads a relationships part; targets are resolved against base.
func (b *book) rels(part, base string) ([]rel, error) {
	rc, err := b.open(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []rel
	s := newScanner(rc)
	for k := s.next(); k != tokEOF; k = s.next() {
		if k == tokStart && string(s.name) == "Relationship" {
			t := string(s.attr("Target"))
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join(base, t)
			}
			out = append(out, rel{id: string(s.attr("Id")), typ: string(s.attr("Type")), target: t})
		}
	}
	return out, s.err
}

func (b *book) readWorkbook(part string, byID map[string]rel) error {
	rc, err := b.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc)
	for k := s.next(); k != tokEOF; k = s.next() {
		if k != tokStart {
			continue
		}
		switch string(s.name) {
		case "workbookPr":
			v := string(s.attr("date1904"))
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			r, ok := byID[string(s.attr("id"))]
			if !ok {
				continue
			}
			b.sheets = append(b.sheets, sheetRef{name: string(s.attr("name")), part: r.target})
		}
	}
	return s.err
}

func (b *book) readShared(part string) error {
	rc, err := b.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc)
	total := 0
	var buf []byte
	for k := s.next(); k != tokEOF; k = s.next() {
		if k != tokStart || string(s.name) != "si" {
			continue
		}
		if buf, err = s.textOf(buf[:0], true); err != nil {
			return fmt.Errorf("shared strings: %w", err)
		}
		total += len(buf)
		if total > maxSharedBytes {
			return fmt.Errorf("the shared strings hold more than %d MiB of text", maxSharedBytes>>20)
		}
		b.shared = append(b.shared, unescapeX(buf))
	}
	if s.err != nil {
		return fmt.Errorf("shared strings: %w", s.err)
	}
	return nil
}

// readStyles finds the cell styles whose number format shows a date or a
// time, so that a date typed into a cell (stored as a day count) is read as
// the date it shows.
func (b *book) readStyles(part string) error {
	rc, err := b.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc)
	custom := map[int]bool{} // numFmtId → is a date format
	inXfs := false
	for k := s.next(); k != tokEOF; k = s.next() {
		switch {
		case k == tokStart && string(s.name) == "numFmt":
			id, err := strconv.Atoi(string(s.attr("numFmtId")))
			if err == nil {
				custom[id] = isDateFormat(string(s.attr("formatCode")))
			}
		case k == tokStart && string(s.name) == "cellXfs":
			inXfs = !s.empty
		case k == tokEnd && string(s.name) == "cellXfs":
			inXfs = false
		case k == tokStart && inXfs && string(s.name) == "xf":
			id, _ := strconv.Atoi(string(s.attr("numFmtId")))
			d, ok := custom[id]
			if !ok {
				d = builtinDate(id)
			}
			b.dateXF = append(b.dateXF, d)
			if len(b.dateXF) > 1<<20 {
				return errors.New("styles: too many cell styles")
			}
		}
	}
	if s.err != nil {
		return fmt.Errorf("styles: %w", s.err)
	}
	return nil
}

// builtinDate: the built-in number formats that show dates or times
// (ECMA-376 Part 1, 18.8.30), with the East Asian ones Excel also treats so.
func builtinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

// isDateFormat reports whether a format code shows a date or a time: it has
// d, m, y, h or s outside quoted text, escapes and [brackets] (colours and
// conditions), except "General".
func isDateFormat(code string) bool {
	if strings.EqualFold(code, "general") {
		return false
	}
	// The first section is what positive numbers show.
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			inBracket = c != ']'
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == ';':
			return false
		default:
			switch c | 0x20 {
			case 'd', 'm', 'y', 'h', 's':
				return true
			}
		}
	}
	return false
}

// sheetData is a sheet read whole: its rows, each a run of cells, held in
// chunks of rows whose cells' text is one string (a cell's text is a
// substring of it, or a shared string), so that a sheet of 100,000 rows
// costs a few allocations, not one per cell, and the chunks whose items
// are all built can be let go (release).
type sheetData struct {
	rows   []rowSpan
	chunks []*sheetChunk
	shared []string
}

// sheetChunk is the cells of up to chunkRows consecutive rows.
type sheetChunk struct {
	cells []cellSpan
	text  string
	// left counts the records of the chunk's rows not yet built.
	left atomic.Int32
}

// chunkRows is how many rows a chunk holds.
const chunkRows = 2048

// rowSpan is one row with a non-empty cell: its 1-based number and its
// cells, chunks[chunk].cells[c0:c1] in column order.
type rowSpan struct{ num, chunk, c0, c1 int32 }

// cellSpan is one non-empty cell: its text is the chunk's text[off:off+n],
// or the shared string off.
type cellSpan struct {
	off, n       uint32
	col          uint16
	kind         cellKind
	date, shared bool
}

// appendCells appends the cells of row r to dst.
func (d *sheetData) appendCells(dst []cell, r rowSpan) []cell {
	ch := d.chunks[r.chunk]
	for i := r.c0; i < r.c1; i++ {
		cs := &ch.cells[i]
		c := cell{col: int(cs.col), kind: cs.kind, date: cs.date}
		if cs.shared {
			c.text = d.shared[cs.off]
		} else {
			c.text = ch.text[cs.off : cs.off+cs.n]
		}
		dst = append(dst, c)
	}
	return dst
}

// release notes that the record of row r is built, and lets its chunk go
// when it was the chunk's last. Records of different chunks may be built
// at once.
func (d *sheetData) release(r rowSpan) {
	if d.chunks[r.chunk].left.Add(-1) == 0 {
		d.chunks[r.chunk] = nil
	}
}

// Limits on what a workbook's sheets may make casepack hold: the case
// itself is at most schema.MaxCaseSize (256 MiB) of JSON, which holds
// less text and fewer values than these. Variables for tests.
var (
	maxSheetText  = 256 << 20 // the text of all cells of one sheet
	maxSheetCells = 16 << 20  // non-empty cells of one sheet
)

// sheetRows calls fn for each row of a sheet that has a non-empty cell,
// with its 1-based number and its cells in column order. cells is reused
// between calls.
func (b *book) sheetRows(sh sheetRef, fn func(row int, cells []cell) error) error {
	d, err := b.readSheet(sh)
	if err != nil {
		return err
	}
	return d.eachRow(fn)
}

// eachRow calls fn for each row, as sheetRows does.
func (d *sheetData) eachRow(fn func(row int, cells []cell) error) error {
	var cells []cell
	for _, r := range d.rows {
		cells = d.appendCells(cells[:0], r)
		if err := fn(int(r.num), cells); err != nil {
			return err
		}
	}
	return nil
}

// partSize is how large a part says it is unpacked (0 if missing).
func (b *book) partSize(sh sheetRef) uint64 {
	if f := b.files[sh.part]; f != nil {
		return f.UncompressedSize64
	}
	return 0
}

// readSheet reads a sheet's rows and cells. Several sheets may be read at
// once.
func (b *book) readSheet(sh sheetRef) (*sheetData, error) {
	rc, err := b.open(sh.part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return b.scanSheet(sh, newScanner(rc))
}

// scanSheet reads a sheet's rows and cells from its XML.
func (b *book) scanSheet(sh sheetRef, s *scanner) (*sheetData, error) {
	var err error
	d := &sheetData{shared: b.shared}
	var (
		text     strings.Builder
		chunk    = &sheetChunk{}
		ncells   int // in all chunks
		textLen  int // in all chunks
		row      int
		inData   bool
		textBuf  []byte
		scratch  []byte
		lastCol  = -1
		sawValue bool
		rowStart = -1 // index in d.cells of the row's first cell; -1: no row open
	)
	endChunk := func() {
		chunk.text = text.String()
		d.chunks = append(d.chunks, chunk)
		text = strings.Builder{}
		text.Grow(len(chunk.text))
		chunk = &sheetChunk{cells: make([]cellSpan, 0, len(chunk.cells))}
	}
	flush := func() {
		if rowStart >= 0 && len(chunk.cells) > rowStart {
			d.rows = append(d.rows, rowSpan{num: int32(row), chunk: int32(len(d.chunks)), c0: int32(rowStart), c1: int32(len(chunk.cells))})
			if len(d.rows)%chunkRows == 0 {
				endChunk()
			}
		}
		rowStart = -1
	}
	for k := s.next(); k != tokEOF; k = s.next() {
		if k == tokEnd && string(s.name) == "sheetData" {
			break
		}
		if k != tokStart {
			continue
		}
		switch string(s.name) {
		case "sheetData":
			inData = true
		case "row":
			if !inData {
				continue
			}
			flush()
			if r := s.attr("r"); r != nil {
				n, err := strconv.Atoi(string(r))
				if err != nil || n < 1 || n > maxRows || n <= row {
					return nil, fmt.Errorf("%w: sheet %s: row number %q out of order", errXML, sh.name, r)
				}
				row = n
			} else {
				row++
			}
			if row > maxRows {
				return nil, fmt.Errorf("%w: sheet %s: more than %d rows", errXML, sh.name, maxRows)
			}
			lastCol = -1
			rowStart = len(chunk.cells)
		case "c":
			if !inData || row == 0 {
				s.skipElement()
				continue
			}
			col := lastCol + 1
			if ref := s.attr("r"); ref != nil {
				c, r, ok := splitRef(ref)
				if !ok || r != row || c <= lastCol {
					return nil, fmt.Errorf("%w: sheet %s: cell reference %q out of place in row %d", errXML, sh.name, ref, row)
				}
				col = c
			}
			if col >= maxColumns {
				return nil, fmt.Errorf("%w: sheet %s: more than %d columns", errXML, sh.name, maxColumns)
			}
			lastCol = col
			typ := string(s.attr("t"))
			style := -1
			if st := s.attr("s"); st != nil {
				style, _ = strconv.Atoi(string(st))
			}
			textBuf, sawValue, err = b.cellValue(s, textBuf[:0], typ)
			if err != nil {
				return nil, fmt.Errorf("sheet %s row %d: %w", sh.name, row, err)
			}
			if !sawValue {
				continue
			}
			c := cellSpan{col: uint16(col)}
			value := textBuf
			switch typ {
			case "s":
				i, err := strconv.Atoi(string(textBuf))
				if err != nil || i < 0 || i >= len(b.shared) {
					return nil, fmt.Errorf("%w: sheet %s row %d: a shared string that does not exist", errXML, sh.name, row)
				}
				if b.shared[i] == "" {
					continue
				}
				c.shared, c.off = true, uint32(i)
			case "str", "inlineStr":
				scratch = appendUnescapeX(scratch[:0], textBuf)
				value = scratch
			case "b":
				c.kind = cellBool
			case "e":
				c.kind = cellError
			case "d":
				// An ISO 8601 date in the cell (rare; Excel never writes it).
			default:
				c.kind = cellNumber
				c.date = style >= 0 && style < len(b.dateXF) && b.dateXF[style]
			}
			if !c.shared {
				if len(value) == 0 && c.kind == cellText {
					continue
				}
				if textLen += len(value); textLen > maxSheetText {
					return nil, fmt.Errorf("sheet %s holds more than %d MiB of text, more than a case can", sh.name, maxSheetText>>20)
				}
				c.off, c.n = uint32(text.Len()), uint32(len(value))
				text.Write(value)
			}
			if ncells++; ncells > maxSheetCells {
				return nil, fmt.Errorf("sheet %s holds more than %d cells, more than a case can", sh.name, maxSheetCells)
			}
			chunk.cells = append(chunk.cells, c)
		}
	}
	if s.err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sh.name, s.err)
	}
	flush()
	if len(chunk.cells) > 0 {
		endChunk()
	}
	return d, nil
}

// cellValue reads the children of a <c> element: <v>, or <is> for an
// inline string; a formula (<f>) is skipped for its computed value.
func (b *book) cellValue(s *scanner, buf []byte, typ string) ([]byte, bool, error) {
	if s.empty {
		return buf, false, nil
	}
	if out, ok := s.cellText(buf); ok {
		return out, true, nil
	}
	saw := false
	for {
		switch s.next() {
		case tokEOF:
			if s.err != nil {
				return buf, false, s.err
			}
			return buf, false, fmt.Errorf("%w: a cell is cut off", errXML)
		case tokEnd:
			// The end of <c>: every child is read whole below.
			return buf, saw, nil
		case tokStart:
			var err error
			switch string(s.name) {
			case "v":
				buf, err = s.textOf(buf, false)
				saw = true
			case "is":
				buf, err = s.textOf(buf, true)
				saw = true
			default:
				s.skipElement()
			}
			if err != nil {
				return buf, false, err
			}
		}
	}
}

// splitRef splits an A1 reference into a 0-based column and a 1-based row.
func splitRef(ref []byte) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
		if col > maxColumns {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	n, err := strconv.Atoi(string(ref[i:]))
	if err != nil || n < 1 || n > maxRows {
		return 0, 0, false
	}
	return col - 1, n, true
}

// unescapeX decodes Excel's _xHHHH_ escapes (ECMA-376 Part 1, 22.9.2.19),
// with which a workbook stores characters XML cannot hold; "_x005F_" is a
// literal underscore that keeps a following "_xHHHH_" literal.
func unescapeX(b []byte) string {
	if bytes.Index(b, []byte("_x")) < 0 {
		return string(b)
	}
	return string(appendUnescapeX(nil, b))
}

// appendUnescapeX appends b to out with its _xHHHH_ escapes decoded.
func appendUnescapeX(out, b []byte) []byte {
	if bytes.Index(b, []byte("_x")) < 0 {
		return append(out, b...)
	}
	for i := 0; i < len(b); {
		if i+7 <= len(b) && b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' && isHex(b[i+2:i+6]) {
			n, _ := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
			out = utf8.AppendRune(out, rune(n))
			i += 7
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
