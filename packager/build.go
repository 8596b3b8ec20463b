package packager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/internal/source"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/bag"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/packager/translation"
	"github.com/casepack/casepack/packager/verify"
	"github.com/casepack/casepack/schema"
)

func build(ctx context.Context, casePath string, opt BuildOptions) (*BuildReport, error) {
	if opt.OutDir == "" {
		opt.OutDir = "out"
	}
	ed, err := checkEdition(opt.Edition)
	if err != nil {
		return nil, err
	}
	paper, err := checkPaper(opt.Paper)
	if err != nil {
		return nil, err
	}
	if err := checkDate(opt.Date); err != nil {
		return nil, err
	}
	langs, err := checkLangs(opt.Lang, true)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(opt.OutDir); err == nil && !fi.IsDir() {
		return nil, fault.Usagef("--out %s: is a file, not a folder", opt.OutDir)
	}
	templates, err := templatesFS(opt.Templates)
	if err != nil {
		return nil, err
	}
	fs, printable, err := fonts(opt.Fonts)
	if err != nil {
		return nil, err
	}

	started := time.Now()
	// Declared digests are compared while copying (one read per byte).
	doc, findings, err := loadCase(ctx, casePath, schema.Options{SkipHashes: true, Workers: opt.Workers, Printable: printable})
	if err != nil {
		return nil, buildError(err) // an interrupt while validating is a build interrupted
	}
	if err := destination.Place(opt.OutDir, doc.Dir); err != nil {
		return nil, destinationError(fmt.Errorf("--out %w", err), "")
	}
	raiseBuildLimit(evidenceFiles(doc.Case))
	// The model is held until the verify-after-write; its texts must not
	// keep the case's bytes, which go after the evidence pass
	// (evidenceDone), or now when no evidence file declares a digest the
	// pass could contradict: nothing else is located in them.
	doc.OwnTexts()
	if !declaresDigest(doc.Case) {
		doc.Data = nil
	}
	if opt.RenameUnsafe {
		// The files are stored under plain names, so what the warning
		// says (sha256sum -c cannot check them) no longer holds.
		findings = slices.DeleteFunc(findings, func(f finding.Finding) bool { return f.Code == finding.PathPercent })
	}
	rep := &BuildReport{Case: doc.Path, Edition: ed, Findings: findings}
	if n, _ := finding.Count(findings); n > 0 {
		// The case is refused anyway; compare the declared digests too, so
		// every problem is reported at once, as validate does.
		more, err := schema.CheckHashes(ctx, doc, opt.Workers)
		if err != nil {
			return nil, buildError(err)
		}
		return refuse(rep, more)
	}

	validated := time.Now()
	if len(langs) == 0 {
		langs = []string{locale.DefaultFor(doc.Case.Submission.Languages)}
	}
	rep.Langs = langs
	if rep.Translations, err = translationStatus(doc.Case, langs); err != nil {
		return nil, buildError(err)
	}
	sopt := submission.Options{Edition: ed, Date: opt.Date, Version: opt.Version, Paper: paper,
		Templates: templates, Signers: opt.Signers, PDFSigner: pdfSigner(opt.Signers), Fonts: fs, Langs: langs,
		RenameUnsafe: opt.RenameUnsafe}
	if ed.IsPublic() {
		if rep.EditionCheck, err = submission.EditionCheck(doc); err != nil {
			return nil, buildError(err)
		}
	}
	spec, err := submission.Spec(doc, sopt)
	if err != nil {
		var reid *edition.ReidentificationError
		if errors.As(err, &reid) {
			// The report holds the re-identification check that says why.
			return rep, fault.New(fault.InvalidCase, caseInvalid{err}, reid.Hint())
		}
		return nil, buildError(err)
	}
	// The covering letters beside the package carry the tag manifest's
	// digest, which no file inside the package can; they are put in place
	// with the package, as one unit.
	spec.Beside = append(spec.Beside, submission.LetterBeside(doc, sopt)...)
	spec.BesideEarlier = append(spec.BesideEarlier, submission.LetterSuffixes()...)
	planned := time.Now()
	// The case data (12 MB for 20,000 photos) is held by the generators
	// and the letters beside until Build lets them go, not by this
	// function through the verify-after-write: the mismatches with
	// declared digests become findings as soon as the evidence pass ends.
	var mismatches []finding.Finding
	restoreLimit := func() {}
	defer func() { restoreLimit() }()
	res, err := assemble.Build(ctx, spec, assemble.Options{
		OutDir:         opt.OutDir,
		Zip:            opt.Zip,
		Force:          opt.Force,
		Workers:        opt.Workers,
		Checks:         []verify.Check{signatureCheck(nil, false)},
		Progress:       opt.Progress,
		VerifyProgress: opt.VerifyProgress,
		Warn:           opt.Warn,
		EvidenceDone:   func(err error) { mismatches = evidenceDone(doc, err) },
		Verifying:      func() { restoreLimit = lowerBuildLimit() },
	})
	if len(mismatches) > 0 {
		return refuse(rep, mismatches)
	}
	if err != nil {
		return rep, buildError(narrativeError(err, opt.Templates))
	}
	rep.Package = res
	rep.Timings = append([]assemble.Phase{
		{Name: "validate", Seconds: validated.Sub(started).Seconds()},
		{Name: "plan", Seconds: planned.Sub(validated).Seconds()},
	}, res.Timings...)
	rep.Letters = res.Beside
	rep.Letter = rep.Letters[0]
	return rep, nil
}

