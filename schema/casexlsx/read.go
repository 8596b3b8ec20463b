// Package casexlsx reads and writes the workbook form of a case (case.xlsx):
// the same data as case.json, laid out for people who keep their registers
// in Excel or LibreOffice. The layout (layout.go) is derived from the case
// schema, so a field added to the schema appears in the workbook as a column
// or a row without work here.
//
// Reading turns the workbook into the generic tree a JSON parser would give
// (each value typed by what the schema expects in its column) and remembers
// where each item came from, so that every finding of validation can be
// shown at its sheet and cell: "case.xlsx: Persons!E7 (age)". Reading uses
// its own reader of the workbook's XML (xlsxfile.go), which keeps each
// sheet's rows compactly (chunks of rows, each with one string of text);
// the items of the case's top-level lists are built from those rows one at
// a time (ReadParts), as validation asks for them, since a later sheet
// (Wounds, Positions) adds to any person. Writing uses excelize.
package casexlsx

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/shape"
	"github.com/xuri/excelize/v2"
)

// MaxCellChars is the most a cell of Excel can hold, in UTF-16 units.
const MaxCellChars = 32767

// Location is where a value of the case is in the workbook.
type Location struct {
	Sheet string
	Cell  string // A1 style
	Field string // the column's header (a label sheet: the row's label)
}

// Doc is a read workbook.
type Doc struct {
	// Value is the case as a generic tree (map[string]any, []any, string,
	// json.Number, bool); nil when the workbook could not be read.
	Value any
	// Parts is the same case in pieces (ReadParts), its items built one
	// at a time; nil when the workbook could not be read, and after Read.
	Parts *Parts

	layout *Layout
	items  map[string]place // pointer of an item (or label-sheet field) → its row
}

type place struct {
	sheet *Sheet
	row   int
	cols  map[string]int // header → 0-based column, as found in the sheet
}

// Read reads a case workbook into its generic tree (Doc.Value).
func Read(r io.ReaderAt, size int64) (*Doc, []finding.Finding) {
	d, fs := ReadParts(r, size)
	if d.Parts != nil {
		d.Value, d.Parts = d.Parts.tree(), nil
	}
	return d, fs
}

// ReadParts reads a case workbook into Doc.Parts: its rows are kept as
// read, compactly, and each item of the case's top-level lists (a person
// with its positions, liability and wounds) is built only when asked for,
// so that validation can check and decode the items one at a time
// (schema.Parts) instead of holding the whole tree.
func ReadParts(r io.ReaderAt, size int64) (*Doc, []finding.Finding) {
	d := &Doc{layout: TheLayout(), items: map[string]place{}}
	b, err := openBook(r, size)
	if err != nil {
		return d, []finding.Finding{{Code: finding.XLSXRead, Severity: finding.Error, Message: "cannot read the workbook: " + err.Error(),
			Hint: "check that this is the case workbook (.xlsx); open it in Excel or LibreOffice and save it again as .xlsx"}}
	}
	rd := &reader{doc: d, book: b, root: map[string]any{}, ids: map[*Sheet]map[string]int{}, lists: map[string][]int32{}}
	rd.read()
	if rd.fatal {
		return d, rd.problems
	}
	d.Parts = &Parts{rd: rd}
	return d, rd.problems
}

type reader struct {
	doc      *Doc
	book     *book
	root     map[string]any
	problems []finding.Finding
	fatal    bool
	// ids: for each register with an ID or a number, the key of each item
	// (its ID, or its keys and number joined) → its index in items.
	ids   map[*Sheet]map[string]int
	items map[*Sheet][]int32 // each register's records, in row order
	// recs are the rows of the registers, as read; lists holds the records
	// of the case's top-level lists (persons…), nested holds those of the
	// lists inside a label sheet's object (the submission's requests).
	recs   []record
	lists  map[string][]int32
	nested []int32
}

// record is one item of a register: its row, where it is in the case, and
// the items of the registers nested in it, in the order read.
type record struct {
	reg      *regSheet
	row      int32 // index in reg.data.rows
	pointer  string
	children []int32
	// kids counts the children read so far from the sheet kidsOf: the
	// index the next one gets in its list.
	kids   int32
	kidsOf *Sheet
}

