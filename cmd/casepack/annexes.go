package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/annex"
	"github.com/casepack/casepack/packager/edition"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "annexes",
		Usage:     "write the spreadsheet annexes (XLSX workbook and CSV twins) of a case, for drafting",
		ArgsUsage: "CASE",
		Description: "CASE is a case folder (its case.xlsx, case.yaml or case.json) or such a file.\nThe case is validated first;\n" +
			"every evidence file is read once to compute its SHA-256 and SHA-512.\n" +
			"Writes DIR/annexes.xlsx and DIR/csv/<sheet>.csv, the same files a build puts\n" +
			"in data/annexes/. Annexes already in DIR are replaced only with --force, and\n" +
			"DIR may not be inside the case folder or inside a package.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "folder to write the annexes into (created if needed)"},
			&cli.BoolFlag{Name: "force", Usage: "replace the annexes an earlier run wrote in the folder"},
			&cli.StringFlag{Name: "edition", Value: string(edition.Confidential), Usage: "confidential or public (public lists evidence not classified public as withheld)"},
			dateFlag(),
			langFlag(false),
			formatFlag(),
			quietFlag(),
		},
		Action: runAnnexes,
	})
}

func runAnnexes(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	stderr := cmd.Root().ErrWriter
	rep, err := packager.Annexes(ctx, path, packager.AnnexesOptions{
		OutDir:  cmd.String("output"),
		Force:   cmd.Bool("force"),
		Edition: edition.Edition(cmd.String("edition")),
		Date:    date,
		Version: version,
		Warn:    func(msg string) { warnf(stderr, "%s", msg) },
		Lang:    cmd.String("lang"),
	})
	if rep == nil {
		return err
	}
	if format == "text" || errors.Is(err, packager.ErrCaseInvalid) {
		printFindings(stderr, rep.Findings, cmd.Bool("quiet"), rep.Case)
	}
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(cmd.Root().Writer, rep)
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(cmd.Root().Writer, "%s: wrote %s and %d CSV files in %s (%s edition, %s)\n",
			rep.Case, annex.XLSXName, len(rep.Files)-1, filepath.Join(cmd.String("output"), annex.CSVDir), rep.Edition, rep.Lang)
	}
	return nil
}
