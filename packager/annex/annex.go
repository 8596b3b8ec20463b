package annex

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/schema"
)

// Where the annexes live in a package, relative to the bag's root.
const (
	Dir      = "data/annexes"
	XLSXName = "annexes.xlsx"
	CSVDir   = "csv" // relative to Dir
)

// FileInfo is what the build learnt about one evidence file. The annexes
// show these digests and sizes, which are those of the manifests.
type FileInfo struct {
	ID        string // evidence ID the file belongs to
	Source    string // the file's path as written in case.json (evidence[].files[].path)
	Path      string // path inside the package, e.g. data/evidence/EV-0001/clip.mp4
	MediaType string // e.g. video/mp4; "" falls back to the media type in case.json
	Size      int64
	SHA256    string // lowercase hex
	SHA512    string // lowercase hex
	// Sum256 and Sum512 are the digests as bytes, for a file whose
	// SHA256 and SHA512 are "": the registers put them in hex only where
	// they write them, not where they size their columns (a build hands
	// them so: packager/submission).
	Sum256, Sum512 []byte
	Withheld       bool // left out of this edition; its digests are still listed
}

// Options are the build parameters the annexes record.
type Options struct {
	Date       time.Time       // build date (from --date/SOURCE_DATE_EPOCH): document dates
	Edition    edition.Edition // edition.Confidential or edition.Public
	Version    string          // casepack version, e.g. "1.0.0"
	CaseSHA256 string          // SHA-256 of the case.json the package carries
	TmpDir     string          // where a large sheet may spill while it is written; "" = system default
	// Redactions are the narrative's entries of the redaction log (text
	// replaced by a redaction mark); the case data's come from the edition.
	Redactions []edition.Entry
	// Lang is the language of the sheet names, headers and the words the
	// registers print (English when nil). The case's own text and its
	// values (types, statuses, dates) are shown as the case holds them.
	Lang *locale.Lang
}

// The sheets in workbook order: the key that names each in the message
// catalogue (annex.sheet.<key>, packager/locale) and its CSV twin. The
// twins keep their file names in every language, so that the annex index
// and a script reading them find them by one name.
var sheetFiles = []struct{ key, file string }{
	{"evidence", "evidence.csv"},
	{"files", "files.csv"},
	{"incidents", "incidents.csv"},
	{"victims", "victims.csv"},
	{"units", "units.csv"},
	{"custody", "custody.csv"},
	{"crimes", "crimes.csv"},
	{"persons_of_interest", "persons_of_interest.csv"},
	{"chain_of_command", "chain_of_command.csv"},
	{"victim_matrix", "victim_matrix.csv"},
	{"about", "about.csv"},
	{"redactions", "redactions.csv"},
}

// CSVNames returns the file names of the CSV twins, in workbook order.
func CSVNames() []string {
	out := make([]string, len(sheetFiles))
	for i, s := range sheetFiles {
		out[i] = s.file
	}
	return out
}

// SheetName is the name of the sheet whose CSV twin is file (evidence.csv)
// in language l: "Evidence", "Éléments de preuve", "Pruebas".
func SheetName(l *locale.Lang, file string) string {
	for _, s := range sheetFiles {
		if s.file == file {
			return l.T("annex.sheet." + s.key)
		}
	}
	return strings.TrimSuffix(file, ".csv")
}

// Write writes the annex workbook of c to xlsx, and each sheet's CSV twin to
// a writer that csv opens by file name (see CSVNames). files carries the
// digests of the evidence files as the build computed them. The annexes never
// hold a person's protected details, in any edition: persons appear by ID and
// pseudonym only. A public edition shows c as packager/edition redacts it
// (c may be the original or the redacted case): evidence whose files are
// withheld keeps its ID, title, type, classification, sizes and digests.
func Write(ctx context.Context, c *schema.Case, files []FileInfo, opt Options, xlsx io.Writer, csv func(name string) (io.WriteCloser, error)) error {
	return WriteFiles(ctx, c, FilesOf(files), opt, xlsx, csv)
}

// Files tells the annexes what the build learnt of the i-th evidence item
// of the case, ev (as the annexes' edition shows it: the same items, in the
// same order, whatever the edition): the files it reported for the item,
// each with the item's ID, in any order (the annexes match them to ev.Files
// by Source), appended to dst, a scratch list the annexes hand back at the
// next call. A build computes them a row at a time from its own results,
// rather than holding a list of every file: at 20,000 photos such a list
// and its index by item were 3.7 MB of the workbook's live heap, the
// build's peak (packager/build.go, SetMemoryLimit).
type Files func(dst []FileInfo, i int, ev *schema.Evidence) []FileInfo

// FilesOf is the Files of a list of every evidence file's FileInfo, in any
// order (each item's files in one run or several).
func FilesOf(files []FileInfo) Files {
	// Each item's files, as runs of files: a list made item by item
	// gives windows on files, not a copy of it.
	runs := make(map[string][]FileInfo)
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && files[j].ID == files[i].ID {
			j++
		}
		id := files[i].ID
		if run, ok := runs[id]; ok {
			runs[id] = append(run[:len(run):len(run)], files[i:j]...)
		} else {
			runs[id] = files[i:j:j]
		}
		i = j
	}
	return func(_ []FileInfo, _ int, ev *schema.Evidence) []FileInfo { return runs[ev.ID] }
}

