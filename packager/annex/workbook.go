package annex

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// docProps are what the workbook says about itself: its document
// properties (docProps/core.xml) and, on every printed page, the footer's
// page numbering.
type docProps struct {
	title, subject, creator, description, keywords, language, identifier string
	date                                                                 time.Time
	// pageOf is the page numbering in the footer's codes ("Page &P of
	// &N"; see footerCodes); "" prints English.
	pageOf string
}

// bodyFont is the font excelize gives a new workbook's cells; digestFont is
// the monospace one the digest columns print in.
const (
	bodyFont   = "Calibri"
	digestFont = "Courier New"
)

// Column widths, in characters.
const (
	minWidth = 8
	maxWidth = 30
	// digestWidth holds a SHA-256 (64 characters) of the monospace digest
	// font on one line; a SHA-512 wraps onto two.
	digestWidth = 70
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
		p.widths[i] = headerWidth(c.header)
		if c.kind == kindID {
			p.keyCol = i
			p.rowOf = make(map[string]int)
		}
	}
	rows := s.rows
	if s.sizeRows != nil {
		rows = s.sizeRows
	}
	err := rows(func(row []value) error {
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
			// A column already at maxWidth stays there, a digest
			// column gets digestWidth whatever its text, and a text
			// no longer in bytes than the column is wide (less 2)
			// counts no more characters: none of them needs counting
			// (20,000 photos: a digest and a path or two in each of
			// 40,000 rows).
			if p.widths[i] >= maxWidth || s.cols[i].digest || v.k == vText && len(v.s)+2 <= p.widths[i] {
				continue
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
		if s.cols[i].digest {
			p.widths[i] = digestWidth
		}
	}
	return p, nil
}

// headerWidth is what a header needs: its longest word and the filter
// button beside it. A longer header wraps onto more lines rather than
// widening its column, and so the printed page.
func headerWidth(h string) int {
	w := 0
	for _, word := range strings.Fields(h) {
		w = max(w, utf8.RuneCountInString(word))
	}
	return w + filterPad
}

// lineHeight is the height, in points, of a line of the body font.
const lineHeight = 15

// headerLines is how many lines header takes when wrapped at width
// characters: words stay whole, a word wider than width takes a line.
func headerLines(header string, width int) int {
	lines, used := 1, 0
	for _, w := range strings.Fields(header) {
		n := utf8.RuneCountInString(w)
		switch {
		case used == 0:
			used = n
		case used+1+n <= width:
			used += 1 + n
		default:
			lines++
			used = n
		}
	}
	return lines
}

// styles are the cell styles the sheets share. Every one has thin borders,
// so a printed annex shows its grid (excelize has no API for the
// printOptions gridLines flag, so the lines are borders), and wraps its
// text at the top of the cell: a column is at most maxWidth wide, and a
// longer text takes more lines rather than widening the printed page.
type styles struct {
	plain, header, link, datetime int
	digest                        int    // monospace
	date                          [3]int // by Precision
}

func newStyles(f *excelize.File) (*styles, error) {
	var st styles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		s.Border = border
		s.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	fmtStr := func(s string) *string { return &s }
	st.plain = mk(&excelize.Style{})
	// A font without a family prints in a fallback (a serif in
	// LibreOffice); the header and links keep the workbook's own.
	st.header = mk(&excelize.Style{Font: &excelize.Font{Family: bodyFont, Bold: true}})
	st.link = mk(&excelize.Style{Font: &excelize.Font{Family: bodyFont, Color: "0563C1", Underline: "single"}})
	st.digest = mk(&excelize.Style{Font: &excelize.Font{Family: digestFont, Size: 9}})
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
		if err := layoutSheet(ctx, f, st, s, plans, props.pageOf); err != nil {
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

// Print setup of every sheet: A4 landscape, all columns on one page wide
// where that stays legible (pagesWide), the header row on every page, the
// sheet name and page numbers in the footer.
var (
	paperA4     = 9
	landscape   = "landscape"
	pagesNeeded = 0 // as many pages tall as the rows need
	fitToPage   = true
)

// legibleWidth is how many characters of column width one A4 landscape
// page may carry before fitting them to the page shrinks the text below
// about half its size (some 140 characters of the default font fit at full
// size). A register wider than that (the Evidence register has 39
// columns) is printed across as many pages side by side as keep it
// legible, with its ID column repeated at the left of each: fitted to one
// page it printed at a seventh of its size, which no reader can use.
const legibleWidth = 260

// pagesWide is how many pages side by side a sheet whose columns have these
// widths is printed across: one when it fits legibly, else as many as
// needed, counting the ID column repeated on each page.
func pagesWide(widths []int) int {
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= legibleWidth || len(widths) == 0 {
		return 1
	}
	rest := total - widths[0]
	// The repeated ID column takes its width from every page (at most
	// digestWidth, well under legibleWidth; the floor keeps a page for
	// the rest whatever it is).
	per := max(legibleWidth-widths[0], legibleWidth/2)
	return (rest + per - 1) / per
}

// printTitles is what a sheet repeats on every printed page: its header
// row, and its first (ID) column when it is printed several pages wide.
func printTitles(name string, wide int) string {
	if wide > 1 {
		return quoteSheet(name) + "!$A:$A," + quoteSheet(name) + "!$1:$1"
	}
	return quoteSheet(name) + "!$1:$1"
}

// footer is a sheet's printed footer: the sheet's name on the left, the
// page numbering (pageOf, in footer codes) on the right.
func footer(pageOf string) string {
	if pageOf == "" {
		pageOf = "Page &P of &N"
	}
	return "&L&A&R" + pageOf
}

// footerCodes turns a sentence holding the page number as "\x00P" and the
// page count as "\x00N" into a footer's codes: its own "&" doubled (a
// footer reads "&" as the start of a code), the markers as &P and &N.
func footerCodes(s string) string {
	s = strings.ReplaceAll(s, "&", "&&")
	return strings.ReplaceAll(s, "\x00", "&")
}

// maxLinks caps the cell hyperlinks of one sheet: Excel holds at most
// 65,530 per sheet, and a reader's workbook with tens of thousands of
// links opens slowly. Past the cap a cell shows its IDs as plain text; the
// filter on the target sheet's ID column finds the row.
const maxLinks = 10000

// linker decides, cell by cell in row order, which reference cells link to
// the row that defines their first ID. layoutSheet (which records the
// links) and fill (which styles the cells) each walk the rows with a fresh
// one and so decide the same.
type linker struct {
	plans map[string]*plan
	n     int
	// to holds, by target sheet, the start of the locations its links
	// go to ("'Incidents'!A"), escaped as an XML attribute; each link
	// adds only a row number.
	to map[string]string
}

// next returns where the cell value v of column c links to, the target
// sheet's ID column (to, "'Incidents'!A" escaped as an XML attribute)
// and the row there, or "" when it shows plain text. fill, which walks
// the rows once, styles the cell and records its hyperlink by it.
func (l *linker) next(c column, v value) (to string, row int) {
	if v.k != vRefs || len(v.ids) == 0 || l.n >= maxLinks {
		return "", 0
	}
	t := l.plans[c.target]
	r, ok := t.rowOf[v.ids[0]]
	if !ok {
		return "", 0
	}
	l.n++
	to, ok = l.to[c.target]
	if !ok {
		col, _ := excelize.ColumnNumberToName(t.keyCol + 1)
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(quoteSheet(c.target)+"!"+col))
		to = b.String()
		if l.to == nil {
			l.to = map[string]string{}
		}
		l.to[c.target] = to
	}
	return to, r
}

// quoteSheet quotes a sheet name for a reference ('Persons of interest'),
// doubling its apostrophes.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// layoutSheet streams a sheet's frame: print setup, widths, frozen bold
// header and table. The rows and their cell hyperlinks are fill's.
func layoutSheet(ctx context.Context, f *excelize.File, st *styles, s *sheet, plans map[string]*plan, pageOf string) error {
	p := plans[s.name]
	fail := func(what string, err error) error { return fmt.Errorf("annex: sheet %s: %s: %w", s.name, what, err) }
	// Before the StreamWriter, which writes the sheet properties as it starts.
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fitToPage}); err != nil {
		return fail("print setup", err)
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return fail("stream", err)
	}
	// excelize writes <cols> in reverse call order; Excel wants them sorted.
	for i := len(s.cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, float64(p.widths[i])); err != nil {
			return fail("column width", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail("freeze header", err)
	}
	cells := make([]any, len(s.cols))
	for i, c := range s.cols {
		cells[i] = excelize.Cell{StyleID: st.header, Value: c.header}
	}
	// A wrapped header needs a taller row: a spreadsheet sizes rows to
	// their text when it opens the workbook, but not the frozen header.
	lines := 1
	for i, c := range s.cols {
		lines = max(lines, headerLines(c.header, p.widths[i]-filterPad))
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: lineHeight * float64(lines)}); err != nil {
		return fail("header", err)
	}
	// A table gives every sheet its filter buttons: f.AutoFilter has no
	// effect on a streamed sheet. A table needs a data row, so an empty
	// sheet's table covers one blank row.
	last, err := excelize.CoordinatesToCellName(len(s.cols), max(p.rows+1, 2))
	if err != nil {
		return fail("size", err)
	}
	if err := sw.AddTable(&excelize.Table{
		Range:     "A1:" + last,
		Name:      tableName(s),
		StyleName: "TableStyleLight1",
	}); err != nil {
		return fail("filter", err)
	}
	// Page setup, footer and hyperlinks are written by Flush, after the
	// rows (where fill inserts them), in the order SpreadsheetML wants.
	wide := pagesWide(p.widths)
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &paperA4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &pagesNeeded}); err != nil {
		return fail("print setup", err)
	}
	if err := f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: footer(pageOf)}); err != nil {
		return fail("footer", err)
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: printTitles(s.name, wide), Scope: s.name}); err != nil {
		return fail("print titles", err)
	}
	if err := sw.Flush(); err != nil {
		return fail("write", err)
	}
	return nil
}

