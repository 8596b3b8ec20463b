package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/finding"
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
			"3 when it is not.\n\n" +
			"Every element of the art. 53(1) test, of the contextual elements and of\n" +
			"each charged crime that is not argued, cites no evidence or only\n" +
			"unverified evidence is a warning (CP-CHECK-…); --checklist prints the\n" +
			"whole list, met or not, as a table (or, with --format json, as\n" +
			"\"checklist\" in the report): the view a supervising lawyer signs off.",
		Flags: []cli.Flag{
			formatFlag(),
			quietFlag(),
			&cli.BoolFlag{Name: "skip-hashes", Usage: "do not re-read evidence files to compare declared SHA-256 digests"},
			&cli.BoolFlag{Name: "checklist", Usage: "print the art. 53(1) checklist: each element of the test and of each crime, met (✔) or not (✘), with its evidence and the sender's notes"},
			fontFlag(),
		},
		Action: runValidate,
	})
}

func runValidate(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	packager.SetMemoryLimit(path, packager.Validating)
	rep, err := packager.Validate(ctx, path, packager.ValidateOptions{SkipHashes: cmd.Bool("skip-hashes"), Fonts: cmd.StringSlice("font"), Checklist: cmd.Bool("checklist")})
	if rep == nil {
		return err
	}
	if format == "json" {
		if jerr := writeJSON(cmd.Root().Writer, rep); jerr != nil {
			return jerr
		}
	} else {
		findings := rep.Findings
		if rep.Checklist != nil {
			// The table says it all; each unmet line is not said twice.
			findings = withoutChecklist(findings)
			printChecklist(cmd.Root().Writer, rep.File, rep.Checklist)
		}
		printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), rep.File)
		if !cmd.Bool("quiet") || rep.Errors > 0 {
			fmt.Fprintln(cmd.Root().Writer, summaryLine(rep.File, rep.Errors, rep.Warnings))
		}
	}
	return reported(err)
}

// printFindings writes findings in the message style of main.go: the
// location, the message and the code on one line, then the two sides of a
// disagreement and the hint. A finding without a location is about where,
// the case or package the command was given.
func printFindings(out io.Writer, findings []finding.Finding, quiet bool, where string) {
	// A large case can have a hundred thousand warnings: written a line at
	// a time they cost a system call each.
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	for _, f := range findings {
		if quiet && f.Severity != finding.Error {
			continue
		}
		if f.Location() == "" {
			f.Path = where
		}
		f = lineSafe(f)
		// Written piece by piece: fmt would box (copy) the whole finding
		// for each line.
		w.WriteString("casepack: " + string(f.Severity) + ": ")
		w.WriteString(f.String())
		w.WriteByte('\n')
		if f.Expected != "" || f.Actual != "" {
			alg := f.Algorithm
			if alg != "" {
				alg += " "
			}
			fmt.Fprintf(w, "casepack:   expected %s%s\ncasepack:   actual   %s%s\n", alg, f.Expected, alg, f.Actual)
		}
		if f.Hint != "" {
			w.WriteString("casepack: hint: " + f.Hint + "\n")
		}
	}
}

// lineSafe escapes every text field of a finding so that it prints as one
// line: a file name or a value from a case or package may hold a newline,
// which would otherwise start a line of the attacker's choosing (the
// output writer escapes every other control character).
func lineSafe(f finding.Finding) finding.Finding {
	for _, p := range []*string{&f.File, &f.Sheet, &f.Cell, &f.Field, &f.Pointer, &f.Path, &f.Message, &f.Hint, &f.Expected, &f.Actual, &f.Algorithm} {
		*p = termsafe.Line(*p)
	}
	return f
}

func summaryLine(file string, nerr, nwarn int) string {
	state := "valid"
	if nerr > 0 {
		state = "INVALID"
	}
	return fmt.Sprintf("%s: %s (%s, %s)", file, state, humanize.Count(nerr, "error"), humanize.Count(nwarn, "warning"))
}
