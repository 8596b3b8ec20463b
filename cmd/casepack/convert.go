package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema/caseform"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "convert",
		Usage:     "write a case as a workbook (.xlsx), YAML (.yaml) or JSON (.json)",
		ArgsUsage: "SRC -o DST",
		Description: "SRC is a case folder or case file in any form; DST is the file to write,\n" +
			"in the form its name ends in: case.xlsx, case.yaml (or .yml), case.json.\n" +
			"Nothing is lost: the result is read back and compared with the case before\n" +
			"it is written. A case with problems converts too (they are listed), unless a\n" +
			"value cannot be held by the new form (a workbook cell holds at most 32,767\n" +
			"characters). Evidence files are not copied: write DST into the case folder\n" +
			"and move the old case file out, since a folder holds one case file.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (required)"},
			&cli.BoolFlag{Name: "force", Usage: "replace DST if it exists"},
			formatFlag(),
			quietFlag(),
		},
		Action: runConvert,
	})
}

func runConvert(ctx context.Context, cmd *cli.Command) error {
	format, src, err := formatAndArg(cmd, "SRC")
	if err != nil {
		return err
	}
	dst := cmd.String("output")
	packager.SetMemoryLimit(src, packager.Validating)
	rep, err := packager.Convert(ctx, src, dst, packager.ConvertOptions{Force: cmd.Bool("force")})
	if rep != nil && (format == "json" || err == nil || errors.Is(err, packager.ErrCaseInvalid)) {
		if format == "json" {
			if jerr := writeJSON(cmd.Root().Writer, rep); jerr != nil {
				return jerr
			}
		} else {
			printFindings(cmd.Root().ErrWriter, rep.Findings, cmd.Bool("quiet"), rep.Source)
		}
	}
	if err != nil {
		if format == "json" && errors.Is(err, packager.ErrCaseInvalid) {
			return reported(err)
		}
		return err
	}
	if format == "text" && !cmd.Bool("quiet") {
		nerr, nwarn := finding.Count(rep.Findings)
		state := "valid"
		if nerr > 0 {
			state = fmt.Sprintf("%s, %s to correct", humanize.Count(nerr, "error"), humanize.Count(nwarn, "warning"))
		}
		fmt.Fprintf(cmd.Root().Writer, "%s: wrote %s (%s) from %s (%s)\n", dst, rep.TargetForm, state, rep.Source, rep.SourceForm)
		if len(rep.CaseFiles) > 1 {
			fmt.Fprintf(cmd.Root().ErrWriter, "casepack: hint: %s now holds %s; casepack reads a folder with exactly one case file: move the one you no longer use out of it\n",
				filepath.Dir(dst), caseform.JoinAnd(rep.CaseFiles))
		}
	}
	return nil
}
