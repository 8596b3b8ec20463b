// Package submission owns the mapping from a validated case to a package:
// which files go where (data/evidence/<EV-ID>/<file>), the two editions
// (confidential and public) made from the same data, the generated files
// (case data, schema, annexes, narrative PDF) and the bag metadata. It turns
// a schema.Document into a assemble.Spec; assemble.Build does the writing.
package submission

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/translation"
	"github.com/casepack/casepack/schema"
)

// Paths of the generated files inside the package.
const (
	CasePath      = "data/case/case.json"
	SchemaPath    = "data/case/case.schema.json"
	NarrativePath = "data/narrative/submission.pdf"
	// LetterPath is the covering letter inside the package. It carries the
	// SHA-256 of casepack/manifest.json; the copy written beside the
	// package (LetterBeside) also carries the tag manifest's.
	LetterPath = "data/narrative/covering-letter.pdf"
	AnnexPath  = annex.Dir + "/annexes.xlsx"
)

// NarrativePathFor is where the narrative in language lang goes: the one
// narrative of a single-language package at NarrativePath, each of several
// at data/narrative/submission.<lang>.pdf.
func NarrativePathFor(lang string, several bool) string {
	if !several {
		return NarrativePath
	}
	return "data/narrative/submission." + lang + ".pdf"
}

// LetterPathFor is where the covering letter in language lang goes, as
// NarrativePathFor.
func LetterPathFor(lang string, several bool) string {
	if !several {
		return LetterPath
	}
	return "data/narrative/covering-letter." + lang + ".pdf"
}

// SignedPDFs are the package paths a narrative may have, in every layout:
// the PDFs whose embedded signatures verify checks (a path the package
// does not hold is skipped).
func SignedPDFs() []string {
	out := []string{NarrativePath}
	for _, l := range locale.Supported() {
		out = append(out, NarrativePathFor(l, true))
	}
	return out
}

// Options are the build parameters of a submission package.
type Options struct {
	Edition   edition.Edition  // edition.Confidential (default) or edition.Public
	Date      time.Time        // every timestamp in the package
	Version   string           // casepack version
	Templates fs.FS            // narrative templates; nil = the embedded default
	Fonts     []narrative.Font // fallback fonts for the narrative and letter (--font)
	Paper     string           // "a4" (default) or "letter"
	Signers   []*sign.Signer
	// PDFSigner, when set, signs the narrative PDF (PAdES) with its X.509
	// credential before the PDF's digest enters the payload manifest.
	PDFSigner *sign.Signer
	// Langs are the languages of the narrative and covering letter, each
	// a code casepack writes ("en", "fr", "es"); the annexes are in the
	// first. Empty: the case's main language if casepack writes it, else
	// English. Several put one narrative and letter per language in the
	// package (NarrativePathFor).
	Langs []string
	// Now is the clock for the PDF signature's time (/M): a signature says
	// when it was made, whatever date the build fixes for the documents (a
	// certificate signature is never byte-reproducible anyway). time.Now
	// when nil.
	Now func() time.Time
	// RenameUnsafe stores an evidence file whose name the manifests must
	// percent-encode ("%", RFC 8493) under bag.PlainName, so sha256sum -c
	// and bagit-python can check it; casepack/manifest.json, case.json and
	// the annexes keep the original name. Off, the package is faithful.
	RenameUnsafe bool
}

// Name is the package folder name: the submission ID and the edition.
func Name(c *schema.Case, e edition.Edition) string {
	return c.Submission.ID + "_" + string(e)
}

// EditionCheck is the re-identification report of the case's public
// edition (Spec refuses a public edition whose report is not OK).
func EditionCheck(doc *schema.Document) (*edition.Reidentification, error) {
	plan, err := edition.New(doc.Case, edition.Public)
	if err != nil {
		return nil, err
	}
	return plan.Reidentification()
}

