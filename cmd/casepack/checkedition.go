package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/casepack/casepack/packager/edition"
	"github.com/casepack/casepack/packager/finding"
	"github.com/casepack/casepack/schema"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "check-edition",
		Usage:     "show what the public edition of a case withholds and whether its published details single someone out",
		ArgsUsage: "CASE",
		Description: "Reports, for the public edition (build --edition public), the evidence it\n" +
			"withholds and why (consent, classification), how many redactions and\n" +
			"generalisations its redaction log holds, and, over the published victims\n" +
			"and witnesses, the smallest group of persons sharing the same published\n" +
			"details (k-anonymity) against submission.public_edition.min_group_size\n" +
			"(default 2), naming the details that single someone out.\n" +
			"Exit 0 when the public edition may be built, 3 when it may not.",
		Flags:  []cli.Flag{formatFlag(), quietFlag()},
		Action: runCheckEdition,
	})
}

// checkEditionReport is the JSON object of `check-edition --format json`.
type checkEditionReport struct {
	Case string `json:"case"`
	*edition.CheckReport
}

func runCheckEdition(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	doc, findings, err := loadValid(ctx, path, schema.Options{SkipHashes: true})
	if err != nil {
		return err
	}
	if nerr, _ := finding.Count(findings); nerr > 0 {
		printFindings(cmd.Root().ErrWriter, findings, cmd.Bool("quiet"), doc.Path)
		fmt.Fprintln(cmd.Root().ErrWriter, "casepack: hint: the edition is checked only on valid case data; fix the errors above (casepack validate lists them)")
		return silentExit(exitInvalidCase)
	}
	plan, err := edition.New(doc.Case, edition.Public)
	if err != nil {
		return err
	}
	rep, err := plan.CheckReport()
	if err != nil {
		return err
	}
	r := rep.Reidentification
	out := cmd.Root().Writer
	if format == "json" {
		if err := writeJSON(out, checkEditionReport{Case: doc.Path, CheckReport: rep}); err != nil {
			return err
		}
	} else {
		grounds := map[edition.Ground]int{}
		for _, w := range rep.Withheld {
			grounds[w.Ground]++
		}
		fmt.Fprintf(out, "%s: public edition\n", doc.Path)
		fmt.Fprintf(out, "  withheld: %d of %d evidence items (%d without consent to publication, %d ex parte, %d confidential)\n",
			len(rep.Withheld), len(doc.Case.Evidence), grounds[edition.GroundConsent], grounds[edition.GroundExParte], grounds[edition.GroundConfidential])
		fmt.Fprintf(out, "  redaction log: %d entries\n", len(rep.Redactions))
		var classes []string
		for _, c := range r.Classes {
			switch {
			case c.WithoutDetails == c.Persons:
				classes = append(classes, fmt.Sprintf("%d %s (no detail published but pseudonym and role)", c.Persons, c.Class))
			case c.WithoutDetails > 0:
				classes = append(classes, fmt.Sprintf("%d %s (smallest group %d; %d with no detail published)", c.Persons, c.Class, c.SmallestGroup, c.WithoutDetails))
			default:
				classes = append(classes, fmt.Sprintf("%d %s (smallest group %d)", c.Persons, c.Class, c.SmallestGroup))
			}
		}
		if len(classes) == 0 {
			classes = []string{"no victim or witness is published"}
		}
		verdict := "ok"
		if !r.OK {
			verdict = "NOT ok"
		}
		fmt.Fprintf(out, "  re-identification: %s; at least %d required: %s\n", strings.Join(classes, ", "), r.MinGroupSize, verdict)
		for _, s := range r.SingledOut {
			fmt.Fprintf(out, "  singled out: %s (%s), one of %d sharing the published details; singled out by: %s\n",
				s.Pseudonym, s.Person, s.GroupSize, strings.Join(s.Fields, ", "))
		}
	}
	if !r.OK {
		if format == "text" {
			err := &edition.ReidentificationError{Report: r}
			fmt.Fprintf(cmd.Root().ErrWriter, "casepack: error: %s\ncasepack: hint: %s\n", err.Error(), err.Hint())
		}
		return silentExit(exitInvalidCase)
	}
	return nil
}