// WriteFiles is Write with the build's files given as Files.
func WriteFiles(ctx context.Context, c *schema.Case, files Files, opt Options, xlsx io.Writer, csv func(name string) (io.WriteCloser, error)) error {
	if c == nil {
		return errors.New("no case data")
	}
	// What the public view writes into the case (an evidence title made of
	// its type and pseudonyms, a redaction mark) is in the workbook's
	// language, as every other generated word of it.
	lang := opt.Lang
	if lang == nil {
		lang = locale.English()
	}
	plan, err := edition.NewIn(c, opt.Edition, lang)
	if err != nil {
		return fmt.Errorf("annex: %w", err)
	}
	if opt.Edition == "" {
		opt.Edition = edition.Confidential
	}
	c = plan.Case()
	m := newMapper(c, files, opt)
	l := m.opt.Lang
	m.plan = plan
	title := c.Submission.Title
	if title == "" {
		title = c.Submission.ID
	}
	props := docProps{
		title:       l.T("annex.props.title", "title", title),
		subject:     l.T("annex.props.subject", "id", c.Submission.ID, "edition", l.T("edition.name."+string(opt.Edition))),
		creator:     "casepack " + opt.Version,
		description: l.T("annex.props.description"),
		keywords:    strings.Join(nonEmpty(c.Submission.Recipient.SituationCode, c.Submission.Recipient.SituationName, l.T("annex.props.keyword")), "; "),
		language:    l.Code(),
		pageOf:      footerCodes(l.T("page.of", "page", "\x00P", "total", "\x00N")),
		identifier:  c.Submission.ID,
		date:        opt.Date,
	}
	return writeWorkbook(ctx, m.sheets(), props, opt.TmpDir, xlsx, csv)
}

