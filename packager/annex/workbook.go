package annex

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
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

// maxRows is the number of rows in a sheet (Excel's limit), header included.
const maxRows = 1 << 20

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
		if p.rows >= maxRows {
			return fmt.Errorf("annex: sheet %s: more than %d rows, the most a spreadsheet sheet holds", s.name, maxRows-1)
		}
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
// CSV twin (opened through csvOut). tmpDir is where excelize may keep
// temporary files; "" means the system default.
//
// excelize's StreamWriter lays out every sheet: column widths, frozen
// header, header row and the table that carries the filter. The data rows
// are then streamed straight into the sheet's zip entry while the workbook
// is assembled, in the same pass that writes the CSV twin. (A StreamWriter
// keeps each sheet's XML, or a 16-32 MiB buffer of it, in memory until the
// whole workbook is saved: about 80 MiB for the 100,000-row benchmark.)
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
		if err := layoutSheet(f, st, s, plans[s.name]); err != nil {
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
	a := &assembler{st: st, plans: plans, csvOut: csvOut}
	return a.assemble(ctx, buf.Bytes(), sheets, xlsx)
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

// layoutSheet streams a sheet's frame: widths, frozen bold header, table.
func layoutSheet(f *excelize.File, st *styles, s *sheet, p *plan) error {
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
	cells := make([]any, len(s.cols))
	for i, c := range s.cols {
		cells[i] = excelize.Cell{StyleID: st.header, Value: c.header}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("annex: sheet %s: header: %w", s.name, err)
	}
	// A table gives every sheet its filter buttons: f.AutoFilter has no
	// effect on a streamed sheet. A table needs a data row, so an empty
	// sheet's table covers one blank row.
	last, err := excelize.CoordinatesToCellName(len(s.cols), max(p.rows+1, 2))
	if err != nil {
		return fmt.Errorf("annex: sheet %s: %w", s.name, err)
	}
	if err := sw.AddTable(&excelize.Table{
		Range:     "A1:" + last,
		Name:      tableName(s),
		StyleName: "TableStyleLight1",
	}); err != nil {
		return fmt.Errorf("annex: sheet %s: filter: %w", s.name, err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("annex: sheet %s: %w", s.name, err)
	}
	return nil
}

// assembler writes the final workbook: excelize's parts in name order, each
// sheet's data rows spliced into its worksheet part.
type assembler struct {
	st     *styles
	plans  map[string]*plan
	csvOut func(string) (io.WriteCloser, error)
}

// assemble copies the parts of the laid-out workbook b in name order
// (excelize writes streamed sheets in map order, so two builds would differ)
// and fills in the sheets. Other parts are copied raw, without recompression.
func (a *assembler) assemble(ctx context.Context, b []byte, sheets []*sheet, w io.Writer) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("annex: reread workbook: %w", err)
	}
	parts := make(map[string]*sheet, len(sheets))
	for i, s := range sheets {
		// NewFile names the first sheet's part sheet1.xml and NewSheet
		// numbers the next ones by sheet ID; fill checks each one's header.
		parts["xl/worksheets/sheet"+strconv.Itoa(i+1)+".xml"] = s
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		s, ok := parts[zf.Name]
		if !ok {
			if err := zw.Copy(zf); err != nil {
				return fmt.Errorf("annex: write workbook part %s: %w", zf.Name, err)
			}
			continue
		}
		delete(parts, zf.Name)
		if err := a.fill(ctx, zw, zf, s); err != nil {
			return err
		}
	}
	if len(parts) > 0 {
		return fmt.Errorf("annex: workbook lacks %d sheet part(s)", len(parts))
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("annex: write workbook: %w", err)
	}
	return nil
}

