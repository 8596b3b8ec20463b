package narrative

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/translation"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/templates"
)

// EntryTemplate is the template executed to produce the narrative. Every
// other *.tmpl file in the template folder is parsed too, so a folder can
// override a single section by redefining its {{define}} block.
const EntryTemplate = "narrative.md.tmpl"

// FileDigest is one evidence file as the build copied and hashed it.
type FileDigest struct {
	Path string // path inside the package, e.g. data/evidence/EV-0001/video.mp4
	Role string // original, working, redacted, transcript, translation, thumbnail
	Size int64
	// MediaType is the type the package's manifest records for the file.
	MediaType string
	// Sum256 is the file's SHA-256 as the build computed it, when Hashed.
	// It is held as bytes, and put in hex only when asked (SHA256): the
	// narrative is told of every file of the case (20,000 at 20,000
	// photos) but quotes the digests of the items its indexes list, at
	// most IndexLimit.
	Sum256 [32]byte
	Hashed bool
}

// SHA256 is the file's SHA-256 in lower-case hex, "" when the build
// computed none. Templates read it as they read a field (.SHA256).
func (f FileDigest) SHA256() string {
	if !f.Hashed {
		return ""
	}
	return hex.EncodeToString(f.Sum256[:])
}

// EvidenceDigests maps an evidence ID to the digests of its files, in the
// order of the item's files in case.json. It is the Digests of a narrative
// told of them all beforehand.
type EvidenceDigests map[string][]FileDigest

// Of is m[id].
func (m EvidenceDigests) Of(id string) []FileDigest { return m[id] }

// All is m.
func (m EvidenceDigests) All() EvidenceDigests { return m }

// Any says whether m is not empty.
func (m EvidenceDigests) Any() bool { return len(m) > 0 }

// Digests is what a narrative is told of the evidence files a build copied
// and hashed. The narrative quotes the digests of the items its indexes
// list, at most IndexLimit, and asks only for those (Of); All is for a
// template that reads .Evidence, which the default templates do not. A
// build hands it one that makes an item's list when asked
// (packager/submission): every item's, made beforehand, were 3.4 MB of
// live heap at 20,000 photos while the narrative was written beside the
// covering letter, the build's peak.
type Digests interface {
	// Of is the digests of the files of item id, in the order of the
	// item's files in case.json; nil when it has none.
	Of(id string) []FileDigest
	// All is every item's, by ID: what Of gives for each item that has
	// files.
	All() EvidenceDigests
	// Any says whether some item has files (All is not empty).
	Any() bool
}

// Annex is one annex file of the package, listed with its digest in the
// annex index.
type Annex struct {
	Number      string // e.g. "A", "A.1"
	Name        string // e.g. "Registers (XLSX workbook)"
	Path        string // path inside the package
	Description string
	MediaType   string
	Size        int64
	SHA256      string
}

// Options control Render and Markdown.
type Options struct {
	// Templates replaces or extends the default templates (a user's
	// --templates folder). Nil uses the embedded ones.
	Templates fs.FS
	Paper     string          // "a4" (default) or "letter"
	Date      time.Time       // the build date: PDF dates and "Date of this edition"
	Edition   edition.Edition // edition.Confidential (default) or edition.Public
	Version   string          // casepack version, written as the PDF's creator
	Annexes   []Annex
	// Versions are the package's documents in its other languages (the
	// narrative and covering letter of each), listed in the annex index
	// after the evidence files with the numbers they carry ("C.1").
	Versions []Annex
	// Fonts are fallbacks for characters Liberation Serif lacks (--font).
	Fonts []Font
	// Lang is the language the narrative is written in ("en", "fr",
	// "es"); empty picks the case's main language if casepack writes it,
	// else English (locale.DefaultFor).
	Lang string
}

