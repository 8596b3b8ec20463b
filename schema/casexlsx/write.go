package casexlsx

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/shape"
	"github.com/xuri/excelize/v2"
)

// Write renders a case, given as a generic tree, as the case workbook. It
// refuses, with a Problem per value located by pointer and target cell, a
// value a workbook cannot hold: a text over 32,767 characters, or one with
// a control character XML cannot carry.
func Write(w io.Writer, v any) ([]finding.Finding, error) {
	root, ok := v.(map[string]any)
	if !ok {
		return []finding.Finding{{Code: finding.XLSXCell, Severity: finding.Error, Message: "the case is not an object { … }, so it has no sheets to fill"}}, nil
	}
	wr, err := newWriter()
	if err != nil {
		return nil, err
	}
	defer wr.f.Close()
	if err := wr.instructions(); err != nil {
		return nil, err
	}
	for _, s := range wr.l.Sheets {
		var err error
		if s.Label {
			err = wr.labelSheet(s, root)
		} else {
			err = wr.register(s, root)
		}
		if err != nil {
			return nil, fmt.Errorf("write sheet %s: %w", s.Name, err)
		}
	}
	if len(wr.problems) > 0 {
		return wr.problems, nil
	}
	wr.f.SetActiveSheet(0)
	if err := wr.f.Write(w); err != nil {
		return nil, fmt.Errorf("write the workbook: %w", err)
	}
	return nil, nil
}

type writer struct {
	f        *excelize.File
	l        *Layout
	problems []finding.Finding
	st       styles
}

// styles are the cell styles of the workbook.
type styles struct {
	header, text, wrap, date, number, plain, title int
}

func newWriter() (*writer, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", InstructionsSheet); err != nil {
		return nil, err
	}
	wr := &writer{f: f, l: TheLayout()}
	var firstErr error
	mk := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return id
	}
	top := func(wrap bool) *excelize.Alignment { return &excelize.Alignment{Vertical: "top", WrapText: wrap} }
	wr.st = styles{
		header: mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top(true),
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}},
			Border: []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}}),
		// Text columns are formatted as Text (format 49, "@"), so that what
		// people type stays as typed: 007 keeps its zeros, 2021 stays text.
		text:   mk(&excelize.Style{NumFmt: 49, Alignment: top(false)}),
		wrap:   mk(&excelize.Style{NumFmt: 49, Alignment: top(true)}),
		date:   mk(&excelize.Style{CustomNumFmt: ptrTo("yyyy-mm-dd"), Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}}),
		number: mk(&excelize.Style{Alignment: top(false)}),
		plain:  mk(&excelize.Style{Alignment: top(true)}),
		title:  mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}),
	}
	return wr, firstErr
}

func ptrTo[T any](v T) *T { return &v }

// ---- columns: what each kind of field looks like ----

// isDate: a date without a time, stored as a real date cell.
func isDate(f *shape.Field) bool { return f != nil && f.Kind == shape.String && f.Format == "date" }

// isWhen: a date with its precision or a moment with its offset, which no
// spreadsheet date can hold: typed as text, checked by a rule.
func isWhen(f *shape.Field) bool {
	return f != nil && f.Kind == shape.String && (f.Def == "when" || f.Format == "date-time")
}

func isLongText(f *shape.Field) bool { return f != nil && f.Def == "text" }

func (wr *writer) styleOf(c *Column) int {
	f := c.Field
	switch {
	case c.Key && f.Kind == shape.Integer:
		return wr.st.number
	case c.Multi:
		return wr.st.wrap
	case isDate(f):
		return wr.st.date
	case f.Kind == shape.Integer || f.Kind == shape.Number || f.Kind == shape.Boolean:
		return wr.st.number
	case isLongText(f):
		return wr.st.wrap
	}
	return wr.st.text
}

func widthOf(c *Column) float64 {
	f := c.Field
	switch {
	case isLongText(f):
		return 60
	case c.Multi:
		return 22
	case isDate(f):
		return 12
	case isWhen(f):
		return 26
	case f.Kind == shape.Integer || f.Kind == shape.Number || f.Kind == shape.Boolean:
		return 10
	case strings.HasSuffix(c.Header, "id") || strings.HasSuffix(f.Def, "_id") || len(f.Enum) > 0:
		return max(14, float64(len(c.Header))+2)
	case f.Def == "sha256":
		return 66
	}
	return 30
}

// ---- values ----

