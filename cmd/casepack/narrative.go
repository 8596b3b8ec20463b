package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/finding"

	"github.com/casepack/casepack/internal/atomicfs"
	"github.com/casepack/casepack/internal/destination"
	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/narrative"
	"github.com/casepack/casepack/schema"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "narrative",
		Usage:     "render the narrative PDF alone, for drafting",
		ArgsUsage: "CASE",
		Description: "CASE is a case folder holding case.json, or a case.json file. The case is\n" +
			"validated first (evidence files must exist; their digests are not re-read),\n" +
			"then the narrative is rendered from the default templates or from the\n" +
			"templates in --templates DIR: a DIR may hold its own narrative.md.tmpl, or\n" +
			"only files that redefine single sections ({{define \"facts\"}}…{{end}}).\n" +
			"The evidence index shows the SHA-256 digests declared in case.json;\n" +
			"'casepack build' shows the digests it computes.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the PDF to `FILE` (required)"},
			&cli.StringFlag{Name: "templates", Usage: "use the templates in `DIR` (over the defaults)"},
			&cli.StringFlag{Name: "paper", Value: "a4", Usage: "paper size: a4 or letter"},
			&cli.StringFlag{Name: "edition", Value: string(edition.Confidential), Usage: "confidential (everything) or public (pseudonyms only, confidential evidence marked withheld)"},
			&cli.BoolFlag{Name: "markdown", Usage: "write the intermediate Markdown instead of the PDF (to debug a template)"},
			&cli.BoolFlag{Name: "force", Usage: "replace FILE if it exists"},
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
	paper := strings.ToLower(cmd.String("paper"))
	if paper != "a4" && paper != "letter" {
		return usageErrorf("--paper %q: must be a4 or letter", cmd.String("paper"))
	}
	edition, err := editionFlag(cmd)
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	var tfs fs.FS
	if dir := cmd.String("templates"); dir != "" {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			return usageErrorf("--templates %s: not a folder", dir)
		}
		tfs = os.DirFS(dir)
	}

	vopt, fonts, err := printable(cmd, schema.Options{SkipHashes: true})
	if err != nil {
		return err
	}
	doc, findings, err := loadValid(ctx, path, vopt)
	if err != nil {
		return err
	}
	// Never over the case data or an evidence file, never into a package,
	// never over any file without --force.
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return usageErrorf("-o %s: is a folder; give a file name, e.g. %s", out, filepath.Join(out, "submission.pdf"))
	}
	if err := destination.Place(out, doc.Dir); err != nil {
		return destinationError(fmt.Errorf("-o %w", err), "")
	}
	if err := destination.New(out, cmd.Bool("force")); err != nil {
		return destinationError(fmt.Errorf("-o %w", err), "--force")
	}
	nerr, _ := finding.Count(findings)
	printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), doc.Path)
	if nerr > 0 {
		fmt.Fprintln(cmd.Root().ErrWriter, "casepack: hint: fix the errors above, then run 'casepack narrative' again; 'casepack validate' lists them too")
		return silentExit(exitInvalidCase)
	}

	opt := narrative.Options{Templates: tfs, Paper: paper, Date: date, Edition: edition, Version: version, Fonts: fonts}
	err = writeNarrativeFile(out, cmd.Bool("force"), func(f io.Writer) error {
		if cmd.Bool("markdown") {
			md, err := narrative.Markdown(doc.Case, nil, tfs, opt)
			if err != nil {
				return err
			}
			_, err = f.Write(md)
			return err
		}
		return narrative.Render(ctx, f, doc.Case, nil, opt)
	})
	if err != nil {
		return narrativeError(err, cmd.String("templates"))
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(cmd.Root().Writer, "%s: narrative written (%s edition)\n", out, edition)
	}
	return nil
}

// narrativeError picks the exit code: raw HTML in case.json is invalid case
// data; a template problem is the user's template folder to fix.
func narrativeError(err error, templates string) error {
	var se *narrative.SourceError
	var te *narrative.TemplateError
	if errors.As(err, &se) && se.InCase() {
		return withHint(exitInvalidCase, err, "case text is Markdown: remove the HTML tag, or write '\\<' for a literal '<'")
	}
	if errors.As(err, &se) && errors.Is(err, narrative.ErrRawHTML) {
		return withHint(exitOperational, err, "remove the HTML tag from the template, or write '\\<' for a literal '<'")
	}
	if templates != "" && (errors.As(err, &se) || errors.As(err, &te)) {
		return withHint(exitOperational, err, "check the templates in "+templates+"; 'casepack narrative --markdown' shows what they produce, and templates/README.md documents their data and helpers")
	}
	return err
}

// writeNarrativeFile writes the file crash-safely: a failure never leaves
// a partial output behind.
func writeNarrativeFile(path string, replace bool, write func(io.Writer) error) error {
	// Replace: destination.New allowed it (--force); Commit still never
	// replaces a file that appears meanwhile without it.
	return atomicfs.WriteFile(path, atomicfs.FileOptions{Perm: 0o644, Replace: replace}, write)
}