// Data is what templates see as ".". See templates/README.md.
type Data struct {
	Case    *schema.Case
	Index   *schema.Index
	Edition edition.Edition
	Public  bool
	Version string
	Date    time.Time
	// Language is the code of the language the document is written in:
	// "en", "fr" or "es".
	Language string
	Annexes  []Annex

	Victims    []*schema.Person // persons with the victim role, in case order
	Deaths     []*schema.Person // victims with a death record
	AtRisk     []*schema.Person // persons with protected details
	Chronology []*schema.Incident
	Crimes     []Crime
	// VictimIncidents maps a person ID to the incidents listing them as victim.
	VictimIncidents map[string][]string
	Stats           Stats

	// ForensicGroups are the deaths with identical findings, each group
	// reported once; ClaimGroups the same for the official account of each
	// death against the cause recorded; CauseCertainty is the certainty
	// common to all ClaimGroups ("established", "assessed", "reported",
	// "not_determinable") or "mixed".
	ForensicGroups []ForensicGroup
	ClaimGroups    []ClaimGroup
	CauseCertainty string
	// AnnexIndex lists every annex and the evidence files of the Listed
	// items with their number, type, size, length and digest.
	AnnexIndex []AnnexEntry
	// Listed are the evidence items the evidence index lists, in case
	// order: every item when the case has at most IndexLimit of them,
	// else only those the rest of the narrative cites or links to.
	// Unlisted counts the others and UnlistedFiles their files, which
	// only the annexes' registers list (both 0 when the index lists all).
	Listed        []*schema.Evidence
	Unlisted      int
	UnlistedFiles int
	// Authorities are the case's authorities by kind, in the order of the
	// table of authorities.
	Authorities []AuthorityGroup

	plan *edition.Plan
	lang *locale.Lang
	ev   Digests // nil: told of none
}

// Evidence is the digests the build computed of every item's files, by
// evidence ID (templates: .Evidence; see Digests). It is made when first
// asked for.
func (d *Data) Evidence() EvidenceDigests {
	if d.ev == nil {
		return nil
	}
	return d.ev.All()
}

// HasDigests says whether the narrative was told of the evidence files a
// build copied (.Evidence is not empty), without making every item's list.
func (d *Data) HasDigests() bool { return d.ev != nil && d.ev.Any() }

// digestsOf is the digests of the files of item id (Digests.Of).
func (d *Data) digestsOf(id string) []FileDigest {
	if d.ev == nil {
		return nil
	}
	return d.ev.Of(id)
}

// Crime gathers one Rome Statute article across incidents.
type Crime struct {
	Article string
	Label   string
	Counts  []CrimeCount
}

// CrimeCount is one incident's characterisation under an article.
type CrimeCount struct {
	Incident *schema.Incident
	Elements []schema.Element
}

// Stats are counts for the gravity and methodology sections.
type Stats struct {
	Incidents, Victims, Deaths, Minors, Women, Units, Evidence int
	ByType                                                     []TypeCount
	Verified, PartlyVerified, Unverified                       int
	// Withheld counts the evidence items whose files the edition leaves
	// out; they are counted in the verification figures too, so both
	// editions give the same figures.
	Withheld            int
	FirstDate, LastDate schema.When
}

// TypeCount is the number of evidence items of one type.
type TypeCount struct {
	Type  string
	Count int
}