// regSheet is a register as read: its rows and what each column holds.
type regSheet struct {
	s     *Sheet
	data  *sheetData
	cols  []*Column  // by column index; nil: unknown or unusable
	extra [][]string // by column index: the path of an unknown header
}

// field returns what column col of the register holds; ok is false for a
// column that is not read into the item (no header, or a key).
func (g *regSheet) field(col int) (path []string, c *Column, f *shape.Field, header string, ok bool) {
	if col >= len(g.cols) || (g.cols[col] == nil && g.extra[col] == nil) {
		return nil, nil, nil, "", false
	}
	if c = g.cols[col]; c != nil {
		if c.Key {
			return nil, nil, nil, "", false
		}
		return c.Path, c, c.Field, c.Header, true
	}
	return g.extra[col], nil, nil, strings.Join(g.extra[col], "."), true
}

// Parts is a read workbook's case in pieces, as schema.Parts reads it:
// the case without its top-level lists (Root), and each item of those
// lists built from its rows when asked for (Item).
type Parts struct {
	rd *reader
}

// Root is the case without the lists Lists names: the label sheets'
// objects and the lists nested in them.
func (p *Parts) Root() map[string]any {
	rd := p.rd
	for _, ri := range rd.nested {
		s := rd.recs[ri].reg.s
		holder := object(rd.root, s.Path[:len(s.Path)-1])
		last := s.Path[len(s.Path)-1]
		list, _ := holder[last].([]any)
		holder[last] = append(list, rd.build(ri))
	}
	rd.nested = nil
	return rd.root
}

// Lists names the case's top-level lists that have items, with their
// number of items.
func (p *Parts) Lists() map[string]int {
	out := make(map[string]int, len(p.rd.lists))
	for k, l := range p.rd.lists {
		out[k] = len(l)
	}
	return out
}

// Item builds item i of the top-level list key. It may be called from
// several goroutines at once.
func (p *Parts) Item(key string, i int) any { return p.rd.build(p.rd.lists[key][i]) }

// tree builds the whole case.
func (p *Parts) tree() map[string]any {
	root := p.Root()
	for key, l := range p.rd.lists {
		items := make([]any, len(l))
		for i, ri := range l {
			items[i] = p.rd.build(ri)
		}
		root[key] = items
	}
	return root
}

// build makes the generic tree of a record: its cells, each typed by its
// column, then the items of the registers nested in it, in the order read.
func (rd *reader) build(ri int32) map[string]any {
	r := &rd.recs[ri]
	g := r.reg
	span := g.data.rows[r.row]
	var buf [32]cell
	cells := g.data.appendCells(buf[:0], span)
	g.data.release(span)
	// Sized for at most 8 fields: Go keeps a map of up to 8 in one small
	// group, and a larger hint (a row's cells include its flattened nested
	// fields and keys) makes a full table, about twice the memory, for
	// every one of 100,000 rows.
	item := make(map[string]any, min(len(cells), 8))
	for _, x := range cells {
		path, c, f, _, ok := g.field(x.col)
		if !ok || x.kind == cellError {
			continue // reported as read
		}
		if v, ok := convert(x, c, f, rd.book.date1904); ok {
			set(item, path, v)
		}
	}
	requireObjects(item, g.s.Shape)
	for _, ci := range r.children {
		cs := rd.recs[ci].reg.s
		listPath := cs.Path[len(cs.Parent.Path)+1:]
		holder := object(item, listPath[:len(listPath)-1])
		last := listPath[len(listPath)-1]
		list, _ := holder[last].([]any)
		holder[last] = append(list, rd.build(ci))
	}
	return item
}

// add records a problem with the workbook, with the table's severity
// unless it is set.
func (rd *reader) add(p finding.Finding) {
	if p.Severity == "" {
		p.Severity = finding.SeverityOf(p.Code)
	}
	rd.problems = append(rd.problems, p)
}

