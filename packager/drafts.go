package packager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/internal/digest"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/packager/translation"
	"github.com/casepack/casepack/schema"
)

// draftChoices checks the edition and the one language asked of a draft
// (the narrative or the annexes alone); "" leaves the language to the
// case (draftLang).
func draftChoices(e edition.Edition, lang string) (edition.Edition, string, error) {
	ed, err := checkEdition(e)
	if err != nil {
		return "", "", err
	}
	l, err := checkLang(lang)
	return ed, l, err
}

// draftLang is the language of a draft of c: the one asked for, else the
// case's main language if casepack writes it.
func draftLang(lang string, c *schema.Case) string {
	if lang == "" {
		return locale.DefaultFor(c.Submission.Languages)
	}
	return lang
}

func renderNarrative(ctx context.Context, casePath string, opt NarrativeOptions) (*NarrativeReport, error) {
	if opt.Output == "" {
		return nil, fault.Usagef("missing --output (required)")
	}
	paper, err := checkPaper(opt.Paper)
	if err != nil {
		return nil, err
	}
	ed, lang, err := draftChoices(opt.Edition, opt.Lang)
	if err != nil {
		return nil, err
	}
	tfs, err := templatesFS(opt.Templates)
	if err != nil {
		return nil, err
	}
	fs, printable, err := fonts(opt.Fonts)
	if err != nil {
		return nil, err
	}
	doc, findings, err := loadCase(ctx, casePath, schema.Options{SkipHashes: true, Printable: printable})
	if err != nil {
		return nil, err
	}
	out := opt.Output
	// Never over the case data or an evidence file, never into a package,
	// never over any file without Force.
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return nil, fault.Usagef("-o %s: is a folder; give a file name, e.g. %s", out, filepath.Join(out, "submission.pdf"))
	}
	if err := destination.Place(out, doc.Dir); err != nil {
		return nil, destinationError(fmt.Errorf("-o %w", err), "")
	}
	if err := destination.New(out, opt.Force); err != nil {
		return nil, destinationError(fmt.Errorf("-o %w", err), "--force")
	}
	lang = draftLang(lang, doc.Case)
	rep := &NarrativeReport{Case: doc.Path, Output: out, Edition: ed, Lang: lang, Findings: findings}
	if nerr, _ := finding.Count(findings); nerr > 0 {
		return rep, invalidCase("fix the errors above, then run 'casepack narrative' again; 'casepack validate' lists them too")
	}
	if _, rep.Translation, err = translation.For(doc.Case, locale.Must(lang)); err != nil {
		return nil, err
	}
	nopt := narrative.Options{Templates: tfs, Paper: paper, Date: opt.Date, Edition: ed, Version: opt.Version, Fonts: fs, Lang: lang}
	// Replace: destination.New allowed it (Force); the commit still never
	// replaces a file that appears meanwhile without it.
	err = atomicfs.WriteFile(out, atomicfs.FileOptions{Perm: 0o644, Replace: opt.Force}, func(w io.Writer) error {
		if opt.Markdown {
			md, err := narrative.Markdown(doc.Case, nil, tfs, nopt)
			if err != nil {
				return err
			}
			_, err = w.Write(md)
			return err
		}
		return narrative.Render(ctx, w, doc.Case, nil, nopt)
	})
	if err != nil {
		return rep, narrativeError(err, opt.Templates)
	}
	return rep, nil
}

// narrativeError picks the class: raw HTML in the case is invalid case
// data; a template problem is the user's template folder to fix.
func narrativeError(err error, templates string) error {
	var se *narrative.SourceError
	var te *narrative.TemplateError
	switch {
	case errors.As(err, &se) && se.InCase():
		return fault.New(fault.InvalidCase, err, "case text is Markdown: remove the HTML tag, or write '\\<' for a literal '<'")
	case errors.As(err, &se) && errors.Is(err, narrative.ErrRawHTML):
		return fault.New(fault.Operational, err, "remove the HTML tag from the template, or write '\\<' for a literal '<'")
	case templates != "" && (errors.As(err, &se) || errors.As(err, &te)):
		return fault.New(fault.Operational, err, "check the templates in "+templates+"; 'casepack narrative --markdown' shows what they produce, and templates/README.md documents their data and helpers")
	}
	return err
}