func newData(c *schema.Case, ev Digests, opt Options) (*Data, error) {
	lang, err := LangFor(c, opt.Lang)
	if err != nil {
		return nil, err
	}
	// The case's texts in the document's language, where the case gives
	// them; the others are marked as untranslated.
	if c, _, err = translation.For(c, lang); err != nil {
		return nil, err
	}
	// The edition's own view of the case: no template, not even a user's,
	// can print what the edition leaves out.
	plan, err := edition.NewIn(c, opt.Edition, lang)
	if err != nil {
		return nil, err
	}
	c = plan.Case()
	d := &Data{Case: c, Index: schema.NewIndex(c), Edition: plan.Edition(), Public: plan.Edition().IsPublic(),
		Version: opt.Version, Date: opt.Date, Language: lang.Code(), Annexes: opt.Annexes,
		VictimIncidents: map[string][]string{}, plan: plan, lang: lang, ev: ev}
	d.Victims = c.Victims()
	for i := range c.Persons {
		p := &c.Persons[i]
		if p.HasRole("victim") && p.Death != nil {
			d.Deaths = append(d.Deaths, p)
		}
		if p.Protected != nil {
			d.AtRisk = append(d.AtRisk, p)
		}
	}
	for i := range c.Incidents {
		inc := &c.Incidents[i]
		d.Chronology = append(d.Chronology, inc)
		for _, v := range inc.VictimIDs {
			d.VictimIncidents[v] = append(d.VictimIncidents[v], inc.ID)
		}
	}
	sort.SliceStable(d.Chronology, func(i, j int) bool {
		return d.Chronology[i].Start.Time().Before(d.Chronology[j].Start.Time())
	})
	byArticle := map[string]int{}
	for _, inc := range d.Chronology {
		for _, ch := range inc.Characterisation {
			k, ok := byArticle[ch.Article]
			if !ok {
				k = len(d.Crimes)
				byArticle[ch.Article] = k
				d.Crimes = append(d.Crimes, Crime{Article: ch.Article, Label: ch.Label})
			}
			d.Crimes[k].Counts = append(d.Crimes[k].Counts, CrimeCount{Incident: inc, Elements: ch.Elements})
		}
	}
	sort.SliceStable(d.Crimes, func(i, j int) bool { return articleLess(d.Crimes[i].Article, d.Crimes[j].Article) })
	d.Stats = stats(c, d)
	// Deaths are grouped by their findings as recorded: the public
	// edition's redaction marks must not fold deaths the full edition
	// reports apart (paragraphs would lose their numbers).
	recorded := map[string]*schema.Death{}
	for _, p := range plan.Original().Persons {
		recorded[p.ID] = p.Death
	}
	d.ForensicGroups = forensicGroups(d.Deaths, func(p *schema.Person) *schema.Death {
		if r := recorded[p.ID]; r != nil {
			return r
		}
		return p.Death
	})
	d.ClaimGroups = claimGroups(d.Deaths)
	d.CauseCertainty = causeHeading(d.ClaimGroups)
	if len(c.Evidence) <= IndexLimit {
		d.list(nil, opt)
	}
	d.Authorities = authorityGroups(c)
	return d, nil
}

var articleParts = regexp.MustCompile(`[0-9]+|[a-z]+`)

// articleLess orders "7(1)(a)" before "7(1)(k)" before "8(2)(a)(i)".
func articleLess(a, b string) bool {
	key := func(s string) []string { return articleParts.FindAllString(s, -1) }
	ka, kb := key(a), key(b)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if ka[i] == kb[i] {
			continue
		}
		if len(ka[i]) != len(kb[i]) && ka[i][0] >= '0' && ka[i][0] <= '9' {
			return len(ka[i]) < len(kb[i])
		}
		return ka[i] < kb[i]
	}
	return len(ka) < len(kb)
}

func stats(c *schema.Case, d *Data) Stats {
	s := Stats{Incidents: len(c.Incidents), Victims: len(d.Victims), Deaths: len(d.Deaths), Units: len(c.Units), Evidence: len(c.Evidence)}
	for _, p := range d.Victims {
		if p.Minor != nil && *p.Minor || p.Age != nil && *p.Age < 18 {
			s.Minors++
		}
		if p.Sex == "female" {
			s.Women++
		}
	}
	types := map[string]int{}
	for _, e := range c.Evidence {
		types[e.Type]++
		if d.withheld(e.ID) {
			s.Withheld++
		}
		if e.Verification != nil {
			switch e.Verification.Status {
			case "verified":
				s.Verified++
			case "partly_verified":
				s.PartlyVerified++
			default:
				s.Unverified++
			}
		} else {
			s.Unverified++
		}
	}
	for t, n := range types {
		s.ByType = append(s.ByType, TypeCount{t, n})
	}
	sort.Slice(s.ByType, func(i, j int) bool {
		if s.ByType[i].Count != s.ByType[j].Count {
			return s.ByType[i].Count > s.ByType[j].Count
		}
		return s.ByType[i].Type < s.ByType[j].Type
	})
	if len(d.Chronology) > 0 {
		s.FirstDate = d.Chronology[0].Start
		for _, inc := range d.Chronology {
			end := inc.End
			if end == "" {
				end = inc.Start
			}
			if s.LastDate == "" || end.Time().After(s.LastDate.Time()) {
				s.LastDate = end
			}
		}
	}
	return s
}