func (rd *reader) read() {
	l := rd.doc.layout
	found := map[*Sheet]sheetRef{}
	for _, ref := range rd.book.sheets {
		name := strings.TrimSpace(ref.name)
		if strings.EqualFold(name, InstructionsSheet) {
			continue
		}
		var s *Sheet
		for _, cand := range l.Sheets {
			if strings.EqualFold(cand.Name, name) {
				s = cand
			}
		}
		if s == nil {
			p := finding.Finding{Code: finding.XLSXSheet, Severity: finding.Warning, Sheet: ref.name,
				Message: fmt.Sprintf("casepack does not know a sheet named %q and ignores it", ref.name),
				Hint:    "the sheets casepack reads are listed on the Instructions sheet"}
			if near := closest(name, sheetNames(l)); near != "" {
				p.Severity = finding.Error
				p.Message = fmt.Sprintf("casepack does not know a sheet named %q, so its rows are not read", ref.name)
				p.Hint = fmt.Sprintf("did you mean %q? rename the sheet", near)
			}
			rd.add(p)
			continue
		}
		if prev, dup := found[s]; dup {
			rd.add(finding.Finding{Code: finding.XLSXSheet, Severity: finding.Error, Sheet: ref.name,
				Message: fmt.Sprintf("the sheets %q and %q both hold the %s register", prev.name, ref.name, s.Name),
				Hint:    "keep one sheet for it: move the rows into one and delete the other"})
			continue
		}
		found[s] = ref
	}
	rd.items = map[*Sheet][]int32{}
	// The sheets' XML is read on every core, the largest first; their rows
	// are then taken in the layout's order, each register after the one
	// its rows name.
	var order []*Sheet
	for _, s := range l.Sheets {
		if _, ok := found[s]; ok {
			order = append(order, s)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return rd.book.partSize(found[order[i]]) > rd.book.partSize(found[order[j]]) })
	data := make(map[*Sheet]*sheetData, len(order))
	errs := make(map[*Sheet]error, len(order))
	results := make([]*sheetData, len(order))
	readErrs := make([]error, len(order))
	digest.Each(context.Background(), len(order), 0, func(_ context.Context, i int) error {
		results[i], readErrs[i] = rd.book.readSheet(found[order[i]])
		return nil
	})
	rows := 0
	for i, s := range order {
		data[s], errs[s] = results[i], readErrs[i]
		if results[i] != nil && !s.Label {
			rows += len(results[i].rows)
		}
	}
	// At most one record per row: sized once, not grown (a copy of every
	// record each time).
	rd.recs = make([]record, 0, rows)
	rd.doc.items = make(map[string]place, rows)
	for _, s := range l.Sheets {
		ref, ok := found[s]
		if !ok {
			continue
		}
		err := errs[s]
		if err == nil && s.Label {
			err = rd.labelSheet(s, data[s])
		} else if err == nil {
			rd.register(s, data[s])
		}
		if err != nil {
			rd.fatal = true
			rd.add(finding.Finding{Code: finding.XLSXRead, Sheet: ref.name, Message: "cannot read the sheet: " + err.Error(),
				Hint: "open the workbook in Excel or LibreOffice and save it again as .xlsx"})
			return
		}
	}
}

func sheetNames(l *Layout) []string {
	var out []string
	for _, s := range l.Sheets {
		out = append(out, s.Name)
	}
	return out
}

// labelSheet reads label/value rows: the label in column A, the value in B.
func (rd *reader) labelSheet(s *Sheet, data *sheetData) error {
	obj := object(rd.root, s.Path)
	byHeader := map[string]*Column{}
	for _, c := range s.Columns {
		byHeader[c.Header] = c
	}
	seen := map[string]int{}
	err := data.eachRow(func(row int, cells []cell) error {
		if row == 1 {
			return nil // the header row
		}
		var label string
		var value *cell
		for i := range cells {
			switch cells[i].col {
			case 0:
				// A copy: the locations outlive the sheet's text.
				label = strings.Clone(strings.TrimSpace(cells[i].text))
			case 1:
				value = &cells[i]
			}
		}
		if label == "" {
			if value != nil {
				rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: cellName(1, row),
					Message: "a value without a field name in column A",
					Hint:    "write the field's name in column A, or delete the value"})
			}
			return nil
		}
		if first, dup := seen[label]; dup {
			rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: cellName(0, row), Field: label,
				Message: fmt.Sprintf("the field %q is given twice (rows %d and %d)", label, first, row),
				Hint:    "keep one row for it and delete the other, after checking which value is right"})
			return nil
		}
		seen[label] = row
		c := byHeader[label]
		target, path := obj, strings.Split(label, ".")
		var f *shape.Field
		if c != nil {
			path, f = c.Path, c.Field
			if c.Root {
				target = rd.root
			}
		}
		ptr := pointerOf(s.Path) + pointerOf(path)
		if c != nil && c.Root {
			ptr = pointerOf(path)
		}
		// The row is where the field is, even empty: a missing required
		// field is shown at its value cell.
		rd.doc.items[ptr] = place{sheet: s, row: row, cols: map[string]int{label: 1}}
		if value == nil {
			return nil
		}
		v, ok := rd.value(s, row, 1, label, ptr, nil, c, f, *value)
		if !ok {
			return nil
		}
		set(target, path, v)
		return nil
	})
	requireObjects(obj, s.Shape)
	return err
}

