package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/edition"
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

func runCheckEdition(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "CASE")
	if err != nil {
		return err
	}
	rep, err := packager.CheckEdition(ctx, path)
	if rep == nil {
		return err
	}
	if rep.CheckReport == nil {
		printFindings(cmd.Root().ErrWriter, rep.Findings, cmd.Bool("quiet"), rep.Case)
		return err
	}
	r := rep.Reidentification
	out := cmd.Root().Writer
	if format == "json" {
		if err := writeJSON(out, rep); err != nil {
			return err
		}
	} else {
		grounds := map[edition.Ground]int{}
		for _, w := range rep.Withheld {
			grounds[w.Ground]++
		}
		fmt.Fprintf(out, "%s: public edition\n", rep.Case)
		fmt.Fprintf(out, "  withheld: %d of %d evidence items (%d without consent to publication, %d ex parte, %d confidential)\n",
			len(rep.Withheld), rep.EvidenceItems, grounds[edition.GroundConsent], grounds[edition.GroundExParte], grounds[edition.GroundConfidential])
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
	if format == "json" {
		return reported(err)
	}
	return err
}