// Spec maps a loaded, validated case to a package specification.
// The specification shares the model's strings (evidence IDs among
// them): call doc.OwnTexts first, as packager/build.go does, so that they
// do not hold the case file's bytes for as long as the specification
// lives.
func Spec(doc *schema.Document, opt Options) (assemble.Spec, error) {
	c := doc.Case
	opt = opt.withDefaults(c)
	plan, err := edition.New(c, opt.Edition)
	if err != nil {
		return assemble.Spec{}, err
	}
	g := &generator{doc: doc, opt: opt, plan: plan, out: plan.Case()}
	if opt.Edition == edition.Public {
		// Refused before anything is written: the published details
		// must not single out a victim or a witness.
		if err := plan.Check(); err != nil {
			return assemble.Spec{}, err
		}
		g.leaks = edition.NewLeakCheck(c)
	}
	spec := assemble.Spec{
		Name: Name(c, opt.Edition),
		Date: opt.Date,
		BagInfo: []bag.Field{
			{Label: "Source-Organization", Value: c.Submission.Sender.Organisation},
			{Label: "Contact-Name", Value: c.Submission.Sender.ContactPerson},
			{Label: "Contact-Email", Value: c.Submission.Sender.Email},
			{Label: "External-Identifier", Value: c.Submission.ID},
			{Label: "External-Description", Value: oneLine(c.Submission.Title)},
			// Every edition and version of one submission shares the group.
			{Label: "Bag-Group-Identifier", Value: c.Submission.ID},
			{Label: "Casepack-Version", Value: opt.Version},
			{Label: "Casepack-Edition", Value: string(opt.Edition)},
			{Label: "Casepack-Schema", Value: schema.ID},
		},
		Manifest: bag.CasepackManifest{
			CasepackVersion: opt.Version,
			SubmissionID:    c.Submission.ID,
			Edition:         string(opt.Edition),
			Build: map[string]string{
				"edition": string(opt.Edition),
				"paper":   paperOr(opt.Paper),
				"date":    opt.Date.UTC().Format(time.RFC3339),
				"schema":  schema.ID,
				"lang":    strings.Join(opt.Langs, ","),
			},
		},
	}
	for _, s := range opt.Signers {
		spec.Signers = append(spec.Signers, s)
	}
	// Signatures added later (casepack sign) cannot be named in VERIFY.txt,
	// which they sign; these loops check whatever signatures/ holds.
	spec.VerifyText = sign.LaterSignatureInstructions()
	if opt.PDFSigner != nil {
		spec.VerifyText += pdfInstructions(opt)
	}
	// Sized once: at 20,000 photos the lists are 2.6 MB and 0.6 MB, and
	// growing them by appending copied and cleared three times that,
	// half of this function's CPU time.
	files := 0
	for _, e := range g.out.Evidence {
		files += len(e.Files)
	}
	spec.Evidence = make([]assemble.EvidenceFile, 0, files)
	spec.Manifest.Evidence = make([]bag.EvidenceItem, 0, len(g.out.Evidence))
	for i, e := range g.out.Evidence {
		withhold := plan.Withheld(e.ID)
		// The build's results keep the ID to the end: the model's own
		// string, not a copy (16 bytes and an allocation a file, 0.3 MB at
		// 20,000 photos through the verify-after-write), since a build
		// gives the model's texts their own bytes before it plans the
		// package (packager/build.go: schema.Document.OwnTexts), so that
		// the case data's bytes can go.
		id := e.ID
		// The collision key of each bag path -> the case path stored
		// there; an item of one file (nearly all) cannot clash.
		var taken map[string]string
		if len(e.Files) > 1 {
			taken = make(map[string]string, len(e.Files))
		}
		for j, f := range e.Files {
			// The file is read where the case keeps it; the edition may
			// record it under a neutral name (f.Path).
			src := c.Evidence[i].Files[j].Path
			dst := g.dst(e.ID, f.Path)
			if taken != nil {
				k := bag.CollisionKey(dst)
				if other, ok := taken[k]; ok {
					return assemble.Spec{}, renameClash(e.ID, other, f.Path, dst)
				}
				taken[k] = f.Path
			}
			ef := assemble.EvidenceFile{
				ID:             id,
				Src:            filepath.Join(doc.Dir, filepath.FromSlash(src)),
				Dst:            dst,
				DeclaredSHA256: f.SHA256,
				MediaType:      MediaType(f),
				Withhold:       withhold,
			}
			if dst != edition.PackagePath(e.ID, f.Path) {
				ef.OriginalName = path.Base(f.Path)
			}
			spec.Evidence = append(spec.Evidence, ef)
		}
		item := bag.EvidenceItem{ID: id, Title: e.Title}
		if len(e.Custody) > 0 {
			raw, err := json.Marshal(e.Custody)
			if err != nil {
				return assemble.Spec{}, err
			}
			item.Custody = raw
		}
		spec.Manifest.Evidence = append(spec.Manifest.Evidence, item)
	}
	spec.Files = g.files()
	if g.leaks != nil {
		text := map[string]bool{}
		for _, e := range spec.Evidence {
			text[e.Dst] = !e.Withhold && isText(e.MediaType)
		}
		// Every file of the written package, its name and every name in
		// it, before the package is verified and put in place.
		spec.Check = func(ctx context.Context, dir string) error {
			return g.leaks.Package(ctx, dir, spec.Name, func(rel string) bool { return text[rel] })
		}
	}
	return spec, nil
}

// withDefaults fills in the edition and the languages.
func (o Options) withDefaults(c *schema.Case) Options {
	if o.Edition == "" {
		o.Edition = edition.Confidential
	}
	if len(o.Langs) == 0 {
		o.Langs = []string{locale.DefaultFor(c.Submission.Languages)}
	}
	return o
}

// several says whether the package holds a narrative per language.
func (o Options) several() bool { return len(o.Langs) > 1 }

