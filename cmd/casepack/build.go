package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/fault"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/evidence"
	"github.com/casepack/casepack/packager/submission"
	"github.com/casepack/casepack/schema"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "build",
		Usage:     "validate a case and build its submission package (a BagIt bag, optionally zipped and signed)",
		ArgsUsage: "CASE",
		Description: "Validates CASE first and refuses invalid data (exit 3). Then writes\n" +
			"OUT/<submission-id>_<edition>/: the narrative PDF, the annexes, the case data,\n" +
			"every evidence file (copied and hashed in one pass) and the BagIt manifests,\n" +
			"verifies what it wrote, and only then moves it into place. The case folder\n" +
			"is only ever read. An interrupted or failed build leaves nothing behind.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "folder to write the package into"},
			&cli.StringFlag{Name: "edition", Value: string(edition.Confidential), Usage: "confidential (everything) or public (redacted: no protected details, non-public evidence withheld)"},
			&cli.BoolFlag{Name: "zip", Usage: "also write OUT/<package>.zip (deterministic)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing package (atomically)"},
			dateFlag(),
			&cli.StringFlag{Name: "paper", Value: "a4", Usage: "narrative paper size: a4 or letter"},
			&cli.StringFlag{Name: "templates", Usage: "folder of narrative templates to use instead of the built-in ones"},
			&countFlag{Name: "workers", Validator: nonNegative("--workers"), Usage: "evidence files hashed at once (default: number of CPUs)"},
			&cli.BoolFlag{Name: "no-progress", Usage: "do not draw a progress bar"},
			fontFlag(),
			&cli.BoolFlag{Name: "timings", Usage: "print how long each phase took (always in --format json)"},
			formatFlag(),
			quietFlag(),
		}, signerFlags()...),
		Action: runBuild,
	})
}

// buildReport is the JSON object of `build --format json`.
type buildReport struct {
	Case     string            `json:"case"`
	Edition  edition.Edition   `json:"edition"`
	Package  *assemble.Result  `json:"package,omitempty"`
	Letter   string            `json:"letter,omitempty"` // the covering letter beside the package
	Findings []finding.Finding `json:"findings"`
	// EditionCheck is the public edition's re-identification report.
	EditionCheck *edition.Reidentification `json:"edition_check,omitempty"`
	Timings      []assemble.Phase          `json:"timings,omitempty"` // wall time of each phase, validation first
}

