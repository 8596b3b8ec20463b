package main

import (
	"context"
	"fmt"
	"time"

	"github.com/casepack/casepack/packager"
	"github.com/casepack/casepack/packager/sign"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:      "sign",
		Usage:     "add a (co-)signature to an existing package folder or .zip, touching nothing else",
		ArgsUsage: "PKG",
		Description: "Signs the package's tagmanifest-sha256.txt, which covers every other file,\n" +
			"and adds the signature files to signatures/ (numbered after the existing ones).\n" +
			"Nothing else changes: a folder only gains files, and a .zip is rewritten with\n" +
			"every existing entry copied byte for byte. The package is verified first: a\n" +
			"damaged package, or one whose existing signatures do not match, is not signed.\n" +
			"An Ed25519 --key makes a raw signature; --key with --cert, or --p12, makes a\n" +
			"CMS signature with the certificate chain inside. --date (or\n" +
			"SOURCE_DATE_EPOCH) fixes the time of new .zip entries.",
		Flags: append(append([]cli.Flag{}, signerFlags(false)...),
			dateFlag(),
			formatFlag(),
			quietFlag(),
		),
		Action: runSign,
	})
}

func runSign(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "PKG")
	if err != nil {
		return err
	}
	signers, err := packager.LoadSigners(signerOptions(cmd))
	if err != nil {
		return err
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	out, err := packager.CoSign(ctx, path, packager.CoSignOptions{Signers: signers, Date: date,
		Warn: func(msg string) { warnf(cmd.Root().ErrWriter, "%s", msg) }})
	if err != nil {
		return err
	}
	w := cmd.Root().Writer
	if format == "json" {
		return writeJSON(w, out)
	}
	if cmd.Bool("quiet") {
		return nil
	}
	fmt.Fprintf(w, "signed %s\n", path)
	for _, a := range out.Added {
		who := "Ed25519 key " + a.KeyFingerprint
		if a.Format == sign.FormatCMS {
			who = "certificate " + a.CertificateSubject + ", key " + a.KeyFingerprint
		}
		ts := ""
		if a.Timestamped {
			ts = ", time-stamped"
		}
		fmt.Fprintf(w, "  added signature %s (%s%s)\n", a.ID, who, ts)
	}
	fmt.Fprintf(w, "  %d signature(s) in the package\n", out.Signatures)
	return nil
}
