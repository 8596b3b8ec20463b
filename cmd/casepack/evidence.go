package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/intake"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:  "evidence",
		Usage: "add evidence files to a case",
		Commands: []*cli.Command{{
			Name:      "add",
			Usage:     "copy files into the case folder's evidence/, hash them and record them in the case",
			ArgsUsage: "CASE FILE…",
			Description: "For each FILE (a folder adds every file below it): copies it (or moves it,\n" +
				"with --move) under CASE/evidence/, never replacing a file there; computes its\n" +
				"SHA-256 and SHA-512 in one read; detects its media type from its bytes; gives\n" +
				"it the next free evidence ID; and records it in the case file (case.xlsx,\n" +
				"case.yaml or case.json, keeping everything else in it as it was) with its\n" +
				"chain of custody: acquired and hashed, by --actor, now, with the digest.\n" +
				"casepack validate checks that digest from then on. A file whose digest the\n" +
				"case already holds is refused with the ID that holds it. A file already in\n" +
				"the case folder is recorded where it is.\n\n" +
				"Exit 0 when every file was added, 1 when some were not (the others are).",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "type", Usage: "evidence type (video, photo, audio, document, testimony, …); guessed from the media type when left out"},
				&cli.StringFlag{Name: "title", Usage: "title of the item (with several files: a prefix to each file's name); the file's name when left out"},
				&cli.StringFlag{Name: "source-url", Usage: "where the file was found (recorded as its provenance)"},
				&cli.StringFlag{Name: "captured-at", Usage: "when it was captured, with its UTC offset, e.g. 2021-01-08T07:30:00-04:00"},
				&cli.StringFlag{Name: "actor", Usage: "who adds it, for the chain of custody (a pseudonymous collector ID is enough); the computer account's name when left out"},
				&cli.StringFlag{Name: "classification", Usage: "public, confidential or confidential_ex_parte (default confidential)"},
				&cli.BoolFlag{Name: "move", Usage: "move the files into the case folder instead of copying them"},
				progressFlag(),
				formatFlag(),
				quietFlag(),
			},
			Action: runEvidenceAdd,
		}},
	})
}

func runEvidenceAdd(ctx context.Context, cmd *cli.Command) error {
	format, err := outputFormat(cmd)
	if err != nil {
		return err
	}
	if cmd.NArg() < 1 {
		return usageErrorf("missing CASE or FILE: casepack evidence add CASE FILE…")
	}
	args := cmd.Args().Slice()
	opt := packager.AddOptions{
		Type:           cmd.String("type"),
		Title:          cmd.String("title"),
		SourceURL:      cmd.String("source-url"),
		CapturedAt:     cmd.String("captured-at"),
		Actor:          cmd.String("actor"),
		Classification: cmd.String("classification"),
		Move:           cmd.Bool("move"),
	}
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	bar := progressFor(cmd, format)
	opt.Progress = bar.phase("hashing")
	rep, err := packager.AddEvidence(ctx, args[0], args[1:], opt)
	bar.finish(err == nil || errors.Is(err, intake.ErrRefused))
	var unreadable *intake.UnreadableCaseError
	switch {
	case errors.As(err, &unreadable):
		printFindings(stderr, unreadable.Findings, false, unreadable.File)
		return err
	case err != nil && !errors.Is(err, intake.ErrRefused):
		return err
	}
	if format == "json" {
		if jerr := writeJSON(stdout, rep); jerr != nil {
			return jerr
		}
	} else {
		if !cmd.Bool("quiet") {
			for _, a := range rep.Added {
				fmt.Fprintf(stdout, "%s  %s  %s, %s  sha256 %s\n", a.ID, a.Path, a.MediaType, humanize.Bytes(a.Size), a.SHA256)
			}
			for _, s := range rep.Skipped {
				warnf(stderr, "%s: skipped (a hidden file or a link inside a folder)", s)
			}
		}
		for _, r := range rep.Refused {
			fmt.Fprintf(stderr, "casepack: error: %s: not added: %s\n", r.Source, r.Reason)
			if r.HeldBy != "" {
				fmt.Fprintf(stderr, "casepack: hint: %s already holds these bytes; nothing to add\n", r.HeldBy)
			}
		}
		if !cmd.Bool("quiet") || len(rep.Refused) > 0 {
			fmt.Fprintf(stdout, "%s: added %s", rep.Case, humanize.Count(len(rep.Added), "file"))
			if len(rep.Refused) > 0 {
				fmt.Fprintf(stdout, ", %d not added", len(rep.Refused))
			}
			fmt.Fprintln(stdout)
		}
	}
	return reported(err)
}