// WriteDir writes dir/annexes.xlsx and dir/csv/<sheet>.csv. The files must
// not exist yet: it is meant for a fresh (temporary) folder, such as the
// data/annexes folder of a package being built.
func WriteDir(ctx context.Context, c *schema.Case, files []FileInfo, opt Options, dir string) (err error) {
	csvDir := filepath.Join(dir, CSVDir)
	if err := os.MkdirAll(csvDir, 0o755); err != nil {
		return fault.IO(csvDir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, XLSXName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fault.IO(filepath.Join(dir, XLSXName), err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fault.IO(filepath.Join(dir, XLSXName), cerr)
		}
	}()
	open := func(name string) (io.WriteCloser, error) {
		return os.OpenFile(filepath.Join(csvDir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	return Write(ctx, c, files, opt, f, open)
}

// mapper turns the case into sheets. It holds only indexes; rows are made
// as the writer asks for them.
type mapper struct {
	c        *schema.Case
	opt      Options
	x        *schema.Index
	files    Files               // each evidence item's files' build info
	unitIncs map[string][]string // unit ID → incidents that list it
	public   bool
	plan     *edition.Plan
	// The words every row of the Evidence and Files registers may print,
	// looked up once, not once a row (20,000 rows at 20,000 photos).
	included, withheldWord string
	// built, fis and used are the scratch of builtFiles and fileInfos: a
	// register asks for one item's files at a time and is done with them
	// before it asks again.
	built []FileInfo
	fis   []FileInfo
	used  []bool
	// sizing is set while planSheet reads a register's rows (sized):
	// the digests given as bytes are not put in hex then (digests).
	sizing bool
}

func newMapper(c *schema.Case, files Files, opt Options) *mapper {
	if opt.Lang == nil {
		opt.Lang = locale.English()
	}
	if files == nil {
		files = FilesOf(nil)
	}
	m := &mapper{
		c: c, opt: opt, x: schema.NewIndex(c),
		files:    files,
		unitIncs: map[string][]string{},
		public:   opt.Edition == edition.Public,
	}
	m.included, m.withheldWord = opt.Lang.T("annex.included"), opt.Lang.T("annex.withheld")
	for _, inc := range c.Incidents {
		for _, u := range inc.UnitIDs {
			if l := m.unitIncs[u]; len(l) == 0 || l[len(l)-1] != inc.ID {
				m.unitIncs[u] = append(l, inc.ID)
			}
		}
	}
	return m
}

func (m *mapper) sheets() []*sheet {
	rows := map[string]func(func([]value) error) error{
		"evidence":            m.evidenceRows,
		"files":               m.fileRows,
		"incidents":           m.incidentRows,
		"victims":             m.victimRows,
		"units":               m.unitRows,
		"custody":             m.custodyRows,
		"crimes":              m.crimeRows,
		"persons_of_interest": m.interestRows,
		"chain_of_command":    m.chainRows,
		"victim_matrix":       m.matrixRows,
		"about":               m.aboutRows,
		"redactions":          m.redactionRows,
	}
	cols := map[string][]column{
		"evidence":            evidenceCols,
		"files":               fileCols,
		"incidents":           incidentCols,
		"victims":             victimCols,
		"units":               unitCols,
		"custody":             custodyCols,
		"crimes":              crimeCols,
		"persons_of_interest": interestCols,
		"chain_of_command":    chainCols,
		"victim_matrix":       matrixCols,
		"about":               aboutCols,
		"redactions":          redactionCols,
	}
	l := m.opt.Lang
	if l == nil {
		l = locale.English()
	}
	out := make([]*sheet, len(sheetFiles))
	for i, sf := range sheetFiles {
		// The tables below name headers and link targets by catalogue
		// key; the sheet gets them in the workbook's language.
		cs := make([]column, len(cols[sf.key]))
		for j, c := range cols[sf.key] {
			cs[j] = c
			cs[j].header = l.T("annex.col." + c.header)
			if c.target != "" {
				cs[j].target = l.T("annex.sheet." + c.target)
			}
		}
		out[i] = &sheet{name: l.T("annex.sheet." + sf.key), key: sf.key, file: sf.file, cols: cs, rows: rows[sf.key]}
		if sf.key == "evidence" || sf.key == "files" {
			// The registers that show the build's digests.
			out[i].sizeRows = m.sized(out[i].rows)
		}
	}
	return out
}

// withheld is what a cell shows in place of data a public edition leaves
// out.
func (m *mapper) withheld() value { return text(m.withheldWord) }

// yesNo shows a yes/no fact as the language's word ("Yes", "Oui", "Sí"):
// what a reader of the printed annex understands, where TRUE/FALSE or 0/1
// is what a spreadsheet shows of a boolean cell.
func (m *mapper) yesNo(b bool) value {
	if b {
		return text(m.opt.Lang.T("yes"))
	}
	return text(m.opt.Lang.T("no"))
}

var evidenceCols = []column{
	{header: "evidence_id", kind: kindID},
	{header: "title", kind: kindText},
	{header: "type", kind: kindText},
	{header: "description", kind: kindText},
	{header: "content_date", kind: kindDate},
	{header: "content_time", kind: kindText},
	{header: "location", kind: kindText},
	{header: "coordinates", kind: kindText},
	{header: "geolocation", kind: kindText},
	{header: "geolocation_method", kind: kindText},
	{header: "chronolocation", kind: kindText},
	{header: "chronolocation_method", kind: kindText},
	{header: "source_type", kind: kindText},
	{header: "source_reference", kind: kindText},
	{header: "archived_copy", kind: kindText},
	{header: "posted_at_utc", kind: kindDateTime},
	{header: "captured_at_utc", kind: kindDateTime},
	{header: "captured_by", kind: kindText},
	{header: "capture_tool", kind: kindText},
	{header: "files", kind: kindInt},
	{header: "file_path_in_package", kind: kindText},
	{header: "media_type", kind: kindText},
	{header: "size_bytes", kind: kindInt},
	{header: "sha_256", kind: kindText, digest: true},
	{header: "sha_512", kind: kindText, digest: true},
	{header: "verification_status", kind: kindText},
	{header: "confidence", kind: kindText},
	{header: "verified_by", kind: kindText},
	{header: "verified_on", kind: kindDate},
	{header: "incidents", kind: kindRef, target: "incidents"},
	{header: "persons_pseudonyms", kind: kindText},
	{header: "units", kind: kindRef, target: "units"},
	{header: "statute_articles", kind: kindText},
	{header: "classification", kind: kindText},
	{header: "disclosure", kind: kindText},
	{header: "sensitivity", kind: kindText},
	{header: "custody_events", kind: kindInt},
	{header: "last_custody_event_utc", kind: kindDateTime},
	{header: "notes", kind: kindText},
}

// evidenceShownWhenWithheld are the text columns of the Evidence sheet a
// withheld item keeps: what identifies the item and its files.
var evidenceShownWhenWithheld = map[int]bool{1: true, 2: true, 5: true, 21: true, 23: true, 24: true, 25: true, 26: true, 32: true, 33: true}

// allWithheld reports whether a public edition leaves all of an evidence
// item's files out: fs, its files as built, are all withheld (false for
// none).
func allWithheld(fs []FileInfo) bool {
	if len(fs) == 0 {
		return false
	}
	for _, f := range fs {
		if !f.Withheld {
			return false
		}
	}
	return true
}

func (m *mapper) evidenceRows(yield func([]value) error) error {
	row := make([]value, len(evidenceCols))
	for i := range m.c.Evidence {
		ev := &m.c.Evidence[i]
		built := m.builtFiles(i, ev)
		withheld := allWithheld(built)
		clear(row)
		row[0] = text(ev.ID)
		row[1] = text(ev.Title)
		row[2] = text(ev.Type)
		row[3] = text(ev.Description)
		row[4], row[5] = whenCells(ev.ContentTime)
		if ev.Location != nil {
			row[6] = text(placeName(*ev.Location))
			row[7] = text(coordinates(*ev.Location))
		}
		if v := ev.Verification; v != nil {
			if g := v.Geolocation; g != nil {
				row[8], row[9] = text(g.Status), text(g.Method)
			}
			if g := v.Chronolocation; g != nil {
				row[10], row[11] = text(g.Status), text(g.Method)
			}
			row[25] = text(v.Status)
			row[26] = text(v.Confidence)
			row[27] = text(v.Verifier)
			row[28] = dayCell(v.Date)
		}
		if p := ev.Provenance; p != nil {
			row[12] = text(p.SourceType)
			row[13] = text(strings.Join(nonEmpty(p.Platform, p.Account, p.URL), " · "))
			row[14] = text(p.ArchivedURL)
			row[15] = timestampCell(p.PostedAt)
			row[16] = timestampCell(p.CapturedAt)
			row[17] = text(p.CapturedBy)
			row[18] = text(p.CaptureTool)
		}
		fis := m.fileInfos(ev, built)
		var size int64
		for _, f := range fis {
			size += f.Size
		}
		row[19] = integer(int64(len(fis)))
		row[20] = text(joinFiles(fis, func(f *FileInfo) string { return f.Path }))
		row[21] = text(joinFiles(fis, func(f *FileInfo) string { return f.MediaType }))
		if len(built) > 0 {
			row[22] = integer(size)
		}
		sha256, sha512 := m.joinDigests(fis)
		row[23], row[24] = text(sha256), text(sha512)
		row[29] = refs(m.x.IncidentsOf[ev.ID]...)
		row[30] = text(m.pseudonyms(m.x.PersonsOf[ev.ID]))
		row[31] = refs(m.x.UnitsOf[ev.ID]...)
		row[32] = text(strings.Join(m.x.ArticlesOf[ev.ID], refSeparator))
		row[33] = text(ev.Classification)
		row[34] = text(m.included)
		if s := ev.Sensitivity; s != nil {
			var l []string
			if s.Graphic {
				l = append(l, m.opt.Lang.T("annex.sensitivity.graphic"))
			}
			if s.Minors {
				l = append(l, m.opt.Lang.T("annex.sensitivity.minors"))
			}
			if s.IdentifiablePersons {
				l = append(l, m.opt.Lang.T("annex.sensitivity.identifiable_persons"))
			}
			row[35] = text(strings.Join(l, refSeparator))
		}
		row[36] = integer(int64(len(ev.Custody)))
		if n := len(ev.Custody); n > 0 {
			row[37] = timestampCell(ev.Custody[n-1].At)
		}
		row[38] = text(ev.Notes)
		if withheld {
			// Every descriptive text the edition leaves out says so,
			// whether or not the case had a value there: an empty cell
			// would tell which details exist.
			for j, col := range evidenceCols {
				if col.kind == kindText && !evidenceShownWhenWithheld[j] {
					row[j] = m.withheld()
				}
			}
		}
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

// builtFiles are the files the build reported for ev, the i-th evidence
// item (m.files), good until the next call.
func (m *mapper) builtFiles(i int, ev *schema.Evidence) []FileInfo {
	built := m.files(m.built[:0], i, ev)
	m.built = built[:0]
	return built
}

// fileInfos lists an evidence item's files in case order, with what the
// build learnt about each (built, m.builtFiles); a file the build did
// not report keeps what case.json declares. The list is m's scratch, good
// until the next call: each register row is written before the next is
// made, and a case of 20,000 photos made two lists a row, four times over
// (two registers, each read twice).
func (m *mapper) fileInfos(ev *schema.Evidence, built []FileInfo) []FileInfo {
	out := m.fis[:0]
	used := m.used[:0]
	for range built {
		used = append(used, false)
	}
	m.used = used
	for _, cf := range ev.Files {
		fi := FileInfo{ID: ev.ID, Source: cf.Path, MediaType: cf.MediaType, SHA256: cf.SHA256}
		for j, b := range built {
			if !used[j] && b.Source == cf.Path {
				used[j] = true
				fi = b
				if fi.MediaType == "" {
					fi.MediaType = cf.MediaType
				}
				break
			}
		}
		out = append(out, fi)
	}
	m.fis = out[:0] // the next call reuses what this one grew
	return out
}

// joinFiles joins one field of each of an item's files, as a register's
// cell lists them; an item of one file (nearly all) needs no new string.
func joinFiles(fis []FileInfo, field func(*FileInfo) string) string {
	switch len(fis) {
	case 0:
		return ""
	case 1:
		return field(&fis[0])
	}
	parts := make([]string, len(fis))
	for i := range fis {
		parts[i] = field(&fis[i])
	}
	return strings.Join(parts, refSeparator)
}

// digestStandIn is what a digest given as bytes reads while the
// registers are sized (mapper.sizing): as long as its hex, no hex made.
const digestStandIn = "0000000000000000000000000000000000000000000000000000000000000000" +
	"0000000000000000000000000000000000000000000000000000000000000000"

// digests are the file's digests in hex as a register shows them: SHA256
// and SHA512, or, for a file given Sum256 and Sum512, those in hex, both
// in one string (one allocation, not the four of hex.EncodeToString
// twice), or while the registers are sized (m.sizing), stand-ins as long.
// Each register reads a file's digests twice, to size its columns and to
// write its rows: at 20,000 photos, making the hex for the sizing too
// was 80,000 strings (15 MB) and 24 of the 51 ms the sizing took, with
// the build's memory limit binding (packager/case.go).
func (m *mapper) digests(fi *FileInfo) (string, string) {
	if fi.Sum256 == nil && fi.Sum512 == nil {
		return fi.SHA256, fi.SHA512
	}
	n256, n512 := hex.EncodedLen(len(fi.Sum256)), hex.EncodedLen(len(fi.Sum512))
	if m.sizing && max(n256, n512) <= len(digestStandIn) {
		return digestStandIn[:n256], digestStandIn[:n512]
	}
	var s strings.Builder
	s.Grow(n256 + n512)
	var buf [128]byte // the hex of a SHA-512, on the stack
	s.Write(hex.AppendEncode(buf[:0], fi.Sum256))
	s.Write(hex.AppendEncode(buf[:0], fi.Sum512))
	h := s.String()
	return h[:n256], h[n256:]
}

// joinDigests are the digests of files, each algorithm's joined as
// joinFiles joins a field.
func (m *mapper) joinDigests(fis []FileInfo) (string, string) {
	switch len(fis) {
	case 0:
		return "", ""
	case 1:
		return m.digests(&fis[0])
	}
	a, b := make([]string, len(fis)), make([]string, len(fis))
	for i := range fis {
		a[i], b[i] = m.digests(&fis[i])
	}
	return strings.Join(a, refSeparator), strings.Join(b, refSeparator)
}

// sized is rows as planSheet reads them (sheet.sizeRows): with m.sizing
// set, so that the digests the rows show are stand-ins (digests).
func (m *mapper) sized(rows func(func([]value) error) error) func(func([]value) error) error {
	return func(yield func([]value) error) error {
		m.sizing = true
		defer func() { m.sizing = false }()
		return rows(yield)
	}
}

func (m *mapper) pseudonyms(ids []string) string {
	var out []string
	for _, id := range ids {
		if p := m.x.Persons[id]; p != nil && p.Pseudonym != "" {
			out = append(out, p.Pseudonym)
		}
	}
	return strings.Join(out, refSeparator)
}

var fileCols = []column{
	{header: "evidence_id", kind: kindRef, target: "evidence"},
	{header: "role", kind: kindText},
	{header: "file_path_in_package", kind: kindText},
	{header: "media_type", kind: kindText},
	{header: "language", kind: kindText},
	{header: "size_bytes", kind: kindInt},
	{header: "sha_256", kind: kindText, digest: true},
	{header: "sha_512", kind: kindText, digest: true},
	{header: "disclosure", kind: kindText},
	// The file's name in the case, when the package stores it under
	// another (build --rename-unsafe); empty otherwise.
	{header: "original_file_name", kind: kindText},
}

func (m *mapper) fileRows(yield func([]value) error) error {
	row := make([]value, len(fileCols))
	for i := range m.c.Evidence {
		ev := &m.c.Evidence[i]
		for j, fi := range m.fileInfos(ev, m.builtFiles(i, ev)) {
			clear(row)
			row[0] = refs(ev.ID)
			row[1] = text(ev.Files[j].Role)
			row[3] = text(fi.MediaType)
			row[4] = text(ev.Files[j].Language)
			if fi.Path != "" {
				row[5] = integer(fi.Size)
			}
			sha256, sha512 := m.digests(&fi)
			row[6], row[7] = text(sha256), text(sha512)
			if fi.Withheld {
				row[2] = m.withheld()
				row[8] = m.withheld()
			} else {
				row[2] = text(fi.Path)
				row[8] = text(m.included)
				if orig := path.Base(fi.Source); fi.Source != "" && orig != path.Base(fi.Path) {
					row[9] = text(orig)
				}
			}
			if err := yield(row); err != nil {
				return err
			}
		}
	}
	return nil
}

var incidentCols = []column{
	{header: "incident_id", kind: kindID},
	{header: "title", kind: kindText},
	{header: "start_date", kind: kindDate},
	{header: "start_time", kind: kindText},
	{header: "end_date", kind: kindDate},
	{header: "end_time", kind: kindText},
	{header: "country", kind: kindText},
	{header: "state", kind: kindText},
	{header: "municipality", kind: kindText},
	{header: "parish", kind: kindText},
	{header: "place", kind: kindText},
	{header: "coordinates", kind: kindText},
	{header: "description", kind: kindText},
	{header: "official_version", kind: kindText},
	{header: "statute_articles", kind: kindText},
	{header: "victims", kind: kindRef, target: "victims"},
	{header: "units", kind: kindRef, target: "units"},
	{header: "evidence", kind: kindRef, target: "evidence"},
}

func (m *mapper) incidentRows(yield func([]value) error) error {
	row := make([]value, len(incidentCols))
	for i := range m.c.Incidents {
		inc := &m.c.Incidents[i]
		clear(row)
		row[0] = text(inc.ID)
		row[1] = text(inc.Title)
		row[2], row[3] = whenCells(inc.Start)
		row[4], row[5] = whenCells(inc.End)
		l := inc.Location
		row[6], row[7], row[8], row[9], row[10] = text(l.Country), text(l.State), text(l.Municipality), text(l.Parish), text(l.Place)
		row[11] = text(coordinates(l))
		row[12] = text(inc.Description)
		row[13] = text(inc.OfficialVersion)
		var arts []string
		for _, ch := range inc.Characterisation {
			arts = append(arts, strings.TrimSpace(ch.Article+" "+ch.Label))
		}
		row[14] = text(strings.Join(arts, refSeparator))
		row[15] = refs(inc.VictimIDs...)
		row[16] = refs(inc.UnitIDs...)
		row[17] = refs(inc.EvidenceIDs...)
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

var victimCols = []column{
	{header: "person_id", kind: kindID},
	{header: "pseudonym", kind: kindText},
	{header: "sex", kind: kindText},
	{header: "age", kind: kindInt},
	{header: "age_band", kind: kindText},
	{header: "minor", kind: kindText}, // yes/no, in the workbook's language
	{header: "incident", kind: kindRef, target: "incidents"},
	{header: "date_of_death", kind: kindDate},
	{header: "time_of_death", kind: kindText},
	{header: "place_of_death", kind: kindText},
	{header: "cause_of_death", kind: kindText},
	{header: "official_cause_claimed", kind: kindText},
	{header: "manner", kind: kindText},
	{header: "wounds", kind: kindText},
	{header: "wound_count", kind: kindInt},
	{header: "autopsy", kind: kindText},
	{header: "autopsy_report", kind: kindRef, target: "evidence"},
	{header: "forensic_review_report", kind: kindRef, target: "evidence"},
	{header: "evidence", kind: kindRef, target: "evidence"},
}

func (m *mapper) victimRows(yield func([]value) error) error {
	row := make([]value, len(victimCols))
	for i := range m.c.Persons {
		p := &m.c.Persons[i]
		if !p.HasRole("victim") {
			continue
		}
		clear(row)
		row[0] = text(p.ID)
		row[1] = text(p.Pseudonym)
		row[2] = text(p.Sex)
		if p.Age != nil {
			row[3] = integer(int64(*p.Age))
		}
		band := m.plan.AgeBand(p.ID)
		if band == "minor" {
			band = m.opt.Lang.T("age.minor")
		}
		row[4] = text(band)
		if p.Minor != nil {
			row[5] = m.yesNo(*p.Minor)
		}
		if d := p.Death; d != nil {
			row[6] = refs(nonEmpty(d.IncidentID)...)
			row[7], row[8] = whenCells(d.Date)
			row[9] = text(d.Place)
			row[10] = text(d.Cause)
			row[11] = text(d.OfficialCauseClaim)
			row[12] = text(d.Manner)
			var ws []string
			total := 0
			for _, w := range d.Wounds {
				s := w.Type + ", " + w.Location
				if w.Count > 1 {
					s += " ×" + strconv.Itoa(w.Count)
				}
				ws = append(ws, s)
				total += max(w.Count, 1)
			}
			row[13] = text(strings.Join(ws, refSeparator))
			if len(d.Wounds) > 0 {
				row[14] = integer(int64(total))
			}
			if a := d.Autopsy; a != nil {
				switch {
				case a.Performed && a.By != "":
					row[15] = text(m.opt.Lang.T("annex.autopsy.performed_by", "by", a.By))
				case a.Performed:
					row[15] = text(m.opt.Lang.T("annex.autopsy.performed"))
				default:
					row[15] = text(m.opt.Lang.T("annex.autopsy.not_performed"))
				}
				row[16] = refs(nonEmpty(a.ReportEvidenceID)...)
			}
			if fr := d.ForensicReview; fr != nil {
				row[17] = refs(nonEmpty(fr.ReportEvidenceID)...)
			}
		}
		row[18] = refs(p.EvidenceIDs...)
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

var unitCols = []column{
	{header: "unit_id", kind: kindID},
	{header: "name", kind: kindText},
	{header: "name_english", kind: kindText},
	{header: "acronym", kind: kindText},
	{header: "type", kind: kindText},
	{header: "parent_unit", kind: kindRef, target: "units"},
	{header: "description", kind: kindText},
	{header: "incidents", kind: kindRef, target: "incidents"},
	{header: "evidence", kind: kindRef, target: "evidence"},
}

func (m *mapper) unitRows(yield func([]value) error) error {
	row := make([]value, len(unitCols))
	for i := range m.c.Units {
		u := &m.c.Units[i]
		clear(row)
		row[0] = text(u.ID)
		row[1] = text(u.Name)
		row[2] = text(u.NameEN)
		row[3] = text(u.Acronym)
		row[4] = text(u.Type)
		row[5] = refs(nonEmpty(u.ParentID)...)
		row[6] = text(u.Description)
		row[7] = refs(m.unitIncs[u.ID]...)
		row[8] = refs(u.EvidenceIDs...)
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

var custodyCols = []column{
	{header: "evidence_id", kind: kindRef, target: "evidence"},
	{header: "step", kind: kindInt},
	{header: "at_utc", kind: kindDateTime},
	{header: "actor", kind: kindText},
	{header: "action", kind: kindText},
	{header: "location", kind: kindText},
	{header: "sha_256_at_this_step", kind: kindText, digest: true},
	{header: "note", kind: kindText},
}

func (m *mapper) custodyRows(yield func([]value) error) error {
	row := make([]value, len(custodyCols))
	for i := range m.c.Evidence {
		ev := &m.c.Evidence[i]
		for j, e := range ev.Custody {
			clear(row)
			row[0] = refs(ev.ID)
			row[1] = integer(int64(j + 1))
			row[2] = timestampCell(e.At)
			row[3] = text(e.Actor)
			row[4] = text(e.Action)
			row[5] = text(e.Location)
			row[6] = text(e.SHA256)
			row[7] = text(e.Note)
			if err := yield(row); err != nil {
				return err
			}
		}
	}
	return nil
}

var crimeCols = []column{
	{header: "incident", kind: kindRef, target: "incidents"},
	{header: "article", kind: kindText},
	{header: "crime", kind: kindText},
	{header: "element", kind: kindText},
	{header: "assessment", kind: kindText},
	{header: "supporting_evidence", kind: kindRef, target: "evidence"},
	{header: "argument", kind: kindText},
}

// crimeRows gives one row per incident × article × element × supporting
// evidence item; an element without evidence still gets its row, so a gap
// shows.
func (m *mapper) crimeRows(yield func([]value) error) error {
	row := make([]value, len(crimeCols))
	for i := range m.c.Incidents {
		inc := &m.c.Incidents[i]
		for _, ch := range inc.Characterisation {
			for _, el := range ch.Elements {
				evs := el.EvidenceIDs
				if len(evs) == 0 {
					evs = []string{""}
				}
				for _, ev := range evs {
					clear(row)
					row[0] = refs(inc.ID)
					row[1] = text(ch.Article)
					row[2] = text(ch.Label)
					row[3] = text(el.Element)
					row[4] = text(el.Assessment)
					row[5] = refs(nonEmpty(ev)...)
					row[6] = text(el.Argument)
					if err := yield(row); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

var redactionCols = []column{
	{header: "no", kind: kindInt},
	{header: "where", kind: kindText},
	{header: "item", kind: kindText},
	{header: "case_data", kind: kindText},
	{header: "detail", kind: kindText},
	{header: "action", kind: kindText},
	{header: "ground", kind: kindText},
}

// redactionRows is the redaction log of the edition: every redaction and
// generalisation, where it shows and on what ground, never the detail
// itself. The confidential edition's is empty.
func (m *mapper) redactionRows(yield func([]value) error) error {
	entries := append(append([]edition.Entry(nil), m.plan.Log()...), m.opt.Redactions...)
	if len(entries) == 0 {
		// The confidential edition: no row, and no index of every
		// evidence item and victim (20,000 items: 1.7 MB) to find them.
		return nil
	}
	evRow := map[string]int{}
	for i, e := range m.c.Evidence {
		evRow[e.ID] = i + 2 // the header is row 1
	}
	victimRow := map[string]int{}
	n := 2
	for _, p := range m.c.Persons {
		if p.HasRole("victim") {
			victimRow[p.ID] = n
			n++
		}
	}
	l := m.opt.Lang
	for i, e := range entries {
		ln := e.In(l)
		where := ln.Where
		if w := m.textWhere(e.Pointer); w != "" && (e.Where.IsZero() || e.Where.Key == edition.WhereCaseData.Key) {
			where = w
		}
		if where == "" {
			switch {
			case evRow[e.Item] > 0:
				where = l.T("annex.where.row", "sheet", l.T("annex.sheet.evidence"), "row", strconv.Itoa(evRow[e.Item]))
			case victimRow[e.Item] > 0:
				where = l.T("annex.where.row", "sheet", l.T("annex.sheet.victims"), "row", strconv.Itoa(victimRow[e.Item]))
			default:
				where = l.Text(edition.WhereCaseData)
			}
		}
		ptr := ""
		if e.Pointer != "" {
			ptr = "case.json " + e.Pointer
		}
		row := []value{integer(int64(i + 1)), text(where), text(e.Item), text(ptr), text(ln.Detail), text(ln.Action), text(ln.Ground)}
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

var (
	incidentText = regexp.MustCompile(`^/incidents/([0-9]+)/(description|official_version)$`)
	elementText  = regexp.MustCompile(`^/incidents/([0-9]+)/characterisation/([0-9]+)/elements/([0-9]+)/argument$`)
	unitText     = regexp.MustCompile(`^/units/([0-9]+)/description$`)
	evidenceText = regexp.MustCompile(`^/evidence/([0-9]+)/(description|notes|verification/(geolocation|chronolocation)/method)$`)
)

// textWhere is the sheet, row and column that show the case-data text at
// the JSON pointer ptr (a text the public edition redacted), or "" when no
// sheet shows it (the analysis, a forensic finding: case.json and the
// narrative only).
func (m *mapper) textWhere(ptr string) string {
	l := m.opt.Lang
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	cell := func(sheet string, row int, col string) string {
		return l.T("annex.where.cell", "sheet", l.T("annex.sheet."+sheet), "row", strconv.Itoa(row), "column", l.T("annex.col."+col))
	}
	if g := incidentText.FindStringSubmatch(ptr); g != nil {
		return cell("incidents", num(g[1])+2, g[2]) // description, official_version
	}
	if g := unitText.FindStringSubmatch(ptr); g != nil {
		return cell("units", num(g[1])+2, "description")
	}
	if g := evidenceText.FindStringSubmatch(ptr); g != nil {
		col := map[string]string{"description": "description", "notes": "notes",
			"verification/geolocation/method": "geolocation_method", "verification/chronolocation/method": "chronolocation_method"}[g[2]]
		return cell("evidence", num(g[1])+2, col)
	}
	if g := elementText.FindStringSubmatch(ptr); g != nil {
		// The Crimes sheet has a row per element and supporting item.
		row := 2
		for i := range m.c.Incidents {
			for k, ch := range m.c.Incidents[i].Characterisation {
				for j, el := range ch.Elements {
					n := max(len(el.EvidenceIDs), 1)
					if i == num(g[1]) && k == num(g[2]) && j == num(g[3]) {
						if n == 1 {
							return cell("crimes", row, "argument")
						}
						return l.T("annex.where.cells", "sheet", l.T("annex.sheet.crimes"), "from", strconv.Itoa(row),
							"to", strconv.Itoa(row+n-1), "column", l.T("annex.col.argument"))
					}
					row += n
				}
			}
		}
	}
	return ""
}

var aboutCols = []column{
	{header: "field", kind: kindText},
	{header: "value", kind: kindText},
}

func (m *mapper) aboutRows(yield func([]value) error) error {
	s := m.c.Submission
	schemaID := m.c.Schema
	if schemaID == "" {
		schemaID = schema.ID
	}
	l := m.opt.Lang
	var langs []string
	for _, t := range s.Languages {
		langs = append(langs, l.LanguageName(t))
	}
	label := func(v string) string {
		if v == "" {
			return ""
		}
		return l.Label(v)
	}
	num := l.Int
	pairs := [][2]string{
		{"submission", s.ID},
		{"title", s.Title},
		{"kind", label(s.Kind)},
		{"date", s.Date},
		{"version", s.Version},
		{"supersedes", s.Supersedes},
		{"classification", label(s.Classification)},
		{"edition", l.T("edition.name." + string(m.opt.Edition))},
		{"sender", s.Sender.Organisation},
		{"recipient", s.Recipient.Body},
		{"situation", strings.Join(nonEmpty(s.Recipient.SituationCode, s.Recipient.SituationName), " ")},
		{"languages", strings.Join(langs, ", ")},
		{"language", l.LanguageName(l.Code())},
		{"generated_by", "casepack " + m.opt.Version},
		{"build_date", m.opt.Date.UTC().Format(time.RFC3339)},
		{"schema", schemaID},
		{"schema_version", m.c.SchemaVersion},
		{"case_sha256", m.opt.CaseSHA256},
		{"evidence", num(len(m.c.Evidence))},
		{"incidents", num(len(m.c.Incidents))},
		{"victims", num(len(m.c.Victims()))},
		{"units", num(len(m.c.Units))},
		{"note", l.T("annex.about.note_text")},
	}
	for i := range pairs {
		pairs[i][0] = l.T("annex.about." + pairs[i][0])
	}
	for _, p := range pairs {
		if err := yield([]value{text(p[0]), text(p[1])}); err != nil {
			return err
		}
	}
	return nil
}

// whenCells splits a When into a date cell of its precision and, for a
// moment, the time as recorded with its UTC offset ("07:30-04:00"). The date
// is the local date as written, not shifted to UTC: a witness's "8 January"
// stays 8 January.
func whenCells(w schema.When) (value, value) {
	s := string(w)
	if s == "" {
		return value{}, value{}
	}
	// Parsed by shape rather than with When.Range: this runs for every row
	// of a 100,000-row register, and the schema has already checked it.
	var layout string
	var p Precision
	switch len(s) {
	case 4:
		layout, p = "2006", PrecisionYear
	case 7:
		layout, p = "2006-01", PrecisionMonth
	default:
		layout, p = "2006-01-02", PrecisionDay
	}
	if len(s) < len(layout) {
		return value{}, text(s)
	}
	t, err := time.Parse(layout, s[:len(layout)])
	if err != nil {
		return value{}, text(s)
	}
	if len(s) == len(layout) {
		return date(t, p), value{}
	}
	if len(s) < 16 || s[10] != 'T' || !w.Valid() {
		return value{}, text(s)
	}
	return date(t, p), text(s[11:])
}

// dayCell is a calendar date (YYYY-MM-DD) or, if s is not one, nothing: the
// schema has already rejected it.
func dayCell(s string) value {
	if s == "" {
		return value{} // most rows: no parse, and no error to allocate
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return value{}
	}
	return date(t, PrecisionDay)
}

// timestampCell is an RFC 3339 timestamp as an instant (shown in UTC).
func timestampCell(s string) value {
	if s == "" {
		return value{} // as dayCell
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return value{}
	}
	return instant(t)
}

func placeName(l schema.Location) string {
	return strings.Join(nonEmpty(l.Place, l.Parish, l.Municipality, l.State, l.Country), ", ")
}

func coordinates(l schema.Location) string {
	if l.Lat == nil || l.Lon == nil {
		return ""
	}
	s := strconv.FormatFloat(*l.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(*l.Lon, 'f', -1, 64)
	if l.PrecisionM != nil {
		s += " (±" + strconv.FormatFloat(*l.PrecisionM, 'f', -1, 64) + " m)"
	}
	return s
}

func nonEmpty(s ...string) []string {
	out := s[:0:0]
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