// cellValue turns a tree value into what the cell holds, or reports why it
// cannot.
func (wr *writer) cellValue(s *Sheet, col, row int, c *Column, ptr string, v any) (any, bool) {
	loc := func(msg, hint string) {
		wr.problems = append(wr.problems, finding.Finding{Code: finding.XLSXCell, Severity: finding.Error, Sheet: s.Name, Cell: cellName(col, row), Field: c.Header, Pointer: ptr, Message: msg, Hint: hint})
	}
	var text string
	switch x := v.(type) {
	case nil:
		return nil, true
	case bool:
		return x, true
	case json.Number:
		if f, err := x.Float64(); err == nil && c.Field.Kind != shape.String {
			if i, err := x.Int64(); err == nil {
				return i, true
			}
			return f, true
		}
		text = string(x)
	case string:
		text = x
	case []any:
		if !c.Multi {
			loc("a list where one value belongs", "write one value")
			return nil, false
		}
		var parts []string
		for i, item := range x {
			switch y := item.(type) {
			case string:
				parts = append(parts, y)
			case json.Number:
				parts = append(parts, string(y))
			case bool:
				parts = append(parts, fmt.Sprint(y))
			default:
				loc(fmt.Sprintf("item %d of the list is not a plain value, which one cell cannot hold", i+1), "")
				return nil, false
			}
		}
		text = strings.Join(parts, c.Sep)
	default:
		loc("a group of fields where one value belongs, which one cell cannot hold", "")
		return nil, false
	}
	if n := utf16Len(text); n > MaxCellChars {
		loc(fmt.Sprintf("the text is %d characters long; a workbook cell holds at most %d", n, MaxCellChars),
			"shorten it, or keep the case as case.json or case.yaml, which have no such limit")
		return nil, false
	}
	if r, bad := badXMLChar(text); bad {
		loc(fmt.Sprintf("the text holds the control character U+%04X, which a workbook cannot store", r),
			"remove the character (it is invisible; retype the text around it)")
		return nil, false
	}
	if isDate(c.Field) {
		if t, err := time.Parse("2006-01-02", text); err == nil {
			return t, true
		}
	}
	return text, true
}

// badXMLChar finds a character XML 1.0 cannot hold.
func badXMLChar(s string) (rune, bool) {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return r, true
		}
	}
	return 0, false
}