// register reads a sheet of items, one per row under the header row.
func (rd *reader) register(s *Sheet, data *sheetData) {
	var (
		g        = &regSheet{s: s, data: data}
		headers  map[string]int
		keyIdx   []int
		numIdx   = -1
		noHeader = map[int]bool{}
		cells    []cell
	)
	byHeader := map[string]*Column{}
	for _, c := range s.AllColumns() {
		byHeader[c.Header] = c
	}
	rd.items[s] = make([]int32, 0, len(data.rows))
	for ri, span := range data.rows {
		row := int(span.num)
		cells = data.appendCells(cells[:0], span)
		if headers == nil {
			if row != 1 {
				rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: "A1",
					Message: "the first row is empty: it must hold the column headers",
					Hint:    "put the headers back in row 1 (a new workbook from casepack init shows them)"})
				headers = map[string]int{}
			} else {
				headers = rd.headers(s, cells, byHeader, &g.cols, &g.extra)
			}
			for _, k := range s.Keys {
				i, ok := headers[k.Header]
				if !ok {
					rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: "A1", Field: k.Header,
						Message: fmt.Sprintf("there is no column %q, so the rows cannot be matched to their %s", k.Header, singular(s.Parent)),
						Hint:    fmt.Sprintf("add the column %q and fill it in each row", k.Header)})
					return
				}
				keyIdx = append(keyIdx, i)
			}
			if s.Number != nil {
				if i, ok := headers[s.Number.Header]; ok {
					numIdx = i
				}
			}
			if row == 1 {
				continue
			}
		}
		rd.row(g, int32(ri), row, cells, headers, keyIdx, numIdx, noHeader)
	}
}

// headers reads the header row of a register.
func (rd *reader) headers(s *Sheet, cells []cell, byHeader map[string]*Column, cols *[]*Column, extra *[][]string) map[string]int {
	headers := map[string]int{}
	n := 0
	for _, c := range cells {
		if c.col+1 > n {
			n = c.col + 1
		}
	}
	*cols = make([]*Column, n)
	*extra = make([][]string, n)
	for _, c := range cells {
		// A copy: the locations keep the headers, not the sheet's text.
		h := strings.Clone(strings.TrimSpace(c.text))
		if h == "" {
			continue
		}
		if first, dup := headers[h]; dup {
			rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: cellName(c.col, 1), Field: h,
				Message: fmt.Sprintf("the column %q appears twice (%s and %s); the second is not read", h, colName(first), colName(c.col)),
				Hint:    "keep one column and delete the other, after checking which values are right"})
			continue
		}
		headers[h] = c.col
		if col := byHeader[h]; col != nil {
			(*cols)[c.col] = col
		} else {
			// Unknown: read under that name, so validation names it (and
			// suggests the field it may be a misspelling of).
			(*extra)[c.col] = strings.Split(h, ".")
		}
	}
	return headers
}