func (d *Data) person(id string) string {
	if p, ok := d.Index.Persons[id]; ok && p.Pseudonym != "" {
		return p.Pseudonym
	}
	return id
}

func (d *Data) unit(id string) string {
	u, ok := d.Index.Units[id]
	if !ok {
		return id
	}
	if u.Acronym != "" && u.Acronym != u.Name {
		return u.Name + " (" + u.Acronym + ")"
	}
	return u.Name
}

// sha256 is the digest shown for an item in the evidence index: the
// original's as the build computed it, else the one declared in case.json.
func (d *Data) sha256(id string) string {
	files := d.digestsOf(id)
	for _, f := range files {
		if f.Role == "original" && f.Hashed {
			return f.SHA256()
		}
	}
	for _, f := range files {
		if f.Hashed {
			return f.SHA256()
		}
	}
	if e, ok := d.Index.Evidence[id]; ok {
		for _, f := range e.Files {
			if f.Role == "original" && f.SHA256 != "" {
				return f.SHA256
			}
		}
		for _, f := range e.Files {
			if f.SHA256 != "" {
				return f.SHA256
			}
		}
	}
	return ""
}

// age is a person's age as the edition shows it: "17 (minor)", "25–34",
// "minor" or "".
func (d *Data) age(v any) string {
	var p *schema.Person
	switch x := v.(type) {
	case *schema.Person:
		p = x
	case schema.Person:
		p = &x
	case string:
		p = d.Index.Persons[x]
	}
	if p == nil {
		return ""
	}
	minor := p.Minor != nil && *p.Minor
	a := d.plan.Age(p.ID)
	switch {
	case a == "" && minor, a == "minor":
		return d.lang.T("age.minor")
	case p.Age != nil && minor:
		return d.lang.T("age.with_minor", "age", a)
	}
	return a
}

// withheld reports whether the edition leaves the item's files out.
func (d *Data) withheld(id string) bool { return d.plan.Withheld(id) }

// Markdown executes the narrative template over the case. tfs may add to or
// replace the default templates (nil: the defaults alone).
func Markdown(c *schema.Case, ev Digests, tfs fs.FS, opt Options) ([]byte, error) {
	md, _, err := markdown(c, ev, tfs, opt)
	return md, err
}

// RedactionLog is the narrative's part of the public edition's redaction
// log: one entry per paragraph, list item or table row replaced by a
// redaction mark, located by section and paragraph number. It is empty for
// the confidential edition.
func RedactionLog(c *schema.Case, ev Digests, tfs fs.FS, opt Options) ([]edition.Entry, error) {
	_, log, err := markdown(c, ev, tfs, opt)
	return log, err
}

func markdown(c *schema.Case, ev Digests, tfs fs.FS, opt Options) ([]byte, []edition.Entry, error) {
	if c == nil {
		return nil, nil, errors.New("no case data")
	}
	if err := checkCaseMarkdown(c); err != nil {
		return nil, nil, err
	}
	d, err := newData(c, ev, opt)
	if err != nil {
		return nil, nil, err
	}
	t, err := loadTemplates(tfs, d.funcMap())
	if err != nil {
		return nil, nil, err
	}
	pdfOpt := PDFOptionsFor(c, opt)
	execute := func() ([]byte, []edition.Entry, error) {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, EntryTemplate, d); err != nil {
			return nil, nil, &TemplateError{err}
		}
		// The public edition's text redactions, in place.
		return redactMarkdown(tidy(buf.Bytes()), d.plan, d.lang, pdfOpt)
	}
	if len(d.Case.Evidence) > IndexLimit {
		// What the narrative cites is known once its text is written (and
		// redacted): a first run lists no item, a second lists the items
		// the first cites or links to.
		d.list(map[string]bool{}, opt)
		md, _, err := execute()
		if err != nil {
			return nil, nil, err
		}
		d.list(referenced(md, pdfOpt.Authorities), opt)
	}
	return execute()
}

// IndexLimit is the largest number of evidence items the evidence index and
// the annex index list one by one. Beyond it they list only the items the
// narrative cites or links to, and say that the annexes' registers (the
// workbook's Evidence and Files sheets and their CSV twins) list every item
// and file: a case of tens of thousands of photographs would otherwise print
// thousands of pages of identifiers and digests, which a reader searches in
// the register instead (packager/FORMAT.md, "The narrative's indexes").
const IndexLimit = 1000

