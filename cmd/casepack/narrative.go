package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/edition"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "narrative",
		Usage:     "render the narrative PDF alone, for drafting",
		ArgsUsage: "CASE",
		Description: "CASE is a case folder (its case.xlsx, case.yaml or case.json) or such a file. The case is\n" +
			"validated first (evidence files must exist; their digests are not re-read),\n" +
			"then the narrative is rendered from the default templates or from the\n" +
			"templates in --templates DIR: a DIR may hold its own narrative.md.tmpl, or\n" +
			"only files that redefine single sections ({{define \"facts\"}}…{{end}}).\n" +
			"The evidence index shows the SHA-256 digests declared in the case file;\n" +
			"'casepack build' shows the digests it computes.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the PDF to `FILE` (required)"},
			&cli.StringFlag{Name: "templates", Usage: "use the templates in `DIR` (over the defaults)"},
			&cli.StringFlag{Name: "paper", Value: "a4", Usage: "paper size: a4 or letter"},
			&cli.StringFlag{Name: "edition", Value: string(edition.Confidential), Usage: "confidential (everything) or public (pseudonyms only, confidential evidence marked withheld)"},
			&cli.BoolFlag{Name: "markdown", Usage: "write the intermediate Markdown instead of the PDF (to debug a template)"},
			&cli.BoolFlag{Name: "force", Usage: "replace FILE if it exists"},
			langFlag(false),
			dateFlag(),
			fontFlag(),
			quietFlag(),
		},
		Action: runNarrative,
	})
}

func runNarrative(ctx context.Context, cmd *cli.Command) error {
	out, err := requiredString(cmd, "output")
	if err != nil {
		return err
	}
	path, err := oneArg(cmd, "CASE")
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	rep, err := packager.Narrative(ctx, path, packager.NarrativeOptions{
		Output:    out,
		Force:     cmd.Bool("force"),
		Templates: cmd.String("templates"),
		Paper:     strings.ToLower(cmd.String("paper")),
		Edition:   edition.Edition(cmd.String("edition")),
		Date:      date,
		Markdown:  cmd.Bool("markdown"),
		Version:   version,
		Fonts:     cmd.StringSlice("font"),
		Lang:      cmd.String("lang"),
	})
	if rep == nil {
		return err
	}
	printFindings(cmd.Root().ErrWriter, rep.Findings, cmd.Bool("quiet"), rep.Case)
	if err != nil {
		return err
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(cmd.Root().Writer, "%s: narrative written (%s edition, %s)\n", out, rep.Edition, rep.Lang)
		printTranslation(cmd.Root().Writer, rep.Translation)
	}
	return nil
}