// evidenceDone turns the mismatches with declared digests of the evidence
// pass's error into findings, located in the case's bytes (doc.Data), and
// then lets those bytes go: nothing after the evidence pass reads them
// (the generated files are made from doc.Case, whose texts are their own:
// schema.Document.OwnTexts), and for 20,000 photos they are 5.5 MB of the
// heap while the generated files are made, its peak (see SetMemoryLimit).
func evidenceDone(doc *schema.Document, err error) []finding.Finding {
	out := submission.MismatchFindings(doc, err)
	doc.Data = nil
	return out
}

// declaresDigest says whether a file of c's evidence declares its SHA-256,
// which the evidence pass compares (evidenceDone locates a mismatch).
func declaresDigest(c *schema.Case) bool {
	for _, e := range c.Evidence {
		for _, f := range e.Files {
			if f.SHA256 != "" {
				return true
			}
		}
	}
	return false
}

// translationStatus says, for each language other than the case's own,
// how much of the case's text the documents show translated.
func translationStatus(c *schema.Case, langs []string) ([]*translation.Status, error) {
	var out []*translation.Status
	for _, l := range langs {
		_, st, err := translation.For(c, locale.Must(l))
		if err != nil {
			return nil, err
		}
		if st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

// caseInvalid is a refusal for the case's content that is not a finding
// (the public edition would single someone out): its own message, and
// ErrCaseInvalid.
type caseInvalid struct{ err error }

func (e caseInvalid) Error() string        { return e.err.Error() }
func (e caseInvalid) Unwrap() error        { return e.err }
func (e caseInvalid) Is(target error) bool { return target == ErrCaseInvalid }

// refuse is Build's answer to an invalid case: every finding, and
// ErrCaseInvalid.
func refuse(rep *BuildReport, more []finding.Finding) (*BuildReport, error) {
	rep.Findings = append(rep.Findings, more...)
	finding.Sort(rep.Findings)
	return rep, fault.New(fault.InvalidCase, fmt.Errorf("%w; nothing was built", ErrCaseInvalid), "")
}

// pdfSigner is the signer of the narrative PDF: the first with an X.509
// certificate (a PDF signature needs one).
func pdfSigner(signers []*sign.Signer) *sign.Signer {
	for _, s := range signers {
		if s.Format() == sign.FormatCMS {
			return s
		}
	}
	return nil
}

func checkEdition(e edition.Edition) (edition.Edition, error) {
	if e == "" {
		return edition.Confidential, nil
	}
	ed, err := edition.Parse(string(e))
	if err != nil {
		return "", fault.Usagef("--edition %q: must be confidential or public", string(e))
	}
	return ed, nil
}

// checkLangs reads a --lang value: one language (several when several is
// set, "en,fr"), each one casepack writes; nil for "" (the case decides).
func checkLangs(s string, several bool) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	list, err := locale.ParseList(s)
	if err != nil {
		return nil, fault.Usagef("--lang %q: %v", s, err)
	}
	if len(list) > 1 && !several {
		return nil, fault.Usagef("--lang %q: one language at a time here (only build takes several)", s)
	}
	return list, nil
}

// checkLang is checkLangs for one language: "" when s is empty.
func checkLang(s string) (string, error) {
	l, err := checkLangs(s, false)
	if err != nil || len(l) == 0 {
		return "", err
	}
	return l[0], nil
}

func checkPaper(p string) (string, error) {
	switch p {
	case "":
		return "a4", nil
	case "a4", "letter":
		return p, nil
	}
	return "", fault.Usagef("--paper %q: must be a4 or letter", p)
}

// templatesFS opens a folder of narrative templates; nil for the built-in
// ones. Its files are opened without blocking and only regular files are
// read: a FIFO among the templates is an error, not a hang.
func templatesFS(dir string) (fs.FS, error) {
	if dir == "" {
		return nil, nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fault.Usagef("--templates %s: not a folder", dir)
	}
	fsys, err := source.DirFS(dir)
	if err != nil {
		return nil, fault.IO(dir, err)
	}
	return fsys, nil
}

// buildError classes the failures of a build and gives each its hint.
func buildError(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err // already classed
	}
	var mismatch *evidence.DigestMismatch
	var leak *edition.LeakError
	var reid *edition.ReidentificationError
	var verr *assemble.VerifyError
	switch {
	case errors.As(err, &mismatch):
		return fault.New(fault.InvalidCase, err, "the evidence file differs from the one acquired: find the original, or record the change in the custody log and update the declared sha256")
	case errors.As(err, &reid):
		return fault.New(fault.InvalidCase, err, reid.Hint())
	case errors.As(err, &leak):
		return fault.New(fault.InvalidCase, err, "remove the protected detail from the text fields, or build the confidential edition")
	case errors.Is(err, assemble.ErrInvalidSpec):
		// The validator should have caught it; it is still about the case data.
		return fault.New(fault.InvalidCase, err, "check the evidence paths in the case (casepack validate)")
	case errors.Is(err, assemble.ErrNotReplaceable):
		return fault.New(fault.Operational, err, "--force replaces only a casepack package; move that away, or choose another --out folder")
	case errors.Is(err, assemble.ErrTargetExists):
		return fault.New(fault.Operational, err, "choose another --out folder, or replace the package with --force")
	case errors.As(err, &verr):
		return fault.New(fault.Verification, err, "the written package did not verify and was removed; check the disk, then build again")
	case errors.Is(err, context.Canceled):
		return fault.New(fault.Operational, errInterrupted, "")
	}
	return err
}