// list sets what the evidence and annex indexes list: every item (only nil)
// or the items in only.
func (d *Data) list(only map[string]bool, opt Options) {
	d.Listed, d.Unlisted = d.Listed[:0], 0
	for i := range d.Case.Evidence {
		if e := &d.Case.Evidence[i]; only == nil || only[e.ID] {
			d.Listed = append(d.Listed, e)
		} else {
			d.Unlisted++
		}
	}
	listed := func(string) bool { return true }
	if only != nil {
		listed = func(id string) bool { return only[id] }
	}
	d.AnnexIndex, d.UnlistedFiles = annexIndex(d.Case, d.digestsOf, opt.Annexes, opt.Versions, d.plan.Withheld, listed)
}

// tidy collapses the runs of blank lines that skipped sections leave behind.
func tidy(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	out := make([][]byte, 0, len(lines))
	blank := 0
	for _, ln := range lines {
		ln = bytes.TrimRight(ln, " \t")
		if len(ln) == 0 {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, ln)
	}
	return append(bytes.TrimSpace(bytes.Join(out, []byte("\n"))), '\n')
}

// loadTemplates parses the default templates, then the user's, so a user
// file redefining a block wins.
func loadTemplates(user fs.FS, funcs template.FuncMap) (*template.Template, error) {
	t := template.New(EntryTemplate).Funcs(funcs).Option("missingkey=error")
	for _, fsys := range []fs.FS{templates.FS, user} {
		if fsys == nil {
			continue
		}
		names, err := fs.Glob(fsys, "*.tmpl")
		if err != nil {
			return nil, &TemplateError{err}
		}
		sort.Strings(names)
		for _, name := range names {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, &TemplateError{err}
			}
			before := map[string]bool{}
			for _, x := range t.Templates() {
				before[x.Name()] = true
			}
			if _, err := t.New(name).Parse(string(src)); err != nil {
				return nil, &TemplateError{err}
			}
			for _, x := range t.Templates() {
				if x.Tree == nil || x.Tree.ParseName != name {
					continue
				}
				if err := checkTemplateHTML(x.Tree, name, src); err != nil {
					return nil, err
				}
				autoEscape(x.Tree.Root)
			}
		}
	}
	if t.Lookup(EntryTemplate) == nil || t.Lookup(EntryTemplate).Tree == nil {
		return nil, &TemplateError{fmt.Errorf("no template %s", EntryTemplate)}
	}
	return t, nil
}

// safeFuncs are the helpers whose result a template prints as is.
var safeFuncs = map[string]bool{"md": true, "text": true, "markdown": true, "cite": true, "list": true, "code": true,
	"idlist": true, "xref": true, "cited": true, "anchor": true, "entry": true, "redacted": true, "t": true, "spaced": true}

// autoEscape appends "| md" to every action that prints, so a value inserted
// by a template is always escaped, as html/template does for HTML.
func autoEscape(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			autoEscape(c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) == 0 {
			return
		}
		last := n.Pipe.Cmds[len(n.Pipe.Cmds)-1]
		if id, ok := last.Args[0].(*parse.IdentifierNode); ok && safeFuncs[id.Ident] {
			return
		}
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
			NodeType: parse.NodeCommand, Pos: n.Pos,
			Args: []parse.Node{parse.NewIdentifier("md").SetPos(n.Pos)},
		})
	case *parse.IfNode:
		autoEscape(n.List)
		autoEscape(n.ElseList)
	case *parse.RangeNode:
		autoEscape(n.List)
		autoEscape(n.ElseList)
	case *parse.WithNode:
		autoEscape(n.List)
		autoEscape(n.ElseList)
	}
}

var htmlTag = regexp.MustCompile(`<(/?[A-Za-z][A-Za-z0-9-]*(\s|/?>)|!--|\?|![A-Z]|!\[CDATA\[)`)

