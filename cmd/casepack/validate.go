package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/casepack/casepack/packager/finding"
	"io"
	"os"
	"runtime/debug"

	"github.com/casepack/casepack/schema"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "validate",
		Usage:     "check case data against the schema and the consistency rules; report every problem at once",
		ArgsUsage: "CASE",
		Description: "CASE is a case folder holding case.xlsx, case.yaml or case.json, or such a file.\n" +
			"Every problem is reported where it is (file:line:column and the JSON\n" +
			"pointer; in a workbook, sheet and cell: case.xlsx: Persons!E7 (age)) with a\n" +
			"finding code. Exit 0 when the case is valid (warnings may be printed),\n" +
			"3 when it is not.",
		Flags: []cli.Flag{
			formatFlag(),
			quietFlag(),
			&cli.BoolFlag{Name: "skip-hashes", Usage: "do not re-read evidence files to compare declared SHA-256 digests"},
			fontFlag(),
		},
		Action: runValidate,
	})
}

// validateReport is the documented JSON object of `validate --format json`.
type validateReport struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Errors   int               `json:"errors"`
	Warnings int               `json:"warnings"`
	Findings []finding.Finding `json:"findings"`
}

func runValidate(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	opt, _, err := printable(cmd, schema.Options{SkipHashes: cmd.Bool("skip-hashes")})
	if err != nil {
		return err
	}
	doc, findings, err := loadValid(ctx, path, opt)
	if err != nil {
		return err
	}
	nerr, nwarn := finding.Count(findings)
	if format == "json" {
		if findings == nil {
			findings = []finding.Finding{}
		}
		if err := writeJSON(cmd.Root().Writer, validateReport{File: doc.Path, Valid: nerr == 0, Errors: nerr, Warnings: nwarn, Findings: findings}); err != nil {
			return err
		}
	} else {
		printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), doc.Path)
		if !cmd.Bool("quiet") || nerr > 0 {
			fmt.Fprintln(cmd.Root().Writer, summaryLine(doc.Path, nerr, nwarn))
		}
	}
	if nerr > 0 {
		return silentExit(exitInvalidCase)
	}
	return nil
}

// loadValid loads and validates a case, turning a missing case into an
// error that names it.
func loadValid(ctx context.Context, path string, opt schema.Options) (*schema.Document, []finding.Finding, error) {
	limitMemory(path, 7)
	doc, findings, err := caseform.LoadAndValidate(ctx, path, opt)
	if err != nil {
		return nil, nil, caseError(path, err)
	}
	return doc, findings, nil
}

// caseError gives the errors of finding a case file their exit code and hint.
func caseError(path string, err error) error {
	var two *caseform.TwoFilesError
	var unknown *caseform.UnknownFormError
	switch {
	case errors.Is(err, schema.ErrNotFound):
		return withHint(exitOperational, fmt.Errorf("%s: no such case folder or case file", path),
			"give the folder that holds case.xlsx, case.yaml or case.json, e.g. casepack validate samples/la-vega")
	case errors.As(err, &two):
		return withHint(exitUsage, err, two.Hint())
	case errors.As(err, &unknown):
		return withHint(exitUsage, err, "give a case folder, or a file named case.json, case.yaml or case.xlsx")
	}
	return err
}

// limitMemory sets a soft heap limit of 32 MiB plus perByte times the size
// of the case file, unless GOMEMLIMIT says otherwise. Without one the
// collector lets the heap grow to twice what is live. Validation holds the
// file, its generic tree and the typed model (7 per byte of case.json:
// measured on a 79 MB case, 888 MB peak without the limit, 623 MB with, for
// about 10% more CPU); a build also renders the narrative and the annexes
// (20 per byte). The limit is soft: the collector never spends more than
// half the CPU to keep to it.
func limitMemory(casePath string, perByte int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	p, form, err := caseform.Find(casePath)
	if err != nil {
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		return
	}
	if form == caseform.XLSX {
		// A workbook is zipped XML: its cells hold ten times its size.
		perByte *= 10
	}
	debug.SetMemoryLimit(32<<20 + perByte*fi.Size())
}

// printFindings writes findings in the message style of main.go: the
// location, the message and the code on one line, then the two sides of a
// disagreement and the hint. A finding without a location is about where,
// the case or package the command was given.
func printFindings(w io.Writer, findings []finding.Finding, quiet bool, where string) {
	for _, f := range findings {
		if quiet && f.Severity != finding.Error {
			continue
		}
		if f.Location() == "" {
			f.Path = where
		}
		fmt.Fprintf(w, "casepack: %s: %s\n", f.Severity, f)
		if f.Expected != "" || f.Actual != "" {
			alg := f.Algorithm
			if alg != "" {
				alg += " "
			}
			fmt.Fprintf(w, "casepack:   expected %s%s\ncasepack:   actual   %s%s\n", alg, f.Expected, alg, f.Actual)
		}
		if f.Hint != "" {
			fmt.Fprintf(w, "casepack: hint: %s\n", f.Hint)
		}
	}
}

func summaryLine(file string, nerr, nwarn int) string {
	state := "valid"
	if nerr > 0 {
		state = "INVALID"
	}
	return fmt.Sprintf("%s: %s (%s, %s)", file, state, plural(nerr, "error"), plural(nwarn, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
