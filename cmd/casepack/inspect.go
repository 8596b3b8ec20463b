package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/verify"
	"github.com/urfave/cli/v3"
)

// inspectOutput is the JSON object of `inspect --format json`: the package
// summary and its signers.
type inspectOutput struct {
	*verify.Summary
	Signers []inspectSigner `json:"signers"`
}

type inspectSigner struct {
	ID           string `json:"id"`
	Format       string `json:"format"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"role,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Fingerprint  string `json:"key_fingerprint,omitempty"`
	Certificate  string `json:"certificate_subject,omitempty"`
	Valid        bool   `json:"signature_matches"`
	Time         string `json:"time,omitempty"`
	TimeSource   string `json:"time_source,omitempty"`
}

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
			// Signers as the signature files describe them; inspect does not
			// judge trust (verify --trust does).
			sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{PDFs: signedPDFs})
			if err != nil {
				return err
			}
			signers := []inspectSigner{}
			for _, r := range sigs.Signatures {
				is := inspectSigner{ID: r.ID, Format: r.Format, Fingerprint: r.KeyFingerprint, Certificate: r.CertificateSubject, Valid: r.Status != sign.StatusInvalid}
				if r.Signer != nil {
					is.Name, is.Role, is.Organisation = r.Signer.Name, r.Signer.Role, r.Signer.Organisation
				}
				if !r.Time.IsZero() {
					is.Time = r.Time.UTC().Format(time.RFC3339)
					is.TimeSource = r.TimeSource
				}
				signers = append(signers, is)
			}
			if format == "json" {
				return writeJSON(cmd.Root().Writer, inspectOutput{Summary: s, Signers: signers})
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
				state := "signature matches"
				if !x.Valid {
					state = "SIGNATURE DOES NOT MATCH"
				}
				line := fmt.Sprintf("%s (%s; %s; %s)", who, x.Format, id, state)
				if x.Time != "" {
					line += ", signed " + x.Time + " (" + timeSourceWords(x.TimeSource) + ")"
				}
				row("signer "+x.ID, line)
			}
			return nil
		},
	})
}
