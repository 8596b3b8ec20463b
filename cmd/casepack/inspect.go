package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/casepack/casepack/packager/verify"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:        "inspect",
		Usage:       "summarise a package: submission, edition, dates, counts, size, root digest, signers",
		ArgsUsage:   "PKG",
		Description: "Reads the package's metadata without re-hashing anything (use verify for that).",
		Flags:       []cli.Flag{formatFlag()},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format, err := outputFormat(cmd)
			if err != nil {
				return err
			}
			path, err := oneArg(cmd, "PKG")
			if err != nil {
				return err
			}
			pkg, err := openPackage(path)
			if err != nil {
				return err
			}
			defer pkg.Close()
			s, err := verify.Inspect(pkg)
			if err != nil {
				return err
			}
			if s.Signatures == nil {
				s.Signatures = []string{}
			}
			if format == "json" {
				return writeJSON(cmd.Root().Writer, s)
			}
			w := cmd.Root().Writer
			row := func(k, v string) { fmt.Fprintf(w, "%-22s %s\n", k+":", v) }
			row("package", s.Package+" ("+s.Kind+")")
			row("submission", s.SubmissionID)
			row("edition", s.Edition)
			row("bagging date", s.BaggingDate)
			row("sender", s.SourceOrganization)
			row("casepack version", s.CasepackVersion)
			row("payload", fmt.Sprintf("%d files, %s (Payload-Oxum %s)", s.PayloadFiles, humanBytes(s.PayloadBytes), s.PayloadOxum))
			row("evidence", fmt.Sprintf("%d items, %d files in the package, %d withheld", s.EvidenceItems, s.EvidenceFiles, s.WithheldFiles))
			row("tag files", fmt.Sprint(s.TagFiles))
			row("tag manifest SHA-256", s.TagManifestSHA256)
			sigs := "none"
			if len(s.Signatures) > 0 {
				sigs = strings.Join(s.Signatures, ", ")
			}
			row("signature files", sigs)
			return nil
		},
	})
}
