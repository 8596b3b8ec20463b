package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/casepack/casepack/internal/humanize"
	"github.com/casepack/casepack/internal/termsafe"
	"github.com/casepack/casepack/packager"
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
			format, path, err := formatAndArg(cmd, "PKG")
			if err != nil {
				return err
			}
			rep, err := packager.Inspect(ctx, path)
			if err != nil {
				return err
			}
			s, signers := rep.Summary, rep.Signers
			if format == "json" {
				return writeJSON(cmd.Root().Writer, rep)
			}
			w := cmd.Root().Writer
			// Every value is the package's text: one line each.
			row := func(k, v string) { fmt.Fprintf(w, "%-22s %s\n", termsafe.Line(k)+":", termsafe.Line(v)) }
			row("package", s.Package+" ("+s.Kind+")")
			row("submission", s.SubmissionID)
			row("edition", s.Edition)
			row("bagging date", s.BaggingDate)
			row("sender", s.SourceOrganization)
			row("casepack version", s.CasepackVersion)
			row("payload", fmt.Sprintf("%d files, %s (Payload-Oxum %s)", s.PayloadFiles, humanize.Bytes(s.PayloadBytes), s.PayloadOxum))
			row("evidence", fmt.Sprintf("%d items, %d files in the package, %d withheld", s.EvidenceItems, s.EvidenceFiles, s.WithheldFiles))
			row("tag files", fmt.Sprint(s.TagFiles))
			row("tag manifest SHA-256", s.TagManifestSHA256)
			sigList := "none"
			if len(s.Signatures) > 0 {
				sigList = strings.Join(s.Signatures, ", ")
			}
			row("signature files", sigList)
			for _, x := range signers {
				who := strings.Trim(strings.Join([]string{x.Name, x.Role, x.Organisation}, ", "), ", ")
				id := x.Fingerprint
				if x.Certificate != "" {
					id = x.Certificate
				}
				// inspect re-hashes nothing and trusts no key: the
				// signature matching its own public key proves nothing
				// about who made the package (anyone can re-sign under
				// any name), so it is never presented as a check passed.
				state := "not verified: casepack verify --trust KEY checks it"
				if !x.Valid {
					state = "SIGNATURE DOES NOT MATCH"
				}
				line := fmt.Sprintf("%s (%s; %s; %s)", who, x.Format, id, state)
				if x.Time != "" {
					line += ", signed " + x.Time + " (" + timeSourceWords(x.TimeSource, false) + ")"
				}
				row("signer "+x.ID, line)
			}
			return nil
		},
	})
}
