package packager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/packager/intake"
	"github.com/casepack/casepack/packager/locale"
	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/samples"
	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
)

func keygen(name string) (*KeygenReport, error) {
	if name == "" {
		return nil, fault.Usagef("missing --out (required)")
	}
	// A private key inside a case folder travels with the case (shared,
	// synced, archived); inside a package it would change a signed bag.
	if err := destination.Place(name, ""); err != nil {
		return nil, destinationError(fmt.Errorf("-o %w", err), "")
	}
	priv, err := sign.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	fp, err := sign.WriteKeyPair(name, priv)
	keyPath, pubPath := sign.KeyPairFiles(name)
	if errors.Is(err, fs.ErrExist) {
		return nil, fault.New(fault.Operational, fmt.Errorf("%s or %s already exists; nothing was written", keyPath, pubPath),
			"choose another -o NAME; an existing key is never overwritten")
	}
	if err != nil {
		return nil, err
	}
	return &KeygenReport{PrivateKey: keyPath, PublicKey: pubPath, Fingerprint: fp}, nil
}

func initCase(dir string, opt InitOptions) (*InitReport, error) {
	form := opt.Form
	if form == "" {
		form = caseform.JSON
	}
	var src fs.FS
	switch opt.Sample {
	case "", "minimal":
		src = samples.Minimal
	case "la-vega":
		src = samples.LaVega
	default:
		return nil, fault.Usagef("--sample %q: must be minimal or la-vega", opt.Sample)
	}
	if _, err := os.Lstat(dir); err == nil {
		return nil, fault.New(fault.Operational, fmt.Errorf("%s already exists", dir), "choose a new folder name; init never writes into an existing folder")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fault.IO(dir, err)
	}
	if err := destination.Place(dir, ""); err != nil {
		return nil, destinationError(err, "")
	}
	file, err := caseform.Init(dir, src, form)
	if err != nil {
		return nil, fault.IO(dir, err)
	}
	return &InitReport{Dir: dir, File: file, Form: form}, nil
}

func convert(ctx context.Context, src, dst string, opt ConvertOptions) (*ConvertReport, error) {
	if dst == "" {
		return nil, fault.Usagef("missing -o DST: casepack convert SRC -o case.xlsx (or case.yaml, case.json)")
	}
	// A case file goes at the top of a case folder or in a folder of its
	// own, never over an evidence file or into a package.
	if err := destination.PlaceCaseFile(dst); err != nil {
		return nil, destinationError(fmt.Errorf("-o %w", err), "")
	}
	cr, err := caseform.Convert(ctx, src, dst, opt)
	var rep *ConvertReport
	if cr != nil {
		if cr.Findings == nil {
			cr.Findings = []finding.Finding{}
		}
		rep = &ConvertReport{ConvertReport: cr}
	}
	var unknown *caseform.UnknownFormError
	var two *caseform.TwoFilesError
	switch {
	case err == nil:
		if _, _, ferr := caseform.Find(filepath.Dir(dst)); errors.As(ferr, &two) {
			rep.CaseFiles = two.Files
		}
		return rep, nil
	case errors.Is(err, caseform.ErrNotConverted):
		return rep, fault.New(fault.InvalidCase, fmt.Errorf("%s was not written: %w", dst, ErrCaseInvalid),
			fmt.Sprintf("correct the problems above in %s, then convert again", cr.Source))
	case errors.Is(err, fs.ErrExist):
		return rep, fault.New(fault.Operational, fmt.Errorf("%s already exists", dst), "choose another name, or add --force to replace it")
	case errors.As(err, &unknown) && unknown.Path == dst:
		return rep, fault.Usagef("-o %s: the name must end in .xlsx, .yaml, .yml or .json (it says the form to write)", dst)
	}
	return rep, caseError(src, err)
}

func addEvidence(ctx context.Context, casePath string, files []string, opt AddOptions) (*AddReport, error) {
	if len(files) == 0 {
		return nil, fault.Usagef("missing CASE or FILE: casepack evidence add CASE FILE…")
	}
	rep, err := intake.Add(ctx, casePath, files, opt)
	var oerr *intake.OptionError
	var unreadable *intake.UnreadableCaseError
	switch {
	case err == nil:
		return rep, nil
	case errors.As(err, &oerr):
		return rep, fault.Usagef("%v", oerr)
	case errors.As(err, &unreadable):
		return rep, fault.New(fault.InvalidCase, err, "correct the problems above (casepack validate lists them), then add the files again")
	case errors.Is(err, intake.ErrRefused):
		return rep, fault.New(fault.Operational, err, "")
	case errors.Is(err, assemble.ErrBusy):
		return nil, fault.New(fault.Operational, err, assemble.BusyHint)
	}
	return rep, caseError(casePath, err)
}

// CheckEdition says what the public edition of a valid case withholds and
// redacts, and whether its published details single someone out
// (k-anonymity over the published victims and witnesses). The error wraps
// ErrCaseInvalid when the case has errors or the public edition may not be
// built; the report says why.
func CheckEdition(ctx context.Context, casePath string) (*CheckEditionReport, error) {
	doc, findings, err := loadCase(ctx, casePath, schema.Options{SkipHashes: true})
	if err != nil {
		return nil, err
	}
	rep := &CheckEditionReport{Case: doc.Path, Findings: findings}
	if nerr, _ := finding.Count(findings); nerr > 0 || doc.Case == nil {
		return rep, invalidCase("the edition is checked only on valid case data; fix the errors above (casepack validate lists them)")
	}
	rep.EvidenceItems = len(doc.Case.Evidence)
	plan, err := edition.New(doc.Case, edition.Public)
	if err != nil {
		return nil, err
	}
	if rep.CheckReport, err = plan.CheckReport(); err != nil {
		return nil, err
	}
	// The package's redaction log lists the narrative's redactions too
	// (as the default templates place them).
	text, err := submission.NarrativeRedactions(doc, submission.Options{Edition: edition.Public})
	if err != nil {
		return nil, err
	}
	rep.Redactions = slices.Clip(rep.Redactions)
	for _, e := range text {
		rep.Redactions = append(rep.Redactions, e.In(locale.English()))
	}
	if r := rep.Reidentification; !r.OK {
		err := &edition.ReidentificationError{Report: r}
		return rep, fault.New(fault.InvalidCase, caseInvalid{err}, err.Hint())
	}
	return rep, nil
}