// row reads one item: it checks the row, records it under its parent
// (or in its list), and registers its ID or number; the item itself is
// built later, from the record (build).
func (rd *reader) row(g *regSheet, ri int32, row int, cells []cell, headers map[string]int, keyIdx []int, numIdx int, noHeader map[int]bool) {
	s := g.s
	// Find the item's parent and pointer.
	parent := int32(-1)
	var parentPtr string
	key := make([]string, 0, len(keyIdx)+1)
	if s.Parent != nil {
		for _, i := range keyIdx {
			key = append(key, strings.TrimSpace(textAt(cells, i)))
		}
		pk := strings.Join(key, "\x00")
		for j, k := range key {
			if k == "" {
				rd.add(finding.Finding{Code: finding.XLSXRow, Sheet: s.Name, Cell: cellName(keyIdx[j], row), Field: s.Keys[j].Header,
					Message: fmt.Sprintf("the row does not say which %s it belongs to", singular(s.Parent)),
					Hint:    fmt.Sprintf("fill in %s", s.Keys[j].Header)})
				return
			}
		}
		idx, ok := rd.ids[s.Parent][pk]
		if !ok {
			what := fmt.Sprintf("%s %s", singular(s.Parent), strings.Join(key, " "))
			rd.add(finding.Finding{Code: finding.XLSXRow, Sheet: s.Name, Cell: cellName(keyIdx[len(keyIdx)-1], row), Field: s.Keys[len(s.Keys)-1].Header,
				Message: fmt.Sprintf("the row belongs to %s, which is not on the %s sheet", what, s.Parent.Name),
				Hint:    fmt.Sprintf("check the spelling, or add %s to the %s sheet", what, s.Parent.Name)})
			return
		}
		parent = rd.items[s.Parent][idx]
		parentPtr = rd.recs[parent].pointer
	}
	// The list the item joins: the path after the parent's "*".
	listPath := s.Path
	if s.Parent != nil {
		listPath = s.Path[len(s.Parent.Path)+1:]
	}
	var index int
	switch {
	case parent >= 0:
		p := &rd.recs[parent]
		if p.kidsOf != s {
			p.kidsOf, p.kids = s, 0
		}
		index = int(p.kids)
		p.kids++
	case len(s.Path) == 1:
		index = len(rd.lists[s.Path[0]])
	default:
		index = len(rd.items[s])
	}
	ptr := parentPtr + pointerOf(listPath) + "/" + strconv.Itoa(index)

	// The problems of the row's cells; the item's ID, as the item will
	// hold it: the last value written to its "id" (a column "id.x" would
	// make it an object).
	var id any
	for _, c := range cells {
		path, col, f, header, ok := g.field(c.col)
		if !ok {
			if !noHeader[c.col] && (c.col >= len(g.cols) || (g.cols[c.col] == nil && g.extra[c.col] == nil)) {
				noHeader[c.col] = true
				rd.add(finding.Finding{Code: finding.XLSXHeader, Sheet: s.Name, Cell: cellName(c.col, row),
					Message: "a value in a column without a header; the column is not read",
					Hint:    "write the field's name in row 1 of this column, or delete the values below it"})
			}
			continue
		}
		if c.kind == cellError {
			rd.value(s, row, c.col, header, ptr, path, col, f, c)
			continue
		}
		if s.ID != nil && path[0] == s.ID.Header {
			if len(path) > 1 {
				id = nil
			} else if v, ok := convert(c, col, f, rd.book.date1904); ok {
				id = v
			}
		}
	}
	// Register the item under its ID or number, for the rows that name it.
	if s.ID != nil || s.Number != nil {
		if rd.ids[s] == nil {
			rd.ids[s] = make(map[string]int, len(g.data.rows))
		}
		var own string
		if s.ID != nil {
			idText, _ := id.(string)
			own = strings.TrimSpace(idText)
		} else if numIdx >= 0 {
			own = strings.TrimSpace(textAt(cells, numIdx))
			if own == "" {
				rd.add(finding.Finding{Code: finding.XLSXRow, Sheet: s.Name, Cell: cellName(numIdx, row), Field: s.Number.Header,
					Message: fmt.Sprintf("the row has no %s number, so no row of another sheet can belong to it", s.Number.Header),
					Hint:    fmt.Sprintf("number the %s of each %s 1, 2, …", strings.ToLower(s.Name), singular(s.Parent))})
			}
		}
		if own != "" {
			k := strings.Join(append(key, own), "\x00")
			if s.ID != nil {
				k = own
			}
			if _, dup := rd.ids[s][k]; dup && s.ID == nil {
				rd.add(finding.Finding{Code: finding.XLSXRow, Sheet: s.Name, Cell: cellName(numIdx, row), Field: s.Number.Header,
					Message: fmt.Sprintf("%s %s appears twice for the same %s", s.Number.Header, own, singular(s.Parent)),
					Hint:    "give each one its own number"})
			} else if !dup {
				// A repeated ID is validation's to report (CP-ID-DUPLICATE);
				// rows of other sheets join the first.
				rd.ids[s][k] = len(rd.items[s])
			}
		}
	}
	n := int32(len(rd.recs))
	rd.recs = append(rd.recs, record{reg: g, row: ri, pointer: ptr})
	g.data.chunks[g.data.rows[ri].chunk].left.Add(1)
	switch {
	case parent >= 0:
		rd.recs[parent].children = append(rd.recs[parent].children, n)
	case len(s.Path) == 1:
		l := rd.lists[s.Path[0]]
		if l == nil {
			l = make([]int32, 0, len(g.data.rows))
		}
		rd.lists[s.Path[0]] = append(l, n)
	default:
		rd.nested = append(rd.nested, n)
	}
	rd.items[s] = append(rd.items[s], n)
	rd.doc.items[ptr] = place{sheet: s, row: row, cols: headers}
}