// errInterrupted is what a build stopped by the user (Ctrl-C) says; it is
// context.Canceled, so callers can tell.
var errInterrupted = interrupted{}

type interrupted struct{}

func (interrupted) Error() string        { return "build interrupted; nothing was left behind" }
func (interrupted) Is(target error) bool { return target == context.Canceled }

// destinationError classes a refused destination. force names the flag
// that would allow replacing it ("" when none does).
func destinationError(err error, force string) error {
	switch {
	case errors.Is(err, destination.ErrInsideCase), errors.Is(err, destination.ErrInsidePackage):
		return fault.New(fault.Usage, err, destination.PlaceHint)
	case errors.Is(err, destination.ErrExists) && force != "":
		return fault.New(fault.Operational, err, "choose another name, or replace it with "+force)
	case errors.Is(err, destination.ErrExists):
		return fault.New(fault.Operational, err, "choose another name; casepack never overwrites it")
	}
	return err
}

// checkDate refuses a build date a package cannot carry, before anything
// is read: it is the user's --date (or SOURCE_DATE_EPOCH), not the case.
func checkDate(date time.Time) error {
	if date.IsZero() {
		return nil
	}
	if err := bag.CheckDate(date); err != nil {
		return fault.New(fault.Usage, fmt.Errorf("--date %w", err), "give a date from 1980-01-01 to 2107-12-31, or leave --date out for now")
	}
	return nil
}
