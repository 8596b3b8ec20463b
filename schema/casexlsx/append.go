package casexlsx

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/casepack/casepack/packager/finding"
	"github.com/xuri/excelize/v2"
)

// Append adds items to the register of the top-level list collection
// ("evidence"), and their nested lists (files, custody) to their sheets,
// as rows after the last row of each sheet, under the headers the sheet
// has (people move columns). Everything else in the workbook is kept as it
// was: the other sheets and rows, formatting, notes, drop-downs. A sheet
// that is missing is added; a column that is missing is added at the end.
// The workbook is read from data and written to w.
func Append(data []byte, w io.Writer, collection string, items []any) ([]finding.Finding, error) {
	l := TheLayout()
	top := l.of(collection)
	if top == nil || top.Label {
		return nil, fmt.Errorf("the workbook has no register for %q", collection)
	}
	b, err := openBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read the workbook: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the workbook: %w", err)
	}
	defer f.Close()
	wr := &writer{f: f, l: l}
	root := map[string]any{collection: items}
	for _, s := range l.Sheets {
		if s != top && !below(s, top) {
			continue
		}
		rows := wr.items(s, root)
		if len(rows) == 0 {
			continue
		}
		if err := wr.appendRows(b, s, rows); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", s.Name, err)
		}
	}
	if len(wr.problems) > 0 {
		return wr.problems, nil
	}
	if err := f.Write(w); err != nil {
		return nil, fmt.Errorf("write the workbook: %w", err)
	}
	return nil, nil
}

// below reports whether s is a register nested in top.
func below(s, top *Sheet) bool {
	for p := s.Parent; p != nil; p = p.Parent {
		if p == top {
			return true
		}
	}
	return false
}

// appendRows writes rows after the last row of sheet s, as found by the
// reader of xlsxfile.go (excelize would load the whole sheet, styles and all,
// to find it).
func (wr *writer) appendRows(b *book, s *Sheet, rows []rowData) error {
	name, last := "", 0
	headers := map[string]int{}
	width := 0
	for _, ref := range b.sheets {
		if !strings.EqualFold(strings.TrimSpace(ref.name), s.Name) {
			continue
		}
		name = ref.name
		err := b.sheetRows(ref, func(row int, cells []cell) error {
			if row == 1 {
				for _, c := range cells {
					headers[strings.TrimSpace(c.text)] = c.col
				}
			}
			last = row
			for _, c := range cells {
				width = max(width, c.col+1)
			}
			return nil
		})
		if err != nil {
			return err
		}
		break
	}
	if name == "" {
		// The sheet is missing: add it, with its headers, notes and rules.
		name = s.Name
		if _, err := wr.f.NewSheet(name); err != nil {
			return err
		}
		last = 1
	}
	if last == 0 {
		last = 1
	}
	cols := s.AllColumns()
	for _, c := range cols {
		if _, ok := headers[c.Header]; ok {
			continue
		}
		col := width
		width++
		headers[c.Header] = col
		if err := wr.f.SetCellStr(name, cellName(col, 1), c.Header); err != nil {
			return err
		}
		if err := wr.note(name, cellName(col, 1), c); err != nil {
			return err
		}
		if err := wr.validation(name, fmt.Sprintf("%s:%s", cellName(col, 2), cellName(col, maxRows)), c, s); err != nil {
			return err
		}
	}
	for r, rd := range rows {
		row := last + 1 + r
		for i, c := range cols {
			var val any
			switch {
			case i < len(rd.keys):
				val = rd.keys[i]
			case c == s.Number:
				val = int64(rd.index + 1)
			default:
				if x, ok := lookup(rd.item, c.Path); ok {
					val, _ = wr.cellValue(s, headers[c.Header], row, c, rd.ptr+pointerOf(c.Path), x)
				}
			}
			if val == nil {
				continue
			}
			ref := cellName(headers[c.Header], row)
			if err := wr.f.SetCellValue(name, ref, val); err != nil {
				return err
			}
		}
	}
	return nil
}