func writeAnnexes(ctx context.Context, casePath string, opt AnnexesOptions) (*AnnexesReport, error) {
	if opt.OutDir == "" {
		return nil, fault.Usagef("missing -o DIR: casepack annexes CASE -o DIR")
	}
	ed, lang, err := draftChoices(opt.Edition, opt.Lang)
	if err != nil {
		return nil, err
	}
	// Declared digests are compared while hashing below: one read per file.
	doc, findings, err := loadCase(ctx, casePath, schema.Options{SkipHashes: true})
	if err != nil {
		return nil, err
	}
	if err := checkAnnexesOut(opt.OutDir, doc.Dir, opt.Force); err != nil {
		return nil, err
	}
	lang = draftLang(lang, doc.Case)
	rep := &AnnexesReport{Case: doc.Path, Edition: ed, Lang: lang, Date: opt.Date.Format(time.RFC3339), Findings: findings, Files: []WrittenFile{}}
	if nerr, _ := finding.Count(findings); nerr > 0 {
		return rep, invalidCase("the annexes are written only from valid case data; fix the errors above (casepack validate lists them)")
	}
	files, err := annex.DraftFiles(ctx, doc.Dir, doc.Case, ed)
	if err != nil {
		if errors.Is(err, annex.ErrDigestMismatch) {
			return rep, fault.New(fault.InvalidCase, err, "if the file is the right one, correct its sha256 in the case; otherwise restore the original file")
		}
		return rep, err
	}
	// The digest of the case.json a package of this case carries.
	canonical, err := schema.Canonical(doc.Case)
	if err != nil {
		return rep, err
	}
	aopt := annex.Options{Date: opt.Date, Edition: ed, Version: opt.Version, CaseSHA256: digest.SHA256(canonical), Lang: locale.Must(lang)}
	// The redaction log lists the narrative's redactions too, as the
	// package's does.
	if aopt.Redactions, err = submission.NarrativeRedactions(doc, submission.Options{Edition: ed, Date: opt.Date, Version: opt.Version, Langs: []string{lang}}); err != nil {
		return rep, err
	}
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	rep.Files, err = publishAnnexes(ctx, doc.Case, files, aopt, opt.OutDir, opt.Force, warn)
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// publishAnnexes writes the annexes into a temporary folder inside out and
// puts the workbook and the CSV folder in place together (one
// atomicfs.Unit, "annexes") only once all are written, so a failure or a
// crash leaves out as it was. Earlier annexes in out are replaced.
func publishAnnexes(ctx context.Context, c *schema.Case, files []annex.FileInfo, opt annex.Options, out string, force bool, warn func(string)) (written []WrittenFile, err error) {
	made, err := atomicfs.MkdirAll(out, 0o755)
	if err != nil {
		return nil, fault.IO(out, err)
	}
	defer func() {
		if err != nil {
			made.Remove()
		}
	}()
	d, err := atomicfs.OpenDir(out, atomicfs.Options{})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	u, err := d.Unit("annexes")
	if err != nil {
		return nil, err
	}
	lock, err := u.Acquire(warn)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	// Again, now that no other command writes here.
	if err := checkAnnexesOut(out, "", force); err != nil {
		return nil, err
	}
	tmp, err := d.MkdirTemp("annexes")
	if err != nil {
		return nil, fault.IO(out, err)
	}
	keep := false // a failed undo may have left earlier annexes in tmp
	defer func() {
		if !keep {
			d.RemoveAll(tmp)
		}
	}()
	opt.TmpDir = d.Join(tmp)
	stage := filepath.Join(tmp, "annexes")
	if err := annex.WriteDir(ctx, c, files, opt, d.Join(stage)); err != nil {
		return nil, err
	}
	names := append([]string{annex.XLSXName}, prefixed(annex.CSVDir, annex.CSVNames())...)
	for _, name := range names {
		sum, err := fileSHA256(ctx, d.Join(filepath.Join(stage, name)))
		if err != nil {
			return nil, err
		}
		written = append(written, WrittenFile{Path: filepath.Join(out, name), SHA256: sum})
	}
	err = u.Publish(
		atomicfs.Change{New: filepath.Join(stage, annex.XLSXName), Target: annex.XLSXName, Replace: force},
		atomicfs.Change{New: filepath.Join(stage, annex.CSVDir), Target: annex.CSVDir, Replace: force},
	)
	var ie *atomicfs.IncompleteError
	keep = errors.As(err, &ie)
	if err != nil {
		return nil, fmt.Errorf("write the annexes in %s: %w", out, err)
	}
	return written, nil
}

// checkAnnexesOut refuses an output folder inside the case folder or a
// package, and annexes already there unless force; with force, only a
// workbook file and a csv folder holding nothing but annex twins are
// replaced.
func checkAnnexesOut(out, caseDir string, force bool) error {
	if err := destination.Place(out, caseDir); err != nil {
		return destinationError(fmt.Errorf("-o %w", err), "")
	}
	if err := destination.New(filepath.Join(out, annex.XLSXName), force); err != nil {
		return destinationError(err, "--force")
	}
	csvOut := filepath.Join(out, annex.CSVDir)
	if !force {
		if err := destination.New(csvOut, false); err != nil {
			return destinationError(err, "--force")
		}
		return nil
	}
	return checkOnlyOurCSV(csvOut)
}

// checkOnlyOurCSV refuses to replace a csv folder that holds anything but
// annex twins: it is not ours to delete.
func checkOnlyOurCSV(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fault.IO(dir, err)
	}
	ours := annex.CSVNames()
	for _, e := range entries {
		if !e.Type().IsRegular() || !slices.Contains(ours, e.Name()) {
			return fault.New(fault.Operational,
				fmt.Errorf("%s: holds %s, which casepack did not write", dir, e.Name()),
				"choose another -o folder, or move that file away")
		}
	}
	return nil
}

func prefixed(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := source.Open(path)
	if err != nil {
		return "", fault.IO(path, err)
	}
	defer f.Close()
	d, err := digest.ReadSHA256(ctx, f)
	if err != nil {
		return "", fault.IO(path, err)
	}
	return d.SHA256, nil
}