func textAt(cells []cell, col int) string {
	for _, c := range cells {
		if c.col == col {
			return c.text
		}
		if c.col > col {
			break
		}
	}
	return ""
}

// object returns the object at path below m, creating it.
func object(m map[string]any, path []string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	return m
}

// set puts v at path below m, creating the objects on the way.
func set(m map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// requireObjects adds, empty, the objects the schema requires that no
// column filled (an incident's location): an empty required object is
// valid, a missing one is not, and a workbook cannot tell them apart.
func requireObjects(m map[string]any, f *shape.Field) {
	if f == nil {
		return
	}
	for _, p := range f.Props {
		if p.Kind != shape.Object {
			continue
		}
		sub, ok := m[p.Name].(map[string]any)
		if !ok && p.Required {
			sub = map[string]any{}
			m[p.Name] = sub
		}
		if sub != nil {
			requireObjects(sub, p)
		}
	}
}

var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// value converts a cell into the value of its field: text stays text,
// numbers and true/false are taken where the schema expects them, a date
// typed into a cell (a day count shown as a date) becomes the date it shows.
// The value's pointer is ptr followed by path, joined only for a finding:
// a large workbook has millions of cells and few errors.
func (rd *reader) value(s *Sheet, row, col int, header, ptr string, path []string, c *Column, f *shape.Field, x cell) (any, bool) {
	if x.kind == cellError {
		rd.add(finding.Finding{Code: finding.XLSXCell, Sheet: s.Name, Cell: cellName(col, row), Field: header, Pointer: ptr + pointerOf(path),
			Message: fmt.Sprintf("the cell shows the error %s, not a value", x.text),
			Hint:    "correct the formula, or type the value itself"})
		return nil, false
	}
	return convert(x, c, f, rd.book.date1904)
}

// convert is the value of a cell that holds no error, in column c (nil:
// an unknown column) of field f; false for a list cell without values.
func convert(x cell, c *Column, f *shape.Field, date1904 bool) (any, bool) {
	if c != nil && c.Multi {
		var items *shape.Field
		if f != nil {
			items = f.Items
		}
		var out []any
		for _, part := range split(x.text, c.Sep) {
			out = append(out, scalar(cell{kind: cellText, text: part}, items, date1904))
		}
		if out == nil {
			return nil, false
		}
		return out, true
	}
	return scalar(x, f, date1904), true
}

// split cuts a cell holding several values: at commas, semicolons and line
// breaks for IDs and fixed words; at line breaks only for texts. Blank
// parts are not values.
func split(s, sep string) []string {
	var parts []string
	if sep == "\n" {
		parts = strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	} else {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
	}
	out := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

func scalar(x cell, f *shape.Field, date1904 bool) any {
	kind := shape.Any
	if f != nil {
		kind = f.Kind
	}
	switch kind {
	case shape.Integer, shape.Number:
		t := strings.TrimSpace(x.text)
		if (x.kind == cellNumber || x.kind == cellText) && numberRE.MatchString(t) {
			if kind == shape.Integer {
				if n, ok := wholeNumber(t); ok {
					return n
				}
			}
			return json.Number(t)
		}
		return x.text
	case shape.Boolean:
		switch {
		case x.kind == cellBool:
			return x.text == "1"
		case x.kind == cellText:
			switch strings.TrimSpace(x.text) {
			case "TRUE", "true", "True":
				return true
			case "FALSE", "false", "False":
				return false
			}
		}
		return x.text
	}
	switch x.kind {
	case cellBool:
		if x.text == "1" {
			return "TRUE"
		}
		return "FALSE"
	case cellNumber:
		if x.date {
			if s, ok := serialDate(x.text, date1904); ok {
				return s
			}
		}
		return x.text
	}
	return x.text
}

// wholeNumber writes a stored number that is whole (17, or 1.7E+1 as some
// programs store it) the way JSON writes a whole number.
func wholeNumber(t string) (json.Number, bool) {
	if !strings.ContainsAny(t, ".eE") {
		return json.Number(t), true
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return "", false
	}
	return json.Number(strconv.FormatInt(int64(f), 10)), true
}

// serialDate turns a spreadsheet day count into the date (and time) it
// shows: 2021-01-08, or 2021-01-08T07:30:00 when it has a time of day
// (which validation will ask to give an offset).
func serialDate(t string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f > 2958465 {
		return "", false
	}
	tm, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return "", false
	}
	tm = tm.Round(time.Second)
	if tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 {
		return tm.Format("2006-01-02"), true
	}
	return tm.Format("2006-01-02T15:04:05"), true
}

// ---- locating ----

// Place sets a finding's sheet, cell and column from its pointer
// (schema.Form); a finding about a missing member is placed at the cell
// that member's column has in the row.
func (d *Doc) Place(f *finding.Finding, _ bool, member string) {
	p := f.Pointer
	if member != "" {
		p += "/" + strings.ReplaceAll(strings.ReplaceAll(member, "~", "~0"), "/", "~1")
	}
	loc := d.Locate(p)
	f.Sheet, f.Cell, f.Field = loc.Sheet, loc.Cell, loc.Field
}

// Locate returns where the value at pointer is. Pointers into a list of
// values in one cell give that cell; pointers to an item give its row's
// first cell; a field with no column in the row gives that first cell too.
func (d *Doc) Locate(pointer string) Location {
	toks := splitPointer(pointer)
	for n := len(toks); n >= 0; n-- {
		p, ok := d.items[pointerOf(toks[:n])]
		if !ok {
			continue
		}
		rest := toks[n:]
		if p.sheet.Label {
			header := ""
			for h := range p.cols {
				header = h
			}
			return Location{Sheet: p.sheet.Name, Cell: cellName(1, p.row), Field: header}
		}
		// Drop indexes into a list of values held in one cell.
		for len(rest) > 0 {
			if _, err := strconv.Atoi(rest[len(rest)-1]); err != nil {
				break
			}
			rest = rest[:len(rest)-1]
		}
		header := strings.Join(rest, ".")
		if header == "" {
			return Location{Sheet: p.sheet.Name, Cell: cellName(0, p.row)}
		}
		if col, ok := p.cols[header]; ok {
			return Location{Sheet: p.sheet.Name, Cell: cellName(col, p.row), Field: header}
		}
		// An object flattened into columns: its first column present.
		best := -1
		for h, col := range p.cols {
			if strings.HasPrefix(h, header+".") && (best < 0 || col < best) {
				best = col
			}
		}
		if best >= 0 {
			return Location{Sheet: p.sheet.Name, Cell: cellName(best, p.row), Field: header}
		}
		return Location{Sheet: p.sheet.Name, Cell: cellName(0, p.row), Field: header}
	}
	// No row holds it: the sheet of the list or object it names.
	var schemaPath []string
	for _, t := range toks {
		if _, err := strconv.Atoi(t); err == nil {
			schemaPath = append(schemaPath, "*")
		} else {
			schemaPath = append(schemaPath, t)
		}
	}
	for n := len(schemaPath); n > 0; n-- {
		if s := d.layout.of(strings.Join(schemaPath[:n], "/")); s != nil {
			return Location{Sheet: s.Name, Cell: "A1"}
		}
	}
	return Location{Sheet: d.layout.Sheets[0].Name, Cell: "A1"}
}

func pointerOf(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

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

// colName is the letters of a 0-based column: 0 → A, 26 → AA.
func colName(col int) string {
	var b []byte
	for col++; col > 0; col = (col - 1) / 26 {
		b = append([]byte{byte('A' + (col-1)%26)}, b...)
	}
	return string(b)
}

func cellName(col, row int) string { return colName(col) + strconv.Itoa(row) }

// closest returns the candidate nearest to s, if near enough to be a typo.
func closest(s string, cands []string) string {
	best, bestD := "", 3
	for _, c := range cands {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// utf16Len counts a text in UTF-16 units, as Excel's cell limit does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
