package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casepack/casepack/packager/sign"
	"github.com/casepack/casepack/packager/verify"
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
		Flags: append(append([]cli.Flag{}, signerFlags()...),
			dateFlag(),
			formatFlag(),
			quietFlag(),
		),
		Action: runSign,
	})
}

// signOutput is the JSON object of `sign --format json`.
type signOutput struct {
	Package    string            `json:"package"`
	Added      []signedSignature `json:"added"`
	Files      []string          `json:"files"`
	Signatures int               `json:"signatures"`
}

type signedSignature struct {
	ID                 string `json:"id"`
	Format             string `json:"format"`
	KeyFingerprint     string `json:"key_fingerprint"`
	CertificateSubject string `json:"certificate_subject,omitempty"`
	Timestamped        bool   `json:"timestamped"`
}

// warnSameKey says when a key has signed the package already: signing again
// adds nothing but a time-stamp, which may be the point (--tsa), so it is a
// warning, not a refusal.
func warnSameKey(w io.Writer, path string, signers []*sign.Signer) {
	pkg, err := openPackage(path)
	if err != nil {
		return
	}
	defer pkg.Close()
	before, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return
	}
	for _, s := range signers {
		fp, err := sign.Fingerprint(s.Cred.Signer.Public())
		if err != nil {
			continue
		}
		for _, r := range before.Signatures {
			if r.KeyFingerprint == fp && r.Format != sign.FormatPDF {
				warnf(w, "%s: this key already signed the package (signature %s); adding another signature by it", path, r.ID)
			}
		}
	}
}

func runSign(ctx context.Context, cmd *cli.Command) error {
	format, path, err := formatAndArg(cmd, "PKG")
	if err != nil {
		return err
	}
	signers, _, err := signersFromFlags(cmd)
	if err != nil {
		return err
	}
	if len(signers) == 0 {
		return usageErrorf("nothing to sign with: give --key KEY (and --cert CERT), or --p12 FILE")
	}
	date, err := buildDate(cmd, time.Now)
	if err != nil {
		return err
	}
	if err := checkBeforeSigning(ctx, path); err != nil {
		return err
	}
	warnSameKey(cmd.Root().ErrWriter, path, signers)

	res, err := sign.CoSign(ctx, path, signers, sign.CoSignOptions{Date: date,
		Warn: func(msg string) { warnf(cmd.Root().ErrWriter, "%s", msg) }})
	if err != nil {
		if errors.Is(err, sign.ErrTSA) {
			return withHint(exitOperational, fmt.Errorf("%w; nothing was added", err), "check the --tsa URL and the network, or sign without --tsa")
		}
		if errors.Is(err, sign.ErrNotPackage) {
			return withHint(exitVerifyFail, err, "a package is a folder holding bagit.txt, or a .zip of one")
		}
		return fmt.Errorf("%w; nothing was added", err)
	}

	// Verify what was written, as build does: the new signatures must check out.
	pkg, err := openPackage(path)
	if err != nil {
		return err
	}
	defer pkg.Close()
	after, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return err
	}
	out := signOutput{Package: path, Files: res.Files, Signatures: len(after.Signatures)}
	for _, id := range res.IDs {
		r, ok := findResult(after, id)
		if !ok || r.Status == sign.StatusInvalid {
			return fmt.Errorf("%s: the new signature %s does not verify after writing: %s", path, id, r.Problem)
		}
		out.Added = append(out.Added, signedSignature{ID: id, Format: r.Format, KeyFingerprint: r.KeyFingerprint,
			CertificateSubject: r.CertificateSubject, Timestamped: r.Timestamp != nil})
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

func findResult(r *sign.Report, id string) (sign.SignatureResult, bool) {
	for _, s := range r.Signatures {
		if s.ID == id {
			return s, true
		}
	}
	return sign.SignatureResult{}, false
}

// checkBeforeSigning refuses a package that fails verification: a signature
// vouches for what is there, so a changed file or a broken earlier
// signature must be found before anyone signs over it. Untrusted earlier
// signers are fine; the co-signer need not know them.
func checkBeforeSigning(ctx context.Context, path string) error {
	pkg, err := openPackage(path)
	if err != nil {
		return err
	}
	defer pkg.Close()
	rep, err := verify.Verify(ctx, pkg, verify.Options{})
	if err != nil {
		return err
	}
	sigs, err := sign.VerifyPackage(pkg.FS(), sign.VerifyOptions{})
	if err != nil {
		return err
	}
	rep.Add(sigs.Findings...)
	if rep.Intact() {
		return nil
	}
	var problems []string
	for _, f := range rep.Errors() {
		problems = append(problems, fmt.Sprintf("%s: %s [%s]", f.Path, f.Message, f.Code))
		if len(problems) == 5 {
			problems = append(problems, "…")
			break
		}
	}
	return withHint(exitVerifyFail,
		fmt.Errorf("%s failed verification; it was not signed:\n  %s", path, strings.Join(problems, "\n  ")),
		"run: casepack verify "+path)
}