// checkTemplateHTML locates raw HTML written in a template's own text.
func checkTemplateHTML(tree *parse.Tree, name string, src []byte) error {
	var err error
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		if err != nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TextNode:
			if loc := htmlTag.FindIndex(n.Text); loc != nil {
				off := int(n.Pos) + loc[0]
				line, col := position(src, off)
				err = &SourceError{Source: name, Line: line, Column: col, Snippet: snippet(src, off), Err: ErrRawHTML}
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(tree.Root)
	return err
}

// checkCaseMarkdown locates raw HTML in the case's Markdown fields (the
// analysis), by JSON pointer and line:column inside the field.
func checkCaseMarkdown(c *schema.Case) error {
	for _, f := range schema.MarkdownFields(c) {
		if tags := schema.RawHTML([]byte(f.Text)); len(tags) > 0 {
			src := []byte(f.Text)
			line, col := position(src, tags[0].Offset)
			return &SourceError{Source: "case.json " + f.Pointer, Line: line, Column: col, Snippet: snippet(src, tags[0].Offset), Err: ErrRawHTML}
		}
	}
	return nil
}

// Render executes the templates over the case and writes the narrative PDF.
func Render(ctx context.Context, w io.Writer, c *schema.Case, ev Digests, opt Options) error {
	_, err := render(ctx, w, c, ev, opt)
	return err
}

func render(ctx context.Context, w io.Writer, c *schema.Case, ev Digests, opt Options) (*layoutReport, error) {
	if c == nil {
		return nil, errors.New("no case data")
	}
	mdText, err := Markdown(c, ev, opt.Templates, opt)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return renderPDF(ctx, w, mdText, PDFOptionsFor(c, opt))
}

// LangFor is the language a document about c is written in: code when
// given, else the case's main language if casepack writes it, else English.
func LangFor(c *schema.Case, code string) (*locale.Lang, error) {
	if code == "" {
		code = locale.DefaultFor(c.Submission.Languages)
	}
	return locale.Get(code)
}

// PDFOptionsFor derives the PDF metadata and page marks from the case, in
// the language opt.Lang names.
func PDFOptionsFor(c *schema.Case, opt Options) PDFOptions {
	l, err := LangFor(c, opt.Lang)
	if err != nil {
		l = locale.English()
	}
	s := c.Submission
	banner := l.Label(s.Classification)
	if opt.Edition.IsPublic() {
		banner = l.T("banner.public")
	}
	subject := l.T("pdf.subject", "kind", l.Label(s.Kind))
	if s.Recipient.Body != "" {
		subject = l.T("pdf.subject_to", "kind", l.Label(s.Kind), "body", s.Recipient.Body)
	}
	if s.Recipient.SituationCode != "" || s.Recipient.SituationName != "" {
		subject = l.T("pdf.subject_situation", "subject", subject, "situation", strings.TrimSpace(s.Recipient.SituationCode+" "+s.Recipient.SituationName))
	}
	kw := []string{l.T("pdf.keyword.court"), l.T("pdf.keyword.statute")}
	if s.Recipient.SituationCode != "" {
		kw = append(kw, s.Recipient.SituationCode)
	}
	if s.Recipient.SituationName != "" {
		kw = append(kw, s.Recipient.SituationName)
	}
	seen := map[string]bool{}
	for _, inc := range c.Incidents {
		for _, ch := range inc.Characterisation {
			if a := l.T("pdf.keyword.article", "article", ch.Article); !seen[a] {
				seen[a] = true
				kw = append(kw, a)
			}
		}
	}
	auth := map[string]string{}
	for _, a := range c.Authorities {
		auth[a.ID] = a.ShortTitle()
	}
	version := opt.Version
	if version == "" {
		version = "dev"
	}
	return PDFOptions{
		Title:          s.Title,
		Author:         s.Sender.Organisation,
		Subject:        subject,
		Keywords:       strings.Join(kw, ", "),
		Creator:        "casepack " + version,
		Classification: banner,
		SubmissionID:   s.ID,
		Date:           opt.Date,
		Paper:          opt.Paper,
		Lang:           l.Code(),
		Words:          NewWords(l),
		Source:         "narrative.md (generated from " + EntryTemplate + ")",
		Fonts:          opt.Fonts,
		Authorities:    auth,
	}
}