// lookup follows path in m.
func lookup(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = obj[p]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// ---- label sheets ----

func (wr *writer) labelSheet(s *Sheet, root map[string]any) error {
	if _, err := wr.f.NewSheet(s.Name); err != nil {
		return err
	}
	obj, _ := lookup(root, s.Path)
	m, _ := obj.(map[string]any)
	// Fields of the object the layout does not know (invalid data) get rows
	// too, so that nothing is lost on the way.
	cols := append([]*Column(nil), s.Columns...)
	cols = append(cols, unknownColumns(m, s.Shape, nil)...)
	for i, c := range cols {
		row := i + 2
		if err := wr.note(s.Name, cellName(0, row), c); err != nil {
			return err
		}
		if err := wr.validation(s.Name, cellName(1, row), c, s); err != nil {
			return err
		}
	}
	sw, err := wr.f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for i, wdt := range []float64{32, 90, 60} {
		if err := sw.SetColWidth(i+1, i+1, wdt); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader("A2")); err != nil {
		return err
	}
	hdr := []any{
		excelize.Cell{StyleID: wr.st.header, Value: "field"},
		excelize.Cell{StyleID: wr.st.header, Value: "value"},
		excelize.Cell{StyleID: wr.st.header, Value: "about"},
	}
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{StyleID: wr.st.header}); err != nil {
		return err
	}
	for i, c := range cols {
		row := i + 2
		src := m
		ptr := pointerOf(s.Path) + pointerOf(c.Path)
		if c.Root {
			src, ptr = root, pointerOf(c.Path)
		}
		var val any
		if x, ok := lookup(src, c.Path); ok {
			val, _ = wr.cellValue(s, 1, row, c, ptr, x)
		}
		cells := []any{
			excelize.Cell{StyleID: wr.st.text, Value: c.Header},
			excelize.Cell{StyleID: wr.styleOf(c), Value: val},
			excelize.Cell{StyleID: wr.st.plain, Value: about(c.Field)},
		}
		if err := sw.SetRow(cellName(0, row), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// about is the description shown beside a field on a label sheet.
func about(f *shape.Field) string {
	if f == nil {
		return ""
	}
	d := f.Description
	if f.Required {
		d = "Required. " + d
	}
	return d
}

// unknownColumns lists the fields of m (at prefix) the schema does not
// have, as columns named by their dotted path.
func unknownColumns(m map[string]any, f *shape.Field, prefix []string) []*Column {
	var out []*Column
	for _, k := range sortedKeys(m) {
		p := f.Prop(k)
		path := append(append([]string(nil), prefix...), k)
		if p == nil {
			out = append(out, &Column{Header: strings.Join(path, "."), Path: path, Field: &shape.Field{Kind: shape.Any}})
			continue
		}
		if sub, ok := m[k].(map[string]any); ok && p.Kind == shape.Object {
			out = append(out, unknownColumns(sub, p, path)...)
		}
	}
	return out
}

// ---- registers ----

func (wr *writer) register(s *Sheet, root map[string]any) error {
	if _, err := wr.f.NewSheet(s.Name); err != nil {
		return err
	}
	rows := wr.items(s, root)
	// Fields no column holds (invalid data) get columns of their own.
	cols := s.AllColumns()
	extra := map[string]*Column{}
	for _, r := range rows {
		for _, c := range unknownColumns(r.item, s.Shape, nil) {
			if extra[c.Header] == nil {
				extra[c.Header] = c
				cols = append(cols, c)
			}
		}
	}
	for i, c := range cols {
		if err := wr.note(s.Name, cellName(i, 1), c); err != nil {
			return err
		}
		ref := fmt.Sprintf("%s:%s", cellName(i, 2), cellName(i, maxRows))
		if err := wr.validation(s.Name, ref, c, s); err != nil {
			return err
		}
	}
	sw, err := wr.f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, widthOf(c)); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, wr.styleOf(c)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader("A2")); err != nil {
		return err
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = excelize.Cell{StyleID: wr.st.header, Value: c.Header}
	}
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{StyleID: wr.st.header}); err != nil {
		return err
	}
	cells := make([]any, len(cols))
	for r, rd := range rows {
		row := r + 2
		for i, c := range cols {
			var val any
			switch {
			case i < len(rd.keys):
				val = rd.keys[i]
			case c == s.Number:
				val = int64(rd.index + 1)
			default:
				if x, ok := lookup(rd.item, c.Path); ok {
					val, _ = wr.cellValue(s, i, row, c, rd.ptr+pointerOf(c.Path), x)
				}
			}
			// The column's style applies to its cells; an empty cell is
			// not written at all.
			cells[i] = val
		}
		if err := sw.SetRow(cellName(0, row), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// rowData is one item of a register, with the keys of its parent.
type rowData struct {
	item  map[string]any
	ptr   string
	index int   // its position in its list
	keys  []any // the values of the sheet's key columns
}

// items lists the items of register s in document order, each with the
// keys that name its parent: the parent's ID, or the parent's own keys and
// its number (its 1-based position in its list).
func (wr *writer) items(s *Sheet, root map[string]any) []rowData {
	var out []rowData
	listAt := func(obj map[string]any, base string, keys []any) {
		p := s.Path
		if s.Parent != nil {
			p = s.Path[len(s.Parent.Path)+1:]
		}
		x, ok := lookup(obj, p)
		if !ok {
			return
		}
		list, ok := x.([]any)
		if !ok {
			wr.problems = append(wr.problems, finding.Finding{Code: finding.XLSXCell, Severity: finding.Error, Sheet: s.Name, Pointer: base + pointerOf(p),
				Message: "a value where a list of items belongs, which the sheet cannot hold"})
			return
		}
		for i, it := range list {
			ptr := fmt.Sprintf("%s%s/%d", base, pointerOf(p), i)
			m, ok := it.(map[string]any)
			if !ok {
				wr.problems = append(wr.problems, finding.Finding{Code: finding.XLSXCell, Severity: finding.Error, Sheet: s.Name, Pointer: ptr,
					Message: "an item of the list is not a group of fields, so it cannot be a row"})
				continue
			}
			out = append(out, rowData{item: m, ptr: ptr, index: i, keys: keys})
		}
	}
	if s.Parent == nil {
		listAt(root, "", nil)
		return out
	}
	for _, parent := range wr.items(s.Parent, root) {
		if s.Parent.ID != nil {
			listAt(parent.item, parent.ptr, []any{parent.item[s.Parent.ID.Header]})
		} else {
			listAt(parent.item, parent.ptr, append(append([]any(nil), parent.keys...), int64(parent.index+1)))
		}
	}
	return out
}

func frozenHeader(topLeft string) *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: topLeft, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: "bottomLeft"}}}
}

