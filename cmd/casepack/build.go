package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/assemble"
	"github.com/casepack/casepack/packager/finding"

	"github.com/casepack/casepack/packager/edition"
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
			&cli.BoolFlag{Name: "rename-unsafe", Usage: "store evidence files whose names have '%' with '_' instead, so sha256sum -c and bagit-python check them; casepack/manifest.json and the annexes keep the original name"},
			&cli.StringFlag{Name: "templates", Usage: "folder of narrative templates to use instead of the built-in ones"},
			&countFlag{Name: "workers", Validator: nonNegative("--workers"), Usage: "evidence files hashed at once (default: number of CPUs)"},
			progressFlag(),
			fontFlag(),
			langFlag(true),
			&cli.BoolFlag{Name: "timings", Usage: "print how long each phase took (always in --format json)"},
			formatFlag(),
			quietFlag(),
		}, signerFlags(true)...),
		Action: runBuild,
	})
}

func runBuild(ctx context.Context, cmd *cli.Command) error {
	format, casePath, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	signers, err := packager.LoadSigners(signerOptions(cmd))
	if err != nil {
		return err
	}
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	opt := packager.BuildOptions{
		OutDir:       cmd.String("out"),
		Edition:      edition.Edition(cmd.String("edition")),
		Zip:          cmd.Bool("zip"),
		Force:        cmd.Bool("force"),
		Date:         date,
		Paper:        cmd.String("paper"),
		Templates:    cmd.String("templates"),
		Workers:      cmd.Int("workers"),
		Signers:      signers,
		Version:      version,
		Fonts:        cmd.StringSlice("font"),
		Lang:         cmd.String("lang"),
		RenameUnsafe: cmd.Bool("rename-unsafe"),
	}
	if format == "text" && !cmd.Bool("quiet") {
		opt.Warn = func(msg string) { warnf(stderr, "%s", msg) }
	}
	bar := progressFor(cmd, format)
	opt.Progress = bar.phase("copying")
	opt.VerifyProgress = bar.phase("checking")
	packager.SetMemoryLimit(casePath, packager.Building)
	rep, err := packager.Build(ctx, casePath, opt)
	bar.finish(err == nil)
	if rep == nil {
		return err
	}
	if format == "json" {
		// A failure other than the case's own is reported as one error
		// object (run prints it).
		if err != nil && !errors.Is(err, packager.ErrCaseInvalid) {
			return err
		}
		if jerr := writeJSON(stdout, rep); jerr != nil {
			return jerr
		}
		return reported(err)
	}
	printFindings(stderr, rep.Findings, cmd.Bool("quiet"), rep.Case)
	if nerr, nwarn := finding.Count(rep.Findings); nerr > 0 {
		fmt.Fprintln(stdout, summaryLine(rep.Case, nerr, nwarn))
	}
	if err != nil {
		return err
	}
	res := rep.Package
	if cmd.Bool("timings") {
		printTimings(stderr, rep.Timings)
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(stdout, "built %s\n", res.Dir)
		if res.Zip != "" {
			fmt.Fprintf(stdout, "zipped %s\n", res.Zip)
		}
		for _, l := range rep.Letters {
			fmt.Fprintf(stdout, "covering letter %s\n", l)
		}
		fmt.Fprintf(stdout, "  narrative in %s\n", strings.Join(rep.Langs, ", "))
		for _, st := range rep.Translations {
			printTranslation(stdout, st)
		}
		fmt.Fprintf(stdout, "  %d payload files, %s; %d evidence files copied, %d withheld\n",
			res.PayloadFiles, humanize.Bytes(res.PayloadBytes), res.EvidenceFiles, res.WithheldFiles)
		fmt.Fprintf(stdout, "  tag manifest SHA-256 %s\n", res.TagManifestSHA256)
		if len(signers) > 0 {
			fmt.Fprintf(stdout, "  signed by %d signer(s)\n", len(signers))
		}
	}
	return nil
}

// printTimings lists the wall time of each phase of a build and their sum;
// under a phase, indented, the time of each task that ran within it beside
// others (a generated file), which the sum leaves out.
func printTimings(w io.Writer, phases []assemble.Phase) {
	fmt.Fprintln(w, "casepack: timings (wall seconds):")
	var total float64
	for _, p := range phases {
		if p.Beside {
			fmt.Fprintf(w, "    %-38s %8.3f\n", p.Name, p.Seconds)
			continue
		}
		fmt.Fprintf(w, "  %-40s %8.3f\n", p.Name, p.Seconds)
		total += p.Seconds
	}
	fmt.Fprintf(w, "  %-40s %8.3f\n", "total", total)
}
