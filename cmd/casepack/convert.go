package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

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
	if dst == "" {
		return usageErrorf("missing -o DST: casepack convert SRC -o case.xlsx (or case.yaml, case.json)")
	}
	rep, err := caseform.Convert(ctx, src, dst, caseform.ConvertOptions{Force: cmd.Bool("force")})
	if rep != nil && (format == "json" || err == nil || errors.Is(err, caseform.ErrNotConverted)) {
		if rep.Findings == nil {
			rep.Findings = []finding.Finding{}
		}
		if format == "json" {
			if jerr := writeJSON(cmd.Root().Writer, rep); jerr != nil {
				return jerr
			}
		} else {
			printFindings(cmd.Root().ErrWriter, rep.Findings, cmd.Bool("quiet"), rep.Source)
		}
	}
	switch {
	case errors.Is(err, caseform.ErrNotConverted):
		if format != "json" {
			fmt.Fprintf(cmd.Root().ErrWriter, "casepack: hint: %s was not written; correct the problems above in %s, then convert again\n", dst, rep.Source)
		}
		return silentExit(exitInvalidCase)
	case errors.Is(err, fs.ErrExist):
		return withHint(exitOperational, fmt.Errorf("%s already exists", dst), "choose another name, or add --force to replace it")
	case err != nil:
		var unknown *caseform.UnknownFormError
		if errors.As(err, &unknown) && unknown.Path == dst {
			return usageErrorf("-o %s: the name must end in .xlsx, .yaml, .yml or .json (it says the form to write)", dst)
		}
		return caseError(src, err)
	}
	if format == "text" && !cmd.Bool("quiet") {
		nerr, nwarn := finding.Count(rep.Findings)
		state := "valid"
		if nerr > 0 {
			state = fmt.Sprintf("%s, %s to correct", plural(nerr, "error"), plural(nwarn, "warning"))
		}
		fmt.Fprintf(cmd.Root().Writer, "%s: wrote %s (%s) from %s (%s)\n", dst, rep.TargetForm, state, rep.Source, rep.SourceForm)
		var two *caseform.TwoFilesError
		if _, _, err := caseform.Find(filepath.Dir(dst)); errors.As(err, &two) {
			fmt.Fprintf(cmd.Root().ErrWriter, "casepack: hint: %s now holds %s; casepack reads a folder with exactly one case file: move the one you no longer use out of it\n",
				two.Dir, caseform.JoinAnd(two.Files))
		}
	}
	return nil
}