// note puts the field's description from the schema on its header cell.
func (wr *writer) note(sheet, cell string, c *Column) error {
	text := about(c.Field)
	if c.Key && c.Field != nil && c.Field.Def != "" && !strings.HasPrefix(text, "Required") {
		text = "Required. The " + strings.ReplaceAll(c.Header, "_", " ") + " of the item this row belongs to. " + c.Field.Description
	}
	if c.Multi {
		if c.Sep == "\n" {
			text += " Several values: one per line in the cell (Alt+Enter, or Ctrl+Option+Enter on a Mac)."
		} else {
			text += " Several values: separate them with commas."
		}
	}
	if text == "" {
		text = "Not a field of the case format: validation will say so."
	}
	return wr.f.AddComment(sheet, excelize.Comment{Cell: cell, Author: "casepack", Paragraph: []excelize.RichTextRun{{Text: text}},
		Width: 320, Height: 140})
}

// validation adds the data validation of a column (or of one value cell of
// a label sheet): a drop-down of the allowed values or of the IDs of the
// sheet referred to, a date rule, a number range, or the form a date with
// its precision must have.
func (wr *writer) validation(sheet, ref string, c *Column, s *Sheet) error {
	f := c.Field
	if f == nil {
		return nil
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(ref)
	item := f
	if c.Multi && f.Items != nil {
		item = f.Items
	}
	first := strings.SplitN(ref, ":", 2)[0]
	switch {
	case len(item.Enum) > 0:
		if err := dv.SetDropList(item.Enum); err != nil {
			return nil // a list too long for a drop-down: the header note lists nothing more
		}
		if c.Multi {
			dv.SetError(excelize.DataValidationErrorStyleInformation, "Several values",
				"Pick one value, or type several separated by commas: "+strings.Join(item.Enum, ", "))
		} else {
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Choose one of: "+strings.Join(item.Enum, ", "))
		}
	case item.Kind == shape.Boolean:
		dv.SetDropList([]string{"TRUE", "FALSE"})
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Choose TRUE or FALSE")
	case shape.IsReference(f) || (c.Key && f.Def != "" && f.Kind == shape.String):
		target := wr.l.of(strings.Join(shape.Collection(item.Def), "/"))
		if target == nil || target.ID == nil {
			return nil
		}
		col := 0
		for i, tc := range target.AllColumns() {
			if tc == target.ID {
				col = i
			}
		}
		dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$2:$%s$%d", quoteSheet(target.Name), colName(col), colName(col), maxRows))
		style, msg := excelize.DataValidationErrorStyleWarning, "This ID is not on the "+target.Name+" sheet (yet)."
		if c.Multi {
			style, msg = excelize.DataValidationErrorStyleInformation, "Pick one ID, or type several separated by commas."
		}
		dv.SetError(style, c.Header, msg)
	case isDate(f):
		if err := dv.SetRange("1", "2958465", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Type a date, e.g. 2021-01-08.")
	case isWhen(f):
		var formula, help string
		if f.Format == "date-time" {
			formula = fmt.Sprintf(`AND(LEN(%[1]s)>=20,MID(%[1]s,5,1)="-",MID(%[1]s,8,1)="-",MID(%[1]s,11,1)="T",MID(%[1]s,14,1)=":")`, first)
			help = "A date and time with its UTC offset, typed as text: 2021-01-08T07:30:00-04:00, or 2021-01-08T11:30:00Z in UTC."
		} else {
			formula = fmt.Sprintf(`AND(ISNUMBER(VALUE(LEFT(%[1]s,4))),OR(LEN(%[1]s)=4,AND(MID(%[1]s,5,1)="-",OR(LEN(%[1]s)=7,AND(MID(%[1]s,8,1)="-",OR(LEN(%[1]s)=10,MID(%[1]s,11,1)="T"))))))`, first)
			help = "A date as known, typed as text: a year (2021), a month (2021-01), a day (2021-01-08) or a time with its UTC offset (2021-01-08T07:30:00-04:00)."
		}
		var b strings.Builder
		xml.EscapeText(&b, []byte(formula))
		dv.Type = "custom"
		dv.Formula1 = b.String()
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, help)
		dv.SetInput(c.Header, help)
	case f.Kind == shape.Integer:
		lo, hi := "-2147483648", "2147483647"
		if c.Key {
			lo = "1"
		}
		if err := dv.SetRange(lo, hi, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Type a whole number.")
	case f.Kind == shape.Number:
		if err := dv.SetRange("-1E+300", "1E+300", excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Type a number.")
	default:
		return nil
	}
	return wr.f.AddDataValidation(sheet, dv)
}

func quoteSheet(name string) string {
	if strings.ContainsAny(name, " -'!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