func runBuild(ctx context.Context, cmd *cli.Command) (err error) {
	format, casePath, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	edition, err := editionFlag(cmd)
	if err != nil {
		return err
	}
	paper := cmd.String("paper")
	if paper != "a4" && paper != "letter" {
		return usageErrorf("--paper %q: must be a4 or letter", paper)
	}
	signers, pdfSigner, err := signersFromFlags(cmd)
	if err != nil {
		return err
	}
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	outDir := cmd.String("out")
	fi, statErr := os.Stat(outDir)
	if statErr == nil && !fi.IsDir() {
		return usageErrorf("--out %s: is a file, not a folder", outDir)
	}

	started := time.Now()
	// Declared digests are compared while copying (one read per byte).
	vopt, fonts, err := printable(cmd, schema.Options{SkipHashes: true})
	if err != nil {
		return err
	}
	doc, findings, err := loadValid(ctx, casePath, vopt)
	if err != nil {
		return buildError(err) // an interrupt during validation is a build interrupted
	}
	if err := destination.Place(outDir, doc.Dir); err != nil {
		return destinationError(fmt.Errorf("--out %w", err), "")
	}
	if n, _ := finding.Count(findings); n > 0 {
		// The case is refused anyway; compare the declared digests too, so
		// every problem is reported at once, as validate does.
		more, err := schema.CheckHashes(ctx, doc, int(cmd.Int("workers")))
		if err != nil {
			return buildError(err)
		}
		findings = append(findings, more...)
		finding.Sort(findings)
	}
	validated := time.Now()
	report := buildReport{Case: doc.Path, Edition: edition, Findings: findings}
	if report.Findings == nil {
		report.Findings = []finding.Finding{}
	}
	// refuse reports an invalid case: the findings, and exit 3.
	// Text mode prints findings as they come; fresh are the ones not
	// printed yet.
	refuse := func(findings, fresh []finding.Finding) error {
		nerr, nwarn := finding.Count(findings)
		if format == "json" {
			finding.Sort(findings)
			report.Findings = findings
			_ = writeJSON(stdout, report)
		} else {
			printFindings(stderr, fresh, cmd.Bool("quiet"), doc.Path)
			fmt.Fprintln(stdout, summaryLine(doc.Path, nerr, nwarn))
			fmt.Fprintln(stderr, "casepack: error: the case is invalid; nothing was built")
		}
		return silentExit(exitInvalidCase)
	}
	if n, _ := finding.Count(findings); n > 0 {
		return refuse(findings, findings)
	}
	if format == "text" {
		printFindings(stderr, findings, cmd.Bool("quiet"), doc.Path)
	}

	limitMemory(casePath, 20)
	opt := submission.Options{Edition: edition, Date: date, Version: version, Paper: paper,
		Signers: signers, PDFSigner: pdfSigner, Fonts: fonts}
	if t := cmd.String("templates"); t != "" {
		if fi, err := os.Stat(t); err != nil || !fi.IsDir() {
			return usageErrorf("--templates %s: not a folder", t)
		}
		opt.Templates = os.DirFS(t)
	}
	if edition.IsPublic() {
		if report.EditionCheck, err = submission.EditionCheck(doc); err != nil {
			return err
		}
	}
	spec, err := submission.Spec(doc, opt)
	if report.EditionCheck != nil && !report.EditionCheck.OK && format == "json" {
		_ = writeJSON(stdout, report)
		return silentExit(exitInvalidCase)
	}
	if err != nil {
		return buildError(err)
	}
	// A letter left beside no package is not replaced without --force (a
	// package that exists is refused by the build, with its own message).
	pkgDir := filepath.Join(cmd.String("out"), spec.Name)
	letterPath := submission.LetterBesidePath(pkgDir)
	_, pkgErr := os.Lstat(pkgDir)
	if _, err := os.Lstat(letterPath); err == nil && pkgErr != nil && !cmd.Bool("force") {
		return withHint(exitOperational, fmt.Errorf("%s: already exists", letterPath), "choose another --out folder, or replace the package and its letter with --force")
	}
	planned := time.Now()
	popt := assemble.Options{
		OutDir:  cmd.String("out"),
		Zip:     cmd.Bool("zip"),
		Force:   cmd.Bool("force"),
		Workers: int(cmd.Int("workers")),
		Checks:  []verifyCheck{signatureCheck(nil, false)},
	}
	if format == "text" && !cmd.Bool("quiet") {
		popt.Warn = func(msg string) { warnf(stderr, "%s", msg) }
	}
	var bar *progressBar
	if format == "text" && !cmd.Bool("no-progress") && !cmd.Bool("quiet") && stderrIsTerminal() {
		bar = newProgressBar(stderr)
		popt.Progress = bar.phase("copying")
		popt.VerifyProgress = bar.phase("checking")
	}
	res, err := assemble.Build(ctx, spec, popt)
	bar.finish(err == nil)
	if mf := submission.MismatchFindings(doc, err); len(mf) > 0 {
		return refuse(append(findings, mf...), mf)
	}
	if err != nil {
		return buildError(narrativeError(err, cmd.String("templates")))
	}
	report.Package = res
	// The covering letter beside the package carries the tag manifest's
	// digest, which no file inside the package can.
	letter, err := submission.LetterBeside(ctx, doc, opt, res, cmd.Bool("force"))
	if err != nil {
		return err
	}
	report.Letter = letter
	report.Timings = append([]assemble.Phase{
		{Name: "validate", Seconds: validated.Sub(started).Seconds()},
		{Name: "plan", Seconds: planned.Sub(validated).Seconds()},
	}, res.Timings...)
	if format == "json" {
		return writeJSON(stdout, report)
	}
	if cmd.Bool("timings") {
		printTimings(stderr, report.Timings)
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(stdout, "built %s\n", res.Dir)
		if res.Zip != "" {
			fmt.Fprintf(stdout, "zipped %s\n", res.Zip)
		}
		fmt.Fprintf(stdout, "covering letter %s\n", letter)
		fmt.Fprintf(stdout, "  %d payload files, %s; %d evidence files copied, %d withheld\n",
			res.PayloadFiles, humanBytes(res.PayloadBytes), res.EvidenceFiles, res.WithheldFiles)
		fmt.Fprintf(stdout, "  tag manifest SHA-256 %s\n", res.TagManifestSHA256)
		if len(signers) > 0 {
			fmt.Fprintf(stdout, "  signed by %d signer(s)\n", len(signers))
		}
	}
	return nil
}

// printTimings lists the wall time of each phase of a build and their sum.
func printTimings(w io.Writer, phases []assemble.Phase) {
	fmt.Fprintln(w, "casepack: timings (wall seconds):")
	var total float64
	for _, p := range phases {
		fmt.Fprintf(w, "  %-40s %8.3f\n", p.Name, p.Seconds)
		total += p.Seconds
	}
	fmt.Fprintf(w, "  %-40s %8.3f\n", "total", total)
}

// buildError maps build failures to exit codes and hints.
func buildError(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err // already classed (narrativeError)
	}
	var mismatch *evidence.DigestMismatch
	var leak *edition.LeakError
	var reid *edition.ReidentificationError
	var verr *assemble.VerifyError
	switch {
	case errors.As(err, &mismatch):
		return withHint(exitInvalidCase, err, "the evidence file differs from the one acquired: find the original, or record the change in the custody log and update the declared sha256")
	case errors.As(err, &reid):
		return withHint(exitInvalidCase, err, reid.Hint())
	case errors.As(err, &leak):
		return withHint(exitInvalidCase, err, "remove the protected detail from the text fields, or build the confidential edition")
	case errors.Is(err, assemble.ErrInvalidSpec):
		// The validator should have caught it; it is still about the case data.
		return withHint(exitInvalidCase, err, "check the evidence paths in case.json (casepack validate)")
	case errors.Is(err, assemble.ErrNotReplaceable):
		return withHint(exitOperational, err, "--force replaces only a casepack package; move that away, or choose another --out folder")
	case errors.Is(err, assemble.ErrTargetExists):
		return withHint(exitOperational, err, "choose another --out folder, or replace the package with --force")
	case errors.As(err, &verr):
		return withHint(exitVerifyFail, err, "the written package did not verify and was removed; check the disk, then build again")
	case errors.Is(err, context.Canceled):
		return withHint(exitOperational, errors.New("build interrupted; nothing was left behind"), "")
	}
	return err
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