func paperOr(p string) string {
	if p == "" {
		return "a4"
	}
	return p
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// generator produces the generated files of one build. The annexes come out
// of one call (workbook and CSV twins together), each streamed into its
// file. The case data is held until it is written and its digest taken.
// What the narrative quotes of each (size and SHA-256) is kept.
type generator struct {
	doc   *schema.Document
	opt   Options
	plan  *edition.Plan
	out   *schema.Case       // the case as this edition shows it (annexes and narrative make the same from doc.Case)
	leaks *edition.LeakCheck // public edition only

	caseMu      sync.Mutex
	caseSummed  bool // caseSum is set
	caseWritten bool // into the package
	caseSum     [sha256.Size]byte

	annexes        map[string]*annexPart // made (makeAnnexes)
	annexesWritten bool                  // into the package, not only hashed
	annexErr       error
}

// dst is where an evidence file goes in the package: edition.PackagePath,
// under a plain name when the build renames unsafe names.
func (g *generator) dst(evidenceID, casePath string) string {
	p := edition.PackagePath(evidenceID, casePath)
	if !g.opt.RenameUnsafe {
		return p
	}
	dir, name := path.Split(p)
	return dir + bag.PlainName(name)
}

// renameClash is the error for two files of one item that --rename-unsafe
// would store under one name.
func renameClash(id, a, b, dst string) error {
	return fault.New(fault.InvalidCase,
		fmt.Errorf("%s: %q and %q would both be stored as %q (--rename-unsafe replaces '%%' with '_')", id, a, b, dst),
		"rename one of the files in the case folder (and its path in the case data), or build without --rename-unsafe")
}

// files are the generated files of the package. The build makes them side
// by side (assemble.GeneratedFile): the case data and the schema while the
// evidence is copied (the annexes quote the case data's digest, so it is
// made first), then the annexes beside the covering letters, and each
// narrative once the annexes are made, since it quotes their digests
// (makeAnnexes); the last letter, when the narratives are odd in number,
// beside the last narrative.
func (g *generator) files() []assemble.GeneratedFile {
	files := []assemble.GeneratedFile{
		{Path: CasePath, Generate: g.caseJSON, NoEvidence: true},
		{Path: SchemaPath, NoEvidence: true, Generate: func(_ context.Context, w io.Writer, _ *assemble.Evidence) error {
			_, err := w.Write(schema.JSON)
			return err
		}},
		{Path: AnnexPath, Generate: g.annexFiles, After: []string{CasePath}},
	}
	for _, name := range annex.CSVNames() {
		files[len(files)-1].Also = append(files[len(files)-1].Also, annex.Dir+"/csv/"+name)
	}
	for i, l := range g.opt.Langs {
		letter := assemble.GeneratedFile{Path: LetterPathFor(l, g.opt.several()), Generate: g.letter(l)}
		if i == len(g.opt.Langs)-1 && len(g.opt.Langs)%2 == 1 {
			// Made after the annexes though it quotes none of them:
			// the build makes two files at a time, so an odd number of
			// narratives leaves a core idle beside the last, while the
			// workbook has work for both (its sheets' deflater and
			// CSV twins' pipe beside its rows). At 20,000 photos the
			// letter's CPU moves from the workbook's time to the
			// narrative's.
			letter.After = []string{AnnexPath}
		}
		files = append(files, assemble.GeneratedFile{Path: NarrativePathFor(l, g.opt.several()), Generate: g.narrative(l), After: []string{AnnexPath}}, letter)
	}
	return files
}

// writeCase writes the case data the package carries to w (nil: it only
// takes its digest) and keeps its SHA-256, which the annexes quote
// (about.csv, the workbook's About sheet). It is the case in its one
// Canonical form whatever form it is kept in (case.json, case.yaml or a
// workbook): the whole case in the confidential edition, streamed as it
// is encoded (held whole, its 5.3 MB for 20,000 photos came on top of the
// evidence pass's lists, the build's first peak of live memory); the
// redacted case in the public one, held whole for its leak check, which
// comes first, by the JSON pointer of the field the user can correct
// (then the whole package is checked as well).
func (g *generator) writeCase(w io.Writer) error {
	h := sha256.New()
	dst := io.Writer(h)
	if w != nil {
		dst = io.MultiWriter(w, h)
	}
	if g.opt.Edition == edition.Confidential {
		if err := schema.WriteCanonical(dst, g.doc.Case); err != nil {
			return err
		}
	} else {
		// The public case data leaves the translations out: a
		// translation of a text the edition redacts or withholds would
		// carry it unredacted. The narratives were written from them
		// already.
		pub := *g.out
		pub.Translations = nil
		b, err := schema.Canonical(&pub)
		if err != nil {
			return err
		}
		if err := g.leaks.Bytes(CasePath, b); err != nil {
			return err
		}
		if _, err := dst.Write(b); err != nil {
			return err
		}
	}
	h.Sum(g.caseSum[:0])
	g.caseSummed = true
	return nil
}

// caseDigest is the SHA-256 of the case data the package carries, taken
// when it was written, or now (makeAnnexes before the case data, as for a
// narrative made on its own).
func (g *generator) caseDigest() ([sha256.Size]byte, error) {
	g.caseMu.Lock()
	defer g.caseMu.Unlock()
	if !g.caseSummed {
		if err := g.writeCase(nil); err != nil {
			return [sha256.Size]byte{}, err
		}
	}
	return g.caseSum, nil
}

// caseJSON writes the case data into the package, once.
func (g *generator) caseJSON(_ context.Context, w io.Writer, _ *assemble.Evidence) error {
	g.caseMu.Lock()
	defer g.caseMu.Unlock()
	if g.caseWritten {
		return fmt.Errorf("%s was written already", CasePath)
	}
	g.caseWritten = true
	return g.writeCase(w)
}

// builtFiles tells the annexes what the build learnt of each evidence
// file, an item at a time, from the build's results: they are in the
// order Spec lists the files (the edition's items in order, each item's
// files in order), so the i-th item's files are a window on them. A list
// of every file's annex.FileInfo and its index by item were 3.7 MB of the
// workbook's live heap at 20,000 photos, the build's peak; this holds
// where each item's window starts, 4 bytes an item. A file the window
// does not account for (no results: a narrative made on its own) is
// looked up by its bag path, as before.
func (g *generator) builtFiles(ev *assemble.Evidence) annex.Files {
	result := g.results(ev)
	return func(dst []annex.FileInfo, i int, e *schema.Evidence) []annex.FileInfo {
		withhold := g.plan.Withheld(e.ID)
		for j := range e.Files {
			f := &e.Files[j]
			r, p := result(i, e, j)
			fi := annex.FileInfo{ID: e.ID, Source: f.Path, Path: p, MediaType: MediaType(*f), Withheld: withhold}
			if r != nil {
				// The digests as the results hold them, as bytes: the
				// annexes put them in hex only for the rows they write
				// (annex.FileInfo.Sum256), each time in one string.
				fi.Size, fi.Sum256, fi.Sum512 = r.Size, r.Sum256[:], r.Sum512[:]
			}
			dst = append(dst, fi)
		}
		return dst
	}
}

// results finds the build's result for file j of the i-th evidence item
// e of g.out (nil when the build reported none) and the file's bag path,
// the result's string when there is one: in the window of ev's results
// that holds the item's files (see builtFiles), else by looking the bag
// path up.
func (g *generator) results(ev *assemble.Evidence) func(i int, e *schema.Evidence, j int) (*evidence.Result, string) {
	results := ev.All()
	var first []int32 // the i-th item's files are results[first[i]:first[i+1]]
	if !g.opt.RenameUnsafe {
		first = make([]int32, len(g.out.Evidence)+1)
		n := 0
		for i, e := range g.out.Evidence {
			first[i] = int32(n)
			n += len(e.Files)
		}
		first[len(g.out.Evidence)] = int32(n)
		if n != len(results) {
			first = nil
		}
	}
	return func(i int, e *schema.Evidence, j int) (*evidence.Result, string) {
		f := &e.Files[j]
		if i >= 0 && i+1 < len(first) && int(first[i+1]-first[i]) == len(e.Files) {
			if w := &results[int(first[i])+j]; w.ID == e.ID && edition.IsPackagePath(w.Dst, e.ID, f.Path) {
				return w, w.Dst
			}
		}
		p := g.dst(e.ID, f.Path)
		if found, ok := ev.Lookup(p); ok {
			return &found, found.Dst // the build's string, not a copy per file
		}
		return nil, p
	}
}

// makeAnnexes makes the annexes. In a build the workbook's own Generate
// makes them (the build orders it before the narratives, which quote the
// annexes' digests): the workbook is streamed into w, and each CSV twin
// into its own file of the package (assemble.AlsoWriter) in the same
// pass, so that none is held in memory. Called first with no writer (a
// narrative made on its own), it makes them only to count and hash them;
// the output is the same bytes every time, so a later call with a writer
// writes what was hashed.
func (g *generator) makeAnnexes(ctx context.Context, ev *assemble.Evidence, w io.Writer) error {
	if g.annexErr != nil || w == nil && g.annexes != nil {
		return g.annexErr
	}
	if w != nil && g.annexesWritten {
		return fmt.Errorf("%s was written already", AnnexPath)
	}
	var aw assemble.AlsoWriter
	if w != nil {
		var ok bool
		if aw, ok = w.(assemble.AlsoWriter); !ok {
			return fmt.Errorf("%s: its CSV twins need a writer that creates them (assemble.AlsoWriter)", AnnexPath)
		}
	}
	sum, err := g.caseDigest()
	if err != nil {
		g.annexErr = err
		return err
	}
	// In a build, the build hashes each file as it writes it and hands
	// the narratives those digests (assemble.Evidence.Generated): the
	// files are not hashed here a second time.
	handedOn := aw != nil && ev.HandsOnDigests()
	newPart := func() *annexPart {
		if handedOn {
			return &annexPart{handedOn: true}
		}
		return &annexPart{h: sha256.New()}
	}
	parts := map[string]*annexPart{AnnexPath: newPart()}
	open := func(name string) (io.WriteCloser, error) {
		p := annex.Dir + "/csv/" + name
		part := newPart()
		parts[p] = part
		if aw == nil {
			return nopCloser{part}, nil
		}
		f, err := aw.CreateAlso(p)
		if err != nil {
			return nil, err
		}
		if handedOn {
			return f, nil
		}
		return struct {
			io.Writer
			io.Closer
		}{io.MultiWriter(f, part), f}, nil
	}
	xlsx := io.Writer(parts[AnnexPath])
	switch {
	case handedOn:
		xlsx = w
	case w != nil:
		xlsx = io.MultiWriter(w, xlsx)
	}
	// The redaction log in the annexes lists the narrative's redactions
	// too; where they fall does not depend on the annexes' digests, which
	// the narrative quotes.
	narrativeLog, err := NarrativeRedactions(g.doc, g.opt)
	if err != nil {
		g.annexErr = err
		return err
	}
	err = annex.WriteFiles(ctx, g.doc.Case, g.builtFiles(ev), annex.Options{
		Date: g.opt.Date, Edition: g.opt.Edition, Version: g.opt.Version, CaseSHA256: hex.EncodeToString(sum[:]),
		Redactions: narrativeLog, Lang: locale.Must(g.opt.Langs[0]),
	}, xlsx, open)
	if err != nil {
		if w == nil {
			g.annexErr = err
		}
		return err
	}
	for _, part := range parts {
		if part.h != nil {
			part.sha256 = hex.EncodeToString(part.h.Sum(nil))
			part.h = nil
		}
	}
	g.annexes = parts
	g.annexesWritten = w != nil
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// annexPart is what the narrative quotes of one annex file, counted and
// hashed as it is written, or, written in a build, what the build hands
// the narrative (handedOn: it has neither size nor digest of its own).
type annexPart struct {
	h        hash.Hash // nil once written
	size     int64
	sha256   string
	handedOn bool
}

func (p *annexPart) Write(b []byte) (int, error) {
	p.h.Write(b)
	p.size += int64(len(b))
	return len(b), nil
}

// annexFiles writes the workbook and, in the same pass, its CSV twins.
func (g *generator) annexFiles(ctx context.Context, w io.Writer, ev *assemble.Evidence) error {
	if err := g.makeAnnexes(ctx, ev, w); err != nil {
		return fmt.Errorf("annexes: %w", err)
	}
	return nil
}

// NarrativeRedactions is the narrative's part of the redaction log of the
// edition opt.Edition (empty for the confidential one): what the annexes'
// Redactions sheet lists besides the case data's redactions. Spec's
// package carries the same; casepack annexes uses it for its own. It is
// the log of the narrative in the annexes' language (the first of
// opt.Langs).
func NarrativeRedactions(doc *schema.Document, opt Options) ([]edition.Entry, error) {
	opt = opt.withDefaults(doc.Case)
	if !opt.Edition.IsPublic() {
		return nil, nil
	}
	plan, err := edition.New(doc.Case, opt.Edition)
	if err != nil {
		return nil, err
	}
	g := &generator{doc: doc, opt: opt, plan: plan, out: plan.Case()}
	return narrative.RedactionLog(doc.Case, g.narrativeDigests(nil), opt.Templates, g.narrativeOptions(opt.Langs[0], nil))
}

// digests are the evidence files as the narrative lists them. Each file's
// result is found in its item's window of the results (g.results), not
// by making its bag path and looking it up; the map is made at its size,
// and every item's list is a window on one slice of them all: at 20,000
// photos, 20,000 paths, searches and lists fewer, while the narrative is
// made after the workbook, the last of the generated files.
func (g *generator) digests(ev *assemble.Evidence) narrative.EvidenceDigests {
	result := g.results(ev)
	n := 0
	for _, e := range g.out.Evidence {
		n += len(e.Files)
	}
	all := make([]narrative.FileDigest, 0, n)
	digests := make(narrative.EvidenceDigests, len(g.out.Evidence))
	for i := range g.out.Evidence {
		e := &g.out.Evidence[i]
		from := len(all)
		for j := range e.Files {
			all = append(all, fileDigest(result, i, e, j))
		}
		switch prev, ok := digests[e.ID]; {
		case len(all) == from:
		case !ok:
			digests[e.ID] = all[from:len(all):len(all)]
		default:
			// Items of one ID (which validation refuses) add to the
			// first's list, as before.
			digests[e.ID] = append(prev, all[from:]...)
		}
	}
	return digests
}

// fileDigest is file j of item i (e, of g.out.Evidence) as the narrative
// lists it, its result found by result (generator.results).
func fileDigest(result func(int, *schema.Evidence, int) (*evidence.Result, string), i int, e *schema.Evidence, j int) narrative.FileDigest {
	f := &e.Files[j]
	r, dst := result(i, e, j)
	fd := narrative.FileDigest{Path: dst, Role: f.Role, MediaType: MediaType(*f)}
	if r != nil {
		fd.Sum256, fd.Hashed, fd.Size = r.Sum256, true, r.Size
	}
	return fd
}

// narrativeDigests is what a narrative made in a build is told of the
// evidence files (narrative.Digests): each item's list as digests makes
// it, made when the narrative asks for that item (the items its indexes
// list: 2 of 20,000 photos), and every item's only for a template that
// reads them all (.Evidence). Made beforehand, every item's list and the
// map of them were 3.4 MB of live heap at 20,000 photos while the
// narrative was written beside the covering letter, the build's peak.
type narrativeDigests struct {
	g      *generator
	ev     *assemble.Evidence
	result func(int, *schema.Evidence, int) (*evidence.Result, string)
	// byID is g.out.Evidence's indexes in the order of their IDs (nil
	// when the items are in that order already, as cases number them),
	// made at the first Of; twice is set when an ID names two items.
	byID    []int32
	indexed bool
	twice   bool
	all     narrative.EvidenceDigests // once asked for
}

func (g *generator) narrativeDigests(ev *assemble.Evidence) *narrativeDigests {
	return &narrativeDigests{g: g, ev: ev, result: g.results(ev)}
}

// Of is All()[id], made for item id alone, unless an ID names two items
// (which validation refuses): their files make one list, as in digests.
func (d *narrativeDigests) Of(id string) []narrative.FileDigest {
	if d.all != nil {
		return d.all[id]
	}
	items := d.g.out.Evidence
	if !d.indexed {
		d.index()
	}
	if d.twice {
		return d.All()[id]
	}
	at := func(k int) int {
		if d.byID != nil {
			return int(d.byID[k])
		}
		return k
	}
	k := sort.Search(len(items), func(k int) bool { return items[at(k)].ID >= id })
	if k == len(items) || items[at(k)].ID != id {
		return nil
	}
	i := at(k)
	e := &items[i]
	if len(e.Files) == 0 {
		return nil
	}
	out := make([]narrative.FileDigest, len(e.Files))
	for j := range e.Files {
		out[j] = fileDigest(d.result, i, e, j)
	}
	return out
}

// index orders the items by ID for Of's search, unless they are in that
// order, and notes an ID that names two items.
func (d *narrativeDigests) index() {
	d.indexed = true
	items := d.g.out.Evidence
	ordered := true
	for i := 1; i < len(items); i++ {
		if items[i-1].ID >= items[i].ID {
			ordered = false
			break
		}
	}
	if ordered {
		return
	}
	d.byID = make([]int32, len(items))
	for i := range d.byID {
		d.byID[i] = int32(i)
	}
	slices.SortStableFunc(d.byID, func(a, b int32) int { return strings.Compare(items[a].ID, items[b].ID) })
	for k := 1; k < len(d.byID); k++ {
		if items[d.byID[k-1]].ID == items[d.byID[k]].ID {
			d.twice = true
		}
	}
}

// All is every item's list (digests), made at the first ask.
func (d *narrativeDigests) All() narrative.EvidenceDigests {
	if d.all == nil {
		d.all = d.g.digests(d.ev)
	}
	return d.all
}

// Any says whether some item has files, as All would.
func (d *narrativeDigests) Any() bool {
	for _, e := range d.g.out.Evidence {
		if len(e.Files) > 0 {
			return true
		}
	}
	return false
}

// narrativeOptions are the options of the narrative in language lang, with
// the annexes as made so far (with their sizes and digests once
// makeAnnexes has run: those the build handed on through ev for the
// annexes it wrote, see annexDigests).
func (g *generator) narrativeOptions(lang string, ev *assemble.Evidence) narrative.Options {
	l := locale.Must(lang)
	var annexes []narrative.Annex
	// The annex index numbers the registers A, their CSV twins A.1…; the
	// narrative numbers the evidence files B.1… after them, and the
	// documents in the package's other languages C.1… after those.
	add := func(number, name, p, mediaType, desc string) {
		a := narrative.Annex{Number: number, Name: name, Path: p, Description: desc, MediaType: mediaType}
		if size, sum, ok := g.annexDigest(p, ev); ok && size > 0 {
			a.Size, a.SHA256 = size, sum
		}
		annexes = append(annexes, a)
	}
	add("A", l.T("annexes.workbook.name"), AnnexPath, MediaType(schema.File{Path: AnnexPath}), l.T("annexes.workbook.description"))
	annexLang := locale.Must(g.opt.Langs[0])
	for i, name := range annex.CSVNames() {
		add(fmt.Sprintf("A.%d", i+1), l.T("annexes.csv.name", "sheet", annex.SheetName(annexLang, name)), annex.Dir+"/csv/"+name, "text/csv", l.T("annexes.csv.description"))
	}
	var versions []narrative.Annex
	for _, other := range g.opt.Langs {
		if other == lang {
			continue
		}
		name := l.LanguageName(other)
		versions = append(versions,
			narrative.Annex{Number: fmt.Sprintf("C.%d", len(versions)+1), Name: l.T("annexes.version.narrative", "language", name), Path: NarrativePathFor(other, true), MediaType: "application/pdf"},
			narrative.Annex{Number: fmt.Sprintf("C.%d", len(versions)+2), Name: l.T("annexes.version.letter", "language", name), Path: LetterPathFor(other, true), MediaType: "application/pdf"})
	}
	return narrative.Options{Templates: g.opt.Templates, Paper: g.opt.Paper, Date: g.opt.Date,
		Edition: g.opt.Edition, Version: g.opt.Version, Annexes: annexes, Versions: versions, Fonts: g.opt.Fonts, Lang: lang}
}

// annexDigest is the size and SHA-256 of the annex file p as made (false
// before makeAnnexes, or for a file it did not make): counted and hashed
// as makeAnnexes wrote it, or, for a file the build wrote, what the build
// hands on (ev.Generated).
func (g *generator) annexDigest(p string, ev *assemble.Evidence) (int64, string, bool) {
	part, ok := g.annexes[p]
	if !ok {
		return 0, "", false
	}
	if !part.handedOn {
		return part.size, part.sha256, true
	}
	d, ok := ev.Generated(p)
	return d.Size, d.SHA256, ok
}

// annexDigests checks that the build handed on the digests of every annex
// file it wrote: the narrative must not leave out a digest it quotes.
func (g *generator) annexDigests(ev *assemble.Evidence) error {
	for _, p := range slices.Sorted(maps.Keys(g.annexes)) {
		if _, ok := ev.Generated(p); g.annexes[p].handedOn && !ok {
			return fmt.Errorf("the build did not hand on the digests of %s, which the narrative quotes", p)
		}
	}
	return nil
}

// narrative writes the narrative in language lang.
func (g *generator) narrative(lang string) func(context.Context, io.Writer, *assemble.Evidence) error {
	return func(ctx context.Context, w io.Writer, ev *assemble.Evidence) error {
		return g.writeNarrative(ctx, w, ev, lang)
	}
}

func (g *generator) writeNarrative(ctx context.Context, w io.Writer, ev *assemble.Evidence, lang string) error {
	if err := g.makeAnnexes(ctx, ev, nil); err != nil {
		return fmt.Errorf("annexes: %w", err)
	}
	if err := g.annexDigests(ev); err != nil {
		return fmt.Errorf("annexes: %w", err)
	}
	l := locale.Must(lang)
	digests := g.narrativeDigests(ev)
	nopt := g.narrativeOptions(lang, ev)
	path := NarrativePathFor(lang, g.opt.several())
	if g.leaks != nil {
		md, err := narrative.Markdown(g.doc.Case, digests, g.opt.Templates, nopt)
		if err != nil {
			return err
		}
		// The package check cannot read the PDF's compressed text:
		// check the text as it prints, section by section.
		for _, sec := range narrative.PlainTextSections(md) {
			where := "section " + strconv.Quote(sec.Heading)
			if sec.Heading == "" {
				where = "cover"
			}
			if err := g.leaks.Text(path, where, sec.Text); err != nil {
				return err
			}
		}
	}
	if g.opt.PDFSigner == nil {
		return narrative.Render(ctx, w, g.doc.Case, digests, nopt)
	}
	var pdf bytes.Buffer
	if err := narrative.Render(ctx, &pdf, g.doc.Case, digests, nopt); err != nil {
		return err
	}
	s := g.opt.PDFSigner
	now := time.Now
	if g.opt.Now != nil {
		now = g.opt.Now
	}
	return sign.SignPDF(bytes.NewReader(pdf.Bytes()), int64(pdf.Len()), w, s.Cred, sign.PDFSignOptions{
		Name: s.Name, Reason: l.T("pdf.sign_reason", "body", g.doc.Case.Submission.Recipient.Body), Date: now().UTC(), TSAURL: s.TSAURL,
	})
}

// letter writes the covering letter in language lang that the package
// carries, with the digest of the evidence manifest the build wrote
// before the generated files (assemble.Evidence): the generator holds
// none of the plan's lists of evidence files for it.
func (g *generator) letter(lang string) func(context.Context, io.Writer, *assemble.Evidence) error {
	return func(ctx context.Context, w io.Writer, ev *assemble.Evidence) error {
		l, err := g.letterData(lang)
		if err != nil {
			return err
		}
		l.ManifestSHA256 = ev.CasepackManifestSHA256()
		for _, r := range ev.All() {
			l.EvidenceFiles++
			if r.Withheld {
				l.WithheldFiles++
			}
		}
		if err := g.checkText(LetterPathFor(lang, g.opt.several()), l, lang); err != nil {
			return err
		}
		return narrative.RenderLetter(ctx, w, l, g.letterOptions(lang))
	}
}

// checkText runs the public edition's leak check on a letter's text before
// layout (the package check cannot read a PDF's compressed text).
func (g *generator) checkText(file string, l narrative.Letter, lang string) error {
	if g.leaks == nil {
		return nil
	}
	md, err := narrative.LetterMarkdown(l, g.letterOptions(lang))
	if err != nil {
		return err
	}
	return g.leaks.Text(file, "text", narrative.PlainText(md))
}

// letterData is what the covering letter in language lang says: the
// edition's view of the case with its texts in that language.
func (g *generator) letterData(lang string) (narrative.Letter, error) {
	view := g.out
	if tc, st, err := translation.For(g.doc.Case, locale.Must(lang)); err != nil {
		return narrative.Letter{}, err
	} else if st != nil {
		// Translated before the edition redacts, as the narrative is.
		plan, err := edition.NewIn(tc, g.opt.Edition, locale.Must(lang))
		if err != nil {
			return narrative.Letter{}, err
		}
		view = plan.Case()
	}
	l := narrative.Letter{Case: view, Edition: g.opt.Edition, Package: Name(g.doc.Case, g.opt.Edition), Date: g.opt.Date,
		Annexes: 1 + len(annex.CSVNames()), EvidenceItems: len(g.out.Evidence)}
	for _, lang := range g.opt.Langs {
		l.Narratives = append(l.Narratives, NarrativePathFor(lang, g.opt.several()))
	}
	return l, nil
}

func (g *generator) letterOptions(lang string) narrative.LetterOptions {
	return narrative.LetterOptions{Templates: g.opt.Templates, Paper: g.opt.Paper, Version: g.opt.Version, Fonts: g.opt.Fonts, Lang: lang}
}

// LetterSuffix follows the package's name in the name of the covering
// letter beside it, in language lang: <package>.covering-letter.pdf, or,
// for a package in several languages, one letter per language
// (<package>.covering-letter.<lang>.pdf).
func LetterSuffix(lang string, several bool) string {
	if several {
		return ".covering-letter." + lang + ".pdf"
	}
	return ".covering-letter.pdf"
}

// LetterSuffixes are every suffix a covering letter beside a package may
// have, in whatever languages an earlier build wrote it: a build puts its
// own in place and removes the others with the package they describe
// (assemble.Spec.BesideEarlier).
func LetterSuffixes() []string {
	out := []string{LetterSuffix("", false)}
	for _, l := range locale.Supported() {
		out = append(out, LetterSuffix(l, true))
	}
	return out
}

// LetterBeside is the covering letters beside a package, one per language,
// for sending with the upload: the letter inside the package plus the
// SHA-256 of tagmanifest-sha256.txt, which the package cannot carry about
// itself. Build writes them once the package is written and verified, and
// puts them in place with the package as one unit (assemble.Beside); the
// digests are read from the package as written.
func LetterBeside(doc *schema.Document, opt Options) []assemble.Beside {
	opt = opt.withDefaults(doc.Case)
	var out []assemble.Beside
	for _, lang := range opt.Langs {
		suffix := LetterSuffix(lang, opt.several())
		out = append(out, assemble.Beside{Suffix: suffix, Write: func(ctx context.Context, w io.Writer, pkg string, res *assemble.Result) error {
			return writeLetterBeside(ctx, w, doc, opt, lang, suffix, pkg, res)
		}})
	}
	return out
}

func writeLetterBeside(ctx context.Context, w io.Writer, doc *schema.Document, opt Options, lang, suffix, pkg string, res *assemble.Result) error {
	plan, err := edition.New(doc.Case, opt.Edition)
	if err != nil {
		return err
	}
	g := &generator{doc: doc, opt: opt, plan: plan, out: plan.Case()}
	if opt.Edition == edition.Public {
		g.leaks = edition.NewLeakCheck(doc.Case)
	}
	// Hashed as it is read: the manifest of 20,000 files is megabytes.
	m, err := os.Open(filepath.Join(pkg, filepath.FromSlash(bag.CasepackManifestPath)))
	if err != nil {
		return fmt.Errorf("covering letter: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(h, m)
	m.Close()
	if err != nil {
		return fmt.Errorf("covering letter: %w", err)
	}
	sum := h.Sum(nil)
	l, err := g.letterData(lang)
	if err != nil {
		return err
	}
	l.ManifestSHA256, l.TagManifestSHA256 = hex.EncodeToString(sum[:]), res.TagManifestSHA256
	l.EvidenceFiles, l.WithheldFiles = res.EvidenceFiles+res.WithheldFiles, res.WithheldFiles
	if err := g.checkText(l.Package+suffix, l, lang); err != nil {
		return err
	}
	if err := narrative.RenderLetter(ctx, w, l, g.letterOptions(lang)); err != nil {
		return fmt.Errorf("covering letter: %w", err)
	}
	return nil
}

// pdfInstructions tell how to check the narratives' embedded signatures with
// poppler's pdfsig, trusting the signer's CA in a throw-away NSS database.
func pdfInstructions(opt Options) string {
	var cmds []string
	for _, l := range opt.Langs {
		cmds = append(cmds, "     pdfsig -nssdir sql:nssdb \"$PKG/"+NarrativePathFor(l, opt.several())+"\"")
	}
	return fmt.Sprintf(pdfInstructionsText, strings.Join(cmds, "\n"))
}

const pdfInstructionsText = `
The narrative PDF is signed too (a PDF signature, shown by PDF readers). To
check it with poppler's pdfsig, trusting the signer's CA certificate
(CA.pem: the certificate of the authority that issued the signer's
certificate, obtained from the signer through a channel you trust), run
these beside the package, as above (the NSS database stays outside it):

     mkdir nssdb
     certutil -N -d sql:nssdb --empty-password
     certutil -A -n signer-ca -t CT,C,C -i CA.pem -d sql:nssdb
%s

   It must say "Signature is Valid", "Total document signed" and
   "Certificate is Trusted".
`

// isText reports whether a media type is text a reader can search.
func isText(mt string) bool {
	mt = strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/json" || mt == "application/xml" || mt == "application/csv"
}

// MediaType is the file's declared media type, or one guessed from its
// extension with a fixed table (the system's mime tables differ between
// machines, and the package must not).
func MediaType(f schema.File) string {
	if f.MediaType != "" {
		return f.MediaType
	}
	switch strings.ToLower(path.Ext(f.Path)) {
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".mov":
		return "video/quicktime"
	case ".webm":
		return "video/webm"
	case ".mkv":
		return "video/x-matroska"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".tif", ".tiff":
		return "image/tiff"
	case ".heic":
		return "image/heic"
	case ".mp3":
		return "audio/mpeg"
	case ".m4a":
		return "audio/mp4"
	case ".wav":
		return "audio/wav"
	case ".ogg", ".opus":
		return "audio/ogg"
	case ".pdf":
		return "application/pdf"
	case ".txt":
		return "text/plain"
	case ".md":
		return "text/markdown"
	case ".csv":
		return "text/csv"
	case ".json":
		return "application/json"
	case ".html", ".htm":
		return "text/html"
	case ".warc":
		return "application/warc"
	case ".wacz", ".zip":
		return "application/zip"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// MismatchFindings turns the digest mismatches a build found while copying
// (evidence.DigestMismatch, joined) into located CP-HASH-MISMATCH findings,
// so a build reports them as validate does. Other errors give none.
func MismatchFindings(doc *schema.Document, err error) []finding.Finding {
	var out []finding.Finding
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var dm *evidence.DigestMismatch
		if !errors.As(e, &dm) {
			return
		}
		for i, ev := range doc.Case.Evidence {
			if ev.ID != dm.ID {
				continue
			}
			for j, f := range ev.Files {
				if filepath.Join(doc.Dir, filepath.FromSlash(f.Path)) == dm.Path {
					msg, hint := schema.HashMismatchMessage(dm.ID, f.Path, dm.Got, dm.Want)
					out = append(out, doc.NewFinding(finding.HashMismatch, fmt.Sprintf("/evidence/%d/files/%d/sha256", i, j), msg, hint))
				}
			}
		}
	}
	walk(err)
	finding.Sort(out)
	return out
}