// What fill relies on in the worksheet part excelize's StreamWriter writes
// for a sheet holding only its header row (pinned by TestExcelizeFrame).
const (
	frameDimension = `<dimension ref="A1"></dimension>` // replaced by the sheet's real range
	frameEnd       = "</sheetData>"                     // the data rows go before it
	// frameMax bounds the frame read into memory: the header and the
	// sheet's settings.
	frameMax = 8 << 20
)

// afterLinks are the elements a worksheet part puts after its hyperlinks
// (SpreadsheetML's order, which excelize's worksheet type follows): fill
// inserts the <hyperlinks> element before the first of them in the frame.
var afterLinks = []string{"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
	"customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
	"drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "mc:AlternateContent", "tableParts", "extLst"}

// link is one cell hyperlink fill records: the cell (its column's index
// and its row) and where it goes (linker.next).
type link struct {
	col, row int
	to       string
	toRow    int
}

// writeLinks writes a worksheet's <hyperlinks> element, as excelize
// encodes its own (encoding/xml: the same bytes as when excelize wrote
// them; TestHyperlinksAsEncoded), without a string per link: a sheet
// holds up to maxLinks of them. refs are the column names (A, B, ...),
// which need no escaping, like the row numbers.
func writeLinks(w *bufio.Writer, refs []string, links []link) {
	var num []byte
	w.WriteString(`<hyperlinks>`)
	for _, l := range links {
		w.WriteString(`<hyperlink ref="`)
		w.WriteString(refs[l.col])
		num = strconv.AppendInt(num[:0], int64(l.row), 10)
		w.Write(num)
		w.WriteString(`" location="`)
		w.WriteString(l.to)
		num = strconv.AppendInt(num[:0], int64(l.toRow), 10)
		w.Write(num)
		w.WriteString(`"></hyperlink>`)
	}
	w.WriteString(`</hyperlinks>`)
}

// linksAt is where in a frame's tail (from </sheetData>) the hyperlinks go.
func linksAt(tail []byte) int {
	at := bytes.LastIndex(tail, []byte("</worksheet>"))
	for _, name := range afterLinks {
		for off := 0; ; {
			i := bytes.Index(tail[off:], []byte("<"+name))
			if i < 0 {
				break
			}
			i += off
			if k := i + 1 + len(name); k < len(tail) && (tail[k] == ' ' || tail[k] == '>' || tail[k] == '/') {
				if at < 0 || i < at {
					at = i
				}
				break
			}
			off = i + 1
		}
	}
	return at
}

// sheetLevel is the deflate level of the sheets' rows (see
// sheetCompressor).
const sheetLevel = 1

// assembler writes the final workbook: excelize's parts in name order, each
// sheet's data rows spliced into its worksheet part.
type assembler struct {
	st     *styles
	plans  map[string]*plan
	csvOut func(string) (io.WriteCloser, error)
	// startTags[id] ends the start tag of a cell of style id after its
	// reference, for a number ([0]) and an inline string ([1]), made
	// once per style rather than once per cell; num is cell's scratch
	// for a number.
	startTags [][2]string
	num       []byte
	// What one sheet's fill uses and the next one's uses again, instead
	// of each of the twelve sheets making its own: the chunks of the
	// pipes of the sheet's XML and of its CSV twin, the buffers of
	// both, the list of its cell hyperlinks (up to maxLinks).
	chunks    [][]byte
	csvChunks [][]byte
	xmlBuf    *bufio.Writer
	csvBuf    *bufio.Writer
	links     []link
}

// startTag is the end of the start tag of a cell of style id after its
// reference: the reference's closing quote, the style (none for style 0),
// the type of an inline string (inline) and ">". A text cell is written
// in seven pieces, not the twelve it was when each of these was written
// on its own: 420,000 cells at 20,000 photos.
func (a *assembler) startTag(id int, inline bool) string {
	for len(a.startTags) <= id {
		attr := ""
		if n := len(a.startTags); n != 0 {
			attr = ` s="` + strconv.Itoa(n) + `"`
		}
		a.startTags = append(a.startTags, [2]string{`"` + attr + `>`, `"` + attr + ` t="inlineStr">`})
	}
	if inline {
		return a.startTags[id][1]
	}
	return a.startTags[id][0]
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
	zw.RegisterCompressor(zip.Deflate, sheetCompressor())
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

// sheetCompressor is the deflater of a workbook's sheets, for
// zip.Writer.RegisterCompressor: klauspost/compress's flate at level 1,
// not the standard library's. For the 20,000 photos of
// scripts/bench-package.sh (BenchmarkWriteManyEvidence/photos-20000,
// three interleaved rounds) the workbook took 0.21-0.25 s and 0.31-0.32 s
// of user CPU with compress/flate at level 2, 0.14-0.15 s and 0.22 s
// with this, for a workbook 1.2% larger (7.28 MB against 7.20 MB; its
// digest columns are random hex, which compress/flate is slow to find
// no match in); the La Vega sample's sheets deflate 6% larger. A
// register of long repeated texts compresses worse (20,000 items of
// bigCase: 5.32 MB against 4.13 MB, in the same time), a workbook
// nobody writes by hand. Level 2 gave the same time and sizes within
// 0.5% for a compressor of 0.88 MB, against 0.49 MB at level 1 and
// 0.81 MB for compress/flate's: the workbook is made in the phase
// where a build's memory limit binds (packager/case.go).
//
// The bytes out depend only on the bytes in: this deflater, like
// compress/flate, compresses a window once it is full or at Close, never
// at a Write's end (so the pipe's chunks make no difference), on one
// goroutine, in pure Go on every platform. A new release of the library
// may deflate otherwise, which would change every workbook's bytes:
// TestSheetCompressorPinned fails then, as go.mod pins the version.
//
// One compressor serves every sheet in turn (the zip writer closes each
// part before it starts the next), reset for each: Reset makes it what
// NewWriter would (the same bytes out) without fresh memory for each of
// a workbook's twelve sheets.
func sheetCompressor() func(out io.Writer) (io.WriteCloser, error) {
	var fw *flate.Writer
	return func(out io.Writer) (io.WriteCloser, error) {
		if fw == nil {
			var err error
			fw, err = flate.NewWriter(out, sheetLevel)
			return fw, err
		}
		fw.Reset(out)
		return fw, nil
	}
}

// fill writes sheet s's part: the frame excelize wrote, with the data rows
// inserted before </sheetData>, and the CSV twin alongside.
func (a *assembler) fill(ctx context.Context, zw *zip.Writer, zf *zip.File, s *sheet) (err error) {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("annex: reread sheet %s: %w", s.name, err)
	}
	frame, err := io.ReadAll(io.LimitReader(rc, frameMax+1))
	rc.Close()
	if err != nil {
		return fmt.Errorf("annex: reread sheet %s: %w", s.name, err)
	}
	if len(frame) > frameMax {
		// Cut short, the part would lose its end: refuse, never truncate.
		return fmt.Errorf("annex: sheet %s: %s is larger than the %d bytes a sheet's layout may take", s.name, zf.Name, frameMax)
	}
	end := bytes.LastIndex(frame, []byte(frameEnd))
	var firstHeader bytes.Buffer
	xmlText(&firstHeader, s.cols[0].header)
	// The markers this splice relies on (see the package doc); an excelize
	// that writes the frame otherwise fails here, never silently.
	if end < 0 || bytes.Count(frame, []byte(frameDimension)) != 1 || bytes.Contains(frame, []byte(`<row r="2"`)) ||
		bytes.Contains(frame, []byte("<hyperlinks")) || linksAt(frame[end:]) < 0 ||
		!bytes.Contains(frame, []byte("<t>"+firstHeader.String()+"</t>")) {
		return fmt.Errorf("annex: sheet %s: unexpected layout in %s (excelize writes streamed sheets otherwise than this package expects)", s.name, zf.Name)
	}
	p := a.plans[s.name]
	last, _ := excelize.CoordinatesToCellName(len(s.cols), p.rows+1)
	frame = bytes.Replace(frame, []byte(frameDimension), []byte(`<dimension ref="A1:`+last+`"></dimension>`), 1)
	end = bytes.LastIndex(frame, []byte(frameEnd))

	part, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate})
	if err != nil {
		return fmt.Errorf("annex: write sheet %s: %w", s.name, err)
	}
	// The rows are deflated on another goroutine (pipe) while the next
	// ones are made; the pipe is closed before the zip writer goes on to
	// the next part, and on every return.
	pw := newPipe(part, &a.chunks)
	defer func() {
		if cerr := pw.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annex: write sheet %s: %w", s.name, cerr)
		}
	}()
	if a.xmlBuf == nil {
		a.xmlBuf = bufio.NewWriterSize(pw, 64<<10)
	}
	xw := a.xmlBuf
	xw.Reset(pw)
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
	// The CSV twin is written (in a build, hashed twice over and written
	// to its file: submission's annex parts, assemble's AlsoWriter) on a
	// goroutine of its own too, closed before cw: for the 20,000 photos
	// of scripts/bench-package.sh that was 0.07-0.1 s of the 0.3 s of CPU
	// the rows took on the workbook's own goroutine, the build's critical
	// path while the generated files are made (CPU profile of the build).
	cp := newPipe(cw, &a.csvChunks)
	defer func() {
		if cerr := cp.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("annex: write %s: %w", s.file, cerr)
		}
	}()
	if a.csvBuf == nil {
		a.csvBuf = bufio.NewWriterSize(cp, 64<<10)
	}
	a.csvBuf.Reset(cp)
	csvw := &csvWriter{w: a.csvBuf}
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
	links := &linker{plans: a.plans}
	hl := a.links[:0]
	defer func() { a.links = hl[:0] }()
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
		for i := range row {
			if row[i].k == vEmpty {
				// Most of a register's cells (31 of 39 in a photo's
				// Evidence row): no link, no cell, an empty CSV field.
				fields[i] = ""
				continue
			}
			v := row[i]
			to, toRow := "", 0
			if v.k == vRefs {
				to, toRow = links.next(s.cols[i], v)
			}
			if to != "" {
				hl = append(hl, link{col: i, row: rowNum, to: to, toRow: toRow})
			}
			if a.cell(xw, refs[i], num, s.cols[i], v, to != "") {
				// A text cell written as it is: no second scan
				// of it (cleanText) for its CSV field.
				fields[i] = escapeCSVFormula(v.s)
			} else {
				fields[i] = csvText(v)
			}
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
	tail := frame[end:]
	if len(hl) > 0 {
		at := linksAt(tail)
		xw.Write(tail[:at])
		writeLinks(xw, refs, hl)
		tail = tail[at:]
	}
	xw.Write(tail)
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("annex: write sheet %s: %w", s.name, err)
	}
	return nil
}

