package annex

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// docProps are the workbook's document properties (docProps/core.xml).
type docProps struct {
	title, subject, creator, description, keywords, language, identifier string
	date                                                                 time.Time
}

// Column widths, in characters.
const (
	minWidth = 8
	maxWidth = 60
	// filterPad leaves room for the filter button beside the header text.
	filterPad = 4
)

// plan is what the first pass over a sheet learns: column widths, the row
// that defines each ID, and the row count.
type plan struct {
	widths []int
	keyCol int            // index of the kindID column, -1 if none
	rowOf  map[string]int // ID → worksheet row number (header is row 1)
	rows   int
}

// checkRow is how often (in rows) a long sheet looks at ctx.
const checkRow = 1024

func planSheet(ctx context.Context, s *sheet) (*plan, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	p := &plan{widths: make([]int, len(s.cols)), keyCol: -1}
	for i, c := range s.cols {
		p.widths[i] = len([]rune(c.header)) + filterPad
		if c.kind == kindID {
			p.keyCol = i
			p.rowOf = make(map[string]int)
		}
	}
	err := s.rows(func(row []value) error {
		if len(row) != len(s.cols) {
			return fmt.Errorf("annex: sheet %s: row %d has %d cells, want %d", s.name, p.rows+2, len(row), len(s.cols))
		}
		p.rows++
		if p.rows%checkRow == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i, v := range row {
			if !s.cols[i].kind.accepts(v.k) {
				return fmt.Errorf("annex: sheet %s: column %q got a value of the wrong type", s.name, s.cols[i].header)
			}
			if w := displayWidth(v) + 2; w > p.widths[i] {
				p.widths[i] = w
			}
		}
		if p.keyCol >= 0 {
			id := row[p.keyCol].s
			if _, dup := p.rowOf[id]; !dup && id != "" {
				p.rowOf[id] = p.rows + 1
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, w := range p.widths {
		p.widths[i] = min(max(w, minWidth), maxWidth)
	}
	return p, nil
}

// styles are the cell styles the sheets share.
type styles struct {
	header, link, datetime int
	wrap                   int    // text with line breaks
	date                   [3]int // by Precision
}

func newStyles(f *excelize.File) (*styles, error) {
	var st styles
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	fmtStr := func(s string) *string { return &s }
	st.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	st.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	st.link = mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	st.date[PrecisionDay] = mk(&excelize.Style{CustomNumFmt: fmtStr("yyyy-mm-dd")})
	st.date[PrecisionMonth] = mk(&excelize.Style{CustomNumFmt: fmtStr("yyyy-mm")})
	st.date[PrecisionYear] = mk(&excelize.Style{CustomNumFmt: fmtStr("yyyy")})
	st.datetime = mk(&excelize.Style{CustomNumFmt: fmtStr("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return nil, fmt.Errorf("annex: styles: %w", err)
	}
	return &st, nil
}

// writeWorkbook writes sheets to one workbook (xlsx) and each sheet to its
// CSV twin (opened through csvOut). tmpDir is where excelize may spill a
// large sheet; "" means the system default.
func writeWorkbook(ctx context.Context, sheets []*sheet, props docProps, tmpDir string, xlsx io.Writer, csvOut func(name string) (io.WriteCloser, error)) (err error) {
	if len(sheets) == 0 {
		return fmt.Errorf("annex: no sheets")
	}
	plans := make(map[string]*plan, len(sheets))
	for _, s := range sheets {
		if _, dup := plans[s.name]; dup {
			return fmt.Errorf("annex: duplicate sheet %s", s.name)
		}
		p, err := planSheet(ctx, s)
		if err != nil {
			return err
		}
		plans[s.name] = p
	}
	for _, s := range sheets {
		for _, c := range s.cols {
			if c.kind == kindRef {
				if t, ok := plans[c.target]; !ok || t.keyCol < 0 {
					return fmt.Errorf("annex: sheet %s: column %q links to %s, which defines no IDs", s.name, c.header, c.target)
				}
			}
		}
	}

	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annex: remove temporary files: %w", cerr)
		}
	}()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return fmt.Errorf("annex: add sheet %s: %w", s.name, err)
		}
	}
	for _, s := range sheets {
		if err := writeSheet(ctx, f, st, s, plans, csvOut); err != nil {
			return err
		}
	}
	// The first sheet is already the active one. f.SetActiveSheet would
	// parse every streamed sheet back into memory to mark it.
	if err := setProps(f, props); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("annex: write workbook: %w", err)
	}
	return sortZip(buf.Bytes(), xlsx)
}

func setProps(f *excelize.File, p docProps) error {
	stamp := p.date.UTC().Format(time.RFC3339)
	err := f.SetDocProps(&excelize.DocProperties{
		Title:          p.title,
		Subject:        p.subject,
		Creator:        p.creator,
		LastModifiedBy: p.creator,
		Description:    p.description,
		Keywords:       p.keywords,
		Language:       p.language,
		Identifier:     p.identifier,
		Created:        stamp,
		Modified:       stamp,
	})
	if err != nil {
		return fmt.Errorf("annex: document properties: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "casepack"}); err != nil {
		return fmt.Errorf("annex: application properties: %w", err)
	}
	return nil
}

func writeSheet(ctx context.Context, f *excelize.File, st *styles, s *sheet, plans map[string]*plan, csvOut func(string) (io.WriteCloser, error)) (err error) {
	p := plans[s.name]
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return fmt.Errorf("annex: sheet %s: %w", s.name, err)
	}
	// excelize writes <cols> in reverse call order; Excel wants them sorted.
	for i := len(s.cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, float64(p.widths[i])); err != nil {
			return fmt.Errorf("annex: sheet %s: %w", s.name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("annex: sheet %s: freeze header: %w", s.name, err)
	}

	cw, err := csvOut(s.file)
	if err != nil {
		return fmt.Errorf("annex: create %s: %w", s.file, err)
	}
	defer func() {
		if cerr := cw.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annex: close %s: %w", s.file, cerr)
		}
	}()
	csvw := newCSVWriter(cw)

	cells := make([]any, len(s.cols))
	fields := make([]string, len(s.cols))
	for i, c := range s.cols {
		cells[i] = excelize.Cell{StyleID: st.header, Value: c.header}
		fields[i] = escapeCSVFormula(c.header)
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("annex: sheet %s: header: %w", s.name, err)
	}
	if err := csvw.write(fields); err != nil {
		return fmt.Errorf("annex: write %s: %w", s.file, err)
	}

	rowNum := 1
	err = s.rows(func(row []value) error {
		rowNum++
		if rowNum%checkRow == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i, v := range row {
			cells[i] = xlsxCell(st, s.cols[i], v, plans)
			fields[i] = csvText(v)
		}
		if err := sw.SetRow("A"+strconv.Itoa(rowNum), cells); err != nil {
			return fmt.Errorf("annex: sheet %s: row %d: %w", s.name, rowNum, err)
		}
		if err := csvw.write(fields); err != nil {
			return fmt.Errorf("annex: write %s: %w", s.file, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rowNum-1 != p.rows {
		return fmt.Errorf("annex: sheet %s: rows changed between passes (%d, then %d)", s.name, p.rows, rowNum-1)
	}
	if err := csvw.flush(); err != nil {
		return fmt.Errorf("annex: write %s: %w", s.file, err)
	}

	// A table gives every sheet its filter buttons: f.AutoFilter has no
	// effect on a streamed sheet. A table needs a data row, so an empty
	// sheet's table covers one blank row.
	last, err := excelize.CoordinatesToCellName(len(s.cols), max(rowNum, 2))
	if err != nil {
		return fmt.Errorf("annex: sheet %s: %w", s.name, err)
	}
	if err := sw.AddTable(&excelize.Table{
		Range:     "A1:" + last,
		Name:      "tbl" + strings.ReplaceAll(s.name, " ", ""),
		StyleName: "TableStyleLight1",
	}); err != nil {
		return fmt.Errorf("annex: sheet %s: filter: %w", s.name, err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("annex: sheet %s: %w", s.name, err)
	}
	return nil
}

// xlsxCell turns a value into what the StreamWriter stores. Data is only
// ever a Value: excelize writes strings as inline text, never as a formula,
// whatever they start with. The one formula is a HYPERLINK that this code
// builds from a sheet name it chose and an ID that matched linkableID.
func xlsxCell(st *styles, c column, v value, plans map[string]*plan) any {
	switch v.k {
	case vText:
		s := fitCell(cleanText(v.s))
		if strings.ContainsAny(s, "\n\r") {
			return excelize.Cell{StyleID: st.wrap, Value: s}
		}
		return s
	case vRefs:
		shown := fitCell(cleanText(strings.Join(v.ids, refSeparator)))
		if len(v.ids) != 1 || !linkableID.MatchString(v.ids[0]) {
			return shown
		}
		t := plans[c.target]
		row, ok := t.rowOf[v.ids[0]]
		if !ok {
			return shown
		}
		col, _ := excelize.ColumnNumberToName(t.keyCol + 1)
		return excelize.Cell{
			StyleID: st.link,
			Formula: fmt.Sprintf(`HYPERLINK("#'%s'!%s%d","%s")`, c.target, col, row, v.ids[0]),
			Value:   v.ids[0],
		}
	case vDate:
		y, m, d := v.t.Date()
		return excelize.Cell{StyleID: st.date[v.prec], Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	case vTime:
		u := v.t.UTC()
		return excelize.Cell{StyleID: st.datetime, Value: time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.UTC)}
	case vInt:
		return v.n
	case vBool:
		return v.b
	}
	return nil
}

// sortZip copies the workbook's zip entries in name order. excelize writes
// streamed sheets in map order, so without this two builds of the same
// workbook differ in entry order. Entries are copied raw (no recompression).
func sortZip(b []byte, w io.Writer) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("annex: reread workbook: %w", err)
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		if err := zw.Copy(zf); err != nil {
			return fmt.Errorf("annex: write workbook entry %s: %w", zf.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("annex: write workbook: %w", err)
	}
	return nil
}