// fill writes sheet s's part: the frame excelize wrote, with the data rows
// inserted before </sheetData>, and the CSV twin alongside.
func (a *assembler) fill(ctx context.Context, zw *zip.Writer, zf *zip.File, s *sheet) (err error) {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("annex: reread sheet %s: %w", s.name, err)
	}
	frame, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	rc.Close()
	if err != nil {
		return fmt.Errorf("annex: reread sheet %s: %w", s.name, err)
	}
	end := bytes.LastIndex(frame, []byte("</sheetData>"))
	var firstHeader bytes.Buffer
	xmlText(&firstHeader, s.cols[0].header)
	if end < 0 || bytes.Contains(frame, []byte(`<row r="2"`)) ||
		!bytes.Contains(frame, []byte("<t>"+firstHeader.String()+"</t>")) {
		return fmt.Errorf("annex: sheet %s: unexpected layout in %s", s.name, zf.Name)
	}
	p := a.plans[s.name]
	last, _ := excelize.CoordinatesToCellName(len(s.cols), p.rows+1)
	frame = bytes.Replace(frame, []byte(`<dimension ref="A1"></dimension>`), []byte(`<dimension ref="A1:`+last+`"></dimension>`), 1)
	end = bytes.LastIndex(frame, []byte("</sheetData>"))

	part, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate})
	if err != nil {
		return fmt.Errorf("annex: write sheet %s: %w", s.name, err)
	}
	xw := bufio.NewWriterSize(part, 64<<10)
	xw.Write(frame[:end])

	cw, err := a.csvOut(s.file)
	if err != nil {
		return fmt.Errorf("annex: create %s: %w", s.file, err)
	}
	defer func() {
		if cerr := cw.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annex: close %s: %w", s.file, cerr)
		}
	}()
	csvw := newCSVWriter(cw)
	fields := make([]string, len(s.cols))
	for i, c := range s.cols {
		fields[i] = escapeCSVFormula(c.header)
	}
	if err := csvw.write(fields); err != nil {
		return fmt.Errorf("annex: write %s: %w", s.file, err)
	}

	refs := make([]string, len(s.cols))
	for i := range s.cols {
		refs[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	rowNum := 1
	var num []byte
	err = s.rows(func(row []value) error {
		rowNum++
		if rowNum%checkRow == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		num = strconv.AppendInt(num[:0], int64(rowNum), 10)
		xw.WriteString(`<row r="`)
		xw.Write(num)
		xw.WriteString(`">`)
		for i, v := range row {
			a.cell(xw, refs[i], num, s.cols[i], v)
			fields[i] = csvText(v)
		}
		xw.WriteString(`</row>`)
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
	xw.Write(frame[end:])
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("annex: write sheet %s: %w", s.name, err)
	}
	return nil
}

// cell writes one cell as SpreadsheetML. Text from the case is always an
// inline string: a spreadsheet never evaluates it, whatever it starts with.
// The one formula is a HYPERLINK that this code builds from a sheet name it
// chose and an ID that matched linkableID.
func (a *assembler) cell(w *bufio.Writer, col string, row []byte, c column, v value) {
	open := func(style int, typ string) {
		w.WriteString(`<c r="`)
		w.WriteString(col)
		w.Write(row)
		w.WriteByte('"')
		if style != 0 {
			w.WriteString(` s="`)
			w.WriteString(strconv.Itoa(style))
			w.WriteByte('"')
		}
		if typ != "" {
			w.WriteString(` t="`)
			w.WriteString(typ)
			w.WriteByte('"')
		}
		w.WriteByte('>')
	}
	inline := func(s string) {
		s = fitCell(cleanText(s))
		style := 0
		if strings.ContainsAny(s, "\n\r") {
			style = a.st.wrap
		}
		open(style, "inlineStr")
		if s != strings.TrimSpace(s) {
			w.WriteString(`<is><t xml:space="preserve">`)
		} else {
			w.WriteString(`<is><t>`)
		}
		xmlText(w, escapeBstr(s))
		w.WriteString(`</t></is></c>`)
	}
	number := func(style int, n string) {
		open(style, "")
		w.WriteString(`<v>`)
		w.WriteString(n)
		w.WriteString(`</v></c>`)
	}
	switch v.k {
	case vText:
		inline(v.s)
	case vRefs:
		// A cell links to the row defining its first ID and shows all of
		// them, so "INC-01; INC-02" jumps to INC-01. The label is a string
		// literal inside the formula, which spreadsheets cap at 255
		// characters; a longer list stays plain text.
		label := strings.Join(v.ids, refSeparator)
		linkable := len(v.ids) > 0 && len(label) <= 255
		for _, id := range v.ids {
			linkable = linkable && linkableID.MatchString(id)
		}
		if !linkable {
			inline(label)
			return
		}
		t := a.plans[c.target]
		r, ok := t.rowOf[v.ids[0]]
		if !ok {
			inline(label)
			return
		}
		tcol, _ := excelize.ColumnNumberToName(t.keyCol + 1)
		open(a.st.link, "str")
		w.WriteString(`<f>HYPERLINK("#'`)
		xmlText(w, c.target)
		w.WriteString(`'!`)
		w.WriteString(tcol)
		w.WriteString(strconv.Itoa(r))
		w.WriteString(`","`)
		w.WriteString(label)
		w.WriteString(`")</f><v>`)
		w.WriteString(label)
		w.WriteString(`</v></c>`)
	case vDate:
		y, m, d := v.t.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if day.Before(serialFrom) {
			inline(formatDate(v.t, v.prec))
			return
		}
		number(a.st.date[v.prec], serial(day))
	case vTime:
		u := v.t.UTC().Truncate(time.Second)
		if u.Before(serialFrom) {
			inline(u.Format("2006-01-02T15:04:05Z"))
			return
		}
		number(a.st.datetime, serial(u))
	case vInt:
		number(0, strconv.FormatInt(v.n, 10))
	case vBool:
		open(0, "b")
		if v.b {
			w.WriteString(`<v>1</v></c>`)
		} else {
			w.WriteString(`<v>0</v></c>`)
		}
	}
}

// Excel counts days from 1899-12-30 (it believes 1900 was a leap year);
// from 1900-03-01 on, that count is right. Earlier dates are written as text.
var (
	serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	serialFrom  = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
)

const day = 24 * time.Hour

func serial(t time.Time) string {
	d := t.Sub(serialEpoch)
	f := float64(d/day) + float64(d%day)/float64(day)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// xmlText writes s as XML character data. CR is written as a reference so
// that an XML reader does not turn it into LF; text has been through
// cleanText, so every character is one XML allows.
func xmlText(w io.StringWriter, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// bstrEscape matches what Excel reads as an escaped character in a string
// (_x0041_ is "A"). A literal one is protected by escaping its underscore
// (_x005F_), as Excel and excelize do.
var bstrEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

func escapeBstr(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return bstrEscape.ReplaceAllString(s, "_x005F$0")
}

// tableName names a sheet's table ("tblEvidence"). Table names are
// narrower than sheet names (no spaces, no accents in older spreadsheets),
// so they come from the sheet's key, the same in every language.
func tableName(s *sheet) string {
	k := s.key
	if k == "" {
		k = strings.ReplaceAll(s.name, " ", "")
	}
	return "tbl" + strings.ToUpper(k[:1]) + k[1:]
}