// cell writes one cell as SpreadsheetML. Text from the case is always an
// inline string: a spreadsheet never evaluates it, whatever it starts with.
// No cell is a formula; a reference cell that links (linked) gets the link
// style, its link being a cell hyperlink fill records. It reports
// whether v is text the cell shows exactly as it is (plainText), which
// its CSV twin's field then shows too, as cleanText would leave it.
func (a *assembler) cell(w *bufio.Writer, col string, row []byte, c column, v value, linked bool) (plain bool) {
	open := func(style int, inline bool) {
		w.WriteString(`<c r="`)
		w.WriteString(col)
		w.Write(row)
		w.WriteString(a.startTag(style, inline))
	}
	inlineStyled := func(s string, style int) bool {
		if plainText(s) {
			// What nearly every cell holds (an ID, a digest, a path):
			// nothing below would change it.
			open(style, true)
			w.WriteString(`<is><t>`)
			w.WriteString(s)
			w.WriteString(`</t></is></c>`)
			return true
		}
		s = fitCell(cleanText(s))
		open(style, true)
		if s != strings.TrimSpace(s) {
			w.WriteString(`<is><t xml:space="preserve">`)
		} else {
			w.WriteString(`<is><t>`)
		}
		xmlText(w, escapeBstr(s))
		w.WriteString(`</t></is></c>`)
		return false
	}
	inline := func(s string) bool {
		if c.digest {
			return inlineStyled(s, a.st.digest)
		}
		return inlineStyled(s, a.st.plain)
	}
	number := func(style int, n []byte) {
		open(style, false)
		w.WriteString(`<v>`)
		w.Write(n)
		w.WriteString(`</v></c>`)
	}
	switch v.k {
	case vText:
		return inline(v.s)
	case vRefs:
		// A cell links to the row defining its first ID and shows all of
		// them, so "INC-01; INC-02" jumps to INC-01.
		label := strings.Join(v.ids, refSeparator)
		if linked {
			inlineStyled(label, a.st.link)
			return
		}
		inline(label)
	case vDate:
		y, m, d := v.t.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if day.Before(serialFrom) {
			inline(formatDate(v.t, v.prec))
			return
		}
		a.num = append(a.num[:0], serial(day)...)
		number(a.st.date[v.prec], a.num)
	case vTime:
		u := v.t.UTC().Truncate(time.Second)
		if u.Before(serialFrom) {
			inline(u.Format("2006-01-02T15:04:05Z"))
			return
		}
		a.num = append(a.num[:0], serial(u)...)
		number(a.st.datetime, a.num)
	case vInt:
		a.num = strconv.AppendInt(a.num[:0], v.n, 10)
		number(a.st.plain, a.num)
	}
	return false
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

// plainText reports whether a cell shows s exactly as it is and writes it
// as XML character data unchanged: printable ASCII with nothing XML
// escapes, no space at either end (xml:space), no "_x" (escapeBstr), and
// short enough for a cell (fitCell). The slow path gives the same bytes.
func plainText(s string) bool {
	if len(s) == 0 || len(s) > maxCellUnits || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '&', c == '<', c == '>':
			return false
		case c == '_' && i+1 < len(s) && s[i+1] == 'x':
			return false
		}
	}
	return true
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
